// SPDX-License-Identifier: Apache-2.0
// Writes the fuzzer's seed corpus with the real writer: a few small traces, compressed and not,
// with every record kind, one cut off and one damaged. Usage: trace_fuzz_seeds DIR
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "syscope/abi.h"
#include "syscope/trace/trace_file.hpp"

using namespace syscope::trace;

namespace {

template <typename T> void init(T &ev, uint16_t type, uint16_t size = sizeof(T)) {
  std::memset(&ev, 0, sizeof ev);
  ev.hdr.type = type;
  ev.hdr.size = size;
  ev.hdr.ts_ns = 1'000'000'000;
}

void write_trace(const std::string &path, bool compress, int repeat) {
  FileHeader h;
  h.syscope_version = "seed";
  h.hostname = "fuzz";
  h.kernel_release = "6.1.0";
  h.machine = "x86_64";
  TraceWriter w(path, h, {0, compress, false});
  for (int i = 0; i < repeat; ++i) {
    struct {
      syscope_syscall_event ev;
      syscope_data_slot slot;
    } open_call;
    init(open_call.ev, SYSCOPE_EV_SYSCALL, sizeof open_call);
    open_call.ev.pid = open_call.ev.tid = 100;
    open_call.ev.nr = 257;
    open_call.ev.ret = 3;
    open_call.ev.nslots = 1;
    std::memset(&open_call.slot, 0, sizeof open_call.slot);
    open_call.slot.arg = 1;
    open_call.slot.kind = SYSCOPE_DATA_PATH;
    std::strcpy(open_call.slot.data, "/etc/passwd");
    open_call.slot.len = 12;
    w.add(SYSCOPE_EV_SYSCALL, &open_call, sizeof open_call);
    // mount: every slot in use (a string, a path, a string), the record at its largest.
    struct {
      syscope_syscall_event ev;
      syscope_data_slot slots[SYSCOPE_CAPTURE_SLOTS];
    } mount_call;
    init(mount_call.ev, SYSCOPE_EV_SYSCALL, sizeof mount_call);
    mount_call.ev.nr = 165;
    mount_call.ev.nslots = SYSCOPE_CAPTURE_SLOTS;
    std::memset(mount_call.slots, 0, sizeof mount_call.slots);
    const char *strings[] = {"none", "/mnt", "tmpfs"};
    for (uint8_t s = 0; s < SYSCOPE_CAPTURE_SLOTS; ++s) {
      mount_call.slots[s].arg = s;
      mount_call.slots[s].kind = s == 1 ? SYSCOPE_DATA_PATH : SYSCOPE_DATA_STRING;
      std::strcpy(mount_call.slots[s].data, strings[s]);
      mount_call.slots[s].len = static_cast<uint16_t>(std::strlen(strings[s]) + 1);
    }
    mount_call.slots[0].flags = SYSCOPE_SLOT_LOST;  // one lost read among them
    mount_call.slots[0].len = 0;
    mount_call.ev.flags = SYSCOPE_SYSCALL_DATA_LOST;
    w.add(SYSCOPE_EV_SYSCALL, &mount_call, sizeof mount_call);
    syscope_syscall_event plain;
    init(plain, SYSCOPE_EV_SYSCALL);
    plain.nr = 39;
    plain.ret = 100;
    w.add(SYSCOPE_EV_SYSCALL, &plain, sizeof plain);
    syscope_proc_fork fork;
    init(fork, SYSCOPE_EV_PROC_FORK);
    w.add(fork.hdr.type, &fork, sizeof fork);
    syscope_proc_exec exec;
    init(exec, SYSCOPE_EV_PROC_EXEC);
    std::strcpy(exec.filename, "/bin/true");
    w.add(exec.hdr.type, &exec, sizeof exec);
    syscope_proc_exit exit;
    init(exit, SYSCOPE_EV_PROC_EXIT);
    w.add(exit.hdr.type, &exit, sizeof exit);
    syscope_denial_event denial;
    init(denial, SYSCOPE_EV_DENIAL);
    w.add(denial.hdr.type, &denial, sizeof denial);
    syscope_cgroup_event cg;
    init(cg, SYSCOPE_EV_CGROUP_MKDIR);
    std::strcpy(cg.path, "system.slice/docker-abc.scope");
    w.add(cg.hdr.type, &cg, sizeof cg);
    w.add_json(kRecordContainer, {{"cgroup_id", 5}, {"id", "abc"}, {"name", "web"}});
    w.add_json(kRecordCounters, {{"ringbuf_full", 0}});
    w.flush();
  }
  w.close();
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void spit(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trace_fuzz_seeds DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  ::mkdir(dir.c_str(), 0755);
  write_trace(dir + "/plain.trace", false, 2);
  write_trace(dir + "/zstd.trace", true, 3);
  std::string whole = slurp(dir + "/zstd.trace");
  spit(dir + "/cut.trace", whole.substr(0, whole.size() * 2 / 3));
  std::string flipped = slurp(dir + "/plain.trace");
  flipped[flipped.size() / 2] ^= 0x40;
  spit(dir + "/flipped.trace", flipped);
  return 0;
}
