/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The kernel/userspace contract: map values, ring-buffer records and counter indices shared by
 * the bpf/ programs and userspace. Fixed-width fields and explicit padding only, so that
 * clang -target bpf and g++ agree on every offset. */
#pragma once
#ifndef __bpf__
#include <linux/types.h> /* the BPF side gets __u32 & co from vmlinux.h */
#endif

#ifdef __cplusplus /* g++ rejects _Static_assert */
#define SYSCOPE_ABI_ASSERT(c) static_assert(c, #c)
#else
#define SYSCOPE_ABI_ASSERT(c) _Static_assert(c, #c)
#endif

/* Syscall numbers per arch; x86_64 (< 470) and i386 (< 470) numbers stay below this. */
#define SYSCOPE_SYSCALL_BITS 512
#define SYSCOPE_BITMAP_WORDS (SYSCOPE_SYSCALL_BITS / 64)

enum syscope_arch {
	SYSCOPE_ARCH_NATIVE, /* the kernel's own ABI (x86_64) */
	SYSCOPE_ARCH_COMPAT, /* 32-bit compat calls (i386 via int 0x80/sysenter/syscall32) */
	SYSCOPE_ARCH_COUNT,
};

/* Value of the per-cgroup bitmap (cgroup-local storage, or the hash map keyed by cgroup v2 id
 * on kernels without BPF_MAP_TYPE_CGRP_STORAGE). Bit n of bits[arch] set: syscall n seen. */
struct syscope_cg_syscalls {
	__u64 bits[SYSCOPE_ARCH_COUNT][SYSCOPE_BITMAP_WORDS];
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_cg_syscalls) == 128);

enum syscope_event_type {
	SYSCOPE_EV_FIRST_SEEN = 1, /* struct syscope_first_seen */
};

struct syscope_event_hdr {
	__u16 type; /* enum syscope_event_type */
	__u16 size; /* whole record in bytes, header included */
	__u32 pad;
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_event_hdr) == 16);

/* Emitted once per (cgroup, arch, syscall): the first time its bitmap bit is set. */
struct syscope_first_seen {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id; /* cgroup v2 id = inode number of the cgroup2 directory */
	__u32 nr;        /* syscall number in the arch's own numbering */
	__u32 arch;      /* enum syscope_arch */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_first_seen) == 32);

enum syscope_counter { /* per-CPU; userspace sums CPUs and reports every non-zero one */
	SYSCOPE_CNT_RINGBUF_FULL, /* bpf_ringbuf_reserve() failed: one event lost */
	SYSCOPE_CNT_CGROUP_FULL,  /* no slot for a new cgroup's bitmap: its calls are lost */
	SYSCOPE_CNT_NR_RANGE,     /* syscall number < 0 or >= SYSCOPE_SYSCALL_BITS: not recorded */
	SYSCOPE_CNT_MAX,
};
