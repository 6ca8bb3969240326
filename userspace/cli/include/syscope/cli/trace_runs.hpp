// SPDX-License-Identifier: Apache-2.0
// The bodies of the trace-file subcommands (trace show, trace stats, profile from-trace): they
// print, and return the exit status; the trace layer below them only returns values.
#pragma once
#include <optional>
#include <string>

#include "syscope/trace/trace_show.hpp"

namespace syscope::cli {

// `syscope trace show FILE ...`: prints to stdout. Returns 2 when nothing is readable (not a
// trace, a newer format, or no whole block), else 0. A read that stopped early gets one line
// on stderr saying where and why; losses the kernel counted, one more.
int run_trace_show(const std::string &path, const trace::ShowOptions &opts);

// `syscope trace stats FILE [--json]`: prints to stdout and returns the exit status (0). A file
// whose header cannot be read throws Error(Exit::usage) (main prints it, exit 2); a damaged file
// is counted up to the damage and the output says where it stopped.
int run_trace_stats(const std::string &path, bool json);

// `syscope profile from-trace FILE [--container X] -o OUT [--format docker|oci]`: writes the
// profile as record does (compiled first, atomically; "-" for stdout) and prints record's
// summary lines on stderr, plus one line when the file was cut off. Returns 0.
int run_profile_from_trace(const std::string &path, const std::optional<std::string> &container,
                           const std::string &output_path, const std::string &format);

}  // namespace syscope::cli
