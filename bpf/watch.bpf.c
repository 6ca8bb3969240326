// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Watch mode: every seccomp denial, as it happens, with the task, the call and its arguments.
 * ERRNO verdicts come from sys_exit (seccomp_verdict.bpf.h); TRAP and KILL from the SIGSYS with
 * si_code SYS_SECCOMP that seccomp raises (signal_generate): with the task's mode still FILTER
 * (2) it is a TRAP, with mode DEAD (3) a KILL. A KILL_THREAD of a thread that is not the last
 * raises no signal: it shows as an exit with mode DEAD and no SIGSYS reported before. */
#include "seccomp_verdict.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* the ring buffer and task helpers are GPL-only */

#define SYSCOPE_SIGSYS 31
#define SYSCOPE_SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS */
#define SYSCOPE_SECCOMP_MODE_DEAD 3
#define SYSCOPE_AUDIT_ARCH_I386 0x40000003

static __always_inline void read_args(struct syscope_denial_event *ev, struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	/* i386 passes arguments in ebx, ecx, edx, esi, edi, ebp */
	if (ev->arch == SYSCOPE_ARCH_COMPAT) {
		ev->args[0] = (__u32)regs->bx;
		ev->args[1] = (__u32)regs->cx;
		ev->args[2] = (__u32)regs->dx;
		ev->args[3] = (__u32)regs->si;
		ev->args[4] = (__u32)regs->di;
		ev->args[5] = (__u32)regs->bp;
		return;
	}
	ev->args[0] = regs->di;
	ev->args[1] = regs->si;
	ev->args[2] = regs->dx;
	ev->args[3] = regs->r10;
	ev->args[4] = regs->r8;
	ev->args[5] = regs->r9;
#endif
}

/* Reserves and fills a record for `task`'s call `nr`; the caller submits it. */
static __always_inline struct syscope_denial_event *new_denial(struct task_struct *task, long nr,
							       __u32 arch, __u32 action, __u32 err)
{
	struct syscope_denial_event *ev = reserve_record(SYSCOPE_EV_DENIAL, sizeof(*ev));

	if (!ev)
		return 0;
	ev->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	ev->pid = task->tgid;
	ev->tid = task->pid;
	bpf_probe_read_kernel_str(ev->comm, sizeof(ev->comm), task->comm);
	ev->nr = nr;
	ev->arch = arch;
	ev->action = action;
	ev->err = err;
	ev->flags = task->ptrace ? SYSCOPE_DENIAL_TRACED : 0;
	__builtin_memset(ev->args, 0, sizeof(ev->args));
	read_args(ev, (struct pt_regs *)bpf_task_pt_regs(task));
	return ev;
}

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
	struct syscope_denial_event *ev;
	struct syscope_in_flight *state;
	__u32 action, arch;
	int syscall_nr;

	if (sig != SYSCOPE_SIGSYS)
		return 0;
	/* info may be one of the kernel's special values (SEND_SIG_PRIV is 1), so probe-read it. */
	if (BPF_CORE_READ(info, si_code) != SYSCOPE_SYS_SECCOMP)
		return 0;
	syscall_nr = BPF_CORE_READ(info, _sifields._sigsys._syscall);
	action = task->seccomp.mode == SYSCOPE_SECCOMP_MODE_DEAD ? SYSCOPE_ACTION_KILL_PROCESS
								 : SYSCOPE_ACTION_TRAP;
	arch = BPF_CORE_READ(info, _sifields._sigsys._arch) == SYSCOPE_AUDIT_ARCH_I386
		       ? SYSCOPE_ARCH_COMPAT
		       : SYSCOPE_ARCH_NATIVE;
	state = bpf_task_storage_get(&in_flight, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (state)
		state->sigsys_reported = 1;
	ev = new_denial(task, syscall_nr, arch, action, SYSCOPE_SIGSYS);
	if (ev)
		bpf_ringbuf_submit(ev, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(watch_thread_killed, struct task_struct *task)
{
	struct syscope_denial_event *ev;
	struct syscope_in_flight *state;
	struct pt_regs *regs;

	/* Other threads of a process killed by SIGSYS exit with mode 2 (and code 31): not denials. */
	if (task->seccomp.mode != SYSCOPE_SECCOMP_MODE_DEAD)
		return 0;
	state = bpf_task_storage_get(&in_flight, task, 0, 0);
	if (state && state->sigsys_reported)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	ev = new_denial(task, exiting_syscall_nr(regs), current_syscall_arch(task),
			SYSCOPE_ACTION_KILL_THREAD, SYSCOPE_SIGSYS);
	if (ev)
		bpf_ringbuf_submit(ev, 0);
	return 0;
}
