// SPDX-License-Identifier: Apache-2.0
// watch --suggest: the smallest rule that allows exactly the refused call, with warnings.
#include <catch2/catch.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/personality.h>

#include <cerrno>

#include "syscope/seccomp/profile_json.hpp"
#include "syscope/watch/watch_report.hpp"

using namespace syscope::watch;

namespace {

Denial denial(int nr, uint64_t arg0, uint32_t err = EPERM) {
  Denial d;
  d.wall_time_ns = 1714565071ULL * 1'000'000'000;
  d.cgroup_id = 7;
  d.pid = d.tid = 4121;
  d.comm = "app";
  d.nr = nr;
  d.err = err;
  d.args = {arg0, 0, 0, 0, 0, 0};
  d.container = ContainerLabel{"docker", "3f2a9c1b0e7d5a8c", "web", "nginx:1.25"};
  return d;
}

constexpr const char *kOnlyIfNeeded =
    ". Add the rule to this container's profile only, and only if it cannot work without the call";

}  // namespace

TEST_CASE("suggest for unshare: the name alone, with a warning", "[watch]") {
  auto s = suggest_fix(denial(272, CLONE_NEWUSER));
  REQUIRE(s);
  CHECK(rule_to_json(s->rule) == R"({"names":["unshare"],"action":"SCMP_ACT_ALLOW"})");
  CHECK(format_text(*s) ==
        "suggest for web (3f2a9c1b0e7d, nginx:1.25): to allow unshare(CLONE_NEWUSER), add this "
        "rule to the profile's \"syscalls\":\n"
        "  {\"names\":[\"unshare\"],\"action\":\"SCMP_ACT_ALLOW\"}\n"
        "  warning: Docker's default refuses unshare: creates or joins namespaces, the first step "
        "of many container escapes (Docker allows it only with CAP_SYS_ADMIN)" +
            std::string(kOnlyIfNeeded) + "\n");
}

TEST_CASE("suggest for clone with CLONE_NEWUSER: the observed flags, SCMP_CMP_EQ", "[watch]") {
  auto s = suggest_fix(denial(56, CLONE_NEWUSER | SIGCHLD));
  REQUIRE(s);
  CHECK(rule_to_json(s->rule) ==
        R"({"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":268435473,)"
        R"("valueTwo":0,"op":"SCMP_CMP_EQ"}]})");
  REQUIRE(s->warnings.size() == 1);
  CHECK(s->warnings[0] ==
        "Docker's default allows clone only when arg0 has none of CLONE_NEWNS|CLONE_NEWCGROUP|"
        "CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET" +
            std::string(kOnlyIfNeeded));
  // The rule is a valid Docker rule: it reads back through the profile parser.
  auto profile = syscope::seccomp::parse_docker_profile(
      R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[)" + rule_to_json(s->rule) + "]}", "test");
  REQUIRE(profile.syscalls.size() == 1);
  CHECK(profile.syscalls[0] == s->rule);
}

TEST_CASE("suggest for personality: the observed value", "[watch]") {
  auto s = suggest_fix(denial(135, ADDR_NO_RANDOMIZE));
  REQUIRE(s);
  CHECK(rule_to_json(s->rule) ==
        R"({"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,)"
        R"("value":262144,"valueTwo":0,"op":"SCMP_CMP_EQ"}]})");
  REQUIRE(s->warnings.size() == 1);
  CHECK(s->warnings[0].rfind("Docker's default refuses personality(PER_LINUX|ADDR_NO_RANDOMIZE): "
                             "obsolete interface",
                             0) == 0);
}

TEST_CASE("suggest for a call newer than the profile: libc falls back", "[watch]") {
  auto s = suggest_fix(denial(452, 0, ENOSYS));  // fchmodat2
  REQUIRE(s);
  CHECK(rule_to_json(s->rule) == R"({"names":["fchmodat2"],"action":"SCMP_ACT_ALLOW"})");
  CHECK(s->warnings.empty());
  REQUIRE(s->notes.size() == 2);
  CHECK(s->notes[0].rfind("Docker's default refuses fchmodat2: newer than", 0) == 0);
  CHECK(s->notes[1].find("libc usually falls back to an older call") != std::string::npos);
}

TEST_CASE("suggest for a call Docker allows, a traced one, a compat one", "[watch]") {
  Denial d = denial(161, 0x1000);  // chroot
  d.traced = true;
  auto s = suggest_fix(d);
  REQUIRE(s);
  CHECK(s->warnings.empty());
  REQUIRE(s->notes.size() == 2);
  CHECK(s->notes[0] == "Docker's default allows chroot; the container's own profile refuses it");
  CHECK(s->notes[1].rfind("a ptrace tracer was attached", 0) == 0);

  d = denial(310, CLONE_NEWNET);  // unshare on i386
  d.arch = SYSCOPE_ARCH_COMPAT;
  s = suggest_fix(d);
  REQUIRE(s);
  CHECK(rule_to_json(s->rule) == R"({"names":["unshare"],"action":"SCMP_ACT_ALLOW"})");
  CHECK(s->notes.back().find("SCMP_ARCH_X86") != std::string::npos);

  CHECK_FALSE(suggest_fix(denial(-1, 0)));
  CHECK_FALSE(suggest_fix(denial(9999, 0)));
}

TEST_CASE("suggestions never say to run unconfined", "[watch]") {
  for (int nr : {56, 101, 135, 155, 161, 165, 272, 308, 321, 435})
    for (uint32_t err : {EPERM, ENOSYS}) {
      auto s = suggest_fix(denial(nr, CLONE_NEWUSER, err));
      REQUIRE(s);
      CHECK(format_text(*s).find("unconfined") == std::string::npos);
      CHECK(format_json(*s).find("unconfined") == std::string::npos);
    }
}

TEST_CASE("each distinct (container, syscall, condition) is suggested once", "[watch]") {
  SuggestOnce once;
  CHECK(once(denial(272, CLONE_NEWUSER)));
  CHECK_FALSE(once(denial(272, CLONE_NEWNET)));  // same rule: unshare is allowed by name
  CHECK(once(denial(56, CLONE_NEWUSER | SIGCHLD)));
  CHECK_FALSE(once(denial(56, CLONE_NEWUSER | SIGCHLD)));
  CHECK(once(denial(56, CLONE_NEWNET | SIGCHLD)));  // another value, another rule
  Denial other = denial(272, CLONE_NEWUSER);
  other.container->id = "99aa";
  CHECK(once(other));  // another container
  other.container.reset();
  CHECK(once(other));  // a host process

  auto s = suggest_fix(denial(272, CLONE_NEWUSER));
  auto j = nlohmann::json::parse(format_json(*s));
  CHECK(j["type"] == "suggestion");
  CHECK(j["container"]["name"] == "web");
  CHECK(j["call"] == "unshare(CLONE_NEWUSER)");
  CHECK(j["rule"] == nlohmann::json::parse(R"({"names":["unshare"],"action":"SCMP_ACT_ALLOW"})"));
  CHECK(j["warnings"].size() == 1);
}
