/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* Denial records with the task, the call and its arguments, and the SIGSYS and thread-exit
 * sides of TRAP and KILL verdicts, shared by watch (watch.bpf.c) and the daemon (daemon.bpf.c);
 * watch.bpf.c's opening comment tells the actions apart. */
#pragma once
#include "seccomp_verdict.bpf.h"

#define SYSCOPE_SIGSYS 31
#define SYSCOPE_SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS */
#define SYSCOPE_SECCOMP_MODE_DEAD 3
#define SYSCOPE_AUDIT_ARCH_I386 0x40000003

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
	read_call_args(ev->args, (struct pt_regs *)bpf_task_pt_regs(task), arch);
	return ev;
}

/* signal_generate: a seccomp SIGSYS is a TRAP (mode still FILTER) or a KILL (mode DEAD). */
static __always_inline void report_sigsys(int sig, struct kernel_siginfo *info,
					  struct task_struct *task)
{
	struct syscope_denial_event *ev;
	struct syscope_in_flight *state;
	__u32 action, arch;
	int syscall_nr;

	if (sig != SYSCOPE_SIGSYS)
		return;
	/* info may be one of the kernel's special values (SEND_SIG_PRIV is 1), so probe-read it. */
	if (BPF_CORE_READ(info, si_code) != SYSCOPE_SYS_SECCOMP)
		return;
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
}

/* sched_process_exit: a thread killed by KILL_THREAD raised no SIGSYS (see watch.bpf.c). */
static __always_inline void report_thread_killed(struct task_struct *task)
{
	struct syscope_denial_event *ev;
	struct syscope_in_flight *state;
	struct pt_regs *regs;

	/* Other threads of a process killed by SIGSYS exit with mode 2 (and code 31): not denials. */
	if (task->seccomp.mode != SYSCOPE_SECCOMP_MODE_DEAD)
		return;
	state = bpf_task_storage_get(&in_flight, task, 0, 0);
	if (state && state->sigsys_reported)
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	ev = new_denial(task, exiting_syscall_nr(regs), current_syscall_arch(task),
			SYSCOPE_ACTION_KILL_THREAD, SYSCOPE_SIGSYS);
	if (ev)
		bpf_ringbuf_submit(ev, 0);
}
