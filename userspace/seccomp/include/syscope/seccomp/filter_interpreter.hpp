// SPDX-License-Identifier: Apache-2.0
// Runs a classic-BPF seccomp program on one call's seccomp_data, in userspace, exactly as the
// kernel's seccomp would: what dry-run (watch --would-deny) and profile verify use to learn
// what a compiled or an installed filter answers, without enforcing it.
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace syscope::seccomp {

// Checks the program as the kernel's seccomp_check_filter() does before it would install it:
// 1..4096 instructions, only the opcodes seccomp admits, loads only of aligned 32-bit words
// inside struct seccomp_data, jumps inside the program, scratch memory written before read,
// and a return as the last instruction. nullopt: valid; else why not, one line.
std::optional<std::string> validate_filter(std::span<const sock_filter> program);

// The filter's verdict on `data`: the full 32-bit SECCOMP_RET_* value (action | data), e.g.
// SECCOMP_RET_ERRNO | EPERM. The program must have passed validate_filter() (else
// std::logic_error). Never reads outside `data` or the program.
uint32_t run_filter(std::span<const sock_filter> program, const seccomp_data &data);

// run_filter without its validation pass (a pass over the whole program, most of the cost of a
// run), for a caller that validated `program` once and runs it on many calls: profile verify
// runs each filter on ~10^5. A program validate_filter refuses: undefined behaviour.
uint32_t run_validated_filter(std::span<const sock_filter> program, const seccomp_data &data);

// A CompiledFilter's bytes (CompiledFilter::bpf) as instructions.
std::span<const sock_filter> as_program(std::span<const unsigned char> bpf_bytes);

}  // namespace syscope::seccomp
