/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* Seccomp verdicts without fentry, shared by record (denials.bpf.c) and watch (watch.bpf.c).
 * Seccomp runs before the sys_enter tracepoint, which fires only for allowed calls, while
 * sys_exit fires for skipped calls too. So sys_enter marks a filtered task's call in flight and
 * a filtered task's sys_exit without the mark is a call its filter skipped. Matching is on the
 * mark, never on the exit's syscall id (rt_sigreturn exits with id -1). */
#pragma once
#include "common.bpf.h"

/* Threads whose last sys_enter could not set its mark: task storage refuses when its per-CPU
 * lock is busy (another storage operation on this CPU was preempted). Without this, that call's
 * exit would look unmatched, a false denial. A plain hash map takes no such lock. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* tid */
	__type(value, __u8);
} unmarked SEC(".maps") __weak;

/* sys_enter side: called only for filtered tasks. */
static __always_inline void mark_in_flight(struct task_struct *task)
{
	struct syscope_in_flight *mark;
	static const __u8 yes = 1;
	__u32 tid;

	mark = bpf_task_storage_get(&in_flight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (mark) {
		mark->active = 1;
		return;
	}
	tid = task->pid;
	if (bpf_map_update_elem(&unmarked, &tid, &yes, BPF_ANY))
		count_loss(SYSCOPE_CNT_TASK_FULL);
}

/* sys_exit side: 1 when this exit is a call the task's own filter skipped. Tasks without a
 * filter, the common case, cost the one load of task->seccomp.mode. Mode 3 (DEAD: a KILL
 * verdict fired) is left to the kill path. A filtered task without a mark slot has not been
 * seen since we attached, or since it gained its filter: its exit is never judged, and from
 * now on it is known. That covers the calls in flight at attach time (idle threads blocked in
 * futex/epoll_wait/read exit once without an enter), a new child's first return from
 * fork/clone, the call that installed the filter (entered while the task had none) and, under
 * TSYNC, the other threads' calls in flight at that moment. */
static __always_inline int exit_was_skipped(struct task_struct *task)
{
	struct syscope_in_flight *mark;
	__u32 tid;

	if (!task_is_filtered(task))
		return 0;
	mark = bpf_task_storage_get(&in_flight, task, 0, 0);
	if (!mark) {
		if (!bpf_task_storage_get(&in_flight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE))
			count_loss(SYSCOPE_CNT_TASK_FULL);
		return 0;
	}
	if (mark->active) {
		mark->active = 0;
		return 0;
	}
	/* Unmatched: a skipped call, unless its entry could not set the mark. */
	tid = task->pid;
	if (bpf_map_lookup_elem(&unmarked, &tid)) {
		bpf_map_delete_elem(&unmarked, &tid);
		return 0;
	}
	return 1;
}

/* SECCOMP_RET_ERRNO answers -errno; an untraced SECCOMP_RET_TRACE answers -ENOSYS. TRAP rolls
 * the registers back (ret == the syscall number) and is reported from its SIGSYS instead. */
static __always_inline int is_errno_return(long ret)
{
	return ret >= -SYSCOPE_MAX_ERRNO && ret < 0;
}

static __always_inline long exiting_syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#else
	return -1;
#endif
}
