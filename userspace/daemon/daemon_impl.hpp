// SPDX-License-Identifier: Apache-2.0
// The daemon's one object, private to this layer: daemon.cpp runs its loop and feeds it the
// kernel's events, daemon_requests.cpp answers the control socket, daemon_capture.cpp drives
// trace sessions and flight recorders, daemon_dry_run.cpp its dry-run settings,
// daemon_metrics.cpp its Prometheus /metrics.
#pragma once
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/base/clock.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/daemon/container_alerts.hpp"
#include "syscope/daemon/container_registry.hpp"
#include "syscope/daemon/control_server.hpp"
#include "syscope/daemon/daemon_config.hpp"
#include "syscope/daemon/daemon_tracer.hpp"
#include "syscope/daemon/dry_run_candidates.hpp"
#include "syscope/daemon/dry_run_reports.hpp"
#include "syscope/daemon/instance_lock.hpp"
#include "syscope/daemon/json_log.hpp"
#include "syscope/daemon/metrics_server.hpp"
#include "syscope/daemon/metrics_state.hpp"
#include "syscope/daemon/profile_store.hpp"
#include "syscope/daemon/self_confinement.hpp"
#include "syscope/kernel/daemon_probes.hpp"
#include "syscope/kernel/denial.hpp"
#include "syscope/kernel/would_deny_probe.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"

namespace syscope::daemon {

// Denials kept for the `denials` request, newest last (older ones are in the log).
inline constexpr size_t kRecentDenials = 1000;
// Kept per container too, so a container whose calls are refused in a loop (thousands a
// second) cannot push every other container's denials out of reach of a query by name.
inline constexpr size_t kRecentDenialsPerContainer = 100;
// The label that turns a container's flight recorder on, with its window in seconds.
inline constexpr const char *kFlightLabel = "io.syscope.flight-recorder";
inline constexpr int kMaxFlightSeconds = 3600;

using Clock = std::chrono::steady_clock;

inline uint64_t wall_now() { return static_cast<uint64_t>(clock_ns(CLOCK_REALTIME)); }

uint64_t rss_bytes();  // this process's resident memory (/proc/self/statm)

class Daemon {
 public:
  explicit Daemon(const DaemonConfig &config);
  ~Daemon();
  void run();  // until a stop signal

 private:
  // ---- kernel events (daemon.cpp) ----
  void on_cgroup(uint64_t cgroup_id, const std::string &path, bool removed);
  void on_first_seen(uint64_t cgroup_id, uint32_t nr, uint32_t arch, uint32_t set);
  void on_arg_value(uint64_t cgroup_id, uint32_t pair, uint64_t value, uint32_t flags);
  void note_argument_losses();
  void on_denial(watch::Denial &&denial);
  void container_appeared(TrackedContainer &c);
  void workload_started(TrackedContainer &c);
  void publish_alert(const std::optional<nlohmann::ordered_json> &alert, TrackedContainer *c);
  // ---- periodic work (daemon.cpp) ----
  void tick();
  void save_profiles();
  using KernelDenials = std::unordered_map<uint64_t, std::map<profile::Denial, uint64_t>>;
  void read_kernel_maps(TrackedContainer &c, const KernelDenials &denials);
  void poll_runtime_api();
  ContainerIdentity identity(const TrackedContainer &c) const;
  void shutdown();

  // ---- control socket (daemon_requests.cpp) ----
  nlohmann::json handle(ControlServer::ClientId client, const nlohmann::json &request);
  nlohmann::json status() const;
  nlohmann::json list_containers() const;
  nlohmann::json profile(const nlohmann::json &request);
  nlohmann::json denials(const nlohmann::json &request) const;

  // ---- dry-run of candidate profiles (daemon_dry_run.cpp) ----
  void start_dry_run();                      // loads the dry-run programs when a setting asks
  void dry_run_assign(TrackedContainer &c);  // its cgroups under its candidate, if one names it
  void dry_run_cgroup_gone(uint64_t cgroup_id);
  void dry_run_forget(const std::string &container_id);  // its profile expired
  void on_dry_run_call(bpf::DryRunCall &&call);
  nlohmann::json dry_run_start(ControlServer::ClientId client, const nlohmann::json &request);
  nlohmann::json dry_run_stop(ControlServer::ClientId client);
  void end_dry_run_of_client(ControlServer::ClientId client);
  nlohmann::json dry_run_status() const;
  nlohmann::json dry_run_report(const nlohmann::json &request) const;

  // ---- Prometheus /metrics (daemon_metrics.cpp) ----
  void start_metrics();  // binds the listener when the config asks for one
  void metrics_denial(const watch::Denial &denial, const TrackedContainer *c);
  void update_metrics();  // from tick(): the page rendered again about once a second
  enum KernelEvent { kEventFirstSeen, kEventArgValue, kEventDenial, kEventCgroup, kEventTypes };

  // ---- forensic capture (daemon_capture.cpp) ----
  void ensure_flight(TrackedContainer &c);
  void flight_trigger(const std::string &container_id, const std::string &reason);
  nlohmann::json trace_start(ControlServer::ClientId client, const nlohmann::json &request);
  nlohmann::json trace_stop(ControlServer::ClientId client, const nlohmann::json &request);
  nlohmann::json flight_dump(const nlohmann::json &request);
  void end_session(uint64_t session, const std::string &reason);
  void end_sessions_of_client(ControlServer::ClientId client);
  void end_expired_sessions();
  nlohmann::json container_record(const TrackedContainer &c) const;

  DaemonConfig config_;
  JsonLog log_;
  uint64_t started_wall_ns_ = 0;
  Clock::time_point started_;
  std::string mount_;
  std::unique_ptr<InstanceLock> state_lock_, pin_lock_;
  std::optional<std::string> pin_dir_;  // set when persistence is on
  std::string persistence_note_;
  std::unique_ptr<ProfileStore> store_;
  std::unique_ptr<docker::DockerClient> docker_, podman_;
  std::unique_ptr<ContainerRegistry> registry_;
  std::unique_ptr<ContainerAlerts> alerts_;
  std::unique_ptr<ControlServer> server_;
  std::unique_ptr<bpf::DaemonProbes> probes_;
  std::unique_ptr<DaemonTracer> tracer_;
  std::unique_ptr<DryRunCandidates> dry_candidates_;  // the config's validated before any load
  std::unique_ptr<bpf::WouldDenyProbe> dry_probe_;    // only while a candidate exists
  DryRunReports dry_reports_;
  struct DryRunAssignment {
    uint32_t candidate = 0;
    uint64_t since_ns = 0;    // calls before this (the daemon saw the container) are not judged
    std::string name, image;  // kept for the report once the container is gone
    std::string profile;      // the candidate's, as its setting named it
  };
  std::map<std::string, DryRunAssignment> dry_assigned_;    // by container id
  std::map<uint64_t, std::string> dry_cgroups_;             // under dry-run now -> container id
  std::vector<ControlServer::ClientId> dry_clients_;        // each with a candidate of its own
  std::unique_ptr<metrics::MetricsServer> metrics_server_;  // only with --metrics
  std::unique_ptr<metrics::ContainerSeries> metrics_series_;
  std::array<uint64_t, kEventTypes> kernel_events_{};
  Clock::time_point next_metrics_;

  std::unordered_map<std::string, profile::CgroupCalls> pending_;  // by container id
  std::deque<nlohmann::ordered_json> recent_denials_;              // denial_to_wire + "report"
  std::map<std::string, std::deque<nlohmann::ordered_json>> recent_by_container_;  // by id
  std::set<std::string> judged_created_;  // created containers audited
  std::set<std::string> created_now_;     // created, never started, as the API last listed
  uint64_t denials_total_ = 0, alerts_total_ = 0, unattributed_calls_ = 0;
  uint64_t ring_losses_seen_ = 0;  // SYSCOPE_CNT_RINGBUF_FULL when argument losses were last noted
  uint64_t flight_dumps_ = 0;
  std::optional<SelfProfile> self_profile_;  // compiled at the start, installed after loading
  std::optional<Confinement> confinement_;   // set once the daemon confined itself
  uint64_t self_denials_ = 0;                // its own calls its profile refused
  Clock::time_point next_flush_, next_api_poll_, next_engine_info_;

  struct Session {
    ControlServer::ClientId client = 0;
    std::string container_id;
    std::optional<Clock::time_point> deadline;
  };
  std::map<uint64_t, Session> sessions_;
  std::map<std::string, std::chrono::seconds> flights_;        // container id -> window
  std::map<std::string, Clock::time_point> last_flight_dump_;  // rate limit per container
  bool stopping_ = false;
};

}  // namespace syscope::daemon
