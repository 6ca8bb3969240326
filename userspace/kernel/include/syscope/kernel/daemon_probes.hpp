// SPDX-License-Identifier: Apache-2.0
// Owns the daemon's one BPF object (bpf/daemon.bpf.c): record's bitmaps and watch's denials in
// one sys_enter/sys_exit pair for every cgroup of the node, pinned under bpffs so that a
// restart, or a kill -9 and a restart, resumes the programs that kept running meanwhile.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "syscope/kernel/bpf_owner.hpp"
#include "syscope/kernel/bpffs.hpp"
#include "syscope/kernel/denial.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"

struct daemon_bpf;

namespace syscope::bpf {

struct DaemonProbeOptions {
  // Where the maps and links are pinned, e.g. "/sys/fs/bpf/syscope" (created if missing, on a
  // bpffs); nullopt: nothing pinned, the programs detach with this object.
  std::optional<std::string> pin_dir;
  // Size of the event ring buffer: a power of two, at least 4096 (Exit::usage otherwise). The
  // default 4 MiB holds about 100,000 first-seen records while no daemon reads: some 300
  // containers started and gone meanwhile (daemon_probes.cpp has the arithmetic); beyond,
  // SYSCOPE_CNT_RINGBUF_FULL counts each record lost. A resumed ring keeps its pinned size.
  uint32_t ring_bytes = 4u << 20;
  // Also keep the values of the tracked (syscall, argument) pairs per cgroup (record --args's
  // bpf/arg_values.bpf.h): the arg_value sink and calls_in_kernel's args. Part of the pinned
  // object's identity: pins made with the other setting are replaced, their data maps kept.
  bool record_args = false;
};

enum class ProbeStart {
  fresh,     // nothing was pinned (or no pin_dir): loaded and attached now
  resumed,   // the pinned programs (same abi.h, same object) kept running: their maps reused
  replaced,  // pins of another object or layout were there: see start_note()
};
const char *to_string(ProbeStart start);  // "fresh", "resumed", "replaced"

class DaemonProbes {
 public:
  struct Sinks {
    // A (cgroup, syscall, arch, set) seen for the first time since the programs were attached.
    std::function<void(uint64_t cgroup_id, uint32_t nr, uint32_t arch, uint32_t set)> first_seen;
    // Every denial, as watch reports it; wall_time_ns set, container left unset.
    std::function<void(watch::Denial &&)> denial;
    // A value of tracked pair `pair` (syscalls/arg_pairs.hpp) new for the cgroup; flags
    // SYSCOPE_ARG_FILTERED (a filtered task used it), SYSCOPE_ARG_OVERFLOW (value meaningless).
    std::function<void(uint64_t cgroup_id, uint32_t pair, uint64_t value, uint32_t flags)>
        arg_value;
    // A cgroup v2 directory created (removed = false) or removed; path relative to the mount.
    std::function<void(uint64_t cgroup_id, const std::string &path, bool removed)> cgroup;
  };

  // Loads and attaches, or resumes the pinned programs (see ProbeStart). Exit::environment on
  // a kernel without BPF_MAP_TYPE_CGRP_STORAGE, a pin_dir held by another live DaemonProbes, or
  // a libbpf failure. Sinks left empty are skipped. Does not drain: the first drain() delivers
  // what the ring buffer accumulated while nobody read it.
  DaemonProbes(const DaemonProbeOptions &options, Sinks sinks);
  // Closes our fds. Pinned links keep the programs attached (and the ring buffer filling)
  // unless unpin() ran; without a pin_dir the programs detach here.
  ~DaemonProbes();
  DaemonProbes(const DaemonProbes &) = delete;
  DaemonProbes &operator=(const DaemonProbes &) = delete;

  ProbeStart start() const { return start_; }
  // One line for the log: "loaded and pinned under DIR", "resumed the programs pinned under DIR
  // (N events waiting)", "replaced the pinned programs (another object): ...".
  std::string start_note() const { return start_note_; }

  int poll_fd() const;  // readable (EPOLLIN) when records are waiting
  void drain();         // delivers every waiting record to the sinks; a sink may throw

  // What cgroup storage holds for the cgroup whose directory fd this is (the key of cgroup
  // storage); nullopt when it has none (it made no call since the programs were attached).
  std::optional<profile::CgroupCalls> calls_in_kernel(int cgroup_dir_fd) const;
  // The ERRNO denials counted in the kernel for a cgroup (map cg_denials), with their counts.
  std::map<profile::Denial, uint64_t> denials_of(uint64_t cgroup_id) const;
  // Every cgroup's, in one walk of the map: what a periodic save reads (denials_of() per
  // cgroup would walk it once for each).
  std::unordered_map<uint64_t, std::map<profile::Denial, uint64_t>> denials() const;
  // Drops the cgroup's cg_denials entries (it is gone and what it had is saved).
  void forget_cgroup(uint64_t cgroup_id);
  void forget_cgroups(const std::set<uint64_t> &cgroup_ids);  // one walk for all of them

  LossCounters losses() const;
  // Bytes of kernel memory the maps hold: the kernel's own figure per map (fdinfo "memlock",
  // which counts the ring buffer's pages and the hash maps' elements), plus, for cgroup
  // storage (whose figure leaves out its per-cgroup elements), an estimate of 1280 bytes for
  // each cgroup under /sys/fs/cgroup that has an element (the element with its 520-byte bitmap
  // in a 1 KiB slab object, the cgroup's storage header in a 256-byte one). Walks cgroupfs,
  // one lookup per cgroup directory: for status, not for a hot loop.
  uint64_t map_bytes() const;

  // Removes every pin under pin_dir (and the dir): the programs detach when this object, the
  // last holder of the link fds, goes. No-op without a pin_dir.
  void unpin();

  // Removes what a crashed daemon left under pin_dir: links (they detach), maps, the dir.
  // Returns one line per thing removed (empty: nothing was there). Exit::environment if a live
  // DaemonProbes holds the dir.
  static std::vector<std::string> uninstall(const std::string &pin_dir);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ProbeStart start_ = ProbeStart::fresh;
  std::string start_note_;
};

}  // namespace syscope::bpf
