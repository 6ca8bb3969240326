// SPDX-License-Identifier: Apache-2.0
#include "syscope/kernel/loss_counters.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <vector>

#include "syscope/base/error.hpp"

namespace syscope::bpf {
namespace {

// One row per enum syscope_counter, in its order: the key trace files and JSON use, and the
// words people read.
struct CounterName {
  const char *key, *meaning;
};
constexpr CounterName kCounterNames[SYSCOPE_CNT_MAX] = {
    {"ringbuf_full", "events lost (ring buffer full)"},
    {"cgroup_full",
     "syscalls not recorded (no slot for their cgroup: map full, or the cgroup was being removed)"},
    {"nr_range", "syscalls with a number out of range"},
    {"task_full",
     "calls not judged for seccomp denials, or processes not followed out of the recorded cgroup "
     "(no task slot)"},
    {"denial_full", "seccomp denials not recorded (denial map full)"},
    {"user_read", "user-memory arguments not readable (page not resident)"},
    {"cgroup_left",
     "processes moved out of the recorded cgroup (their later syscalls not recorded)"},
    {"dry_run_full", "distinct calls not judged by the dry-run (its dedup map full)"},
};
static_assert(SYSCOPE_CNT_RINGBUF_FULL == 0 && SYSCOPE_CNT_CGROUP_FULL == 1 &&
                  SYSCOPE_CNT_NR_RANGE == 2 && SYSCOPE_CNT_TASK_FULL == 3 &&
                  SYSCOPE_CNT_DENIAL_FULL == 4 && SYSCOPE_CNT_USER_READ == 5 &&
                  SYSCOPE_CNT_CGROUP_LEFT == 6 && SYSCOPE_CNT_DRY_RUN_FULL == 7,
              "kCounterNames follows enum syscope_counter");

}  // namespace

const char *loss_counter_key(int which) {
  return which >= 0 && which < SYSCOPE_CNT_MAX ? kCounterNames[which].key : "unknown";
}

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
    text += std::to_string(values[i]) + " " + kCounterNames[i].meaning;
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

nlohmann::json to_json(const LossCounters &losses) {
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < SYSCOPE_CNT_MAX; ++i) j[loss_counter_key(i)] = losses.values[i];
  return j;
}

LossCounters loss_counters_from_json(const nlohmann::json &counters) {
  LossCounters out;
  if (!counters.is_object()) return out;
  for (int i = 0; i < SYSCOPE_CNT_MAX; ++i) {
    const char *key = loss_counter_key(i);
    if (counters.contains(key) && counters[key].is_number_unsigned())
      out.values[i] = counters[key].get<uint64_t>();
  }
  return out;
}

}  // namespace syscope::bpf
