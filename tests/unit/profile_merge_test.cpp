// SPDX-License-Identifier: Apache-2.0
// profile merge on fixture profiles and Docker's default: union of names and argument rules,
// idempotent, independent of order, coverage per instance, refusals where a union cannot choose.
#include <catch2/catch.hpp>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_coverage.hpp"
#include "syscope/seccomp/profile_document.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_merge.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

using namespace syscope::seccomp;
using Catch::Matchers::Contains;

namespace {

std::string fixture(const std::string &name) {
  return std::string(SYSCOPE_FIXTURES) + "/profiles/merge/" + name;
}

Profile docker_default() {
  return load_docker_profile(std::string(SYSCOPE_PROFILES) + "/docker-default-20.10.24.json");
}

std::string merged(const std::vector<const Profile *> &profiles) {
  std::vector<MergeInput> in;
  for (const auto *p : profiles) in.push_back({p, "p"});
  return to_docker_json(merge_profiles(in));
}

const SyscallRule *rule_for(const Profile &p, const std::string &name, bool with_args) {
  for (const auto &r : p.syscalls)
    if (r.args.empty() != with_args)
      for (const auto &n : r.names)
        if (n == name) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("merge: the union of names and argument rules, compacted", "[merge]") {
  auto a = load_docker_profile(fixture("node1.json"));
  auto b = load_docker_profile(fixture("node2.json"));
  auto m = merge_profiles({{&a, "node1.json"}, {&b, "node2.json"}});
  CHECK(m.architectures == std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X86_64"});
  // One ALLOW rule for every name allowed outright, names sorted; mkdir refused with EACCES by
  // node1 but allowed by node2: allowed.
  const SyscallRule *allow = rule_for(m, "read", false);
  REQUIRE(allow);
  CHECK(allow->names == std::vector<std::string>{"close", "epoll_wait", "exit_group", "mkdir",
                                                 "openat", "read", "write"});
  CHECK(allow->action == Action::allow);
  // socket keeps both of its argument rules, the duplicate of AF_UNIX once.
  size_t socket_rules = 0;
  for (const auto &r : m.syscalls)
    if (r.names == std::vector<std::string>{"socket"}) ++socket_rules;
  CHECK(socket_rules == 2);
  CHECK(m.syscalls.size() == 3);
  CHECK_NOTHROW(compile_profile(m));
}

TEST_CASE("merge: idempotent and independent of order, Docker's default included", "[merge]") {
  auto a = load_docker_profile(fixture("node1.json"));
  auto b = load_docker_profile(fixture("node2.json"));
  auto d = docker_default();
  CHECK(merged({&a, &b}) == merged({&b, &a}));
  CHECK(merged({&a, &a}) == to_docker_json(normalize_profile(a)));
  CHECK(merged({&d, &d}) == to_docker_json(normalize_profile(d)));
  CHECK(merged({&a, &d, &b}) == merged({&b, &a, &d}));
  auto ab = merge_profiles({{&a, "a"}, {&b, "b"}});
  CHECK(merged({&ab, &a}) == to_docker_json(ab));  // a merge holding A absorbs A
  // Normalising Docker's default keeps what it means: the same filter on this host.
  auto nd = normalize_profile(d);
  CHECK(compile_profile(nd).bpf.size() > 0);
  CHECK(nd.syscalls.size() < d.syscalls.size() + 1);
  // Unconditional ALLOW in one input wins over the other's argument rules for the name.
  Profile outright = a;
  outright.syscalls.push_back({{"socket"}, Action::allow, {}, {}, "", {}, {}});
  auto m = merge_profiles({{&outright, "o"}, {&b, "b"}});
  CHECK(rule_for(m, "socket", true) == nullptr);
  CHECK(rule_for(m, "socket", false) != nullptr);
}

TEST_CASE("merge: what a union cannot decide is exit 2 naming the inputs", "[merge]") {
  auto a = load_docker_profile(fixture("node1.json"));
  auto kill = load_docker_profile(fixture("kill-default.json"));
  auto eacces = load_docker_profile(fixture("eacces.json"));
  try {
    merge_profiles({{&a, "node1.json"}, {&kill, "kill.json"}});
    FAIL("no error");
  } catch (const syscope::Error &e) {
    CHECK(e.code == syscope::Exit::usage);
    CHECK(std::string(e.what()) ==
          "kill.json: defaultAction SCMP_ACT_KILL_PROCESS differs from node1.json's "
          "SCMP_ACT_ERRNO: profiles to merge must agree on it");
  }
  CHECK_THROWS_WITH(merge_profiles({{&a, "node1.json"}, {&eacces, "eacces.json"}}),
                    Contains("mkdir is answered") && Contains("syscalls[") &&
                        Contains("a union cannot choose"));
  // A third input that allows mkdir outright settles it.
  auto b = load_docker_profile(fixture("node2.json"));
  CHECK_NOTHROW(merge_profiles({{&a, "a"}, {&eacces, "e"}, {&b, "b"}}));
}

TEST_CASE("coverage: daemon files, units by id, merged with itself unchanged", "[merge]") {
  auto n1 = load_profile_document(fixture("node1.json"));
  auto n2 = load_profile_document(fixture("node2.json"));
  REQUIRE(n1.coverage.units.size() == 1);
  CHECK(n1.coverage.units.begin()->first == "image:nginx-1.25-3f2a@aaaa1111");
  auto both = merge_coverage(n1.coverage, n2.coverage);
  CHECK(both.instances() == 3);
  CHECK(both.counts().at("read") == 3);
  CHECK(both.counts().at("socket") == 2);
  CHECK(both.counts().at("epoll_wait") == 1);
  CHECK(merge_coverage(both, n1.coverage) == both);
  CHECK(merge_coverage(n2.coverage, n1.coverage) == both);
  // Written and read back, as merge writes OUT.coverage.json.
  auto text = coverage_json(both).dump();
  CHECK(coverage_from_json(nlohmann::json::parse(text), "c") == both);
  // SPO's annotation: counts only, one unit.
  auto spo = coverage_from_spo_annotation(spo_coverage_annotation(both), "spo:x", "a");
  CHECK(spo.instances() == 3);
  CHECK(spo.counts() == both.counts());
  CHECK_THROWS_WITH(
      coverage_from_json(
          nlohmann::json::parse(
              R"({"key":"k","containers":[{"id":"a"}],"instances":1,"syscalls":{"read":2}})"),
          "c.json"),
      "c.json: syscalls.read: 2 is more than the 1 instances");
}
