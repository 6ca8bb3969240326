// SPDX-License-Identifier: Apache-2.0
// Realistic kernel records (as the trace BPF programs emit them) and a temp dir, for the trace
// file and trace stats tests, and a small command trace the real writer makes.
#pragma once
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <vector>

#include "../common/temp_dir.hpp"
#include "syscope/abi.h"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/trace/trace_file.hpp"

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

// struct syscope_syscall_event with its data slots, as the ring buffer hands it over.
struct SyscallRecord {
  syscope_syscall_event ev;
  syscope_data_slot slots[SYSCOPE_CAPTURE_SLOTS];

  size_t size() const { return ev.hdr.size; }
  const void *bytes() const { return this; }
};
static_assert(sizeof(SyscallRecord) ==
              sizeof(syscope_syscall_event) + SYSCOPE_CAPTURE_SLOTS * sizeof(syscope_data_slot));

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

// The next slot of `r`, for argument `arg`: the record grows by one slot, as the kernel's does.
inline syscope_data_slot &add_slot(SyscallRecord &r, uint8_t kind, unsigned arg) {
  syscope_data_slot &slot = r.slots[r.ev.nslots++];
  slot.arg = static_cast<uint8_t>(arg);
  slot.kind = kind;
  r.ev.hdr.size = static_cast<uint16_t>(sizeof r.ev + r.ev.nslots * sizeof slot);
  return slot;
}

// A captured string in argument `arg` (a path in openat's 1 by default).
inline SyscallRecord with_path(SyscallRecord r, const char *path, unsigned arg = 1,
                               uint8_t kind = SYSCOPE_DATA_PATH) {
  syscope_data_slot &slot = add_slot(r, kind, arg);
  std::strncpy(slot.data, path, sizeof slot.data - 1);
  slot.len = static_cast<uint16_t>(std::strlen(path) + 1);
  return r;
}

// A path argument the kernel could not read: the slot is there, marked lost, without data.
inline SyscallRecord with_lost_path(SyscallRecord r, unsigned arg = 1) {
  add_slot(r, SYSCOPE_DATA_PATH, arg).flags = SYSCOPE_SLOT_LOST;
  r.ev.flags |= SYSCOPE_SYSCALL_DATA_LOST;
  return r;
}

inline SyscallRecord with_unix_sockaddr(SyscallRecord r, const char *sun_path, unsigned arg = 1) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, sun_path, sizeof sa.sun_path - 1);
  syscope_data_slot &slot = add_slot(r, SYSCOPE_DATA_SOCKADDR, arg);
  std::memcpy(slot.data, &sa, sizeof sa);
  slot.len = static_cast<uint16_t>(offsetof(sockaddr_un, sun_path) + std::strlen(sun_path) + 1);
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

// The native number of a syscall this host's libseccomp knows.
inline int native_nr(const char *name) {
  auto n = syscope::seccomp::syscall_number(syscope::seccomp::native_scmp_arch(), name);
  if (!n) throw std::runtime_error(std::string("no syscall named ") + name);
  return *n;
}

// A command's trace: exec, openat, exit_group, in one block each, no compression; returns the
// file's size after the header and after each block, where tests cut or damage it.
inline std::vector<uint64_t> write_command_trace(const std::string &path,
                                                 const syscope::trace::FileHeader &header) {
  syscope::trace::TraceWriter w(path, header, {0, false, false});
  std::vector<uint64_t> ends{w.bytes_written()};
  static const char argv[] = "cat";
  auto exec = proc_exec(1000, 7, 100, "/bin/cat", argv, sizeof argv);
  w.add(exec.hdr.type, &exec, sizeof exec);
  w.flush();
  ends.push_back(w.bytes_written());
  auto open = with_path(syscall_record(2000, 7, 100, 100, native_nr("openat"), 3), "/etc/hostname");
  w.add(SYSCOPE_EV_SYSCALL, open.bytes(), open.size());
  w.flush();
  ends.push_back(w.bytes_written());
  auto exit =
      syscall_record(3000, 7, 100, 100, native_nr("exit_group"), 0, SYSCOPE_SYSCALL_ENTER_ONLY);
  w.add(SYSCOPE_EV_SYSCALL, exit.bytes(), exit.size());
  w.close();
  return ends;
}

}  // namespace trace_test
