// SPDX-License-Identifier: Apache-2.0
// `syscope trace stats FILE`: what a trace holds, counted per container, process and syscall,
// with errors, seccomp denials, the kernel's loss counters and where a damaged file stopped.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/trace/trace_file.hpp"

namespace syscope::trace {

struct CallCounts {
  uint64_t calls = 0;    // SYSCOPE_EV_SYSCALL records (enter-only and denied ones included)
  uint64_t errors = 0;   // completed calls that returned < 0, seccomp denials not included
  uint64_t denials = 0;  // SYSCOPE_SYSCALL_DENIED calls and SYSCOPE_EV_DENIAL records
};

struct TraceStats {
  FileHeader header;
  uint64_t blocks = 0;
  uint64_t records = 0;
  uint64_t records_skipped = 0;              // malformed kernel records in whole blocks
  bool complete = false;                     // the writer's end marker was read
  std::optional<std::string> stopped_early;  // TraceReader::stopped_early()
  uint64_t first_ts_ns = 0, last_ts_ns = 0;  // boot time of the first and last kernel record
  CallCounts total;
  uint64_t enter_only = 0;  // calls that never returned
  uint64_t data_lost = 0;   // SYSCOPE_SYSCALL_DATA_LOST: user-memory argument not readable
  uint64_t forks = 0, execs = 0, exits = 0;

  struct Group {                  // a container, or "host" for every other cgroup
    std::string label;            // "web (3f2a9c1b0e7d, nginx:1.25)", "host"
    std::string id, name, image;  // empty for host
    std::vector<uint64_t> cgroup_ids;
    CallCounts counts;
    uint64_t processes = 0;
  };
  std::vector<Group> groups;  // by calls, most first
  struct Process {
    uint32_t pid = 0;
    std::string comm;   // basename of the last exec's filename, else the denial's comm, else ""
    std::string group;  // Group::label
    CallCounts counts;
  };
  std::vector<Process> processes;  // by calls, most first
  struct Syscall {
    std::string name;  // libseccomp's name, or "syscall_<nr>"
    std::string arch;  // syscalls::arch_label: "x86_64", "i386"
    int nr = 0;
    CallCounts counts;
  };
  std::vector<Syscall> syscalls;           // by calls, most first
  std::optional<nlohmann::json> counters;  // the last kRecordCounters record
  uint64_t drops = 0;                      // sum of its counts
  std::vector<std::string> notes;          // kRecordNote texts
};

// Reads the rest of `reader` and counts it.
TraceStats collect_stats(TraceReader &reader);
std::string format_stats_text(const TraceStats &stats, const std::string &path);
nlohmann::ordered_json stats_json(const TraceStats &stats, const std::string &path);

}  // namespace syscope::trace
