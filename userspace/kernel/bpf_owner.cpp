// SPDX-License-Identifier: Apache-2.0
// The kernel layer's RAII owners and its one way to fail.
#include "syscope/kernel/bpf_owner.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "syscope/abi.h"

#include "syscope/base/error.hpp"
#include "syscope/kernel/loss_counters.hpp"

namespace syscope::bpf {

void fail(const std::string &what, int err) {
  std::string why = libbpf_last_error();
  throw Error(Exit::environment, what + ": " + errno_text(err > 0 ? err : -err) +
                                     (why.empty() ? "" : " (libbpf: " + why + ")") +
                                     "; run as root or with CAP_BPF+CAP_PERFMON, --verbose shows "
                                     "libbpf's log");
}

void LinkDeleter::operator()(bpf_link *link) const noexcept { bpf_link__destroy(link); }

void attach_in_order(std::initializer_list<ProgramLink> programs) {
  for (const auto &p : programs) {
    *p.link = bpf_program__attach(p.program);
    if (!*p.link) fail(std::string("cannot attach ") + bpf_program__name(p.program), errno);
  }
}

bool deliver_cgroup_event(const void *record, size_t size, const CgroupSink &sink) {
  const auto *hdr = static_cast<const syscope_event_hdr *>(record);
  if ((hdr->type != SYSCOPE_EV_CGROUP_MKDIR && hdr->type != SYSCOPE_EV_CGROUP_RMDIR) ||
      size < sizeof(syscope_cgroup_event))
    return false;
  const auto *ev = static_cast<const syscope_cgroup_event *>(record);
  sink(ev->cgroup_id, std::string(ev->path, strnlen(ev->path, sizeof ev->path)),
       hdr->type == SYSCOPE_EV_CGROUP_RMDIR);
  return true;
}

RingBuffer::RingBuffer(int map_fd, Handler handler)
    : handler_(std::move(handler)),
      ring_(ring_buffer__new(map_fd, &RingBuffer::on_sample, this, nullptr)) {
  if (!ring_) fail("cannot open the ring buffer", errno);
}

RingBuffer::~RingBuffer() { ring_buffer__free(ring_); }

int RingBuffer::poll_fd() const { return ring_buffer__epoll_fd(ring_); }

int RingBuffer::on_sample(void *ctx, void *data, size_t size) noexcept {
  auto *self = static_cast<RingBuffer *>(ctx);
  if (size < sizeof(syscope_event_hdr)) return 0;  // not a record of ours
  const auto *hdr = static_cast<const syscope_event_hdr *>(data);
  try {
    self->handler_(data, hdr->size <= size ? hdr->size : size);
  } catch (...) {
    self->failure_ = std::current_exception();
    return -ECANCELED;  // stops ring_buffer__consume()
  }
  return 0;
}

int RingBuffer::consume() {
  int n = ring_buffer__consume(ring_);
  if (failure_) {
    std::exception_ptr failure = std::exchange(failure_, nullptr);
    try {
      std::rethrow_exception(failure);
    } catch (const Error &) {
      throw;
    } catch (const std::exception &e) {
      throw Error(Exit::environment, std::string("while handling a kernel record: ") + e.what());
    }
  }
  if (n == -EINTR) return 0;
  if (n < 0) fail("cannot read the ring buffer", n);
  return n;
}

}  // namespace syscope::bpf
