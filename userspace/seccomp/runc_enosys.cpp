// SPDX-License-Identifier: Apache-2.0
// runc's -ENOSYS stub, written forwards: one short section per arch, all jumping to a shared
// "ret ENOSYS" or to the filter right after the stub, so every jump stays short.
#include "syscope/seccomp/runc_enosys.hpp"

#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <cstddef>

#include "syscope/base/error.hpp"

namespace syscope::seccomp {
namespace {

// x32 calls arrive as AUDIT_ARCH_X86_64 with this bit set in the number (__X32_SYSCALL_BIT).
constexpr uint32_t kX32SyscallBit = 0x40000000;

constexpr uint32_t kNrOffset = offsetof(struct seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(struct seccomp_data, arch);

}  // namespace

std::vector<sock_filter> enosys_stub(const std::vector<ArchLimit> &limits) {
  // Layout:   ld arch
  //   per arch:  jeq ARCH ? next insn : next section;  ld nr;
  //              [x86_64: jset X32_BIT ? filter : next insn;]  jgt MAX ? enosys : filter
  //   x86_64 with x32:  jset X32_BIT ? +1 : next insn;  jgt MAX ? enosys : filter;
  //                     jgt X32_MAX ? enosys : filter
  //   tail:      ja filter;  enosys: ret ERRNO(ENOSYS);  filter: (the libseccomp program)
  // A section's body always leaves the stub, so the accumulator still holds the arch whenever
  // the next section's jeq runs.
  std::vector<sock_filter> stub;
  stub.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArchOffset));
  struct Fixup {
    size_t at;
    bool true_to_enosys;  // else jt goes to the filter; jf always goes to the filter
  };
  std::vector<Fixup> fixups;
  for (const auto &limit : limits) {
    bool x86_64 = limit.audit_arch == AUDIT_ARCH_X86_64;
    bool x32 = x86_64 && limit.x32_max_nr != 0;
    uint8_t body = x32 ? 4 : x86_64 ? 3 : 2;
    stub.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, limit.audit_arch, 0, body));
    stub.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kNrOffset));
    if (x32) {
      stub.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kX32SyscallBit, 1, 0));
    } else if (x86_64) {
      fixups.push_back({stub.size(), false});
      stub.push_back(BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kX32SyscallBit, 0, 0));
    }
    fixups.push_back({stub.size(), true});
    stub.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, limit.max_nr, 0, 0));
    if (x32) {
      fixups.push_back({stub.size(), true});
      stub.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, limit.x32_max_nr, 0, 0));
    }
  }
  size_t tail = stub.size();
  stub.push_back(BPF_STMT(BPF_JMP | BPF_JA | BPF_K, 1));
  stub.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
  size_t enosys = tail + 1, filter = tail + 2;

  // Classic BPF's conditional offsets are 8 bits, counted from the next instruction.
  auto offset_to = [](size_t from, size_t to) {
    size_t off = to - (from + 1);
    if (off > 255)
      throw Error(Exit::usage, "too many architectures for the ENOSYS stub's short jumps");
    return static_cast<uint8_t>(off);
  };
  for (const auto &f : fixups) {
    stub[f.at].jt = offset_to(f.at, f.true_to_enosys ? enosys : filter);
    if (f.true_to_enosys) stub[f.at].jf = offset_to(f.at, filter);
  }
  return stub;
}

}  // namespace syscope::seccomp
