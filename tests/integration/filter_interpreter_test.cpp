// SPDX-License-Identifier: Apache-2.0
// The proof of the userspace interpreter: the real kernel agrees with it. (1) Which programs
// seccomp accepts: each candidate is installed in a forked child. (2) Which return each call
// reaches: every return of a compiled profile is rewritten to ERRNO(its own index + 1), so a
// child under that filter can make any call (none runs: each one only returns its tag) and the
// errno it gets names the instruction the kernel ended on, for x86_64, x32 and i386 (int 0x80)
// calls with arguments at the program's own comparison constants.
#include <catch2/catch.hpp>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <random>
#include <set>
#include <span>
#include <vector>

#include "syscope/seccomp/filter_interpreter.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

using namespace syscope::seccomp;

namespace {

enum class Entry : uint32_t { x86_64, i386 };

struct Call {
  Entry entry;
  long nr;
  uint64_t args[6];
};

// The i386 entry from 64-bit code: int 0x80 takes eax and ebx..ebp (32-bit values, so the
// registers' upper halves are zero). ebp is the frame pointer: saved around the call by hand.
long int80(const Call &c) {
  long ret = c.nr;
  uint32_t a0 = uint32_t(c.args[0]), a1 = uint32_t(c.args[1]), a2 = uint32_t(c.args[2]);
  uint32_t a3 = uint32_t(c.args[3]), a4 = uint32_t(c.args[4]);
  register uint64_t a5 asm("r12") = uint32_t(c.args[5]);
  asm volatile("push %%rbp\n\t"
               "mov %%r12d, %%ebp\n\t"
               "int $0x80\n\t"
               "pop %%rbp"
               : "+a"(ret), "+r"(a5), "+b"(a0), "+c"(a1), "+d"(a2), "+S"(a3), "+D"(a4)
               :
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return ret;
}

// -errno as the kernel returned it, from either entry.
long make_call(const Call &c) {
  if (c.entry == Entry::i386) return int80(c);
  long r = syscall(c.nr, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
  return r == -1 ? -errno : r;
}

// Forks a child that runs `body` and reports its exit status (128 + signal when killed).
template <typename F> int in_child(F body) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);  // children end on a trap: no core files
    signal(SIGILL, SIG_DFL);           // Catch2's handlers would report the expected faults
    signal(SIGSEGV, SIG_DFL);
    body();
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Does int 0x80 work here (IA32 emulation built in and enabled)?
bool have_int80() {
  return in_child([] {
           Call c{Entry::i386, 20 /* i386 getpid */, {}};
           _exit(int80(c) == getpid() ? 0 : 1);
         }) == 0;
}

// Installs `program` in a child: accepted (the child then traps before any other call) or the
// errno seccomp(2) refused it with.
bool kernel_accepts(const std::vector<sock_filter> &program) {
  int status = in_child([&] {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(98);
    sock_fprog prog{uint16_t(program.size()), const_cast<sock_filter *>(program.data())};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      _exit(errno == EINVAL ? 22 : 99);
    __builtin_trap();
  });
  REQUIRE(status != 98);
  REQUIRE(status != 99);
  return status != 22;
}

HostFacts docker_container() {
  HostFacts host = current_host();
  host.capabilities = 0;
  for (const char *cap : {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                          "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                          "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"})
    host.capabilities |= 1ULL << *capability_number(cap);
  return host;
}

// Argument values worth trying against `program`: each constant it compares with, +-1, and as
// the high word, with 0 and 0xffffffff.
std::vector<uint64_t> argument_pool(std::span<const sock_filter> program) {
  std::set<uint64_t> pool = {0, 0xffffffff, 0xffffffff00000000ULL, ~0ULL};
  for (const sock_filter &i : program)
    if (BPF_CLASS(i.code) == BPF_JMP && BPF_SRC(i.code) == BPF_K && BPF_OP(i.code) != BPF_JA)
      for (uint32_t v : {i.k, i.k - 1, i.k + 1}) {
        pool.insert(v);
        pool.insert(uint64_t(v) << 32);
      }
  return {pool.begin(), pool.end()};
}

// Every number up to `top` with all-zero arguments, then `random_calls` calls whose arguments
// come from the pool, on both entries (x32 numbers through the x86_64 entry).
std::vector<Call> calls_for(std::span<const sock_filter> program, bool with_i386) {
  std::vector<Call> calls;
  std::vector<Entry> entries = {Entry::x86_64};
  if (with_i386) entries.push_back(Entry::i386);
  for (Entry e : entries)
    for (long nr = 0; nr < 480; ++nr) calls.push_back({e, nr, {}});
  for (long nr = 0; nr < 40; ++nr) calls.push_back({Entry::x86_64, 0x40000000 | nr, {}});
  std::vector<uint64_t> pool = argument_pool(program);
  std::mt19937_64 rng(14);
  for (int n = 0; n < 6000; ++n) {
    Call c{entries[rng() % entries.size()], long(rng() % 460), {}};
    // One argument at a time mostly (how rules differ), sometimes all six.
    if (n % 4 == 0) {
      for (uint64_t &a : c.args) a = pool[rng() % pool.size()];
    } else {
      c.args[rng() % 6] = pool[rng() % pool.size()];
    }
    if (c.entry == Entry::i386)
      for (uint64_t &a : c.args) a = uint32_t(a);
    calls.push_back(c);
  }
  return calls;
}

seccomp_data data_of(const Call &c) {
  seccomp_data d{};
  d.nr = int(c.nr);
  d.arch = c.entry == Entry::i386 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
  for (int i = 0; i < 6; ++i) d.args[i] = c.args[i];
  return d;
}

sigjmp_buf g_trapped;
void on_sigill(int) { siglongjmp(g_trapped, 1); }

// A call that never reached seccomp: some hypervisors take syscall numbers for themselves before
// the guest kernel sees them (this suite's PVM guests: x86_64 335 raises SIGILL, 336 returns
// ENXIO, filter or not). Such calls are found first, under a filter answering ERRNO(4095) to
// everything, and left out.
constexpr long kTrappedEarly = -1;

// Runs `calls` under the tagged copy of `compiled` in a child; the errno each call got.
std::vector<long> kernel_tags(const CompiledFilter &tagged, const std::vector<Call> &calls) {
  size_t bytes = calls.size() * sizeof(long);
  void *shared = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(shared != MAP_FAILED);
  long *results = static_cast<long *>(shared);
  int status = in_child([&] {
    // SA_NODEFER and a jump that restores no mask: the way back from the handler makes no call
    // (rt_sigreturn and rt_sigprocmask would only return their tags now).
    struct sigaction sa {};
    sa.sa_handler = on_sigill;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGILL, &sa, nullptr);
    try {
      install_filter(tagged);
    } catch (...) {
      _exit(97);
    }
    for (size_t i = 0; i < calls.size(); ++i) {
      if (sigsetjmp(g_trapped, 0) == 0)
        results[i] = -make_call(calls[i]);
      else
        results[i] = kTrappedEarly;
    }
    // exit_group would only return its tag: end on a fault instead, without a call.
    *static_cast<volatile int *>(nullptr) = 0;
  });
  CHECK(status == 128 + SIGSEGV);
  std::vector<long> out(results, results + calls.size());
  munmap(shared, bytes);
  return out;
}

// Compares the kernel and the interpreter on every call, for one compiled profile.
void check_agreement(const CompiledFilter &compiled, bool with_i386) {
  auto program = as_program(compiled.bpf);
  REQUIRE_FALSE(validate_filter(program));
  REQUIRE(program.size() < 4095);
  CompiledFilter tagged = compiled;
  std::vector<sock_filter> retagged(program.begin(), program.end());
  for (size_t pc = 0; pc < retagged.size(); ++pc) {
    REQUIRE(retagged[pc].code != (BPF_RET | BPF_A));  // libseccomp returns constants only
    if (retagged[pc].code == (BPF_RET | BPF_K)) retagged[pc].k = SECCOMP_RET_ERRNO | (pc + 1);
  }
  std::memcpy(tagged.bpf.data(), retagged.data(), tagged.bpf.size());
  std::vector<Call> calls = calls_for(program, with_i386);
  std::vector<long> kernel = kernel_tags(tagged, calls);
  CompiledFilter answer_all = compiled;
  const sock_filter everything = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 4095);
  answer_all.bpf.assign(reinterpret_cast<const unsigned char *>(&everything),
                        reinterpret_cast<const unsigned char *>(&everything + 1));
  std::vector<long> seen_by_seccomp = kernel_tags(answer_all, calls);
  size_t disagreements = 0;
  std::set<long> seen, trapped_early;  // trapped_early: numbers seccomp never saw
  for (size_t i = 0; i < calls.size(); ++i) {
    if (kernel[i] == kTrappedEarly || seen_by_seccomp[i] != 4095) {
      trapped_early.insert(calls[i].nr);
      continue;
    }
    uint32_t ours = run_filter(retagged, data_of(calls[i]));
    long expected = long(ours & SECCOMP_RET_DATA);
    if (kernel[i] != expected && ++disagreements <= 5)
      FAIL_CHECK("call " << calls[i].nr << (calls[i].entry == Entry::i386 ? " (i386)" : "")
                         << " arg0 " << calls[i].args[0] << ": kernel ended at instruction "
                         << kernel[i] - 1 << ", the interpreter at " << expected - 1);
    seen.insert(kernel[i]);
  }
  if (!trapped_early.empty()) {
    std::string numbers;
    for (long nr : trapped_early) numbers += " " + std::to_string(nr);
    WARN("numbers this host takes before seccomp runs, not compared:" << numbers);
  }
  CHECK(trapped_early.size() <= 2);
  INFO(calls.size() << " calls, " << seen.size() << " distinct returns");
  CHECK(disagreements == 0);
  // libseccomp shares one return per verdict: allowed, refused and ENOSYS calls were all tried.
  CHECK(seen.size() >= 3);
}

}  // namespace

TEST_CASE("the kernel ends each call on the return the interpreter predicts",
          "[filter_interpreter]") {
  const bool with_i386 = have_int80();
  if (!with_i386) WARN("int 0x80 unavailable (no IA32 emulation): i386 calls not checked");
  Profile docker = load_docker_profile(SYSCOPE_SOURCE_DIR "/profiles/docker-default-20.10.24.json");
  SECTION("Docker's default with runc's ENOSYS stub") {
    check_agreement(compile_profile(docker, {.runc_enosys = true}, docker_container()), with_i386);
  }
  SECTION("Docker's default with CAP_SYS_ADMIN and without the stub") {
    HostFacts admin = docker_container();
    admin.capabilities |= 1ULL << *capability_number("CAP_SYS_ADMIN");
    check_agreement(compile_profile(docker, {.runc_enosys = false}, admin), with_i386);
  }
  SECTION("64-bit argument comparisons of every operator") {
    Profile p;
    p.default_action = Action::errno_;
    p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
    auto allow = [](const char *name, std::vector<ArgCondition> args) {
      SyscallRule r;
      r.names = {name};
      r.action = Action::allow;
      r.args = std::move(args);
      return r;
    };
    p.syscalls = {allow("read", {{0, 3, 0, Op::lt}}),
                  allow("write", {{1, 0x100000000ULL, 0, Op::ge}}),
                  allow("close", {{0, 7, 0, Op::ne}, {2, 9, 0, Op::le}}),
                  allow("ioctl", {{1, 0x5401, 0, Op::eq}}),
                  allow("fcntl", {{1, 0xff, 0x10, Op::masked_eq}}),
                  allow("lseek", {{2, 0xfffffffeULL, 0, Op::gt}}),
                  allow("getpid", {})};
    check_agreement(compile_profile(p, {.runc_enosys = true}, docker_container()), with_i386);
  }
}

TEST_CASE("the kernel accepts exactly the programs validate_filter accepts",
          "[filter_interpreter]") {
  // Every classic opcode class and mode, valid for seccomp or not, and constants at the limits.
  std::vector<uint16_t> codes;
  for (uint16_t cls : {BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC})
    for (uint16_t rest = 0; rest < 0x100; rest += 8) codes.push_back(uint16_t(cls | rest));
  codes.push_back(0x8006);  // RET|K with a bit beyond the classic fields
  const uint32_t ks[] = {0, 1, 2, 3, 4, 15, 16, 31, 32, 60, 63, 64, 0xfffff000, 0xffffffff};
  const uint8_t offsets[] = {0, 1, 2, 3, 250};
  std::mt19937 rng(4096);
  size_t accepted = 0, refused = 0, disagreements = 0;
  for (int n = 0; n < 1500; ++n) {
    std::vector<sock_filter> program(1 + rng() % 6);
    for (sock_filter &i : program) {
      // Mostly seccomp's own opcodes (so some programs pass), sometimes any code at all.
      i.code = rng() % 3 == 0 ? codes[rng() % codes.size()] : uint16_t(0);
      if (i.code == 0) {
        static const uint16_t common[] = {BPF_LD | BPF_W | BPF_ABS,
                                          BPF_LD | BPF_MEM,
                                          BPF_LDX | BPF_MEM,
                                          BPF_ST,
                                          BPF_STX,
                                          BPF_JMP | BPF_JEQ | BPF_K,
                                          BPF_JMP | BPF_JA,
                                          BPF_ALU | BPF_DIV | BPF_K,
                                          BPF_ALU | BPF_LSH | BPF_K,
                                          BPF_RET | BPF_K,
                                          BPF_RET | BPF_A,
                                          BPF_LD | BPF_W | BPF_LEN};
        i.code = common[rng() % std::size(common)];
      }
      i.k = ks[rng() % std::size(ks)];
      i.jt = offsets[rng() % std::size(offsets)];
      i.jf = offsets[rng() % std::size(offsets)];
    }
    if (rng() % 4 != 0) program.back() = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    const bool ours = !validate_filter(program);
    const bool kernels = kernel_accepts(program);
    (kernels ? accepted : refused)++;
    if (ours != kernels && ++disagreements <= 5) {
      std::string text;
      for (const sock_filter &i : program)
        text += " {" + std::to_string(i.code) + "," + std::to_string(i.jt) + "," +
                std::to_string(i.jf) + "," + std::to_string(i.k) + "}";
      FAIL_CHECK("kernel " << (kernels ? "accepts" : "refuses") << ", validate_filter "
                           << (ours ? "accepts" : "refuses") << ":" << text);
    }
  }
  CHECK(disagreements == 0);
  CHECK(accepted > 100);  // both outcomes well represented
  CHECK(refused > 100);
}
