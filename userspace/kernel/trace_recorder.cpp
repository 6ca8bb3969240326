// SPDX-License-Identifier: Apache-2.0
// The ring buffer is sized for storms (64 MiB); the kernel side wakes us only when it fills
// past a threshold, and the caller also drains on a timer, so wakeups come in batches.
#include "syscope/kernel/trace_recorder.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/syscalls/signatures.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "trace.skel.h"

namespace syscope::bpf {
namespace {

constexpr uint32_t kRingBytes = 64u << 20;

}  // namespace

TraceRecorder::TraceRecorder(Sink sink) {
  skel_ = open_skeleton<trace_bpf>();
  bpf_map__set_max_entries(skel_->maps.events, kRingBytes);
  load(skel_, "trace programs");
  fill_capture_plan();
  ring_ = std::make_unique<RingBuffer>(bpf_map__fd(skel_->maps.events), std::move(sink));
  // The skeleton attaches in program order: sys_enter before sys_exit.
  if (int err = trace_bpf::attach(skel_.get())) fail("cannot attach the trace programs", err);
}

TraceRecorder::~TraceRecorder() = default;

// The plan comes from the one signature table, by libseccomp's name of each number: so an
// arch's every number for a call is covered, also those libseccomp only resolves that way
// (i386's direct socket calls, connect = 362, whose name resolves to socketcall's multiplexer).
void TraceRecorder::fill_capture_plan() {
  int fd = bpf_map__fd(skel_->maps.capture_plan);
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch)
    for (int nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) {
      auto name = seccomp::syscall_name(seccomp::scmp_arch_for(arch), nr);
      if (!name) continue;
      const syscalls::Signature *sig = syscalls::signature(*name);
      auto plan = sig ? syscalls::capture_plan(*sig) : std::nullopt;
      if (!plan) continue;
      uint32_t key = arch * SYSCOPE_SYSCALL_BITS + static_cast<uint32_t>(nr);
      if (bpf_map_update_elem(fd, &key, &*plan, BPF_ANY) != 0)
        fail("cannot fill the capture plan", errno);
    }
}

void TraceRecorder::trace_cgroup(uint64_t cgroup_id) {
  select_cgroup(bpf_map__fd(skel_->maps.recorded_cgs), cgroup_id);
}

void TraceRecorder::untrace_cgroup(uint64_t cgroup_id) {
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.recorded_cgs), &cgroup_id);  // gone already: fine
}

std::optional<CgroupLeave> TraceRecorder::left_cgroup(uint64_t cgroup_id) const {
  return read_cgroup_leave(bpf_map__fd(skel_->maps.cg_leaves), cgroup_id);
}

int TraceRecorder::poll_fd() const { return ring_->poll_fd(); }

void TraceRecorder::drain() {
  ring_->consume();  // what the sink threw (the trace writer's error) comes out here
}

LossCounters TraceRecorder::losses() const {
  return read_loss_counters(bpf_map__fd(skel_->maps.counters));
}

}  // namespace syscope::bpf
