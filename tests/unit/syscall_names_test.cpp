// SPDX-License-Identifier: Apache-2.0
// Names, numbers and arches from libseccomp's tables, for both ABIs an x86_64 host runs.
#include <catch2/catch.hpp>

#include <seccomp.h>

#include "syscope/abi.h"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::seccomp;

TEST_CASE("getppid has a different number on x86_64 and x86", "[syscall_names]") {
  CHECK(syscall_number(SCMP_ARCH_X86_64, "getppid") == 110);
  CHECK(syscall_number(SCMP_ARCH_X86, "getppid") == 64);
  CHECK(syscall_name(SCMP_ARCH_X86_64, 110) == "getppid");
  CHECK(syscall_name(SCMP_ARCH_X86, 64) == "getppid");
  CHECK(syscall_number(SCMP_ARCH_X86_64, "clone3") == 435);
  CHECK(syscall_number(SCMP_ARCH_X86, "clone3") == 435);
}

TEST_CASE("unknown names and numbers resolve to nothing", "[syscall_names]") {
  CHECK_FALSE(syscall_number(SCMP_ARCH_X86_64, "no_such_syscall"));
  CHECK_FALSE(syscall_number(SCMP_ARCH_X86, ""));
  CHECK_FALSE(syscall_name(SCMP_ARCH_X86_64, 100000));
  // A call this arch lacks: libseccomp's negative pseudo-number is not a number.
  CHECK_FALSE(syscall_number(SCMP_ARCH_X86_64, "mmap2"));
  CHECK(syscall_number(SCMP_ARCH_X86, "mmap2") == 192);
}

TEST_CASE("arch names: SCMP_ARCH_*, uname's and Docker's short names", "[syscall_names]") {
  CHECK(arch_from_name("SCMP_ARCH_X86_64") == SCMP_ARCH_X86_64);
  CHECK(arch_from_name("amd64") == SCMP_ARCH_X86_64);
  CHECK(arch_from_name("x86_64") == SCMP_ARCH_X86_64);
  CHECK(arch_from_name("x86") == SCMP_ARCH_X86);
  CHECK(arch_from_name("i386") == SCMP_ARCH_X86);
  CHECK(arch_from_name("arm64") == SCMP_ARCH_AARCH64);
  CHECK_FALSE(arch_from_name("SCMP_ARCH_NOPE"));
  CHECK(arch_name(SCMP_ARCH_X86) == "SCMP_ARCH_X86");
  CHECK_FALSE(arch_name(0));
}

TEST_CASE("syscope's arch slots map to the native arch and its compat ABI", "[syscall_names]") {
  CHECK(scmp_arch_for(SYSCOPE_ARCH_NATIVE) == native_scmp_arch());
  if (native_scmp_arch() == SCMP_ARCH_X86_64)
    CHECK(scmp_arch_for(SYSCOPE_ARCH_COMPAT) == SCMP_ARCH_X86);
}
