/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* Processes leaving the recorded cgroups, for record (profile.bpf.c) and trace (trace.bpf.c): a
 * process that moves, or is cloned, out of them to a cgroup that is not recorded is counted, per
 * selected cgroup, with who left first and where, since its later calls are missing from the
 * recording. Called from the programs on cgroup_attach_task, sched_process_fork and
 * sched_process_exec: nothing on the syscall path.
 *
 * The cgroup_attach_task tracepoint fires once a move is done: the task's css_set is the
 * destination's by then, and the source is known nowhere (cgroup_migrate_finish() has cleared
 * the css_sets' migration fields), and fentry, which would see the task before the move, is
 * refused on this machine. So each process in a recorded cgroup carries a mark, from its birth
 * there (fork) or its move there (attach), naming the selected cgroup it is recorded under: a
 * move to a cgroup that is not recorded, of a marked process, is a leave. The mark sits on the
 * thread-group leader (moves through cgroup.procs take whole processes), so a process gets one
 * slot, not one per thread. */
#pragma once
#include "recorded_cgroups.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, __u64); /* a selected cgroup: a recorded_cgs value */
	__type(value, struct syscope_cgroup_leave);
} cg_leaves SEC(".maps") __weak;

/* The mark: on a thread-group leader, the recorded_cgs value of the cgroup its process is in. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u64);
} rec_procs SEC(".maps") __weak;

/* Without a slot the process's leave would go unseen: counted. */
static __always_inline void mark_process(struct task_struct *leader, __u64 root)
{
	__u64 *mark = bpf_task_storage_get(&rec_procs, leader, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (mark)
		*mark = root;
	else
		count_loss(SYSCOPE_CNT_TASK_FULL);
}

/* Counts one process leaving `root`'s cgroups; the first one's details stay. The leave itself
 * is counted as a loss in any case, so a full map loses only the details. */
static __always_inline void count_leave(__u64 root, struct task_struct *task, __u64 dst_id,
					const char *dst_path)
{
	static const struct syscope_cgroup_leave no_leave;
	struct syscope_cgroup_leave *leave;

	count_loss(SYSCOPE_CNT_CGROUP_LEFT);
	leave = bpf_map_lookup_elem(&cg_leaves, &root);
	if (!leave) {
		bpf_map_update_elem(&cg_leaves, &root, &no_leave, BPF_NOEXIST);
		leave = bpf_map_lookup_elem(&cg_leaves, &root);
		if (!leave)
			return;
	}
	if (__sync_fetch_and_add(&leave->count, 1) != 0)
		return;
	leave->first_dst_id = dst_id;
	leave->first_pid = task->tgid;
	leave->first_tid = task->pid;
	bpf_probe_read_kernel_str(leave->first_comm, sizeof(leave->first_comm), task->comm);
	if (!dst_path || bpf_probe_read_kernel_str(leave->first_dst_path,
						   sizeof(leave->first_dst_path), dst_path) < 0)
		leave->first_dst_path[0] = 0;
}

/* At cgroup_attach_task, after a successful move (of a whole process, or of one thread through
 * cgroup.threads: then its process counts as gone). A move into a recorded cgroup marks the
 * process: that is how userspace's own placing of CMD is seen. */
static __always_inline void leave_on_attach(struct cgroup *dst_cgrp, const char *path,
					    struct task_struct *task)
{
	struct task_struct *leader = task->group_leader;
	__u64 dst_id, *dst_root, *mark;

	if (!on_default_hierarchy(dst_cgrp))
		return; /* a v1 move leaves the task's v2 cgroup, the one recorded, as it was */
	dst_id = dst_cgrp->kn->id;
	dst_root = recorded_root(dst_id);
	if (dst_root) {
		mark_process(leader, *dst_root);
		return;
	}
	mark = bpf_task_storage_get(&rec_procs, leader, 0, 0);
	if (!mark)
		return; /* it was not recorded */
	count_leave(*mark, task, dst_id, path);
	bpf_task_storage_delete(&rec_procs, leader);
}

/* At sched_process_fork: a new process born in a recorded cgroup is marked; one that
 * clone3(CLONE_INTO_CGROUP) places elsewhere from a recorded cgroup never runs there, a leave
 * at birth. By this tracepoint the child's css_set is final (cgroup_post_fork() ran in
 * copy_process()). A new thread shares its leader's mark. */
static __always_inline void leave_on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct cgroup *from, *to;
	__u64 *root;

	if (child->tgid == parent->tgid)
		return;
	to = child->cgroups->dfl_cgrp;
	root = recorded_root(to->kn->id);
	if (root) {
		mark_process(child, *root);
		return;
	}
	from = parent->cgroups->dfl_cgrp;
	if (from == to)
		return;
	root = recorded_root(from->kn->id);
	if (root)
		count_leave(*root, child, to->kn->id, 0);
}

/* At sched_process_exec: a thread other than the leader that execs becomes the leader, in the
 * old leader's place, so the mark moves to it. */
static __always_inline void leave_on_exec(struct task_struct *task, pid_t old_pid)
{
	__u64 *root;

	if (old_pid == task->pid)
		return;
	root = recorded_root(task->cgroups->dfl_cgrp->kn->id);
	if (root)
		mark_process(task, *root);
}
