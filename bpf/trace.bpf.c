// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Trace mode: for the selected cgroups only, one record per completed syscall (entry time,
 * duration, arguments, return value, and the user-memory arguments the capture plan names: up
 * to SYSCOPE_CAPTURE_SLOTS per call), an entry-only record for calls that never return, seccomp
 * denials, and process events (fork, exec, exit). Every loss is counted: a full ring buffer, a
 * user-memory read that failed (tp_btf programs cannot sleep, so a page that is not resident
 * cannot be read). */
#include "cgroup_leave.bpf.h" /* the cgroups traced (recorded_cgs) and processes leaving them */
#include "seccomp_verdict.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* the ring buffer and task helpers are GPL-only */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, (SYSCOPE_ARCH_COUNT * SYSCOPE_SYSCALL_BITS));
	__type(key, __u32);
	__type(value, struct syscope_capture_plan);
} capture_plan SEC(".maps");

/* The call a traced task is in, from sys_enter to sys_exit. */
struct call_state {
	__u64 enter_ns;
	__u64 args[6];
	__s32 nr;
	__u16 arch;
	__u16 flags; /* SYSCOPE_SYSCALL_* known at entry */
	__u32 active;
	__u16 nslots; /* slots[] the record carries: the last filled plan slot + 1 */
	__u8 retry;   /* bit i: slot i's entry read failed: try again at exit, when the kernel
			    * has touched the page itself (a path in .rodata is often not resident) */
	__u8 pad;
	/* As the record carries them; slot i is the plan's slot i. */
	struct syscope_data_slot slots[SYSCOPE_CAPTURE_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call_state);
} calls SEC(".maps");

/* Wake the reader only when the ring buffer is filling up (a storm: one wake-up per MiB, not one
 * per record). A trickle is not stranded: userspace drains the ring on a 100 ms timer whether
 * woken or not (process::kServeTick), which is what puts a block in the file within a second of
 * its first record. A kernel-side deadline instead (force a wake-up when the last one is older
 * than the flush interval) would need a clock read on every submit: measured at about +30 ns
 * (+10%) per traced call in a getppid storm, to save userspace ten cheap polls a second (about
 * 6 ms of CPU per 10 s of a quiet trace). */
#define WAKEUP_THRESHOLD (1024 * 1024)

static __always_inline __u64 submit_flags(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > WAKEUP_THRESHOLD
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

static __always_inline int traced_cgroup(__u64 cgroup_id)
{
	return recorded_root(cgroup_id) != 0;
}

static __always_inline const struct syscope_capture_plan *plan_for(__u32 arch, long nr)
{
	__u32 key;

	if (nr < 0 || nr >= SYSCOPE_SYSCALL_BITS)
		return 0;
	key = arch * SYSCOPE_SYSCALL_BITS + (__u32)nr;
	return bpf_map_lookup_elem(&capture_plan, &key);
}

/* Reads slot `i` (a constant after unrolling) of `st` from user memory: a string up to its NUL,
 * or `len` bytes of a sockaddr. Returns 0 on success; on failure the caller decides whether to
 * retry or count the loss. */
static __always_inline int read_slot(struct call_state *st, int i, const void *ptr, __u64 len)
{
	struct syscope_data_slot *slot = &st->slots[i];
	long n;

	if (slot->kind == SYSCOPE_DATA_SOCKADDR) {
		if (len > SYSCOPE_TRACE_DATA_MAX)
			len = SYSCOPE_TRACE_DATA_MAX;
		n = bpf_probe_read_user(slot->data, len, ptr);
		if (n == 0)
			n = len;
	} else {
		n = bpf_probe_read_user_str(slot->data, sizeof(slot->data), ptr);
	}
	slot->len = n < 0 ? 0 : n;
	return n < 0 ? -1 : 0;
}

/* Starts slot `i` for plan slot `ps`: kind and argument known, no data yet. */
static __always_inline void open_slot(struct call_state *st, int i,
				      const struct syscope_capture_slot *ps)
{
	st->slots[i].arg = ps->arg;
	st->slots[i].kind = ps->kind;
	st->nslots = i + 1;
}

static __always_inline void slot_lost(struct call_state *st, int i)
{
	st->slots[i].len = 0;
	st->slots[i].flags |= SYSCOPE_SLOT_LOST;
	st->flags |= SYSCOPE_SYSCALL_DATA_LOST;
	count_loss(SYSCOPE_CNT_USER_READ);
}

/* Every slot still waiting for its retry is lost (a call that never returns). */
static __always_inline void retries_lost(struct call_state *st)
{
	int i;

#pragma unroll
	for (i = 0; i < SYSCOPE_CAPTURE_SLOTS; i++)
		if (st->retry & (1 << i))
			slot_lost(st, i);
	st->retry = 0;
}

/* nslots and retry are reset by every entry already; this clears what a plan's call reads. */
static __always_inline void clear_slots(struct call_state *st)
{
	int i;

#pragma unroll
	for (i = 0; i < SYSCOPE_CAPTURE_SLOTS; i++) {
		st->slots[i].kind = SYSCOPE_DATA_NONE;
		st->slots[i].flags = 0;
		st->slots[i].len = 0;
	}
}

/* Reserves the record of a call with its slots copied in: one constant size per slot count, as
 * the verifier wants, so a call without captures stays small. */
static __always_inline struct syscope_syscall_event *reserve_call(struct call_state *st)
{
	struct syscope_syscall_event *ev;
	const __u32 base = sizeof(*ev), slot = sizeof(struct syscope_data_slot);

	switch (st->nslots) {
	case 0: return reserve_record(SYSCOPE_EV_SYSCALL, base);
	case 1:
		ev = reserve_record(SYSCOPE_EV_SYSCALL, base + slot);
		if (ev)
			bpf_probe_read_kernel(ev + 1, slot, st->slots);
		return ev;
	case 2:
		ev = reserve_record(SYSCOPE_EV_SYSCALL, base + 2 * slot);
		if (ev)
			bpf_probe_read_kernel(ev + 1, 2 * slot, st->slots);
		return ev;
	default:
		ev = reserve_record(SYSCOPE_EV_SYSCALL, base + 3 * slot);
		if (ev)
			bpf_probe_read_kernel(ev + 1, 3 * slot, st->slots);
		return ev;
	}
}

/* Emits the record of a call from its state; `ret`/`duration` for completed calls. */
static __always_inline void emit_call(struct task_struct *task, struct call_state *st, __u16 flags,
				      __s64 ret, __u64 duration_ns)
{
	struct syscope_syscall_event *ev = reserve_call(st);

	if (!ev)
		return;
	ev->hdr.ts_ns = st->enter_ns; /* when the call entered, not now */
	ev->cgroup_id = bpf_get_current_cgroup_id();
	ev->pid = task->tgid;
	ev->tid = task->pid;
	ev->nr = st->nr;
	ev->arch = st->arch;
	ev->flags = st->flags | flags;
	ev->duration_ns = duration_ns;
	ev->ret = ret;
	__builtin_memcpy(ev->args, st->args, sizeof(ev->args));
	ev->nslots = st->nslots > SYSCOPE_CAPTURE_SLOTS ? SYSCOPE_CAPTURE_SLOTS : st->nslots;
	ev->pad = 0;
	ev->pad2 = 0;
	bpf_ringbuf_submit(ev, submit_flags());
}

/* At entry: every slot the call reads (paths, strings, sockaddrs it is given). A NULL pointer
 * is no loss: the slot stays empty and the record shows NULL. */
static __always_inline void capture_at_entry(struct call_state *st,
					     const struct syscope_capture_plan *plan)
{
	int i;

#pragma unroll
	for (i = 0; i < SYSCOPE_CAPTURE_SLOTS; i++) {
		const struct syscope_capture_slot *ps = &plan->slots[i];
		const void *ptr;

		if (i >= plan->nslots)
			break;
		if (ps->flags & SYSCOPE_PLAN_SLOT_OUT)
			continue;
		ptr = (const void *)st->args[ps->arg & 7];
		if (!ptr)
			continue;
		open_slot(st, i, ps);
		if (read_slot(st, i, ptr, st->args[ps->len_arg & 7]))
			st->retry |= 1 << i;
	}
}

/* At exit: the entry reads that failed, once more, and the sockaddrs a successful call filled
 * (their length is what the kernel wrote to the socklen_t; 0: nothing to show). */
static __always_inline void capture_at_exit(struct call_state *st,
					    const struct syscope_capture_plan *plan, long ret)
{
	int i;

#pragma unroll
	for (i = 0; i < SYSCOPE_CAPTURE_SLOTS; i++) {
		const struct syscope_capture_slot *ps = &plan->slots[i];
		const void *ptr, *lenp;
		__u32 addrlen = 0;

		if (i >= plan->nslots)
			break;
		ptr = (const void *)st->args[ps->arg & 7];
		if (st->retry & (1 << i)) {
			/* The kernel read the argument during the call, so its page is resident
			 * now (unless a successful execve replaced the address space: then the
			 * exec record has it). */
			if (read_slot(st, i, ptr, st->args[ps->len_arg & 7]))
				slot_lost(st, i);
			continue;
		}
		if (!(ps->flags & SYSCOPE_PLAN_SLOT_OUT) || ret < 0 || !ptr)
			continue;
		lenp = (const void *)st->args[ps->len_arg & 7];
		if (!lenp)
			continue;
		if (bpf_probe_read_user(&addrlen, sizeof(addrlen), lenp) != 0) {
			open_slot(st, i, ps);
			slot_lost(st, i);
			continue;
		}
		if (addrlen == 0)
			continue; /* the call gave no address (recvfrom on a stream socket) */
		open_slot(st, i, ps);
		if (read_slot(st, i, ptr, addrlen))
			slot_lost(st, i);
	}
	st->retry = 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(trace_enter, struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct syscope_capture_plan *plan;
	struct call_state *st;

	if (!traced_cgroup(bpf_get_current_cgroup_id()))
		return 0;
	st = bpf_task_storage_get(&calls, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		/* This call is lost (counted); remember it so its exit is not taken for a denial. */
		__u32 tid = task->pid;
		static const __u8 yes = 1;

		count_loss(SYSCOPE_CNT_TASK_FULL);
		bpf_map_update_elem(&unmarked, &tid, &yes, BPF_ANY);
		return 0;
	}
	st->enter_ns = bpf_ktime_get_boot_ns();
	st->nr = nr;
	st->arch = current_syscall_arch(task);
	st->flags = task_is_filtered(task) ? SYSCOPE_SYSCALL_FILTERED : 0;
	read_call_args(st->args, regs, st->arch);
	st->active = 1;
	st->nslots = 0;
	st->retry = 0;
	plan = plan_for(st->arch, nr);
	if (!plan || (!plan->nslots && !plan->flags))
		return 0; /* most calls: nothing to read */
	clear_slots(st);
	capture_at_entry(st, plan);
	if (plan->flags & SYSCOPE_PLAN_NEVER_RETURNS) {
		retries_lost(st);
		emit_call(task, st, SYSCOPE_SYSCALL_ENTER_ONLY, 0, 0);
		st->active = 0;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(trace_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	const struct syscope_capture_plan *plan;
	struct call_state *st;

	if (!traced_cgroup(bpf_get_current_cgroup_id()))
		return 0;
	st = bpf_task_storage_get(&calls, task, 0, 0);
	if (!st)
		return 0; /* not seen entering since we attached: in flight then, or a new child */
	if (!st->active) {
		__u32 tid = task->pid;

		/* No entry: a call a seccomp filter skipped (see seccomp_verdict.bpf.h), unless the
		 * entry could not be recorded. */
		if (bpf_map_lookup_elem(&unmarked, &tid)) {
			bpf_map_delete_elem(&unmarked, &tid);
			return 0;
		}
		if (!task_is_filtered(task) || !is_errno_return(ret))
			return 0;
		st->nr = exiting_syscall_nr(regs);
		st->arch = current_syscall_arch(task);
		st->enter_ns = bpf_ktime_get_boot_ns();
		st->flags = SYSCOPE_SYSCALL_FILTERED;
		st->nslots = 0;
		st->retry = 0;
		read_call_args(st->args, regs, st->arch);
		emit_call(task, st, SYSCOPE_SYSCALL_DENIED, ret, 0);
		return 0;
	}
	st->active = 0;
	plan = plan_for(st->arch, st->nr);
	if (plan && plan->nslots)
		capture_at_exit(st, plan, ret);
	emit_call(task, st, 0, ret, bpf_ktime_get_boot_ns() - st->enter_ns);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(trace_fork, struct task_struct *parent, struct task_struct *child)
{
	struct syscope_proc_fork *ev;
	__u64 cgroup_id = bpf_get_current_cgroup_id();

	leave_on_fork(parent, child);
	if (!traced_cgroup(cgroup_id))
		return 0;
	ev = reserve_record(SYSCOPE_EV_PROC_FORK, sizeof(*ev));
	if (!ev)
		return 0;
	ev->cgroup_id = cgroup_id;
	ev->parent_pid = parent->tgid;
	ev->parent_tid = parent->pid;
	ev->child_pid = child->tgid;
	ev->child_tid = child->pid;
	bpf_ringbuf_submit(ev, submit_flags());
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(trace_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct syscope_proc_exec *ev;
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	unsigned long arg_start, arg_end, len;

	leave_on_exec(task, old_pid);
	if (!traced_cgroup(cgroup_id))
		return 0;
	ev = reserve_record(SYSCOPE_EV_PROC_EXEC, sizeof(*ev));
	if (!ev)
		return 0;
	ev->cgroup_id = cgroup_id;
	ev->pid = task->tgid;
	ev->tid = task->pid;
	ev->old_tid = old_pid;
	ev->pad = 0;
	if (bpf_probe_read_kernel_str(ev->filename, sizeof(ev->filename), bprm->filename) < 0)
		ev->filename[0] = 0;
	/* The new image's argv, as its stack holds it. */
	arg_start = task->mm->arg_start;
	arg_end = task->mm->arg_end;
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > sizeof(ev->args))
		len = sizeof(ev->args);
	ev->args_len = 0;
	if (len && bpf_probe_read_user(ev->args,
				       len & (SYSCOPE_EXEC_ARGS_MAX - 1) ?: SYSCOPE_EXEC_ARGS_MAX,
				       (const void *)arg_start) == 0)
		ev->args_len = len;
	else if (len)
		count_loss(SYSCOPE_CNT_USER_READ);
	bpf_ringbuf_submit(ev, submit_flags());
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(trace_task_exit, struct task_struct *task, bool group_dead)
{
	struct syscope_proc_exit *ev;
	struct call_state *st;
	__u64 cgroup_id = bpf_get_current_cgroup_id();

	if (!traced_cgroup(cgroup_id))
		return 0;
	/* A call still in flight when the thread dies never returns: record its entry. */
	st = bpf_task_storage_get(&calls, task, 0, 0);
	if (st && st->active) {
		retries_lost(st);
		emit_call(task, st, SYSCOPE_SYSCALL_ENTER_ONLY, 0, 0);
		st->active = 0;
	}
	ev = reserve_record(SYSCOPE_EV_PROC_EXIT, sizeof(*ev));
	if (!ev)
		return 0;
	ev->cgroup_id = cgroup_id;
	ev->pid = task->tgid;
	ev->tid = task->pid;
	ev->exit_code = task->exit_code;
	ev->group_dead = group_dead;
	bpf_ringbuf_submit(ev, submit_flags());
	return 0;
}

/* A traced process moving out of the traced cgroups (cgroup_leave.bpf.h). */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(trace_attach, struct cgroup *dst_cgrp, const char *path, struct task_struct *task,
	     bool threadgroup)
{
	leave_on_attach(dst_cgrp, path, task);
	return 0;
}
