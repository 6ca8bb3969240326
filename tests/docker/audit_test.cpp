// SPDX-License-Identifier: Apache-2.0
// `syscope audit` against the private dockerd: containers started with the default profile,
// both spellings of seccomp unconfined, --privileged, a deny-by-default and an allow-all custom
// profile get exactly the expected verdicts in the table and in JSON. Other containers may be
// listed too (other daemons' cgroups on this host), so rows are checked by name or id.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker_helpers.hpp"
#include "helpers.hpp"
#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::data {
extern const char *const kDockerDefaultJson;  // profiles/docker-default-20.10.24.json
}

using namespace syscope::test;
using nlohmann::json;

namespace {

RunResult audit(std::vector<std::string> args) {
  std::vector<std::string> argv{syscope_bin(), "audit", "--docker-socket", docker_socket_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

json audit_json(std::vector<std::string> args, int *status = nullptr) {
  args.push_back("--json");
  RunResult r = audit(args);
  INFO(r.err);
  REQUIRE((r.status == 0 || r.status == 1));
  if (status) *status = r.status;
  return json::parse(r.out);
}

// The JSON row of a container by name; null when absent.
json row_named(const json &doc, const std::string &name) {
  for (const auto &c : doc["containers"])
    if (c["name"] == name) return c;
  return nullptr;
}

// The table line of a container (by its name column), "" when absent.
std::string table_line(const std::string &table, const std::string &name) {
  std::istringstream lines(table);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream cells(line);
    std::string id, n;
    cells >> id >> n;
    if (n == name) return line;
  }
  return "";
}

std::string verdict_in_table(const std::string &table, const std::string &name) {
  std::string line = table_line(table, name);
  size_t col = table.substr(0, table.find('\n')).find("VERDICT");
  return line.size() > col ? line.substr(col) : "";
}

void run_detached(const std::vector<std::string> &options, const std::string &name) {
  RunResult r = docker_run_sleeping(name, options);
  INFO(r.err);
  REQUIRE(r.status == 0);
}

// Docker's default profile with one more denial: a custom deny-by-default profile busybox's
// sleep runs under.
std::string write_deny_by_default_profile(const TempDir &dir) {
  json profile = json::parse(syscope::data::kDockerDefaultJson);
  REQUIRE(profile["defaultAction"] == "SCMP_ACT_ERRNO");
  profile["syscalls"].push_back({{"names", {"acct"}}, {"action", "SCMP_ACT_ERRNO"}});
  std::string path = (dir / "deny-by-default.json").string();
  std::ofstream(path) << profile.dump();
  return path;
}

std::string write_allow_all_profile(const TempDir &dir) {
  std::string path = (dir / "allow-all.json").string();
  std::ofstream(path) << R"({"defaultAction":"SCMP_ACT_ALLOW"})";
  return path;
}

bool running(const std::string &name) {
  return docker_inspect(name, "{{.State.Running}}") == "true";
}

}  // namespace

TEST_CASE("audit: the verdict for each way a container's seccomp is set", "[docker][audit]") {
  TempDir dir;
  ContainerGuard def(container_name("audit-default")), eq(container_name("audit-unconf-eq")),
      colon(container_name("audit-unconf-colon")), priv(container_name("audit-privileged")),
      custom(container_name("audit-custom")), allow(container_name("audit-allow-all"));
  run_detached({}, def.name());
  run_detached({"--security-opt", "seccomp=unconfined"}, eq.name());
  run_detached({"--security-opt", "seccomp:unconfined"}, colon.name());
  run_detached({"--security-opt", "seccomp=" + write_deny_by_default_profile(dir)}, custom.name());
  run_detached({"--security-opt", "seccomp=" + write_allow_all_profile(dir)}, allow.name());
  // Where the host withholds a capability (a container runtime inside a container), runc cannot
  // start a privileged container: it stays "created", which only --all lists.
  docker_run({"-d", "--name", priv.name(), "--privileged", kBusyboxImage, "sleep", "300"});
  bool priv_runs = running(priv.name());
  if (!priv_runs) WARN("--privileged containers cannot start here: checked with --all");

  const std::map<std::string, std::string> expected = {
      {def.name(), "PASS"},    {eq.name(), "FAIL"},    {colon.name(), "FAIL"},
      {custom.name(), "PASS"}, {allow.name(), "FAIL"}, {priv.name(), "FAIL"}};

  for (bool all : {false, true}) {
    {
      INFO((all ? "--all" : "running only"));
      std::vector<std::string> args;
      if (all) args.push_back("--all");
      RunResult text = audit(args);
      INFO(text.out << text.err);
      CHECK(text.status == 1);
      int status = -1;
      json doc = audit_json(args, &status);
      CHECK(status == 1);
      CHECK(doc["summary"]["fail"].get<int>() >= 3);
      for (const auto &[name, verdict] : expected) {
        INFO(name);
        json row = row_named(doc, name);
        if (name == priv.name() && !priv_runs && !all) {
          CHECK(row.is_null());
          CHECK(table_line(text.out, name).empty());
          continue;
        }
        REQUIRE(row.is_object());
        CHECK(row["verdict"] == verdict);
        CHECK(verdict_in_table(text.out, name) == verdict);
        CHECK(row["known_to_api"] == true);
        CHECK(row["image"] == kBusyboxImage);
        if (verdict == "FAIL")
          CHECK(row["findings"][0]["controls"] == json({"CIS-5.21", "CIS-5.22", "DKER-EE-002070"}));
        else
          CHECK(row["findings"].empty());
      }

      json d = row_named(doc, def.name()), e = row_named(doc, eq.name()),
           c = row_named(doc, colon.name()), cu = row_named(doc, custom.name()),
           a = row_named(doc, allow.name()), p = row_named(doc, priv.name());
      CHECK(d["config"]["seccomp"] == "default");
      CHECK(d["config"]["source"] == "daemon default");
      CHECK(e["config"]["seccomp"] == "unconfined");
      CHECK(e["config"]["source"] == "seccomp=unconfined");
      CHECK(c["config"]["source"] == "seccomp:unconfined");
      CHECK(e["findings"][0]["reason"] == "seccomp disabled by --security-opt seccomp=unconfined");
      CHECK(c["findings"][0]["reason"] == "seccomp disabled by --security-opt seccomp:unconfined");
      CHECK(cu["config"]["seccomp"] == "custom");
      CHECK(cu["config"]["default_action"] == "SCMP_ACT_ERRNO");
      CHECK(a["config"]["seccomp"] == "custom");
      CHECK(a["config"]["effectively_unconfined"] == true);
      CHECK(a["findings"][0]["reason"].get<std::string>().rfind("effectively unconfined", 0) == 0);
      if (!p.is_null()) {
        CHECK(p["config"]["seccomp"] == "unconfined");
        CHECK(p["config"]["privileged"] == true);
      }

      // The kernel's view: one sleep per container, filtered exactly where a profile applies
      // (the allow-all profile too: it is a filter, only a useless one).
      for (const auto &[row, mode] :
           std::vector<std::pair<json, int>>{{d, 2}, {e, 0}, {c, 0}, {cu, 2}, {a, 2}}) {
        INFO(row.dump());
        REQUIRE(row["kernel"]["available"] == true);
        REQUIRE(row["kernel"]["processes"].size() == 1);
        CHECK(row["kernel"]["processes"][0]["comm"] == "sleep");
        CHECK(row["kernel"]["processes"][0]["seccomp"] == mode);
        if (mode == 2) CHECK(row["kernel"]["processes"][0]["filters"].get<int>() >= 1);
      }
      CHECK(table_line(text.out, eq.name()).find("unfiltered 1/1") != std::string::npos);
      CHECK(table_line(text.out, def.name()).find("filtered 1/1") != std::string::npos);
    }
  }

  {  // Without the Docker API: a warning, and the kernel view alone still fails.
    RunResult r =
        run({syscope_bin(), "audit", "--json", "--docker-socket", (dir / "no-such.sock").string()});
    CHECK(r.status == 1);
    CHECK(r.err.find("warning: Docker not reachable") != std::string::npos);
    json doc = json::parse(r.out);
    std::string id = docker_inspect(eq.name(), "{{.Id}}");
    bool found = false;
    for (const auto &c : doc["containers"])
      if (c["id"] == id) {
        found = true;
        CHECK(c["known_to_api"] == false);
        CHECK(c["verdict"] == "FAIL");
      }
    CHECK(found);
  }
}

TEST_CASE("audit: only the default and a deny-by-default profile: exit 0", "[docker][audit]") {
  TempDir dir;
  ContainerGuard def(container_name("audit-ok-default")), custom(container_name("audit-ok-custom"));
  run_detached({}, def.name());
  run_detached({"--security-opt", "seccomp=" + write_deny_by_default_profile(dir)}, custom.name());
  int status = -1;
  json doc = audit_json({}, &status);
  CHECK(row_named(doc, def.name())["verdict"] == "PASS");
  CHECK(row_named(doc, custom.name())["verdict"] == "PASS");
  // Everything this daemon runs passes. Another daemon's containers on this host (seen only in
  // the cgroups) are not ours to remove: if one of them fails, the exit status must say so.
  size_t foreign_failures = 0;
  for (const auto &c : doc["containers"]) {
    INFO(c.dump());
    if (c["known_to_api"] == true)
      CHECK(c["verdict"] == "PASS");
    else if (c["verdict"] == "FAIL")
      ++foreign_failures;
  }
  if (foreign_failures) {
    WARN(foreign_failures << " failing container(s) of another runtime on this host: exit 1");
    CHECK(status == 1);
  } else {
    CHECK(status == 0);
    RunResult text = audit({});
    CHECK(text.status == 0);
    CHECK(text.out.find(" 0 FAIL\n") != std::string::npos);
  }
}

TEST_CASE("audit: a process without seccomp in a default container: config and kernel disagree",
          "[docker][audit]") {
  ContainerGuard def(container_name("audit-disagree"));
  run_detached({}, def.name());
  pid_t init = std::stoi(docker_inspect(def.name(), "{{.State.Pid}}"));
  auto cgroup = syscope::cgroup::cgroup_path_of_pid(init);
  REQUIRE(cgroup);

  // A host process without a filter moved into the container's cgroup, as a process entering
  // the container from outside (nsenter, a runtime bug) would be.
  pid_t intruder = fork();
  REQUIRE(intruder >= 0);
  if (intruder == 0) {
    execl("/bin/sleep", "sleep", "300", (char *)nullptr);
    _exit(127);
  }
  std::shared_ptr<void> reap(nullptr, [intruder](void *) {
    kill(intruder, SIGKILL);
    waitpid(intruder, nullptr, 0);
  });
  {
    std::ofstream procs(std::filesystem::path(syscope::cgroup::cgroup2_mount()) /
                        cgroup->substr(1) / "cgroup.procs");
    procs << intruder << std::flush;
    REQUIRE(procs.good());
  }

  int status = -1;
  json doc = audit_json({}, &status);
  CHECK(status == 1);
  json row = row_named(doc, def.name());
  INFO(row.dump());
  REQUIRE(row.is_object());
  CHECK(row["verdict"] == "FAIL");
  CHECK(row["config"]["seccomp"] == "default");
  CHECK(row["kernel"]["processes"].size() == 2);
  REQUIRE(row["findings"].size() == 1);
  std::string reason = row["findings"][0]["reason"];
  CHECK(reason.rfind("config and kernel disagree: the config claims a default profile but 1 of 2 "
                     "processes run without seccomp (Seccomp: 0): " +
                         std::to_string(intruder) + " (sleep)",
                     0) == 0);
}
