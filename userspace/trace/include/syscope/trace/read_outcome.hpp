// SPDX-License-Identifier: Apache-2.0
// How much of a trace a reader got, and what a user must be told about it: one rule for
// `trace show`, `trace stats` and `profile from-trace`, so they agree on what "readable" and
// "incomplete" mean.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "syscope/trace/trace_file.hpp"

namespace syscope::trace {

struct ReadOutcome {
  uint64_t records = 0;                      // records read
  bool complete = false;                     // the writer's end-of-trace block was read
  std::optional<std::string> stopped_early;  // TraceReader::stopped_early()
};

// The outcome of a reader that has read `records` records (next() returned false).
ReadOutcome outcome_of(const TraceReader &reader, uint64_t records);

// Nothing readable: damage before the first record (a header alone is readable: an empty,
// incomplete trace). Exit::usage, "<path>: nothing readable: block 0 at offset 194: truncated
// (...)", when so.
void require_readable(const std::string &path, const ReadOutcome &outcome);

// nullopt for a complete trace; else why it is not, with what was read, e.g.
// "t.trace has no end block: the capture was cut short (killed, or still being written), 12
// records read" or "t.trace is damaged: block 3 at offset 40960: checksum mismatch, 12 records
// read before it".
std::optional<std::string> incompleteness(const std::string &path, const ReadOutcome &outcome);

}  // namespace syscope::trace
