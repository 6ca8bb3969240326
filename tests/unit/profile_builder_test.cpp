// SPDX-License-Identifier: Apache-2.0
// Bitmap to sorted rule list: the allow-list profile built from what a cgroup called, on both
// ABIs of an x86_64 host.
#include <catch2/catch.hpp>

#include <seccomp.h>

#include "syscope/abi.h"
#include "syscope/seccomp/profile_builder.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::profile;

namespace {

void set_bit(SyscallSet::Bitmap &bitmap, uint32_t arch, uint32_t nr) {
  bitmap[arch][nr / 64] |= 1ULL << (nr % 64);
}

bool on_x86_64() {
  if (syscope::seccomp::native_scmp_arch() == SCMP_ARCH_X86_64) return true;
  WARN("not an x86_64 host: x86_64 syscall numbers not checked");
  return false;
}

}  // namespace

TEST_CASE("bitmap to one sorted allow rule over both arches", "[profile_builder]") {
  if (!on_x86_64()) return;
  SyscallSet::Bitmap bitmap{};
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 110);  // getppid
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 39);   // getpid
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 511);  // unnamed
  set_bit(bitmap, SYSCOPE_ARCH_COMPAT, 64);   // getppid again, under its i386 number
  set_bit(bitmap, SYSCOPE_ARCH_COMPAT, 192);  // mmap2, i386 only
  set_bit(bitmap, SYSCOPE_ARCH_COMPAT, 511);  // unnamed
  SyscallSet seen;
  seen.merge(bitmap);

  BuiltProfile built = allow_list_profile(seen);
  CHECK(built.profile.default_action == syscope::seccomp::Action::errno_);
  CHECK_FALSE(built.profile.default_errno_ret);  // Docker 20.10 ignores it anyway
  CHECK(built.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"});
  CHECK(built.profile.architectures == built.architectures);
  REQUIRE(built.profile.syscalls.size() == 1);
  const auto &rule = built.profile.syscalls[0];
  CHECK(rule.action == syscope::seccomp::Action::allow);
  // The essential calls join what was seen: a profile without them breaks any workload.
  CHECK(rule.names == std::vector<std::string>{"exit", "exit_group", "getpid", "getppid", "mmap2",
                                               "rt_sigreturn"});
  CHECK(rule.args.empty());
  CHECK_FALSE(rule.errno_ret);
  CHECK(built.syscall_count == 6);  // getppid counted once
  CHECK(built.added_essentials == std::vector<std::string>{"exit_group", "exit", "rt_sigreturn"});
  CHECK(built.unnamed == std::vector<std::string>{"SCMP_ARCH_X86_64:511", "SCMP_ARCH_X86:511"});
}

TEST_CASE("native calls only: one arch, no compat entry", "[profile_builder]") {
  if (!on_x86_64()) return;
  SyscallSet seen;
  seen.add(SYSCOPE_ARCH_NATIVE, 0);   // read
  seen.add(SYSCOPE_ARCH_NATIVE, 1);   // write
  seen.add(SYSCOPE_ARCH_NATIVE, 60);  // exit: seen, so not among the added
  BuiltProfile built = allow_list_profile(seen);
  CHECK(built.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64"});
  REQUIRE(built.profile.syscalls.size() == 1);
  CHECK(built.profile.syscalls[0].names ==
        std::vector<std::string>{"exit", "exit_group", "read", "rt_sigreturn", "write"});
  CHECK(built.syscall_count == 5);
  CHECK(built.added_essentials == std::vector<std::string>{"exit_group", "rt_sigreturn"});
  CHECK(built.unnamed.empty());
}

TEST_CASE("an empty set gives a deny-all profile with no rules", "[profile_builder]") {
  BuiltProfile built = allow_list_profile(SyscallSet());
  CHECK(built.profile.default_action == syscope::seccomp::Action::errno_);
  CHECK(built.profile.syscalls.empty());
  CHECK(built.architectures.empty());
  CHECK(built.profile.architectures.empty());
  CHECK(built.syscall_count == 0);
  CHECK(built.unnamed.empty());
}

TEST_CASE("only unnamed numbers: the arch is listed, but no empty rule", "[profile_builder]") {
  if (!on_x86_64()) return;
  SyscallSet seen;
  seen.add(SYSCOPE_ARCH_NATIVE, 511);
  BuiltProfile built = allow_list_profile(seen);
  CHECK(built.architectures == std::vector<std::string>{"SCMP_ARCH_X86_64"});
  CHECK(built.profile.syscalls.empty());
  CHECK(built.syscall_count == 0);
  CHECK(built.unnamed == std::vector<std::string>{"SCMP_ARCH_X86_64:511"});
}
