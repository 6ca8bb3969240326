// SPDX-License-Identifier: Apache-2.0
// trace show: strace-like lines and JSON objects from hand-built records (UTC, so TZ does not
// matter), filters, time bounds, and a whole file through the writer and run_trace_show.
#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/trace_show.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "syscope/base/error.hpp"

using namespace syscope;
using namespace syscope::trace;
using namespace syscope::cli;  // run_* bodies

namespace {

constexpr uint64_t kT0 = 1714565071ULL * 1'000'000'000 + 123456789;  // 2024-05-01 12:04:31 UTC
constexpr int64_t kBootToWall = static_cast<int64_t>(kT0) - 5'000'000'000;  // ts 5 s = kT0
constexpr uint64_t kTs0 = 5'000'000'000;
constexpr uint64_t kWeb = 4242, kHost = 1;
const std::string kWebId = "3f2a9c1b0e7d5a8c9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b";

struct Rec {
  uint16_t kind = 0;
  std::string bytes;
  Record view() const { return {kind, bytes}; }
};

template <typename T> Rec kernel_rec(T ev, uint16_t type, const std::string &tail = {}) {
  ev.hdr.type = type;
  ev.hdr.size = static_cast<uint16_t>(sizeof ev + tail.size());
  std::string bytes(reinterpret_cast<const char *>(&ev), sizeof ev);
  return {type, bytes + tail};
}

struct Call {
  uint64_t cgroup = kWeb;
  uint32_t pid = 4121, tid = 4121;
  int32_t nr = 0;
  std::array<uint64_t, 6> args{};
  int64_t ret = 0;
  uint64_t dt_ns = 0;  // after kTs0
  uint64_t duration_ns = 11'000;
  uint16_t flags = 0;
  struct Slot {
    unsigned arg = 0;
    uint8_t kind = SYSCOPE_DATA_NONE;
    std::string data;   // what the kernel read (a string with its NUL)
    uint8_t flags = 0;  // SYSCOPE_SLOT_*
  };
  std::vector<Slot> slots;  // the record's data slots, in plan order
};

Rec syscall_rec(const Call &c) {
  syscope_syscall_event e{};
  e.hdr.ts_ns = kTs0 + c.dt_ns;
  e.cgroup_id = c.cgroup;
  e.pid = c.pid;
  e.tid = c.tid;
  e.nr = c.nr;
  e.arch = SYSCOPE_ARCH_NATIVE;
  e.flags = c.flags;
  e.duration_ns =
      (c.flags & (SYSCOPE_SYSCALL_ENTER_ONLY | SYSCOPE_SYSCALL_DENIED)) ? 0 : c.duration_ns;
  e.ret = c.ret;
  for (int i = 0; i < 6; ++i) e.args[i] = c.args[i];
  std::string tail;
  e.nslots = static_cast<uint16_t>(c.slots.size());
  for (const auto &s : c.slots) {
    syscope_data_slot slot{};  // the kernel's record carries whole slots
    slot.arg = static_cast<uint8_t>(s.arg);
    slot.kind = s.kind;
    slot.flags = s.flags;
    slot.len = static_cast<uint16_t>(s.data.size());
    std::memcpy(slot.data, s.data.data(), std::min(s.data.size(), sizeof slot.data));
    tail.append(reinterpret_cast<const char *>(&slot), sizeof slot);
  }
  return kernel_rec(e, SYSCOPE_EV_SYSCALL, tail);
}

std::string path_data(const std::string &p) { return p + std::string(1, '\0'); }

std::string unix_addr(const std::string &path) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  return std::string(reinterpret_cast<const char *>(&un),
                     offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

std::string inet_addr4(uint32_t host_order_addr, uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  in.sin_addr.s_addr = htonl(host_order_addr);
  return std::string(reinterpret_cast<const char *>(&in), sizeof in);
}

Rec fork_rec(uint32_t parent, uint32_t child, uint64_t dt_ns, uint64_t cg = kWeb) {
  syscope_proc_fork e{};
  e.hdr.ts_ns = kTs0 + dt_ns;
  e.cgroup_id = cg;
  e.parent_pid = e.parent_tid = parent;
  e.child_pid = e.child_tid = child;
  return kernel_rec(e, SYSCOPE_EV_PROC_FORK);
}

Rec exec_rec(uint32_t pid, const std::string &filename, const std::vector<std::string> &argv,
             uint64_t dt_ns, uint64_t cg = kWeb) {
  syscope_proc_exec e{};
  e.hdr.ts_ns = kTs0 + dt_ns;
  e.cgroup_id = cg;
  e.pid = e.tid = e.old_tid = pid;
  std::memcpy(e.filename, filename.data(), filename.size());
  std::string args;
  for (const auto &a : argv) args += a + std::string(1, '\0');
  std::memcpy(e.args, args.data(), args.size());
  e.args_len = static_cast<uint16_t>(args.size());
  return kernel_rec(e, SYSCOPE_EV_PROC_EXEC);
}

Rec exit_rec(uint32_t pid, uint32_t code, uint64_t dt_ns, uint64_t cg = kWeb) {
  syscope_proc_exit e{};
  e.hdr.ts_ns = kTs0 + dt_ns;
  e.cgroup_id = cg;
  e.pid = e.tid = pid;
  e.exit_code = code;
  e.group_dead = 1;
  return kernel_rec(e, SYSCOPE_EV_PROC_EXIT);
}

Rec json_rec(uint16_t kind, const nlohmann::json &j) { return {kind, j.dump()}; }

Rec web_container() {
  return json_rec(kRecordContainer, {{"cgroup_id", kWeb},
                                     {"runtime", "docker"},
                                     {"id", kWebId},
                                     {"name", "/web"},
                                     {"image", "nginx:1.25"},
                                     {"labels", {{"app", "web"}}}});
}

FileHeader header() {
  FileHeader h;
  h.boot_to_wall_ns = kBootToWall;
  h.created_wall_ns = kT0;
  h.hostname = "box";
  return h;
}

// Formats `records` as show would (metadata learned first), one string per printed line.
std::vector<std::string> show(const std::vector<Rec> &records, ShowOptions opts = {}) {
  opts.utc = true;
  TraceCatalog catalog;
  for (const auto &r : records) catalog.learn(r.view());
  catalog.finish();
  ShowFormatter f(header(), catalog, opts, kT0);
  std::vector<std::string> lines;
  for (const auto &r : records)
    if (auto line = f.line(r.view())) lines.push_back(*line);
  return lines;
}

std::string show_one(const Rec &r, ShowOptions opts = {}) {
  auto lines = show({web_container(), r}, opts);
  REQUIRE(lines.size() == 1);
  return lines[0];
}

const uint64_t kAtFdcwd = static_cast<uint64_t>(int64_t{AT_FDCWD});

Call openat_passwd() {
  Call c;
  c.nr = 257;  // openat on x86_64
  c.args = {kAtFdcwd, 0x7ffd1000, O_RDONLY | O_CLOEXEC, 0, 0, 0};
  c.ret = 3;
  c.slots = {{1, SYSCOPE_DATA_PATH, path_data("/etc/passwd")}};
  return c;
}

// Runs `fn` with stdout going to a temp file; returns what it printed.
template <typename Fn> std::string capture_stdout(Fn fn) {
  std::fflush(stdout);
  char name[] = "/tmp/syscope-show-out.XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  int saved = dup(STDOUT_FILENO);
  dup2(fd, STDOUT_FILENO);
  fn();
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  close(fd);
  std::ifstream in(name);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(name);
  return ss.str();
}

struct TempPath {
  std::string path;
  TempPath() {
    char name[] = "/tmp/syscope-show-trace.XXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
  }
  ~TempPath() { unlink(path.c_str()); }
};

// One block per record when `block_each`, so that a cut file keeps the first ones.
void write_trace(const std::string &path, const std::vector<Rec> &records,
                 bool block_each = false) {
  TraceWriter w(path, header());
  for (const auto &r : records) {
    if (r.kind >= 100)
      w.add_json(r.kind, nlohmann::json::parse(r.bytes));
    else
      w.add(r.kind, r.bytes.data(), r.bytes.size());
    if (block_each) w.flush();
  }
  w.close();
}

}  // namespace

TEST_CASE("openat with a captured path, as strace shows it", "[trace_show]") {
  CHECK(show_one(syscall_rec(openat_passwd())) ==
        "12:04:31.123456 web 4121/4121 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3 "
        "<0.000011>");
}

TEST_CASE("a failed openat shows the errno name and text", "[trace_show]") {
  Call c = openat_passwd();
  c.args[2] = O_RDONLY;
  c.slots[0].data = path_data("/nope");
  c.ret = -ENOENT;
  c.dt_ns = 1'500'000;
  c.duration_ns = 2'500'000'000;
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.124956 web 4121/4121 openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such "
        "file or directory) <2.500000>");
}

TEST_CASE("a path the kernel could not read keeps the pointer", "[trace_show]") {
  Call c = openat_passwd();
  c.flags = SYSCOPE_SYSCALL_DATA_LOST;
  c.slots[0] = {1, SYSCOPE_DATA_PATH, "", SYSCOPE_SLOT_LOST};
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 web 4121/4121 openat(AT_FDCWD, 0x7ffd1000, O_RDONLY|O_CLOEXEC) = 3 "
        "<0.000011>");
  // One of two lost: the other is still shown in its place.
  Call r;
  r.nr = 82;  // rename
  r.args = {0x1000, 0x2000, 0, 0, 0, 0};
  r.flags = SYSCOPE_SYSCALL_DATA_LOST;
  r.slots = {{0, SYSCOPE_DATA_PATH, "", SYSCOPE_SLOT_LOST}, {1, SYSCOPE_DATA_PATH, path_data("b")}};
  CHECK(show_one(syscall_rec(r)) ==
        "12:04:31.123456 web 4121/4121 rename(0x1000, \"b\") = 0 <0.000011>");
}

TEST_CASE("unprintable bytes and a cut path are escaped and marked", "[trace_show]") {
  Call c = openat_passwd();
  c.slots[0].data = path_data("/tmp/a\"b\n\x01");
  CHECK(show_one(syscall_rec(c)).find("openat(AT_FDCWD, \"/tmp/a\\\"b\\n\\1\", ") !=
        std::string::npos);
  c.slots[0].data = "/" + std::string(SYSCOPE_TRACE_DATA_MAX - 2, 'x') + std::string(1, '\0');
  auto line = show_one(syscall_rec(c));
  CHECK(line.find("xxx\"..., O_RDONLY|O_CLOEXEC)") != std::string::npos);
}

TEST_CASE("strings are quoted as strace quotes them", "[trace_show]") {
  CHECK(quote_string("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quote_string("\f\n\r\t\v") == R"("\f\n\r\t\v")");
  // Octal, as short as it can be unless an octal digit follows (strace's string_quote()).
  CHECK(quote_string("\x01x") == R"("\1x")");
  CHECK(quote_string("\x01"
                     "7") == R"("\0017")");
  CHECK(quote_string("\x01"
                     "8") == R"("\18")");
  CHECK(quote_string("\x1b[0m") == R"("\33[0m")");
  CHECK(quote_string("\x7f\xc3\xa9") == R"("\177\303\251")");
  CHECK(quote_string(std::string("a\0b", 3)) == R"("a\0b")");
}

TEST_CASE("each slot fills the argument it names", "[trace_show]") {
  Call c;
  c.nr = 264;  // renameat on x86_64
  c.args = {kAtFdcwd, 0x1000, kAtFdcwd, 0x2000, 0, 0};
  c.slots = {{1, SYSCOPE_DATA_PATH, path_data("a")}, {3, SYSCOPE_DATA_PATH, path_data("b")}};
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 web 4121/4121 renameat(AT_FDCWD, \"a\", AT_FDCWD, \"b\") = 0 <0.000011>");
  c.slots.pop_back();  // only the first path captured
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 web 4121/4121 renameat(AT_FDCWD, \"a\", AT_FDCWD, 0x2000) = 0 <0.000011>");

  // The issue's two commands, as strace shows them.
  Call ln;
  ln.nr = 266;  // symlinkat: target first, the link's name last
  ln.args = {0x7ffc1000, kAtFdcwd, 0x7ffc2000, 0, 0, 0};
  ln.slots = {{0, SYSCOPE_DATA_PATH, path_data("/etc/hostname")},
              {2, SYSCOPE_DATA_PATH, path_data("l")}};
  CHECK(show_one(syscall_rec(ln)) == "12:04:31.123456 web 4121/4121 symlinkat(\"/etc/hostname\", "
                                     "AT_FDCWD, \"l\") = 0 <0.000011>");
  Call m;
  m.nr = 165;  // mount
  m.args = {0x1000, 0x2000, 0x3000, 0, 0, 0};
  m.slots = {{0, SYSCOPE_DATA_STRING, path_data("none")},
             {1, SYSCOPE_DATA_PATH, path_data("/m")},
             {2, SYSCOPE_DATA_STRING, path_data("tmpfs")}};
  CHECK(show_one(syscall_rec(m)) == "12:04:31.123456 web 4121/4121 mount(\"none\", \"/m\", "
                                    "\"tmpfs\", 0, NULL) = 0 <0.000011>");
  // A bind mount's NULL type: no slot for it, the pointer's NULL shown.
  m.args = {0x1000, 0x2000, 0, MS_BIND, 0, 0};
  m.slots = {{0, SYSCOPE_DATA_PATH, path_data("/a")}, {1, SYSCOPE_DATA_PATH, path_data("/b")}};
  CHECK(show_one(syscall_rec(m)) == "12:04:31.123456 web 4121/4121 mount(\"/a\", \"/b\", NULL, "
                                    "MS_BIND, NULL) = 0 <0.000011>");
  // A remount's NULL source: an empty slot before a filled one.
  m.args[0] = 0;
  m.slots = {{0, SYSCOPE_DATA_NONE, ""}, {1, SYSCOPE_DATA_PATH, path_data("/b")}};
  CHECK(show_one(syscall_rec(m)) == "12:04:31.123456 web 4121/4121 mount(NULL, \"/b\", NULL, "
                                    "MS_BIND, NULL) = 0 <0.000011>");
}

TEST_CASE("connect to an AF_UNIX path and to an AF_INET address", "[trace_show]") {
  Call c;
  c.nr = 42;  // connect
  c.args = {3, 0x7ffd2000, 110, 0, 0, 0};
  c.slots = {{1, SYSCOPE_DATA_SOCKADDR, unix_addr("/run/s.sock")}};
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 web 4121/4121 connect(3, {AF_UNIX, \"/run/s.sock\"}, 110) = 0 <0.000011>");
  c.args[2] = 16;
  c.slots[0].data = inet_addr4(0x7f000001, 8080);
  c.ret = -ECONNREFUSED;
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 web 4121/4121 connect(3, {AF_INET, 127.0.0.1:8080}, 16) = -1 ECONNREFUSED "
        "(Connection refused) <0.000011>");
  CHECK(sockaddr_text(std::string("\x01\x00\x00"
                                  "abstract",
                                  11)) == "{AF_UNIX, @\"abstract\"}");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(443);
  in6.sin6_addr = in6addr_loopback;
  CHECK(sockaddr_text(std::string(reinterpret_cast<const char *>(&in6), sizeof in6)) ==
        "{AF_INET6, [::1]:443}");
}

TEST_CASE("execve, the exec event, fork, exit and exit_group", "[trace_show]") {
  Call execve;
  execve.nr = 59;
  execve.pid = execve.tid = 4122;
  execve.args = {0x5000, 0x6000, 0x7000, 0, 0, 0};
  execve.slots = {{0, SYSCOPE_DATA_PATH, path_data("/bin/ls")}};
  execve.dt_ns = 2000;
  execve.duration_ns = 250'000;
  Call exit_group;
  exit_group.nr = 231;
  exit_group.pid = exit_group.tid = 4122;
  exit_group.flags = SYSCOPE_SYSCALL_ENTER_ONLY;
  exit_group.dt_ns = 4000;
  auto lines =
      show({web_container(), fork_rec(4121, 4122, 1000), syscall_rec(execve),
            exec_rec(4122, "/bin/ls", {"ls", "-l", "/"}, 3000), syscall_rec(exit_group),
            exit_rec(4122, 0, 5000), exit_rec(4123, 9, 6000), exit_rec(4124, 2 << 8, 7000)});
  REQUIRE(lines.size() == 7);
  CHECK(lines[0] == "12:04:31.123457 web 4121/4121 --- fork: 4121 -> 4122 ---");
  CHECK(lines[1] ==
        "12:04:31.123458 web 4122/4122 execve(\"/bin/ls\", 0x6000, 0x7000) = 0 <0.000250>");
  CHECK(lines[2] == "12:04:31.123459 web 4122/4122 --- exec: /bin/ls ls -l / ---");
  CHECK(lines[3] == "12:04:31.123460 web 4122/4122 exit_group(0) = ?");
  CHECK(lines[4] == "12:04:31.123461 web 4122/4122 --- exit: 4122 status 0 ---");
  CHECK(lines[5] == "12:04:31.123462 web 4123/4123 --- exit: 4123 killed by SIGKILL ---");
  CHECK(lines[6] == "12:04:31.123463 web 4124/4124 --- exit: 4124 status 2 ---");
}

TEST_CASE("a denied call is marked as seccomp's answer", "[trace_show]") {
  Call c;
  c.nr = 272;  // unshare
  c.args = {CLONE_NEWUSER, 0, 0, 0, 0, 0};
  c.ret = -EPERM;
  c.flags = SYSCOPE_SYSCALL_DENIED | SYSCOPE_SYSCALL_FILTERED;
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 web 4121/4121 unshare(CLONE_NEWUSER) = -1 EPERM (seccomp)");
}

TEST_CASE("calls outside containers are the host's; unknown calls in hex", "[trace_show]") {
  Call c;
  c.cgroup = kHost;
  c.nr = 39;  // getpid: no signature
  c.ret = 77;
  CHECK(show_one(syscall_rec(c)) == "12:04:31.123456 host 4121/4121 getpid() = 77 <0.000011>");
  c.nr = 9;  // mmap: an address comes back
  c.args = {0, 4096, 3, 0x22, static_cast<uint64_t>(-1), 0};
  c.ret = 0x7f0000001000;
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 host 4121/4121 mmap(NULL, 4096, 0x3, 0x22, -1, 0) = 0x7f0000001000 "
        "<0.000011>");
  c.nr = 10;  // mprotect: no signature, a number comes back
  c.args = {0x7f0000001000, 4096, 1, 0, 0, 0};
  c.ret = 0;
  CHECK(show_one(syscall_rec(c)) ==
        "12:04:31.123456 host 4121/4121 mprotect(0x7f0000001000, 0x1000, 0x1) = 0 <0.000011>");
}

TEST_CASE("a container named after its first calls still names them", "[trace_show]") {
  auto lines = show({syscall_rec(openat_passwd()), web_container()});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("12:04:31.123456 web 4121/4121 openat(", 0) == 0);
}

TEST_CASE("nested cgroups belong to the container whose path holds theirs", "[trace_show]") {
  Call c = openat_passwd();
  c.cgroup = 5555;
  auto lines =
      show({json_rec(kRecordCgroupPath,
                     {{"cgroup_id", kWeb}, {"path", "/system.slice/docker-3f2a.scope"}}),
            json_rec(kRecordCgroupPath,
                     {{"cgroup_id", 5555}, {"path", "/system.slice/docker-3f2a.scope/init"}}),
            web_container(), syscall_rec(c)});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("12:04:31.123456 web 4121/4121 ", 0) == 0);
}

TEST_CASE("JSON: one object per record, all fields decoded, parses back", "[trace_show]") {
  Call c = openat_passwd();
  c.ret = -ENOENT;
  Call conn;
  conn.nr = 42;
  conn.args = {3, 0x7ffd2000, 110, 0, 0, 0};
  conn.slots = {{1, SYSCOPE_DATA_SOCKADDR, unix_addr("/run/s.sock")}};
  Call eg;
  eg.nr = 231;
  eg.flags = SYSCOPE_SYSCALL_ENTER_ONLY;
  ShowOptions opts;
  opts.json = true;
  auto lines = show({web_container(), syscall_rec(c), syscall_rec(conn), syscall_rec(eg),
                     exec_rec(4121, "/bin/ls", {"ls", "-l"}, 10), exit_rec(4121, 0, 20),
                     json_rec(kRecordNote, {{"text", "max size reached"}})},
                    opts);
  REQUIRE(lines.size() == 7);
  auto container = nlohmann::json::parse(lines[0]);
  CHECK(container["type"] == "container");
  CHECK(container["name"] == "/web");
  auto open = nlohmann::json::parse(lines[1]);
  CHECK(open["type"] == "syscall");
  CHECK(open["time"] == "2024-05-01T12:04:31.123456Z");
  CHECK(open["ts_ns"] == kTs0);
  CHECK(open["cgroup_id"] == kWeb);
  CHECK(open["container"]["name"] == "web");
  CHECK(open["container"]["id"] == kWebId);
  CHECK(open["container"]["image"] == "nginx:1.25");
  CHECK(open["container"]["labels"]["app"] == "web");
  CHECK(open["pid"] == 4121);
  CHECK(open["tid"] == 4121);
  CHECK(open["syscall"] == "openat");
  CHECK(open["nr"] == 257);
  CHECK(open["arch"] == "x86_64");
  CHECK(open["args"][0] == kAtFdcwd);
  CHECK(open["decoded_args"] ==
        nlohmann::json::array({"AT_FDCWD", "\"/etc/passwd\"", "O_RDONLY|O_CLOEXEC"}));
  CHECK(open["call"] == "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)");
  CHECK(open["path"] == "/etc/passwd");
  CHECK(open["ret"] == -ENOENT);
  CHECK(open["errno"] == ENOENT);
  CHECK(open["errno_name"] == "ENOENT");
  CHECK(open["duration_ns"] == 11000);
  CHECK(open["enter_only"] == false);
  CHECK(open["denied"] == false);
  CHECK(open["sockaddr"].is_null());
  CHECK(open["captures"] ==
        nlohmann::json::parse(R"([{"arg":1,"kind":"path","lost":false,"value":"/etc/passwd",)"
                              R"("truncated":false}])"));
  auto connect = nlohmann::json::parse(lines[2]);
  CHECK(connect["sockaddr"] == nlohmann::json({{"family", "AF_UNIX"}, {"path", "/run/s.sock"}}));
  CHECK(connect["captures"][0]["arg"] == 1);
  CHECK(connect["captures"][0]["sockaddr"] == connect["sockaddr"]);
  CHECK(connect["path"].is_null());
  CHECK(connect["errno"].is_null());
  auto eg_json = nlohmann::json::parse(lines[3]);
  CHECK(eg_json["ret"].is_null());
  CHECK(eg_json["enter_only"] == true);
  CHECK(eg_json["call"] == "exit_group(0)");
  auto exec = nlohmann::json::parse(lines[4]);
  CHECK(exec["type"] == "exec");
  CHECK(exec["filename"] == "/bin/ls");
  CHECK(exec["argv"] == nlohmann::json::array({"ls", "-l"}));
  auto exit = nlohmann::json::parse(lines[5]);
  CHECK(exit["type"] == "exit");
  CHECK(exit["status"] == 0);
  CHECK(exit["signal"].is_null());
  auto note = nlohmann::json::parse(lines[6]);
  CHECK(note["type"] == "note");
  CHECK(note["text"] == "max size reached");
}

TEST_CASE("filters: container, pid, syscall", "[trace_show]") {
  Call web_open = openat_passwd();
  Call host_open = openat_passwd();
  host_open.cgroup = kHost;
  host_open.pid = host_open.tid = 900;
  Call web_close;
  web_close.nr = 3;
  web_close.args = {3, 0, 0, 0, 0, 0};
  web_close.pid = 4121;
  web_close.tid = 4130;
  std::vector<Rec> records = {web_container(), syscall_rec(web_open), syscall_rec(host_open),
                              syscall_rec(web_close), fork_rec(4121, 4122, 10)};
  ShowOptions by_name;
  by_name.containers = {"web"};
  CHECK(show(records, by_name).size() == 3);
  ShowOptions by_id;
  by_id.containers = {"3f2a9c"};
  CHECK(show(records, by_id).size() == 3);
  ShowOptions host;
  host.containers = {"host"};
  auto host_lines = show(records, host);
  REQUIRE(host_lines.size() == 1);
  CHECK(host_lines[0].find(" host 900/900 openat(") != std::string::npos);
  ShowOptions none;
  none.containers = {"db"};
  CHECK(show(records, none).empty());

  ShowOptions tid;
  tid.pids = {4130};
  auto tid_lines = show(records, tid);
  REQUIRE(tid_lines.size() == 1);
  CHECK(tid_lines[0] == "12:04:31.123456 web 4121/4130 close(3) = 0 <0.000011>");
  ShowOptions child;
  child.pids = {4122};
  CHECK(show(records, child) ==
        std::vector<std::string>{"12:04:31.123456 web 4121/4121 --- fork: 4121 -> 4122 ---"});

  ShowOptions calls;
  calls.syscalls = {"openat"};
  CHECK(show(records, calls).size() == 2);
  calls.containers = {"web"};
  CHECK(show(records, calls).size() == 1);
}

TEST_CASE("filters: since and until, absolute and relative", "[trace_show]") {
  std::vector<Rec> records = {web_container()};
  for (uint64_t i = 0; i < 5; ++i) {
    Call c;
    c.nr = 39;
    c.ret = static_cast<int64_t>(i);
    c.dt_ns = i * 1'000'000'000;  // one call a second
    records.push_back(syscall_rec(c));
  }
  ShowOptions rel;
  rel.since = "+1s";
  rel.until = "+3s";
  auto lines = show(records, rel);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "12:04:32.123456 web 4121/4121 getpid() = 1 <0.000011>");
  CHECK(lines[1] == "12:04:33.123456 web 4121/4121 getpid() = 2 <0.000011>");
  ShowOptions abs;
  abs.since = "2024-05-01T12:04:33Z";
  CHECK(show(records, abs).size() == 3);
  abs.since = "2024-05-01T14:04:33.2+02:00";
  CHECK(show(records, abs).size() == 2);
  ShowOptions tod;
  tod.until = "12:04:32.123456";  // a time of day, UTC as the lines show it
  CHECK(show(records, tod).size() == 1);
  ShowOptions ms;
  ms.since = "+2500ms";
  CHECK(show(records, ms).size() == 2);
}

TEST_CASE("time bounds parse and reject", "[trace_show]") {
  CHECK(parse_time_bound("+2.5s", kT0, true) == kT0 + 2'500'000'000);
  CHECK(parse_time_bound("+2.5", kT0, true) == kT0 + 2'500'000'000);
  CHECK(parse_time_bound("+90us", kT0, true) == kT0 + 90'000);
  CHECK(parse_time_bound("+2m", kT0, true) == kT0 + 120'000'000'000);
  CHECK(parse_time_bound("2024-05-01T12:04:31.123456789Z", 0, true) == kT0);
  CHECK(parse_time_bound("2024-05-01 12:04:31.123456789", 0, true) == kT0);
  CHECK(parse_time_bound("2024-05-01T13:04:31.123456789+01:00", 0, false) == kT0);
  CHECK(parse_time_bound("12:04:31.123456789", kT0, true) == kT0);
  CHECK_THROWS_AS(parse_time_bound("yesterday", kT0, true), Error);
  CHECK_THROWS_AS(parse_time_bound("+2 weeks", kT0, true), Error);
  CHECK_THROWS_AS(parse_time_bound("2024-05-01T12:04Z", kT0, true), Error);
  CHECK_THROWS_AS(parse_time_bound("2024-05-01T12:04:31+0100", kT0, true), Error);
}

TEST_CASE("run_trace_show prints a whole file and a cut one", "[trace_show]") {
  TempPath file;
  Call c = openat_passwd();
  write_trace(file.path, {web_container(), syscall_rec(c), exit_rec(4121, 0, 10),
                          json_rec(kRecordCounters, {{"ringbuf_full", 0}})});
  ShowOptions opts;
  opts.utc = true;
  int rc = -1;
  auto out = capture_stdout([&] { rc = run_trace_show(file.path, opts); });
  CHECK(rc == 0);
  CHECK(out ==
        "12:04:31.123456 web 4121/4121 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3 "
        "<0.000011>\n"
        "12:04:31.123456 web 4121/4121 --- exit: 4121 status 0 ---\n");

  opts.json = true;
  out = capture_stdout([&] { rc = run_trace_show(file.path, opts); });
  CHECK(rc == 0);
  std::istringstream lines(out);
  std::string line;
  int n = 0;
  nlohmann::json last;
  while (std::getline(lines, line)) {
    last = nlohmann::json::parse(line);
    CHECK(last.is_object());
    ++n;
  }
  CHECK(n == 5);  // the four records, then the summary
  CHECK(last == nlohmann::json{{"type", "summary"},
                               {"records_read", 4},
                               {"complete", true},
                               {"stopped_early", nullptr},
                               {"warning", nullptr}});

  // Not a trace at all: nothing readable.
  {
    std::ofstream junk(file.path, std::ios::trunc);
    junk << "not a trace file, just text\n";
  }
  out = capture_stdout([&] { rc = run_trace_show(file.path, opts); });
  CHECK(rc == 2);
  CHECK(out.empty());
}

TEST_CASE("run_trace_show on a file cut mid-block shows what is whole", "[trace_show]") {
  TempPath file;
  Call second = openat_passwd();
  second.dt_ns = 1000;
  second.slots[0].data = path_data("/etc/group");
  write_trace(file.path, {web_container(), syscall_rec(openat_passwd()), syscall_rec(second)},
              true);
  std::string bytes;
  {
    std::ifstream in(file.path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    bytes = ss.str();
  }
  // Cut inside the last block (the end marker and part of the second openat's block go).
  size_t cut = bytes.rfind("/etc/group");
  REQUIRE(cut != std::string::npos);
  {
    std::ofstream out(file.path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(cut));
  }
  ShowOptions opts;
  opts.utc = true;
  int rc = -1;
  auto out = capture_stdout([&] { rc = run_trace_show(file.path, opts); });
  CHECK(rc == 0);
  CHECK(out ==
        "12:04:31.123456 web 4121/4121 openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3 "
        "<0.000011>\n");
}
