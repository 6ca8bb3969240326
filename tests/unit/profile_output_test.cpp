// SPDX-License-Identifier: Apache-2.0
// The OCI runtime-spec form of a generated profile: Docker's fields the spec defines, with the
// default errno spelled out.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile_output.hpp"

TEST_CASE("OCI linux.seccomp: defaultErrnoRet spelled out, Docker-only fields left out",
          "[profile_output]") {
  syscope::seccomp::Profile profile;
  profile.architectures = {"SCMP_ARCH_X86_64"};
  syscope::seccomp::SyscallRule allow;
  allow.names = {"read", "write"};
  allow.action = syscope::seccomp::Action::allow;
  allow.comment = "recorded";
  allow.includes.min_kernel = "4.8";
  syscope::seccomp::SyscallRule enosys;
  enosys.names = {"clone3"};
  enosys.action = syscope::seccomp::Action::errno_;
  enosys.errno_ret = 38;
  profile.syscalls = {allow, enosys};
  auto oci = nlohmann::json::parse(syscope::record::to_oci_json(profile));
  CHECK(oci["defaultAction"] == "SCMP_ACT_ERRNO");
  CHECK(oci["defaultErrnoRet"] == 1);
  CHECK(oci["architectures"] == nlohmann::json::array({"SCMP_ARCH_X86_64"}));
  REQUIRE(oci["syscalls"].size() == 2);
  CHECK_FALSE(oci["syscalls"][0].contains("comment"));
  CHECK_FALSE(oci["syscalls"][0].contains("includes"));
  CHECK(oci["syscalls"][1]["errnoRet"] == 38);
}

TEST_CASE("OCI form of a profile without rules has no null syscalls", "[profile_output]") {
  syscope::seccomp::Profile profile;
  auto oci = nlohmann::json::parse(syscope::record::to_oci_json(profile));
  CHECK((!oci.contains("syscalls") || oci["syscalls"].is_array()));
}
