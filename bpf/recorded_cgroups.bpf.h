/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* The cgroups being recorded: those userspace selected (record's and trace's cgroup for CMD,
 * trace's containers) and every child created in one since, which cgroup_leave.bpf.c adds at
 * its cgroup_mkdir. Trace mode reads it on its hot path; cgroup_leave.bpf.c, when a task moves. */
#pragma once
#include "common.bpf.h"

/* Key: cgroup v2 id. Value: the id userspace selected that this cgroup is, or was created in
 * (itself for a selected one), under which moves out of it are counted (map cg_leaves). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u64);
} recorded_cgs SEC(".maps") __weak;

/* The selected cgroup a recorded cgroup belongs to; NULL if the cgroup is not recorded. */
static __always_inline __u64 *recorded_root(__u64 cgroup_id)
{
	return bpf_map_lookup_elem(&recorded_cgs, &cgroup_id);
}
