// SPDX-License-Identifier: Apache-2.0
// record --args on a real process: the profile it writes lets the same workload run again
// under `syscope exec` (the kernel enforcing it), and refuses with EPERM what a names-only
// profile of the same run would let through: other socket families, a user namespace, another
// personality, an ioctl request the workload never made. It is record's default: --no-args and
// the hash store (with one note) make names-only profiles.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "helpers.hpp"

using namespace syscope::test;

namespace {

RunResult exec_under(const std::string &profile, const std::vector<std::string> &cmd) {
  std::vector<std::string> argv{syscope_bin(), "exec", "--profile", profile, "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return run(argv);
}

}  // namespace

TEST_CASE("record --args: the workload replays and what it never did is refused",
          "[record][args]") {
  TempDir dir;
  auto profile = dir.path() / "args.json";
  auto workload = test_prog("arg_workload");
  auto rec =
      run({syscope_bin(), "record", "--args", "-o", profile.string(), "--", workload, "work"});
  INFO(rec.err);
  REQUIRE(rec.status == 0);
  CHECK(rec.out == "work=OK\n");
  CHECK(rec.err.find("socket: allowed only for family/type AF_UNIX/SOCK_STREAM, "
                     "AF_INET/SOCK_DGRAM") != std::string::npos);
  CHECK(rec.err.find("ioctl: allowed only for request") != std::string::npos);

  auto doc = nlohmann::json::parse(read_file(profile));
  auto loose = dir.path() / "names-only.json";
  {
    std::ofstream out(loose);
    out << names_only_profile(doc.dump());
  }
  for (int i = 0; i < 5; ++i) {
    auto again = exec_under(profile.string(), {workload, "work"});
    INFO(again.err);
    REQUIRE(again.status == 0);
    CHECK(again.out == "work=OK\n");
  }
  for (const char *probe : {"af_packet", "af_vsock", "af_inet6", "newuser", "per_bsd", "ioctl"}) {
    INFO(probe);
    auto tight = exec_under(profile.string(), {workload, "probe", probe});
    CHECK(tight.out == std::string(probe) + "=ERR EPERM\n");
    // Root on the host: the names-only profile lets each call reach the kernel, which allows
    // it (or lacks the family: never EPERM from the filter).
    auto names = exec_under(loose.string(), {workload, "probe", probe});
    CHECK(names.out.find("EPERM") == std::string::npos);
  }
}

namespace {

bool has_argument_rules(const std::filesystem::path &profile) {
  auto doc = nlohmann::json::parse(read_file(profile));  // kept: the loop walks into it
  for (const auto &rule : doc["syscalls"])
    if (rule.contains("args")) return true;
  return false;
}

size_t count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("record keeps arguments by default and --no-args or the hash store turns that off",
          "[record][args]") {
  TempDir dir;
  auto workload = test_prog("arg_workload");
  auto record = [&](const std::string &name, std::vector<std::string> flags) {
    std::vector<std::string> argv{syscope_bin(), "record", "-o", (dir.path() / name).string()};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"--", workload, "work"});
    return run(argv);
  };
  const std::string note = "recording syscall names only, without argument rules";

  auto by_default = record("default.json", {});
  INFO(by_default.err);
  REQUIRE(by_default.status == 0);
  CHECK(by_default.err.find("socket: allowed only for family/type") != std::string::npos);
  CHECK(by_default.err.find(note) == std::string::npos);
  CHECK(has_argument_rules(dir.path() / "default.json"));

  auto names_only = record("names.json", {"--no-args"});
  INFO(names_only.err);
  REQUIRE(names_only.status == 0);
  CHECK(names_only.err.find("allowed only for") == std::string::npos);
  CHECK(names_only.err.find(note) == std::string::npos);  // asked for: no note
  CHECK_FALSE(has_argument_rules(dir.path() / "names.json"));
  // The same calls by name: only the argument rules differ.
  CHECK(allowed_names(dir.path() / "names.json") == allowed_names(dir.path() / "default.json"));

  // The hash store keeps no arguments: the default falls back to names only, said once...
  auto hash = record("hash.json", {"--bitmap-store", "hash"});
  INFO(hash.err);
  REQUIRE(hash.status == 0);
  CHECK(hash.out == "work=OK\n");
  CHECK(count(hash.err, note) == 1);
  CHECK(hash.err.find("--bitmap-store hash") != std::string::npos);
  CHECK_FALSE(has_argument_rules(dir.path() / "hash.json"));

  // ...while an explicit --args insists, and fails before CMD runs.
  auto insisted = record("insisted.json", {"--args", "--bitmap-store", "hash"});
  CHECK(insisted.status == 3);
  CHECK(insisted.out.empty());
  CHECK(insisted.err.find("recording arguments needs cgroup storage") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "insisted.json"));

  auto both = record("both.json", {"--args", "--no-args"});
  CHECK(both.status == 2);
  CHECK(both.out.empty());
}
