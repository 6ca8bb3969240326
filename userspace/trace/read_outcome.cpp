// SPDX-License-Identifier: Apache-2.0
// The readable / incomplete rule shared by show, stats and from-trace (read_outcome.hpp).
#include "syscope/trace/read_outcome.hpp"

#include "syscope/base/error.hpp"

namespace syscope::trace {

ReadOutcome outcome_of(const TraceReader &reader, uint64_t records) {
  return {records, reader.complete(), reader.stopped_early()};
}

void require_readable(const std::string &path, const ReadOutcome &outcome) {
  if (outcome.records == 0 && outcome.stopped_early)
    throw Error(Exit::usage, path + ": nothing readable: " + *outcome.stopped_early);
}

std::optional<std::string> incompleteness(const std::string &path, const ReadOutcome &outcome) {
  std::string n = std::to_string(outcome.records) + (outcome.records == 1 ? " record" : " records");
  if (outcome.stopped_early)
    return path + " is damaged: " + *outcome.stopped_early + ", " + n + " read before it";
  if (!outcome.complete)
    return path + " has no end block: the capture was cut short (killed, or still being " +
           "written), " + n + " read";
  return std::nullopt;
}

}  // namespace syscope::trace
