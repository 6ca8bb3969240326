// SPDX-License-Identifier: Apache-2.0
// The kernel's per-CPU loss counters (enum syscope_counter), summed over CPUs, and the text
// users see for each one that is not zero.
#pragma once
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "syscope/abi.h"

namespace syscope::bpf {

struct LossCounters {
  std::array<uint64_t, SYSCOPE_CNT_MAX> values{};
  bool any() const;
  // "3 events lost (ring buffer full), 1 syscall number out of range"; empty if none.
  std::string describe() const;
};

// The key of counter `which` (enum syscope_counter) in trace files and JSON: "ringbuf_full", ...
const char *loss_counter_key(int which);
// {"ringbuf_full":n,...}: every counter by its key (trace files, the daemon's status).
nlohmann::json to_json(const LossCounters &losses);
// The inverse, for counters read back (a trace file's catalog, the daemon's answers); a key that
// is missing or not a count reads as 0.
LossCounters loss_counters_from_json(const nlohmann::json &counters);

// Reads a BPF_MAP_TYPE_PERCPU_ARRAY of SYSCOPE_CNT_MAX __u64 slots; Exit::environment on failure.
LossCounters read_loss_counters(int percpu_array_fd);

// libbpf's own log goes to stderr only when verbose; otherwise it is kept for error messages.
void route_libbpf_log(bool verbose);
// The last warning/error lines libbpf printed (for "why did loading fail"), newest last.
std::string libbpf_last_error();

}  // namespace syscope::bpf
