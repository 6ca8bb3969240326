// SPDX-License-Identifier: Apache-2.0
// `syscope profile verify` on real containers of the private dockerd: the filters runc really
// installed, read with ptrace, against the profile each container was given (a custom profile
// file, Docker's default, none), and against a profile it was not given, whose difference is
// named.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker_helpers.hpp"
#include "helpers.hpp"

namespace syscope::data {
extern const char *const kDockerDefaultJson;  // profiles/docker-default-20.10.24.json
}

using namespace syscope::test;
using nlohmann::json;

namespace {

RunResult verify(const std::string &container, std::vector<std::string> args = {}) {
  std::vector<std::string> argv{syscope_bin(), "profile",         "verify",
                                container,     "--docker-socket", docker_socket_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

void run_sleeping(const std::string &name, const std::vector<std::string> &options) {
  RunResult r = docker_run_sleeping(name, options);
  INFO(r.err);
  REQUIRE(r.status == 0);
}

// Docker's 20.10.24 default without getpriority (busybox's sleep never calls it): refused.
std::string write_custom_profile(const TempDir &dir) {
  json profile = json::parse(syscope::data::kDockerDefaultJson);
  for (auto &rule : profile["syscalls"]) {
    auto &names = rule["names"];
    for (auto it = names.begin(); it != names.end();)
      it = *it == "getpriority" ? names.erase(it) : it + 1;
  }
  std::string path = (dir / "no-getpriority.json").string();
  std::ofstream(path) << profile.dump();
  return path;
}

std::string write_default_profile(const TempDir &dir) {
  std::string path = (dir / "docker-default.json").string();
  std::ofstream(path) << syscope::data::kDockerDefaultJson;
  return path;
}

}  // namespace

TEST_CASE("profile verify: a custom profile matches itself and the difference to another is named",
          "[docker][profile_verify]") {
  TempDir dir;
  ContainerGuard c(container_name("verify-custom"));
  const std::string custom = write_custom_profile(dir);
  run_sleeping(c.name(), {"--security-opt", "seccomp=" + custom});

  RunResult inline_profile = verify(c.name());  // the profile Docker says it was given
  INFO(inline_profile.out << inline_profile.err);
  CHECK(inline_profile.status == 0);
  CHECK(inline_profile.out.find("expected: the inline profile") != std::string::npos);
  CHECK(inline_profile.out.find("matches: ") != std::string::npos);
  CHECK(inline_profile.out.find("installed 1 filter") != std::string::npos);

  RunResult same = verify(c.name(), {"--profile", custom});
  INFO(same.out << same.err);
  CHECK(same.status == 0);
  CHECK(same.out.find("expected: " + custom) != std::string::npos);
  CHECK(same.out.find("matches: ") != std::string::npos);

  RunResult other = verify(c.name(), {"--profile", write_default_profile(dir)});
  INFO(other.out << other.err);
  CHECK(other.status == 1);
  CHECK(other.out.find("in 3 syscalls:") != std::string::npos);  // one per ABI
  for (const char *abi : {"x86_64", "x32", "i386"})
    CHECK(other.out.find(std::string("getpriority (") + abi +
                         "): installed ERRNO(EPERM), expected ALLOW, for every argument value "
                         "tried") != std::string::npos);

  RunResult as_json = verify(c.name(), {"--profile", write_default_profile(dir), "--json"});
  INFO(as_json.out << as_json.err);
  CHECK(as_json.status == 1);
  json doc = json::parse(as_json.out);
  CHECK(doc["matches"] == false);
  CHECK(doc["installed"].size() == 1);
  REQUIRE(doc["syscalls"].size() >= 1);
  CHECK(doc["syscalls"][0]["syscall"] == "getpriority");
  CHECK(doc["syscalls"][0]["first"][0]["installed"] == "ERRNO(EPERM)");
}

TEST_CASE("profile verify: a container under Docker's default profile",
          "[docker][profile_verify]") {
  ContainerGuard c(container_name("verify-default"));
  run_sleeping(c.name(), {});
  // The private dockerd is Debian's 20.10.24, whose built-in default is syscope's copy: what runc
  // installed answers every call as syscope's compilation of it (runc's stub included).
  RunResult r = verify(c.name());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("installed 1 filter") != std::string::npos);
  CHECK(r.out.find("expected: Docker's default profile (built-in 20.10.24)") != std::string::npos);
  CHECK(r.out.find("matches: ") != std::string::npos);
  RunResult json_run = verify(c.name(), {"--json"});
  INFO(json_run.out << json_run.err);
  json doc = json::parse(json_run.out);
  CHECK(doc["matches"] == true);
  CHECK(doc["differing"] == 0);
  CHECK(doc["calls"].get<size_t>() > 50000);
}

TEST_CASE("profile verify: capabilities count as Docker counts them, even for a non-root user",
          "[docker][profile_verify]") {
  // CAP_SYS_ADMIN brings mount, unshare, setns, clone's namespace flags... into the default's
  // filter; as user 1000 the task's effective set is empty, its bounding set is what Docker used.
  ContainerGuard c(container_name("verify-sysadmin"));
  run_sleeping(c.name(), {"--cap-add", "SYS_ADMIN", "--user", "1000"});
  RunResult r = verify(c.name());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("matches: ") != std::string::npos);
}

TEST_CASE("profile verify: an unconfined container has no filter and says so",
          "[docker][profile_verify]") {
  ContainerGuard c(container_name("verify-unconfined"));
  run_sleeping(c.name(), {"--security-opt", "seccomp=unconfined"});
  RunResult r = verify(c.name());
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("installed no filter\nexpected: no filter (seccomp=unconfined)\nmatches: ") !=
        std::string::npos);
  TempDir dir;
  RunResult against = verify(c.name(), {"--profile", write_default_profile(dir), "--json"});
  INFO(against.out << against.err);
  CHECK(against.status == 1);
  json doc = json::parse(against.out);
  CHECK(doc["installed"].empty());
  bool mount_named = false;
  for (const auto &s : doc["syscalls"])
    if (s["syscall"] == "mount" && s["abi"] == "x86_64")
      mount_named = s["first"][0]["installed"] == "ALLOW" &&
                    s["first"][0]["expected"] == "ERRNO(EPERM)" && s["differing"] == s["tried"];
  CHECK(mount_named);
}

TEST_CASE("profile verify: no such container and a bad profile", "[docker][profile_verify]") {
  RunResult missing = verify("syscope-no-such-container");
  CHECK(missing.status == 3);
  CHECK(missing.err.find("no such container") != std::string::npos);
  TempDir dir;
  std::string bad = (dir / "bad.json").string();
  std::ofstream(bad) << "{\"defaultAction\": 7}";
  RunResult malformed = verify("syscope-no-such-container", {"--profile", bad});
  CHECK(malformed.status == 2);  // the profile is read first
}
