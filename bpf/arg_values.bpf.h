/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* Argument-aware recording: for the calls of a small table of (syscall, argument) pairs
 * (userspace/syscalls/arg_pairs.cpp, handed over before load), the distinct argument values
 * each cgroup used, in cgroup storage next to the syscall bitmaps, with an event for each new
 * value (the storage goes with the cgroup; userspace keeps the union) and one when a pair has
 * more values than it keeps. Calls outside the table pay one load of a read-only byte. */
#pragma once
#include "common.bpf.h"

/* Set by userspace before load; with record_args 0 the verifier drops everything below. */
const volatile __u32 record_args = 0;
/* Pair index + 1 of each syscall number per arch; 0: the call is not in the table. */
const volatile __u8 arg_pair_of[SYSCOPE_ARCH_COUNT][SYSCOPE_SYSCALL_BITS] = {};
const volatile struct syscope_arg_plan arg_plans[SYSCOPE_ARG_PAIRS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscope_cg_args);
} cg_args SEC(".maps") __weak;

/* Returns 0 when the ring buffer was full (counted). */
static __always_inline int emit_arg_value(__u64 cgroup_id, __u32 pair, __u32 flags, __u64 value)
{
	struct syscope_arg_value *ev = reserve_record(SYSCOPE_EV_ARG_VALUE, sizeof(*ev));

	if (!ev)
		return 0;
	ev->cgroup_id = cgroup_id;
	ev->pair = pair;
	ev->flags = flags;
	ev->value = value;
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/* Argument `index` of the call, without a stack array the verifier would need bounded. */
static __always_inline __u64 call_arg(struct pt_regs *regs, __u32 arch, __u32 index)
{
#if defined(__TARGET_ARCH_x86)
	if (arch == SYSCOPE_ARCH_COMPAT) {
		switch (index) {
		case 0: return (__u32)regs->bx;
		case 1: return (__u32)regs->cx;
		case 2: return (__u32)regs->dx;
		case 3: return (__u32)regs->si;
		case 4: return (__u32)regs->di;
		default: return (__u32)regs->bp;
		}
	}
	switch (index) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	default: return regs->r9;
	}
#else
	return 0;
#endif
}

/* Keeps `value` for `pair` in the cgroup's slots unless it is there already, and marks it used
 * by a filtered task when `filtered`. Slots are claimed with an atomic add and published with
 * an atomic OR of their valid bit after the value is written, so two CPUs inserting at once at
 * worst keep a value twice (userspace dedups). */
static __always_inline void keep_arg_value(struct task_struct *task, __u32 pair, __u64 value,
					   int filtered)
{
	__u32 flags = filtered ? SYSCOPE_ARG_FILTERED : 0;
	struct syscope_cg_args *cg;
	__u64 used, valid, slot;
	__u32 i;

	if (pair >= SYSCOPE_ARG_PAIRS)
		return;
	cg = bpf_cgrp_storage_get(&cg_args, task->cgroups->dfl_cgrp, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cg) {
		/* No storage (its lock busy, the cgroup dying): the event alone carries it. */
		emit_arg_value(task->cgroups->dfl_cgrp->kn->id, pair, flags, value);
		return;
	}
	valid = cg->valid[pair];
	for (i = 0; i < SYSCOPE_ARG_VALUES; i++) {
		if (!(valid & (1ULL << i)) || cg->values[pair][i] != value)
			continue;
		if (filtered && !(cg->filtered[pair] & (1ULL << i)) &&
		    !(__sync_fetch_and_or(&cg->filtered[pair], 1ULL << i) & (1ULL << i)))
			emit_arg_value(task->cgroups->dfl_cgrp->kn->id, pair, flags, value);
		return;
	}
	used = cg->used[pair];
	if (used > SYSCOPE_ARG_VALUES)
		return; /* overflowed and reported */
	slot = __sync_fetch_and_add(&cg->used[pair], 1);
	if (slot >= SYSCOPE_ARG_VALUES) {
		if (slot == SYSCOPE_ARG_VALUES) /* the one CPU that overflowed it reports it */
			emit_arg_value(task->cgroups->dfl_cgrp->kn->id, pair, SYSCOPE_ARG_OVERFLOW,
				       0);
		return;
	}
	cg->values[pair][slot] = value;
	if (filtered)
		__sync_fetch_and_or(&cg->filtered[pair], 1ULL << slot);
	__sync_fetch_and_or(&cg->valid[pair], 1ULL << slot);
	emit_arg_value(task->cgroups->dfl_cgrp->kn->id, pair, flags, value);
}

static __always_inline void record_call_args(struct task_struct *task, struct pt_regs *regs,
					     long nr)
{
	__u32 arch, pair, arg, arg2;
	__u64 value;

	if (!record_args || nr < 0 || nr >= SYSCOPE_SYSCALL_BITS)
		return;
	arch = current_syscall_arch(task);
	pair = arg_pair_of[arch & 1][nr];
	if (!pair--)
		return;
	if (pair >= SYSCOPE_ARG_PAIRS)
		return;
	arg = arg_plans[pair].arg;
	arg2 = arg_plans[pair].arg2;
	value = call_arg(regs, arch, arg) & arg_plans[pair].mask;
	if (arg2 != SYSCOPE_ARG_NONE)
		value |= (call_arg(regs, arch, arg2) & arg_plans[pair].mask2) << 32;
	keep_arg_value(task, pair, value, task_is_filtered(task));
}
