// SPDX-License-Identifier: Apache-2.0
// The trace is true, with strace (Debian's) as the reference: tests/progs/capture_calls makes
// every call of the capture plan, once under `strace -f -s 4096` and once under `syscope trace`,
// and each string and sockaddr argument must read the same in the same argument position.
// Calls are matched in order by name, between the program's two marker calls.
#include <netinet/in.h>
#include <seccomp.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "helpers.hpp"
#include "syscope/syscalls/signatures.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;
using syscope::syscalls::ArgKind;

namespace {

constexpr const char *kStrace = "/usr/bin/strace";

// Where syscope deliberately renders differently from strace, and what the comparison does.
struct Difference {
  const char *name;
  const char *what;
};
const Difference kDifferences[] = {
    {"sockaddr form",
     "strace spells out the C struct ({sa_family=AF_INET, sin_port=htons(80), "
     "sin_addr=inet_addr(\"127.0.0.1\")}, {sa_family=AF_UNIX, sun_path=\"/x\"}); syscope prints "
     "{AF_INET, 127.0.0.1:80}, {AF_UNIX, \"/x\"}: strace's is rewritten to syscope's form"},
    {"sockaddr_in6 extras",
     "syscope does not show sin6_flowinfo and sin6_scope_id: strace's are required to be 0"},
    {"buffers",
     "strace shows the bytes of data buffers (readlink's result, xattr values and lists, "
     "send and receive data); trace records no buffer contents, so arguments the signature "
     "table calls buffer are not compared"},
    {"addresses",
     "each run has its own addresses (ASLR): an argument both show as 0x... compares equal"},
    {"truncation",
     "syscope keeps 255 bytes of a string and marks the cut with ... after the quote, as strace "
     "does past -s; strace (-s 4096) shows it all: syscope's must be a prefix of strace's"},
    {"calls strace does not know",
     "strace 6.1 predates fchmodat2 (Linux 6.6) and prints syscall_0x1c4(...) with raw numbers: "
     "syscope's path is checked against the one the program passed"},
};
// Calls strace prints as syscall_0x<nr>: the argument and DIR-relative path syscope must show.
const std::map<std::string, std::pair<unsigned, std::string>> kStraceUnknown = {
    {"fchmodat2", {1, "f"}}};

struct Call {
  std::string name;
  std::vector<std::string> args;
  std::string line;        // as the tool printed it, for messages
  bool data_lost = false;  // syscope: the kernel side could not read an argument
};

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "PID name(arg, {a, b}, "x,y" /* c */) = ret": the name and the top-level arguments (quotes,
// (), {}, [] and comments nest); nullopt for other lines (exits, signals, unfinished calls).
std::optional<Call> parse_strace_line(const std::string &line) {
  size_t p = line.find(' ');
  if (p == std::string::npos) return std::nullopt;
  p = line.find_first_not_of(' ', p);
  size_t open = line.find('(', p);
  if (p == std::string::npos || open == std::string::npos) return std::nullopt;
  Call call{line.substr(p, open - p), {}, line};
  if (call.name.empty() ||
      call.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
    return std::nullopt;
  std::string cur;
  int depth = 0;
  bool in_string = false, in_comment = false;
  for (size_t i = open + 1; i < line.size(); ++i) {
    char c = line[i];
    if (in_string) {
      cur += c;
      if (c == '\\' && i + 1 < line.size())
        cur += line[++i];
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (in_comment) {
      cur += c;
      if (c == '/' && cur.size() >= 2 && cur[cur.size() - 2] == '*') in_comment = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') {
      in_comment = true;
    } else if (c == '(' || c == '{' || c == '[') {
      ++depth;
    } else if (c == ')' && depth == 0) {
      if (!trim(cur).empty() || !call.args.empty()) call.args.push_back(trim(cur));
      return call;
    } else if (c == ')' || c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      call.args.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  return std::nullopt;
}

std::string quoted(const std::string &plain) { return "\"" + plain + "\""; }

// The calls between the program's begin and end markers (faccessat of DIR/capture-calls-*).
std::vector<Call> between_markers(const std::vector<Call> &calls, const std::string &dir) {
  auto marker = [&](const Call &c, const char *which) {
    return c.name == "faccessat" && c.args.size() > 1 &&
           c.args[1] == quoted(dir + "/capture-calls-" + which);
  };
  std::vector<Call> out;
  bool in = false;
  for (const auto &c : calls) {
    if (marker(c, "end")) return out;
    if (in) out.push_back(c);
    if (marker(c, "begin")) in = true;
  }
  FAIL("the markers are missing: the program did not run to its end");
  return out;
}

std::vector<Call> strace_calls(const std::string &text) {
  std::vector<Call> calls;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (auto c = parse_strace_line(line)) calls.push_back(*c);
  return calls;
}

std::vector<Call> syscope_calls(const std::string &json_lines) {
  std::vector<Call> calls;
  std::istringstream lines(json_lines);
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.value("type", "") != "syscall" || !j["decoded_args"].is_array()) continue;
    Call c{j["syscall"], j["decoded_args"].get<std::vector<std::string>>(), j.value("call", ""),
           j.value("data_lost", false)};
    calls.push_back(std::move(c));
  }
  return calls;
}

bool is_address(const std::string &v) { return std::regex_match(v, std::regex("0x[0-9a-f]+")); }

// strace's sockaddr in syscope's form ("sockaddr form"); other values as they are.
std::string from_strace(const std::string &v) {
  static const std::regex unix_path(R"re(\{sa_family=AF_UNIX, sun_path=(@?"(?:[^"\\]|\\.)*")\})re");
  static const std::regex in4(
      R"re(\{sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([0-9.]+)"\)\})re");
  static const std::regex in6(
      R"re(\{sa_family=AF_INET6, sin6_port=htons\((\d+)\), sin6_flowinfo=htonl\(0\), )re"
      R"re(inet_pton\(AF_INET6, "([0-9a-f:.]+)", &sin6_addr\), sin6_scope_id=0\})re");
  std::smatch m;
  if (v == "{sa_family=AF_UNIX}") return "{AF_UNIX}";
  if (std::regex_match(v, m, unix_path)) return "{AF_UNIX, " + m[1].str() + "}";
  if (std::regex_match(v, m, in4)) return "{AF_INET, " + m[2].str() + ":" + m[1].str() + "}";
  if (std::regex_match(v, m, in6)) return "{AF_INET6, [" + m[2].str() + "]:" + m[1].str() + "}";
  return v;
}

// Whether one argument reads the same ("addresses", "truncation").
bool same_value(const std::string &strace, const std::string &syscope) {
  if (is_address(strace) && is_address(syscope)) return true;
  std::string want = from_strace(strace);
  if (syscope.size() > 4 && syscope.compare(syscope.size() - 4, 4, "\"...") == 0) {
    std::string prefix = syscope.substr(0, syscope.size() - 4);
    return want.size() > prefix.size() && want.compare(0, prefix.size(), prefix) == 0;
  }
  return want == syscope;
}

bool shows_data(const std::string &strace_arg) {
  return !strace_arg.empty() && (strace_arg[0] == '"' || strace_arg.rfind("{sa_family=", 0) == 0);
}

// Calls of the capture plan on `scmp_arch`, found as the kernel side's plan is (every number,
// libseccomp's name for it, the signature table).
std::set<std::string> plan_calls(uint32_t scmp_arch) {
  std::set<std::string> names;
  for (int nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) {
    auto name = syscope::seccomp::syscall_name(scmp_arch, nr);
    const auto *sig = name ? syscope::syscalls::signature(*name) : nullptr;
    auto plan = sig ? syscope::syscalls::capture_plan(*sig) : std::nullopt;
    if (plan && plan->nslots > 0) names.insert(*name);
  }
  return names;
}

// PORT..PORT+4, free on loopback for TCP and UDP, IPv4 and IPv6, below the ephemeral range.
int free_ports() {
  std::mt19937 rng(std::random_device{}());
  for (int attempt = 0; attempt < 50; ++attempt) {
    int base = 20000 + static_cast<int>(rng() % 10000);
    bool ok = true;
    for (int i = 0; i < 5 && ok; ++i)
      for (int family : {AF_INET, AF_INET6})
        for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
          int fd = socket(family, type | SOCK_CLOEXEC, 0);
          if (fd < 0) continue;  // no IPv6 here: the program's calls then fail the same way
          sockaddr_in6 a6{};
          sockaddr_in a4{};
          int r;
          if (family == AF_INET) {
            a4.sin_family = AF_INET;
            a4.sin_port = htons(base + i);
            a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            r = bind(fd, reinterpret_cast<sockaddr *>(&a4), sizeof a4);
          } else {
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons(base + i);
            a6.sin6_addr = in6addr_loopback;
            r = bind(fd, reinterpret_cast<sockaddr *>(&a6), sizeof a6);
          }
          close(fd);
          ok = ok && (r == 0 || errno == EADDRNOTAVAIL);
        }
    if (ok) return base;
  }
  FAIL("no five free loopback ports");
  return 0;
}

// Runs `prog` under strace and under syscope trace on the same empty directory and compares.
void compare_with_strace(const std::string &prog, uint32_t scmp_arch) {
  REQUIRE(access(kStrace, X_OK) == 0);  // scripts/install-deps installs Debian's strace
  TempDir tmp;
  fs::path work = tmp / "w";
  fs::create_directory(work);
  std::string dir = work.string(), port = std::to_string(free_ports());
  // Only if the program died between its mount and umount: leave no mount behind.
  auto unmount = [&] { umount2((work / "m").c_str(), MNT_DETACH); };
  auto straced = run({kStrace, "-f", "-s", "4096", "-o", (tmp / "calls.strace").string(),
                      test_prog(prog), dir, port});
  unmount();
  INFO(straced.err);
  REQUIRE(straced.status == 0);
  REQUIRE(fs::is_empty(work));  // cleaned up: the second run makes the very same calls
  auto traced = run({syscope_bin(), "trace", "-o", (tmp / "calls.trace").string(), "--",
                     test_prog(prog), dir, port});
  unmount();
  INFO(traced.err);
  REQUIRE(traced.status == 0);
  REQUIRE(fs::is_empty(work));
  auto shown = run({syscope_bin(), "trace", "show", "--json", (tmp / "calls.trace").string()});
  REQUIRE(shown.status == 0);

  auto reference = between_markers(strace_calls(read_file(tmp / "calls.strace")), dir);
  auto ours = between_markers(syscope_calls(shown.out), dir);
  std::map<std::string, std::vector<const Call *>> by_name_strace, by_name_ours;
  for (const auto &c : reference)
    if (c.name.rfind("syscall_0x", 0) != 0) by_name_strace[c.name].push_back(&c);
  for (const auto &c : ours) by_name_ours[c.name].push_back(&c);

  std::vector<std::string> mismatches;
  // Every read succeeded, at entry or at its retry at exit (the untouched pages step).
  for (const auto &c : ours)
    if (c.data_lost) mismatches.push_back("an argument was lost: " + c.line);
  std::set<std::string> compared;  // calls whose string or sockaddr arguments were compared
  for (const auto &[name, calls] : by_name_ours) {
    auto unknown = kStraceUnknown.find(name);
    if (unknown == kStraceUnknown.end()) continue;
    for (const Call *c : calls) {
      auto [arg, rel] = unknown->second;
      if (c->args.size() <= arg || c->args[arg] != quoted(dir + "/" + rel))
        mismatches.push_back(name + ": expected " + quoted(dir + "/" + rel) + " in argument " +
                             std::to_string(arg) + ": " + c->line);
    }
    compared.insert(name);
  }
  std::set<std::string> names;
  for (const auto &[name, calls] : by_name_strace) names.insert(name);
  for (const auto &[name, calls] : by_name_ours)
    if (!kStraceUnknown.count(name)) names.insert(name);
  for (const auto &name : names) {
    const auto &theirs = by_name_strace[name];
    const auto &mine = by_name_ours[name];
    if (theirs.size() != mine.size()) {
      mismatches.push_back(name + ": strace saw " + std::to_string(theirs.size()) +
                           " calls, syscope " + std::to_string(mine.size()));
      continue;
    }
    const auto *sig = syscope::syscalls::signature(name);
    for (size_t k = 0; k < theirs.size(); ++k) {
      const Call &t = *theirs[k], &o = *mine[k];
      // The captured arguments, and any other strace shows a string or sockaddr in.
      std::set<size_t> slots;
      for (size_t i = 0; sig && i < sig->arity; ++i)
        if (syscope::syscalls::is_captured(sig->args[i].kind)) slots.insert(i);
      for (size_t i = 0; i < t.args.size(); ++i) {
        bool buffer = sig && i < sig->arity && sig->args[i].kind == ArgKind::buffer;
        if (shows_data(t.args[i]) && !buffer) slots.insert(i);
      }
      for (size_t i : slots) {
        compared.insert(name);
        if (i >= t.args.size() || i >= o.args.size()) {
          mismatches.push_back(name + ": no argument " + std::to_string(i) +
                               "\n  strace:  " + t.line + "\n  syscope: " + o.line);
        } else if (!same_value(t.args[i], o.args[i])) {
          mismatches.push_back(name + " argument " + std::to_string(i) + ": strace " + t.args[i] +
                               ", syscope " + o.args[i] + "\n  strace:  " + t.line +
                               "\n  syscope: " + o.line);
        }
      }
    }
  }
  std::string report;
  for (const auto &m : mismatches) report += m + "\n";
  for (const auto &d : kDifferences) report += std::string("(known difference: ") + d.name + ")\n";
  INFO(report);
  CHECK(mismatches.empty());
  // Every call of the plan was made and compared.
  std::vector<std::string> missing;
  for (const auto &name : plan_calls(scmp_arch))
    if (!compared.count(name)) missing.push_back(name);
  INFO("capture plan calls capture_calls did not make: " + nlohmann::json(missing).dump());
  CHECK(missing.empty());
}

}  // namespace

TEST_CASE("trace agrees with strace on every captured string and sockaddr", "[trace][strace]") {
  compare_with_strace("capture_calls", SCMP_ARCH_X86_64);
}

TEST_CASE("trace agrees with strace on 32-bit calls too", "[trace][strace][m32]") {
  if (!SYSCOPE_HAVE_M32) {
    WARN("gcc -m32 does not work here (install gcc-multilib): no 32-bit test program");
    return;
  }
  compare_with_strace("capture_calls_m32", SCMP_ARCH_X86);
}
