// SPDX-License-Identifier: Apache-2.0
// The userspace seccomp interpreter: the kernel's validation rules one by one, each opcode's
// semantics, and verdicts of profiles compiled by libseccomp (Docker's default among them). The
// proof against the kernel itself is tests/integration/filter_interpreter_test.cpp.
#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <seccomp.h>

#include <cerrno>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "syscope/seccomp/filter_interpreter.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

using namespace syscope::seccomp;

namespace {

using Program = std::vector<sock_filter>;

sock_filter stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}

constexpr uint32_t kNr = offsetof(seccomp_data, nr);
constexpr uint32_t kArch = offsetof(seccomp_data, arch);
constexpr uint32_t kArg0Lo = offsetof(seccomp_data, args[0]);

seccomp_data call(uint32_t arch, int nr, std::vector<uint64_t> args = {}) {
  seccomp_data d{};
  d.arch = arch;
  d.nr = nr;
  for (size_t i = 0; i < args.size() && i < 6; ++i) d.args[i] = args[i];
  return d;
}

bool valid(const Program &p) { return !validate_filter(p).has_value(); }

uint32_t run(const Program &p, const seccomp_data &d = {}) { return run_filter(p, d); }

// A container with Docker's default capabilities on an x86_64 host with a recent kernel.
HostFacts docker_container() {
  HostFacts host;
  host.native_arch = SCMP_ARCH_X86_64;
  host.kernel_release = "6.1.0";
  for (const char *cap : {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                          "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                          "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"})
    host.capabilities |= 1ULL << *capability_number(cap);
  return host;
}

int nr_of(const char *name, uint32_t scmp_arch = SCMP_ARCH_X86_64) {
  return seccomp_syscall_resolve_name_arch(scmp_arch, name);
}

}  // namespace

TEST_CASE("validate_filter refuses what the kernel refuses", "[filter_interpreter]") {
  const sock_filter ret = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  CHECK(valid({ret}));
  CHECK(valid({stmt(BPF_RET | BPF_A, 0)}));
  CHECK_FALSE(valid({}));
  CHECK_FALSE(valid(Program(4097, ret)));
  CHECK(valid(Program(4096, ret)));
  // The last instruction must return.
  CHECK_FALSE(valid({ret, stmt(BPF_LD | BPF_IMM, 0)}));
  // Loads: aligned 32-bit words inside seccomp_data only.
  CHECK(valid({stmt(BPF_LD | BPF_W | BPF_ABS, 60), ret}));
  CHECK_FALSE(valid({stmt(BPF_LD | BPF_W | BPF_ABS, 64), ret}));
  CHECK_FALSE(valid({stmt(BPF_LD | BPF_W | BPF_ABS, 2), ret}));
  CHECK_FALSE(valid({stmt(BPF_LD | BPF_H | BPF_ABS, 0), ret}));
  CHECK_FALSE(valid({stmt(BPF_LD | BPF_B | BPF_ABS, 0), ret}));
  CHECK_FALSE(valid({stmt(BPF_LD | BPF_W | BPF_IND, 0), ret}));
  CHECK_FALSE(valid({stmt(BPF_LDX | BPF_B | BPF_MSH, 0), ret}));
  CHECK(valid({stmt(BPF_LD | BPF_W | BPF_LEN, 0), stmt(BPF_LDX | BPF_W | BPF_LEN, 0), ret}));
  // ALU: no MOD, no division by a constant 0, constant shifts below 32; RET X is not a code.
  CHECK_FALSE(valid({stmt(BPF_ALU | BPF_MOD | BPF_K, 3), ret}));
  CHECK_FALSE(valid({stmt(BPF_ALU | BPF_DIV | BPF_K, 0), ret}));
  CHECK(valid({stmt(BPF_ALU | BPF_DIV | BPF_X, 0), ret}));
  CHECK(valid({stmt(BPF_ALU | BPF_LSH | BPF_K, 31), ret}));
  CHECK_FALSE(valid({stmt(BPF_ALU | BPF_RSH | BPF_K, 32), ret}));
  CHECK_FALSE(valid({stmt(BPF_RET | BPF_X, 0)}));
  CHECK_FALSE(valid({stmt(BPF_ALU | BPF_NEG | BPF_X, 0), ret}));
  CHECK_FALSE(valid({stmt(0xffff, 0), ret}));
  // Jumps stay inside the program.
  CHECK(valid({jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), ret, ret}));
  CHECK_FALSE(valid({jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0), ret, ret}));
  CHECK_FALSE(valid({jump(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 2), ret, ret}));
  CHECK(valid({stmt(BPF_JMP | BPF_JA, 1), ret, ret}));
  CHECK_FALSE(valid({stmt(BPF_JMP | BPF_JA, 2), ret, ret}));
  // Scratch memory: M[0..15], each read written on every path before.
  CHECK(valid({stmt(BPF_ST, 15), stmt(BPF_LD | BPF_MEM, 15), ret}));
  CHECK_FALSE(valid({stmt(BPF_ST, 16), ret}));
  CHECK_FALSE(valid({stmt(BPF_LDX | BPF_MEM, 3), ret}));
  CHECK_FALSE(valid({jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), stmt(BPF_STX, 2),
                     stmt(BPF_LD | BPF_MEM, 2), ret}));
  CHECK(valid({stmt(BPF_STX, 2), jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), stmt(BPF_ST, 1),
               stmt(BPF_LD | BPF_MEM, 2), ret}));
  // As the kernel: what flows past a return still counts for the instruction after it.
  CHECK(valid({stmt(BPF_ST, 4), ret, stmt(BPF_LD | BPF_MEM, 4), ret}));

  auto why = validate_filter({{stmt(BPF_LD | BPF_W | BPF_ABS, 66), ret}});
  REQUIRE(why);
  CHECK(why->find("instruction 0") == 0);
  CHECK(why->find('\n') == std::string::npos);
}

TEST_CASE("run_filter computes as the kernel's 32-bit classic BPF", "[filter_interpreter]") {
  const sock_filter ret_a = stmt(BPF_RET | BPF_A, 0);
  seccomp_data d = call(AUDIT_ARCH_X86_64, 59, {0x1122334455667788ULL});
  CHECK(run({stmt(BPF_LD | BPF_W | BPF_ABS, kNr), ret_a}, d) == 59);
  CHECK(run({stmt(BPF_LD | BPF_W | BPF_ABS, kArch), ret_a}, d) == AUDIT_ARCH_X86_64);
  CHECK(run({stmt(BPF_LD | BPF_W | BPF_ABS, kArg0Lo), ret_a}, d) == 0x55667788);      // host order
  CHECK(run({stmt(BPF_LD | BPF_W | BPF_ABS, kArg0Lo + 4), ret_a}, d) == 0x11223344);  // high word
  CHECK(run({stmt(BPF_LD | BPF_W | BPF_LEN, 0), ret_a}) == 64);
  CHECK(run({stmt(BPF_LDX | BPF_W | BPF_LEN, 0), stmt(BPF_MISC | BPF_TXA, 0), ret_a}) == 64);
  // A and X start at 0.
  CHECK(run({ret_a}) == 0);
  CHECK(run({stmt(BPF_MISC | BPF_TXA, 0), ret_a}) == 0);
  // 32-bit wrap-around, unsigned division, X shifts masked with 31, NEG.
  CHECK(run({stmt(BPF_LD | BPF_IMM, 0xffffffff), stmt(BPF_ALU | BPF_ADD | BPF_K, 2), ret_a}) == 1);
  CHECK(run({stmt(BPF_ALU | BPF_SUB | BPF_K, 1), ret_a}) == 0xffffffff);
  CHECK(run({stmt(BPF_LD | BPF_IMM, 0x10000), stmt(BPF_ALU | BPF_MUL | BPF_K, 0x10000), ret_a}) ==
        0);
  CHECK(run({stmt(BPF_LD | BPF_IMM, 0xfffffffe), stmt(BPF_ALU | BPF_DIV | BPF_K, 2), ret_a}) ==
        0x7fffffff);
  CHECK(run({stmt(BPF_LD | BPF_IMM, 1), stmt(BPF_LDX | BPF_IMM, 33),
             stmt(BPF_ALU | BPF_LSH | BPF_X, 0), ret_a}) == 2);
  CHECK(run({stmt(BPF_LD | BPF_IMM, 0x80000000), stmt(BPF_ALU | BPF_RSH | BPF_K, 31), ret_a}) == 1);
  CHECK(run({stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_ALU | BPF_NEG, 0), ret_a}) == 0xfffffffb);
  CHECK(run({stmt(BPF_LD | BPF_IMM, 0xf0), stmt(BPF_ALU | BPF_AND | BPF_K, 0x3c),
             stmt(BPF_ALU | BPF_OR | BPF_K, 1), stmt(BPF_ALU | BPF_XOR | BPF_K, 0xff), ret_a}) ==
        0xce);
  // Division by X == 0 ends the program with 0 (SECCOMP_RET_KILL_THREAD).
  CHECK(run({stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_ALU | BPF_DIV | BPF_X, 0),
             stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)}) == SECCOMP_RET_KILL_THREAD);
  // Scratch memory and X.
  CHECK(run({stmt(BPF_LD | BPF_IMM, 9), stmt(BPF_ST, 3), stmt(BPF_LD | BPF_IMM, 0),
             stmt(BPF_LDX | BPF_MEM, 3), stmt(BPF_MISC | BPF_TXA, 0), ret_a}) == 9);
  // Jumps: unsigned comparisons, JSET, JA; jt/jf count from the next instruction.
  const Program cmp = {stmt(BPF_LD | BPF_W | BPF_ABS, kNr),
                       jump(BPF_JMP | BPF_JGT | BPF_K, 0x7fffffff, 2, 0),
                       jump(BPF_JMP | BPF_JSET | BPF_K, 1, 2, 0),
                       stmt(BPF_RET | BPF_K, 10),
                       stmt(BPF_RET | BPF_K, 20),
                       stmt(BPF_JMP | BPF_JA, 1),
                       stmt(BPF_RET | BPF_K, 30),
                       stmt(BPF_RET | BPF_K, 40)};
  CHECK(run(cmp, call(0, -1)) == 20);  // 0xffffffff > 0x7fffffff: unsigned
  CHECK(run(cmp, call(0, 3)) == 40);   // odd: JSET taken, then JA over 30
  CHECK(run(cmp, call(0, 2)) == 10);
}

TEST_CASE("run_filter refuses an invalid program and as_program needs whole instructions",
          "[filter_interpreter]") {
  CHECK_THROWS_AS(run({stmt(BPF_LD | BPF_W | BPF_ABS, 64), stmt(BPF_RET | BPF_A, 0)}),
                  std::logic_error);
  CHECK_THROWS_AS(run({}), std::logic_error);
  std::vector<unsigned char> bytes(12);
  CHECK_THROWS_AS(as_program(bytes), std::invalid_argument);
  bytes.resize(16);
  CHECK(as_program(bytes).size() == 2);
}

TEST_CASE("Docker's default profile compiled by libseccomp answers as the profile says",
          "[filter_interpreter]") {
  Profile profile = load_docker_profile(SYSCOPE_PROFILES "/docker-default-20.10.24.json");
  CompiledFilter compiled = compile_profile(profile, {.runc_enosys = true}, docker_container());
  auto program = as_program(compiled.bpf);
  REQUIRE_FALSE(validate_filter(program));
  const uint32_t x86_64 = AUDIT_ARCH_X86_64;
  auto verdict = [&](const char *name, std::vector<uint64_t> args = {}) {
    return run_filter(program, call(x86_64, nr_of(name), args));
  };
  const uint32_t eperm = SECCOMP_RET_ERRNO | EPERM;
  CHECK(verdict("read") == SECCOMP_RET_ALLOW);
  CHECK(verdict("openat") == SECCOMP_RET_ALLOW);
  CHECK(verdict("mount") == eperm);
  CHECK(verdict("unshare") == eperm);
  CHECK(verdict("bpf") == eperm);
  // clone: allowed only without namespace flags (the MASKED_EQ 0x7e020000 rule).
  CHECK(verdict("clone", {0x11 /* SIGCHLD */}) == SECCOMP_RET_ALLOW);
  CHECK(verdict("clone", {0x10000000 | 0x11 /* CLONE_NEWUSER */}) == eperm);
  // personality: five values only.
  CHECK(verdict("personality", {0}) == SECCOMP_RET_ALLOW);
  CHECK(verdict("personality", {0xffffffff}) == SECCOMP_RET_ALLOW);
  CHECK(verdict("personality", {6 /* PER_BSD */}) == eperm);
  // socket: Docker 20.10 allows every family (names-only).
  CHECK(verdict("socket", {40 /* AF_VSOCK */}) == SECCOMP_RET_ALLOW);
  // clone3 is answered ENOSYS so glibc falls back to clone.
  CHECK(verdict("clone3") == (SECCOMP_RET_ERRNO | ENOSYS));
  // runc's stub: numbers above the highest the profile names get ENOSYS.
  CHECK(run_filter(program, call(x86_64, 1000)) == (SECCOMP_RET_ERRNO | ENOSYS));
  // x32 numbers (bit 30, AUDIT_ARCH_X86_64): the archMap brings SCMP_ARCH_X32 along.
  CHECK(run_filter(program, call(x86_64, nr_of("read", SCMP_ARCH_X32))) == SECCOMP_RET_ALLOW);
  CHECK(run_filter(program, call(x86_64, nr_of("mount", SCMP_ARCH_X32))) == eperm);
  // i386 is in the profile: its own numbers.
  CHECK(run_filter(program, call(AUDIT_ARCH_I386, nr_of("read", SCMP_ARCH_X86))) ==
        SECCOMP_RET_ALLOW);
  CHECK(run_filter(program, call(AUDIT_ARCH_I386, nr_of("mount", SCMP_ARCH_X86))) == eperm);
  // An arch the filter does not know is killed, as libseccomp's bad-arch action says.
  CHECK((run_filter(program, call(AUDIT_ARCH_AARCH64, 63)) & SECCOMP_RET_ACTION_FULL) ==
        SECCOMP_RET_KILL_THREAD);
}

TEST_CASE("an argument-checked rule compiled by libseccomp decides by the 64-bit value",
          "[filter_interpreter]") {
  Profile p;
  p.default_action = Action::errno_;
  p.architectures = {"SCMP_ARCH_X86_64"};
  SyscallRule r;
  r.names = {"getpriority"};
  r.action = Action::allow;
  r.args = {{0, 0x100000000ULL, 0, Op::ge}};
  p.syscalls = {r};
  CompiledFilter compiled = compile_profile(p, {.runc_enosys = false}, docker_container());
  auto program = as_program(compiled.bpf);
  auto verdict = [&](uint64_t arg0) {
    return run_filter(program, call(AUDIT_ARCH_X86_64, nr_of("getpriority"), {arg0}));
  };
  CHECK(verdict(0x100000000ULL) == SECCOMP_RET_ALLOW);
  CHECK(verdict(0xffffffffffffffffULL) == SECCOMP_RET_ALLOW);
  CHECK(verdict(0xffffffffULL) == (SECCOMP_RET_ERRNO | EPERM));
  CHECK(verdict(0) == (SECCOMP_RET_ERRNO | EPERM));
  // Without SCMP_ARCH_X32, an x32 call is a bad arch: killed.
  CHECK((run_filter(program, call(AUDIT_ARCH_X86_64, 0x40000000)) & SECCOMP_RET_ACTION_FULL) ==
        SECCOMP_RET_KILL_THREAD);
}
