// SPDX-License-Identifier: Apache-2.0
// Owns the record-mode BPF programs (bpf/profile.bpf.c): loads and attaches them, drains their
// first-seen events into per-cgroup syscall sets, and reports the kernel's loss counters.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "syscope/kernel/bpf_owner.hpp"
#include "syscope/kernel/cgroup_leave.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"

struct profile_bpf;

namespace syscope::bpf {

enum class BitmapStore {
  automatic,       // cgroup storage where the kernel has it, else the hash map
  cgroup_storage,  // BPF_MAP_TYPE_CGRP_STORAGE (kernel >= 6.2): no lookup on the hot path
  hash,            // hash map keyed by cgroup id: works on any kernel with BTF
};
const char *to_string(BitmapStore store);
BitmapStore bitmap_store_from_string(const std::string &text);  // Exit::usage if unknown
bool kernel_has_cgroup_storage();

struct RecorderOptions {
  BitmapStore store = BitmapStore::automatic;
  // Also watch sys_exit for calls seccomp filters refused (denials.bpf.c). Costs every syscall
  // exit on the machine one load, so only container recording turns it on.
  bool track_denials = false;
  // Also keep the distinct values of the tracked (syscall, argument) pairs per cgroup
  // (syscalls/arg_pairs.hpp): CgroupCalls::args. Needs cgroup storage (Exit::environment
  // with the hash store).
  bool record_args = false;
};

// A cgroup v2 directory created (or removed) while recording, from the kernel's own events.
struct CgroupLife {
  std::string path;      // relative to the cgroup2 mount, e.g. "/docker/<id>"
  bool removed = false;  // rmdir seen: no task can run in it any more
};

class SyscallRecorder {
 public:
  // Loads and attaches; Exit::environment with libbpf's reason on failure.
  explicit SyscallRecorder(const RecorderOptions &options = {});
  ~SyscallRecorder();
  SyscallRecorder(const SyscallRecorder &) = delete;
  SyscallRecorder &operator=(const SyscallRecorder &) = delete;

  // Starts judging seccomp verdicts at sys_exit now (no-op if already on). Calls in flight at
  // this moment are never judged, so nothing innocent is reported.
  void track_denials();
  bool tracking_denials() const { return exit_link_ != nullptr; }

  int poll_fd() const;  // readable (EPOLLIN) when events are waiting
  void drain();         // consumes every waiting event

  // Records the cgroup CMD runs in with the cgroups created in it from now on (a CMD that
  // moves a process into a child cgroup of its own loses nothing), and counts the tasks that
  // leave them for another cgroup: left_cgroup() says who.
  void record_cgroup(uint64_t cgroup_id);

  // What the cgroup made: the events, united with the kernel's maps while the cgroup exists
  // (cgroup_dir_fd: its directory, the key of cgroup storage; -1 if gone), so a lost event
  // loses nothing as long as the cgroup is still there. For a cgroup given to record_cgroup(),
  // also what the cgroups created in it made.
  profile::CgroupCalls calls_of(uint64_t cgroup_id, int cgroup_dir_fd);

  // The tasks that moved out of a record_cgroup() cgroup; nullopt when none did.
  std::optional<CgroupLeave> left_cgroup(uint64_t cgroup_id) const;

  // Every cgroup created or removed since recording started, by cgroup id.
  const std::unordered_map<uint64_t, CgroupLife> &cgroups() const { return cgroups_; }

  LossCounters losses() const;
  BitmapStore store() const { return store_; }
  bool recording_args() const { return record_args_; }

 private:
  void on_event(const void *data, size_t size);
  void add_denial_counts(uint64_t cgroup_id, profile::CgroupCalls &calls) const;
  profile::CgroupCalls calls_of_one(uint64_t cgroup_id, int cgroup_dir_fd);

  BitmapStore store_;
  bool record_args_ = false;
  SkelPtr<profile_bpf> skel_;
  LinkPtr exit_link_;  // sys_exit, attached by track_denials(); detached before the skeleton
  std::unique_ptr<RingBuffer> ring_;
  std::unordered_map<uint64_t, profile::CgroupCalls> seen_;
  std::unordered_map<uint64_t, CgroupLife> cgroups_;
};

}  // namespace syscope::bpf
