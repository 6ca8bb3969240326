// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Record mode's view of seccomp ERRNO verdicts (seccomp_verdict.bpf.h): aggregated per
 * (cgroup, arch, syscall, errno), with an event on the first of each. */
#include "denial_count.bpf.h"
#include "seccomp_verdict.bpf.h"

static __always_inline void emit_first_denial(const struct syscope_denial_key *key)
{
	struct syscope_first_denial *ev = reserve_record(SYSCOPE_EV_FIRST_DENIAL, sizeof(*ev));

	if (!ev)
		return;
	ev->key = *key;
	bpf_ringbuf_submit(ev, 0);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(denials_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscope_denial_key key = {};
	long nr;

	if (!exit_was_skipped(task) || !is_errno_return(ret))
		return 0;
	nr = exiting_syscall_nr(regs);
	if (nr < 0)
		return 0;
	key.cgroup_id = bpf_get_current_cgroup_id();
	key.nr = nr;
	key.arch = current_syscall_arch(task);
	key.err = -ret;
	if (count_denial(&key))
		emit_first_denial(&key);
	return 0;
}
