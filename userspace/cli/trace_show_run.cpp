// SPDX-License-Identifier: Apache-2.0
// `syscope trace show`: reads the file twice (containers are often named only after their first
// calls were recorded), then prints each record that passes the filters.
#include <cstdio>
#include <cstring>

#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/trace_show.hpp"

namespace syscope::cli {
using namespace syscope::trace;

int run_trace_show(const std::string &path, const ShowOptions &opts, bool strict) {
  TraceCatalog catalog;
  uint64_t records = 0, first_wall_ns = 0;
  std::optional<TraceReader> reader;
  ReadOutcome outcome;
  try {
    check_syscall_filter(opts.syscalls);  // before the file is read: a typo costs nothing
    reader.emplace(path);
    const FileHeader &header = reader->header();
    Record record;
    while (reader->next(record)) {
      if (records++ == 0 && record.bytes.size() >= sizeof(syscope_event_hdr) && record.kind < 100) {
        syscope_event_hdr hdr;
        std::memcpy(&hdr, record.bytes.data(), sizeof hdr);
        first_wall_ns =
            static_cast<uint64_t>(static_cast<int64_t>(hdr.ts_ns) + header.boot_to_wall_ns);
      }
      catalog.learn(record);
    }
    outcome = outcome_of(*reader, records);
    require_readable(path, outcome);
  } catch (const Error &e) {
    std::string what = e.what();
    std::fprintf(stderr, "syscope: %s%s\n",
                 what.rfind("trace show: ", 0) == 0 ? "" : "trace show: ", what.c_str());
    return 2;
  }
  catalog.finish();
  // Exit::usage (bad --since/--until) reaches main as any usage error.
  const FileHeader &header = reader->header();
  ShowFormatter formatter(header, catalog, opts,
                          header.created_wall_ns ? header.created_wall_ns : first_wall_ns);
  int status = report_incomplete("trace show", path, outcome, strict, "showing those");

  reader->rewind();
  Record record;
  for (uint64_t n = 0; n < records && reader->next(record); ++n)
    if (auto line = formatter.line(record)) {
      std::fwrite(line->data(), 1, line->size(), stdout);
      std::fputc('\n', stdout);
    }
  if (opts.json) {
    auto warning = incompleteness(path, outcome);
    nlohmann::ordered_json summary = {
        {"type", "summary"},
        {"records_read", outcome.records},
        {"complete", outcome.complete},
        {"stopped_early", outcome.stopped_early ? nlohmann::ordered_json(*outcome.stopped_early)
                                                : nlohmann::ordered_json(nullptr)},
        {"warning", warning ? nlohmann::ordered_json(*warning) : nlohmann::ordered_json(nullptr)}};
    std::string line =
        summary.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  }
  std::fflush(stdout);
  auto losses = bpf::loss_counters_from_json(catalog.counters());
  if (losses.any())
    std::fprintf(stderr, "syscope: trace show: the kernel counted losses while tracing: %s\n",
                 losses.describe().c_str());
  return status;
}

}  // namespace syscope::cli
