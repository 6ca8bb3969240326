// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The kernel's floor for an observer: empty programs on the syscall tracepoints, so what a call
 * pays is the tracepoint's own dispatch (and the BPF trampoline), nothing of ours. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long nr)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
