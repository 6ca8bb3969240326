// SPDX-License-Identifier: Apache-2.0
#include "syscope/kernel/loss_counters.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <vector>

#include "syscope/base/error.hpp"

namespace syscope::bpf {
namespace {

const char *counter_meaning(int which) {
  switch (which) {
    case SYSCOPE_CNT_RINGBUF_FULL: return "events lost (ring buffer full)";
    case SYSCOPE_CNT_CGROUP_FULL:
      return "syscalls not recorded (no bitmap for their cgroup: map full, or the cgroup was being removed)";
    case SYSCOPE_CNT_TASK_FULL: return "calls not judged for seccomp denials (no task slot)";
    case SYSCOPE_CNT_DENIAL_FULL: return "seccomp denials not recorded (denial map full)";
    case SYSCOPE_CNT_USER_READ: return "user-memory arguments not readable (page not resident)";
    case SYSCOPE_CNT_NR_RANGE: return "syscalls with a number out of range";
    default: return "losses of an unknown kind";
  }
}

}  // namespace

bool LossCounters::any() const {
  for (auto v : values)
    if (v) return true;
  return false;
}

std::string LossCounters::describe() const {
  std::string text;
  for (int i = 0; i < SYSCOPE_CNT_MAX; ++i) {
    if (!values[i]) continue;
    if (!text.empty()) text += ", ";
    text += std::to_string(values[i]) + " " + counter_meaning(i);
  }
  return text;
}

LossCounters read_loss_counters(int percpu_array_fd) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) throw Error(Exit::environment, "cannot count possible CPUs");
  LossCounters counters;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  for (uint32_t key = 0; key < SYSCOPE_CNT_MAX; ++key) {
    if (bpf_map_lookup_elem(percpu_array_fd, &key, per_cpu.data()) != 0)
      throw Error(Exit::environment, "cannot read loss counters: " + errno_text(errno));
    for (auto v : per_cpu) counters.values[key] += v;
  }
  return counters;
}

}  // namespace syscope::bpf
