// SPDX-License-Identifier: Apache-2.0
// `syscope exec --profile` against every kind of bad profile path and bad profile text: the exact
// status and message of each, and CMD (which would create {tree}/ran) never runs when the
// profile is refused; where a profile is only warned about, CMD's own status comes back.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <string>
#include <vector>

#include "bad_input.hpp"

using syscope::test::BadInputCase;
using syscope::test::check_bad_input;
using syscope::test::TempDir;

namespace {

// CMD for profiles that must be refused: if it ran, {tree}/ran would appear and the harness's
// snapshot would differ.
const std::vector<std::string> kMarker = {"--", "/bin/touch", "{tree}/ran"};
// CMD for profiles that are only warned about: its status proves it ran.
const std::vector<std::string> kExits7 = {"--", "/bin/sh", "-c", "exit 7"};

std::vector<std::string> exec_args(const std::string &profile,
                                   const std::vector<std::string> &cmd) {
  std::vector<std::string> args{"exec", "--profile", profile};
  args.insert(args.end(), cmd.begin(), cmd.end());
  return args;
}

bool protected_symlinks() {
  std::ifstream in("/proc/sys/fs/protected_symlinks");
  int on = 0;
  return in >> on && on != 0;
}

}  // namespace

TEST_CASE("exec --profile: hostile paths are refused before CMD runs", "[bad-input][exec]") {
  auto refused = [](std::string name, std::string entry, std::string message) {
    return BadInputCase{name, exec_args("{tree}/" + entry, kMarker), 2,
                        "syscope: {tree}/" + entry + ": " + message + "\n"};
  };
  check_bad_input({
      refused("device like /dev/null", "null", "is a character device, not a regular file"),
      refused("device like /dev/full", "full", "is a character device, not a regular file"),
      refused("device like /dev/zero", "zero", "is a character device, not a regular file"),
      refused("FIFO nobody writes", "fifo", "is a FIFO, not a regular file"),
      refused("directory", "dir", "is a directory, not a regular file"),
      refused("socket", "socket", "is a socket, not a regular file"),
      refused("dangling symlink", "dangling", "cannot read: No such file or directory"),
      refused("5 MiB + 1 byte", "huge", "larger than 4 MiB (5242881 bytes): not read"),
      refused("symlink to a file that is no profile", "link", "defaultAction: missing"),
      // Under fs.protected_symlinks the kernel does not let root follow another user's link in
      // a sticky directory; without it the link is followed, to target.json.
      refused("another user's symlink in a sticky directory", "sticky/foreign",
              protected_symlinks() ? "cannot read: Permission denied" : "defaultAction: missing"),
  });
}

TEST_CASE("exec --profile: hostile profile text", "[bad-input][exec]") {
  TempDir dir;
  auto profile = [&dir](const std::string &name, const std::string &text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
  };
  auto refused = [](std::string name, const std::string &path, std::string message) {
    return BadInputCase{name, exec_args(path, kMarker), 2, "syscope: " + path + ": " + message};
  };
  const std::string allow = R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [)";

  std::string truncated = profile("truncated.json", allow + R"({"names": ["read"], "act)");
  std::string duplicate = profile("duplicate.json", allow + R"(
      {"names": ["a"], "action": "SCMP_ACT_ALLOW"}, {"names": ["b"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["c"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["sysinfo"], "action": "SCMP_ACT_ERRNO", "action": "SCMP_ACT_ALLOW"}]})");
  std::string unknown_key = profile("unknown-key.json", allow + R"(
      {"names": ["sysinfo"], "action": "SCMP_ACT_ERRNO", "errnoRett": 38}]})");
  std::string names_null =
      profile("names-null.json", allow + R"({"names": null, "action": "SCMP_ACT_ERRNO"}]})");
  std::string names_missing =
      profile("names-missing.json", allow + R"({"action": "SCMP_ACT_ERRNO"}]})");
  std::string errno_4096 = profile("errno-4096.json", allow + R"(
      {"names": ["sysinfo"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4096}]})");
  std::string escapes = profile("escapes.json", allow + R"(
      {"names": ["evil\u001b[2J\nname"], "action": "SCMP_ACT_ERRNO"}]})");
  // glibc's _exit falls back from exit_group to exit: only both refused make it fault.
  std::string exit_group =
      profile("denies-exit-group.json",
              allow + R"({"names": ["exit_group", "exit"], "action": "SCMP_ACT_ERRNO"}]})");
  std::string unknown_name = profile("unknown-name.json", allow + R"(
      {"names": ["sysinfo", "no_such_call"], "action": "SCMP_ACT_ERRNO"}]})");
  std::string unknown_action = profile("unknown-action.json", allow + R"(
      {"names": ["sysinfo"], "action": "SCMP_ACT_SOMETIMES"}]})");
  std::string unknown_arch =
      profile("unknown-arch.json",
              R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"]})");
  // Nesting no recursive parser survives: 1.5 million arrays deep, under a key nobody reads.
  constexpr size_t kDepth = 1500000;
  std::string deep =
      profile("deep.json", R"({"defaultAction": "SCMP_ACT_ALLOW", "x": )" +
                               std::string(kDepth, '[') + std::string(kDepth, ']') + "}");
  std::string escaped_action = profile("escaped-action.json", allow + R"(
      {"names": ["sysinfo"], "action": "SCMP_ACT_\u001b]0;x\u0007"}]})");

  check_bad_input({
      refused("truncated JSON", truncated, "invalid JSON at line 1, column "),
      refused("a key given twice", duplicate,
              "syscalls[3].action: duplicate key (Docker would keep the last one without a "
              "word): give it once\n"),
      refused("names: null", names_null,
              "syscalls[0].names: null: a rule must list the calls it applies to (Docker would "
              "apply it to none)\n"),
      refused("no names", names_missing,
              "syscalls[0]: no \"names\": a rule must list the calls it applies to (Docker would "
              "apply it to none)\n"),
      refused("errnoRet 4096", errno_4096,
              "syscalls[0].errnoRet: 4096 is not an errno: it must be 1..4095 (rule for "
              "sysinfo)\n"),
      refused("unknown action", unknown_action,
              "syscalls[0].action: unknown action \"SCMP_ACT_SOMETIMES\" (rule for sysinfo)\n"),
      refused("unknown action with control characters", escaped_action,
              "syscalls[0].action: unknown action \"SCMP_ACT_\\x1b]0;x\\x07\" (rule for "
              "sysinfo)\n"),
      refused("unknown architecture", unknown_arch, "unknown architecture \"SCMP_ARCH_Z80\"\n"),
      {"an unknown key: warned, CMD runs", exec_args(unknown_key, kExits7), 7,
       "syscope: warning: " + unknown_key +
           ": syscalls[0]: unknown key \"errnoRett\" ignored, as Docker ignores it\n"},
      {"1.5 million nested arrays: warned, CMD runs", exec_args(deep, kExits7), 7,
       "syscope: warning: " + deep +
           ": (top level): unknown key \"x\" ignored, as Docker ignores it\n"},
      {"an unknown syscall name: warned, CMD runs", exec_args(unknown_name, kExits7), 7,
       "syscope: warning: unknown syscall \"no_such_call\" in " + unknown_name + ": skipped\n"},
      {"a name with ESC and newline: printed escaped", exec_args(escapes, kExits7), 7,
       "syscope: warning: unknown syscall \"evil\\x1b[2J\\nname\" in " + escapes + ": skipped\n"},
      {"a profile denying exit_group: warned, and the death explained",
       exec_args(exit_group, {"--", "/bin/true"}),
       128 + SIGSEGV,
       "syscope: /bin/true was killed by SIGSEGV; the profile denies exit_group (SCMP_ACT_ERRNO), "
       "which every process needs to exit, and denies exit (SCMP_ACT_ERRNO), which every thread "
       "needs to end: allow them in " +
           exit_group + "\n",
       {},
       2},
  });
}
