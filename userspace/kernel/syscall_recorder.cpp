// SPDX-License-Identifier: Apache-2.0
// Record mode's kernel side, seen from userspace. Only one of the two sys_enter programs is
// loaded: cgroup storage needs kernel >= 6.2, the hash map works everywhere.
#include "syscope/kernel/syscall_recorder.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "arg_plan_rodata.hpp"
#include "profile.skel.h"
#include "syscope/base/error.hpp"

namespace syscope::bpf {
namespace {

// BPF_MAP_TYPE_CGRP_STORAGE; Debian bookworm's uapi headers (6.1) predate it.
constexpr auto kMapTypeCgrpStorage = static_cast<enum bpf_map_type>(32);

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

bool kernel_has_cgroup_storage() {
  return libbpf_probe_bpf_map_type(kMapTypeCgrpStorage, nullptr) == 1;
}

SyscallRecorder::SyscallRecorder(const RecorderOptions &options)
    : store_(options.store), record_args_(options.record_args) {
  if (store_ == BitmapStore::automatic)
    store_ = kernel_has_cgroup_storage() ? BitmapStore::cgroup_storage : BitmapStore::hash;
  bool use_storage = store_ == BitmapStore::cgroup_storage;
  if (record_args_ && !use_storage)
    throw Error(Exit::environment,
                "recording arguments needs cgroup storage (BPF_MAP_TYPE_CGRP_STORAGE, Linux 6.2 "
                "or later); this run would use the hash store");
  skel_ = open_skeleton<profile_bpf>();
  if (record_args_) set_arg_plan(*skel_);
  bpf_map__set_autocreate(skel_->maps.cg_args, use_storage);
  bpf_program__set_autoload(skel_->progs.profile_enter_cgrp_storage, use_storage);
  bpf_program__set_autoload(skel_->progs.profile_enter_hash, !use_storage);
  bpf_program__set_autoload(skel_->progs.profile_exec_cgrp_storage, use_storage);
  bpf_program__set_autoload(skel_->progs.profile_exec_hash, !use_storage);
  // Loaded always, attached by track_denials(): the skeleton must not attach it with the rest.
  bpf_program__set_autoattach(skel_->progs.denials_exit, false);
  bpf_map__set_autocreate(skel_->maps.cg_storage, use_storage);
  bpf_map__set_autocreate(skel_->maps.cg_syscalls, !use_storage);
  load(skel_, "BPF programs");
  if (int err = profile_bpf::attach(skel_.get()))
    fail("cannot attach to the sys_enter/sched_process_exec/cgroup tracepoints", err);
  if (options.track_denials) track_denials();
  ring_ =
      std::make_unique<RingBuffer>(bpf_map__fd(skel_->maps.events),
                                   [this](const void *data, size_t size) { on_event(data, size); });
}

SyscallRecorder::~SyscallRecorder() = default;

void SyscallRecorder::track_denials() {
  if (exit_link_) return;
  // sys_enter is attached already: it marks calls before sys_exit judges any, and a task gets
  // its mark slot only by entering a call, so calls in flight now are never judged.
  skel_->bss->track_denials = 1;
  exit_link_.reset(bpf_program__attach(skel_->progs.denials_exit));
  if (!exit_link_) fail("cannot attach to the sys_exit tracepoint", errno);
}

int SyscallRecorder::poll_fd() const { return ring_->poll_fd(); }

// The map inserts allocate only for a new cgroup or a new kind of denial.
void SyscallRecorder::on_event(const void *data, size_t size) {
  const auto *hdr = static_cast<const syscope_event_hdr *>(data);
  if (hdr->type == SYSCOPE_EV_FIRST_SEEN && size >= sizeof(syscope_first_seen)) {
    const auto *ev = static_cast<const syscope_first_seen *>(data);
    if (ev->set < SYSCOPE_SET_COUNT) seen_[ev->cgroup_id].sets[ev->set].add(ev->arch, ev->nr);
  } else if (hdr->type == SYSCOPE_EV_FIRST_DENIAL && size >= sizeof(syscope_first_denial)) {
    const auto &key = static_cast<const syscope_first_denial *>(data)->key;
    seen_[key.cgroup_id].denials.try_emplace(profile::Denial{key.arch, key.nr, key.err}, 0);
  } else if (hdr->type == SYSCOPE_EV_ARG_VALUE && size >= sizeof(syscope_arg_value)) {
    const auto *ev = static_cast<const syscope_arg_value *>(data);
    if (ev->flags & SYSCOPE_ARG_OVERFLOW)
      seen_[ev->cgroup_id].add_arg_overflow(ev->pair);
    else
      seen_[ev->cgroup_id].add_arg_value(ev->pair, ev->value, ev->flags & SYSCOPE_ARG_FILTERED);
  } else if ((hdr->type == SYSCOPE_EV_CGROUP_MKDIR || hdr->type == SYSCOPE_EV_CGROUP_RMDIR) &&
             size >= sizeof(syscope_cgroup_event)) {
    const auto *ev = static_cast<const syscope_cgroup_event *>(data);
    auto &life = cgroups_[ev->cgroup_id];
    life.path.assign(ev->path, strnlen(ev->path, sizeof ev->path));
    life.removed = hdr->type == SYSCOPE_EV_CGROUP_RMDIR;
  }
}

void SyscallRecorder::drain() { ring_->consume(); }

void SyscallRecorder::record_cgroup(uint64_t cgroup_id) {
  select_cgroup(bpf_map__fd(skel_->maps.recorded_cgs), cgroup_id);
}

std::optional<CgroupLeave> SyscallRecorder::left_cgroup(uint64_t cgroup_id) const {
  return read_cgroup_leave(bpf_map__fd(skel_->maps.cg_leaves), cgroup_id);
}

profile::CgroupCalls SyscallRecorder::calls_of(uint64_t cgroup_id, int cgroup_dir_fd) {
  drain();
  auto result = calls_of_one(cgroup_id, cgroup_dir_fd);
  // Cgroups created in it: what they made is in the events (and, with the hash store, in the
  // map); cgroup storage of one that still exists is left unread, as it would need its path.
  for (uint64_t child : cgroups_created_in(bpf_map__fd(skel_->maps.recorded_cgs), cgroup_id))
    result.merge(calls_of_one(child, -1));
  return result;
}

profile::CgroupCalls SyscallRecorder::calls_of_one(uint64_t cgroup_id, int cgroup_dir_fd) {
  profile::CgroupCalls result;
  if (auto it = seen_.find(cgroup_id); it != seen_.end()) result = it->second;
  syscope_cg_syscalls bitmaps{};
  int found = -1;
  if (store_ == BitmapStore::cgroup_storage && cgroup_dir_fd >= 0)
    found = bpf_map_lookup_elem(bpf_map__fd(skel_->maps.cg_storage), &cgroup_dir_fd, &bitmaps);
  else if (store_ == BitmapStore::hash)
    found = bpf_map_lookup_elem(bpf_map__fd(skel_->maps.cg_syscalls), &cgroup_id, &bitmaps);
  if (found == 0) result.merge(bitmaps);
  if (record_args_ && cgroup_dir_fd >= 0) {
    syscope_cg_args args{};
    if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.cg_args), &cgroup_dir_fd, &args) == 0)
      result.merge(args);
  }
  if (tracking_denials()) add_denial_counts(cgroup_id, result);
  return result;
}

void SyscallRecorder::add_denial_counts(uint64_t cgroup_id, profile::CgroupCalls &calls) const {
  int fd = bpf_map__fd(skel_->maps.cg_denials);
  syscope_denial_key key{}, next{};
  const void *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    uint64_t count = 0;
    if (next.cgroup_id == cgroup_id && bpf_map_lookup_elem(fd, &next, &count) == 0)
      calls.denials[profile::Denial{next.arch, next.nr, next.err}] = count;
    key = next;
    prev = &key;
  }
}

LossCounters SyscallRecorder::losses() const {
  return read_loss_counters(bpf_map__fd(skel_->maps.counters));
}

}  // namespace syscope::bpf
