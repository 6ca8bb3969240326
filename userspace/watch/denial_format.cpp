// SPDX-License-Identifier: Apache-2.0
// One denial as a line for people and as a JSON object, with the reason Docker's default
// profile (evaluated for this host) refuses the call.
#include <signal.h>
#include <string.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "syscope/base/clock.hpp"
#include "syscope/base/text.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/watch/watch_report.hpp"

namespace syscope::watch {
namespace {

constexpr const char *kOwnProfile =
    "Docker's default allows it: refused by this process's own profile";

bool condition_holds(const seccomp::ArgCondition &c, uint64_t arg) {
  switch (c.op) {
    case seccomp::Op::eq: return arg == c.value;
    case seccomp::Op::ne: return arg != c.value;
    case seccomp::Op::lt: return arg < c.value;
    case seccomp::Op::le: return arg <= c.value;
    case seccomp::Op::ge: return arg >= c.value;
    case seccomp::Op::gt: return arg > c.value;
    case seccomp::Op::masked_eq: return (arg & c.value) == c.value_two;
  }
  return false;
}

std::string value_text(const std::string &name, unsigned index, uint64_t v) {
  if (auto s = syscalls::decode_arg(name, index, v)) return *s;
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// "arg0 is PER_LINUX, PER_LINUX32 or 0xffffffff" / "arg0 has none of CLONE_NEWNS|...".
std::string describe_rules(const std::string &name,
                           const std::vector<seccomp::SyscallRule> &rules) {
  // The common shape, one EQ condition per rule on the same index, reads best as a list.
  bool list = !rules.empty();
  for (const auto &r : rules)
    list = list && r.args.size() == 1 && r.args[0].op == seccomp::Op::eq &&
           r.args[0].index == rules[0].args[0].index;
  if (list) {
    unsigned index = rules[0].args[0].index;
    std::string out = "for arg" + std::to_string(index) + " ";
    for (size_t i = 0; i < rules.size(); ++i) {
      if (i) out += i + 1 == rules.size() ? " or " : ", ";
      out += value_text(name, index, rules[i].args[0].value);
    }
    return out;
  }
  std::string out;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (i) out += "; or ";
    out += "when ";
    for (size_t j = 0; j < rules[i].args.size(); ++j) {
      const auto &c = rules[i].args[j];
      std::string arg = "arg" + std::to_string(c.index);
      if (j) out += " and ";
      if (c.op == seccomp::Op::masked_eq && c.value_two == 0)
        out += arg + " has none of " + value_text(name, c.index, c.value);
      else if (c.op == seccomp::Op::eq)
        out += arg + " is " + value_text(name, c.index, c.value);
      else
        out += arg + " " + seccomp::op_name(c.op) + " " + value_text(name, c.index, c.value);
    }
  }
  return out;
}

}  // namespace

std::string who(const Denial &d) {
  if (!d.container) return "host";
  const ContainerLabel &c = *d.container;
  return container::container_label(c.name, c.id, c.image, d.cgroup_id, true);
}

std::string who_short(const Denial &d) {
  if (!d.container) return "host";
  const ContainerLabel &c = *d.container;
  return container::container_label(c.name, c.id, c.image, d.cgroup_id, false);
}

std::string denial_reason(const Denial &d) {
  if (d.nr < 0) return "the kernel did not say which call was refused";
  const auto &docker = seccomp::DockerDefault::for_this_host();
  std::string name = syscalls::call_name(d.arch, d.nr);
  // DockerDefault knows the native arch's names; an i386-only call (socketcall, mmap2, ...)
  // is judged by its reason alone.
  bool native_name = seccomp::syscall_number(seccomp::native_scmp_arch(), name).has_value();
  if (!native_name && d.arch == SYSCOPE_ARCH_COMPAT)
    return docker.refusal_reason(name).value_or("refused by this process's own profile");
  if (!docker.allows(name))
    return docker.refusal_reason(name).value_or("not in Docker's default allow list");
  if (docker.allows_by_argument(name)) {
    auto rules = docker.argument_rules(name);
    bool allowed = false;
    for (const auto &rule : rules) {
      bool all = true;
      for (const auto &c : rule.args)
        all = all && c.index < d.args.size() && condition_holds(c, d.args[c.index]);
      allowed = allowed || all;
    }
    if (!allowed) {
      std::string only = "Docker's default allows " + name + " only " + describe_rules(name, rules);
      if (auto reason = docker.refusal_reason(name)) return *reason + " (" + only + ")";
      return only;
    }
  }
  return kOwnProfile;
}

std::string format_text(const Denial &d, const TextOptions &opt) {
  std::string line =
      clock_time(d.wall_time_ns, opt.utc) + " " + who(d) + " pid " + std::to_string(d.pid);
  if (d.tid != 0 && d.tid != d.pid) line += " tid " + std::to_string(d.tid);
  // comm is whatever the task set (prctl PR_SET_NAME): escaped, so the line stays one line.
  line += " " + printable(d.comm) + ": ";
  if (d.arch == SYSCOPE_ARCH_COMPAT) line += "[i386] ";
  line += d.nr < 0 ? std::string("unknown syscall")
                   : syscalls::format_call(syscalls::call_name(d.arch, d.nr), d.args);
  switch (d.action) {
    case SYSCOPE_ACTION_ERRNO: line += " = -" + syscalls::errno_name(d.err); break;
    case SYSCOPE_ACTION_TRAP:
      line += " -> " + syscalls::signal_name(d.err) + " (SECCOMP_RET_TRAP)";
      break;
    case SYSCOPE_ACTION_KILL_PROCESS:
      line += " killed by " + syscalls::signal_name(d.err) + " (SECCOMP_RET_KILL_PROCESS)";
      break;
    case SYSCOPE_ACTION_KILL_THREAD:
      // Another thread than the last one dies without a signal.
      line += d.err ? " killed by " + syscalls::signal_name(d.err) + " (SECCOMP_RET_KILL_THREAD)"
                    : std::string(" thread killed (SECCOMP_RET_KILL_THREAD)");
      break;
    default: line += " refused (" + syscalls::action_name(d.action) + ")"; break;
  }
  line += "  blocked: " + denial_reason(d);
  if (d.traced) line += "  (a ptrace tracer is attached: it may have skipped this call)";
  return line;
}

nlohmann::ordered_json to_json(const Denial &d) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["type"] = "denial";
  j["time"] = rfc3339_time(d.wall_time_ns);
  j["cgroup_id"] = d.cgroup_id;
  j["pid"] = d.pid;
  j["tid"] = d.tid;
  j["comm"] = d.comm;
  std::string name = syscalls::call_name(d.arch, d.nr);
  j["syscall"] = d.nr < 0 ? ordered_json(nullptr) : ordered_json(name);
  j["nr"] = d.nr;
  j["arch"] = syscalls::arch_label(d.arch);
  j["args"] = d.args;
  auto decoded = d.nr < 0 ? std::nullopt : syscalls::decode_args(name, d.args);
  j["decoded_args"] = decoded ? ordered_json(*decoded) : ordered_json(nullptr);
  j["action"] = syscalls::action_name(d.action);
  bool is_errno = d.action == SYSCOPE_ACTION_ERRNO;
  bool has_signal = !is_errno && d.err != 0;
  j["errno"] = is_errno ? ordered_json(d.err) : ordered_json(nullptr);
  j["errno_name"] = is_errno ? ordered_json(syscalls::errno_name(d.err)) : ordered_json(nullptr);
  j["signal"] = has_signal ? ordered_json(d.err) : ordered_json(nullptr);
  j["signal_name"] =
      has_signal ? ordered_json(syscalls::signal_name(d.err)) : ordered_json(nullptr);
  j["traced"] = d.traced;
  if (d.container) {
    ordered_json c;
    c["runtime"] = d.container->runtime;
    c["id"] = d.container->id;
    c["name"] = d.container->name;
    c["image"] = d.container->image;
    j["container"] = std::move(c);
  } else {
    j["container"] = nullptr;
  }
  j["reason"] = denial_reason(d);
  return j;
}

std::string format_json(const Denial &d) {
  // comm comes from the task and need not be UTF-8; dump() would throw on it.
  return to_json(d).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace syscope::watch
