// SPDX-License-Identifier: Apache-2.0
// bench_dry_run CANDIDATE CGROUP_DIR: dry-run's real programs (WouldDenyProbe, the plan of
// WouldDenyJudge, as `watch --would-deny` runs them) attached machine-wide, with the cgroup
// CGROUP_DIR (a cgroup2 directory) under dry-run against the candidate profile, for bench/run's
// dry-run rows. Prints "ready" once attached; on SIGINT or SIGTERM "records calls=N judged=N
// would_deny=N" and "losses none|<what the kernel counted>", then detaches and exits.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>

#include "syscope/base/error.hpp"
#include "syscope/kernel/would_deny_probe.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/watch/would_deny.hpp"

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_dry_run CANDIDATE.json CGROUP_DIR\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);  // before attaching: no window where one kills us
  int sfd = signalfd(-1, &signals, SFD_CLOEXEC);
  try {
    struct stat st {};
    if (stat(argv[2], &st) != 0) throw syscope::Error(syscope::Exit::usage, "no cgroup dir");
    syscope::watch::WouldDenyJudge judge(syscope::seccomp::load_docker_profile(argv[1]));
    uint64_t calls = 0, denied = 0;
    syscope::bpf::WouldDenyProbe probe(
        [&](syscope::bpf::DryRunCall &&call) {
          ++calls;
          if (judge.judge(call)) ++denied;
        },
        [](uint64_t, const std::string &, bool) {});
    probe.set_candidate(0, judge.plan());
    probe.add_cgroup(st.st_ino, 0);  // a cgroup2 directory's inode number is its id
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
      pollfd fds[2] = {{probe.poll_fd(), POLLIN, 0}, {sfd, POLLIN, 0}};
      if (poll(fds, 2, 100) < 0) continue;
      probe.drain();
      if (fds[1].revents & POLLIN) break;
    }
    probe.drain();
    auto losses = probe.losses();
    std::printf("records calls=%llu judged=%llu would_deny=%llu\nlosses %s\n",
                static_cast<unsigned long long>(probe.calls_counted()),
                static_cast<unsigned long long>(calls), static_cast<unsigned long long>(denied),
                losses.any() ? losses.describe().c_str() : "none");
    return 0;
  } catch (const syscope::Error &e) {
    std::fprintf(stderr, "bench_dry_run: %s\n", e.what());
    return 3;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "bench_dry_run: %s\n", e.what());
    return 1;
  }
}
