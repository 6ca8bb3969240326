// SPDX-License-Identifier: Apache-2.0
// The built-in Docker 20.10.24 default profile, evaluated for this host and a container with
// Docker's default capabilities (x86_64 numbers: of the 368 calls Debian bookworm's libseccomp
// 2.5 knows there, the default allows 292 and blocks 76).
#include <catch2/catch.hpp>

#include <seccomp.h>

#include "syscope/seccomp/docker_default.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using syscope::seccomp::DockerDefault;

TEST_CASE("Docker's default allows 292 x86_64 syscalls and blocks the dangerous ones",
          "[docker_default]") {
  if (syscope::seccomp::native_scmp_arch() != SCMP_ARCH_X86_64) {
    WARN("not an x86_64 host: counts not checked");
    return;
  }
  const auto &reference = DockerDefault::for_this_host();
  CHECK(reference.allowed_count() == 292);
  for (const char *blocked : {"mount", "unshare", "setns", "bpf", "keyctl", "kexec_load", "reboot",
                              "init_module", "pivot_root", "clone3", "userfaultfd"})
    CHECK_FALSE(reference.allows(blocked));
  for (const char *allowed : {"read", "openat", "ptrace", "socket", "clock_adjtime", "execve"})
    CHECK(reference.allows(allowed));
}

TEST_CASE("clone and personality are allowed only by argument, with the default's conditions",
          "[docker_default]") {
  const auto &reference = DockerDefault::for_this_host();
  CHECK(reference.allows_by_argument("clone"));
  CHECK(reference.allows_by_argument("personality"));
  CHECK_FALSE(reference.allows_by_argument("read"));
  auto clone_rules = reference.argument_rules("clone");
  REQUIRE(clone_rules.size() == 1);  // the s390 variant does not apply here
  CHECK(clone_rules[0].names == std::vector<std::string>{"clone"});
  REQUIRE(clone_rules[0].args.size() == 1);
  CHECK(clone_rules[0].args[0].op == syscope::seccomp::Op::masked_eq);
  CHECK(clone_rules[0].args[0].value == 2114060288);  // every CLONE_NEW* flag
  CHECK(reference.argument_rules("personality").size() == 5);
  CHECK(reference.argument_rules("read").empty());
}

TEST_CASE("reasons come from the knowledge file", "[docker_default]") {
  const auto &reference = DockerDefault::for_this_host();
  CHECK(reference.refusal_reason("unshare")->find("namespaces") != std::string::npos);
  CHECK(reference.refusal_reason("clone3")->find("ENOSYS") != std::string::npos);
  CHECK_FALSE(reference.refusal_reason("read"));
}

TEST_CASE("compare counts shared calls and names those the default refuses", "[docker_default]") {
  syscope::seccomp::Profile profile;
  profile.syscalls.push_back(
      {{"read", "write", "unshare"}, syscope::seccomp::Action::allow, {}, {}, "", {}, {}});
  auto cmp = DockerDefault::for_this_host().compare(profile);
  CHECK(cmp.shared == 2);
  CHECK(cmp.beyond == std::vector<std::string>{"unshare"});
  REQUIRE(cmp.notes.size() == 1);
  CHECK(cmp.notes[0].rfind("allows unshare, which Docker's default refuses: ", 0) == 0);
  CHECK(cmp.summary.find("allows 2 of the ") == 0);
}
