// SPDX-License-Identifier: Apache-2.0
// profile explain on the clean fixture and on Docker's default itself: counts against the
// default, reasons, argument conditions in words, architectures.
#include <catch2/catch.hpp>

#include <seccomp.h>

#include <algorithm>
#include <string>

#include "syscope/seccomp/profile_explain.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using syscope::seccomp::explain_profile;
using syscope::seccomp::Explanation;
using syscope::seccomp::load_docker_profile;

namespace {

bool x86_64() { return syscope::seccomp::native_scmp_arch() == SCMP_ARCH_X86_64; }

const Explanation::ArgumentAllow *argument_allow(const Explanation &e, const std::string &name) {
  auto it = std::find_if(e.argument_allows.begin(), e.argument_allows.end(),
                         [&](const auto &a) { return a.name == name; });
  return it == e.argument_allows.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("explain: counts, calls beyond the default and argument values", "[profile_explain]") {
  auto p = load_docker_profile(std::string(SYSCOPE_FIXTURES) + "/profiles/check/clean.json");
  auto e = explain_profile(p);
  INFO(syscope::seccomp::explanation_text("clean.json", e));
  CHECK(e.allowed == 11);
  CHECK(e.allowed_outright == 8);
  CHECK(e.allowed_by_argument == 3);
  CHECK(e.default_action == "SCMP_ACT_ERRNO");
  REQUIRE(e.beyond_default.size() == 1);
  CHECK(e.beyond_default[0].name == "unshare");
  CHECK(e.beyond_default[0].reason.find("namespaces") != std::string::npos);
  CHECK(e.shared == 10);

  const auto *socket = argument_allow(e, "socket");
  REQUIRE(socket);
  REQUIRE(socket->conditions.size() == 1);
  CHECK(socket->conditions[0] == "arg0 (family) == AF_UNIX (1)");
  CHECK(socket->docker_allows_outright);
  const auto *clone = argument_allow(e, "clone");
  REQUIRE(clone);
  CHECK(clone->conditions[0] == "arg0 (flags) & 0x7e020000 == 0");
  if (x86_64()) {
    CHECK_FALSE(clone->docker_allows_outright);
    CHECK(clone->docker_default == std::vector<std::string>{"arg0 (flags) & 0x7e020000 == 0"});
  }
  const auto *personality = argument_allow(e, "personality");
  REQUIRE(personality);
  CHECK(personality->conditions[0] == "arg0 (persona) == PER_LINUX (0)");
  CHECK(personality->docker_default.size() == 5);

  REQUIRE(e.architectures.size() == 2);
  CHECK(e.architectures[0].architecture == "SCMP_ARCH_X86_64");
  auto text = syscope::seccomp::explanation_text("clean.json", e);
  CHECK(text.find("  socket: arg0 (family) == AF_UNIX (1)\n    Docker's default: any "
                  "arguments\n") != std::string::npos);
  auto doc = syscope::seccomp::explanation_json("clean.json", e);
  CHECK(doc["allowed"] == 11);
  CHECK(doc["beyond_docker_default"][0]["name"] == "unshare");
}

TEST_CASE("explain: Docker's default against itself allows nothing beyond it",
          "[profile_explain]") {
  auto p = load_docker_profile(std::string(SYSCOPE_PROFILES) + "/docker-default-20.10.24.json");
  auto e = explain_profile(p);
  INFO(syscope::seccomp::explanation_text("docker-default", e));
  // Both judged for a container with Docker's default capabilities: the same set.
  CHECK(e.beyond_default.empty());
  CHECK(e.allowed == e.default_allowed);
  CHECK(e.shared == e.default_allowed);
  // clone is allowed only without namespace flags, personality for five personas.
  const auto *clone = argument_allow(e, "clone");
  REQUIRE(clone);
  CHECK(clone->conditions == clone->docker_default);
  REQUIRE(e.architectures.size() == 7);
  CHECK(e.architectures[0].sub_architectures ==
        std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X32"});
}
