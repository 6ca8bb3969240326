// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Dry-run (watch --would-deny): the calls of chosen cgroups judged against a candidate profile
 * that is not enforced. Calls the candidate allows outright cost a bit test; any other call is
 * deduplicated here by (cgroup, arch, nr, the argument values the candidate tests) and each new
 * one streamed once, for userspace to run the candidate's compiled filter on. A call the current
 * filter refuses never reaches sys_enter (seccomp runs first): it is denied today already. */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* the ring buffer and task helpers are GPL-only */

/* Key: cgroup v2 id under dry-run. Value: its candidate's index in dry_candidates. Every
 * syscall of the machine pays this one lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} dry_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SYSCOPE_DRY_CANDIDATES);
	__type(key, __u32);
	__type(value, struct syscope_dry_candidate);
} dry_candidates SEC(".maps");

/* Distinct calls seen, with how often each was made. Preallocated: a full map is a counted
 * loss (SYSCOPE_CNT_DRY_RUN_FULL), never an allocation on the hot path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syscope_dry_key);
	__type(value, __u64);
} dry_seen SEC(".maps");

/* The key is too big for the BPF stack next to the record: one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syscope_dry_key);
} dry_scratch SEC(".maps");

static __always_inline void emit_call(struct task_struct *task, __u64 cgroup_id, long nr,
				      __u32 arch, __u32 index, const __u64 *args)
{
	struct syscope_would_deny_event *ev = reserve_record(SYSCOPE_EV_WOULD_DENY, sizeof(*ev));

	if (!ev)
		return;
	ev->cgroup_id = cgroup_id;
	ev->pid = task->tgid;
	ev->tid = task->pid;
	bpf_probe_read_kernel_str(ev->comm, sizeof(ev->comm), task->comm);
	ev->nr = nr;
	ev->arch = arch;
	ev->candidate = index;
	__builtin_memcpy(ev->args, args, sizeof(ev->args));
	bpf_ringbuf_submit(ev, 0);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(would_deny_enter, struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* A BTF pointer walk: direct loads, no helper call, on every syscall of the machine. */
	__u64 cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	struct syscope_dry_candidate *cand;
	struct syscope_dry_key *key;
	__u32 *index, arch, n, zero = 0;
	__u64 args[6] = {}, one = 1, *count;
	__u8 tested;
	int i;

	/* Only calls made under a seccomp filter: those the candidate would see in its place. A
	 * container runtime's setup before it installs the filter (runc's mounts, pivot_root) is
	 * not the workload's, and the candidate would not judge it either. Tested first: one load,
	 * so the machine's unfiltered tasks never pay the hash lookup below. */
	if (!task_is_filtered(task))
		return 0;
	index = bpf_map_lookup_elem(&dry_cgroups, &cgroup_id);
	if (!index)
		return 0;
	if (nr < 0 || nr >= SYSCOPE_SYSCALL_BITS) {
		count_loss(SYSCOPE_CNT_NR_RANGE);
		return 0;
	}
	n = nr; /* unsigned from here: BPF has no signed division */
	cand = bpf_map_lookup_elem(&dry_candidates, index);
	if (!cand)
		return 0;
	arch = current_syscall_arch(task);
	if (cand->allowed[arch & 1][(n / 64) & (SYSCOPE_BITMAP_WORDS - 1)] & (1ULL << (n & 63)))
		return 0;

	key = bpf_map_lookup_elem(&dry_scratch, &zero);
	if (!key)
		return 0;
	read_call_args(args, regs, arch);
	tested = cand->tested_args[arch & 1][n & (SYSCOPE_SYSCALL_BITS - 1)];
	key->cgroup_id = cgroup_id;
	key->nr = n;
	key->arch = arch;
	key->pad = 0;
	for (i = 0; i < 6; i++)
		key->args[i] = tested & (1 << i) ? args[i] : 0;
	count = bpf_map_lookup_elem(&dry_seen, key);
	if (count) { /* the common case for a busy workload: seen before, only counted */
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (bpf_map_update_elem(&dry_seen, key, &one, BPF_NOEXIST)) {
		/* EEXIST: another CPU inserted it just now, and it streams it; else the map is full. */
		count = bpf_map_lookup_elem(&dry_seen, key);
		if (count)
			__sync_fetch_and_add(count, 1);
		else
			count_loss(SYSCOPE_CNT_DRY_RUN_FULL);
		return 0;
	}
	emit_call(task, cgroup_id, nr, arch, *index, args);
	return 0;
}
