// SPDX-License-Identifier: Apache-2.0
// RAII owners of kernel objects, for every skeleton owner of this layer (record's, watch's,
// trace's): a skeleton, a ring buffer, a link. No error branch frees anything by hand.
#pragma once
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

struct ring_buffer;
struct bpf_link;
struct bpf_program;

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

// Attaches each program into its skeleton's link slot (destroyed with the skeleton), in the
// order given, since what a detection needs first must be attached first; fail() on the first
// program that cannot attach.
struct ProgramLink {
  bpf_program *program;
  bpf_link **link;
};
void attach_in_order(std::initializer_list<ProgramLink> programs);

// A cgroup v2 directory created (removed: false) or removed, with its path relative to the
// cgroup2 mount: what lifecycle.bpf.c reports.
using CgroupSink = std::function<void(uint64_t cgroup_id, const std::string &path, bool removed)>;
// Hands a SYSCOPE_EV_CGROUP_MKDIR/RMDIR record to `sink`; false for any other record.
bool deliver_cgroup_event(const void *record, size_t size, const CgroupSink &sink);

// A libbpf ring buffer over one BPF_MAP_TYPE_RINGBUF map, handing each whole record
// (hdr.size bytes, a struct syscope_event_hdr first) to `handler`. The handler may throw: the
// C callback catches it, stops the consume and consume() rethrows it, so no exception crosses
// libbpf and no record handler keeps a failure flag of its own.
class RingBuffer {
 public:
  using Handler = std::function<void(const void *record, size_t size)>;
  RingBuffer(int map_fd, Handler handler);
  ~RingBuffer();
  RingBuffer(const RingBuffer &) = delete;
  RingBuffer &operator=(const RingBuffer &) = delete;

  int poll_fd() const;  // an epoll fd, readable when the kernel side woke us
  // Hands every waiting record to the handler; returns how many. What the handler threw is
  // rethrown (a syscope::Error as it is, anything else as Exit::environment); an error of the
  // ring buffer itself ends the run (fail()); EINTR is a clean stop.
  int consume();

 private:
  static int on_sample(void *ctx, void *data, size_t size) noexcept;

  Handler handler_;
  std::exception_ptr failure_;
  ring_buffer *ring_;
};

}  // namespace syscope::bpf
