// SPDX-License-Identifier: Apache-2.0
// Owns trace mode's BPF programs (bpf/trace.bpf.c): fills the capture plan from the signature
// table and libseccomp's numbers, selects cgroups, and hands every ring-buffer record to a sink
// as it comes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "syscope/kernel/bpf_owner.hpp"
#include "syscope/kernel/cgroup_leave.hpp"
#include "syscope/kernel/loss_counters.hpp"

struct trace_bpf;

namespace syscope::bpf {

class TraceRecorder {
 public:
  // Called with each record's bytes (a SYSCOPE_EV_* record, hdr.size bytes); may throw.
  using Sink = std::function<void(const void *data, size_t size)>;

  explicit TraceRecorder(Sink sink);
  ~TraceRecorder();
  TraceRecorder(const TraceRecorder &) = delete;
  TraceRecorder &operator=(const TraceRecorder &) = delete;

  void trace_cgroup(uint64_t cgroup_id);  // its new child cgroups follow in the kernel
  void untrace_cgroup(uint64_t cgroup_id);
  // The tasks that moved out of a trace_cgroup() cgroup (and its children) to one not traced;
  // nullopt when none did.
  std::optional<CgroupLeave> left_cgroup(uint64_t cgroup_id) const;
  int poll_fd() const;
  void drain();
  LossCounters losses() const;

 private:
  void fill_capture_plan();

  SkelPtr<trace_bpf> skel_;
  std::unique_ptr<RingBuffer> ring_;
};

}  // namespace syscope::bpf
