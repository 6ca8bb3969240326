// SPDX-License-Identifier: Apache-2.0
// `syscope trace stats`: the trace's summary as text or one JSON object on stdout.
#include <iostream>

#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/trace_file.hpp"
#include "syscope/trace/trace_stats.hpp"

namespace syscope::cli {

int run_trace_stats(const std::string &path, bool json) {
  trace::TraceReader reader(path);  // throws Error(Exit::usage) when the header is unreadable
  trace::TraceStats st = trace::collect_stats(reader);
  if (json)
    std::cout << trace::stats_json(st, path).dump(-1, ' ', false,
                                                  nlohmann::ordered_json::error_handler_t::replace)
              << "\n";
  else
    std::cout << trace::format_stats_text(st, path);
  std::cout.flush();
  return 0;
}

}  // namespace syscope::cli
