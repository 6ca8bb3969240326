// SPDX-License-Identifier: Apache-2.0
// Two stacks of seccomp filters compared by what they answer, not by their bytes: every syscall
// number of every ABI the host runs, at the argument values where either stack's comparisons
// change their answer. What `profile verify` reports ("which profile is really applied?").
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace syscope::seccomp {

using FilterProgram = std::vector<sock_filter>;

// What the kernel does with a filter's return value: ERRNO's data capped at MAX_ERRNO (4095),
// the data dropped where the action ignores it (ALLOW, LOG, KILL_*, USER_NOTIF), an action
// the kernel does not know acted on as KILL_PROCESS. Two equal values: the same outcome.
uint32_t effective_verdict(uint32_t ret);
// "ALLOW", "ERRNO(EPERM)", "ERRNO(4000)", "TRAP(3)", "TRACE(1)", "KILL_PROCESS", "LOG", ...
std::string verdict_name(uint32_t ret);

// A stack's verdict on one call, as the kernel's seccomp_run_filters: every filter runs, the
// lowest action (as a signed 32-bit value) wins, the newest filter on a tie. `stack[0]` is the
// newest, as PTRACE_SECCOMP_GET_FILTER numbers them; an empty stack allows. A program
// validate_filter() refuses: std::logic_error (here and in compare_stacks).
uint32_t stack_verdict(std::span<const FilterProgram> stack, const seccomp_data &data);

// The ABIs a task on this host can enter the kernel through, as seccomp_data shows them.
struct CallAbi {
  std::string name;    // "x86_64", "x32", "i386"
  uint32_t arch;       // AUDIT_ARCH_* (x32 calls come as AUDIT_ARCH_X86_64)
  uint32_t nr_base;    // 0, or 0x40000000 (__X32_SYSCALL_BIT)
  uint32_t scmp_arch;  // the libseccomp token naming its numbers
};
std::vector<CallAbi> host_call_abis();

struct CallPoint {
  size_t abi = 0;      // index into Comparison::abis
  int nr = 0;          // as seccomp_data.nr has it (x32: with the x32 bit)
  int arg_index = -1;  // the one argument set; -1: all six are 0
  uint64_t arg_value = 0;
};

struct VerdictDifference {
  CallPoint call;
  uint32_t installed = 0, expected = 0;  // effective verdicts
};

// The differences of one syscall number of one ABI, grouped.
struct SyscallDifference {
  size_t abi = 0;
  int nr = 0;
  std::string name;                      // libseccomp's, or "#<nr>" when it has none
  std::vector<VerdictDifference> first;  // the first few differing calls (ascending arguments)
  size_t differing = 0;                  // calls of this syscall that differ
  size_t tried = 0;                      // calls of this syscall that were tried
};

struct Comparison {
  std::vector<CallAbi> abis;
  size_t calls = 0;  // calls evaluated, each on both stacks
  size_t differing = 0;
  std::vector<SyscallDifference> syscalls;  // by ABI, then number
  bool equal() const { return differing == 0; }
};

// Compares the stacks on every ABI of `abis`, every syscall number from 0 to past the highest
// libseccomp knows there (and any number either stack compares with), each once with all
// arguments 0 and then with one argument at a time set to each boundary value: every constant
// either stack compares that argument's 32-bit words with, +-1, as the low and as the high
// word, with 0 and 0xffffffff around it, and the bits of every mask it ANDs the argument with.
Comparison compare_stacks(std::span<const FilterProgram> installed,
                          std::span<const FilterProgram> expected,
                          const std::vector<CallAbi> &abis = host_call_abis());

// One line per differing syscall, at most `max_lines` (then "... and N more syscalls differ"):
// "clone (x86_64): installed ERRNO(EPERM), expected ALLOW, for arg0=0x10000000 (and 3 more
// argument values of 41 tried)".
std::vector<std::string> describe_differences(const Comparison &comparison, size_t max_lines);

// The same, for --json: {"calls":N,"differing":N,"syscalls":[{"abi":"x86_64","syscall":"clone",
// "nr":56,"differing":4,"tried":41,"first":[{"arg_index":0,"arg_value":268435456,
// "installed":"ERRNO(EPERM)","expected":"ALLOW"}]}]} (arg_index null: all arguments 0).
nlohmann::ordered_json differences_json(const Comparison &comparison);

}  // namespace syscope::seccomp
