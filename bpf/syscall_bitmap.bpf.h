/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* Setting a call's bit in its cgroup's bitmap, with a first-seen event on a new bit, shared by
 * record (profile.bpf.c) and the daemon (daemon.bpf.c). mark_filtered: also mark a filtered
 * task's call in flight (seccomp_verdict.bpf.h) for a sys_exit that judges verdicts; a constant
 * or a global the caller passes, so the daemon's always-on mark costs no extra load. */
#pragma once
#include "seccomp_verdict.bpf.h"

/* The bitmaps in cgroup-local storage (kernel >= 6.2) on the task's default-hierarchy cgroup,
 * found by pointer, without a hash lookup. Freed with the cgroup, which is why every new bit
 * also goes out as an event: userspace keeps the union (and for a cgroup created and removed
 * while no daemon read, the events are all that is left). One definition for both objects. */
struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscope_cg_syscalls);
} cg_storage SEC(".maps") __weak;

static __always_inline struct syscope_cg_syscalls *storage_bitmap(struct task_struct *task)
{
	return bpf_cgrp_storage_get(&cg_storage, task->cgroups->dfl_cgrp, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* Returns 0 when the ring buffer was full (counted). */
static __always_inline int emit_first_seen(__u64 cgroup_id, long nr, __u32 arch, __u32 set)
{
	struct syscope_first_seen *ev = reserve_record(SYSCOPE_EV_FIRST_SEEN, sizeof(*ev));

	if (!ev)
		return 0;
	ev->cgroup_id = cgroup_id;
	ev->nr = nr;
	ev->arch = arch;
	ev->set = set;
	bpf_ringbuf_submit(ev, 0);
	return 1;
}

/* Sets the call's bit; on the first time, reports it. The plain load first keeps the locked OR
 * off the common path, where the call is already known for the cgroup. */
static __always_inline void record_call(struct syscope_cg_syscalls *cg, struct task_struct *task,
					long nr, __u64 cgroup_id_or_0, int mark_filtered)
{
	int filtered = task_is_filtered(task);
	__u32 arch, set, word;
	__u64 bit;

	if (filtered && mark_filtered)
		mark_in_flight(task);
	if (nr < 0 || nr >= SYSCOPE_SYSCALL_BITS) {
		count_loss(SYSCOPE_CNT_NR_RANGE);
		return;
	}
	set = (filtered ? SYSCOPE_SET_FILTERED_SETUP : SYSCOPE_SET_PLAIN_SETUP) + !!cg->exec_seen;
	arch = current_syscall_arch(task);
	word = (__u32)nr / 64;
	bit = 1ULL << (nr & 63);
	if (cg->bits[set][arch][word] & bit)
		return;
	if (__sync_fetch_and_or(&cg->bits[set][arch][word], bit) & bit)
		return; /* another CPU set it first and reported it */
	emit_first_seen(cgroup_id_or_0 ? cgroup_id_or_0 : bpf_get_current_cgroup_id(), nr, arch,
			set);
}

/* No bitmap for the call's cgroup: the hash map is full, or cgroup storage refused (its per-CPU
 * lock is busy when another storage operation on this CPU was interrupted, or the cgroup is
 * going away). The call must still reach the profile: a name missed here would be denied by
 * it. So it goes out as an event, in the set it would be in after the cgroup's first exec,
 * which every profile keeps. Only when that fails too is it lost, and counted. */
static __always_inline void record_without_bitmap(struct task_struct *task, long nr,
						  __u64 cgroup_id, int mark_filtered)
{
	int filtered = task_is_filtered(task);

	if (filtered && mark_filtered)
		mark_in_flight(task);
	if (nr < 0 || nr >= SYSCOPE_SYSCALL_BITS) {
		count_loss(SYSCOPE_CNT_NR_RANGE);
		return;
	}
	if (!emit_first_seen(cgroup_id, nr, current_syscall_arch(task),
			     filtered ? SYSCOPE_SET_FILTERED : SYSCOPE_SET_PLAIN))
		count_loss(SYSCOPE_CNT_CGROUP_FULL);
}
