// SPDX-License-Identifier: Apache-2.0
// profile diff: names per action, argument rules per call, default action and architectures;
// equal after normalisation whatever the rule order.
#include <catch2/catch.hpp>

#include "syscope/seccomp/profile_diff.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_merge.hpp"

using namespace syscope::seccomp;

namespace {

Profile fixture(const std::string &name) {
  return load_docker_profile(std::string(SYSCOPE_FIXTURES) + "/profiles/merge/" + name);
}

}  // namespace

TEST_CASE("diff: what B adds and removes against A, in words", "[diff]") {
  auto d = diff_profiles(fixture("node1.json"), fixture("node2.json"));
  CHECK_FALSE(d.equal());
  CHECK_FALSE(d.default_action.changed());
  CHECK(d.architectures_added == std::vector<std::string>{"SCMP_ARCH_X86"});
  CHECK(diff_text("node1.json", "node2.json", d) ==
        "--- node1.json\n"
        "+++ node2.json\n"
        "architectures:\n"
        "  + SCMP_ARCH_X86\n"
        "SCMP_ACT_ALLOW for any arguments: 2 added, 2 removed\n"
        "  + epoll_wait, mkdir\n"
        "  - close, openat\n"
        "SCMP_ACT_ERRNO(EACCES) for any arguments: 0 added, 1 removed\n"
        "  - mkdir\n"
        "argument rules:\n"
        "  + socket: SCMP_ACT_ALLOW if arg0 (family) == AF_INET (2)\n");
  auto j = diff_json("a", "b", d);
  CHECK(j["equal"] == false);
  CHECK(j["argument_rules"][0]["name"] == "socket");
  CHECK(j["names"][0]["action"] == "SCMP_ACT_ALLOW");
}

TEST_CASE("diff: equal profiles, rule order and splitting aside; default action changes",
          "[diff]") {
  auto docker =
      load_docker_profile(std::string(SYSCOPE_PROFILES) + "/docker-default-20.10.24.json");
  CHECK(diff_profiles(docker, normalize_profile(docker)).equal());
  auto a = fixture("node1.json");
  auto shuffled = a;
  std::reverse(shuffled.syscalls.begin(), shuffled.syscalls.end());
  std::reverse(shuffled.syscalls.back().names.begin(), shuffled.syscalls.back().names.end());
  CHECK(diff_profiles(a, shuffled).equal());
  CHECK(diff_text("a", "b", diff_profiles(a, shuffled)) == "profiles are equal: a, b\n");
  auto kill = fixture("kill-default.json");
  auto d = diff_profiles(a, kill);
  CHECK(d.default_action.from == "SCMP_ACT_ERRNO");
  CHECK(d.default_action.to == "SCMP_ACT_KILL_PROCESS");
  // Docker's default against a recorded profile: the argument rules it has (personality) go.
  auto vs = diff_profiles(docker, a);
  bool personality = false;
  for (const auto &r : vs.argument_rules)
    personality |= r.name == "personality" && !r.removed.empty();
  CHECK(personality);
}
