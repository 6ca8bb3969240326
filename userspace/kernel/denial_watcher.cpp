// SPDX-License-Identifier: Apache-2.0
// Attach order matters: sys_enter first, so that by the time sys_exit judges a task the task has
// had the chance to mark its call; a task gets a mark slot only by entering a call after that,
// so everything in flight at attach time (idle threads in futex/epoll_wait/read wake once
// without an enter) is never judged.
#include "syscope/kernel/denial_watcher.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "watch.skel.h"

namespace syscope::bpf {
DenialWatcher::DenialWatcher(DenialSink on_denial, CgroupSink on_cgroup)
    : on_denial_(std::move(on_denial)), on_cgroup_(std::move(on_cgroup)) {
  skel_ = open_skeleton<watch_bpf>();
  load(skel_, "watch programs");
  ring_ = std::make_unique<RingBuffer>(
      bpf_map__fd(skel_->maps.events),
      [this](const void *data, size_t size) { on_record(data, size); });
  boot_to_wall_ns_ = boot_to_wall_ns();
  attach_in_order();
}

void DenialWatcher::attach_in_order() {
  bpf::attach_in_order({{skel_->progs.lifecycle_cgroup_mkdir, &skel_->links.lifecycle_cgroup_mkdir},
                        {skel_->progs.lifecycle_cgroup_rmdir, &skel_->links.lifecycle_cgroup_rmdir},
                        {skel_->progs.watch_enter, &skel_->links.watch_enter},
                        {skel_->progs.watch_exit, &skel_->links.watch_exit},
                        {skel_->progs.watch_sigsys, &skel_->links.watch_sigsys},
                        {skel_->progs.watch_thread_killed, &skel_->links.watch_thread_killed}});
}

DenialWatcher::~DenialWatcher() = default;

int DenialWatcher::poll_fd() const { return ring_->poll_fd(); }

void DenialWatcher::on_record(const void *data, size_t size) {
  const auto *hdr = static_cast<const syscope_event_hdr *>(data);
  if (hdr->type == SYSCOPE_EV_DENIAL && size >= sizeof(syscope_denial_event))
    on_denial_(watch::denial_from_record(*static_cast<const syscope_denial_event *>(data),
                                         boot_to_wall_ns_));
  else
    deliver_cgroup_event(data, size, on_cgroup_);
}

void DenialWatcher::drain() { ring_->consume(); }

LossCounters DenialWatcher::losses() const {
  return read_loss_counters(bpf_map__fd(skel_->maps.counters));
}

}  // namespace syscope::bpf
