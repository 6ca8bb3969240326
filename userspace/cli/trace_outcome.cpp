// SPDX-License-Identifier: Apache-2.0
// The line show, stats and from-trace print for a trace they could not read whole, and the exit
// status --strict gives it: one rule for the three (trace/read_outcome.hpp decides what is
// incomplete).
#include <cstdio>

#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"

namespace syscope::cli {

int report_incomplete(const char *command, const std::string &path,
                      const trace::ReadOutcome &outcome, bool strict,
                      const std::string &consequence) {
  auto why = trace::incompleteness(path, outcome);
  if (!why) return 0;
  std::fprintf(stderr, "syscope: %s: %s; %s\n", command, why->c_str(), consequence.c_str());
  return strict ? static_cast<int>(Exit::findings) : 0;
}

}  // namespace syscope::cli
