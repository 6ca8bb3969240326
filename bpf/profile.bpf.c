// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Record mode: per cgroup, a bitmap of the syscall numbers its tasks entered, set with an
 * atomic OR; a ring-buffer event only the first time a (cgroup, arch, syscall) bit is set.
 * Runs on every syscall of the machine, so the common case is two loads and a test. */
#include "common.bpf.h"

char LICENSE[] SEC("license") = "GPL"; /* the ring buffer and task helpers are GPL-only */

/* Primary store: cgroup-local storage (kernel >= 6.2) on the task's default-hierarchy cgroup,
 * found by pointer, without a hash lookup. Freed with the cgroup, which is why every new bit
 * also goes out as an event: userspace keeps the union. */
struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct syscope_cg_syscalls);
} cg_storage SEC(".maps");

/* Fallback store for kernels without cgroup storage: keyed by cgroup v2 id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct syscope_cg_syscalls);
} cg_syscalls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static const struct syscope_cg_syscalls empty_bitmap;

static __always_inline void emit_first_seen(__u64 cgroup_id, long nr, __u32 arch)
{
	struct syscope_first_seen *ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);

	if (!ev) {
		count_loss(SYSCOPE_CNT_RINGBUF_FULL);
		return;
	}
	ev->hdr.type = SYSCOPE_EV_FIRST_SEEN;
	ev->hdr.size = sizeof(*ev);
	ev->hdr.pad = 0;
	ev->hdr.ts_ns = bpf_ktime_get_boot_ns();
	ev->cgroup_id = cgroup_id;
	ev->nr = nr;
	ev->arch = arch;
	bpf_ringbuf_submit(ev, 0);
}

/* Sets the bit; on the first time, reports it. The plain load first keeps the locked OR off
 * the common path, where the call is already known for the cgroup. */
static __always_inline void mark_seen(struct syscope_cg_syscalls *seen, struct task_struct *task,
				      long nr, __u64 cgroup_id_or_0)
{
	__u32 arch, word;
	__u64 bit;

	if (nr < 0 || nr >= SYSCOPE_SYSCALL_BITS) {
		count_loss(SYSCOPE_CNT_NR_RANGE);
		return;
	}
	arch = current_syscall_arch(task);
	word = (__u32)nr / 64;
	bit = 1ULL << (nr & 63);
	if (seen->bits[arch][word] & bit)
		return;
	if (__sync_fetch_and_or(&seen->bits[arch][word], bit) & bit)
		return; /* another CPU set it first and reported it */
	emit_first_seen(cgroup_id_or_0 ? cgroup_id_or_0 : bpf_get_current_cgroup_id(), nr, arch);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(profile_enter_cgrp_storage, struct pt_regs *regs, long nr)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct syscope_cg_syscalls *seen;

	seen = bpf_cgrp_storage_get(&cg_storage, task->cgroups->dfl_cgrp, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!seen) {
		count_loss(SYSCOPE_CNT_CGROUP_FULL);
		return 0;
	}
	mark_seen(seen, task, nr, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(profile_enter_hash, struct pt_regs *regs, long nr)
{
	__u64 cgroup_id = bpf_get_current_cgroup_id();
	struct syscope_cg_syscalls *seen = bpf_map_lookup_elem(&cg_syscalls, &cgroup_id);

	if (!seen) {
		/* NOEXIST: a racing CPU may have inserted it first; either way, look it up again. */
		bpf_map_update_elem(&cg_syscalls, &cgroup_id, &empty_bitmap, BPF_NOEXIST);
		seen = bpf_map_lookup_elem(&cg_syscalls, &cgroup_id);
		if (!seen) {
			count_loss(SYSCOPE_CNT_CGROUP_FULL);
			return 0;
		}
	}
	mark_seen(seen, bpf_get_current_task_btf(), nr, cgroup_id);
	return 0;
}
