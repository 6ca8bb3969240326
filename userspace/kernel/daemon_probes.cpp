// SPDX-License-Identifier: Apache-2.0
// The daemon's BPF object and its pins. What is pinned under pin_dir: the data maps
// (cg_storage, cg_denials, counters, events), `layout` (which abi.h and which object made them,
// pinned last, so its presence means the rest was pinned) and one link per program. The links
// are what keeps the programs attached while no daemon runs; the per-task marks (in_flight,
// unmarked) are never pinned: a new program version starts with its own, never mixing marks of
// two versions.
#include "syscope/kernel/daemon_probes.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "arg_plan_rodata.hpp"
#include "daemon.skel.h"
#include "daemon_layout.h"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/kernel/syscall_recorder.hpp"

namespace syscope::bpf {
namespace {

// 4 MiB of ring buffer is what survives a downtime: 4 MiB / 40 bytes (a first-seen record and
// its 8-byte ring header) is about 100,000 new calls, or 15,000 cgroup events (264 bytes), or
// 35,000 denials (120 bytes). A container that starts and exits makes about 150-300 first-seen
// records and 2-4 cgroup events, so about 300 such containers while no daemon reads (or a
// denial storm of 35,000) before SYSCOPE_CNT_RINGBUF_FULL counts what is lost. Cgroups that
// still exist lose nothing: their bitmaps stay in cgroup storage.
constexpr uint32_t kMinRingBytes = 4096;

// Cgroup storage's fdinfo memlock leaves out its elements. Per cgroup with an element: the
// element (struct bpf_local_storage_elem, about 100 bytes, + the 520-byte bitmap: a kmalloc-1k
// slab object) and the cgroup's struct bpf_local_storage (kmalloc-256).
constexpr uint64_t kStorageBytesPerCgroup = 1024 + 256;

const char *const kDataMaps[] = {"cg_storage", "cg_args", "cg_denials", "counters", "events"};
constexpr const char *kLayoutPin = "layout";
constexpr const char *kLinkPrefix = "link_";

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd &operator=(Fd &&other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

uint64_t fnv1a64(const void *data, size_t size) {
  const auto *p = static_cast<const unsigned char *>(data);
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

// The programs' read-only data is part of what runs: the same ELF loaded with `args: true` is
// another object, so a restart with the other setting replaces the pinned programs.
uint64_t object_hash(bool record_args) {
  size_t size = 0;
  const void *bytes = daemon_bpf::elf_bytes(&size);
  return fnv1a64(bytes, size) ^ (record_args ? 0x9e3779b97f4a7c15ull : 0);
}

syscope_daemon_layout our_layout(bool record_args) {
  syscope_daemon_layout layout{};
  static_assert(sizeof(SYSCOPE_ABI_SHA256) - 1 == sizeof layout.abi_sha256);
  memcpy(layout.abi_sha256, SYSCOPE_ABI_SHA256, sizeof layout.abi_sha256);
  layout.object_hash = object_hash(record_args);
  layout.version = 1;
  return layout;
}

std::string hex64(uint64_t v) {
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::vector<std::string> pinned_names(const std::string &dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir, ec))
    names.push_back(entry.path().filename().string());
  return names;
}

bool exists(const std::string &path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

// Holds pin_dir against a second DaemonProbes or uninstall() of this process or another. flock
// on a bpffs directory works (the VFS's generic flock: bpffs has no lock operation of its own);
// the daemon layer also locks its state dir, which covers a pin_dir on a filesystem where it
// would not.
Fd lock_pin_dir(const std::string &dir) {
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd)
    throw Error(Exit::environment,
                "cannot open the pin directory " + dir + ": " + errno_text(errno));
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw Error(Exit::environment,
                  "another syscope daemon holds the BPF pins under " + dir + " (stop it first)");
    throw Error(Exit::environment, "cannot lock " + dir + ": " + errno_text(errno));
  }
  return fd;
}

std::vector<std::string> remove_pins(const std::string &dir) {
  std::vector<std::string> removed;
  for (const auto &name : pinned_names(dir)) {
    std::string path = dir + "/" + name;
    if (unlink(path.c_str()) != 0)
      throw Error(Exit::environment, "cannot remove the pin " + path + ": " + errno_text(errno));
    bool link = name.rfind(kLinkPrefix, 0) == 0;
    removed.push_back(std::string("removed ") + (link ? "link " : "map ") + path +
                      (link ? " (its program detached)" : ""));
  }
  return removed;
}

// What the pins under a directory are, read before anything else is opened.
enum class PinState { none, same, other_object, other_layout, incomplete };

struct PinInspection {
  PinState state = PinState::none;
  std::string why;
};

PinInspection inspect_pins(const std::string &dir, daemon_bpf *skel_for_links, bool record_args) {
  PinInspection result;
  auto names = pinned_names(dir);
  if (names.empty()) return result;
  Fd layout_fd(bpf_obj_get((dir + "/" + kLayoutPin).c_str()));
  syscope_daemon_layout pinned{};
  uint32_t key = 0;
  bpf_map_info info{};
  uint32_t info_len = sizeof info;
  if (!layout_fd || bpf_obj_get_info_by_fd(layout_fd.get(), &info, &info_len) != 0 ||
      info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof pinned ||
      bpf_map_lookup_elem(layout_fd.get(), &key, &pinned) != 0) {
    result.state = PinState::other_layout;
    result.why = "no readable layout map among the pins (a daemon killed while pinning, or "
                 "another program's pins)";
    return result;
  }
  syscope_daemon_layout ours = our_layout(record_args);
  if (memcmp(pinned.abi_sha256, ours.abi_sha256, sizeof ours.abi_sha256) != 0 ||
      pinned.version != ours.version) {
    result.state = PinState::other_layout;
    result.why = "another abi.h (layout " + std::string(pinned.abi_sha256, 12) + "..., ours " +
                 std::string(ours.abi_sha256, 12) + "...)";
    return result;
  }
  for (const char *map : kDataMaps) {
    if (!exists(dir + "/" + map)) {
      result.state = PinState::other_layout;
      result.why = std::string("the pinned map ") + map + " is missing";
      return result;
    }
  }
  if (pinned.object_hash != ours.object_hash) {
    result.state = PinState::other_object;
    result.why = "another BPF object (" + hex64(pinned.object_hash) + ", ours " +
                 hex64(ours.object_hash) + ") of the same layout";
    return result;
  }
  bpf_program *prog = nullptr;
  bpf_object__for_each_program(prog, skel_for_links->obj) {
    if (!exists(dir + "/" + kLinkPrefix + bpf_program__name(prog))) {
      result.state = PinState::incomplete;
      result.why = std::string("the link of ") + bpf_program__name(prog) + " is missing";
      return result;
    }
  }
  result.state = PinState::same;
  return result;
}

uint32_t ring_size(int events_fd) {
  bpf_map_info info{};
  uint32_t len = sizeof info;
  return bpf_obj_get_info_by_fd(events_fd, &info, &len) == 0 ? info.max_entries : 0;
}

uint64_t fdinfo_memlock(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("memlock:", 0) == 0) return std::stoull(line.substr(8));
  return 0;
}

}  // namespace

const char *to_string(ProbeStart start) {
  switch (start) {
    case ProbeStart::resumed: return "resumed";
    case ProbeStart::replaced: return "replaced";
    default: return "fresh";
  }
}

struct DaemonProbes::Impl {
  Sinks sinks;
  std::optional<std::string> pin_dir;
  Fd lock;
  bool record_args = false;    // DaemonProbeOptions::record_args: in the programs' rodata
  SkelPtr<daemon_bpf> skel;    // loaded by us (fresh, replaced); in resumed: opened, never loaded
  std::vector<Fd> pinned_fds;  // resumed: the maps and links opened from their pins
  int cg_storage = -1, cg_args = -1, cg_denials = -1, counters = -1, events = -1, layout = -1;
  std::unique_ptr<RingBuffer> ring;
  int64_t boot_to_wall_ns = 0;

  void on_record(const void *data, size_t size);
  void load(uint32_t ring_bytes, bool reuse_pinned_maps);
  void attach_and_pin(bool replace_old_links);
  void resume();
  void use_skeleton_maps();
};

void DaemonProbes::Impl::use_skeleton_maps() {
  cg_storage = bpf_map__fd(skel->maps.cg_storage);
  cg_args = bpf_map__fd(skel->maps.cg_args);
  cg_denials = bpf_map__fd(skel->maps.cg_denials);
  counters = bpf_map__fd(skel->maps.counters);
  events = bpf_map__fd(skel->maps.events);
  layout = bpf_map__fd(skel->maps.layout);
}

// reuse_pinned_maps: an upgrade of the same layout keeps what the kernel aggregated. libbpf's
// bpf_map__reuse_fd takes the pinned map's definition (its ring size too) for the new object.
void DaemonProbes::Impl::load(uint32_t ring_bytes, bool reuse_pinned_maps) {
  if (reuse_pinned_maps) {
    bpf_map *maps[] = {skel->maps.cg_storage, skel->maps.cg_args, skel->maps.cg_denials,
                       skel->maps.counters,   skel->maps.events,  skel->maps.layout};
    for (bpf_map *map : maps) {
      std::string path = *pin_dir + "/" + bpf_map__name(map);
      Fd fd(bpf_obj_get(path.c_str()));
      if (!fd) fail("cannot open the pinned map " + path, errno);
      if (int err = bpf_map__reuse_fd(map, fd.get())) fail("cannot reuse " + path, err);
      // reuse_fd dup()ed it: ours closes here.
    }
  } else if (int err = bpf_map__set_max_entries(skel->maps.events, ring_bytes)) {
    fail("cannot size the ring buffer", err);
  }
  bpf::load(skel, "daemon's BPF programs");
  use_skeleton_maps();
  syscope_daemon_layout value = our_layout(record_args);
  uint32_t key = 0;
  if (bpf_map_update_elem(layout, &key, &value, BPF_ANY) != 0)
    fail("cannot write the layout map", errno);
}

// sys_enter first: sys_exit judges only tasks whose calls had the chance to be marked, so calls
// in flight at attach time are never judged (seccomp_verdict.bpf.h). In an upgrade the old
// links are removed only once the new ones are attached: for those microseconds a denial may be
// counted and reported by both versions, rather than by neither.
void DaemonProbes::Impl::attach_and_pin(bool replace_old_links) {
  bpf_program *in_order[] = {skel->progs.daemon_cgroup_mkdir, skel->progs.daemon_cgroup_rmdir,
                             skel->progs.daemon_exec,         skel->progs.daemon_enter,
                             skel->progs.daemon_exit,         skel->progs.daemon_sigsys,
                             skel->progs.daemon_thread_killed};
  bpf_link **links[] = {&skel->links.daemon_cgroup_mkdir, &skel->links.daemon_cgroup_rmdir,
                        &skel->links.daemon_exec,         &skel->links.daemon_enter,
                        &skel->links.daemon_exit,         &skel->links.daemon_sigsys,
                        &skel->links.daemon_thread_killed};
  static_assert(sizeof in_order / sizeof in_order[0] == sizeof links / sizeof links[0]);
  for (size_t i = 0; i < sizeof in_order / sizeof in_order[0]; ++i) {
    *links[i] = bpf_program__attach(in_order[i]);
    if (!*links[i]) fail(std::string("cannot attach ") + bpf_program__name(in_order[i]), errno);
  }
  if (!pin_dir) return;
  if (replace_old_links) {
    for (const auto &name : pinned_names(*pin_dir))
      if (name.rfind(kLinkPrefix, 0) == 0) unlink((*pin_dir + "/" + name).c_str());
  } else {
    for (const char *map : kDataMaps) {
      std::string path = *pin_dir + "/" + map;
      if (int err =
              bpf_obj_pin(bpf_map__fd(bpf_object__find_map_by_name(skel->obj, map)), path.c_str()))
        fail("cannot pin " + path, err);
    }
  }
  for (size_t i = 0; i < sizeof in_order / sizeof in_order[0]; ++i) {
    std::string path = *pin_dir + "/" + kLinkPrefix + bpf_program__name(in_order[i]);
    if (int err = bpf_link__pin(*links[i], path.c_str())) fail("cannot pin " + path, err);
  }
  // Last: its presence tells the next daemon that everything above was pinned.
  std::string layout_path = *pin_dir + "/" + kLayoutPin;
  if (!replace_old_links) {
    if (int err = bpf_obj_pin(layout, layout_path.c_str())) fail("cannot pin " + layout_path, err);
  }
}

// The pinned links keep identical programs attached: open the maps, attach nothing.
void DaemonProbes::Impl::resume() {
  auto open_pin = [this](const std::string &name) {
    std::string path = *pin_dir + "/" + name;
    Fd fd(bpf_obj_get(path.c_str()));
    if (!fd) fail("cannot open the pinned " + path, errno);
    int raw = fd.get();
    pinned_fds.push_back(std::move(fd));
    return raw;
  };
  cg_storage = open_pin("cg_storage");
  cg_args = open_pin("cg_args");
  cg_denials = open_pin("cg_denials");
  counters = open_pin("counters");
  events = open_pin("events");
  layout = open_pin(kLayoutPin);
  // Holding the links too: after unpin() the programs then detach when this object goes, as
  // they do for a daemon that loaded them itself.
  for (const auto &name : pinned_names(*pin_dir))
    if (name.rfind(kLinkPrefix, 0) == 0) open_pin(name);
}

namespace {
// Loads, attaches and pins into an empty pin_dir; on failure, removes what it pinned: half a
// set of pins would keep programs attached for nobody.
template <typename Impl> void load_fresh(Impl &m, uint32_t ring_bytes, const std::string &dir) {
  try {
    m.load(ring_bytes, false);
    m.attach_and_pin(false);
  } catch (...) {
    remove_pins(dir);
    throw;
  }
}
}  // namespace

DaemonProbes::DaemonProbes(const DaemonProbeOptions &options, Sinks sinks)
    : impl_(std::make_unique<Impl>()) {
  Impl &m = *impl_;
  m.sinks = std::move(sinks);
  m.pin_dir = options.pin_dir;
  if (options.ring_bytes < kMinRingBytes || (options.ring_bytes & (options.ring_bytes - 1)))
    throw Error(Exit::usage, "the ring buffer size must be a power of two of at least 4096 "
                             "bytes, not " +
                                 std::to_string(options.ring_bytes));
  if (!kernel_has_cgroup_storage())
    throw Error(Exit::environment, "syscope daemon needs BPF_MAP_TYPE_CGRP_STORAGE (Linux 6.2+)");
  m.skel = open_skeleton<daemon_bpf>();
  m.record_args = options.record_args;
  if (options.record_args) set_arg_plan(*m.skel);
  if (!m.pin_dir) {
    m.load(options.ring_bytes, false);
    m.attach_and_pin(false);
    start_note_ = "loaded the programs (not pinned: they detach when the daemon stops)";
  } else {
    const std::string &dir = *m.pin_dir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw Error(Exit::environment,
                  "cannot create the pin directory " + dir + ": " + ec.message());
    if (!is_bpffs(dir))
      throw Error(Exit::environment, dir + " is not on a bpffs (mount -t bpf bpf /sys/fs/bpf)");
    m.lock = lock_pin_dir(dir);
    PinInspection pins = inspect_pins(dir, m.skel.get(), m.record_args);
    switch (pins.state) {
      case PinState::none:
        load_fresh(m, options.ring_bytes, dir);
        start_note_ = "loaded the programs and pinned them under " + dir;
        break;
      case PinState::same:
        m.skel.reset();
        m.resume();
        start_ = ProbeStart::resumed;
        start_note_ = "resumed the programs pinned under " + dir +
                      ", attached all along: what they saw meanwhile is in their maps and ring "
                      "buffer";
        if (uint32_t pinned = ring_size(m.events); pinned != options.ring_bytes)
          start_note_ += " (the pinned ring buffer keeps its " + std::to_string(pinned) +
                         " bytes until the pins are removed)";
        break;
      case PinState::other_object:
      case PinState::incomplete:
        m.load(options.ring_bytes, true);
        m.attach_and_pin(true);
        start_ = ProbeStart::replaced;
        start_note_ = "replaced the programs pinned under " + dir + " (" + pins.why +
                      "): kept their maps, attached the new programs";
        break;
      case PinState::other_layout:
        remove_pins(dir);
        load_fresh(m, options.ring_bytes, dir);
        start_ = ProbeStart::replaced;
        start_note_ = "replaced the pins under " + dir + " (" + pins.why +
                      "): the kernel-side data of the old layout was discarded unread";
        break;
    }
  }
  m.boot_to_wall_ns = boot_to_wall_ns();
  m.ring = std::make_unique<RingBuffer>(
      m.events, [&m](const void *data, size_t size) { m.on_record(data, size); });
}

// Ring buffer first (it maps the events map), then the skeleton (its links detach unless
// pinned), then the pinned fds, then the lock.
DaemonProbes::~DaemonProbes() {
  if (!impl_) return;
  impl_->ring.reset();
  impl_->skel.reset();
  impl_->pinned_fds.clear();
}

int DaemonProbes::poll_fd() const { return impl_->ring->poll_fd(); }

void DaemonProbes::drain() { impl_->ring->consume(); }

void DaemonProbes::Impl::on_record(const void *data, size_t size) {
  const auto *hdr = static_cast<const syscope_event_hdr *>(data);
  if (hdr->type == SYSCOPE_EV_FIRST_SEEN && size >= sizeof(syscope_first_seen)) {
    const auto *ev = static_cast<const syscope_first_seen *>(data);
    if (sinks.first_seen) sinks.first_seen(ev->cgroup_id, ev->nr, ev->arch, ev->set);
  } else if (hdr->type == SYSCOPE_EV_ARG_VALUE && size >= sizeof(syscope_arg_value)) {
    const auto *ev = static_cast<const syscope_arg_value *>(data);
    if (sinks.arg_value) sinks.arg_value(ev->cgroup_id, ev->pair, ev->value, ev->flags);
  } else if (hdr->type == SYSCOPE_EV_DENIAL && size >= sizeof(syscope_denial_event)) {
    if (!sinks.denial) return;
    sinks.denial(watch::denial_from_record(*static_cast<const syscope_denial_event *>(data),
                                           boot_to_wall_ns));
  } else if ((hdr->type == SYSCOPE_EV_CGROUP_MKDIR || hdr->type == SYSCOPE_EV_CGROUP_RMDIR) &&
             size >= sizeof(syscope_cgroup_event)) {
    if (!sinks.cgroup) return;
    const auto *ev = static_cast<const syscope_cgroup_event *>(data);
    sinks.cgroup(ev->cgroup_id, std::string(ev->path, strnlen(ev->path, sizeof ev->path)),
                 hdr->type == SYSCOPE_EV_CGROUP_RMDIR);
  }
}

std::optional<profile::CgroupCalls> DaemonProbes::calls_in_kernel(int cgroup_dir_fd) const {
  syscope_cg_syscalls bitmaps{};
  if (bpf_map_lookup_elem(impl_->cg_storage, &cgroup_dir_fd, &bitmaps) != 0) return std::nullopt;
  profile::CgroupCalls calls;
  calls.merge(bitmaps);
  syscope_cg_args args{};
  if (bpf_map_lookup_elem(impl_->cg_args, &cgroup_dir_fd, &args) == 0) calls.merge(args);
  return calls;
}

std::map<profile::Denial, uint64_t> DaemonProbes::denials_of(uint64_t cgroup_id) const {
  auto all = denials();
  auto it = all.find(cgroup_id);
  return it == all.end() ? std::map<profile::Denial, uint64_t>{} : std::move(it->second);
}

std::unordered_map<uint64_t, std::map<profile::Denial, uint64_t>> DaemonProbes::denials() const {
  std::unordered_map<uint64_t, std::map<profile::Denial, uint64_t>> result;
  int fd = impl_->cg_denials;
  syscope_denial_key key{}, next{};
  const void *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    uint64_t count = 0;
    if (bpf_map_lookup_elem(fd, &next, &count) == 0)
      result[next.cgroup_id][profile::Denial{next.arch, next.nr, next.err}] = count;
    key = next;
    prev = &key;
  }
  return result;
}

// Keys first, deletes after: deleting while walking restarts get_next_key from the start.
void DaemonProbes::forget_cgroup(uint64_t cgroup_id) { forget_cgroups({cgroup_id}); }

void DaemonProbes::forget_cgroups(const std::set<uint64_t> &cgroup_ids) {
  if (cgroup_ids.empty()) return;
  int fd = impl_->cg_denials;
  std::vector<syscope_denial_key> keys;
  syscope_denial_key key{}, next{};
  const void *prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    if (cgroup_ids.count(next.cgroup_id)) keys.push_back(next);
    key = next;
    prev = &key;
  }
  for (const auto &k : keys) bpf_map_delete_elem(fd, &k);
}

LossCounters DaemonProbes::losses() const { return read_loss_counters(impl_->counters); }

uint64_t DaemonProbes::map_bytes() const {
  uint64_t bytes = 0;
  for (int fd : {impl_->cg_storage, impl_->cg_args, impl_->cg_denials, impl_->counters,
                 impl_->events, impl_->layout})
    bytes += fdinfo_memlock(fd);
  // One lookup per cgroup directory: cgroup storage has no iteration of its own.
  uint64_t with_storage = 0;
  syscope_cg_syscalls scratch{};
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator("/sys/fs/cgroup", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    Fd dir(open(it->path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    int raw = dir.get();
    if (dir && bpf_map_lookup_elem(impl_->cg_storage, &raw, &scratch) == 0) ++with_storage;
  }
  // The root cgroup itself.
  Fd root(open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int raw = root.get();
  if (root && bpf_map_lookup_elem(impl_->cg_storage, &raw, &scratch) == 0) ++with_storage;
  return bytes + with_storage * kStorageBytesPerCgroup;
}

void DaemonProbes::unpin() {
  if (!impl_->pin_dir) return;
  remove_pins(*impl_->pin_dir);
  rmdir(impl_->pin_dir->c_str());
}

std::vector<std::string> DaemonProbes::uninstall(const std::string &pin_dir) {
  if (!exists(pin_dir)) return {};
  Fd lock = lock_pin_dir(pin_dir);
  auto removed = remove_pins(pin_dir);
  if (rmdir(pin_dir.c_str()) == 0) removed.push_back("removed " + pin_dir);
  return removed;
}

}  // namespace syscope::bpf
