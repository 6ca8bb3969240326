// SPDX-License-Identifier: Apache-2.0
// syscope profile verify CONTAINER [--profile FILE] [--json] [--docker-socket PATH]: reads the
// filters the kernel really runs for one of the container's tasks (ptrace) and compares them,
// call by call, with what the expected profile compiles to under runc's rules. Exit 0: they
// answer every call alike; 1: they differ; 2: bad input; 3: no such container, not running,
// ptrace refused. CLI only: reading filters needs CAP_SYS_ADMIN outside any seccomp filter.
#include <sys/utsname.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "syscope/audit/expected_profile.hpp"
#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"
#include "syscope/base/text.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"
#include "syscope/process/seccomp_filters.hpp"
#include "syscope/seccomp/filter_compare.hpp"
#include "syscope/seccomp/filter_interpreter.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::cli {
namespace {

constexpr size_t kLinesShown = 20;  // differing syscalls listed; the rest counted

struct Options {
  std::string container, profile, docker_socket;
  bool json = false;
};

struct Target {
  docker::ContainerMetadata meta;
  audit::DaemonSeccomp daemon;  // the engine's default profile, when it matters
  std::string engine_version;   // "28.2.2"; empty when GET /info failed
};

Target running_container(const Options &opts) {
  auto api = docker::DockerClient::from_environment(
      opts.docker_socket.empty() ? std::nullopt : std::optional<std::string>(opts.docker_socket));
  auto inspected = api.inspect(opts.container);
  if (!inspected.ok()) throw Error(Exit::environment, inspected.error);
  Target target{*inspected.value, {}, {}};
  if (!target.meta.running || target.meta.pid <= 0)
    throw Error(Exit::environment, "container " + printable(opts.container) + " is not running (" +
                                       target.meta.status + ")");
  auto info = api.info();
  if (info.ok()) target.engine_version = info.value->server_version;
  auto reader = [](const std::string &path) -> std::optional<std::string> {
    FileText file = read_regular_file(path, 4 * 1024 * 1024);
    if (!file.error.empty()) return std::nullopt;
    return file.text;
  };
  target.daemon = audit::daemon_seccomp(info.ok() ? info.value : std::nullopt, reader);
  return target;
}

// The profile's filter as runc would install it for this task: runc's ENOSYS stub, Docker's
// includes/excludes judged with the container's capabilities. Docker judges them against the
// spec's bounding set (moby's seccomp setup), which the task's CapBnd is; CapEff would be empty
// for a container running as a non-root user.
seccomp::FilterProgram expected_program(const seccomp::Profile &profile, uint64_t capabilities) {
  seccomp::HostFacts host = seccomp::current_host();
  host.capabilities = capabilities;
  seccomp::CompiledFilter compiled = seccomp::compile_profile(profile, {.runc_enosys = true}, host);
  auto program = seccomp::as_program(compiled.bpf);
  return {program.begin(), program.end()};
}

std::string instructions_text(const std::vector<seccomp::FilterProgram> &stack) {
  if (stack.empty()) return "no filter";
  std::string text =
      std::to_string(stack.size()) + (stack.size() == 1 ? " filter (" : " filters (");
  for (size_t i = 0; i < stack.size(); ++i)
    text += (i ? ", " : "") + std::to_string(stack[i].size());
  return text + " instructions)";
}

void run_verify(const Options &opts) {
  std::optional<audit::ExpectedProfile> from_file;
  if (!opts.profile.empty())  // bad input first, before touching the container
    from_file = audit::ExpectedProfile{opts.profile, seccomp::load_docker_profile(opts.profile)};
  const Target target = running_container(opts);
  const docker::ContainerMetadata &meta = target.meta;
  const std::string label = container::container_label(meta.name, meta.id, meta.image, 0, false);
  audit::ExpectedProfile expected =
      from_file ? *from_file : audit::expected_profile(meta, target.daemon);

  const process::TaskSeccomp task = process::task_seccomp(meta.pid);
  std::vector<seccomp::FilterProgram> installed = process::read_seccomp_filters(meta.pid);
  for (size_t i = 0; i < installed.size(); ++i)
    if (auto why = seccomp::validate_filter(installed[i]))
      throw Error(Exit::environment, "installed filter " + std::to_string(i) +
                                         " is not one the kernel would accept: " + *why);
  // The engine's own built-in default is not in its API: syscope's copy is 20.10.24's.
  const bool builtin_default = !from_file && expected.source.rfind("Docker's default", 0) == 0;
  if (builtin_default && !target.engine_version.empty() &&
      target.engine_version.rfind("20.10.", 0) != 0)
    std::fprintf(stderr,
                 "syscope: note: the engine is Docker %s; its built-in default profile may "
                 "differ from 20.10.24's, which is compared here (--profile FILE to compare with "
                 "another)\n",
                 printable(target.engine_version).c_str());
  std::vector<seccomp::FilterProgram> wanted;
  if (expected.profile) wanted.push_back(expected_program(*expected.profile, task.cap_bnd));

  seccomp::Comparison cmp = seccomp::compare_stacks(installed, wanted);
  std::string abis;
  for (const auto &abi : cmp.abis) abis += (abis.empty() ? "" : ", ") + abi.name;
  if (opts.json) {
    nlohmann::ordered_json out;
    out["container"] = {{"id", meta.id}, {"name", meta.name}, {"pid", meta.pid}};
    out["installed"] = nlohmann::ordered_json::array();
    for (const auto &p : installed) out["installed"].push_back({{"instructions", p.size()}});
    out["expected"] = {{"source", expected.source},
                       {"instructions", wanted.empty() ? nlohmann::ordered_json(nullptr)
                                                       : nlohmann::ordered_json(wanted[0].size())}};
    out["matches"] = cmp.equal();
    out["abis"] = nlohmann::ordered_json::array();
    for (const auto &abi : cmp.abis) out["abis"].push_back(abi.name);
    const nlohmann::ordered_json differences = seccomp::differences_json(cmp);
    for (const auto &item : differences.items()) out[item.key()] = item.value();
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s (pid %d): installed %s\n", label.c_str(), meta.pid,
                instructions_text(installed).c_str());
    std::printf("expected: %s%s\n", printable(expected.source).c_str(),
                wanted.empty() ? ""
                               : (", as runc compiles it: " + instructions_text(wanted)).c_str());
    if (cmp.equal()) {
      std::printf("matches: %zu calls compared (%s)\n", cmp.calls, abis.c_str());
    } else {
      std::printf("differs: %zu of %zu calls (%s), in %zu syscalls:\n", cmp.differing, cmp.calls,
                  abis.c_str(), cmp.syscalls.size());
      for (const auto &line : seccomp::describe_differences(cmp, kLinesShown))
        std::printf("  %s\n", line.c_str());
    }
  }
  g_exit_status = cmp.equal() ? 0 : 1;
}

}  // namespace

void add_profile_verify(CLI::App &profile_cmd) {
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "verify", "Compare the seccomp filters a running container really has (read with ptrace) "
                "with what its profile compiles to under runc's rules, call by call");
  cmd->add_option("container", opts->container, "Container name or id (prefix)")->required();
  cmd->add_option("--profile", opts->profile,
                  "The profile expected (default: what Docker says the container runs with)");
  cmd->add_flag("--json", opts->json, "One JSON object");
  cmd->add_option("--docker-socket", opts->docker_socket, "Docker's API socket");
  cmd->callback([opts] { run_verify(*opts); });
}

}  // namespace syscope::cli
