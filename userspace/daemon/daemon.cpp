// SPDX-License-Identifier: Apache-2.0
// The daemon's start, loop and kernel events: cgroups become containers, first-seen calls and
// denials go into each container's profile, a workload's start is audited, and every few seconds
// the kernel's own maps are read (what a lost event missed) and the profiles written.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grp.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "daemon_impl.hpp"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/mountinfo.hpp"
#include "syscope/daemon/daemon.hpp"
#include "syscope/daemon/denial_wire.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/watch/watch_report.hpp"

namespace syscope::daemon {
namespace {

constexpr auto kApiPoll = std::chrono::seconds(2);      // created containers, metadata retries
constexpr auto kEngineInfo = std::chrono::seconds(60);  // the runtime's default profile
constexpr int kTickMs = 100;                            // trace batches, session deadlines


// SIGTERM, SIGINT and SIGHUP arrive on a signalfd, so the loop ends between two events.
class StopSignals {
 public:
  StopSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, &old_);
    fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd_ < 0) throw Error(Exit::environment, "signalfd: " + errno_text(errno));
    signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an EPIPE, never a death
  }
  ~StopSignals() {
    close(fd_);
    sigprocmask(SIG_SETMASK, &old_, nullptr);
  }
  int fd() const { return fd_; }
  int take() const {
    signalfd_siginfo info{};
    return read(fd_, &info, sizeof info) == sizeof info ? static_cast<int>(info.ssi_signo) : 0;
  }

 private:
  int fd_ = -1;
  sigset_t old_{};
};

bool is_workload_set(uint32_t set) {
  return set == SYSCOPE_SET_PLAIN || set == SYSCOPE_SET_FILTERED;
}

}  // namespace

Daemon::Daemon(const DaemonConfig &config) : config_(config) {
  started_wall_ns_ = wall_now();
  started_ = Clock::now();
  if (config_.confine) self_profile_ = load_self_profile(config_.self_profile);
  if (!config_.dry_run.empty()) {  // a bad candidate stops the start before anything is loaded
    std::vector<std::string> warnings;
    dry_candidates_ = std::make_unique<DryRunCandidates>(config_.dry_run, &warnings);
    for (const auto &w : warnings) log_.warning("dry_run_profile", {{"warning", w}});
  }
  bpf::require_bpf_environment();
  mount_ = cgroup::cgroup2_mount();
  state_lock_ = std::make_unique<InstanceLock>(config_.state_dir + "/daemon.lock",
                                               "the state dir " + config_.state_dir);
  if (!config_.pin_dir.empty()) {
    pin_lock_ = std::make_unique<InstanceLock>(pin_dir_lock_file(config_.pin_dir),
                                               "the pin dir " + config_.pin_dir, 0755);
    std::string bpffs_dir = std::filesystem::path(config_.pin_dir).parent_path().string();
    auto bpffs = bpf::ensure_bpffs(bpffs_dir.empty() ? "/sys/fs/bpf" : bpffs_dir);
    persistence_note_ = bpffs.note;
    if (bpffs.persistent) pin_dir_ = config_.pin_dir;
  } else {
    persistence_note_ = "no pin dir configured: persistence is off";
  }
  if (!pin_dir_)
    log_.warning("persistence_off", {{"reason", persistence_note_},
                                     {"effect", "a restart starts the kernel side afresh; "
                                                "profiles on disk are kept"}});
  else if (!persistence_note_.empty())
    log_.info("bpffs", {{"note", persistence_note_}});

  StoreOptions store_options;
  store_options.state_dir = config_.state_dir;
  store_options.keep_removed = config_.keep_removed;
  // last_seen alone is rewritten this seldom: on a node of 1,000 containers that repeat
  // themselves, a minute meant 1,000 fsync'd rewrites a minute.
  store_options.last_seen_granularity = std::chrono::minutes(10);
  store_ = std::make_unique<ProfileStore>(store_options);
  for (const auto &w : store_->load_warnings()) log_.warning("state_file", {{"warning", w}});
  std::error_code ec;
  std::filesystem::create_directories(config_.state_dir + "/flight", ec);  // flight dumps
  if (ec)
    throw Error(Exit::environment,
                "cannot create " + config_.state_dir + "/flight: " + ec.message());
  chmod((config_.state_dir + "/flight").c_str(), 0700);

  docker_ = std::make_unique<docker::DockerClient>(
      docker::DockerClient::from_environment(config_.docker_socket));
  if (std::filesystem::exists(config_.podman_socket))
    podman_ = std::make_unique<docker::DockerClient>(
        docker::DockerClient(docker::DockerEndpoint{config_.podman_socket, ""}));
  registry_ =
      std::make_unique<ContainerRegistry>(mount_, [this](const container::ContainerRef &ref) {
        bool podman = ref.runtime == container::Runtime::podman;
        if (podman && !podman_) {
          docker::ApiResult<docker::ContainerMetadata> none;
          none.status = docker::ApiStatus::unreachable;
          none.error = "no podman API socket at " + config_.podman_socket;
          return none;
        }
        return (podman ? podman_ : docker_)->inspect(ref.id);
      });
  alerts_ = std::make_unique<ContainerAlerts>(mount_);
  auto info = docker_->info();
  alerts_->set_engine_info(info.ok() ? info.value : std::nullopt);
  if (!info.ok()) log_.warning("docker_api", {{"error", info.error}});

  ControlServerOptions server_options;
  server_options.socket_path = config_.socket;
  if (config_.socket_group) {
    errno = 0;
    struct group *g = getgrnam(config_.socket_group->c_str());
    if (!g)
      throw Error(Exit::usage, "socket group \"" + *config_.socket_group + "\" does not exist");
    server_options.group = g->gr_gid;
  }
  server_ = std::make_unique<ControlServer>(
      server_options, [this](ControlServer::ClientId client, const nlohmann::json &request) {
        return handle(client, request);
      });
  server_->on_disconnect = [this](ControlServer::ClientId client) {
    end_sessions_of_client(client);
    end_dry_run_of_client(client);
  };
  start_metrics();  // bound before the programs load: a port in use stops the start at once

  TracerLimits limits;
  limits.flight_bytes_per_container = size_t(config_.flight_mib_per_container) << 20;
  limits.flight_bytes_total = size_t(config_.flight_mib_total) << 20;
  tracer_ = std::make_unique<DaemonTracer>(limits);

  bpf::DaemonProbes::Sinks sinks;
  sinks.first_seen = [this](uint64_t cg, uint32_t nr, uint32_t arch, uint32_t set) {
    on_first_seen(cg, nr, arch, set);
  };
  sinks.arg_value = [this](uint64_t cg, uint32_t pair, uint64_t value, uint32_t flags) {
    on_arg_value(cg, pair, value, flags);
  };
  sinks.denial = [this](watch::Denial &&d) { on_denial(std::move(d)); };
  sinks.cgroup = [this](uint64_t cg, const std::string &path, bool removed) {
    on_cgroup(cg, path, removed);
  };
  bpf::DaemonProbeOptions probe_options;
  probe_options.pin_dir = pin_dir_;
  probe_options.ring_bytes = config_.ring_mib << 20;
  probe_options.record_args = config_.args;
  probes_ = std::make_unique<bpf::DaemonProbes>(probe_options, std::move(sinks));
  log_.info("probes",
            {{"start", bpf::to_string(probes_->start())}, {"note", probes_->start_note()}});
  start_dry_run();

  // Containers older than this start (or than a restart) make no cgroup_mkdir event: find
  // them in cgroupfs. The ring buffer's backlog (a restart) is read first, so the cgroups made
  // and removed during a downtime are tied to their containers by their own events.
  probes_->drain();
  auto denials = probes_->denials();
  for (TrackedContainer *c : registry_->reconcile(wall_now())) {
    container_appeared(*c);
    read_kernel_maps(*c, denials);
  }
  // Everything that needs the start's privileges is done: mounts, pins, the socket's owner.
  if (self_profile_) {
    confinement_ = confine_daemon(*self_profile_);
    log_.info("confined", confinement_->to_json());
  } else {
    log_.warning("not_confined", {{"reason", "confine is off (--no-confine)"},
                                  {"effect", "the daemon keeps every capability and runs "
                                             "without its own seccomp profile"}});
  }
  auto now = Clock::now();
  next_flush_ = now + config_.flush_interval;
  next_api_poll_ = now;
  next_engine_info_ = now + kEngineInfo;
  log_.info("started", {{"version", SYSCOPE_VERSION},
                        {"pid", getpid()},
                        {"state_dir", config_.state_dir},
                        {"socket", config_.socket},
                        {"pin_dir", pin_dir_ ? nlohmann::json(*pin_dir_) : nlohmann::json()},
                        {"containers", registry_->containers().size()}});
}

Daemon::~Daemon() = default;

void Daemon::run() {
  StopSignals signals;
  while (!stopping_) {
    std::vector<pollfd> fds = {{signals.fd(), POLLIN, 0},
                               {probes_->poll_fd(), POLLIN, 0},
                               {server_->poll_fd(), POLLIN, 0}};
    if (int fd = tracer_->poll_fd(); fd >= 0) fds.push_back({fd, POLLIN, 0});
    if (dry_probe_) fds.push_back({dry_probe_->poll_fd(), POLLIN, 0});
    if (metrics_server_) fds.push_back({metrics_server_->poll_fd(), POLLIN, 0});
    int n = poll(fds.data(), fds.size(), kTickMs);
    if (n < 0 && errno != EINTR) throw Error(Exit::environment, "poll: " + errno_text(errno));
    if (fds[0].revents) {
      int sig = signals.take();
      if (sig) {
        log_.info("stopping", {{"signal", strsignal(sig)}});
        stopping_ = true;
      }
    }
    // Dry-run's calls first: a cgroup's rmdir in the daemon's ring then finds them judged.
    if (dry_probe_) dry_probe_->drain();
    probes_->drain();
    if (tracer_->poll_fd() >= 0) tracer_->drain();
    server_->serve();
    tick();
    server_->serve();  // what tick() published goes out now
    if (metrics_server_) metrics_server_->serve();
  }
  shutdown();
}

void Daemon::shutdown() {
  for (auto it = sessions_.begin(); it != sessions_.end();)
    end_session((it++)->first, "daemon stopping");
  if (dry_probe_) dry_probe_->drain();
  probes_->drain();
  save_profiles();
  server_->serve();
  if (config_.keep_attached || !pin_dir_) {
    if (pin_dir_)
      log_.info("stopped", {{"kept_attached", true},
                            {"pin_dir", *pin_dir_},
                            {"note", "the programs keep recording; the next start resumes them"}});
    else
      log_.info("stopped", {{"kept_attached", false}});
  } else {
    probes_->unpin();
    log_.info("stopped", {{"kept_attached", false}, {"note", "programs detached and unpinned"}});
  }
}

// ---- kernel events ----

void Daemon::on_cgroup(uint64_t cgroup_id, const std::string &path, bool removed) {
  ++kernel_events_[kEventCgroup];
  bool created = false;
  TrackedContainer *c = registry_->on_cgroup(cgroup_id, path, removed, wall_now(), &created);
  if (!c) return;
  if (created) {
    container_appeared(*c);
  } else if (!removed) {  // a cgroup nested in a known container
    if (flights_.count(c->ref.id)) tracer_->add_cgroup(c->ref.id, cgroup_id);
    dry_run_assign(*c);
  }
  if (removed) dry_run_cgroup_gone(cgroup_id);
  if (removed && !c->running()) {
    log_.info("container_exited", {{"id", c->ref.id}, {"name", c->name()}});
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      auto cur = it++;
      if (cur->second.container_id == c->ref.id) end_session(cur->first, "the container exited");
    }
  }
}

void Daemon::container_appeared(TrackedContainer &c) {
  log_.info("container_started", {{"id", c.ref.id},
                                  {"name", c.name()},
                                  {"image", c.image()},
                                  {"runtime", std::string(container::runtime_name(c.ref.runtime))},
                                  {"cgroup", c.ref.container_path},
                                  {"metadata", c.metadata ? nlohmann::json("runtime API")
                                                          : nlohmann::json(c.metadata_error)}});
  ensure_flight(c);
  dry_run_assign(c);
}

void Daemon::on_first_seen(uint64_t cgroup_id, uint32_t nr, uint32_t arch, uint32_t set) {
  ++kernel_events_[kEventFirstSeen];
  TrackedContainer *c = registry_->container_of(cgroup_id, wall_now());
  if (!c) return;  // a host cgroup: the daemon profiles containers
  if (set >= SYSCOPE_SET_COUNT || arch >= SYSCOPE_ARCH_COUNT || nr >= SYSCOPE_SYSCALL_BITS) {
    ++unattributed_calls_;
    return;
  }
  pending_[c->ref.id].sets[set].add(arch, nr);
  if (set == SYSCOPE_SET_PLAIN) c->unfiltered_workload = true;
  if (is_workload_set(set) && !c->workload_started) {
    c->workload_started = true;
    workload_started(*c);
  }
}

void Daemon::on_arg_value(uint64_t cgroup_id, uint32_t pair, uint64_t value, uint32_t flags) {
  ++kernel_events_[kEventArgValue];
  TrackedContainer *c = registry_->container_of(cgroup_id, wall_now());
  if (!c || pair >= SYSCOPE_ARG_PAIRS) return;
  if (flags & SYSCOPE_ARG_OVERFLOW)
    pending_[c->ref.id].add_arg_overflow(pair);
  else
    pending_[c->ref.id].add_arg_value(pair, value, flags & SYSCOPE_ARG_FILTERED);
}

// A lost ring-buffer record may have been an argument value: every container alive since the
// last look gets no argument rule (its profile stays names only for those calls, and says so).
void Daemon::note_argument_losses() {
  uint64_t lost = probes_->losses().values[SYSCOPE_CNT_RINGBUF_FULL];
  if (lost <= ring_losses_seen_) return;
  ring_losses_seen_ = lost;
  for (const auto &[id, c] : registry_->containers()) pending_[id].args_lost = true;
}

void Daemon::workload_started(TrackedContainer &c) {
  c.audited = true;
  publish_alert(alerts_->judge_running(c), &c);
}

void Daemon::publish_alert(const std::optional<nlohmann::ordered_json> &alert,
                           TrackedContainer *c) {
  if (!alert) return;
  ++alerts_total_;
  log_.warning("alert", *alert);
  server_->publish("alerts", *alert);
  if (c) flight_trigger(c->ref.id, "alert");
}

void Daemon::on_denial(watch::Denial &&denial) {
  // Its own profile refused one of its calls: a gap in profiles/syscope-daemon.json, an error
  // of ours (scripts/record-daemon-profile regenerates it).
  if (denial.pid == static_cast<uint32_t>(getpid())) {
    ++self_denials_;
    log_.error("self_denial", watch::to_json(denial));
    return;
  }
  TrackedContainer *c = registry_->container_of(denial.cgroup_id, wall_now());
  if (c)
    denial.container =
        watch::ContainerLabel{std::string(container::runtime_name(c->ref.runtime)), c->ref.id,
                              c->metadata ? c->metadata->name : "", c->image()};
  ++denials_total_;
  ++kernel_events_[kEventDenial];
  metrics_denial(denial, c);
  if (c && denial.action == SYSCOPE_ACTION_ERRNO && denial.nr >= 0)
    pending_[c->ref.id].denials.try_emplace(
        profile::Denial{denial.arch, static_cast<uint32_t>(denial.nr), denial.err}, 0);
  auto report = watch::to_json(denial);
  if (auto fix = watch::suggest_fix(denial)) report["suggest"] = watch::to_json(*fix);
  log_.warning("denial", report);
  nlohmann::ordered_json event;
  event["event"] = "denial";
  event["denial"] = denial_to_wire(denial);
  event["report"] = report;
  server_->publish("denials", event);
  if (c) {
    auto &mine = recent_by_container_[c->ref.id];
    mine.push_back(event);
    if (mine.size() > kRecentDenialsPerContainer) mine.pop_front();
  }
  recent_denials_.push_back(std::move(event));
  if (recent_denials_.size() > kRecentDenials) recent_denials_.pop_front();
  if (c) flight_trigger(c->ref.id, "denial");
}

// ---- periodic work ----

void Daemon::tick() {
  tracer_->tick();
  if (config_.args) note_argument_losses();
  end_expired_sessions();
  update_metrics();
  auto now = Clock::now();
  if (now >= next_api_poll_) {
    next_api_poll_ = now + kApiPoll;
    poll_runtime_api();
  }
  if (now >= next_engine_info_) {
    next_engine_info_ = now + kEngineInfo;
    auto info = docker_->info();
    if (info.ok()) alerts_->set_engine_info(info.value);
  }
  if (now >= next_flush_) {
    next_flush_ = now + config_.flush_interval;
    save_profiles();
  }
}

void Daemon::poll_runtime_api() {
  std::vector<std::string> without;
  for (auto &[id, c] : registry_->containers())
    if (!c.metadata) without.push_back(id);
  if (!without.empty()) registry_->retry_metadata();
  for (const auto &id : without) {
    auto &c = registry_->containers().at(id);
    if (!c.metadata) continue;
    store_->identify(identity(c));
    ensure_flight(c);
    dry_run_assign(c);
    if (c.audited) publish_alert(alerts_->judge_running(c), &c);
  }
  // Containers created but never started have no cgroup: only the API shows them, and a
  // privileged or unconfined one is worth an alert before anyone starts it.
  auto list = docker_->list_containers();
  if (!list.ok()) return;
  created_now_.clear();
  for (const auto &summary : *list.value) {
    if (summary.state == "created") created_now_.insert(summary.id);
    if (summary.state != "created" || judged_created_.count(summary.id)) continue;
    if (registry_->containers().count(summary.id)) continue;
    auto meta = docker_->inspect(summary.id);
    if (!meta.ok()) continue;
    judged_created_.insert(summary.id);
    publish_alert(alerts_->judge_created(*meta.value), nullptr);
  }
}

ContainerIdentity Daemon::identity(const TrackedContainer &c) const {
  ContainerIdentity who;
  who.id = c.ref.id;
  who.runtime = std::string(container::runtime_name(c.ref.runtime));
  if (c.metadata) {
    who.name = c.metadata->name;
    who.image = c.metadata->image;
    who.image_id = c.metadata->image_id;
    who.command = c.metadata->command;
  }
  return who;
}

// What cgroup storage holds is the truth for a live cgroup: an event lost to a full ring buffer
// is still in the bitmap. A removed cgroup's storage is gone with it; its events stand alone.
void Daemon::read_kernel_maps(TrackedContainer &c, const KernelDenials &denials) {
  auto &calls = pending_[c.ref.id];
  for (uint64_t cg : c.cgroup_ids) {
    if (auto it = denials.find(cg); it != denials.end())
      for (auto &[key, count] : it->second) calls.denials[key] = count;
    auto path = registry_->path_of(cg);
    if (!path) continue;
    int fd = open((mount_ + *path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    if (auto in_kernel = probes_->calls_in_kernel(fd)) calls.merge(*in_kernel);
    close(fd);
  }
}

void Daemon::save_profiles() {
  uint64_t now = wall_now();
  std::vector<std::string> gone;
  auto denials = probes_->denials();
  for (auto &[id, c] : registry_->containers()) {
    if (c.running()) read_kernel_maps(c, denials);
    auto it = pending_.find(id);
    if (it != pending_.end()) {
      // A container's first observation is dated when it appeared, not at this flush: it may
      // have exited in between.
      if (!it->second.all().empty() || !it->second.denials.empty())
        store_->observe(identity(c), it->second,
                        store_->find_container(id) ? now : std::min(now, c.first_seen_ns));
      pending_.erase(it);
    }
    if (!c.running()) gone.push_back(id);
  }
  std::set<uint64_t> forgotten;
  for (const auto &id : gone) {
    auto &c = registry_->containers().at(id);
    store_->mark_removed(id, c.removed_ns);
    forgotten.insert(c.cgroup_ids.begin(), c.cgroup_ids.end());
    if (flights_.erase(id)) tracer_->stop_flight(id);
    registry_->forget(id);
  }
  probes_->forget_cgroups(forgotten);
  auto result = store_->flush();
  for (const auto &e : result.errors) log_.error("profile_write", {{"error", e}});
  if (config_.verbose)
    for (const auto &p : result.written) log_.write(LogLevel::debug, "written", {{"path", p}});
  auto expired = store_->expire(now);
  for (const auto &id : expired.containers) {
    log_.info("profile_expired", {{"id", id}});
    alerts_->forget(id);
    recent_by_container_.erase(id);
    dry_run_forget(id);
  }
  for (const auto &e : expired.errors) log_.error("profile_expire", {{"error", e}});
}

// ---- entry points ----

void run_daemon(const DaemonConfig &config) {
  Daemon daemon(config);
  daemon.run();
}

std::vector<std::string> uninstall_daemon(const DaemonConfig &config) {
  if (config.pin_dir.empty()) return {};
  InstanceLock lock(pin_dir_lock_file(config.pin_dir), "the pin dir " + config.pin_dir, 0755);
  return bpf::DaemonProbes::uninstall(config.pin_dir);
}

}  // namespace syscope::daemon
