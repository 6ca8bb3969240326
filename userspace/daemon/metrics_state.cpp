// SPDX-License-Identifier: Apache-2.0
// The /metrics body: node-wide gauges and counters, and the per-container denial series with
// their expiry (README: metrics).
#include "syscope/daemon/metrics_state.hpp"

#include "syscope/abi.h"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::daemon::metrics {
namespace {

constexpr size_t kShortId = 12;

Labels denial_series_labels(const ContainerLabels &who, const DenialLabels &what) {
  return {{"container", who.name},    {"container_id", who.id.substr(0, kShortId)},
          {"image", who.image},       {"syscall", what.syscall},
          {"errno", what.errno_name}, {"action", what.action}};
}

}  // namespace

DenialLabels denial_labels(uint32_t arch, int32_t nr, uint32_t action, uint32_t err) {
  DenialLabels out;
  // A number libseccomp cannot name is "unknown": a process trying every number must not make
  // a series per number.
  auto name = nr < 0 ? std::nullopt : seccomp::syscall_name(seccomp::scmp_arch_for(arch), nr);
  out.syscall = name ? *name : "unknown";
  out.action = syscalls::action_name(action);
  // errnoRet is 1..4095 by the kernel's mask (SECCOMP_RET_DATA is wider, but the errno a task
  // sees is capped at MAX_ERRNO), so even unnamed values stay a bounded set.
  if (action == SYSCOPE_ACTION_ERRNO) out.errno_name = syscalls::errno_name(err & 0xfff);
  return out;
}

void ContainerSeries::denial(const ContainerLabels &who, const DenialLabels &what,
                             Clock::time_point) {
  Container &c = by_container_[who.id];
  c.labels = who;
  c.gone.reset();  // it makes calls: it is alive
  auto it = c.counts.find(what);
  if (it == c.counts.end() && c.counts.size() >= kMaxSeriesPerContainer)
    it = c.counts.try_emplace(DenialLabels{"other", "", ""}, 0).first;
  else if (it == c.counts.end())
    it = c.counts.emplace(what, 0).first;
  ++it->second;
}

void ContainerSeries::host_denial(const DenialLabels &what) {
  // Bounded without expiry: libseccomp's names x 4095 errnos x 4 actions at worst.
  ++host_[what];
}

void ContainerSeries::observe(const std::map<std::string, ContainerLabels> &running,
                              Clock::time_point now) {
  for (auto it = by_container_.begin(); it != by_container_.end();) {
    Container &c = it->second;
    if (auto alive = running.find(it->first); alive != running.end()) {
      c.labels = alive->second;
      c.gone.reset();
    } else if (!c.gone) {
      c.gone = now;
    }
    if (c.gone && now - *c.gone >= keep_exited_)
      it = by_container_.erase(it);
    else
      ++it;
  }
}

void ContainerSeries::render(Exposition &out) const {
  out.counter("syscope_denials_total",
              "Seccomp denials by container, image, syscall, errno and action (host processes: "
              "empty container labels); a container's series go a while after it is gone");
  for (const auto &[id, c] : by_container_)
    for (const auto &[what, n] : c.counts) out.sample(denial_series_labels(c.labels, what), n);
  for (const auto &[what, n] : host_) out.sample(denial_series_labels({}, what), n);
}

std::string render(const DaemonGauges &g, const ContainerSeries &series) {
  Exposition out;
  out.gauge("syscope_build_info", "The running syscope's version; always 1");
  out.sample({{"version", g.version}}, uint64_t{1});
  out.gauge("syscope_containers_running", "Containers the daemon tracks that are running");
  out.sample(g.containers_running);
  out.gauge("syscope_containers_profiled", "Containers with a profile in the state dir");
  out.sample(g.containers_profiled);
  out.gauge("syscope_images_profiled", "Images with a profile in the state dir");
  out.sample(g.images_profiled);
  out.gauge("syscope_containers_unconfined",
            "Containers running or created whose audit verdict is FAIL: no real seccomp filter "
            "(unconfined, allow-all profile, privileged, or config and kernel disagreeing)");
  out.sample(g.containers_unconfined);
  out.gauge("syscope_containers_privileged", "Containers running or created with --privileged");
  out.sample(g.containers_privileged);
  series.render(out);
  out.gauge("syscope_metrics_containers", "Containers with series on this page");
  out.sample(uint64_t{series.containers()});
  out.counter("syscope_alerts_total", "Alerts raised (unconfined or privileged containers)");
  out.sample(g.alerts_total);
  out.counter("syscope_kernel_events_total", "Events read from the kernel, by type");
  for (const auto &[type, n] : g.events) out.sample({{"type", type}}, n);
  out.counter("syscope_losses_total",
              "What was lost, by program set and reason (the kernel's loss counters, the "
              "tracer's drops, calls of unknown cgroups)");
  for (const auto &[program, reason, n] : g.losses)
    out.sample({{"program", program}, {"reason", reason}}, n);
  out.gauge("syscope_bpf_map_bytes", "Memory of the daemon's BPF maps (ring buffer included)");
  out.sample(g.map_bytes);
  out.gauge("syscope_dry_run_would_deny",
            "Distinct calls the dry-run candidates would deny, over every judged container");
  out.sample(g.dry_run_would_deny);
  out.gauge("syscope_control_clients", "Clients connected to the control socket");
  out.sample(g.clients);
  out.gauge("process_resident_memory_bytes", "Resident memory size in bytes");
  out.sample(g.rss_bytes);
  out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds");
  out.sample({}, g.cpu_seconds);
  out.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds");
  out.sample({}, g.start_time_seconds);
  return out.text();
}

}  // namespace syscope::daemon::metrics
