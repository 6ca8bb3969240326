// SPDX-License-Identifier: Apache-2.0
// The union of profiles recorded on many nodes or instances, offline: what any input allows,
// the result allows; idempotent and independent of the inputs' order.
#pragma once
#include <string>
#include <vector>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

struct MergeInput {
  const Profile *profile;
  std::string origin;  // for messages: the file name
};

// Rules:
// - defaultAction (and defaultErrnoRet) must agree: a profile's meaning rests on it, and neither
//   choice is a union; else Error(Exit::usage) naming both inputs.
// - architectures and archMap: the union, sorted.
// - per name: allowed unconditionally (an ALLOW rule without args/includes/excludes) by any
//   input -> one unconditional ALLOW, every other rule of the name dropped; else every distinct
//   rule of the name kept (argument rules, errno rules, Docker's includes/excludes rules). Two
//   unconditional non-ALLOW rules of one name that differ (ERRNO EACCES vs EPERM), with no
//   input allowing the name outright, are Error(Exit::usage): a union cannot choose.
// - then compacted (compact_rules).
Profile merge_profiles(const std::vector<MergeInput> &inputs);

// The canonical form merge writes: each rule split per name, duplicates dropped, a name's other
// rules dropped where it is allowed outright (libseccomp lets that rule decide), names sharing
// action, errnoRet, args, includes and excludes in one rule with sorted unique names, rules in
// a fixed order (action, errnoRet, args, includes/excludes, first name); comments kept (the
// smallest when rules of one group differ). normalize_profile(merge(A, A)) == normalize(A).
Profile normalize_profile(const Profile &profile);

}  // namespace syscope::seccomp
