// SPDX-License-Identifier: Apache-2.0
// What loading syscope's BPF programs needs from the host, checked up front so that a missing
// piece is one clear line (Exit::environment) before any command runs.
#pragma once
#include <cstdint>
#include <string>

namespace syscope::bpf {

// CAP_PERFMON and CAP_BPF arrived in Linux 5.8; older uapi headers lack the macros.
inline constexpr int kCapPerfmon = 38;
inline constexpr int kCapBpf = 39;

// Kernel BTF at /sys/kernel/btf/vmlinux, and root or CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN).
void require_bpf_environment();

// Effective capability mask from a /proc/<pid>/status text ("CapEff:\t000001ffffffffff").
uint64_t effective_capabilities(const std::string &proc_status);

}  // namespace syscope::bpf
