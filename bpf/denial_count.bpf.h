/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* Counting seccomp ERRNO verdicts per struct syscope_denial_key in a hash map, shared by record
 * (denials.bpf.c) and the daemon (daemon.bpf.c): the map keeps the count, so userspace reads how
 * often each denial happened without an event per repeat. */
#pragma once
#include "common.bpf.h"

/* One definition for both objects (__weak, as common.bpf.h's maps). The daemon's userspace drops a
 * cgroup's entries once it has saved them and the cgroup is gone, so 8192 kinds at once is room
 * for a node; record holds one cgroup tree. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 8192);
	__type(key, struct syscope_denial_key);
	__type(value, __u64); /* how many times */
} cg_denials SEC(".maps") __weak;

/* 1 when this is the key's first denial (inserted now); 0 for a repeat, or when the map is full
 * (counted as SYSCOPE_CNT_DENIAL_FULL). */
static __always_inline int count_denial(const struct syscope_denial_key *key)
{
	static const __u64 one = 1;
	__u64 *count = bpf_map_lookup_elem(&cg_denials, key);

	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (bpf_map_update_elem(&cg_denials, key, &one, BPF_NOEXIST) == 0)
		return 1;
	/* NOEXIST failed: another CPU inserted it first (count this one there), or the map is full. */
	count = bpf_map_lookup_elem(&cg_denials, key);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		count_loss(SYSCOPE_CNT_DENIAL_FULL);
	return 0;
}
