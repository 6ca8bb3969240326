// SPDX-License-Identifier: Apache-2.0
// SyscallSet: the kernel's per-cgroup bitmap as a set per arch, and the sorted libseccomp names
// (x86_64 numbers, with i386 as the compat ABI) it turns into.
#include <catch2/catch.hpp>

#include <seccomp.h>

#include <algorithm>

#include "syscope/abi.h"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/syscalls/syscall_set.hpp"

using namespace syscope::profile;

namespace {

void set_bit(SyscallSet::Bitmap &bitmap, uint32_t arch, uint32_t nr) {
  bitmap[arch][nr / 64] |= 1ULL << (nr % 64);
}

// The expected numbers below are x86_64's and i386's.
bool on_x86_64() {
  if (syscope::seccomp::native_scmp_arch() == SCMP_ARCH_X86_64) return true;
  WARN("not an x86_64 host: x86_64 syscall numbers not checked");
  return false;
}

}  // namespace

TEST_CASE("add, contains and count per arch", "[syscall_set]") {
  SyscallSet set;
  CHECK(set.empty());
  set.add(SYSCOPE_ARCH_NATIVE, 110);
  set.add(SYSCOPE_ARCH_NATIVE, 110);  // again: still one
  set.add(SYSCOPE_ARCH_COMPAT, 64);
  CHECK(set.count() == 2);
  CHECK_FALSE(set.empty());
  CHECK(set.contains(SYSCOPE_ARCH_NATIVE, 110));
  CHECK(set.contains(SYSCOPE_ARCH_COMPAT, 64));
  CHECK_FALSE(set.contains(SYSCOPE_ARCH_NATIVE, 64));  // arches do not share numbers
  CHECK_FALSE(set.contains(SYSCOPE_ARCH_COMPAT, 110));
}

TEST_CASE("out-of-range arches and numbers are ignored", "[syscall_set]") {
  SyscallSet set;
  set.add(SYSCOPE_ARCH_NATIVE, SYSCOPE_SYSCALL_BITS);
  set.add(SYSCOPE_ARCH_NATIVE, UINT32_MAX);
  set.add(SYSCOPE_ARCH_COUNT, 1);
  set.add(UINT32_MAX, 1);
  CHECK(set.empty());
  CHECK_FALSE(set.contains(SYSCOPE_ARCH_NATIVE, SYSCOPE_SYSCALL_BITS));
  CHECK_FALSE(set.contains(SYSCOPE_ARCH_COUNT, 1));
  set.add(SYSCOPE_ARCH_NATIVE, SYSCOPE_SYSCALL_BITS - 1);  // the last valid number
  CHECK(set.contains(SYSCOPE_ARCH_NATIVE, SYSCOPE_SYSCALL_BITS - 1));
  CHECK(set.count() == 1);
}

TEST_CASE("merge reads every word and bit of the kernel bitmap, as a union", "[syscall_set]") {
  SyscallSet::Bitmap bitmap{};
  for (uint32_t nr : {0u, 63u, 64u, 110u, 511u}) set_bit(bitmap, SYSCOPE_ARCH_NATIVE, nr);
  set_bit(bitmap, SYSCOPE_ARCH_COMPAT, 64);

  SyscallSet set;
  set.add(SYSCOPE_ARCH_NATIVE, 39);
  set.add(SYSCOPE_ARCH_NATIVE, 110);  // also in the bitmap
  set.merge(bitmap);
  CHECK(set.count() == 7);
  for (uint32_t nr : {0u, 39u, 63u, 64u, 110u, 511u}) CHECK(set.contains(SYSCOPE_ARCH_NATIVE, nr));
  CHECK(set.contains(SYSCOPE_ARCH_COMPAT, 64));
  CHECK_FALSE(set.contains(SYSCOPE_ARCH_NATIVE, 65));
  CHECK_FALSE(set.contains(SYSCOPE_ARCH_COMPAT, 0));

  set.merge(SyscallSet::Bitmap{});  // an empty bitmap clears nothing
  CHECK(set.count() == 7);
}

TEST_CASE("an empty set names nothing", "[syscall_set]") { CHECK(SyscallSet().named().empty()); }

TEST_CASE("named: native first, sorted unique names, unknown numbers apart", "[syscall_set]") {
  if (!on_x86_64()) return;
  SyscallSet::Bitmap bitmap{};
  // Compat bits set first, to show the order comes from the arch, not from insertion.
  set_bit(bitmap, SYSCOPE_ARCH_COMPAT, 64);   // i386 getppid
  set_bit(bitmap, SYSCOPE_ARCH_COMPAT, 20);   // i386 getpid
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 110);  // getppid
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 39);   // getpid
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 0);    // read
  set_bit(bitmap, SYSCOPE_ARCH_NATIVE, 511);  // no x86_64 syscall has this number
  SyscallSet set;
  set.merge(bitmap);

  auto named = set.named();
  REQUIRE(named.size() == 2);
  CHECK(named[0].scmp_arch == SCMP_ARCH_X86_64);
  CHECK(named[0].names == std::vector<std::string>{"getpid", "getppid", "read"});
  CHECK(named[0].unknown_numbers == std::vector<uint32_t>{511});
  CHECK(named[1].scmp_arch == SCMP_ARCH_X86);
  CHECK(named[1].names == std::vector<std::string>{"getpid", "getppid"});
  CHECK(named[1].unknown_numbers.empty());
}

TEST_CASE("named: an arch with no calls gets no entry", "[syscall_set]") {
  if (!on_x86_64()) return;
  SyscallSet set;
  set.add(SYSCOPE_ARCH_COMPAT, 64);
  auto named = set.named();
  REQUIRE(named.size() == 1);
  CHECK(named[0].scmp_arch == SCMP_ARCH_X86);
  CHECK(named[0].names == std::vector<std::string>{"getppid"});
}

TEST_CASE("named: every number x86_64 has comes out as a sorted, unique list", "[syscall_set]") {
  if (!on_x86_64()) return;
  SyscallSet set;
  for (uint32_t nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) set.add(SYSCOPE_ARCH_NATIVE, nr);
  auto named = set.named();
  REQUIRE(named.size() == 1);
  const auto &names = named[0].names;
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  // Every number is either named or listed as unknown.
  CHECK(names.size() + named[0].unknown_numbers.size() == SYSCOPE_SYSCALL_BITS);
  CHECK(std::binary_search(names.begin(), names.end(), "clone3"));
  CHECK(std::is_sorted(named[0].unknown_numbers.begin(), named[0].unknown_numbers.end()));
}
