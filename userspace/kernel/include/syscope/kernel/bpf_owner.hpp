// SPDX-License-Identifier: Apache-2.0
// RAII owners of kernel objects, for every skeleton owner of this layer (record's, watch's,
// trace's): a skeleton, a ring buffer, a link. No error branch frees anything by hand.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

struct ring_buffer;
struct bpf_link;

namespace syscope::bpf {

// Ends the run: Exit::environment with strerror(err) (negative or positive errno), libbpf's last
// lines and the privileges loading needs.
[[noreturn]] void fail(const std::string &what, int err);

template <typename Skel> struct SkelDeleter {
  void operator()(Skel *s) const noexcept { Skel::destroy(s); }  // detaches its links too
};
template <typename Skel> using SkelPtr = std::unique_ptr<Skel, SkelDeleter<Skel>>;

// Skel::open(), or fail(); the caller sets knobs and autoload, then loads it with load().
template <typename Skel> SkelPtr<Skel> open_skeleton() {
  SkelPtr<Skel> skel(Skel::open());
  if (!skel) fail("cannot open the BPF object", errno);
  return skel;
}
template <typename Skel> void load(const SkelPtr<Skel> &skel, const std::string &what) {
  if (int err = Skel::load(skel.get())) fail("cannot load the " + what, err);
}

struct LinkDeleter {
  void operator()(bpf_link *link) const noexcept;
};
using LinkPtr = std::unique_ptr<bpf_link, LinkDeleter>;

// A libbpf ring buffer over one BPF_MAP_TYPE_RINGBUF map, calling `sample` for each record.
// `sample` must not throw (it is called from C): it records a failure and returns < 0, which
// stops consume().
class RingBuffer {
 public:
  using Sample = int (*)(void *ctx, void *data, size_t size);
  RingBuffer(int map_fd, Sample sample, void *ctx);
  ~RingBuffer();
  RingBuffer(const RingBuffer &) = delete;
  RingBuffer &operator=(const RingBuffer &) = delete;

  int poll_fd() const;  // an epoll fd, readable when the kernel side woke us
  // Hands every waiting record to `sample`; returns how many, 0 when interrupted (EINTR), or a
  // negative errno: the callback's own value, or the ring buffer's error.
  int consume();

 private:
  ring_buffer *ring_;
};

}  // namespace syscope::bpf
