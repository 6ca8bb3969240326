// SPDX-License-Identifier: Apache-2.0
// The kernel layer's RAII owners and its one way to fail.
#include "syscope/kernel/bpf_owner.hpp"

#include <bpf/libbpf.h>

#include <cerrno>

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

RingBuffer::RingBuffer(int map_fd, Sample sample, void *ctx)
    : ring_(ring_buffer__new(map_fd, sample, ctx, nullptr)) {
  if (!ring_) fail("cannot open the ring buffer", errno);
}

RingBuffer::~RingBuffer() { ring_buffer__free(ring_); }

int RingBuffer::poll_fd() const { return ring_buffer__epoll_fd(ring_); }

int RingBuffer::consume() {
  int n = ring_buffer__consume(ring_);
  if (n == -EINTR) return 0;
  return n;
}

}  // namespace syscope::bpf
