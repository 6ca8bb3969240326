// SPDX-License-Identifier: Apache-2.0
// syscope watch --daemon --would-deny PROFILE [--container X ...]: the dry-run through the
// running daemon. The candidate is checked here (a bad one is exit 2 before the daemon hears of
// it), sent as JSON, judged by the daemon's programs on the named containers (none named: every
// container no other dry-run holds), and each call it would refuse comes back as an event, printed
// as watch --would-deny prints it. The candidate ends with the connection: Ctrl-C, --duration,
// or this process dying.
#include <cstdio>
#include <optional>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/daemon/control_client.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/process/descendant_wait.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/watch/would_deny.hpp"
#include "would_deny_run.hpp"

namespace syscope::cli {
namespace {

using json = nlohmann::json;

// The summary row's label of a report, as WouldDenySummary::add(WouldDeny) makes it.
std::string who_of(const json &report) {
  const auto &c = report["container"];
  uint64_t cgroup = report.value("cgroup_id", uint64_t{0});
  if (!c.is_object()) return "cgroup " + std::to_string(cgroup);
  return container::container_label(c.value("name", ""), c.value("id", ""), c.value("image", ""),
                                    cgroup, false);
}

}  // namespace

void run_would_deny_daemon(const WouldDenyOptions &opts) {
  std::vector<std::string> warnings;
  auto candidate = seccomp::load_docker_profile(opts.profile, &warnings);
  for (const auto &w : warnings) std::fprintf(stderr, "syscope: warning: %s\n", w.c_str());
  watch::WouldDenyJudge check(candidate);  // compiles as the daemon will: exit 2 here if not

  daemon::ControlClient client(opts.daemon_socket);
  json request = {{"request", "dry_run_start"},
                  {"profile", json::parse(seccomp::to_docker_json(candidate))},
                  {"source", opts.profile},
                  {"containers", opts.containers}};
  auto answer = client.request(request);
  if (!answer.value("ok", false))
    throw Error(Exit::usage, "the daemon says: " + answer.value("error", answer.dump()));
  for (const auto &b : answer["busy"])
    std::fprintf(stderr,
                 "syscope: warning: %s is under the daemon's dry-run of %s already: not "
                 "judged by this one\n",
                 b.value("name", "").c_str(), b.value("profile", "").c_str());

  process::SignalRouter signals;
  char how_long[48] = "";
  if (opts.duration_s > 0) std::snprintf(how_long, sizeof how_long, " for %g s", opts.duration_s);
  std::fprintf(stderr,
               "syscope: dry-run of %s on %s%s through the daemon at %s (nothing is enforced; "
               "Ctrl-C to stop)\n",
               opts.profile.c_str(),
               opts.containers.empty() ? "every container" : "the named containers", how_long,
               opts.daemon_socket.c_str());
  watch::WouldDenySummary summary;
  auto handle = [&] {
    while (auto event = client.next_event(std::chrono::milliseconds(0))) {
      if (event->value("event", "") != "would_deny") continue;
      const auto &report = (*event)["report"];
      summary.add(who_of(report), report.value("syscall", ""), report.value("verdict", ""));
      std::printf("%s\n", opts.json ? report.dump().c_str() : event->value("text", "").c_str());
      std::fflush(stdout);
    }
  };
  process::serve_until(
      signals, client.fd(), handle, [] { return false; }, process::deadline_after(opts.duration_s));
  auto stopped = client.request({{"request", "dry_run_stop"}});  // events before it are kept
  handle();
  json losses = stopped.value("losses", json::object());
  if (opts.json)  // the same summary as watch --would-deny's own
    std::printf("%s\n", summary.json(losses).dump().c_str());
  else
    std::printf("%s", summary.text(bpf::loss_counters_from_json(losses).describe()).c_str());
  std::fflush(stdout);
  if (client.dropped_events())
    std::fprintf(stderr, "syscope: %llu would-deny events were dropped unread\n",
                 static_cast<unsigned long long>(client.dropped_events()));
  if (opts.fail_on_denial && summary.total() > 0) g_exit_status = static_cast<int>(Exit::findings);
}

}  // namespace syscope::cli
