// SPDX-License-Identifier: Apache-2.0
// watch's denial lines: text for people (UTC here, so TZ does not matter) and JSON lines.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include <cerrno>

#include "syscope/base/clock.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/watch/watch_report.hpp"

using namespace syscope::watch;
using syscope::clock_time;
using syscope::rfc3339_time;
namespace syscalls = syscope::syscalls;

namespace {

constexpr uint64_t kT0 = 1714565071ULL * 1'000'000'000 + 123456789;  // 2024-05-01 12:04:31 UTC
const TextOptions kUtc{true};

ContainerLabel web() {
  return {"docker", "3f2a9c1b0e7d5a8c9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b", "web",
          "nginx:1.25"};
}

Denial unshare_denial() {
  Denial d;
  d.wall_time_ns = kT0;
  d.cgroup_id = 4242;
  d.pid = d.tid = 4121;
  d.comm = "nginx";
  d.nr = 272;  // unshare on x86_64
  d.action = SYSCOPE_ACTION_ERRNO;
  d.err = EPERM;
  d.args = {CLONE_NEWUSER, 0, 0, 0, 0, 0};
  d.container = web();
  return d;
}

}  // namespace

TEST_CASE("unshare(CLONE_NEWUSER) refused in container web", "[watch]") {
  CHECK(format_text(unshare_denial(), kUtc) ==
        "12:04:31 web (3f2a9c1b0e7d, nginx:1.25) pid 4121 nginx: unshare(CLONE_NEWUSER) = -EPERM"
        "  blocked: creates or joins namespaces, the first step of many container escapes "
        "(Docker allows it only with CAP_SYS_ADMIN)");
}

TEST_CASE("a host process, another thread, a traced call", "[watch]") {
  Denial d = unshare_denial();
  d.container.reset();
  d.pid = 77;
  d.tid = 78;
  d.comm = "bash";
  d.nr = 165;  // mount
  d.args = {0x5581a0, 0x5581b0, 0, MS_BIND | MS_REC, 0, 0};
  d.traced = true;
  CHECK(format_text(d, kUtc) ==
        "12:04:31 host pid 77 tid 78 bash: mount(0x5581a0, 0x5581b0, NULL, MS_BIND|MS_REC, NULL)"
        " = -EPERM  blocked: changes the mount table; a container should never need to "
        "(CAP_SYS_ADMIN)  (a ptrace tracer is attached: it may have skipped this call)");
}

TEST_CASE("TRAP and KILL lines", "[watch]") {
  Denial d = unshare_denial();
  d.nr = 161;  // chroot
  d.args = {0x7ffd1000, 0, 0, 0, 0, 0};
  d.err = SIGSYS;
  d.action = SYSCOPE_ACTION_TRAP;
  CHECK(format_text(d, kUtc) ==
        "12:04:31 web (3f2a9c1b0e7d, nginx:1.25) pid 4121 nginx: chroot(0x7ffd1000) -> SIGSYS "
        "(SECCOMP_RET_TRAP)  blocked: Docker's default allows it: refused by this process's own "
        "profile");
  d.action = SYSCOPE_ACTION_KILL_PROCESS;
  CHECK(format_text(d, kUtc) ==
        "12:04:31 web (3f2a9c1b0e7d, nginx:1.25) pid 4121 nginx: chroot(0x7ffd1000) killed by "
        "SIGSYS (SECCOMP_RET_KILL_PROCESS)  blocked: Docker's default allows it: refused by this "
        "process's own profile");
  d.action = SYSCOPE_ACTION_KILL_THREAD;
  d.err = 0;
  CHECK(format_text(d, kUtc).find(
            " chroot(0x7ffd1000) thread killed (SECCOMP_RET_KILL_THREAD)  ") != std::string::npos);
}

TEST_CASE("containers without a name, unresolved cgroups, compat calls", "[watch]") {
  Denial d = unshare_denial();
  d.container->name.clear();
  CHECK(who(d) == "3f2a9c1b0e7d (nginx:1.25)");
  d.container = ContainerLabel{};
  CHECK(who(d) == "cgroup 4242");
  CHECK(who_short(d) == "cgroup 4242");
  d.container.reset();
  d.arch = SYSCOPE_ARCH_COMPAT;
  d.nr = 310;  // unshare on i386
  CHECK(format_text(d, kUtc).find("nginx: [i386] unshare(CLONE_NEWUSER) = -EPERM") !=
        std::string::npos);
}

TEST_CASE("argument decoding of the common calls", "[watch]") {
  auto call = [](const std::string &name, std::array<uint64_t, 6> args) {
    return syscalls::format_call(name, args);
  };
  CHECK(call("clone", {CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0, 0}) ==
        "clone(CLONE_NEWNS|CLONE_NEWUSER|SIGCHLD, NULL, NULL, NULL, NULL)");
  CHECK(call("clone", {CLONE_VM | CLONE_VFORK | SIGCHLD, 0x7f00, 0, 0, 0, 0}) ==
        "clone(CLONE_VM|CLONE_VFORK|SIGCHLD, 0x7f00, NULL, NULL, NULL)");
  CHECK(call("unshare", {CLONE_NEWTIME | CLONE_NEWNET, 0, 0, 0, 0, 0}) ==
        "unshare(CLONE_NEWTIME|CLONE_NEWNET)");
  CHECK(call("setns", {3, CLONE_NEWNET, 0, 0, 0, 0}) == "setns(3, CLONE_NEWNET)");
  CHECK(call("setns", {3, 0, 0, 0, 0, 0}) == "setns(3, 0)");
  CHECK(call("mount", {1, 2, 3, MS_MGC_VAL | MS_RDONLY | MS_REMOUNT, 0, 0}) ==
        "mount(0x1, 0x2, 0x3, MS_MGC_VAL|MS_RDONLY|MS_REMOUNT, NULL)");
  CHECK(call("umount2", {0x10, MNT_DETACH, 0, 0, 0, 0}) == "umount2(0x10, MNT_DETACH)");
  CHECK(call("personality", {0, 0, 0, 0, 0, 0}) == "personality(PER_LINUX)");
  CHECK(call("personality", {0x20008, 0, 0, 0, 0, 0}) == "personality(PER_LINUX32|UNAME26)");
  CHECK(call("personality", {ADDR_NO_RANDOMIZE, 0, 0, 0, 0, 0}) ==
        "personality(PER_LINUX|ADDR_NO_RANDOMIZE)");
  CHECK(call("personality", {0xffffffff, 0, 0, 0, 0, 0}) == "personality(0xffffffff)");
  CHECK(call("socket", {AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 9, 0, 0, 0}) ==
        "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, 9)");
  CHECK(call("socket", {AF_INET6, SOCK_STREAM, 0, 0, 0, 0}) == "socket(AF_INET6, SOCK_STREAM, 0)");
  CHECK(call("openat", {static_cast<uint64_t>(AT_FDCWD), 0x4000, O_RDONLY | O_CLOEXEC, 0, 0, 0}) ==
        "openat(AT_FDCWD, 0x4000, O_RDONLY|O_CLOEXEC)");
  CHECK(call("openat", {3, 0x4000, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0}) ==
        "openat(3, 0x4000, O_WRONLY|O_CREAT|O_TRUNC, 0644)");
  CHECK(call("openat", {3, 0x4000, O_RDWR | 0100000, 0, 0, 0}) ==
        "openat(3, 0x4000, O_RDWR|O_LARGEFILE)");
  CHECK(call("ptrace", {PTRACE_ATTACH, 1, 0, 0, 0, 0}) == "ptrace(PTRACE_ATTACH, 1, NULL, NULL)");
  CHECK(call("kill", {1, SIGKILL, 0, 0, 0, 0}) == "kill(1, SIGKILL)");
  CHECK(call("tgkill", {10, 11, SIGSYS, 0, 0, 0}) == "tgkill(10, 11, SIGSYS)");
  CHECK(call("kill", {static_cast<uint64_t>(-1), 0, 0, 0, 0, 0}) == "kill(-1, 0)");
  // Unknown signature: hex up to the last non-zero argument.
  CHECK(call("keyctl_like", {0x1, 0, 0x7fff, 0, 0, 0}) == "keyctl_like(0x1, 0x0, 0x7fff)");
  CHECK(call("getpid", {0, 0, 0, 0, 0, 0}) == "getpid()");
  CHECK(syscalls::decode_arg("clone", 0, 0x7E020000) ==
        "CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|"
        "CLONE_NEWNET");
  CHECK_FALSE(syscalls::decode_args("getpid", {}));
}

TEST_CASE("names of errnos, signals, arches, times", "[watch]") {
  CHECK(syscalls::errno_name(EPERM) == "EPERM");
  CHECK(syscalls::errno_name(ENOSYS) == "ENOSYS");
  CHECK(syscalls::errno_name(99999) == "errno 99999");
  CHECK(syscalls::signal_name(SIGSYS) == "SIGSYS");
  CHECK(syscalls::signal_name(34) == "SIGRT_2");
  CHECK(syscalls::arch_label(SYSCOPE_ARCH_COMPAT) == "i386");
  CHECK(clock_time(kT0, true) == "12:04:31");
  CHECK(rfc3339_time(kT0) == "2024-05-01T12:04:31.123456Z");
}

TEST_CASE("reasons: not listed, argument checks, allowed by Docker", "[watch]") {
  Denial d = unshare_denial();
  d.nr = 330;  // pkey_alloc: refused, with a reason that is not about security
  CHECK(denial_reason(d) == "memory protection keys: not in Docker 20.10's allow list");
  d.nr = 56;  // clone with a namespace flag
  d.args = {CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0, 0};
  CHECK(denial_reason(d) ==
        "Docker's default allows clone only when arg0 has none of CLONE_NEWNS|CLONE_NEWCGROUP|"
        "CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET");
  d.args = {SIGCHLD, 0, 0, 0, 0, 0};
  CHECK(denial_reason(d) == "Docker's default allows it: refused by this process's own profile");
  d.nr = 135;  // personality
  d.args = {ADDR_NO_RANDOMIZE, 0, 0, 0, 0, 0};
  CHECK(denial_reason(d) ==
        "obsolete interface with little testing (Docker's default allows personality only for "
        "arg0 PER_LINUX, PER_LINUX32, PER_LINUX|UNAME26, PER_LINUX32|UNAME26 or 0xffffffff)");
}

TEST_CASE("a JSON line holds every field and parses back", "[watch]") {
  Denial d = unshare_denial();
  d.tid = 4122;
  std::string line = format_json(d);
  CHECK(line.find('\n') == std::string::npos);
  auto j = nlohmann::json::parse(line);
  CHECK(j["type"] == "denial");
  CHECK(j["time"] == "2024-05-01T12:04:31.123456Z");
  CHECK(j["cgroup_id"] == 4242);
  CHECK(j["pid"] == 4121);
  CHECK(j["tid"] == 4122);
  CHECK(j["comm"] == "nginx");
  CHECK(j["syscall"] == "unshare");
  CHECK(j["nr"] == 272);
  CHECK(j["arch"] == "x86_64");
  CHECK(j["args"] == nlohmann::json::array({CLONE_NEWUSER, 0, 0, 0, 0, 0}));
  CHECK(j["decoded_args"] == nlohmann::json::array({"CLONE_NEWUSER"}));
  CHECK(j["action"] == "errno");
  CHECK(j["errno"] == EPERM);
  CHECK(j["errno_name"] == "EPERM");
  CHECK(j["signal"].is_null());
  CHECK(j["signal_name"].is_null());
  CHECK(j["traced"] == false);
  CHECK(j["container"]["runtime"] == "docker");
  CHECK(j["container"]["id"] == web().id);
  CHECK(j["container"]["name"] == "web");
  CHECK(j["container"]["image"] == "nginx:1.25");
  CHECK(j["reason"].get<std::string>().rfind("creates or joins namespaces", 0) == 0);

  d.container.reset();
  d.action = SYSCOPE_ACTION_KILL_PROCESS;
  d.err = SIGSYS;
  d.nr = 9999;                       // beyond libseccomp's table
  d.comm = std::string("a\xff", 2);  // not UTF-8: still a line
  j = nlohmann::json::parse(format_json(d));
  CHECK(j["container"].is_null());
  CHECK(j["syscall"] == "syscall_9999");
  CHECK(j["decoded_args"].is_null());
  CHECK(j["action"] == "kill_process");
  CHECK(j["errno"].is_null());
  CHECK(j["signal"] == SIGSYS);
  CHECK(j["signal_name"] == "SIGSYS");
}
