// SPDX-License-Identifier: Apache-2.0
// Realistic kernel records (as the trace BPF programs emit them) and a temp dir, for the trace
// file and trace stats tests.
#pragma once
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>

#include "syscope/abi.h"
#include "../common/temp_dir.hpp"

namespace trace_test {

using syscope::test::TempDir;

inline std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
inline void spit(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

template <typename T> T blank(uint16_t type, uint64_t ts_ns) {
  T ev;
  std::memset(&ev, 0, sizeof ev);
  ev.hdr.type = type;
  ev.hdr.size = sizeof(T);
  ev.hdr.ts_ns = ts_ns;
  return ev;
}

// struct syscope_syscall_event with its optional data tail, as the ring buffer hands it over.
struct SyscallRecord {
  syscope_syscall_event ev;
  char data[SYSCOPE_TRACE_DATA_MAX];

  size_t size() const { return ev.hdr.size; }
  const void *bytes() const { return this; }
};

inline SyscallRecord syscall_record(uint64_t ts, uint64_t cgroup, uint32_t pid, uint32_t tid,
                                    int nr, int64_t ret, uint16_t flags = 0) {
  SyscallRecord r;
  std::memset(&r, 0, sizeof r);
  r.ev.hdr.type = SYSCOPE_EV_SYSCALL;
  r.ev.hdr.size = sizeof r.ev;
  r.ev.hdr.ts_ns = ts;
  r.ev.cgroup_id = cgroup;
  r.ev.pid = pid;
  r.ev.tid = tid;
  r.ev.nr = nr;
  r.ev.arch = SYSCOPE_ARCH_NATIVE;
  r.ev.flags = flags;
  r.ev.duration_ns = (flags & (SYSCOPE_SYSCALL_ENTER_ONLY | SYSCOPE_SYSCALL_DENIED)) ? 0 : 11000;
  r.ev.ret = ret;
  for (int i = 0; i < 6; ++i) r.ev.args[i] = 0x1000 * (i + 1) + nr;
  return r;
}

inline SyscallRecord with_path(SyscallRecord r, const char *path) {
  r.ev.hdr.size = sizeof r;
  r.ev.data_kind = SYSCOPE_DATA_PATH;
  std::strncpy(r.data, path, sizeof r.data - 1);
  r.ev.data_len = static_cast<uint16_t>(std::strlen(path) + 1);
  return r;
}

inline SyscallRecord with_unix_sockaddr(SyscallRecord r, const char *sun_path) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, sun_path, sizeof sa.sun_path - 1);
  r.ev.hdr.size = sizeof r;
  r.ev.data_kind = SYSCOPE_DATA_SOCKADDR;
  std::memcpy(r.data, &sa, sizeof sa);
  r.ev.data_len =
      static_cast<uint16_t>(offsetof(sockaddr_un, sun_path) + std::strlen(sun_path) + 1);
  return r;
}

inline syscope_proc_exec proc_exec(uint64_t ts, uint64_t cgroup, uint32_t pid, const char *filename,
                              const char *args, size_t args_len) {
  auto ev = blank<syscope_proc_exec>(SYSCOPE_EV_PROC_EXEC, ts);
  ev.cgroup_id = cgroup;
  ev.pid = ev.tid = ev.old_tid = pid;
  std::strncpy(ev.filename, filename, sizeof ev.filename - 1);
  std::memcpy(ev.args, args, args_len);
  ev.args_len = static_cast<uint16_t>(args_len);
  return ev;
}

inline syscope_proc_fork proc_fork(uint64_t ts, uint64_t cgroup, uint32_t parent, uint32_t child) {
  auto ev = blank<syscope_proc_fork>(SYSCOPE_EV_PROC_FORK, ts);
  ev.cgroup_id = cgroup;
  ev.parent_pid = ev.parent_tid = parent;
  ev.child_pid = ev.child_tid = child;
  return ev;
}

inline syscope_proc_exit proc_exit(uint64_t ts, uint64_t cgroup, uint32_t pid, uint32_t code) {
  auto ev = blank<syscope_proc_exit>(SYSCOPE_EV_PROC_EXIT, ts);
  ev.cgroup_id = cgroup;
  ev.pid = ev.tid = pid;
  ev.exit_code = code << 8;
  ev.group_dead = 1;
  return ev;
}

inline syscope_denial_event denial(uint64_t ts, uint64_t cgroup, uint32_t pid, const char *comm,
                                   int nr, uint16_t action, uint32_t err) {
  auto ev = blank<syscope_denial_event>(SYSCOPE_EV_DENIAL, ts);
  ev.cgroup_id = cgroup;
  ev.pid = ev.tid = pid;
  std::strncpy(ev.comm, comm, sizeof ev.comm - 1);
  ev.nr = nr;
  ev.arch = SYSCOPE_ARCH_NATIVE;
  ev.action = action;
  ev.err = err;
  ev.args[0] = 0x10000000;  // CLONE_NEWUSER
  return ev;
}

inline syscope_cgroup_event cgroup_event(uint16_t type, uint64_t ts, uint64_t cgroup,
                                         const char *path) {
  auto ev = blank<syscope_cgroup_event>(type, ts);
  ev.cgroup_id = cgroup;
  std::strncpy(ev.path, path, sizeof ev.path - 1);
  return ev;
}

}  // namespace trace_test
