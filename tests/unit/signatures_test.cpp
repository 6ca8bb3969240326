// SPDX-License-Identifier: Apache-2.0
// The one signature table: its names are libseccomp's, and what watch shows and what the
// kernel captures both come from it.
#include "syscope/syscalls/signatures.hpp"

#include <fcntl.h>
#include <seccomp.h>

#include <catch2/catch.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope;
using namespace syscope::syscalls;

TEST_CASE("every name in the table is a name libseccomp knows", "[signatures]") {
  for (const Signature &sig : signatures()) {
    std::string name(sig.name);
    CAPTURE(name);
    bool known = seccomp::syscall_number(SCMP_ARCH_X86_64, name) ||
                 seccomp::syscall_number(SCMP_ARCH_X86, name) ||
                 // i386's direct socket calls: libseccomp resolves the name to socketcall's
                 // pseudo-number, only the number to the name
                 seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name.c_str()) != __NR_SCMP_ERROR;
    CHECK(known);
    CHECK(signature(name) == &sig);
  }
  CHECK(signature("getpid") == nullptr);
  CHECK(signature("no_such_call") == nullptr);
}

TEST_CASE("watch decodes from the table: pointers where trace would capture", "[signatures]") {
  const uint64_t at_fdcwd = static_cast<uint64_t>(int64_t{AT_FDCWD});
  CHECK(format_call("symlinkat", {0x1000, at_fdcwd, 0x2000, 0, 0, 0}) ==
        "symlinkat(0x1000, AT_FDCWD, 0x2000)");
  CHECK(format_call("mount", {0x1000, 0x2000, 0, 0, 0, 0}) ==
        "mount(0x1000, 0x2000, NULL, 0, NULL)");
  CHECK(format_call("connect", {3, 0x7000, 16, 0, 0, 0}) == "connect(3, 0x7000, 16)");
  CHECK(format_call("accept4", {3, 0, 0, 0, 0, 0}) == "accept4(3, NULL, NULL, 0)");
  // Flags without names are numbers, 0 included (not NULL, as when they were shown as pointers).
  CHECK(format_call("unlinkat", {at_fdcwd, 0x1000, 0, 0, 0, 0}) == "unlinkat(AT_FDCWD, 0x1000, 0)");
  CHECK(format_call("unlinkat", {at_fdcwd, 0x1000, 0x200, 0, 0, 0}) ==
        "unlinkat(AT_FDCWD, 0x1000, 0x200)");
  // A creation mode only with O_CREAT or O_TMPFILE, as strace shows it.
  CHECK(format_call("open", {0x1000, O_RDONLY, 0755, 0, 0, 0}) == "open(0x1000, O_RDONLY)");
  CHECK(format_call("open", {0x1000, O_WRONLY | O_CREAT, 0644, 0, 0, 0}) ==
        "open(0x1000, O_WRONLY|O_CREAT, 0644)");
  CHECK(format_call("exit_group", {1, 0, 0, 0, 0, 0}) == "exit_group(1)");
}

// A plan slot as {kind, arg, len_arg, flags}, for comparing.
using SlotTuple = std::tuple<int, int, int, int>;
std::vector<SlotTuple> plan_slots(const char *name) {
  const Signature *sig = signature(name);
  REQUIRE(sig);
  auto plan = capture_plan(*sig);
  std::vector<SlotTuple> out;
  if (!plan) return out;
  for (unsigned i = 0; i < plan->nslots; ++i)
    out.emplace_back(plan->slots[i].kind, plan->slots[i].arg, plan->slots[i].len_arg,
                     plan->slots[i].flags);
  return out;
}

TEST_CASE("the kernel's capture plan: every path, string and sockaddr argument", "[signatures]") {
  using V = std::vector<SlotTuple>;
  constexpr int P = SYSCOPE_DATA_PATH, S = SYSCOPE_DATA_STRING, A = SYSCOPE_DATA_SOCKADDR;
  constexpr int OUT = SYSCOPE_PLAN_SLOT_OUT;
  // The cases: the target first and the link last; mount's three strings.
  CHECK(plan_slots("symlinkat") == V{{P, 0, 0, 0}, {P, 2, 0, 0}});
  CHECK(plan_slots("symlink") == V{{P, 0, 0, 0}, {P, 1, 0, 0}});
  CHECK(plan_slots("mount") == V{{S, 0, 0, 0}, {P, 1, 0, 0}, {S, 2, 0, 0}});
  CHECK(plan_slots("rename") == V{{P, 0, 0, 0}, {P, 1, 0, 0}});
  CHECK(plan_slots("renameat2") == V{{P, 1, 0, 0}, {P, 3, 0, 0}});
  CHECK(plan_slots("linkat") == V{{P, 1, 0, 0}, {P, 3, 0, 0}});
  CHECK(plan_slots("openat") == V{{P, 1, 0, 0}});
  CHECK(plan_slots("setxattr") == V{{P, 0, 0, 0}, {S, 1, 0, 0}});
  CHECK(plan_slots("connect") == V{{A, 1, 2, 0}});
  CHECK(plan_slots("sendto") == V{{A, 4, 5, 0}});
  CHECK(plan_slots("accept") == V{{A, 1, 2, OUT}});
  CHECK(plan_slots("recvfrom") == V{{A, 4, 5, OUT}});
  CHECK(plan_slots("close").empty());
  for (const char *name : {"exit", "exit_group"}) {
    auto plan = capture_plan(*signature(name));
    REQUIRE(plan);
    CHECK(plan->nslots == 0);
    CHECK(plan->flags == SYSCOPE_PLAN_NEVER_RETURNS);
  }
  CHECK(capture_plan(*signature("close")) == std::nullopt);
}

TEST_CASE("the arity of every call is at most six, its captures at most the kernel's slots",
          "[signatures]") {
  for (const Signature &sig : signatures()) {
    CAPTURE(sig.name);
    CHECK(sig.arity <= 6);
    size_t captured = 0;
    for (size_t i = 0; i < sig.arity; ++i) captured += is_captured(sig.args[i].kind);
    CHECK(captured <= SYSCOPE_CAPTURE_SLOTS);
    auto plan = capture_plan(sig);
    CHECK((plan ? plan->nslots : 0) == captured);
  }
}
