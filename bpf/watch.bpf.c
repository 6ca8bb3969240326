// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Watch mode: every seccomp denial, as it happens, with the task, the call and its arguments.
 * ERRNO verdicts come from sys_exit (seccomp_verdict.bpf.h); TRAP and KILL from the SIGSYS with
 * si_code SYS_SECCOMP that seccomp raises (signal_generate): with the task's mode still FILTER
 * (2) it is a TRAP, with mode DEAD (3) a KILL. A KILL_THREAD of a thread that is not the last
 * raises no signal: it shows as an exit with mode DEAD and no SIGSYS reported before. */
#include "denial_event.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* the ring buffer and task helpers are GPL-only */

SEC("tp_btf/sys_enter")
int BPF_PROG(watch_enter, struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (task_is_filtered(task)) /* tasks without a filter: this one load */
		mark_in_flight(task);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(watch_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscope_denial_event *ev;

	if (!exit_was_skipped(task) || !is_errno_return(ret))
		return 0;
	ev = new_denial(task, exiting_syscall_nr(regs), current_syscall_arch(task),
			SYSCOPE_ACTION_ERRNO, -ret);
	if (ev)
		bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(watch_sigsys, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	report_sigsys(sig, info, task);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(watch_thread_killed, struct task_struct *task)
{
	report_thread_killed(task);
	return 0;
}
