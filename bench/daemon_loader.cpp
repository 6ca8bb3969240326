// SPDX-License-Identifier: Apache-2.0
// bench_daemon [--args]: the daemon's real programs (DaemonProbes, nothing pinned) attached
// machine-wide, with their ring buffer drained as the daemon drains it, for bench/run's daemon
// rows; --args loads them with record_args, as the daemon runs by default. Prints
// "ready" once attached; on SIGUSR1 "map_bytes N" (DaemonProbes::map_bytes: the kernel's memlock
// figure per map plus the cgroup-storage element estimate); on SIGINT or SIGTERM
// "records first_seen=N denials=N cgroups=N" and "losses none|<what the kernel counted>", then
// detaches and exits.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>

#include "syscope/base/error.hpp"
#include "syscope/kernel/daemon_probes.hpp"

int main(int argc, char **argv) {
  syscope::bpf::DaemonProbeOptions options;
  if (argc == 2 && std::strcmp(argv[1], "--args") == 0)
    options.record_args = true;
  else if (argc != 1) {
    std::fprintf(stderr, "usage: bench_daemon [--args]\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);
  sigprocmask(SIG_BLOCK, &signals, nullptr);  // before attaching: no window where one kills us
  int sfd = signalfd(-1, &signals, SFD_CLOEXEC);
  try {
    uint64_t first_seen = 0, denials = 0, cgroups = 0;
    syscope::bpf::DaemonProbes::Sinks sinks;
    sinks.first_seen = [&](uint64_t, uint32_t, uint32_t, uint32_t) { ++first_seen; };
    sinks.denial = [&](syscope::watch::Denial &&) { ++denials; };
    sinks.cgroup = [&](uint64_t, const std::string &, bool) { ++cgroups; };
    syscope::bpf::DaemonProbes probes(options, sinks);
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;) {
      pollfd fds[2] = {{probes.poll_fd(), POLLIN, 0}, {sfd, POLLIN, 0}};
      if (poll(fds, 2, 100) < 0) continue;
      probes.drain();
      if (!(fds[1].revents & POLLIN)) continue;
      signalfd_siginfo info{};
      if (read(sfd, &info, sizeof info) != sizeof info) continue;
      if (info.ssi_signo == SIGUSR1) {
        std::printf("map_bytes %llu\n", static_cast<unsigned long long>(probes.map_bytes()));
        std::fflush(stdout);
        continue;
      }
      break;
    }
    probes.drain();
    auto losses = probes.losses();
    std::printf("records first_seen=%llu denials=%llu cgroups=%llu\nlosses %s\n",
                static_cast<unsigned long long>(first_seen),
                static_cast<unsigned long long>(denials), static_cast<unsigned long long>(cgroups),
                losses.any() ? losses.describe().c_str() : "none");
    return 0;
  } catch (const syscope::Error &e) {
    std::fprintf(stderr, "bench_daemon: %s\n", e.what());
    return 3;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "bench_daemon: %s\n", e.what());
    return 1;
  }
}
