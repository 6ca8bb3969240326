// SPDX-License-Identifier: Apache-2.0
// The daemon's tracing engine: trace mode's programs (bpf::TraceRecorder, bpf/trace.bpf.c) shared
// by every trace session (`syscope trace --daemon`: records streamed to a client in batches) and
// every flight recorder (a container's recent records kept in a bounded ring in memory, dumped as
// a trace file on a denial, an alert or on request). Every kernel record carries its cgroup id
// right after its 16-byte header; records are routed by it to their container. Not thread-safe:
// the daemon's one loop calls it.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/kernel/loss_counters.hpp"

namespace syscope::bpf {
class TraceRecorder;
}
namespace syscope::cgroup {
class CgroupPaths;
}

namespace syscope::daemon {

// Documented caps (README): what the flight recorders may hold in memory, counted in the bytes
// of the buffers they reserve (not only the records in them). Over a cap a ring loses its oldest
// records first, and counts them (Usage::flight_dropped).
struct TracerLimits {
  size_t flight_bytes_per_container = 8u << 20;
  size_t flight_bytes_total = 64u << 20;
};
// The smallest cap accepted (Exit::usage below it): a few of the ring's buffer chunks.
inline constexpr size_t kMinFlightBytes = 64u << 10;
// A session's records go out in batches: at most this many bytes of whole records each ...
inline constexpr size_t kBatchBytes = 256u << 10;
// ... and once the oldest pending record has waited this long (checked by tick()).
inline constexpr std::chrono::milliseconds kBatchInterval{100};
// Batches a session holds that its sink has not taken yet, at most (a storm drained in one go):
// records past it are dropped and counted (SessionStats::dropped), so memory stays bounded.
inline constexpr size_t kSessionBacklogBytes = 16u << 20;

class DaemonTracer {
 public:
  // Whole raw kernel records, back to back (each hdr.size bytes, as trace files hold them). A
  // sink must not throw: a client that cannot keep up is the caller's to buffer or drop.
  using BatchSink = std::function<void(std::string_view records)>;

  // What a session delivered, for its trace_end message.
  struct SessionStats {
    uint64_t records = 0;  // handed to the sink
    uint64_t bytes = 0;
    uint64_t dropped = 0;  // over kSessionBacklogBytes: never handed out
  };

  // Exit::usage when a cap is below kMinFlightBytes.
  explicit DaemonTracer(TracerLimits limits = {});
  ~DaemonTracer();
  DaemonTracer(const DaemonTracer &) = delete;
  DaemonTracer &operator=(const DaemonTracer &) = delete;

  // A TraceRecorder is loaded on the first session or flight recorder and unloaded when the last
  // ends, so tracing costs nothing (no program on sys_enter, no 64 MiB ring) while nobody traces.
  // Loading may throw (Exit::environment). A cgroup belongs to one container: one given for
  // another already is Exit::usage. The container's cgroups are traced from now on, their
  // new child cgroups too (the kernel follows them; their cgroup_mkdir routes them here).
  uint64_t start_session(const std::string &container_id, const std::vector<uint64_t> &cgroup_ids,
                         BatchSink sink);
  // Drains what the kernel holds and hands the session its last batch first; unknown: no-op.
  SessionStats stop_session(uint64_t session);
  // A session never ends by itself: the caller stops it (--duration, the client gone, the
  // container gone). nullopt for an unknown session.
  std::optional<SessionStats> session_stats(uint64_t session) const;

  // A nested cgroup of a container found later by the caller (one created in a traced cgroup is
  // routed by its cgroup_mkdir record already; this covers the rest). Unknown container: no-op.
  void add_cgroup(const std::string &container_id, uint64_t cgroup_id);

  // Keeps the container's records of the last `window` (at least 1 s) in a ring. The container
  // record (kRecordContainer JSON: runtime, id, name, image, labels; "cgroup_id" is set to the
  // first cgroup when missing) heads every dump. Starting it again replaces window and record.
  void start_flight(const std::string &container_id, const std::vector<uint64_t> &cgroup_ids,
                    std::chrono::seconds window, nlohmann::json container_record);
  void stop_flight(const std::string &container_id);
  bool flight_active(const std::string &container_id) const;
  // Drains the kernel's records first, then writes the container's ring (the records within its
  // window) as `dir`/<name>-<UTC time>-<reason>.trace: header, the container record, its cgroup
  // paths, the records, a note and the loss counters (the kernel's plus "flight_dropped"),
  // through trace::TraceWriter into a temp file renamed into place once closed. The ring is kept
  // (a later dump overlaps it). Returns the path; Exit::usage when there is no flight recorder
  // for the container, Exit::environment when the file cannot be written.
  std::string dump_flight(const std::string &container_id, const std::string &dir,
                          const std::string &reason);

  // -1 while nothing is loaded; a new fd after each load: re-read it after start_*/stop_*.
  int poll_fd() const;
  void drain();  // routes every waiting record by its cgroup_id; full batches go out
  // Hands out batches older than kBatchInterval and evicts ring records older than their window:
  // call it about every 100 ms (and after drain()).
  void tick();
  bpf::LossCounters losses() const;  // the kernel's counters of the current load; 0 unloaded

  struct Usage {
    size_t flight_bytes = 0;  // reserved by every ring (<= flight_bytes_total)
    size_t sessions = 0, flights = 0;
    uint64_t flight_dropped = 0;   // records evicted early by a cap (still within their window)
    uint64_t session_dropped = 0;  // records sessions dropped over kSessionBacklogBytes
    uint64_t unrouted = 0;         // records of a cgroup no longer traced (just untraced), or
                                   // too short to carry a cgroup id
  };
  Usage usage() const;
  // One container's flight recorder (for status and its list entry); nullopt when none runs.
  struct FlightUsage {
    std::chrono::seconds window{};
    size_t bytes = 0;      // reserved by its ring
    uint64_t dropped = 0;  // evicted early by a cap
  };
  std::optional<FlightUsage> flight_usage(const std::string &container_id) const;

 private:
  struct Session;
  struct Flight;
  struct Container;

  void load_if_needed();
  void unload_if_idle();
  Container &container(const std::string &container_id);
  // kernel_follows: the kernel traces it already (a cgroup created in a traced one).
  void track(Container &c, uint64_t cgroup_id, std::optional<std::string> path,
             bool kernel_follows = false);
  void untrack(Container &c, uint64_t cgroup_id);
  void forget_if_unused(const std::string &container_id);
  void route(const void *data, size_t size);
  void add_to_session(Session &s, const char *data, size_t size);
  void hand_out(Session &s, bool all);
  void add_to_flight(Flight &f, const char *data, size_t size, uint64_t ts_ns);
  bool make_room(Flight &f, size_t need);
  void evict_oldest(Flight &f, bool count_dropped);
  Flight *largest_flight();

  TracerLimits limits_;
  size_t chunk_bytes_ = 0;  // a flight ring's allocation unit
  std::unique_ptr<bpf::TraceRecorder> recorder_;
  std::unique_ptr<cgroup::CgroupPaths> paths_;
  std::map<std::string, std::unique_ptr<Container>> containers_;  // by container id
  std::unordered_map<uint64_t, Container *> by_cgroup_;
  std::unordered_map<std::string, Container *> by_path_;  // cgroup path -> container
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;
  uint64_t next_session_ = 1;
  size_t flight_bytes_ = 0;
  uint64_t flight_dropped_ = 0;
  uint64_t session_dropped_ = 0;
  uint64_t unrouted_ = 0;
};

}  // namespace syscope::daemon
