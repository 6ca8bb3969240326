// SPDX-License-Identifier: Apache-2.0
// The daemon's merged programs (DaemonProbes) on the real kernel: real processes in a cgroup of
// their own make known calls and denials; pins under a bpffs directory of the test's own must
// let a second DaemonProbes resume what the first left attached, discard what another layout
// left, and uninstall() must leave no link behind.
#include <catch2/catch.hpp>

#include <bpf/bpf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "syscope/base/error.hpp"
#include "syscope/containers/scoped_cgroup.hpp"
#include "syscope/kernel/daemon_probes.hpp"
#include "syscope/syscalls/arg_pairs.hpp"

using namespace syscope;
using namespace syscope::test;
using syscope::bpf::DaemonProbeOptions;
using syscope::bpf::DaemonProbes;
using syscope::bpf::ProbeStart;

namespace {

// Runs argv (argv[0] a path) with the child moved into `cg` before it execs; returns its exit
// status.
int run_in(const cgroup::ScopedCgroup &cg, const std::vector<std::string> &argv) {
  int gate[2];
  REQUIRE(pipe(gate) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(gate[1]);
    char go;
    if (read(gate[0], &go, 1) != 1) _exit(126);
    int null = open("/dev/null", O_WRONLY);  // its report lines would only clutter the log
    dup2(null, 1);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(gate[0]);
  cg.add_process(pid);
  REQUIRE(write(gate[1], "g", 1) == 1);
  close(gate[1]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// What the sinks received.
struct Seen {
  std::set<std::tuple<uint64_t, uint32_t, uint32_t, uint32_t>> first_seen;  // cg, nr, arch, set
  std::vector<watch::Denial> denials;
  std::vector<std::pair<uint64_t, bool>> cgroups;  // id, removed

  DaemonProbes::Sinks sinks() {
    DaemonProbes::Sinks s;
    s.first_seen = [this](uint64_t cg, uint32_t nr, uint32_t arch, uint32_t set) {
      first_seen.emplace(cg, nr, arch, set);
    };
    s.denial = [this](watch::Denial &&d) { denials.push_back(std::move(d)); };
    s.cgroup = [this](uint64_t id, const std::string &, bool removed) {
      cgroups.emplace_back(id, removed);
    };
    return s;
  }
  bool saw(uint64_t cg, uint32_t nr) const {
    for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set)
      if (first_seen.count({cg, nr, SYSCOPE_ARCH_NATIVE, set})) return true;
    return false;
  }
};

bool has_call(const std::optional<profile::CgroupCalls> &calls, uint32_t nr) {
  return calls && calls->all().contains(SYSCOPE_ARCH_NATIVE, nr);
}

// A pin directory of this test's own under /sys/fs/bpf, removed with everything in it (links
// detach) however the test ends.
struct PinDir {
  std::string path;
  PinDir() {
    static std::atomic<int> n{0};
    auto bpffs = bpf::ensure_bpffs("/sys/fs/bpf");
    if (!bpffs.persistent) FAIL("bpffs: " << bpffs.note);
    path = "/sys/fs/bpf/syscope-test-" + std::to_string(getpid()) + "-" + std::to_string(n++);
  }
  ~PinDir() {
    try {
      DaemonProbes::uninstall(path);
    } catch (...) {
    }
  }
  DaemonProbeOptions options() const {
    DaemonProbeOptions o;
    o.pin_dir = path;
    o.ring_bytes = 1u << 20;
    return o;
  }
};

// The kernel's ids of the links pinned under `dir`.
std::vector<uint32_t> pinned_link_ids(const std::string &dir) {
  std::vector<uint32_t> ids;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("link_", 0) != 0) continue;
    int fd = bpf_obj_get(entry.path().c_str());
    REQUIRE(fd >= 0);
    bpf_link_info info{};
    uint32_t len = sizeof info;
    REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
    ids.push_back(info.id);
    close(fd);
  }
  return ids;
}

bool link_exists(uint32_t id) {
  int fd = bpf_link_get_fd_by_id(id);
  if (fd < 0) return false;
  close(fd);
  return true;
}

uint32_t map_id(const std::string &pin) {
  int fd = bpf_obj_get(pin.c_str());
  REQUIRE(fd >= 0);
  bpf_map_info info{};
  uint32_t len = sizeof info;
  REQUIRE(bpf_obj_get_info_by_fd(fd, &info, &len) == 0);
  close(fd);
  return info.id;
}

}  // namespace

TEST_CASE("daemon probes: first-seen events and cgroup storage see a rare call",
          "[daemon_probes]") {
  Seen seen;
  DaemonProbes probes({}, seen.sinks());
  CHECK(probes.start() == ProbeStart::fresh);
  auto cg = cgroup::ScopedCgroup::create_beside_self("daemon-probes-test");
  REQUIRE(run_in(cg, {test_prog("known_calls"), "--extra"}) == 0);
  probes.drain();
  CHECK(seen.saw(cg.id(), SYS_getppid));
  CHECK(seen.saw(cg.id(), SYS_sysinfo));
  // After known_calls' exec: the workload's set, not the setup's.
  CHECK(seen.first_seen.count({cg.id(), SYS_getppid, SYSCOPE_ARCH_NATIVE, SYSCOPE_SET_PLAIN}));
  // execve itself was entered before the cgroup's first exec completed: the setup set.
  CHECK(seen.first_seen.count({cg.id(), SYS_execve, SYSCOPE_ARCH_NATIVE, SYSCOPE_SET_PLAIN_SETUP}));
  CHECK_FALSE(
      seen.first_seen.count({cg.id(), SYS_getppid, SYSCOPE_ARCH_NATIVE, SYSCOPE_SET_PLAIN_SETUP}));
  auto calls = probes.calls_in_kernel(cg.dir_fd());
  CHECK(has_call(calls, SYS_getppid));
  CHECK(has_call(calls, SYS_sysinfo));
  CHECK_FALSE(has_call(calls, SYS_chroot));  // nothing made it: the test can fail
  bool mkdir_seen = false;
  // The cgroup was made after the probes: its mkdir was reported.
  for (auto [id, removed] : seen.cgroups) mkdir_seen |= id == cg.id() && !removed;
  CHECK(mkdir_seen);
  CHECK_FALSE(probes.losses().any());
  CHECK(probes.map_bytes() > 0);
}

TEST_CASE("daemon probes: a denial arrives with its arguments and is counted per cgroup",
          "[daemon_probes]") {
  Seen seen;
  DaemonProbes probes({}, seen.sinks());
  auto cg = cgroup::ScopedCgroup::create_beside_self("daemon-probes-test");
  // sysinfo refused with EPERM, getpriority(0, 0) with EACCES, chroot("/") trapped; 100000
  // allowed getppid calls under the filter, none of which may be reported.
  run_in(cg, {test_prog("denier"), "errno", "eacces", "eacces", "trap", "busy", "100000"});
  probes.drain();
  std::vector<watch::Denial> mine;
  for (auto &d : seen.denials)
    if (d.cgroup_id == cg.id()) mine.push_back(d);
  REQUIRE(mine.size() == 4);
  CHECK(mine[0].nr == SYS_sysinfo);
  CHECK(mine[0].action == SYSCOPE_ACTION_ERRNO);
  CHECK(mine[0].err == EPERM);
  CHECK(mine[0].args[0] != 0);  // the struct sysinfo buffer
  CHECK(mine[0].comm == "denier");
  CHECK(mine[0].wall_time_ns > 1700000000ull * 1000000000ull);
  CHECK(mine[1].nr == SYS_getpriority);
  CHECK(mine[1].err == EACCES);
  CHECK(mine[3].nr == SYS_chroot);
  CHECK(mine[3].action == SYSCOPE_ACTION_TRAP);
  auto counted = probes.denials_of(cg.id());
  CHECK(counted.size() == 2);  // TRAP is streamed, not counted: only ERRNO verdicts are
  CHECK(counted[profile::Denial{SYSCOPE_ARCH_NATIVE, SYS_sysinfo, EPERM}] == 1);
  CHECK(counted[profile::Denial{SYSCOPE_ARCH_NATIVE, SYS_getpriority, EACCES}] == 2);
  // The filtered calls were recorded as filtered.
  CHECK(seen.first_seen.count({cg.id(), SYS_getppid, SYSCOPE_ARCH_NATIVE, SYSCOPE_SET_FILTERED}));
  probes.forget_cgroup(cg.id());
  CHECK(probes.denials_of(cg.id()).empty());

  // KILL_PROCESS (acct, in a forked child) from its SIGSYS; KILL_THREAD (setdomainname in a
  // second thread) from the thread's exit: once each.
  seen.denials.clear();
  run_in(cg, {test_prog("denier"), "kill-process", "kill-thread"});
  probes.drain();
  std::vector<watch::Denial> kills;
  for (auto &d : seen.denials)
    if (d.cgroup_id == cg.id()) kills.push_back(d);
  REQUIRE(kills.size() == 2);
  CHECK(kills[0].nr == SYS_acct);
  CHECK(kills[0].action == SYSCOPE_ACTION_KILL_PROCESS);
  CHECK(kills[1].nr == SYS_setdomainname);
  CHECK(kills[1].action == SYSCOPE_ACTION_KILL_THREAD);
  CHECK(kills[1].err == SIGSYS);
  CHECK(probes.denials_of(cg.id()).empty());  // not ERRNO verdicts: streamed, not counted
}

TEST_CASE("daemon probes: pinned programs keep recording while nobody holds them; resumed",
          "[daemon_probes]") {
  PinDir pins;
  auto cg = cgroup::ScopedCgroup::create_beside_self("daemon-probes-test");
  std::vector<uint32_t> links;
  {
    Seen seen;
    DaemonProbes first(pins.options(), seen.sinks());
    REQUIRE(first.start() == ProbeStart::fresh);
    REQUIRE(run_in(cg, {test_prog("known_calls")}) == 0);
    first.drain();
    CHECK(seen.saw(cg.id(), SYS_getppid));
    CHECK_FALSE(seen.saw(cg.id(), SYS_sysinfo));
    links = pinned_link_ids(pins.path);
    CHECK(links.size() == 7);
  }  // destroyed without unpin(): as a kill -9 leaves it
  for (uint32_t id : links) CHECK(link_exists(id));
  // Calls while no daemon runs: in a cgroup that stays, and in one created and removed.
  REQUIRE(run_in(cg, {test_prog("known_calls"), "--extra"}) == 0);
  uint64_t gone_id = 0;
  {
    auto gone = cgroup::ScopedCgroup::create_beside_self("daemon-probes-gone");
    gone_id = gone.id();
    REQUIRE(run_in(gone, {test_prog("known_calls")}) == 0);
  }
  Seen seen;
  DaemonProbes second(pins.options(), seen.sinks());
  CHECK(second.start() == ProbeStart::resumed);
  INFO(second.start_note());
  CHECK(pinned_link_ids(pins.path) == links);  // no second copy attached
  CHECK(has_call(second.calls_in_kernel(cg.dir_fd()), SYS_sysinfo));
  second.drain();
  CHECK(seen.saw(cg.id(), SYS_sysinfo));        // from the ring buffer, written while nobody read
  CHECK(seen.saw(gone_id, SYS_getppid));        // its cgroup is gone: the events are all there is
  CHECK_FALSE(seen.saw(cg.id(), SYS_getppid));  // consumed by the first one already
  bool removed_seen = false;
  for (auto [id, removed] : seen.cgroups) removed_seen |= id == gone_id && removed;
  CHECK(removed_seen);
  CHECK_FALSE(second.losses().any());

  // A second holder of the same pins is refused, clearly.
  CHECK_THROWS_WITH(DaemonProbes(pins.options(), {}),
                    Catch::Contains("another syscope daemon holds the BPF pins"));

  second.unpin();
  CHECK_FALSE(std::filesystem::exists(pins.path));
  for (uint32_t id : links) CHECK(link_exists(id));  // we still hold them
}

TEST_CASE("daemon probes: after a kill -9 the next one resumes and gets the calls made meanwhile",
          "[daemon_probes]") {
  PinDir pins;
  auto cg = cgroup::ScopedCgroup::create_beside_self("daemon-probes-test");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t daemon = fork();
  if (daemon == 0) {  // a daemon that dies without running a destructor
    close(ready[0]);
    try {
      DaemonProbes probes(pins.options(), {});
      if (write(ready[1], "r", 1) != 1) _exit(1);
      for (;;) pause();
    } catch (...) {
      _exit(2);
    }
  }
  close(ready[1]);
  char r = 0;
  REQUIRE(read(ready[0], &r, 1) == 1);
  close(ready[0]);
  kill(daemon, SIGKILL);
  int status = 0;
  waitpid(daemon, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(run_in(cg, {test_prog("known_calls"), "--extra"}) == 0);  // while none runs
  Seen seen;
  DaemonProbes next(pins.options(), seen.sinks());  // its lock died with it
  CHECK(next.start() == ProbeStart::resumed);
  CHECK(has_call(next.calls_in_kernel(cg.dir_fd()), SYS_sysinfo));
  next.drain();
  CHECK(seen.saw(cg.id(), SYS_sysinfo));
  CHECK(seen.saw(cg.id(), SYS_getppid));
}

TEST_CASE("daemon probes: unpin() detaches once the object goes", "[daemon_probes]") {
  PinDir pins;
  std::vector<uint32_t> links;
  {
    DaemonProbes probes(pins.options(), {});
    links = pinned_link_ids(pins.path);
    REQUIRE(!links.empty());
    probes.unpin();
  }
  for (uint32_t id : links) CHECK_FALSE(link_exists(id));
}

TEST_CASE("daemon probes: pins of another layout are discarded unread", "[daemon_probes]") {
  PinDir pins;
  auto cg = cgroup::ScopedCgroup::create_beside_self("daemon-probes-test");
  std::vector<uint32_t> old_links;
  uint32_t old_storage = 0;
  {
    DaemonProbes first(pins.options(), {});
    REQUIRE(run_in(cg, {test_prog("known_calls")}) == 0);
    REQUIRE(has_call(first.calls_in_kernel(cg.dir_fd()), SYS_getppid));
    old_links = pinned_link_ids(pins.path);
    old_storage = map_id(pins.path + "/cg_storage");
  }
  // What a daemon built from another abi.h would have written.
  int layout_fd = bpf_obj_get((pins.path + "/layout").c_str());
  REQUIRE(layout_fd >= 0);
  syscope_daemon_layout other{};
  uint32_t key = 0;
  REQUIRE(bpf_map_lookup_elem(layout_fd, &key, &other) == 0);
  memset(other.abi_sha256, '0', sizeof other.abi_sha256);
  REQUIRE(bpf_map_update_elem(layout_fd, &key, &other, BPF_ANY) == 0);
  close(layout_fd);

  DaemonProbes second(pins.options(), {});
  CHECK(second.start() == ProbeStart::replaced);
  CHECK_THAT(second.start_note(), Catch::Contains("discarded"));
  CHECK(map_id(pins.path + "/cg_storage") != old_storage);
  // The old cgroup storage was not reused: this cgroup has made no call since.
  CHECK_FALSE(second.calls_in_kernel(cg.dir_fd()));
  for (uint32_t id : old_links) CHECK_FALSE(link_exists(id));
}

TEST_CASE("daemon probes: an upgrade of the same layout keeps the maps, swaps the programs",
          "[daemon_probes]") {
  PinDir pins;
  auto cg = cgroup::ScopedCgroup::create_beside_self("daemon-probes-test");
  std::vector<uint32_t> old_links;
  uint32_t old_storage = 0;
  {
    DaemonProbes first(pins.options(), {});
    REQUIRE(run_in(cg, {test_prog("known_calls")}) == 0);
    old_links = pinned_link_ids(pins.path);
    old_storage = map_id(pins.path + "/cg_storage");
  }
  int layout_fd = bpf_obj_get((pins.path + "/layout").c_str());
  REQUIRE(layout_fd >= 0);
  syscope_daemon_layout older{};
  uint32_t key = 0;
  REQUIRE(bpf_map_lookup_elem(layout_fd, &key, &older) == 0);
  older.object_hash ^= 1;  // what another build of daemon.bpf.c would have written
  REQUIRE(bpf_map_update_elem(layout_fd, &key, &older, BPF_ANY) == 0);
  close(layout_fd);

  Seen seen;
  DaemonProbes second(pins.options(), seen.sinks());
  CHECK(second.start() == ProbeStart::replaced);
  CHECK_THAT(second.start_note(), Catch::Contains("kept their maps"));
  CHECK(map_id(pins.path + "/cg_storage") == old_storage);
  CHECK(has_call(second.calls_in_kernel(cg.dir_fd()), SYS_getppid));
  for (uint32_t id : old_links) CHECK_FALSE(link_exists(id));
  auto new_links = pinned_link_ids(pins.path);
  CHECK(new_links.size() == 7);
  // The new programs record: a call not made before reaches both the map and the events.
  REQUIRE(run_in(cg, {test_prog("known_calls"), "--extra"}) == 0);
  second.drain();
  CHECK(seen.saw(cg.id(), SYS_sysinfo));
  CHECK(has_call(second.calls_in_kernel(cg.dir_fd()), SYS_sysinfo));
}

TEST_CASE("daemon probes: uninstall() removes what a crashed daemon left", "[daemon_probes]") {
  PinDir pins;
  std::vector<uint32_t> links;
  { DaemonProbes crashed(pins.options(), {}); }
  links = pinned_link_ids(pins.path);
  REQUIRE(links.size() == 7);
  auto removed = DaemonProbes::uninstall(pins.path);
  CHECK(removed.size() == 7 + 6 + 1);  // links, maps (5 data + layout), the directory
  CHECK_FALSE(std::filesystem::exists(pins.path));
  for (uint32_t id : links) CHECK_FALSE(link_exists(id));
  // bpftool, a reference of the kernel's own, agrees: none of those links is listed.
  auto listed = run({"/usr/sbin/bpftool", "link", "list"});
  for (uint32_t id : links)
    CHECK(("\n" + listed.out).find("\n" + std::to_string(id) + ": ") == std::string::npos);
  CHECK(DaemonProbes::uninstall(pins.path).empty());  // nothing left: nothing to say
}

TEST_CASE("daemon probes: a bad ring size is a usage error", "[daemon_probes]") {
  DaemonProbeOptions o;
  o.ring_bytes = 3u << 20;
  CHECK_THROWS_WITH(DaemonProbes(o, {}), Catch::Contains("power of two"));
}

TEST_CASE("daemon probes: with record_args the values reach the sink and the setting is part of "
          "the pinned object",
          "[daemon_probes][args]") {
  PinDir pins;
  auto with_args = pins.options();
  with_args.record_args = true;
  std::set<uint64_t> socket_values;
  {
    DaemonProbes::Sinks sinks;
    uint32_t socket_pair = *profile::arg_pair_index("socket");
    sinks.arg_value = [&](uint64_t, uint32_t pair, uint64_t value, uint32_t flags) {
      if (pair == socket_pair && !(flags & SYSCOPE_ARG_OVERFLOW)) socket_values.insert(value);
    };
    DaemonProbes probes(with_args, sinks);
    CHECK(probes.start() == ProbeStart::fresh);
    auto ran = run({test_prog("arg_workload"), "work"});
    REQUIRE(ran.status == 0);
    probes.drain();
  }
  // socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK): the flags masked off, the type kept.
  CHECK(socket_values.count(AF_INET | uint64_t{SOCK_DGRAM} << 32) == 1);
  {
    DaemonProbes again(with_args, {});
    CHECK(again.start() == ProbeStart::resumed);
  }
  DaemonProbes without(pins.options(), {});
  CHECK(without.start() == ProbeStart::replaced);  // other read-only data: another object
  CHECK(without.start_note().find("kept their maps") != std::string::npos);
}
