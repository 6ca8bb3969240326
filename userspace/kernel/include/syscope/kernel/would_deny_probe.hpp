// SPDX-License-Identifier: Apache-2.0
// Owns dry-run's BPF programs (bpf/would_deny.bpf.c + lifecycle.bpf.c): the candidates' kernel
// plans, the cgroups under dry-run, and the distinct calls they make that a candidate does not
// allow outright, streamed once each for userspace to judge. Nothing here is enforced.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "syscope/abi.h"
#include "syscope/kernel/bpf_owner.hpp"
#include "syscope/kernel/denial.hpp"
#include "syscope/kernel/loss_counters.hpp"

struct would_deny_bpf;

namespace syscope::bpf {

// One candidate as the kernel holds it (struct syscope_dry_candidate), built by watch's plan
// (watch/would_deny.hpp) from a compiled profile; plain data, no seccomp types.
struct CandidatePlan {
  syscope_dry_candidate kernel{};

  // Call `nr` of `arch` (enum syscope_arch) is allowed outright: a bit test, no record.
  void allow(uint32_t arch, uint32_t nr);
  bool allowed(uint32_t arch, uint32_t nr) const;
  // Argument `index` (0..5) decides whether the candidate allows call `nr`: distinct values of
  // it are told apart (and streamed once each).
  void test_arg(uint32_t arch, uint32_t nr, unsigned index);
  uint8_t tested_args(uint32_t arch, uint32_t nr) const;  // bit i: argument i; 0: by name only
};

// One distinct call of a dry-run cgroup the kernel streamed (struct syscope_would_deny_event).
struct DryRunCall : watch::TaskCall {
  uint32_t candidate = 0;  // the candidate index the cgroup was added with
};

// The kernel's record as a DryRunCall (comm cut at its NUL, boot time turned into wall time).
DryRunCall dry_run_call_from_record(const syscope_would_deny_event &record,
                                    int64_t boot_to_wall_ns);

class WouldDenyProbe {
 public:
  using CallSink = std::function<void(DryRunCall &&)>;
  using CgroupSink = bpf::CgroupSink;

  // Loads and attaches; Exit::environment with libbpf's reason on failure. No cgroup is under
  // dry-run until add_cgroup(), so until then every syscall pays one hash lookup and returns.
  // An empty `on_cgroup` leaves the cgroup lifecycle programs out (the daemon has its own).
  WouldDenyProbe(CallSink on_call, CgroupSink on_cgroup);
  ~WouldDenyProbe();
  WouldDenyProbe(const WouldDenyProbe &) = delete;
  WouldDenyProbe &operator=(const WouldDenyProbe &) = delete;

  // Candidate `index` (< SYSCOPE_DRY_CANDIDATES) becomes `plan`; Exit::usage past the last.
  void set_candidate(uint32_t index, const CandidatePlan &plan);
  // The calls of cgroup `cgroup_id` (v2 id) are judged against candidate `index` from now on.
  // Its child cgroups are not followed: add them too.
  void add_cgroup(uint64_t cgroup_id, uint32_t index);
  void remove_cgroup(uint64_t cgroup_id);  // also forgets the cgroup's distinct calls

  int poll_fd() const;
  void drain();  // delivers every waiting record to the sinks
  LossCounters losses() const;
  // How many calls the kernel counted for the distinct calls seen so far (repeats included).
  uint64_t calls_counted() const;

 private:
  void on_record(const void *data, size_t size);

  CallSink on_call_;
  CgroupSink on_cgroup_;
  SkelPtr<would_deny_bpf> skel_;
  std::unique_ptr<RingBuffer> ring_;
  int64_t boot_to_wall_ns_ = 0;  // CLOCK_REALTIME - CLOCK_BOOTTIME when we started
};

}  // namespace syscope::bpf
