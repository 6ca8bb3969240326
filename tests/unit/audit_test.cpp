// SPDX-License-Identifier: Apache-2.0
// The audit's verdicts from Docker 20.10 inspect/info fixtures and made-up kernel views: every
// way seccomp gets disabled, allow-by-default profiles, config and kernel disagreeing,
// containers only the cgroups know; /proc/<pid>/status parsing; the table and JSON output.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "syscope/audit/audit.hpp"

using namespace syscope;
using namespace syscope::audit;

namespace {

std::string fixture(const std::string &name) {
  std::ifstream in(std::string(SYSCOPE_FIXTURES) + "/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

docker::ContainerMetadata inspect_fixture(const std::string &name) {
  auto r = docker::parse_inspect(fixture("docker/" + name));
  INFO(r.error);
  REQUIRE(r.ok());
  return *r.value;
}

DaemonSeccomp builtin_daemon() {
  auto info = docker::parse_info(fixture("docker/info.json"));
  REQUIRE(info.ok());
  return daemon_seccomp(info.value, nullptr);
}

KernelView kernel_with(std::vector<std::pair<int, int>> modes_and_filters) {
  KernelView k;
  k.available = true;
  k.cgroup = "/docker/x";
  pid_t pid = 100;
  for (auto [mode, filters] : modes_and_filters)
    k.processes.push_back({pid++, "sleep", mode, filters});
  return k;
}

ContainerAudit audit_of(docker::ContainerMetadata meta, const KernelView &kernel,
                        const DaemonSeccomp &daemon) {
  return judge(meta, config_view(meta, daemon, dangerous_calls()), kernel);
}

bool has_reason(const ContainerAudit &a, const std::string &text) {
  for (const auto &f : a.findings)
    if (f.reason.find(text) != std::string::npos) return true;
  return false;
}

// {"defaultAction":"SCMP_ACT_ALLOW"} plus one ERRNO rule naming `denied`.
std::string allow_profile_denying(const std::set<std::string> &denied) {
  nlohmann::json rule = {{"names", denied}, {"action", "SCMP_ACT_ERRNO"}};
  return "seccomp=" + nlohmann::json{{"defaultAction", "SCMP_ACT_ALLOW"},
                                     {"syscalls", nlohmann::json::array({rule})}}
                          .dump();
}

}  // namespace

TEST_CASE("default profile with filtered processes passes", "[audit]") {
  auto a = audit_of(inspect_fixture("inspect_default.json"), kernel_with({{2, 1}, {2, 1}}),
                    builtin_daemon());
  CHECK(a.pass);
  CHECK(a.findings.empty());
  REQUIRE(a.config);
  CHECK(a.config->setting == Setting::default_profile);
  CHECK(a.config->source == "daemon default");
  CHECK(a.known_to_api);
}

TEST_CASE("both spellings of seccomp unconfined fail with the controls", "[audit]") {
  auto meta = inspect_fixture("inspect_unconfined.json");
  for (std::string opt : {"seccomp=unconfined", "seccomp:unconfined"}) {
    meta.security_opt = {"label=disable", opt};
    auto a = audit_of(meta, kernel_with({{0, 0}}), builtin_daemon());
    INFO(opt);
    CHECK_FALSE(a.pass);
    REQUIRE(a.findings.size() == 1);  // the kernel agrees: no separate disagreement finding
    CHECK(a.findings[0].reason == "seccomp disabled by --security-opt " + opt);
    CHECK(a.findings[0].controls ==
          std::vector<std::string>{"CIS-5.21", "CIS-5.22", "DKER-EE-002070"});
    CHECK(a.config->setting == Setting::unconfined);
  }
}

TEST_CASE("privileged disables seccomp whatever SecurityOpt says", "[audit]") {
  auto meta = inspect_fixture("inspect_k8s.json");  // has an inline deny-by-default profile
  meta.privileged = true;
  auto a = audit_of(meta, kernel_with({{0, 0}}), builtin_daemon());
  CHECK_FALSE(a.pass);
  CHECK(has_reason(a, "privileged"));
  CHECK(a.config->setting == Setting::unconfined);
  CHECK(a.config->privileged);
}

TEST_CASE("a deny-by-default inline profile passes", "[audit]") {
  auto a = audit_of(inspect_fixture("inspect_k8s.json"), kernel_with({{2, 1}}), builtin_daemon());
  CHECK(a.pass);
  CHECK(a.config->setting == Setting::custom);
  CHECK(a.config->source == "inline profile");
  REQUIRE(a.config->permissive);
  CHECK_FALSE(a.config->permissive->permissive);
}

TEST_CASE("allow-by-default profiles are judged by the dangerous calls they deny", "[audit]") {
  const auto &dangerous = dangerous_calls();
  // Docker's default refuses these on every kernel this runs on; ptrace it allows (>= 4.8).
  for (const char *name : {"mount", "unshare", "setns", "bpf", "keyctl", "kexec_load",
                           "init_module", "open_by_handle_at"})
    CHECK(dangerous.count(name));
  CHECK_FALSE(dangerous.count("ptrace"));
  CHECK_FALSE(dangerous.count("read"));

  auto meta = inspect_fixture("inspect_default.json");
  SECTION("allow-all fails as effectively unconfined, though the kernel shows a filter") {
    meta.security_opt = {R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW"})"};
    auto a = audit_of(meta, kernel_with({{2, 1}}), builtin_daemon());
    CHECK_FALSE(a.pass);
    REQUIRE(a.findings.size() == 1);
    CHECK(a.findings[0].reason ==
          "effectively unconfined: inline profile has defaultAction SCMP_ACT_ALLOW and denies "
          "none of the " +
              std::to_string(dangerous.size()) + " dangerous calls Docker's default refuses");
    CHECK(a.config->permissive->effectively_unconfined());
  }
  SECTION("SCMP_ACT_LOG is as permissive") {
    meta.security_opt = {R"(seccomp={"defaultAction":"SCMP_ACT_LOG"})"};
    CHECK(has_reason(audit_of(meta, kernel_with({{2, 1}}), builtin_daemon()),
                     "defaultAction SCMP_ACT_LOG"));
  }
  SECTION("denying every dangerous call passes") {
    meta.security_opt = {allow_profile_denying(dangerous)};
    auto a = audit_of(meta, kernel_with({{2, 1}}), builtin_daemon());
    CHECK(a.pass);
    CHECK(a.config->permissive->permissive);
    CHECK(a.config->permissive->open.empty());
  }
  SECTION("leaving some open fails and names them") {
    auto denied = dangerous;
    denied.erase("unshare");
    denied.erase("mount");
    meta.security_opt = {allow_profile_denying(denied)};
    auto a = audit_of(meta, kernel_with({{2, 1}}), builtin_daemon());
    CHECK_FALSE(a.pass);
    CHECK(a.config->permissive->open == std::vector<std::string>{"mount", "unshare"});
    CHECK(has_reason(a, "leaves 2 of them allowed: mount, unshare"));
  }
  SECTION("a deny with argument conditions does not count") {
    nlohmann::json profile = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls",
         {{{"names", dangerous}, {"action", "SCMP_ACT_ERRNO"}},
          {{"names", {"unshare"}},
           {"action", "SCMP_ACT_ALLOW"},
           {"args", {{{"index", 0}, {"value", 0}, {"op", "SCMP_CMP_EQ"}}}}}}}};
    // The conditional rule allows; the unconditional ERRNO still covers unshare.
    meta.security_opt = {"seccomp=" + profile.dump()};
    CHECK(audit_of(meta, kernel_with({{2, 1}}), builtin_daemon()).pass);
    profile["syscalls"][0]["args"] = {{{"index", 0}, {"value", 0}, {"op", "SCMP_CMP_EQ"}}};
    meta.security_opt = {"seccomp=" + profile.dump()};
    CHECK_FALSE(audit_of(meta, kernel_with({{2, 1}}), builtin_daemon()).pass);
  }
}

TEST_CASE("a process without seccomp under a claimed profile: config and kernel disagree",
          "[audit]") {
  auto a = audit_of(inspect_fixture("inspect_default.json"), kernel_with({{2, 1}, {0, 0}, {2, 2}}),
                    builtin_daemon());
  CHECK_FALSE(a.pass);
  REQUIRE(a.findings.size() == 1);
  CHECK(a.findings[0].reason ==
        "config and kernel disagree: the config claims a default profile but 1 of 3 processes "
        "run without seccomp (Seccomp: 0): 101 (sleep)");
  CHECK(a.findings[0].controls.size() == 3);
}

TEST_CASE("the daemon's default profile decides for containers that set none", "[audit]") {
  auto meta = inspect_fixture("inspect_default.json");
  auto info = docker::parse_info(fixture("docker/info.json"));
  REQUIRE(info.ok());
  docker::EngineInfo engine = *info.value;

  SECTION("profile=unconfined") {
    engine.seccomp_profile = "unconfined";
    auto daemon = daemon_seccomp(engine, nullptr);
    CHECK(daemon.kind == DaemonSeccomp::Kind::unconfined);
    auto a = audit_of(meta, kernel_with({{0, 0}}), daemon);
    CHECK_FALSE(a.pass);
    CHECK(has_reason(a, "daemon's default profile is unconfined"));
  }
  SECTION("profile=<path>, allow-all, readable") {
    engine.seccomp_profile = "/etc/docker/seccomp.json";
    auto daemon = daemon_seccomp(engine, [](const std::string &path) -> std::optional<std::string> {
      CHECK(path == "/etc/docker/seccomp.json");
      return R"({"defaultAction":"SCMP_ACT_ALLOW"})";
    });
    CHECK(daemon.kind == DaemonSeccomp::Kind::custom);
    auto a = audit_of(meta, kernel_with({{2, 1}}), daemon);
    CHECK_FALSE(a.pass);
    CHECK(has_reason(a, "effectively unconfined: daemon profile /etc/docker/seccomp.json"));
  }
  SECTION("profile=<path>, unreadable: judged from the kernel") {
    engine.seccomp_profile = "/etc/docker/seccomp.json";
    auto daemon = daemon_seccomp(engine, [](const std::string &) { return std::nullopt; });
    auto a = audit_of(meta, kernel_with({{2, 1}}), daemon);
    CHECK(a.pass);
    CHECK(a.config->setting == Setting::custom);
    REQUIRE(a.notes.size() == 1);
    CHECK(a.notes[0].find("cannot read /etc/docker/seccomp.json") != std::string::npos);
  }
  SECTION("builtin and an explicit seccomp=builtin") {
    engine.seccomp_profile = "builtin";
    CHECK(daemon_seccomp(engine, nullptr).kind == DaemonSeccomp::Kind::builtin);
    engine.seccomp_profile = "unconfined";
    meta.security_opt = {"seccomp=builtin"};
    CHECK(audit_of(meta, kernel_with({{2, 1}}), daemon_seccomp(engine, nullptr)).pass);
  }
  SECTION("no seccomp support") {
    engine.seccomp_profile.reset();
    auto daemon = daemon_seccomp(engine, nullptr);
    CHECK(daemon.kind == DaemonSeccomp::Kind::unsupported);
    CHECK_FALSE(audit_of(meta, kernel_with({{0, 0}}), daemon).pass);
  }
  SECTION("GET /info failed: Docker's usual default assumed, the kernel still checked") {
    auto daemon = daemon_seccomp(std::nullopt, nullptr);
    CHECK(daemon.kind == DaemonSeccomp::Kind::unknown);
    CHECK(audit_of(meta, kernel_with({{2, 1}}), daemon).pass);
    CHECK_FALSE(audit_of(meta, kernel_with({{0, 0}}), daemon).pass);
  }
}

TEST_CASE("a stopped container is judged from its config alone", "[audit]") {
  auto meta = inspect_fixture("inspect_unconfined.json");
  meta.running = false;
  meta.status = "exited";
  KernelView none;
  none.error = "not running";
  auto a = audit_of(meta, none, builtin_daemon());
  CHECK_FALSE(a.pass);
  CHECK(a.notes.empty());
}

TEST_CASE("containers only the cgroups know are judged from the kernel view", "[audit]") {
  auto ref = container::container_from_cgroup_path("/system.slice/cri-containerd-" +
                                                   std::string(64, 'a') + ".scope");
  REQUIRE(ref);
  auto fail = judge_cgroup_only(*ref, kernel_with({{2, 1}, {0, 0}}), true);
  CHECK_FALSE(fail.pass);
  CHECK(fail.runtime == "containerd");
  CHECK_FALSE(fail.known_to_api);
  REQUIRE(fail.findings.size() == 1);
  CHECK(fail.findings[0].reason ==
        "1 of 2 processes run without seccomp (Seccomp: 0): 101 (sleep)");
  CHECK(judge_cgroup_only(*ref, kernel_with({{2, 1}, {1, -1}}), false).pass);
}

TEST_CASE("/proc/<pid>/status: name, mode, filter count", "[audit]") {
  auto p = parse_proc_status("Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n"
                             "NoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n"
                             "Speculation_Store_Bypass:\tthread vulnerable\n");
  REQUIRE(p);
  CHECK(p->comm == "sleep");
  CHECK(p->mode == 2);
  CHECK(p->filters == 1);
  auto old_kernel = parse_proc_status("Name:\tsh\nSeccomp:\t0\n");
  REQUIRE(old_kernel);
  CHECK(old_kernel->mode == 0);
  CHECK(old_kernel->filters == -1);
  CHECK_FALSE(parse_proc_status("Name:\tsh\nState:\tR\n"));
}

TEST_CASE("kernel view: every process of a cgroup and the cgroups below it", "[audit]") {
  // A made-up hierarchy: only cgroup.procs files are read, so a temp dir stands in for it.
  namespace fs = std::filesystem;
  fs::path mount = fs::temp_directory_path() / ("syscope-audit-" + std::to_string(getpid()));
  fs::create_directories(mount / "docker/c/nested");
  std::ofstream(mount / "docker/c/cgroup.procs") << getpid() << "\n";
  std::ofstream(mount / "docker/c/nested/cgroup.procs") << getppid() << "\n" << getpid() << "\n";
  KernelView k = read_kernel_view(mount.string(), "/docker/c");
  KernelView missing = read_kernel_view(mount.string(), "/docker/gone");
  fs::remove_all(mount);
  REQUIRE(k.available);
  CHECK(k.cgroup == "/docker/c");
  REQUIRE(k.processes.size() == 2);  // each pid once
  CHECK(k.processes[0].pid == std::min(getpid(), getppid()));
  for (const auto &p : k.processes) CHECK(p.mode >= 0);
  CHECK_FALSE(missing.available);
  CHECK(missing.error.find("no cgroup") != std::string::npos);
}

TEST_CASE("table and JSON output", "[audit]") {
  Report report;
  report.api_reachable = true;
  report.cgroups_readable = true;
  report.docker_socket = "/run/docker.sock";
  report.daemon = builtin_daemon();
  report.containers.push_back(
      audit_of(inspect_fixture("inspect_default.json"), kernel_with({{2, 1}}), builtin_daemon()));
  report.containers.push_back(audit_of(inspect_fixture("inspect_unconfined.json"),
                                       kernel_with({{0, 0}}), builtin_daemon()));
  auto ref = container::container_from_cgroup_path("/docker/" + std::string(64, 'b'));
  REQUIRE(ref);
  report.containers.push_back(judge_cgroup_only(*ref, kernel_with({{0, 0}}), true));

  std::string table = render_table(report);
  std::istringstream lines(table);
  std::string header, row;
  std::getline(lines, header);
  CHECK(header.rfind("CONTAINER ID   NAME", 0) == 0);
  size_t verdict_col = header.find("VERDICT");
  REQUIRE(verdict_col != std::string::npos);
  int rows = 0;
  while (std::getline(lines, row)) {
    if (row.empty() || row.rfind("    ", 0) == 0) continue;
    if (row.find("containers:") != std::string::npos) break;
    ++rows;
    CHECK((row.substr(verdict_col) == "PASS" || row.substr(verdict_col) == "FAIL"));
  }
  CHECK(rows == 3);
  CHECK(table.find("unconfined (seccomp=unconfined)") != std::string::npos);
  CHECK(table.find("    FAIL: seccomp disabled by --security-opt seccomp=unconfined "
                   "[CIS-5.21 CIS-5.22 DKER-EE-002070]") != std::string::npos);
  CHECK(table.find("unknown (docker cgroup)") != std::string::npos);
  CHECK(table.find("3 containers: 1 PASS, 2 FAIL") != std::string::npos);

  auto doc = nlohmann::json::parse(render_json(report));
  REQUIRE(doc["containers"].size() == 3);
  CHECK(doc["summary"] == nlohmann::json{{"containers", 3}, {"pass", 1}, {"fail", 2}});
  CHECK(doc["containers"][0]["verdict"] == "PASS");
  CHECK(doc["containers"][0]["config"]["seccomp"] == "default");
  CHECK(doc["containers"][1]["verdict"] == "FAIL");
  CHECK(doc["containers"][1]["findings"][0]["controls"][2] == "DKER-EE-002070");
  CHECK(doc["containers"][1]["kernel"]["processes"][0]["seccomp"] == 0);
  CHECK(doc["containers"][2]["config"].is_null());
  CHECK(doc["containers"][2]["known_to_api"] == false);
  CHECK(doc["docker"]["default_seccomp"] == "builtin");
}
