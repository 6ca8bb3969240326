// SPDX-License-Identifier: Apache-2.0
// What the daemon's /metrics shows, in two parts: the node-wide numbers the loop reads once a
// second (DaemonGauges), and the per-container series (denials by container, image, syscall,
// errno and action), which go away a set while after their container is gone so that label
// sets stay bounded on a node that runs containers for years. Pure: time is passed in.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "syscope/daemon/metrics_exposition.hpp"

namespace syscope::daemon::metrics {

using Clock = std::chrono::steady_clock;

// Default for the config's metrics_keep_exited: a container's series outlive it by 5 minutes,
// long enough for a scrape (15-60 s intervals) to see its last values.
inline constexpr std::chrono::seconds kKeepExited{300};
// Per container at most this many (syscall, errno, action) series; further ones are counted in
// one series with syscall="other", so a process cycling through syscall numbers adds at most one.
inline constexpr size_t kMaxSeriesPerContainer = 256;

struct ContainerLabels {
  std::string id;     // full id; the label carries its first 12 characters
  std::string name;   // the runtime's name, else the short id
  std::string image;  // as given to run; empty when unknown
  bool operator==(const ContainerLabels &) const = default;
};

// One kernel-reported denial's labels. `syscall` is libseccomp's name or "unknown" (a number
// without a name), `errno_name` "EPERM" (empty for a signal action), `action` "errno", "trap",
// "kill_thread", "kill_process".
struct DenialLabels {
  std::string syscall, errno_name, action;
  auto operator<=>(const DenialLabels &) const = default;
};
// From the kernel's record: arch (enum syscope_arch), number, action (enum syscope_action) and
// errno or signal. Names come from libseccomp and glibc, never from the caller's values.
DenialLabels denial_labels(uint32_t arch, int32_t nr, uint32_t action, uint32_t err);

class ContainerSeries {
 public:
  explicit ContainerSeries(std::chrono::seconds keep_exited = kKeepExited)
      : keep_exited_(keep_exited) {}

  // A denial in a container (labels as now known) or, without one, of a host process.
  void denial(const ContainerLabels &who, const DenialLabels &what, Clock::time_point now);
  void host_denial(const DenialLabels &what);
  // The containers alive now, by id (name and image as now known). A known container missing
  // here is gone from `now` on; its series are dropped keep_exited later. One back in the list
  // (a restart of the same id) is kept again.
  void observe(const std::map<std::string, ContainerLabels> &running, Clock::time_point now);

  size_t containers() const { return by_container_.size(); }
  // syscope_denials_total: the container series, then the host's (container labels empty).
  void render(Exposition &out) const;

 private:
  struct Container {
    ContainerLabels labels;
    std::map<DenialLabels, uint64_t> counts;
    std::optional<Clock::time_point> gone;
  };
  std::chrono::seconds keep_exited_;
  std::map<std::string, Container> by_container_;  // by id
  std::map<DenialLabels, uint64_t> host_;
};

// Node-wide numbers, read by the daemon's loop (about once a second).
struct DaemonGauges {
  std::string version;
  uint64_t containers_running = 0, containers_profiled = 0, images_profiled = 0;
  // From the audit verdicts the daemon keeps, of the containers running or created now: those
  // without a real filter (unconfined, allow-all, privileged, config and kernel disagreeing),
  // and the privileged ones.
  uint64_t containers_unconfined = 0, containers_privileged = 0;
  uint64_t alerts_total = 0;
  std::vector<std::pair<std::string, uint64_t>> events;  // kernel events handled, by type
  // The kernel's loss counters by reason (loss_counter_key), per program set ("daemon",
  // "dry_run"); plus the daemon's own ("unattributed_calls").
  std::vector<std::tuple<std::string, std::string, uint64_t>> losses;  // program, reason, n
  uint64_t map_bytes = 0;
  uint64_t dry_run_would_deny = 0;  // distinct would-deny rows the dry-run keeps
  uint64_t clients = 0;
  uint64_t rss_bytes = 0;
  double cpu_seconds = 0, start_time_seconds = 0;
};

// The whole /metrics body.
std::string render(const DaemonGauges &gauges, const ContainerSeries &series);

}  // namespace syscope::daemon::metrics
