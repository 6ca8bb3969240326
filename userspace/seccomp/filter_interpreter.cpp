// SPDX-License-Identifier: Apache-2.0
// The kernel's rules for a seccomp program (net/core/filter.c bpf_check_classic, with its
// check_load_and_stores, then kernel/seccomp.c seccomp_check_filter) and the semantics the
// kernel runs it with (classic BPF converted to eBPF: A and X zeroed first, 32-bit ALU, a
// division by X == 0 returns 0, shifts by X use X & 31). Standard library and uapi headers only,
// so the fuzzer builds this file alone.
#include "syscope/seccomp/filter_interpreter.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace syscope::seccomp {
namespace {

constexpr size_t kMaxInstructions = BPF_MAXINSNS;  // 4096
constexpr uint32_t kDataSize = sizeof(seccomp_data);
static_assert(kDataSize == 64, "seccomp_data: nr, arch, instruction_pointer, args[6]");

// The opcodes seccomp_check_filter admits, compared as whole 16-bit codes, as the kernel does:
// a code with stray bits set is refused. Before it, bpf_check_classic admits a superset (H/B
// loads, IND, MSH, MOD, RET X...) that seccomp then refuses, so this list alone decides.
bool admitted(uint16_t code) {
  switch (code) {
    case BPF_LD | BPF_W | BPF_ABS:
    case BPF_LD | BPF_W | BPF_LEN:
    case BPF_LDX | BPF_W | BPF_LEN:
    case BPF_RET | BPF_K:
    case BPF_RET | BPF_A:
    case BPF_ALU | BPF_ADD | BPF_K:
    case BPF_ALU | BPF_ADD | BPF_X:
    case BPF_ALU | BPF_SUB | BPF_K:
    case BPF_ALU | BPF_SUB | BPF_X:
    case BPF_ALU | BPF_MUL | BPF_K:
    case BPF_ALU | BPF_MUL | BPF_X:
    case BPF_ALU | BPF_DIV | BPF_K:
    case BPF_ALU | BPF_DIV | BPF_X:
    case BPF_ALU | BPF_AND | BPF_K:
    case BPF_ALU | BPF_AND | BPF_X:
    case BPF_ALU | BPF_OR | BPF_K:
    case BPF_ALU | BPF_OR | BPF_X:
    case BPF_ALU | BPF_XOR | BPF_K:
    case BPF_ALU | BPF_XOR | BPF_X:
    case BPF_ALU | BPF_LSH | BPF_K:
    case BPF_ALU | BPF_LSH | BPF_X:
    case BPF_ALU | BPF_RSH | BPF_K:
    case BPF_ALU | BPF_RSH | BPF_X:
    case BPF_ALU | BPF_NEG:
    case BPF_LD | BPF_IMM:
    case BPF_LDX | BPF_IMM:
    case BPF_MISC | BPF_TAX:
    case BPF_MISC | BPF_TXA:
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
    case BPF_JMP | BPF_JA:
    case BPF_JMP | BPF_JEQ | BPF_K:
    case BPF_JMP | BPF_JEQ | BPF_X:
    case BPF_JMP | BPF_JGE | BPF_K:
    case BPF_JMP | BPF_JGE | BPF_X:
    case BPF_JMP | BPF_JGT | BPF_K:
    case BPF_JMP | BPF_JGT | BPF_X:
    case BPF_JMP | BPF_JSET | BPF_K:
    case BPF_JMP | BPF_JSET | BPF_X: return true;
    default: return false;
  }
}

bool conditional_jump(uint16_t code) {
  return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

bool memory_load(uint16_t code) {
  return code == (BPF_LD | BPF_MEM) || code == (BPF_LDX | BPF_MEM);
}

bool memory_store(uint16_t code) { return code == BPF_ST || code == BPF_STX; }

std::string at(size_t pc, const std::string &what) {
  return "instruction " + std::to_string(pc) + ": " + what;
}

std::string hex(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), digits[v & 0xf]);
    v >>= 4;
  } while (v != 0);
  return "0x" + s;
}

// check_load_and_stores: one forward pass (jumps only go forward). A cell is valid at an
// instruction when every way in wrote it: `masks[pc]` gathers what each jump into pc carried,
// `valid` what falling through carries. The kernel resets `valid` to all cells after a jump
// (nothing falls through one) but not after a return, so the instruction after a return sees
// the return's state too; kept as the kernel has it, which is what decides installability.
std::optional<std::string> check_memory(std::span<const sock_filter> program) {
  std::array<uint16_t, kMaxInstructions> masks;
  std::fill_n(masks.begin(), program.size(), uint16_t{0xffff});
  uint16_t valid = 0;
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter &insn = program[pc];
    valid &= masks[pc];
    if (memory_store(insn.code)) {
      valid |= uint16_t(1u << insn.k);
    } else if (memory_load(insn.code)) {
      if ((valid & (1u << insn.k)) == 0)
        return at(pc, "reads M[" + std::to_string(insn.k) + "] before every path to it wrote it");
    } else if (insn.code == (BPF_JMP | BPF_JA)) {
      masks[pc + 1 + insn.k] &= valid;
      valid = 0xffff;
    } else if (conditional_jump(insn.code)) {
      masks[pc + 1 + insn.jt] &= valid;
      masks[pc + 1 + insn.jf] &= valid;
      valid = 0xffff;
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_instruction(std::span<const sock_filter> program, size_t pc) {
  const sock_filter &insn = program[pc];
  const size_t after = program.size() - pc - 1;  // instructions a jump from pc may skip, at most
  if (!admitted(insn.code))
    return at(pc, "opcode " + hex(insn.code) + " is not one seccomp admits");
  switch (insn.code) {
    case BPF_ALU | BPF_DIV | BPF_K:
      if (insn.k == 0) return at(pc, "division by the constant 0");
      break;
    case BPF_ALU | BPF_LSH | BPF_K:
    case BPF_ALU | BPF_RSH | BPF_K:
      if (insn.k >= 32) return at(pc, "shift by " + std::to_string(insn.k) + " (at most 31)");
      break;
    case BPF_LD | BPF_MEM:
    case BPF_LDX | BPF_MEM:
    case BPF_ST:
    case BPF_STX:
      if (insn.k >= BPF_MEMWORDS)
        return at(pc, "scratch memory M[" + std::to_string(insn.k) + "] (M[0..15] exist)");
      break;
    case BPF_LD | BPF_W | BPF_ABS:
      if (insn.k >= kDataSize || (insn.k & 3) != 0)
        return at(pc, "load at offset " + std::to_string(insn.k) +
                          ": seccomp_data has 32-bit words at offsets 0, 4, ... 60");
      break;
    case BPF_JMP | BPF_JA:
      if (insn.k >= after)
        return at(pc, "jump over " + std::to_string(insn.k) + " instructions leaves the program");
      break;
    default:
      if (conditional_jump(insn.code) && (insn.jt >= after || insn.jf >= after))
        return at(pc, "jump over " + std::to_string(insn.jt >= after ? insn.jt : insn.jf) +
                          " instructions leaves the program");
      break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate_filter(std::span<const sock_filter> program) {
  if (program.empty()) return "the program has no instructions";
  if (program.size() > kMaxInstructions)
    return std::to_string(program.size()) + " instructions: the kernel admits at most " +
           std::to_string(kMaxInstructions);
  for (size_t pc = 0; pc < program.size(); ++pc)
    if (auto why = check_instruction(program, pc)) return why;
  const uint16_t last = program.back().code;
  if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
    return at(program.size() - 1, "the last instruction must be a return");
  return check_memory(program);
}

uint32_t run_filter(std::span<const sock_filter> program, const seccomp_data &data) {
  // Checked on every run, not trusted: the interpreter's bounds rest on it. It costs one pass
  // over the program, less than a microsecond for Docker's default filter.
  if (auto why = validate_filter(program))
    throw std::logic_error("run_filter on a program seccomp would refuse: " + *why);
  unsigned char bytes[kDataSize];
  std::memcpy(bytes, &data, kDataSize);
  uint32_t a = 0, x = 0;
  std::array<uint32_t, BPF_MEMWORDS> mem{};
  for (size_t pc = 0;; ++pc) {
    const sock_filter &insn = program[pc];
    const uint32_t k = insn.k;
    switch (insn.code) {
      case BPF_LD | BPF_W | BPF_ABS: std::memcpy(&a, bytes + k, sizeof a); break;
      case BPF_LD | BPF_W | BPF_LEN: a = kDataSize; break;
      case BPF_LDX | BPF_W | BPF_LEN: x = kDataSize; break;
      case BPF_LD | BPF_IMM: a = k; break;
      case BPF_LDX | BPF_IMM: x = k; break;
      case BPF_LD | BPF_MEM: a = mem[k]; break;
      case BPF_LDX | BPF_MEM: x = mem[k]; break;
      case BPF_ST: mem[k] = a; break;
      case BPF_STX: mem[k] = x; break;
      case BPF_MISC | BPF_TAX: x = a; break;
      case BPF_MISC | BPF_TXA: a = x; break;
      case BPF_RET | BPF_K: return k;
      case BPF_RET | BPF_A: return a;
      case BPF_ALU | BPF_ADD | BPF_K: a += k; break;
      case BPF_ALU | BPF_ADD | BPF_X: a += x; break;
      case BPF_ALU | BPF_SUB | BPF_K: a -= k; break;
      case BPF_ALU | BPF_SUB | BPF_X: a -= x; break;
      case BPF_ALU | BPF_MUL | BPF_K: a *= k; break;
      case BPF_ALU | BPF_MUL | BPF_X: a *= x; break;
      case BPF_ALU | BPF_DIV | BPF_K: a /= k; break;  // k != 0: validated
      case BPF_ALU | BPF_DIV | BPF_X:
        if (x == 0) return 0;  // the converted program exits with 0: SECCOMP_RET_KILL_THREAD
        a /= x;
        break;
      case BPF_ALU | BPF_AND | BPF_K: a &= k; break;
      case BPF_ALU | BPF_AND | BPF_X: a &= x; break;
      case BPF_ALU | BPF_OR | BPF_K: a |= k; break;
      case BPF_ALU | BPF_OR | BPF_X: a |= x; break;
      case BPF_ALU | BPF_XOR | BPF_K: a ^= k; break;
      case BPF_ALU | BPF_XOR | BPF_X: a ^= x; break;
      case BPF_ALU | BPF_LSH | BPF_K: a <<= k; break;  // k < 32: validated
      case BPF_ALU | BPF_LSH | BPF_X: a <<= (x & 31); break;
      case BPF_ALU | BPF_RSH | BPF_K: a >>= k; break;
      case BPF_ALU | BPF_RSH | BPF_X: a >>= (x & 31); break;
      case BPF_ALU | BPF_NEG: a = 0u - a; break;
      case BPF_JMP | BPF_JA: pc += k; break;
      case BPF_JMP | BPF_JEQ | BPF_K: pc += a == k ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JEQ | BPF_X: pc += a == x ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JGE | BPF_K: pc += a >= k ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JGE | BPF_X: pc += a >= x ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JGT | BPF_K: pc += a > k ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JGT | BPF_X: pc += a > x ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JSET | BPF_K: pc += (a & k) != 0 ? insn.jt : insn.jf; break;
      case BPF_JMP | BPF_JSET | BPF_X: pc += (a & x) != 0 ? insn.jt : insn.jf; break;
      default: throw std::logic_error("run_filter: unvalidated opcode");  // validate_filter's list
    }
  }
}

std::span<const sock_filter> as_program(std::span<const unsigned char> bpf_bytes) {
  if (bpf_bytes.size() % sizeof(sock_filter) != 0)
    throw std::invalid_argument("as_program: " + std::to_string(bpf_bytes.size()) +
                                " bytes are not whole 8-byte instructions");
  if (reinterpret_cast<uintptr_t>(bpf_bytes.data()) % alignof(sock_filter) != 0)
    throw std::invalid_argument("as_program: bytes not aligned for struct sock_filter");
  return {reinterpret_cast<const sock_filter *>(bpf_bytes.data()),
          bpf_bytes.size() / sizeof(sock_filter)};
}

}  // namespace syscope::seccomp
