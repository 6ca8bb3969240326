// SPDX-License-Identifier: Apache-2.0
// The bodies of the trace-file subcommands (trace show, trace stats, profile from-trace): they
// print, and return the exit status; the trace layer below them only returns values.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "syscope/trace/read_outcome.hpp"
#include "syscope/trace/trace_show.hpp"

namespace syscope::cli {

// `syscope trace --daemon CONTAINER -o FILE [--duration D]` (trace_daemon.cpp): the daemon traces,
// this side writes FILE. Ctrl-C or the duration ends it; exit 3 if the daemon never ended it.
void run_trace_daemon(const std::string &container, const std::string &output, double duration_s,
                      const std::string &socket);

// `trace --max-size`: bytes, from "64k", "500M", "1.5GiB", "1048576" (binary units, any case).
// Exit::usage, one line, for 0, garbage, an unknown unit, overflow, or less than
// trace::kMinMaxSize.
uint64_t parse_max_size(const std::string &text);

// What the three say about a trace they could not read whole, by one rule
// (trace/read_outcome.hpp): a file with nothing readable (not a trace, a newer format, damage
// before the first record) is exit 2 with one line; an incomplete one (no end block: the capture
// was killed; or damaged after some records) gets one warning line on stderr,
//   syscope: <command>: <trace::incompleteness()>; <consequence>
// and, with --strict, exit 1 (Exit::findings). Returns that status: 0 or 1.
int report_incomplete(const char *command, const std::string &path,
                      const trace::ReadOutcome &outcome, bool strict,
                      const std::string &consequence);

// `syscope trace show FILE ...`: prints to stdout (with --json, a last {"type":"summary"} line:
// records read, complete, stopped_early, warning). Returns 2 when nothing is readable or a
// --syscall name is unknown; 1 for an incomplete trace with `strict`; else 0.
int run_trace_show(const std::string &path, const trace::ShowOptions &opts, bool strict = false);

// `syscope trace stats FILE [--json]`: prints to stdout (the text's "not closed" / "stopped
// early" line, JSON's "complete", "stopped_early" and "warning" fields) and returns the status
// as show does: 2 when nothing is readable, 1 for an incomplete trace with `strict`, else 0.
int run_trace_stats(const std::string &path, bool json, bool strict = false);

// `syscope profile from-trace FILE [--container X] -o OUT [--format docker|oci] [--strict]`:
// writes the profile as record does (compiled first, atomically; "-" for stdout) and prints
// record's summary lines on stderr, the label marked "[incomplete trace]" after the warning
// line when the trace is incomplete. Returns 0; 1 and no file written for an incomplete trace
// with `strict`. Exit::usage (2), no file written, when nothing is readable or the selection
// made no syscall at all (a profile from zero calls would deny everything).
int run_profile_from_trace(const std::string &path, const std::optional<std::string> &container,
                           const std::string &output_path, const std::string &format,
                           bool strict = false);

}  // namespace syscope::cli
