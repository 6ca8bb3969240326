// SPDX-License-Identifier: Apache-2.0
// The one signature table: its names are libseccomp's, and what watch shows comes from it.
#include "syscope/syscalls/signatures.hpp"

#include <fcntl.h>
#include <seccomp.h>

#include <catch2/catch.hpp>
#include <string>

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
  CHECK(format_call("mount", {0x1000, 0x2000, 0, 0, 0, 0}) == "mount(0x1000, 0x2000, NULL, 0, NULL)");
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
