/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* BPF-only helpers and the maps shared by the .bpf.c files of one skeleton (defined __weak
 * here, once, so bpftool gen object merges them): loss counters, the event ring buffer, the
 * per-task in-flight mark, compat-call detection. */
#pragma once
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <syscope/abi.h>

/* x86's thread_info.status flag for a 32-bit syscall in progress (asm/thread_info.h). It is a
 * macro, so BTF does not carry it; its value has been 0x0002 since it was introduced. */
#define SYSCOPE_TS_COMPAT 0x0002
/* uapi linux/seccomp.h; task->seccomp.mode also takes 3 (SECCOMP_MODE_DEAD, since 5.17) once a
 * KILL verdict has fired. */
#define SYSCOPE_SECCOMP_MODE_FILTER 2
#define SYSCOPE_MAX_ERRNO 4095

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCOPE_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps") __weak;

/* Only tasks under a seccomp filter get a slot, and only while denials are tracked. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscope_in_flight);
} in_flight SEC(".maps") __weak;

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

/* The call's six arguments, in syscall order, as seccomp_data.args holds them: a 32-bit compat
 * task passes them in other registers, zero-extended here. */
static __always_inline void read_call_args(__u64 *args, struct pt_regs *regs, __u32 arch)
{
#if defined(__TARGET_ARCH_x86)
	/* i386 passes arguments in ebx, ecx, edx, esi, edi, ebp */
	if (arch == SYSCOPE_ARCH_COMPAT) {
		args[0] = (__u32)regs->bx;
		args[1] = (__u32)regs->cx;
		args[2] = (__u32)regs->dx;
		args[3] = (__u32)regs->si;
		args[4] = (__u32)regs->di;
		args[5] = (__u32)regs->bp;
		return;
	}
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
#endif
}

static __always_inline int task_is_filtered(struct task_struct *task)
{
	return task->seccomp.mode == SYSCOPE_SECCOMP_MODE_FILTER;
}

/* The default (v2) hierarchy has id 0; v1 hierarchies on hybrid hosts are not ours. */
static __always_inline int on_default_hierarchy(struct cgroup *cgrp)
{
	return cgrp->root->hierarchy_id == 0;
}

static __always_inline void fill_header(struct syscope_event_hdr *hdr, __u16 type, __u16 size)
{
	hdr->type = type;
	hdr->size = size;
	hdr->pad = 0;
	hdr->ts_ns = bpf_ktime_get_boot_ns();
}

/* A ring-buffer record of `size` bytes (a constant at every call site, as the verifier wants)
 * with its header filled in; NULL, counted as a loss, when the ring buffer is full. */
static __always_inline void *reserve_record(__u16 type, __u32 size)
{
	struct syscope_event_hdr *hdr = bpf_ringbuf_reserve(&events, size, 0);

	if (!hdr) {
		count_loss(SYSCOPE_CNT_RINGBUF_FULL);
		return 0;
	}
	fill_header(hdr, type, size);
	return hdr;
}
