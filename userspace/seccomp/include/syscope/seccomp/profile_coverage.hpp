// SPDX-License-Identifier: Apache-2.0
// Coverage: in which recorded instances (containers, partial profiles) each allowed call was
// seen, kept per unit of recording so that merging a profile with itself changes nothing.
// Read from the daemon's <image>.coverage.json, from SPO's spo.x-k8s.io/syscall-coverage
// annotation, or from syscope's own coverage (which merge writes); no I/O here.
#pragma once
#include <cstddef>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace syscope::seccomp {

// One unit of recording: an image group on one node (the daemon's coverage file), one SPO
// partial profile, or one profile file without coverage. The daemon counts per call in how many
// of its containers it was seen without saying which, so a unit keeps counts, and its instance
// ids (container ids) say who the unit is.
struct CoverageUnit {
  std::set<std::string> instances;         // container ids; a unit has at least one
  std::map<std::string, size_t> syscalls;  // call -> instances of this unit that made it
  bool operator==(const CoverageUnit &) const = default;
};

// Units by id. The id names the unit's origin ("image:<key>@<first container id>",
// "spo:<recording-namespace>/<recording-id>/<container-id>", "profile:<hash>"), so the same unit
// read twice (a profile merged with itself, or with a merge that holds it) counts once.
struct Coverage {
  std::map<std::string, CoverageUnit> units;
  bool empty() const { return units.empty(); }
  size_t instances() const;                      // over all units
  std::map<std::string, size_t> counts() const;  // call -> instances that made it, all units
  bool operator==(const Coverage &) const = default;
};

// The union by unit id. A unit id present in both with different contents (a newer coverage
// file of the same containers) keeps the union of instances and, per call, the larger count,
// so the result does not depend on the order of the inputs.
Coverage merge_coverage(const Coverage &a, const Coverage &b);

// The daemon's image coverage JSON (profile_store.cpp: key, containers[].id, instances,
// syscalls {call: count}) as one unit. Anything else malformed: Error(Exit::usage) naming
// `origin` and the JSON path.
Coverage coverage_from_daemon_json(const nlohmann::json &doc, const std::string &origin);

// syscope's coverage document, as merge writes it beside a Docker/OCI profile
// (OUT.coverage.json) and, without the totals, in the SPO object's syscope.dev/coverage
// annotation:
// {"version":"v1","instances":N,"syscalls":{call:count},"units":{id:{"instances":[...],
// "syscalls":{...}}}}; the totals first, in the daemon file's shape, for readers of either.
nlohmann::ordered_json coverage_json(const Coverage &coverage);
// Reads coverage_json's document, or the daemon's (told apart by "units").
Coverage coverage_from_json(const nlohmann::json &doc, const std::string &origin);

// SPO's own annotation (spo.x-k8s.io/syscall-coverage, recordingmerger in SPO):
// {"version":"v1","total":M,"syscalls":{call:N}}: M partial profiles, N of them with the call.
// Compact, keys sorted, as Go's json.Marshal writes it.
std::string spo_coverage_annotation(const Coverage &coverage);
// SPO's annotation read back: counts without ids, so it becomes one unit `unit_id` whose
// instances are "<unit_id>#1".."#M".
Coverage coverage_from_spo_annotation(const std::string &value, const std::string &unit_id,
                                      const std::string &origin);

}  // namespace syscope::seccomp
