// SPDX-License-Identifier: Apache-2.0
// `syscope profile from-trace`: the profile `record` would have made from the activity in a
// trace file, built from what was entered (exit_group never completes) and what was denied.
//
// How a trace record maps onto record mode's call sets (enum syscope_call_set):
// - entered: every SYSCOPE_EV_SYSCALL record but the SYSCOPE_SYSCALL_DENIED ones (enter-only
//   records included); denied: DENIED records with ret = -errno, and SYSCOPE_EV_DENIAL records
//   with action ERRNO (the only verdicts record mode keeps, as struct syscope_denial_key).
// - filtered: the record's SYSCOPE_SYSCALL_FILTERED flag (0x8, "the task ran under a seccomp
//   filter"), as the kernel's task->seccomp.mode test decides it for record mode.
// - setup or not: whether the call entered before the first SYSCOPE_EV_PROC_EXEC of its own
//   cgroup (record's per-cgroup exec_seen); the execve call itself is setup, as in the kernel.
//   When none of the container's cgroups has an exec in the trace (tracing began after the
//   container started), its calls count as the workload's, and a note says so.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "syscope/kernel/loss_counters.hpp"
#include "syscope/seccomp/container_profile.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"
#include "syscope/trace/read_outcome.hpp"
#include "syscope/trace/trace_file.hpp"
#include "syscope/trace/trace_show.hpp"

namespace syscope::trace {

struct ProfileFromTrace {
  bool for_container = false;          // composed for a container, else a command's allow list
  std::string label;                   // as record's summary: "web 3f2a9c1b0e7d", or "ls"
  profile::CgroupCalls calls;          // what the trace says the selection did
  profile::ContainerProfile composed;  // the profile (for a command: built only, no notes)
  double seconds = 0;                  // first to last record of the selection
  bpf::LossCounters losses;            // the trace's last kernel counters
  std::optional<std::string> stopped_early;  // the reader's reason, when the file was cut
  uint64_t records = 0;                      // records read
  ReadOutcome outcome;                       // all of it: records, complete, stopped_early
};

// Collects, record by record in file order, what a profile needs; chooses at the end.
class TraceProfileBuilder {
 public:
  void add(const Record &record);
  // `container`: name or id prefix; none: the trace's only container, else (no container
  // records at all) the whole trace as one command. Exit::usage when `container` matches none,
  // or when the trace has several containers and none was named (the message lists them).
  ProfileFromTrace finish(const std::optional<std::string> &container);

 private:
  struct Span {  // the first and last entry of one call
    uint64_t first_ns = UINT64_MAX, last_ns = 0;
  };
  struct Cgroup {
    std::optional<uint64_t> first_exec_ns;
    std::map<std::tuple<bool, uint32_t, uint32_t>, Span> entered;  // (filtered, arch, nr)
    std::map<profile::Denial, uint64_t> denials;
    uint64_t first_ns = UINT64_MAX, last_ns = 0;  // any record of the cgroup
  };
  void seen(Cgroup &cg, uint64_t ts_ns);

  TraceCatalog catalog_;
  std::map<uint64_t, Cgroup> cgroups_;
  std::optional<std::string> first_command_;  // argv[0] (or filename) of the first exec
  uint64_t records_ = 0;
};

// Reads the whole file (Exit::usage if it is not a trace or nothing in it is readable, as
// require_readable() says).
ProfileFromTrace profile_from_trace(const std::string &path,
                                    const std::optional<std::string> &container);

}  // namespace syscope::trace
