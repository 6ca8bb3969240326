// SPDX-License-Identifier: Apache-2.0
// `syscope audit`: every container's seccomp state from the runtime's config and the kernel's
// view, PASS or FAIL per container; exit 1 when anything fails.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "syscope/audit/audit.hpp"
#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"

namespace syscope::cli {
namespace {

struct AuditOptions {
  bool json = false;
  bool all = false;
  std::optional<std::string> docker_socket;
};

void run_audit(const AuditOptions &opts) {
  audit::Options options{.all = opts.all, .docker_socket = opts.docker_socket};
  audit::Report report = audit::collect(options, [](const std::string &text) {
    std::fprintf(stderr, "syscope: warning: %s\n", text.c_str());
  });
  std::string out = opts.json ? audit::render_json(report) : audit::render_table(report);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  g_exit_status = static_cast<int>(report.failed() ? Exit::findings : Exit::ok);
}

}  // namespace

void setup_audit(CLI::App &app) {
  auto opts = std::make_shared<AuditOptions>();
  CLI::App *sub = app.add_subcommand(
      "audit", "Show every container's seccomp state, from its runtime config and the kernel");
  sub->add_flag("--json", opts->json, "One JSON document: containers array and summary");
  sub->add_flag("-a,--all", opts->all, "Also stopped containers (config only)");
  sub->add_option("--docker-socket", opts->docker_socket,
                  "Docker Engine socket (default: $DOCKER_HOST, else /var/run/docker.sock)")
      ->type_name("PATH");
  sub->footer(
      "One row per running container: the seccomp setting Docker was given\n"
      "(HostConfig.SecurityOpt seccomp=/seccomp: unconfined or an inline profile, Privileged,\n"
      "else the daemon's default from GET /info) and the kernel's view: Seccomp and\n"
      "Seccomp_filters in /proc/<pid>/status of every process in the container's cgroup v2\n"
      "(nested cgroups included; no BPF needed).\n"
      "FAIL, citing CIS Docker 5.21/5.22 and STIG DKER-EE-002070, when seccomp is disabled\n"
      "(unconfined, privileged, daemon default unconfined), when a custom profile with\n"
      "defaultAction SCMP_ACT_ALLOW/LOG leaves any escape call Docker's default refuses\n"
      "(mount, unshare, setns, bpf, keyctl, kexec_load, init_module, ...) allowed, and when a\n"
      "process runs with Seccomp: 0 although the config claims a profile. Containers found in\n"
      "the cgroups but unknown to the API (another runtime or daemon) are judged from the\n"
      "kernel view. Exit status: 0 all PASS, 1 any FAIL, 3 neither the Docker API nor the\n"
      "cgroups can be read (one of them missing is a warning).");
  sub->callback([opts] { run_audit(*opts); });
}

}  // namespace syscope::cli
