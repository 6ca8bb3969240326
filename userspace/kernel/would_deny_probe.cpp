// SPDX-License-Identifier: Apache-2.0
// Attach order: the cgroup lifecycle first, so a container created while we attach is still
// seen; sys_enter judges nothing until userspace adds a cgroup, so its place does not matter.
#include "syscope/kernel/would_deny_probe.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "would_deny.skel.h"

namespace syscope::bpf {

void CandidatePlan::allow(uint32_t arch, uint32_t nr) {
  if (arch < SYSCOPE_ARCH_COUNT && nr < SYSCOPE_SYSCALL_BITS)
    kernel.allowed[arch][nr / 64] |= uint64_t{1} << (nr % 64);
}

bool CandidatePlan::allowed(uint32_t arch, uint32_t nr) const {
  return arch < SYSCOPE_ARCH_COUNT && nr < SYSCOPE_SYSCALL_BITS &&
         (kernel.allowed[arch][nr / 64] >> (nr % 64) & 1);
}

void CandidatePlan::test_arg(uint32_t arch, uint32_t nr, unsigned index) {
  if (arch < SYSCOPE_ARCH_COUNT && nr < SYSCOPE_SYSCALL_BITS && index < 6)
    kernel.tested_args[arch][nr] |= static_cast<uint8_t>(1u << index);
}

uint8_t CandidatePlan::tested_args(uint32_t arch, uint32_t nr) const {
  return arch < SYSCOPE_ARCH_COUNT && nr < SYSCOPE_SYSCALL_BITS ? kernel.tested_args[arch][nr] : 0;
}

DryRunCall dry_run_call_from_record(const syscope_would_deny_event &ev, int64_t boot_to_wall_ns) {
  DryRunCall call;
  watch::fill_task_call(call, ev, boot_to_wall_ns);
  call.candidate = ev.candidate;
  return call;
}

WouldDenyProbe::WouldDenyProbe(CallSink on_call, CgroupSink on_cgroup)
    : on_call_(std::move(on_call)), on_cgroup_(std::move(on_cgroup)) {
  skel_ = open_skeleton<would_deny_bpf>();
  bool lifecycle = static_cast<bool>(on_cgroup_);  // the daemon has its own
  bpf_program__set_autoload(skel_->progs.lifecycle_cgroup_mkdir, lifecycle);
  bpf_program__set_autoload(skel_->progs.lifecycle_cgroup_rmdir, lifecycle);
  load(skel_, "dry-run programs");
  ring_ = std::make_unique<RingBuffer>(
      bpf_map__fd(skel_->maps.events),
      [this](const void *data, size_t size) { on_record(data, size); });
  boot_to_wall_ns_ = boot_to_wall_ns();
  if (lifecycle)
    attach_in_order({{skel_->progs.lifecycle_cgroup_mkdir, &skel_->links.lifecycle_cgroup_mkdir},
                     {skel_->progs.lifecycle_cgroup_rmdir, &skel_->links.lifecycle_cgroup_rmdir}});
  attach_in_order({{skel_->progs.would_deny_enter, &skel_->links.would_deny_enter}});
}

WouldDenyProbe::~WouldDenyProbe() = default;

void WouldDenyProbe::set_candidate(uint32_t index, const CandidatePlan &plan) {
  if (index >= SYSCOPE_DRY_CANDIDATES)
    throw Error(Exit::usage, "dry-run candidate " + std::to_string(index) + ": the kernel holds " +
                                 std::to_string(SYSCOPE_DRY_CANDIDATES));
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.dry_candidates), &index, &plan.kernel, BPF_ANY))
    fail("cannot set the dry-run candidate", errno);
}

void WouldDenyProbe::add_cgroup(uint64_t cgroup_id, uint32_t index) {
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.dry_cgroups), &cgroup_id, &index, BPF_ANY))
    fail("cannot add cgroup " + std::to_string(cgroup_id) + " to the dry-run", errno);
}

void WouldDenyProbe::remove_cgroup(uint64_t cgroup_id) {
  bpf_map_delete_elem(bpf_map__fd(skel_->maps.dry_cgroups), &cgroup_id);  // ENOENT: not added
  // Its distinct calls: collected first, as deleting while iterating restarts the walk.
  int fd = bpf_map__fd(skel_->maps.dry_seen);
  std::vector<syscope_dry_key> gone;
  syscope_dry_key key{}, next{};
  const void *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (next.cgroup_id == cgroup_id) gone.push_back(next);
    key = next;
    prev = &key;
  }
  for (const auto &k : gone) bpf_map_delete_elem(fd, &k);
}

int WouldDenyProbe::poll_fd() const { return ring_->poll_fd(); }

void WouldDenyProbe::on_record(const void *data, size_t size) {
  const auto *hdr = static_cast<const syscope_event_hdr *>(data);
  if (hdr->type == SYSCOPE_EV_WOULD_DENY && size >= sizeof(syscope_would_deny_event))
    on_call_(dry_run_call_from_record(*static_cast<const syscope_would_deny_event *>(data),
                                      boot_to_wall_ns_));
  else if (on_cgroup_)
    deliver_cgroup_event(data, size, on_cgroup_);
}

void WouldDenyProbe::drain() { ring_->consume(); }

LossCounters WouldDenyProbe::losses() const {
  return read_loss_counters(bpf_map__fd(skel_->maps.counters));
}

uint64_t WouldDenyProbe::calls_counted() const {
  int fd = bpf_map__fd(skel_->maps.dry_seen);
  uint64_t total = 0, count = 0;
  syscope_dry_key key{}, next{};
  const void *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (bpf_map_lookup_elem(fd, &next, &count) == 0) total += count;
    key = next;
    prev = &key;
  }
  return total;
}

}  // namespace syscope::bpf
