/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* The kernel/userspace contract: map values, ring-buffer records and counter indices shared by
 * the bpf/ programs and userspace. Fixed-width fields and explicit padding only, so that
 * clang -target bpf and g++ agree on every offset. */
#pragma once
/* clang-format off: the field comments are aligned by hand, and several go on over a second
 * line, which clang-format 14 cannot keep aligned. */
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

/* Which bitmap of a cgroup a call lands in: whether the calling task runs under a seccomp filter
 * (task->seccomp.mode == SECCOMP_MODE_FILTER) and whether a task of the cgroup has completed an
 * execve yet. In a container, calls before the first exec are the runtime's setup (runc mounts,
 * pivots, ...) and, once runc has installed the filter, the runtime's gap before execve. */
enum syscope_call_set {
	SYSCOPE_SET_PLAIN_SETUP,    /* no filter, before the cgroup's first exec */
	SYSCOPE_SET_PLAIN,          /* no filter, after it: an unconfined workload */
	SYSCOPE_SET_FILTERED_SETUP, /* filtered, before the first exec: the runtime's gap */
	SYSCOPE_SET_FILTERED,       /* filtered, after it: a confined workload */
	SYSCOPE_SET_COUNT,
};

/* Value of the per-cgroup bitmap (cgroup-local storage, or the hash map keyed by cgroup v2 id
 * on kernels without BPF_MAP_TYPE_CGRP_STORAGE). Bit n of bits[set][arch]: syscall n seen. */
struct syscope_cg_syscalls {
	__u32 exec_seen; /* non-zero once a task of the cgroup completed an execve */
	__u32 pad;
	__u64 bits[SYSCOPE_SET_COUNT][SYSCOPE_ARCH_COUNT][SYSCOPE_BITMAP_WORDS];
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_cg_syscalls) == 8 + 512);

/* Argument-aware recording (record --args): for a bounded set of (syscall, argument) pairs,
 * userspace/syscalls/arg_pairs.cpp's table, the distinct values each cgroup used. A call's value
 * is (args[arg] & mask) | (args[arg2] & mask2) << 32: socket keeps family and type together. */
#define SYSCOPE_ARG_PAIRS 16  /* pairs the kernel side can hold; the table has fewer */
#define SYSCOPE_ARG_VALUES 16 /* distinct values kept per cgroup and pair; one more: overflow */
#define SYSCOPE_ARG_NONE 0xff /* syscope_arg_plan.arg2 when the pair has one argument */

/* Per pair, in the record object's read-only data, set before load. */
struct syscope_arg_plan {
	__u8 arg;  /* argument index 0..5 */
	__u8 arg2; /* a second argument kept in the value's upper half, or SYSCOPE_ARG_NONE */
	__u16 pad;
	__u32 mask;  /* bits of args[arg] kept (every tracked argument is a 32-bit quantity, or
		      * only its low bits matter) */
	__u32 mask2; /* bits of args[arg2] kept */
	__u32 pad2;
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_arg_plan) == 16);

/* Value of map cg_args (cgroup storage): the values a cgroup used, per pair. values[p][i] is
 * meaningful once bit i of valid[p] is set (set after the value is written, so a racing CPU never
 * mistakes a slot being filled for a value already kept). */
struct syscope_cg_args {
	/* 64-bit: the BPF atomics clang targets by default come in 64 bits only */
	__u64 used[SYSCOPE_ARG_PAIRS];  /* slots claimed; > SYSCOPE_ARG_VALUES once overflowed */
	__u64 valid[SYSCOPE_ARG_PAIRS]; /* bit i: values[p][i] written */
	/* bit i: a task under a seccomp filter used values[p][i]. A container recorded under a
	 * filter gets only these: the runtime's unfiltered setup (runc's netlink socket, say) never
	 * meets the profile. Set before the valid bit for a new value. */
	__u64 filtered[SYSCOPE_ARG_PAIRS];
	__u64 values[SYSCOPE_ARG_PAIRS][SYSCOPE_ARG_VALUES];
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_cg_args) == 384 + 8 * 16 * 16);

/* Key of map cg_denials: one seccomp verdict that refused a call in a cgroup. */
struct syscope_denial_key {
	__u64 cgroup_id; /* cgroup v2 id */
	__u32 nr;        /* syscall number in the arch's numbering */
	__u16 arch;      /* enum syscope_arch */
	__u16 err;       /* errno the filter answered (SECCOMP_RET_ERRNO, or ENOSYS for an untraced
			  * SECCOMP_RET_TRACE) */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_denial_key) == 16);

/* Per-task mark (task-local storage) of a filtered task's call between sys_enter and sys_exit:
 * a sys_exit without it is a call the seccomp filter skipped. */
struct syscope_in_flight {
	__u32 active;          /* non-zero between sys_enter and sys_exit */
	__u32 sigsys_reported; /* watch reported a seccomp SIGSYS for this task: its exit with mode
				* DEAD is that kill, not a separate KILL_THREAD */
};

enum syscope_event_type {
	SYSCOPE_EV_FIRST_SEEN = 1,   /* struct syscope_first_seen */
	SYSCOPE_EV_FIRST_DENIAL = 2, /* struct syscope_first_denial */
	SYSCOPE_EV_CGROUP_MKDIR = 3, /* struct syscope_cgroup_event */
	SYSCOPE_EV_CGROUP_RMDIR = 4, /* struct syscope_cgroup_event */
	SYSCOPE_EV_DENIAL = 5,       /* struct syscope_denial_event (watch mode) */
	SYSCOPE_EV_SYSCALL = 6,      /* struct syscope_syscall_event (trace mode) */
	SYSCOPE_EV_PROC_FORK = 7,    /* struct syscope_proc_fork (trace mode) */
	SYSCOPE_EV_PROC_EXEC = 8,    /* struct syscope_proc_exec (trace mode) */
	SYSCOPE_EV_PROC_EXIT = 9,    /* struct syscope_proc_exit (trace mode) */
	SYSCOPE_EV_ARG_VALUE = 10,   /* struct syscope_arg_value (record --args) */
};

struct syscope_event_hdr {
	__u16 type; /* enum syscope_event_type */
	__u16 size; /* whole record in bytes, header included */
	__u32 pad;
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_event_hdr) == 16);

/* Emitted once per (cgroup, set, arch, syscall): the first time its bitmap bit is set. */
struct syscope_first_seen {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id; /* cgroup v2 id = inode number of the cgroup2 directory */
	__u32 nr;        /* syscall number in the arch's own numbering */
	__u16 arch;      /* enum syscope_arch */
	__u16 set;       /* enum syscope_call_set */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_first_seen) == 32);

/* Emitted once per distinct struct syscope_denial_key; the map keeps counting repeats. */
struct syscope_first_denial {
	struct syscope_event_hdr hdr;
	struct syscope_denial_key key;
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_first_denial) == 32);

#define SYSCOPE_ARG_OVERFLOW 0x1 /* syscope_arg_value.flags: the pair had more values than kept */
#define SYSCOPE_ARG_FILTERED 0x2 /* syscope_arg_value.flags: a task under a filter used it */

/* Emitted once per new (cgroup, pair, value), once more when a filtered task first uses a value
 * only unfiltered tasks had used, and once when a pair overflows. */
struct syscope_arg_value {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id;
	__u32 pair;  /* index into the pair table */
	__u32 flags; /* SYSCOPE_ARG_* */
	__u64 value; /* meaningless with SYSCOPE_ARG_OVERFLOW */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_arg_value) == 40);

/* The seccomp action behind a denial, as watch tells them apart (see bpf/watch.bpf.c). */
enum syscope_action {
	SYSCOPE_ACTION_ERRNO = 1, /* SECCOMP_RET_ERRNO (or an untraced SECCOMP_RET_TRACE: ENOSYS) */
	SYSCOPE_ACTION_TRAP = 2,  /* SECCOMP_RET_TRAP: SIGSYS delivered, the task may handle it */
	SYSCOPE_ACTION_KILL_PROCESS = 3, /* SIGSYS with SYS_SECCOMP and the task's mode now DEAD */
	SYSCOPE_ACTION_KILL_THREAD = 4,  /* a thread exited with mode DEAD and no SIGSYS */
};

#define SYSCOPE_DENIAL_TRACED 0x1 /* a ptrace tracer was attached: it may have skipped the call */

/* One refused call, streamed by watch mode. */
struct syscope_denial_event {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id; /* cgroup v2 id */
	__u32 pid;       /* tgid, as userspace calls it */
	__u32 tid;
	char comm[16];
	__s32 nr;      /* syscall number in the arch's numbering; -1 when unknown */
	__u16 arch;    /* enum syscope_arch */
	__u16 action;  /* enum syscope_action */
	__u32 err;     /* errno for ERRNO; the signal (SIGSYS) otherwise */
	__u32 flags;   /* SYSCOPE_DENIAL_* */
	__u64 args[6]; /* the call's arguments, in syscall order */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_denial_event) == 112);

/* Trace mode: one record per syscall. */
#define SYSCOPE_SYSCALL_ENTER_ONLY \
	0x1                        /* the call never returned (exit, exit_group, a thread died) */
#define SYSCOPE_SYSCALL_DENIED 0x2 /* a seccomp filter refused it: no enter, ret is -errno */
#define SYSCOPE_SYSCALL_DATA_LOST \
	0x4                          /* a user-memory argument could not be read (its slot
					* says which) */
#define SYSCOPE_SYSCALL_FILTERED 0x8 /* the task ran under a seccomp filter */
enum syscope_data_kind {
	SYSCOPE_DATA_NONE = 0,     /* an empty slot: nothing captured */
	SYSCOPE_DATA_PATH = 1,     /* NUL-terminated path, read at entry */
	SYSCOPE_DATA_SOCKADDR = 2, /* struct sockaddr bytes, at entry (connect) or exit (accept) */
	SYSCOPE_DATA_STRING = 3,   /* NUL-terminated string that is not a path (mount's source and
				    * filesystem type, xattr names), read at entry */
};
#define SYSCOPE_TRACE_DATA_MAX 256
/* User-memory arguments captured per call at most: mount has three strings; rename & co two. */
#define SYSCOPE_CAPTURE_SLOTS 3

/* Value of map capture_plan, indexed by arch * SYSCOPE_SYSCALL_BITS + nr: what trace mode reads
 * from user memory for that call. Userspace derives it from its one signature table
 * (userspace/syscalls/signatures.cpp) and libseccomp's numbers, so the kernel side holds no
 * syscall table of its own. */
#define SYSCOPE_PLAN_NEVER_RETURNS 0x1 /* exit, exit_group: emit at entry */
#define SYSCOPE_PLAN_SLOT_OUT \
	0x1 /* slot flag: a sockaddr the call fills; len_arg points to
					* its socklen_t: read at exit when the call succeeded */
struct syscope_capture_slot {
	__u8 kind;    /* enum syscope_data_kind, never NONE */
	__u8 arg;     /* which argument holds the pointer */
	__u8 len_arg; /* sockaddr in: the argument with its length; out: with a pointer to it */
	__u8 flags;   /* SYSCOPE_PLAN_SLOT_* */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_capture_slot) == 4);

struct syscope_capture_plan {
	__u8 nslots; /* slots[] in use, in argument order; 0: nothing to read */
	__u8 flags;  /* SYSCOPE_PLAN_* */
	__u16 pad;
	struct syscope_capture_slot slots[SYSCOPE_CAPTURE_SLOTS];
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_capture_plan) == 16);

/* A syscall record is struct syscope_syscall_event followed by `nslots` struct
 * syscope_data_slot, slot i being the plan's slot i; the record's size (hdr.size) is one of
 * SYSCOPE_CAPTURE_SLOTS + 1 constants, so a call without captures stays 112 bytes. */
struct syscope_syscall_event {
	struct syscope_event_hdr hdr; /* ts_ns: when the call entered (denied: when it exited) */
	__u64 cgroup_id;
	__u32 pid; /* tgid */
	__u32 tid;
	__s32 nr;          /* syscall number in the arch's numbering */
	__u16 arch;        /* enum syscope_arch */
	__u16 flags;       /* SYSCOPE_SYSCALL_* */
	__u64 duration_ns; /* enter to exit; 0 for enter-only and denied records */
	__s64 ret;         /* return value (-errno on failure); 0 for enter-only records */
	__u64 args[6];     /* the call's arguments, in syscall order */
	__u16 nslots; /* struct syscope_data_slot after this struct: 0..SYSCOPE_CAPTURE_SLOTS */
	__u16 pad;
	__u32 pad2;
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_syscall_event) == 112);

#define SYSCOPE_SLOT_LOST \
	0x1 /* the read failed at entry and again at exit: no data, the
			       * argument stays a pointer */
/* One captured argument of a syscall record. */
struct syscope_data_slot {
	__u8 arg;   /* which argument (0..5) the data belongs to */
	__u8 kind;  /* enum syscope_data_kind; NONE: nothing captured here (a NULL pointer, an out
		     * sockaddr of a failed call, a later slot was filled) */
	__u8 flags; /* SYSCOPE_SLOT_* */
	__u8 pad;
	__u16 len; /* bytes of data[] that are valid (a string's count includes its NUL) */
	__u16 pad2;
	char data[SYSCOPE_TRACE_DATA_MAX]; /* a string cut at 255 bytes keeps its NUL */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_data_slot) == 8 + SYSCOPE_TRACE_DATA_MAX);

struct syscope_proc_fork {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id;
	__u32 parent_pid, parent_tid;
	__u32 child_pid, child_tid;
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_proc_fork) == 40);

#define SYSCOPE_EXEC_FILENAME_MAX 128
#define SYSCOPE_EXEC_ARGS_MAX 128
struct syscope_proc_exec {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id;
	__u32 pid, tid;
	__u32 old_tid;  /* the thread that called execve (becomes the leader) */
	__u16 args_len; /* bytes of args[] valid: the first argv entries, NUL-separated */
	__u16 pad;
	char filename[SYSCOPE_EXEC_FILENAME_MAX];
	char args[SYSCOPE_EXEC_ARGS_MAX];
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_proc_exec) == 16 + 8 + 16 + 256);

struct syscope_proc_exit {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id;
	__u32 pid, tid;
	__u32 exit_code;  /* as wait(2) encodes it: status << 8 | signal */
	__u32 group_dead; /* non-zero: the last thread of the process */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_proc_exit) == 40);

#define SYSCOPE_CGROUP_PATH_MAX 232

/* A cgroup v2 directory created or removed: how a cgroup id is tied to its path (and so to a
 * container) even when the cgroup lives only milliseconds. */
struct syscope_cgroup_event {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id;                    /* cgroup v2 id */
	char path[SYSCOPE_CGROUP_PATH_MAX]; /* relative to the cgroup2 mount, NUL-terminated,
					       * cut at SYSCOPE_CGROUP_PATH_MAX - 1 bytes */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_cgroup_event) == 256);

/* Value of map cg_leaves (bpf/cgroup_leave.bpf.c), keyed by the id of a cgroup userspace selected
 * for recording: the tasks that moved from it, or from a cgroup created in it since, to a cgroup
 * that is not recorded. Their later calls are not in the recording. */
struct syscope_cgroup_leave {
	__u64 count;        /* moves out: a process (cgroup.procs) or a thread (cgroup.threads) */
	__u64 first_dst_id; /* the first move's destination, cgroup v2 id */
	__u32 first_pid;    /* the first moved task's tgid */
	__u32 first_tid;
	char first_comm[16];                          /* its comm at the move */
	char first_dst_path[SYSCOPE_CGROUP_PATH_MAX]; /* its destination relative to the cgroup2
						       * mount, NUL-terminated, cut like
						       * syscope_cgroup_event.path */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_cgroup_leave) == 40 + SYSCOPE_CGROUP_PATH_MAX);

/* Value of the daemon's map `layout` (one entry, pinned with its other maps): which contract and
 * which object wrote the pinned maps. A restarted daemon reads it before any other pinned map:
 * another abi_sha256 means the maps' layout may differ (libbpf's reuse check compares only
 * sizes and flags), so they are discarded unread; another object_hash with the same layout is
 * an upgrade that keeps the data maps. */
struct syscope_daemon_layout {
	char abi_sha256[64]; /* SHA-256 of this file (abi.h) in hex, computed at build time */
	__u64 object_hash;   /* FNV-1a 64 of the daemon's BPF object (the skeleton's ELF bytes) */
	__u32 version;       /* of this struct: 1 */
	__u32 pad;
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_daemon_layout) == 80);

/* ---- Dry-run (watch --would-deny, bpf/would_deny.bpf.c): a candidate profile judged on the live
 * calls of chosen cgroups without enforcing it. Names the candidate allows outright are a bit
 * test in the kernel; any other call is deduplicated in the kernel by the argument values the
 * candidate's rules test, and each new one streamed once for userspace to judge. */
#define SYSCOPE_EV_WOULD_DENY 11 /* struct syscope_would_deny_event (event type 11) */
#define SYSCOPE_DRY_CANDIDATES 8 /* candidates the kernel holds at once; watch uses index 0 */

/* Value of map dry_candidates, indexed by candidate. */
struct syscope_dry_candidate {
	__u64 allowed[SYSCOPE_ARCH_COUNT][SYSCOPE_BITMAP_WORDS];    /* bit nr: every rule naming the
								  * call is an ALLOW without args */
	__u8 tested_args[SYSCOPE_ARCH_COUNT][SYSCOPE_SYSCALL_BITS]; /* per nr not allowed outright:
								     * bit i, argument i is tested by
								     * a rule; 0: judged by name */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_dry_candidate) == 128 + 1024);

/* Key of map dry_seen: one distinct call of a dry-run cgroup, as far as the candidate can tell
 * calls apart. Value: __u64 how many times it was made. */
struct syscope_dry_key {
	__u64 cgroup_id; /* cgroup v2 id */
	__u32 nr;        /* syscall number in the arch's numbering */
	__u16 arch;      /* enum syscope_arch */
	__u16 pad;
	__u64 args[6]; /* the arguments tested_args names; the others 0 */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_dry_key) == 64);

/* Streamed once per new struct syscope_dry_key. */
struct syscope_would_deny_event {
	struct syscope_event_hdr hdr;
	__u64 cgroup_id; /* cgroup v2 id */
	__u32 pid;       /* tgid */
	__u32 tid;
	char comm[16];
	__s32 nr;        /* syscall number in the arch's numbering */
	__u16 arch;      /* enum syscope_arch */
	__u16 candidate; /* index into dry_candidates */
	__u64 args[6];   /* all six arguments, in syscall order */
};
SYSCOPE_ABI_ASSERT(sizeof(struct syscope_would_deny_event) == 104);

enum syscope_counter {            /* per-CPU; userspace sums CPUs and reports every non-zero one */
	SYSCOPE_CNT_RINGBUF_FULL, /* bpf_ringbuf_reserve() failed: one event lost */
	SYSCOPE_CNT_CGROUP_FULL,  /* no slot for a new cgroup's bitmap (record) or in the recorded
				   * cgroups (a child created in one): its calls are lost */
	SYSCOPE_CNT_NR_RANGE,     /* syscall number < 0 or >= SYSCOPE_SYSCALL_BITS: not recorded */
	SYSCOPE_CNT_TASK_FULL,    /* no task storage for a filtered task (its denials go unseen) or
				   * a recorded process (its leaving them goes unseen) */
	SYSCOPE_CNT_DENIAL_FULL,  /* cg_denials full: a new kind of denial was not recorded */
	SYSCOPE_CNT_USER_READ, /* trace: a user-memory argument could not be read (not resident) */
	SYSCOPE_CNT_CGROUP_LEFT,  /* a process moved (or was cloned) out of the recorded cgroups:
				  * its later calls are not recorded (map cg_leaves says who) */
	SYSCOPE_CNT_DRY_RUN_FULL, /* dry_seen full: a new distinct call of a dry-run cgroup was
				   * neither judged nor counted */
	SYSCOPE_CNT_MAX,
};
/* clang-format on */
