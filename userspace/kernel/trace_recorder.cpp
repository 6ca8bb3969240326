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

[[noreturn]] void fail(const std::string &what, int err) {
  std::string why = libbpf_last_error();
  throw Error(Exit::environment, what + ": " + errno_text(err > 0 ? err : -err) +
                                     (why.empty() ? "" : " (libbpf: " + why + ")") +
                                     "; run as root or with CAP_BPF+CAP_PERFMON");
}

}  // namespace

TraceRecorder::TraceRecorder(Sink sink) : sink_(std::move(sink)) {
  skel_ = trace_bpf::open();
  if (!skel_) fail("cannot open the BPF object", errno);
  bpf_map__set_max_entries(skel_->maps.events, kRingBytes);
  if (int err = trace_bpf::load(skel_)) {
    trace_bpf::destroy(skel_);
    fail("cannot load the trace programs", err);
  }
  fill_capture_plan();
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &TraceRecorder::on_record, this, nullptr);
  if (!ring_) {
    int err = errno;
    trace_bpf::destroy(skel_);
    fail("cannot open the ring buffer", err);
  }
  // The skeleton attaches in program order: sys_enter before sys_exit.
  if (int err = trace_bpf::attach(skel_)) {
    ring_buffer__free(ring_);
    trace_bpf::destroy(skel_);
    fail("cannot attach the trace programs", err);
  }
}

TraceRecorder::~TraceRecorder() {
  ring_buffer__free(ring_);
  trace_bpf::destroy(skel_);
}

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
  uint8_t yes = 1;
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.trace_cgroups), &cgroup_id, &yes, BPF_ANY) != 0)
    fail("cannot select cgroup " + std::to_string(cgroup_id), errno);
}

void TraceRecorder::untrace_cgroup(uint64_t cgroup_id) {
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.trace_cgroups), &cgroup_id);  // gone already: fine
}

int TraceRecorder::poll_fd() const { return ring_buffer__epoll_fd(ring_); }

int TraceRecorder::on_record(void *ctx, void *data, size_t size) noexcept {
  auto *self = static_cast<TraceRecorder *>(ctx);
  if (size < sizeof(syscope_event_hdr)) return 0;
  const auto *hdr = static_cast<const syscope_event_hdr *>(data);
  try {
    self->sink_(data, hdr->size <= size ? hdr->size : size);
  } catch (...) {
    self->sink_failed_ = true;
    return -EIO;
  }
  return 0;
}

void TraceRecorder::drain() {
  int n = ring_buffer__consume(ring_);
  if (sink_failed_) throw Error(Exit::usage, "cannot write the trace file");
  if (n < 0 && n != -EINTR) fail("cannot read the ring buffer", n);
}

LossCounters TraceRecorder::losses() const { return read_loss_counters(bpf_map__fd(skel_->maps.counters)); }

}  // namespace syscope::bpf
