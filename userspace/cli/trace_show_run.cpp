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

int run_trace_show(const std::string &path, const ShowOptions &opts) {
  TraceCatalog catalog;
  FileHeader header;
  uint64_t records = 0, first_wall_ns = 0;
  std::optional<std::string> stopped;
  try {
    TraceReader reader(path);
    header = reader.header();
    Record record;
    while (reader.next(record)) {
      if (records++ == 0 && record.bytes.size() >= sizeof(syscope_event_hdr) && record.kind < 100) {
        syscope_event_hdr hdr;
        std::memcpy(&hdr, record.bytes.data(), sizeof hdr);
        first_wall_ns =
            static_cast<uint64_t>(static_cast<int64_t>(hdr.ts_ns) + header.boot_to_wall_ns);
      }
      catalog.learn(record);
    }
    stopped = reader.stopped_early();
  } catch (const Error &e) {
    std::fprintf(stderr, "syscope: trace show: %s\n", e.what());
    return 2;
  }
  if (stopped)
    std::fprintf(stderr,
                 "syscope: trace show: %s: read stopped early, at %s; showing the %llu "
                 "records before it\n",
                 path.c_str(), stopped->c_str(), static_cast<unsigned long long>(records));
  if (records == 0 && stopped) return 2;
  catalog.finish();
  // Exit::usage (bad --since/--until) reaches main as any usage error.
  ShowFormatter formatter(header, catalog, opts,
                          header.created_wall_ns ? header.created_wall_ns : first_wall_ns);

  TraceReader reader(path);
  Record record;
  for (uint64_t n = 0; n < records && reader.next(record); ++n)
    if (auto line = formatter.line(record)) {
      std::fwrite(line->data(), 1, line->size(), stdout);
      std::fputc('\n', stdout);
    }
  std::fflush(stdout);
  auto losses = loss_counters_of(catalog.counters());
  if (losses.any())
    std::fprintf(stderr, "syscope: trace show: the kernel counted losses while tracing: %s\n",
                 losses.describe().c_str());
  return 0;
}

}  // namespace syscope::cli
