// SPDX-License-Identifier: Apache-2.0
// The (syscall, argument) pairs argument-aware recording keeps the values of: the one table
// the kernel plan (record --args), the profile's argument rules and the summary come from.
// What a value is, and which rule means exactly "this value", is decided here.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "syscope/abi.h"

namespace syscope::profile {

struct ArgField {          // one argument of a pair
  unsigned index = 0;      // argument index 0..5
  uint32_t mask = 0;       // the bits kept, and compared by the rule (SCMP_CMP_MASKED_EQ)
  std::string_view label;  // "family", for summaries
};

struct ArgPair {
  std::string_view syscall;  // libseccomp's name
  ArgField first;
  std::optional<ArgField> second;  // kept with the first: socket's (family, type) together
  // The 32-bit compat ABI passes the same argument in the same place. When false (i386 mmap is
  // old_mmap, whose arguments sit behind a pointer), and for calls libseccomp knows on i386 only
  // through socketcall (socket, socketpair, set/getsockopt), a profile that also covers the
  // compat architecture cannot check the argument there: names only.
  bool compat_same_abi = true;
  std::string_view why;  // what the rule keeps out, for the README and explain
};

// Every pair, in pair-index order (the kernel's pair numbers); fewer than SYSCOPE_ARG_PAIRS.
std::span<const ArgPair> tracked_arg_pairs();
// The index of the pair of `syscall`, nullopt when it is not tracked.
std::optional<uint32_t> arg_pair_index(std::string_view syscall);

// A kept value split back into its fields: first's masked value, second's (0 without one).
struct ArgFieldValues {
  uint32_t first = 0;
  uint32_t second = 0;
};
ArgFieldValues split_arg_value(const ArgPair &pair, uint64_t value);

// The kernel's plan: per arch (enum syscope_arch), pair index + 1 for each syscall number
// libseccomp gives the pair's name (0: untracked), and the pairs' argument masks.
struct ArgPlan {
  uint8_t pair_of[SYSCOPE_ARCH_COUNT][SYSCOPE_SYSCALL_BITS] = {};
  syscope_arg_plan plans[SYSCOPE_ARG_PAIRS] = {};
};
ArgPlan arg_plan();

}  // namespace syscope::profile
