/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* The cgroups being recorded: those userspace selected (record's and trace's cgroup for CMD,
 * trace's containers) and every child created in one since, which lifecycle.bpf.c adds at its
 * cgroup_mkdir. Trace mode reads it on its hot path; cgroup_leave.bpf.h, when a process moves. */
#pragma once
#include "common.bpf.h"

/* Key: cgroup v2 id. Value: the id userspace selected that this cgroup is, or was created in
 * (itself for a selected one), under which moves out of it are counted (map cg_leaves). Not
 * preallocated: record holds it for one cgroup tree, mostly a single entry; a lookup costs the
 * same either way. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} recorded_cgs SEC(".maps") __weak;

/* The selected cgroup a recorded cgroup belongs to; NULL if the cgroup is not recorded. */
static __always_inline __u64 *recorded_root(__u64 cgroup_id)
{
	return bpf_map_lookup_elem(&recorded_cgs, &cgroup_id);
}

/* At cgroup_mkdir: a child of a recorded cgroup is recorded from its creation, under the same
 * selected cgroup (a container's nested cgroups; a cgroup CMD makes in its own). */
static __always_inline void follow_new_cgroup(struct cgroup *cgrp)
{
	__u64 parent_id, id, root, *parent_root;

	if (!on_default_hierarchy(cgrp))
		return;
	/* The parent through its css: stable across kernels (kernfs renamed kn->parent in 6.15). */
	parent_id = BPF_CORE_READ(cgrp, self.parent, cgroup, kn, id);
	parent_root = parent_id ? recorded_root(parent_id) : 0;
	if (!parent_root)
		return;
	root = *parent_root;
	id = cgrp->kn->id;
	if (bpf_map_update_elem(&recorded_cgs, &id, &root, BPF_ANY) != 0)
		count_loss(SYSCOPE_CNT_CGROUP_FULL);
}
