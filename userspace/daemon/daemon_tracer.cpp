// SPDX-License-Identifier: Apache-2.0
// Sessions and flight recorders over one TraceRecorder. A flight ring is a queue of chunks
// (whole records back to back): evicting the oldest chunk is O(1), a storm costs one allocation
// per chunk rather than one per record, and the bytes a ring holds are its chunks' reserved
// sizes, so the caps bound what is really allocated, not just the payload.
#include "syscope/daemon/daemon_tracer.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>

#include "syscope/abi.h"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/daemon/trace_stream.hpp"
#include "syscope/kernel/trace_recorder.hpp"
#include "syscope/trace/trace_file.hpp"

namespace syscope::daemon {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kRoutedHeaderBytes = sizeof(syscope_event_hdr) + sizeof(uint64_t);

uint64_t boot_now_ns() { return static_cast<uint64_t>(clock_ns(CLOCK_BOOTTIME)); }

syscope_event_hdr header_of(const char *record) {
  syscope_event_hdr hdr;
  std::memcpy(&hdr, record, sizeof hdr);
  return hdr;
}

// Calls f(record, hdr) for each whole record of a chunk (which holds only whole records).
template <typename F> void each_record(const std::string &bytes, F f) {
  for (size_t at = 0; at + sizeof(syscope_event_hdr) <= bytes.size();) {
    auto hdr = header_of(bytes.data() + at);
    f(bytes.data() + at, hdr);
    at += hdr.size;
  }
}

// A piece of a file name: [A-Za-z0-9._-] kept, anything else '_', at most `max` bytes, never
// empty or starting with '.' (no hidden files, no "..").
std::string file_name_part(std::string_view text, size_t max) {
  std::string out;
  for (char c : text.substr(0, max))
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

// "20261201T130501.123456Z": UTC, sortable, no ':' (awkward in file names on other systems).
std::string file_time(uint64_t wall_ns) {
  time_t secs = static_cast<time_t>(wall_ns / 1000000000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06uZ",
                static_cast<unsigned>(wall_ns % 1000000000 / 1000));
  return buf;
}

std::string parent_path(const std::string &path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

struct DaemonTracer::Session {
  uint64_t id = 0;
  Container *container = nullptr;
  BatchSink sink;
  std::string pending;  // whole records, < kBatchBytes
  SteadyClock::time_point pending_since{};
  std::deque<std::string> ready;  // full batches the sink has not been given yet
  size_t ready_bytes = 0;
  SessionStats stats;
};

struct DaemonTracer::Flight {
  struct Chunk {
    std::string bytes;  // whole records; capacity reserved up front
    size_t reserved = 0;
    uint64_t newest_ns = 0;  // the newest record's ts_ns (CPUs' records interleave a little)
  };
  Container *container = nullptr;
  std::chrono::seconds window{};
  nlohmann::json record;
  std::deque<Chunk> chunks;
  size_t reserved = 0;
  uint64_t dropped = 0;

  uint64_t cutoff_ns(uint64_t now_ns) const {
    auto w = static_cast<uint64_t>(std::chrono::nanoseconds(window).count());
    return now_ns > w ? now_ns - w : 0;
  }
};

struct DaemonTracer::Container {
  std::string id;
  std::map<uint64_t, std::string> cgroups;  // id -> path relative to the cgroup2 mount ("" unknown)
  std::vector<Session *> sessions;
  std::unique_ptr<Flight> flight;
};

DaemonTracer::DaemonTracer(TracerLimits limits) : limits_(limits) {
  if (limits_.flight_bytes_per_container < kMinFlightBytes ||
      limits_.flight_bytes_total < kMinFlightBytes)
    throw Error(Exit::usage, "a flight recorder cap is under the smallest accepted, " +
                                 std::to_string(kMinFlightBytes >> 10) + " KiB");
  // 1/16 of the per-container cap: eviction then frees at most ~6% of a ring at once.
  chunk_bytes_ = std::clamp<size_t>(limits_.flight_bytes_per_container / 16, 4u << 10, 64u << 10);
}

DaemonTracer::~DaemonTracer() = default;

// ---- loading ----

void DaemonTracer::load_if_needed() {
  if (recorder_) return;
  if (!paths_) paths_ = std::make_unique<cgroup::CgroupPaths>(cgroup::cgroup2_mount());
  recorder_ =
      std::make_unique<bpf::TraceRecorder>([this](const void *d, size_t n) { route(d, n); });
}

// Nothing traced: the programs come off sys_enter/sys_exit, the ring buffer is freed.
void DaemonTracer::unload_if_idle() {
  if (!containers_.empty()) return;
  recorder_.reset();
  by_cgroup_.clear();
  by_path_.clear();
}

DaemonTracer::Container &DaemonTracer::container(const std::string &container_id) {
  auto &slot = containers_[container_id];
  if (!slot) {
    slot = std::make_unique<Container>();
    slot->id = container_id;
  }
  return *slot;
}

void DaemonTracer::track(Container &c, uint64_t cgroup_id, std::optional<std::string> path,
                         bool kernel_follows) {
  if (c.cgroups.count(cgroup_id)) return;
  if (auto it = by_cgroup_.find(cgroup_id); it != by_cgroup_.end())
    throw Error(Exit::usage, "cgroup " + std::to_string(cgroup_id) + " is traced for container " +
                                 it->second->id + " already, not " + c.id);
  if (!path) path = paths_->path_of(cgroup_id);
  if (!kernel_follows) recorder_->trace_cgroup(cgroup_id);
  c.cgroups[cgroup_id] = path.value_or("");
  by_cgroup_[cgroup_id] = &c;
  if (path && !path->empty()) by_path_[*path] = &c;
}

void DaemonTracer::untrack(Container &c, uint64_t cgroup_id) {
  auto it = c.cgroups.find(cgroup_id);
  if (it == c.cgroups.end()) return;
  if (recorder_) recorder_->untrace_cgroup(cgroup_id);
  by_cgroup_.erase(cgroup_id);
  if (!it->second.empty()) by_path_.erase(it->second);
  c.cgroups.erase(it);
}

void DaemonTracer::forget_if_unused(const std::string &container_id) {
  auto it = containers_.find(container_id);
  if (it == containers_.end() || !it->second->sessions.empty() || it->second->flight) return;
  Container &c = *it->second;
  while (!c.cgroups.empty()) untrack(c, c.cgroups.begin()->first);
  containers_.erase(it);
  unload_if_idle();
}

// ---- sessions ----

uint64_t DaemonTracer::start_session(const std::string &container_id,
                                     const std::vector<uint64_t> &cgroup_ids, BatchSink sink) {
  load_if_needed();
  Container &c = container(container_id);
  auto s = std::make_unique<Session>();
  s->id = next_session_++;
  s->container = &c;
  s->sink = std::move(sink);
  try {
    for (uint64_t id : cgroup_ids) track(c, id, std::nullopt);
  } catch (...) {
    forget_if_unused(container_id);
    throw;
  }
  c.sessions.push_back(s.get());
  uint64_t id = s->id;
  sessions_[id] = std::move(s);
  return id;
}

DaemonTracer::SessionStats DaemonTracer::stop_session(uint64_t session) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return {};
  drain();
  Session &s = *it->second;
  hand_out(s, /*all=*/true);
  SessionStats stats = s.stats;
  std::string container_id = s.container->id;
  auto &list = s.container->sessions;
  list.erase(std::remove(list.begin(), list.end(), &s), list.end());
  sessions_.erase(it);
  forget_if_unused(container_id);
  return stats;
}

std::optional<DaemonTracer::SessionStats> DaemonTracer::session_stats(uint64_t session) const {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return std::nullopt;
  return it->second->stats;
}

void DaemonTracer::add_cgroup(const std::string &container_id, uint64_t cgroup_id) {
  auto it = containers_.find(container_id);
  if (it == containers_.end()) return;
  track(*it->second, cgroup_id, std::nullopt);
}

void DaemonTracer::add_to_session(Session &s, const char *data, size_t size) {
  if (s.ready_bytes + s.pending.size() + size > kSessionBacklogBytes) {
    ++s.stats.dropped;
    ++session_dropped_;
    return;
  }
  if (s.pending.size() + size > kBatchBytes) {
    s.ready_bytes += s.pending.size();
    s.ready.push_back(std::move(s.pending));
    s.pending = std::string();
  }
  if (s.pending.empty()) {
    s.pending.reserve(kBatchBytes);
    s.pending_since = SteadyClock::now();
  }
  s.pending.append(data, size);
  ++s.stats.records;
  s.stats.bytes += size;
}

void DaemonTracer::hand_out(Session &s, bool all) {
  while (!s.ready.empty()) {
    std::string batch = std::move(s.ready.front());
    s.ready.pop_front();
    s.ready_bytes -= batch.size();
    s.sink(batch);
  }
  if (!s.pending.empty() && (all || SteadyClock::now() - s.pending_since >= kBatchInterval)) {
    std::string batch = std::move(s.pending);
    s.pending = std::string();
    s.sink(batch);
  }
}

// ---- flight recorders ----

void DaemonTracer::start_flight(const std::string &container_id,
                                const std::vector<uint64_t> &cgroup_ids,
                                std::chrono::seconds window, nlohmann::json container_record) {
  if (window < std::chrono::seconds(1))
    throw Error(Exit::usage, "a flight recorder's window must be at least 1 second");
  if (!container_record.is_object())
    throw Error(Exit::usage, "a flight recorder's container record must be a JSON object");
  load_if_needed();
  Container &c = container(container_id);
  try {
    for (uint64_t id : cgroup_ids) track(c, id, std::nullopt);
  } catch (...) {
    forget_if_unused(container_id);
    throw;
  }
  if (!container_record.contains("cgroup_id") && !cgroup_ids.empty())
    container_record["cgroup_id"] = cgroup_ids.front();
  if (!c.flight) {
    c.flight = std::make_unique<Flight>();
    c.flight->container = &c;
  }
  c.flight->window = window;
  c.flight->record = std::move(container_record);
}

void DaemonTracer::stop_flight(const std::string &container_id) {
  auto it = containers_.find(container_id);
  if (it == containers_.end() || !it->second->flight) return;
  Flight &f = *it->second->flight;
  while (!f.chunks.empty()) evict_oldest(f, /*count_dropped=*/false);
  it->second->flight.reset();
  forget_if_unused(container_id);
}

bool DaemonTracer::flight_active(const std::string &container_id) const {
  auto it = containers_.find(container_id);
  return it != containers_.end() && it->second->flight;
}

void DaemonTracer::evict_oldest(Flight &f, bool count_dropped) {
  Flight::Chunk &chunk = f.chunks.front();
  if (count_dropped) {
    // Only records still inside the window were lost to a cap; older ones were due to go.
    uint64_t cutoff = f.cutoff_ns(boot_now_ns());
    uint64_t n = 0;
    each_record(chunk.bytes, [&](const char *, const syscope_event_hdr &h) {
      if (h.ts_ns >= cutoff) ++n;
    });
    f.dropped += n;
    flight_dropped_ += n;
  }
  f.reserved -= chunk.reserved;
  flight_bytes_ -= chunk.reserved;
  f.chunks.pop_front();
}

// The total cap takes from the ring that holds the most: a storming container loses its own
// oldest records rather than a quiet one's whole history.
DaemonTracer::Flight *DaemonTracer::largest_flight() {
  Flight *largest = nullptr;
  for (auto &[id, c] : containers_)
    if (c->flight && !c->flight->chunks.empty() &&
        (!largest || c->flight->reserved > largest->reserved))
      largest = c->flight.get();
  return largest;
}

bool DaemonTracer::make_room(Flight &f, size_t need) {
  if (need > limits_.flight_bytes_per_container || need > limits_.flight_bytes_total) return false;
  while (f.reserved + need > limits_.flight_bytes_per_container && !f.chunks.empty())
    evict_oldest(f, true);
  while (flight_bytes_ + need > limits_.flight_bytes_total) {
    Flight *victim = largest_flight();
    if (!victim) return false;
    evict_oldest(*victim, true);
  }
  return true;
}

void DaemonTracer::add_to_flight(Flight &f, const char *data, size_t size, uint64_t ts_ns) {
  if (f.chunks.empty() || f.chunks.back().bytes.size() + size > f.chunks.back().reserved) {
    size_t need = std::max(chunk_bytes_, size);
    if (!make_room(f, need)) {
      ++f.dropped;
      ++flight_dropped_;
      return;
    }
    Flight::Chunk chunk;
    chunk.bytes.reserve(need);
    chunk.reserved = need;
    f.chunks.push_back(std::move(chunk));
    f.reserved += need;
    flight_bytes_ += need;
  }
  Flight::Chunk &chunk = f.chunks.back();
  chunk.bytes.append(data, size);
  chunk.newest_ns = std::max(chunk.newest_ns, ts_ns);
}

std::string DaemonTracer::dump_flight(const std::string &container_id, const std::string &dir,
                                      const std::string &reason) {
  auto it = containers_.find(container_id);
  if (it == containers_.end() || !it->second->flight)
    throw Error(Exit::usage, "no flight recorder runs for container " + container_id);
  drain();  // the call that caused the dump (a denial) is most likely still in the ring buffer
  Container &c = *it->second;
  Flight &f = *c.flight;

  std::string name;
  if (f.record.contains("name") && f.record["name"].is_string())
    name = f.record["name"].get<std::string>();
  if (!name.empty() && name[0] == '/') name.erase(0, 1);  // Docker's "/web"
  if (name.empty()) name = container_id.substr(0, 12);
  auto header = trace::local_file_header();
  std::string base = dir + "/" + file_name_part(name, 64) + "-" +
                     file_time(header.created_wall_ns) + "-" + file_name_part(reason, 32);

  // Written under a temp name and renamed once closed: a reader (or a crash) never sees half.
  std::string temp = dir + "/.flight-XXXXXX";
  int fd = mkstemp(temp.data());
  if (fd < 0)
    throw Error(Exit::environment,
                dir + ": cannot create a flight recorder dump: " + errno_text(errno));
  ::close(fd);
  try {
    trace::TraceWriter out(temp, header);
    out.add_json(trace::kRecordContainer, f.record);
    for (const auto &[id, path] : c.cgroups)
      if (!path.empty())
        out.add_json(trace::kRecordCgroupPath, {{"cgroup_id", id}, {"path", path}});
    uint64_t cutoff = f.cutoff_ns(boot_now_ns()), kept = 0;
    for (const auto &chunk : f.chunks) {
      if (chunk.newest_ns < cutoff) continue;
      each_record(chunk.bytes, [&](const char *record, const syscope_event_hdr &h) {
        if (h.ts_ns < cutoff) return;
        out.add(h.type, record, h.size);
        ++kept;
      });
    }
    out.add_json(trace::kRecordNote,
                 {{"text", "flight recorder dump (" + reason + "): the last " +
                               std::to_string(f.window.count()) + " s, " + std::to_string(kept) +
                               " records; " + std::to_string(f.dropped) +
                               " records evicted earlier by the memory caps"}});
    auto counters = bpf::to_json(losses());
    counters["flight_dropped"] = f.dropped;
    out.add_json(trace::kRecordCounters, counters);
    out.close();
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  // Never over an earlier dump (two in the same microsecond): "-2", "-3", ... instead.
  for (int n = 1;; ++n) {
    std::string path = base + (n == 1 ? "" : "-" + std::to_string(n)) + ".trace";
    if (renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) == 0)
      return path;
    int err = errno;
    if (err != EEXIST || n >= 100) {
      ::unlink(temp.c_str());
      throw Error(Exit::environment,
                  path + ": cannot write the flight recorder dump: " + errno_text(err));
    }
  }
}

// ---- the loop ----

int DaemonTracer::poll_fd() const { return recorder_ ? recorder_->poll_fd() : -1; }

void DaemonTracer::drain() {
  if (!recorder_) return;
  recorder_->drain();
  // Full batches go out here, after the ring buffer is read: a sink never runs inside libbpf's
  // callback.
  for (auto &[id, s] : sessions_)
    if (!s->ready.empty()) hand_out(*s, /*all=*/false);
}

void DaemonTracer::tick() {
  for (auto &[id, s] : sessions_) hand_out(*s, /*all=*/false);
  uint64_t now = boot_now_ns();
  for (auto &[id, c] : containers_) {
    if (!c->flight) continue;
    Flight &f = *c->flight;
    uint64_t cutoff = f.cutoff_ns(now);
    while (!f.chunks.empty() && f.chunks.front().newest_ns < cutoff) evict_oldest(f, false);
  }
}

void DaemonTracer::route(const void *data, size_t size) {
  const char *p = static_cast<const char *>(data);
  if (size < kRoutedHeaderBytes) {
    ++unrouted_;
    return;
  }
  auto hdr = header_of(p);
  if (hdr.size < kRoutedHeaderBytes || hdr.size > size) {  // not a record the kernel made
    ++unrouted_;
    return;
  }
  uint64_t cgroup_id;
  std::memcpy(&cgroup_id, p + sizeof hdr, sizeof cgroup_id);
  auto it = by_cgroup_.find(cgroup_id);
  // Every cgroup created on the host is seen here; one created in a traced cgroup (which the
  // kernel already traces) joins its container, by its parent's path.
  if (it == by_cgroup_.end() && hdr.type == SYSCOPE_EV_CGROUP_MKDIR &&
      size >= sizeof(syscope_cgroup_event)) {
    const auto *ev = reinterpret_cast<const syscope_cgroup_event *>(p);
    std::string path(ev->path, strnlen(ev->path, sizeof ev->path));
    std::string parent = parent_path(path);
    Container *owner = nullptr;
    if (auto byp = by_path_.find(parent); byp != by_path_.end()) {
      owner = byp->second;
    } else if (by_path_.size() < by_cgroup_.size()) {
      // A traced cgroup's path is not known (it could not be resolved): ask by the parent's
      // inode. Only then: every cgroup created on the host passes here.
      if (auto pid = paths_->id_of(parent))
        if (auto byc = by_cgroup_.find(*pid); byc != by_cgroup_.end()) owner = byc->second;
    }
    if (!owner) return;  // not ours
    track(*owner, cgroup_id, path, /*kernel_follows=*/true);
    it = by_cgroup_.find(cgroup_id);
  }
  if (it == by_cgroup_.end()) {
    if (hdr.type != SYSCOPE_EV_CGROUP_MKDIR && hdr.type != SYSCOPE_EV_CGROUP_RMDIR) ++unrouted_;
    return;
  }
  Container &c = *it->second;
  size_t n = hdr.size;  // the kernel's own size (libbpf's may be rounded up)
  for (Session *s : c.sessions) add_to_session(*s, p, n);
  if (c.flight) add_to_flight(*c.flight, p, n, hdr.ts_ns);
  // A removed cgroup's id is never reused (kernfs ids are 64-bit); untracing frees its slot in
  // the kernel's map of traced cgroups, which nested cgroups created and removed could fill.
  if (hdr.type == SYSCOPE_EV_CGROUP_RMDIR) untrack(c, cgroup_id);
}

bpf::LossCounters DaemonTracer::losses() const {
  return recorder_ ? recorder_->losses() : bpf::LossCounters{};
}

DaemonTracer::Usage DaemonTracer::usage() const {
  Usage u;
  u.flight_bytes = flight_bytes_;
  u.sessions = sessions_.size();
  for (const auto &[id, c] : containers_) u.flights += c->flight ? 1 : 0;
  u.flight_dropped = flight_dropped_;
  u.session_dropped = session_dropped_;
  u.unrouted = unrouted_;
  return u;
}

std::optional<DaemonTracer::FlightUsage> DaemonTracer::flight_usage(
    const std::string &container_id) const {
  auto it = containers_.find(container_id);
  if (it == containers_.end() || !it->second->flight) return std::nullopt;
  const Flight &f = *it->second->flight;
  return FlightUsage{f.window, f.reserved, f.dropped};
}

}  // namespace syscope::daemon
