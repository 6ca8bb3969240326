// SPDX-License-Identifier: Apache-2.0
// Owns watch mode's BPF programs (bpf/watch.bpf.c + lifecycle.bpf.c): attaches them in the
// order the detection needs and turns their records into watch::Denial values.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "syscope/kernel/bpf_owner.hpp"
#include "syscope/kernel/denial.hpp"
#include "syscope/kernel/loss_counters.hpp"

struct watch_bpf;

namespace syscope::bpf {

class DenialWatcher {
 public:
  using DenialSink = std::function<void(watch::Denial &&)>;
  using CgroupSink = bpf::CgroupSink;

  // Loads and attaches; Exit::environment with libbpf's reason on failure.
  DenialWatcher(DenialSink on_denial, CgroupSink on_cgroup);
  ~DenialWatcher();
  DenialWatcher(const DenialWatcher &) = delete;
  DenialWatcher &operator=(const DenialWatcher &) = delete;

  int poll_fd() const;
  void drain();  // delivers every waiting record to the sinks
  LossCounters losses() const;

 private:
  void on_record(const void *data, size_t size);
  void attach_in_order();

  DenialSink on_denial_;
  CgroupSink on_cgroup_;
  SkelPtr<watch_bpf> skel_;
  std::unique_ptr<RingBuffer> ring_;
  int64_t boot_to_wall_ns_ = 0;  // CLOCK_REALTIME - CLOCK_BOOTTIME when we started
};

}  // namespace syscope::bpf
