// SPDX-License-Identifier: Apache-2.0
// SPO SeccompProfile export: names made DNS-1123, what SPO's schema cannot hold refused with the
// JSON path, partial labels and coverage annotations, and the round trip back to the model.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_document.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_merge.hpp"
#include "syscope/seccomp/spo_profile.hpp"

using namespace syscope::seccomp;
using Catch::Matchers::Contains;

namespace {

std::string fixture(const std::string &name) {
  return std::string(SYSCOPE_FIXTURES) + "/profiles/merge/" + name;
}

}  // namespace

TEST_CASE("spo names: image references become DNS-1123 subdomains", "[spo]") {
  CHECK(spo_object_name("nginx:1.25") == "nginx-1.25");
  CHECK(spo_object_name("Registry.IO/Team/App@sha256:AB12") == "registry.io-team-app-sha256-ab12");
  CHECK(spo_object_name("-a..b-") == "a.b");
  CHECK(spo_object_name("x_y  z") == "x-y-z");
  std::string longname(300, 'a');
  CHECK(spo_object_name(longname).size() == 253);
  CHECK(spo_object_name(std::string(252, 'a') + ".-b") == std::string(252, 'a'));
  CHECK_THROWS_WITH(spo_object_name("::"), Contains("give --name"));
}

TEST_CASE("spo export: the object, partial labels and SPO's coverage annotation", "[spo]") {
  auto doc = load_profile_document(fixture("node1.json"));
  REQUIRE(doc.coverage.instances() == 2);
  SpoMetadata meta{"nginx:1.25", true, "rec", "web", "nginx"};
  auto obj = nlohmann::json::parse(to_spo_json(doc.profile, meta, doc.coverage, "node1.json"));
  CHECK(obj["apiVersion"] == "security-profiles-operator.x-k8s.io/v1");
  CHECK(obj["kind"] == "SeccompProfile");
  CHECK(obj["metadata"]["name"] == "nginx-1.25");
  CHECK_FALSE(obj["metadata"].contains("namespace"));  // cluster-scoped
  const auto &labels = obj["metadata"]["labels"];
  CHECK(labels["spo.x-k8s.io/partial"] == "true");
  CHECK(labels["spo.x-k8s.io/recording-id"] == "rec");
  CHECK(labels["spo.x-k8s.io/recording-namespace"] == "web");
  CHECK(labels["spo.x-k8s.io/container-id"] == "nginx");
  // SPO's own format: compact, version/total/syscalls, names sorted.
  CHECK(
      obj["metadata"]["annotations"]["spo.x-k8s.io/syscall-coverage"] ==
      R"({"version":"v1","total":2,"syscalls":{"close":2,"exit_group":2,"openat":2,"read":2,"socket":1,"write":2}})");
  CHECK(obj["spec"]["defaultAction"] == "SCMP_ACT_ERRNO");
  CHECK(obj["spec"]["syscalls"].size() == 3);
}

TEST_CASE("spo round trip: the profile and its coverage come back", "[spo]") {
  auto doc = load_profile_document(fixture("node1.json"));
  SpoMetadata meta{"web", false, "", "", ""};
  std::string text = to_spo_json(doc.profile, meta, doc.coverage, "node1.json");
  auto back = parse_spo_object(text, "web.json");
  CHECK(back.profile == doc.profile);
  CHECK(back.coverage == doc.coverage);
  CHECK(back.meta.name == "web");
  CHECK_FALSE(back.meta.partial);
  // And Docker's default, whose rules use includes/excludes, is refused with the path.
  auto docker =
      load_docker_profile(std::string(SYSCOPE_PROFILES) + "/docker-default-20.10.24.json");
  CHECK_THROWS_WITH(to_spo_json(docker, meta, {}, "default.json"),
                    Contains("default.json: syscalls[") &&
                        Contains("cludes: SPO's SeccompProfile has no"));
}

TEST_CASE("spo export: what SPO's schema cannot hold is exit 2 with the JSON path", "[spo]") {
  auto huge = load_docker_profile(fixture("huge-arg.json"));
  try {
    check_spo_expressible(huge, "huge-arg.json");
    FAIL("no error");
  } catch (const syscope::Error &e) {
    CHECK(e.code == syscope::Exit::usage);
    CHECK(std::string(e.what()) ==
          "huge-arg.json: syscalls[1].args[0].value: 18446744073709551615 is beyond SPO's int64 "
          "(at most 9223372036854775807)");
  }
  Profile seven;
  seven.syscalls.push_back({{"ioctl"}, Action::allow, {}, {}, "", {}, {}});
  for (unsigned i = 0; i < 7; ++i) seven.syscalls[0].args.push_back({i % 6, i, 0, Op::ne});
  CHECK_THROWS_WITH(check_spo_expressible(seven, "s"),
                    "s: syscalls[0].args: 7 conditions; SPO takes at most 6 per rule");
  Profile enosys;
  enosys.default_errno_ret = 38;
  CHECK_THROWS_WITH(check_spo_expressible(enosys, "e"), Contains("e: defaultErrnoRet: 38"));
  CHECK_THROWS_WITH(parse_spo_object(read_profile_text(fixture("spo-bad-value.json")), "b.json"),
                    Contains("b.json: spec.syscalls[0].args[0].value: "));
  CHECK_THROWS_WITH(parse_spo_object(R"({"apiVersion":"v1","kind":"Pod","spec":{}})", "p.json"),
                    Contains("p.json: apiVersion: expected"));
  SpoMetadata bad{"x", true, "rec id", "web", "c"};
  CHECK_THROWS_WITH(to_spo_json(Profile{}, bad, {}, "o"), Contains("--recording-id \"rec id\""));
}

TEST_CASE("spo partial profiles read back with their labels", "[spo]") {
  auto doc = load_profile_document(fixture("spo-partial.json"));
  REQUIRE(doc.spo);
  CHECK(doc.spo->partial);
  CHECK(doc.spo->recording_id == "rec");
  CHECK(doc.spo->container_id == "nginx");
  CHECK(doc.coverage.empty());
  CHECK(doc.profile.syscalls.at(0).names == std::vector<std::string>{"read", "futex"});
}
