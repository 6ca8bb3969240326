// SPDX-License-Identifier: Apache-2.0
// One seccomp denial as watch reports it: the kernel's record plus what userspace learned about
// its cgroup (container name, id, image, runtime), ready for formatting.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "syscope/abi.h"

namespace syscope::watch {

struct ContainerLabel {  // empty fields when unknown; no container at all: a host process
  std::string runtime;   // "docker", "containerd", ...
  std::string id;        // full 64-hex id
  std::string name;      // "web"
  std::string image;     // "nginx:1.25"
};

// Who made a call and the call itself, as the kernel's records carry them (denials, dry-run).
struct TaskCall {
  uint64_t wall_time_ns = 0;  // CLOCK_REALTIME, converted from the kernel's boot time
  uint64_t cgroup_id = 0;
  uint32_t pid = 0, tid = 0;
  std::string comm;
  int32_t nr = -1;
  uint32_t arch = SYSCOPE_ARCH_NATIVE;  // enum syscope_arch
  std::array<uint64_t, 6> args{};
};

// A record's task and call fields (its hdr.ts_ns turned into wall time with `boot_to_wall_ns`,
// CLOCK_REALTIME - CLOCK_BOOTTIME; its comm cut at its NUL).
template <typename Record>
void fill_task_call(TaskCall &out, const Record &ev, int64_t boot_to_wall_ns) {
  out.wall_time_ns = static_cast<uint64_t>(static_cast<int64_t>(ev.hdr.ts_ns) + boot_to_wall_ns);
  out.cgroup_id = ev.cgroup_id;
  out.pid = ev.pid;
  out.tid = ev.tid;
  size_t len = 0;
  while (len < sizeof ev.comm && ev.comm[len]) ++len;
  out.comm.assign(ev.comm, len);
  out.nr = ev.nr;
  out.arch = ev.arch;
  for (int i = 0; i < 6; ++i) out.args[i] = ev.args[i];
}

struct Denial : TaskCall {
  uint32_t action = SYSCOPE_ACTION_ERRNO;   // enum syscope_action
  uint32_t err = 0;                         // errno (ERRNO) or signal number
  bool traced = false;                      // a ptrace tracer was attached
  std::optional<ContainerLabel> container;  // nullopt: a host process
};

// The kernel's record as a Denial (container unset): its boot-time stamp turned into wall time
// with `boot_to_wall_ns` (CLOCK_REALTIME - CLOCK_BOOTTIME), its comm cut at its NUL.
Denial denial_from_record(const syscope_denial_event &record, int64_t boot_to_wall_ns);

}  // namespace syscope::watch
