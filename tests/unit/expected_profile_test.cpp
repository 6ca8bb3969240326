// SPDX-License-Identifier: Apache-2.0
// Which profile `profile verify` expects a container to run under, from what Docker was told.
#include <catch2/catch.hpp>

#include "syscope/audit/expected_profile.hpp"
#include "syscope/base/error.hpp"
#include "syscope/seccomp/docker_default.hpp"

using namespace syscope;

namespace {

docker::ContainerMetadata metadata(std::vector<std::string> security_opt, bool privileged = false) {
  docker::ContainerMetadata c;
  c.security_opt = std::move(security_opt);
  c.privileged = privileged;
  return c;
}

audit::DaemonSeccomp builtin() {
  audit::DaemonSeccomp d;
  d.kind = audit::DaemonSeccomp::Kind::builtin;
  d.profile = "builtin";
  return d;
}

}  // namespace

TEST_CASE("the expected profile follows SecurityOpt, --privileged and the daemon's default",
          "[expected_profile]") {
  auto none = audit::expected_profile(metadata({}), builtin());
  REQUIRE(none.profile);
  CHECK(*none.profile == seccomp::docker_default_profile());
  CHECK(none.source.find("Docker's default profile") == 0);

  auto unconfined = audit::expected_profile(metadata({"seccomp=unconfined"}), builtin());
  CHECK_FALSE(unconfined.profile);
  CHECK(unconfined.source == "no filter (seccomp=unconfined)");
  CHECK_FALSE(audit::expected_profile(metadata({}, true), builtin()).profile);

  auto inline_profile = audit::expected_profile(
      metadata({R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],)"
                R"("action":"SCMP_ACT_ERRNO"}]})"}),
      builtin());
  REQUIRE(inline_profile.profile);
  CHECK(inline_profile.profile->default_action == seccomp::Action::allow);
  CHECK(inline_profile.profile->syscalls.size() == 1);

  audit::DaemonSeccomp off;
  off.kind = audit::DaemonSeccomp::Kind::unconfined;
  CHECK_FALSE(audit::expected_profile(metadata({}), off).profile);

  CHECK_THROWS_AS(audit::expected_profile(metadata({"seccomp={not json"}), builtin()),
                  syscope::Error);
}
