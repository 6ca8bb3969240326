// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Seccomp ERRNO verdicts without fentry: seccomp runs before the sys_enter tracepoint, which
 * fires only for allowed calls, while sys_exit fires for skipped calls too. So a filtered task's
 * sys_exit without profile.bpf.c's in-flight mark, returning -errno, is a call its filter
 * refused. Aggregated per (cgroup, arch, syscall, errno); an event on the first of each. */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct syscope_denial_key);
	__type(value, __u64); /* how many times */
} cg_denials SEC(".maps");

static __always_inline void emit_first_denial(const struct syscope_denial_key *key)
{
	struct syscope_first_denial *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		count_loss(SYSCOPE_CNT_RINGBUF_FULL);
		return;
	}
	fill_header(&ev->hdr, SYSCOPE_EV_FIRST_DENIAL, sizeof(*ev));
	ev->key = *key;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline long exiting_syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#else
	return -1;
#endif
}

SEC("tp_btf/sys_exit")
int BPF_PROG(denials_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscope_denial_key key = {};
	struct syscope_in_flight *mark;
	static const __u64 one = 1;
	__u64 *count;
	long nr;

	/* Unfiltered tasks, the common case, cost this one load. Mode 3 (a KILL fired) is left to
	 * the kill path. */
	if (!task_is_filtered(task))
		return 0;
	/* No slot: the task has not entered a call since we attached (calls in flight then, a new
	 * child's first return, the call that installed the filter): never judged. */
	mark = bpf_task_storage_get(&in_flight, task, 0, 0);
	if (!mark)
		return 0;
	if (mark->active) {
		mark->active = 0;
		return 0;
	}
	/* SECCOMP_RET_TRAP rolls back to ret == nr and raises SIGSYS: not an errno verdict. */
	if (ret < -SYSCOPE_MAX_ERRNO || ret >= 0)
		return 0;
	nr = exiting_syscall_nr(regs);
	if (nr < 0)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.nr = nr;
	key.arch = current_syscall_arch(task);
	key.err = -ret;
	count = bpf_map_lookup_elem(&cg_denials, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (bpf_map_update_elem(&cg_denials, &key, &one, BPF_NOEXIST) == 0)
		emit_first_denial(&key);
	else if (!bpf_map_lookup_elem(&cg_denials, &key))
		count_loss(SYSCOPE_CNT_DENIAL_FULL);
	return 0;
}
