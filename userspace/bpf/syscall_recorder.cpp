// SPDX-License-Identifier: Apache-2.0
// Record mode's kernel side, seen from userspace. Only one of the two sys_enter programs is
// loaded: cgroup storage needs kernel >= 6.2, the hash map works everywhere.
#include "syscope/syscall_recorder.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

#include "profile.skel.h"
#include "syscope/error.hpp"

namespace syscope::bpf {
namespace {

// BPF_MAP_TYPE_CGRP_STORAGE; Debian bookworm's uapi headers (6.1) predate it.
constexpr auto kMapTypeCgrpStorage = static_cast<enum bpf_map_type>(32);

[[noreturn]] void fail(const std::string &what, int err) {
  std::string why = libbpf_last_error();
  throw Error(Exit::environment, what + ": " + errno_text(err > 0 ? err : -err) +
                                     (why.empty() ? "" : " (libbpf: " + why + ")") +
                                     "; run as root or with CAP_BPF+CAP_PERFMON, --verbose shows libbpf's log");
}

}  // namespace

const char *to_string(BitmapStore store) {
  switch (store) {
    case BitmapStore::cgroup_storage: return "cgroup-storage";
    case BitmapStore::hash: return "hash";
    default: return "auto";
  }
}

BitmapStore bitmap_store_from_string(const std::string &text) {
  if (text == "auto") return BitmapStore::automatic;
  if (text == "cgroup-storage") return BitmapStore::cgroup_storage;
  if (text == "hash") return BitmapStore::hash;
  throw Error(Exit::usage, "unknown bitmap store \"" + text + "\" (auto, cgroup-storage, hash)");
}

bool kernel_has_cgroup_storage() { return libbpf_probe_bpf_map_type(kMapTypeCgrpStorage, nullptr) == 1; }

SyscallRecorder::SyscallRecorder(BitmapStore store) : store_(store) {
  if (store_ == BitmapStore::automatic)
    store_ = kernel_has_cgroup_storage() ? BitmapStore::cgroup_storage : BitmapStore::hash;
  skel_ = profile_bpf::open();
  if (!skel_) fail("cannot open the BPF object", errno);
  bool use_storage = store_ == BitmapStore::cgroup_storage;
  bpf_program__set_autoload(skel_->progs.profile_enter_cgrp_storage, use_storage);
  bpf_program__set_autoload(skel_->progs.profile_enter_hash, !use_storage);
  bpf_map__set_autocreate(skel_->maps.cg_storage, use_storage);
  bpf_map__set_autocreate(skel_->maps.cg_syscalls, !use_storage);
  if (int err = profile_bpf::load(skel_)) {
    profile_bpf::destroy(skel_);
    fail("cannot load the BPF programs", err);
  }
  if (int err = profile_bpf::attach(skel_)) {
    profile_bpf::destroy(skel_);
    fail("cannot attach to the sys_enter tracepoint", err);
  }
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &SyscallRecorder::on_event, this, nullptr);
  if (!ring_) {
    int err = errno;
    profile_bpf::destroy(skel_);
    fail("cannot open the ring buffer", err);
  }
}

SyscallRecorder::~SyscallRecorder() {
  ring_buffer__free(ring_);
  profile_bpf::destroy(skel_);
}

int SyscallRecorder::poll_fd() const { return ring_buffer__epoll_fd(ring_); }

int SyscallRecorder::on_event(void *ctx, void *data, size_t size) noexcept {
  auto *self = static_cast<SyscallRecorder *>(ctx);
  if (size < sizeof(syscope_first_seen)) return 0;
  const auto *ev = static_cast<const syscope_first_seen *>(data);
  if (ev->hdr.type != SYSCOPE_EV_FIRST_SEEN) return 0;
  try {
    self->seen_[ev->cgroup_id].add(ev->arch, ev->nr);  // allocates only for a new cgroup
  } catch (...) {
    self->event_error_ = true;
    return -ENOMEM;  // stops ring_buffer__consume(); drain() turns it into an error
  }
  return 0;
}

void SyscallRecorder::drain() {
  int n = ring_buffer__consume(ring_);
  if (event_error_) throw Error(Exit::environment, "out of memory while reading events");
  if (n < 0 && n != -EINTR) fail("cannot read the ring buffer", n);
}

profile::SyscallSet SyscallRecorder::syscalls_of(uint64_t cgroup_id, int cgroup_dir_fd) {
  drain();
  profile::SyscallSet result;
  if (auto it = seen_.find(cgroup_id); it != seen_.end()) result = it->second;
  syscope_cg_syscalls bitmap{};
  int found = -1;
  if (store_ == BitmapStore::cgroup_storage && cgroup_dir_fd >= 0)
    found = bpf_map_lookup_elem(bpf_map__fd(skel_->maps.cg_storage), &cgroup_dir_fd, &bitmap);
  else if (store_ == BitmapStore::hash)
    found = bpf_map_lookup_elem(bpf_map__fd(skel_->maps.cg_syscalls), &cgroup_id, &bitmap);
  if (found == 0) result.merge(bitmap);
  return result;
}

LossCounters SyscallRecorder::losses() const { return read_loss_counters(bpf_map__fd(skel_->maps.counters)); }

}  // namespace syscope::bpf
