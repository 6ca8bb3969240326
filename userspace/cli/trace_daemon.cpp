// SPDX-License-Identifier: Apache-2.0
// syscope trace --daemon CONTAINER -o FILE [--duration D]: a running container traced by the
// daemon's programs (nothing is loaded here); the daemon streams the records over its socket
// and this side writes the trace file, which reads back like any other.
#include <cstdio>

#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/daemon/control_client.hpp"
#include "syscope/daemon/trace_stream.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/trace/trace_file.hpp"

namespace syscope::cli {

void run_trace_daemon(const std::string &container, const std::string &output, double duration_s,
                      const std::string &socket) {
  using json = nlohmann::json;
  daemon::ControlClient client(socket);
  json start = {{"request", "trace_start"}, {"container", container}};
  if (duration_s > 0) start["duration"] = duration_s;
  json r = client.request(start);
  if (!r.value("ok", false))
    throw Error(Exit::usage, "the daemon says: " + r.value("error", r.dump()));
  uint64_t session = r.at("session").get<uint64_t>();
  trace::TraceWriter writer(output, daemon::header_from_json(r.at("header")));
  writer.add_json(trace::kRecordContainer, r.at("container"));
  std::fprintf(stderr, "syscope: tracing %s through the daemon into %s%s\n", container.c_str(),
               output.c_str(), duration_s > 0 ? "" : " (Ctrl-C to stop)");

  uint64_t records = 0;
  std::optional<json> end;
  auto take = [&](const json &event) {
    if (event.value("session", uint64_t(0)) != session) return;
    std::string kind = event.value("event", "");
    if (kind == "trace_records")
      records += daemon::write_stream_records(writer, daemon::records_of_message(event));
    else if (kind == "trace_end")
      end = event;
  };
  auto handle = [&] {
    while (!end)
      if (auto event = client.next_event(std::chrono::milliseconds(0)))
        take(*event);
      else
        break;
    if (auto age = writer.pending_age(); age && *age >= std::chrono::seconds(1)) writer.flush();
  };
  process::SignalRouter signals;
  auto how = process::serve_until(
      signals, client.fd(), handle, [&] { return end.has_value(); }, std::nullopt);
  if (how != process::ServeEnd::done) {
    // Stopped here: the daemon hands out the last records, then trace_end, then its answer.
    client.request({{"request", "trace_stop"}, {"session", session}});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!end && std::chrono::steady_clock::now() < deadline)
      if (auto event = client.next_event(std::chrono::milliseconds(200))) take(*event);
  }
  std::string reason = end ? end->value("reason", "") : "no end message from the daemon";
  json counters = end && end->contains("counters") ? (*end)["counters"] : json::object();
  writer.add_json(trace::kRecordCounters, counters);
  writer.add_json(trace::kRecordNote, {{"text", "traced through the daemon: " + reason}});
  writer.close();
  std::fprintf(stderr, "syscope: traced %s: %llu records (%s); wrote %s\n", container.c_str(),
               static_cast<unsigned long long>(records), reason.c_str(), output.c_str());
  if (!end) throw Error(Exit::environment, "the daemon never ended the trace session");
}

}  // namespace syscope::cli
