// SPDX-License-Identifier: Apache-2.0
// `syscope trace stats`: the trace's summary as text or one JSON object on stdout.
#include <iostream>

#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/trace_file.hpp"
#include "syscope/trace/trace_stats.hpp"

namespace syscope::cli {

int run_trace_stats(const std::string &path, bool json, bool strict) {
  trace::TraceStats st;
  trace::ReadOutcome outcome;
  try {
    trace::TraceReader reader(path);
    st = trace::collect_stats(reader);
    outcome = trace::outcome_of(reader, st.records);
    trace::require_readable(path, outcome);  // the rule show and from-trace apply too
  } catch (const Error &e) {
    throw Error(e.code, std::string("trace stats: ") + e.what());
  }
  int status = report_incomplete("trace stats", path, outcome, strict, "counting those");
  if (json)
    std::cout << trace::stats_json(st, path).dump(-1, ' ', false,
                                                  nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  else
    std::cout << trace::format_stats_text(st, path);
  std::cout.flush();
  return status;
}

}  // namespace syscope::cli
