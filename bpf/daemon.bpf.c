// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The daemon: record's per-cgroup bitmaps and watch's denials for every cgroup of the node in
 * one sys_enter/sys_exit pair, so that a call pays one cgroup-storage lookup rather than
 * record's and watch's programs each paying their own. sys_enter sets the call's bit (an event
 * on a new one) and, for filtered tasks only, marks the call in flight; sys_exit judges
 * filtered tasks' exits (seccomp_verdict.bpf.h), counts each ERRNO denial per (cgroup, syscall,
 * errno) in cg_denials and streams it with its arguments. TRAP and KILL come from SIGSYS and
 * thread exits as in watch.bpf.c; cgroup mkdir/rmdir tie ids to paths. Cgroup storage only
 * (kernel >= 6.2): the daemon refuses older kernels rather than pay a hash lookup per call.
 * Userspace pins the data maps and the links, so all this keeps running while no daemon is. */
#include "arg_values.bpf.h"
#include "cgroup_event.bpf.h"
#include "denial_count.bpf.h"
#include "denial_event.bpf.h"
#include "syscall_bitmap.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* the ring buffer and task helpers are GPL-only */

/* Written by userspace after load, read by the next daemon before it trusts any pinned map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscope_daemon_layout);
} layout SEC(".maps");

SEC("tp_btf/sys_enter")
int BPF_PROG(daemon_enter, struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscope_cg_syscalls *cg = storage_bitmap(task);

	/* mark_filtered = 1: denials are always judged, and a constant costs no load. */
	if (cg)
		record_call(cg, task, nr, 0, 1);
	else
		record_without_bitmap(task, nr, task->cgroups->dfl_cgrp->kn->id, 1);
	record_call_args(task, regs, nr); /* with `args: true` only (read-only data) */
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(daemon_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscope_denial_key key = {};
	struct syscope_denial_event *ev;
	long nr;

	/* Tasks without a filter, the common case, stop at the one load of their seccomp mode. */
	if (!exit_was_skipped(task) || !is_errno_return(ret))
		return 0;
	nr = exiting_syscall_nr(regs);
	ev = new_denial(task, nr, current_syscall_arch(task), SYSCOPE_ACTION_ERRNO, -ret);
	if (nr >= 0) {
		key.cgroup_id = task->cgroups->dfl_cgrp->kn->id;
		key.nr = nr;
		key.arch = current_syscall_arch(task);
		key.err = -ret;
		count_denial(&key);
	}
	if (ev)
		bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(daemon_sigsys, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	report_sigsys(sig, info, task);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(daemon_thread_killed, struct task_struct *task)
{
	report_thread_killed(task);
	return 0;
}

/* The first exec completed in a cgroup ends its setup phase (see profile.bpf.c). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(daemon_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct syscope_cg_syscalls *cg = storage_bitmap(task);

	if (!cg)
		count_loss(SYSCOPE_CNT_CGROUP_FULL);
	else if (!cg->exec_seen)
		cg->exec_seen = 1;
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(daemon_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	emit_cgroup_event(SYSCOPE_EV_CGROUP_MKDIR, cgrp, path);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(daemon_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	emit_cgroup_event(SYSCOPE_EV_CGROUP_RMDIR, cgrp, path);
	return 0;
}
