// SPDX-License-Identifier: Apache-2.0
// The ring buffer is sized for storms (64 MiB); the kernel side wakes us only when it fills
// past a threshold, and the caller also drains on a timer, so wakeups come in batches.
#include "syscope/kernel/trace_recorder.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "trace.skel.h"

namespace syscope::bpf {
namespace {

constexpr uint32_t kRingBytes = 64u << 20;

struct Capture {
  const char *name;
  syscope_capture_plan plan;
};

// Which argument of which call points at the user memory worth keeping: paths read at entry,
// socket addresses read at entry (connect, bind, sendto) or at exit (accept & co).
constexpr Capture kCaptures[] = {
    {"open", {SYSCOPE_DATA_PATH, 0, 0, 0}},        {"openat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"openat2", {SYSCOPE_DATA_PATH, 1, 0, 0}},     {"creat", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"execve", {SYSCOPE_DATA_PATH, 0, 0, 0}},      {"execveat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"unlink", {SYSCOPE_DATA_PATH, 0, 0, 0}},      {"unlinkat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"rename", {SYSCOPE_DATA_PATH, 0, 0, 0}},      {"renameat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"renameat2", {SYSCOPE_DATA_PATH, 1, 0, 0}},   {"mkdir", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"mkdirat", {SYSCOPE_DATA_PATH, 1, 0, 0}},     {"rmdir", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"chmod", {SYSCOPE_DATA_PATH, 0, 0, 0}},       {"fchmodat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"chown", {SYSCOPE_DATA_PATH, 0, 0, 0}},       {"lchown", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"fchownat", {SYSCOPE_DATA_PATH, 1, 0, 0}},    {"mount", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"umount2", {SYSCOPE_DATA_PATH, 0, 0, 0}},     {"chdir", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"chroot", {SYSCOPE_DATA_PATH, 0, 0, 0}},      {"access", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"faccessat", {SYSCOPE_DATA_PATH, 1, 0, 0}},   {"faccessat2", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"stat", {SYSCOPE_DATA_PATH, 0, 0, 0}},        {"lstat", {SYSCOPE_DATA_PATH, 0, 0, 0}},
    {"newfstatat", {SYSCOPE_DATA_PATH, 1, 0, 0}},  {"statx", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"readlink", {SYSCOPE_DATA_PATH, 0, 0, 0}},    {"readlinkat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"symlink", {SYSCOPE_DATA_PATH, 1, 0, 0}},     {"symlinkat", {SYSCOPE_DATA_PATH, 2, 0, 0}},
    {"link", {SYSCOPE_DATA_PATH, 0, 0, 0}},        {"linkat", {SYSCOPE_DATA_PATH, 1, 0, 0}},
    {"truncate", {SYSCOPE_DATA_PATH, 0, 0, 0}},    {"connect", {SYSCOPE_DATA_SOCKADDR, 1, 2, 0}},
    {"bind", {SYSCOPE_DATA_SOCKADDR, 1, 2, 0}},    {"sendto", {SYSCOPE_DATA_SOCKADDR, 4, 5, 0}},
    {"accept", {SYSCOPE_DATA_SOCKADDR, 1, 2, SYSCOPE_PLAN_SOCKADDR_OUT}},
    {"accept4", {SYSCOPE_DATA_SOCKADDR, 1, 2, SYSCOPE_PLAN_SOCKADDR_OUT}},
    {"recvfrom", {SYSCOPE_DATA_SOCKADDR, 4, 5, SYSCOPE_PLAN_SOCKADDR_OUT}},
    {"getpeername", {SYSCOPE_DATA_SOCKADDR, 1, 2, SYSCOPE_PLAN_SOCKADDR_OUT}},
    {"getsockname", {SYSCOPE_DATA_SOCKADDR, 1, 2, SYSCOPE_PLAN_SOCKADDR_OUT}},
    {"exit", {SYSCOPE_DATA_NONE, 0, 0, SYSCOPE_PLAN_NEVER_RETURNS}},
    {"exit_group", {SYSCOPE_DATA_NONE, 0, 0, SYSCOPE_PLAN_NEVER_RETURNS}},
};

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

void TraceRecorder::fill_capture_plan() {
  int fd = bpf_map__fd(skel_->maps.capture_plan);
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch)
    for (const auto &capture : kCaptures) {
      auto nr = seccomp::syscall_number(seccomp::scmp_arch_for(arch), capture.name);
      if (!nr || *nr >= SYSCOPE_SYSCALL_BITS) continue;  // this arch has no such call
      uint32_t key = arch * SYSCOPE_SYSCALL_BITS + static_cast<uint32_t>(*nr);
      if (bpf_map_update_elem(fd, &key, &capture.plan, BPF_ANY) != 0)
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

int TraceRecorder::poll_fd() const { return ring_->poll_fd(); }

void TraceRecorder::drain() {
  ring_->consume();  // what the sink threw (the trace writer's error) comes out here
}

LossCounters TraceRecorder::losses() const { return read_loss_counters(bpf_map__fd(skel_->maps.counters)); }

}  // namespace syscope::bpf
