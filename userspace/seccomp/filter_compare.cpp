// SPDX-License-Identifier: Apache-2.0
// Semantic comparison of two filter stacks: the kernel's precedence over a stack, the call
// points worth trying (found by reading which argument words the programs compare with what),
// and the differences grouped per syscall for people and for --json.
#include "syscope/seccomp/filter_compare.hpp"

#include <linux/audit.h>
#include <seccomp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "syscope/seccomp/filter_interpreter.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::seccomp {
namespace {

constexpr uint32_t kMaxErrno = 4095;      // the kernel caps ERRNO's data at MAX_ERRNO
constexpr uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
constexpr uint32_t kArgsOffset = offsetof(seccomp_data, args);
constexpr size_t kFirstKept = 4;       // differing calls kept per syscall
constexpr int kNumbersPastKnown = 32;  // numbers tried past the highest libseccomp knows

int32_t action_rank(uint32_t ret) { return int32_t(ret & SECCOMP_RET_ACTION_FULL); }

uint32_t validated_stack_verdict(std::span<const FilterProgram> stack, const seccomp_data &data) {
  uint32_t ret = SECCOMP_RET_ALLOW;
  for (const FilterProgram &program : stack) {  // newest first, as the kernel walks ->prev
    const uint32_t cur = run_validated_filter(program, data);
    if (action_rank(cur) < action_rank(ret)) ret = cur;
  }
  return ret;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The constants each program compares argument words and nr with, read from the instructions:
// libseccomp (like hand-written filters) loads a word, maybe ANDs it with a mask, then jumps on
// constants, so the last load names what a constant is compared with.
struct Constants {
  std::set<uint32_t> low[6], high[6];  // compared with args[i]'s low / high word
  std::set<uint32_t> masks_low[6], masks_high[6];
  std::set<uint32_t> numbers;  // compared with nr
};

void collect_constants(const FilterProgram &program, Constants &out) {
  int64_t loaded = -1;  // offset of the word in A, or -1 when A holds anything else
  for (const sock_filter &insn : program) {
    const uint16_t cls = BPF_CLASS(insn.code);
    if (insn.code == (BPF_LD | BPF_W | BPF_ABS)) {
      loaded = insn.k;
      continue;
    }
    const bool jump_k =
        cls == BPF_JMP && BPF_OP(insn.code) != BPF_JA && BPF_SRC(insn.code) == BPF_K;
    const bool and_k = insn.code == (BPF_ALU | BPF_AND | BPF_K);
    if (loaded >= 0 && (jump_k || and_k)) {
      if (loaded == offsetof(seccomp_data, nr)) {
        if (jump_k) out.numbers.insert(insn.k);
      } else if (loaded >= kArgsOffset) {
        const size_t arg = (loaded - kArgsOffset) / 8;
        const bool high = (loaded - kArgsOffset) % 8 == 4;
        auto &set = jump_k ? (high ? out.high[arg] : out.low[arg])
                           : (high ? out.masks_high[arg] : out.masks_low[arg]);
        set.insert(insn.k);
      }
      continue;
    }
    if (cls == BPF_LD || cls == BPF_ALU || insn.code == (BPF_MISC | BPF_TXA)) loaded = -1;
  }
}

// Boundary values for one argument, from the constants its words are compared with.
std::vector<uint64_t> argument_values(const Constants &c, size_t arg) {
  std::set<uint64_t> v;
  for (uint32_t k : c.low[arg])
    for (uint32_t d : {k - 1, k, k + 1}) {
      v.insert(d);
      v.insert(0xffffffff00000000ULL | d);  // a negative int, sign-extended
    }
  for (uint32_t k : c.high[arg])
    for (uint32_t d : {k - 1, k, k + 1}) {
      v.insert(uint64_t(d) << 32);
      v.insert(uint64_t(d) << 32 | 0xffffffff);
    }
  for (uint32_t m : c.masks_low[arg]) {
    v.insert(m);
    for (int bit = 0; bit < 32; ++bit)
      if (m & (1u << bit)) v.insert(1ULL << bit);
  }
  for (uint32_t m : c.masks_high[arg]) {
    v.insert(uint64_t(m) << 32);
    for (int bit = 0; bit < 32; ++bit)
      if (m & (1u << bit)) v.insert(1ULL << (bit + 32));
  }
  if (!v.empty()) v.insert({0xffffffffULL, 0x100000000ULL, ~0ULL});
  v.erase(0);  // the all-zero call is tried anyway
  return {v.begin(), v.end()};
}

int highest_known_number(const CallAbi &abi) {
  static std::map<std::pair<uint32_t, uint32_t>, int> known;  // libseccomp's tables never change
  auto [it, fresh] = known.try_emplace({abi.scmp_arch, abi.nr_base}, 0);
  if (fresh)
    for (int n = 0; n < 2048; ++n)
      if (syscall_name(abi.scmp_arch, int(abi.nr_base) + n)) it->second = n;
  return it->second;
}

std::string arg_text(const CallPoint &p) {
  if (p.arg_index < 0) return "all arguments 0";
  return "arg" + std::to_string(p.arg_index) + "=" + hex(p.arg_value);
}

}  // namespace

uint32_t effective_verdict(uint32_t ret) {
  const uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
  const uint32_t data = ret & SECCOMP_RET_DATA;
  switch (action) {
    case SECCOMP_RET_ERRNO: return action | std::min(data, kMaxErrno);
    case SECCOMP_RET_TRAP:
    case SECCOMP_RET_TRACE: return ret;  // the data reaches the task (si_errno) or the tracer
    case SECCOMP_RET_KILL_PROCESS:
    case SECCOMP_RET_KILL_THREAD:
    case SECCOMP_RET_USER_NOTIF:
    case SECCOMP_RET_LOG:
    case SECCOMP_RET_ALLOW: return action;
    default: return SECCOMP_RET_KILL_PROCESS;  // __seccomp_filter's default: kill
  }
}

std::string verdict_name(uint32_t ret) {
  const uint32_t v = effective_verdict(ret);
  const uint32_t data = v & SECCOMP_RET_DATA;
  switch (v & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_ALLOW: return "ALLOW";
    case SECCOMP_RET_LOG: return "LOG";
    case SECCOMP_RET_KILL_PROCESS: return "KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD: return "KILL_THREAD";
    case SECCOMP_RET_USER_NOTIF: return "USER_NOTIF";
    case SECCOMP_RET_TRAP: return "TRAP(" + std::to_string(data) + ")";
    case SECCOMP_RET_TRACE: return "TRACE(" + std::to_string(data) + ")";
    default: {
      const std::string name = syscalls::errno_name(data);
      return "ERRNO(" + (name.rfind("errno ", 0) == 0 ? std::to_string(data) : name) + ")";
    }
  }
}

uint32_t stack_verdict(std::span<const FilterProgram> stack, const seccomp_data &data) {
  for (const FilterProgram &program : stack)
    if (auto why = validate_filter(program))
      throw std::logic_error("stack_verdict on a program seccomp would refuse: " + *why);
  return validated_stack_verdict(stack, data);
}

std::vector<CallAbi> host_call_abis() {
  switch (native_scmp_arch()) {
    case SCMP_ARCH_X86_64:
      return {{"x86_64", AUDIT_ARCH_X86_64, 0, SCMP_ARCH_X86_64},
              {"x32", AUDIT_ARCH_X86_64, kX32Bit, SCMP_ARCH_X32},
              {"i386", AUDIT_ARCH_I386, 0, SCMP_ARCH_X86}};
    case SCMP_ARCH_AARCH64:
      return {{"aarch64", AUDIT_ARCH_AARCH64, 0, SCMP_ARCH_AARCH64},
              {"arm", AUDIT_ARCH_ARM, 0, SCMP_ARCH_ARM}};
    default: {
      const uint32_t native = native_scmp_arch();  // SCMP_ARCH_* tokens are AUDIT_ARCH_* values
      return {{arch_name(native).value_or("native"), native, 0, native}};
    }
  }
}

Comparison compare_stacks(std::span<const FilterProgram> installed,
                          std::span<const FilterProgram> expected,
                          const std::vector<CallAbi> &abis) {
  for (const auto *stack : {&installed, &expected})
    for (const FilterProgram &program : *stack)
      if (auto why = validate_filter(program))
        throw std::logic_error("compare_stacks on a program seccomp would refuse: " + *why);
  Constants constants;
  for (const auto &p : installed) collect_constants(p, constants);
  for (const auto &p : expected) collect_constants(p, constants);
  std::vector<uint64_t> values[6];
  for (size_t arg = 0; arg < 6; ++arg) values[arg] = argument_values(constants, arg);

  Comparison result;
  result.abis = abis;
  for (size_t a = 0; a < abis.size(); ++a) {
    const CallAbi &abi = abis[a];
    std::set<uint32_t> numbers;
    const int top = highest_known_number(abi) + kNumbersPastKnown;
    for (int n = 0; n <= top; ++n) numbers.insert(abi.nr_base + uint32_t(n));
    for (uint32_t k : constants.numbers)  // a stub's or rule's bound, on either side
      if ((k & kX32Bit) == abi.nr_base)
        for (uint32_t d : {k - 1, k, k + 1}) numbers.insert(d);
    for (uint32_t nr : numbers) {
      SyscallDifference group;
      group.abi = a;
      group.nr = int(nr);
      auto try_call = [&](int arg_index, uint64_t value) {
        seccomp_data data{};
        data.nr = int(nr);
        data.arch = abi.arch;
        if (arg_index >= 0) data.args[arg_index] = value;
        const uint32_t got = effective_verdict(validated_stack_verdict(installed, data));
        const uint32_t want = effective_verdict(validated_stack_verdict(expected, data));
        ++group.tried;
        if (got == want) return;
        ++group.differing;
        if (group.first.size() < kFirstKept)
          group.first.push_back({{a, int(nr), arg_index, value}, got, want});
      };
      try_call(-1, 0);
      for (int arg = 0; arg < 6; ++arg)
        for (uint64_t v : values[arg]) try_call(arg, v);
      result.calls += group.tried;
      result.differing += group.differing;
      if (group.differing == 0) continue;
      group.name = syscall_name(abi.scmp_arch, int(nr))
                       .value_or("#" + std::to_string(int32_t(nr - abi.nr_base)));
      result.syscalls.push_back(std::move(group));
    }
  }
  return result;
}

std::vector<std::string> describe_differences(const Comparison &comparison, size_t max_lines) {
  std::vector<std::string> lines;
  for (const SyscallDifference &s : comparison.syscalls) {
    if (lines.size() == max_lines) {
      lines.push_back("... and " + std::to_string(comparison.syscalls.size() - max_lines) +
                      " more syscalls differ");
      break;
    }
    const VerdictDifference &d = s.first.front();
    std::string line = s.name + " (" + comparison.abis[s.abi].name + "): installed " +
                       verdict_name(d.installed) + ", expected " + verdict_name(d.expected);
    if (s.differing == s.tried)
      line += s.tried == 1 ? "" : ", for every argument value tried";
    else
      line +=
          ", for " + arg_text(d.call) +
          (s.differing > 1 ? " (and " + std::to_string(s.differing - 1) +
                                 " more argument values of " + std::to_string(s.tried) + " tried)"
                           : "");
    lines.push_back(line);
  }
  return lines;
}

nlohmann::ordered_json differences_json(const Comparison &comparison) {
  nlohmann::ordered_json out;
  out["calls"] = comparison.calls;
  out["differing"] = comparison.differing;
  out["syscalls"] = nlohmann::ordered_json::array();
  for (const SyscallDifference &s : comparison.syscalls) {
    nlohmann::ordered_json first = nlohmann::ordered_json::array();
    for (const VerdictDifference &d : s.first)
      first.push_back(
          {{"arg_index", d.call.arg_index < 0 ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(d.call.arg_index)},
           {"arg_value", d.call.arg_value},
           {"installed", verdict_name(d.installed)},
           {"expected", verdict_name(d.expected)}});
    out["syscalls"].push_back({{"abi", comparison.abis[s.abi].name},
                               {"syscall", s.name},
                               {"nr", s.nr},
                               {"differing", s.differing},
                               {"tried", s.tried},
                               {"first", std::move(first)}});
  }
  return out;
}

}  // namespace syscope::seccomp
