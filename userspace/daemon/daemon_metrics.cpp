// SPDX-License-Identifier: Apache-2.0
// The daemon's Prometheus /metrics: its loop reads its own numbers once a second into the page
// the listener serves (the listener runs on the loop's thread too, between two events), and
// keeps the per-container denial series, which go keep_exited after their container.
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>

#include "daemon_impl.hpp"
#include "syscope/kernel/loss_counters.hpp"

namespace syscope::daemon {
namespace {

constexpr auto kMetricsEvery = std::chrono::seconds(1);

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  // Summed in whole microseconds first, so the page shows 0.11824 rather than 0.118239999.
  auto us = [](const timeval &t) { return int64_t(t.tv_sec) * 1000000 + t.tv_usec; };
  return double(us(ru.ru_utime) + us(ru.ru_stime)) / 1e6;
}

metrics::ContainerLabels labels_of(const TrackedContainer &c) {
  return {c.ref.id, c.name(), c.image()};
}

void add_losses(metrics::DaemonGauges &g, const std::string &program,
                const bpf::LossCounters &losses) {
  for (int i = 0; i < SYSCOPE_CNT_MAX; ++i)
    g.losses.emplace_back(program, bpf::loss_counter_key(i), losses.values[i]);
}

}  // namespace

uint64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void Daemon::start_metrics() {
  if (!config_.metrics) return;
  metrics_series_ = std::make_unique<metrics::ContainerSeries>(config_.metrics_keep_exited);
  metrics_server_ = std::make_unique<metrics::MetricsServer>(
      metrics::parse_metrics_address(*config_.metrics, "metrics"));
  log_.info("metrics", {{"address", metrics_server_->address()},
                        {"path", "/metrics"},
                        {"keep_exited_s", config_.metrics_keep_exited.count()}});
}

void Daemon::metrics_denial(const watch::Denial &d, const TrackedContainer *c) {
  if (!metrics_series_) return;
  auto what = metrics::denial_labels(d.arch, d.nr, d.action, d.err);
  if (c)
    metrics_series_->denial(labels_of(*c), what, Clock::now());
  else
    metrics_series_->host_denial(what);
}

void Daemon::update_metrics() {
  if (!metrics_server_) return;
  auto now = Clock::now();
  if (now < next_metrics_) return;
  next_metrics_ = now + kMetricsEvery;

  metrics::DaemonGauges g;
  g.version = SYSCOPE_VERSION;
  // Verdicts of the containers that exist now: running, or created and not started (the API's
  // list); the verdicts kept for exited ones (until their profile expires) are not counted.
  auto count_verdict = [&](const std::string &id) {
    if (const auto *v = alerts_->verdict(id)) {
      g.containers_unconfined += !v->pass;
      g.containers_privileged += v->config && v->config->privileged;
    }
  };
  std::map<std::string, metrics::ContainerLabels> running;
  for (const auto &[id, c] : registry_->containers()) {
    if (!c.running()) continue;
    running.emplace(id, labels_of(c));
    ++g.containers_running;
    count_verdict(id);
  }
  for (const auto &id : created_now_)
    if (!running.count(id)) count_verdict(id);
  metrics_series_->observe(running, now);
  g.containers_profiled = store_->containers().size();
  g.images_profiled = store_->image_keys().size();
  g.alerts_total = alerts_total_;
  static constexpr const char *kEventNames[kEventTypes] = {"first_seen", "arg_value", "denial",
                                                           "cgroup"};
  for (int i = 0; i < kEventTypes; ++i) g.events.emplace_back(kEventNames[i], kernel_events_[i]);
  add_losses(g, "daemon", probes_->losses());
  g.losses.emplace_back("daemon", "unattributed_calls", unattributed_calls_);
  if (dry_probe_) add_losses(g, "dry_run", dry_probe_->losses());
  auto tracing = tracer_->usage();
  g.losses.emplace_back("tracer", "flight_dropped", tracing.flight_dropped);
  g.losses.emplace_back("tracer", "session_dropped", tracing.session_dropped);
  g.map_bytes = probes_->map_bytes();
  g.dry_run_would_deny = dry_reports_.total();
  g.clients = server_->stats().clients;
  g.rss_bytes = rss_bytes();
  g.cpu_seconds = cpu_seconds();
  g.start_time_seconds = double(started_wall_ns_) / 1e9;
  metrics_server_->publish(metrics::render(g, *metrics_series_));
}

}  // namespace syscope::daemon
