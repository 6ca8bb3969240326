/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* BPF-only helpers shared by the syscope programs: loss counters and compat-call detection. */
#pragma once
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <syscope/abi.h>

/* x86's thread_info.status flag for a 32-bit syscall in progress (asm/thread_info.h). It is a
 * macro, so BTF does not carry it; its value has been 0x0002 since it was introduced. */
#define SYSCOPE_TS_COMPAT 0x0002

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCOPE_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count_loss(enum syscope_counter which)
{
	__u32 key = which;
	__u64 *n = bpf_map_lookup_elem(&counters, &key);

	if (n)
		*n += 1; /* per-CPU slot: no other writer, no atomic needed */
}

static __always_inline __u32 current_syscall_arch(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	/* A BTF pointer: a direct, CO-RE relocated load, no probe_read on the hot path. */
	if (task->thread_info.status & SYSCOPE_TS_COMPAT)
		return SYSCOPE_ARCH_COMPAT;
#endif
	return SYSCOPE_ARCH_NATIVE;
}
