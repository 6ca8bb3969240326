// SPDX-License-Identifier: Apache-2.0
// record --args on a real process: the profile it writes lets the same workload run again
// under `syscope exec` (the kernel enforcing it), and refuses with EPERM what a names-only
// profile of the same run would let through: other socket families, a user namespace, another
// personality, an ioctl request the workload never made.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>

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
