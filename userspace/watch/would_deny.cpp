// SPDX-License-Identifier: Apache-2.0
// The plan and the judging of a dry-run. The compiled filter is the authority: the kernel plan
// only says which calls can skip it (a name every applicable rule allows outright, checked
// against the filter too) and which argument values tell the other calls apart.
#include "syscope/watch/would_deny.hpp"

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/utsname.h>

#include <stdexcept>

#include "syscope/base/error.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/seccomp/filter_interpreter.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/signatures.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::watch {
namespace {

// What the rules that apply say about one syscall number.
struct NameRules {
  bool named = false;            // some applicable rule names it
  bool only_plain_allow = true;  // each of them is an ALLOW without args
  uint8_t tested = 0;            // argument indices their conditions test
};

seccomp_data data_of(uint32_t arch, int32_t nr, const std::array<uint64_t, 6> &args) {
  seccomp_data d{};
  d.nr = nr;
  d.arch = seccomp::scmp_arch_for(arch);  // libseccomp's tokens are the AUDIT_ARCH_* values
  for (int i = 0; i < 6; ++i) d.args[i] = args[i];
  return d;
}

bool allows(uint32_t ret) {
  uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
  return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;  // LOG allows, after logging
}

seccomp::SyscallRule rule_to_add(const std::string &name, uint8_t tested,
                                 const std::array<uint64_t, 6> &args) {
  seccomp::SyscallRule rule;
  rule.names = {name};
  rule.action = seccomp::Action::allow;
  const syscalls::Signature *sig = syscalls::signature(name);
  for (unsigned i = 0; i < 6; ++i) {
    if (!(tested >> i & 1)) continue;
    seccomp::ArgCondition c;
    c.index = i;
    if (sig && i < sig->arity && syscalls::is_32bit(sig->args[i])) {  // masked: sign extension
      c.op = seccomp::Op::masked_eq;
      c.value = 0xffffffff;
      c.value_two = args[i] & 0xffffffff;
    } else {
      c.op = seccomp::Op::eq;
      c.value = args[i];
    }
    rule.args.push_back(c);
  }
  return rule;
}

std::string who_of(const WouldDeny &w) {
  if (!w.container) return "cgroup " + std::to_string(w.call.cgroup_id);
  const ContainerLabel &c = *w.container;
  return container::container_label(c.name, c.id, c.image, w.call.cgroup_id, true);
}

std::string who_short_of(const WouldDeny &w) {
  if (!w.container) return "cgroup " + std::to_string(w.call.cgroup_id);
  const ContainerLabel &c = *w.container;
  return container::container_label(c.name, c.id, c.image, w.call.cgroup_id, false);
}

}  // namespace

std::string verdict_text(uint32_t ret) {
  uint32_t data = ret & SECCOMP_RET_DATA;
  switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS: return "KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD: return "KILL_THREAD";
    case SECCOMP_RET_TRAP: return "TRAP";
    case SECCOMP_RET_ERRNO: return "ERRNO(" + syscalls::errno_name(data) + ")";
    case SECCOMP_RET_USER_NOTIF: return "USER_NOTIF";
    case SECCOMP_RET_TRACE: return "TRACE(" + std::to_string(data) + ")";
    case SECCOMP_RET_LOG: return "LOG";
    case SECCOMP_RET_ALLOW: return "ALLOW";
  }
  return "action " + std::to_string(ret);
}

WouldDenyJudge::WouldDenyJudge(const seccomp::Profile &candidate, const seccomp::HostFacts &host)
    : filter_(seccomp::compile_profile(candidate, {.runc_enosys = true}, host)) {
  auto program = seccomp::as_program(filter_.bpf);
  if (auto why = seccomp::validate_filter(program))
    throw Error(Exit::environment, "libseccomp compiled the candidate into a filter seccomp "
                                   "would refuse: " +
                                       *why);
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch) {
    uint32_t scmp_arch = seccomp::scmp_arch_for(arch);
    std::array<NameRules, SYSCOPE_SYSCALL_BITS> rules{};
    for (const auto &rule : candidate.syscalls) {
      if (seccomp::rule_ruled_out(rule, host)) continue;
      for (const auto &name : rule.names) {
        auto nr = seccomp::syscall_number(scmp_arch, name);
        if (!nr || *nr < 0 || *nr >= SYSCOPE_SYSCALL_BITS) continue;
        NameRules &r = rules[*nr];
        r.named = true;
        if (rule.action != seccomp::Action::allow || !rule.args.empty()) r.only_plain_allow = false;
        for (const auto &c : rule.args)
          if (c.index < 6) r.tested |= static_cast<uint8_t>(1u << c.index);
      }
    }
    for (uint32_t nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) {
      const NameRules &r = rules[nr];
      bool outright =
          r.named ? r.only_plain_allow : candidate.default_action == seccomp::Action::allow;
      // The filter has the last word (an arch it does not hold, the ENOSYS stub, ...).
      if (outright && allows(seccomp::run_filter(program, data_of(arch, nr, {}))))
        plan_.allow(arch, nr);
      else
        for (unsigned i = 0; i < 6; ++i)
          if (r.tested >> i & 1) plan_.test_arg(arch, nr, i);
    }
  }
}

std::optional<WouldDeny> WouldDenyJudge::judge(const bpf::DryRunCall &call) const {
  if (call.nr < 0) return std::nullopt;
  uint32_t ret =
      seccomp::run_filter(seccomp::as_program(filter_.bpf), data_of(call.arch, call.nr, call.args));
  if (allows(ret)) return std::nullopt;
  WouldDeny w;
  w.call = call;
  w.syscall = syscalls::call_name(call.arch, call.nr);
  w.call_text = syscalls::format_call(w.syscall, call.args);
  w.verdict = ret;
  w.verdict_text = verdict_text(ret);
  w.rule = rule_to_add(w.syscall, plan_.tested_args(call.arch, static_cast<uint32_t>(call.nr)),
                       call.args);
  return w;
}

std::string format_text(const WouldDeny &w) {
  return "would deny: " + who_of(w) + " " + w.call.comm + "[" + std::to_string(w.call.pid) + "] " +
         w.call_text + " -> " + w.verdict_text + "; add: " + seccomp::rule_json(w.rule).dump();
}

nlohmann::ordered_json to_json(const WouldDeny &w) {
  nlohmann::ordered_json j;
  j["type"] = "would_deny";
  j["cgroup_id"] = w.call.cgroup_id;
  j["container"] = nullptr;
  if (w.container)
    j["container"] = {{"name", w.container->name},
                      {"id", w.container->id},
                      {"image", w.container->image},
                      {"runtime", w.container->runtime}};
  j["pid"] = w.call.pid;
  j["tid"] = w.call.tid;
  j["comm"] = w.call.comm;
  j["syscall"] = w.syscall;
  j["nr"] = w.call.nr;
  j["arch"] = syscalls::arch_label(w.call.arch);
  j["args"] = w.call.args;
  j["call"] = w.call_text;
  j["verdict"] = w.verdict_text;
  j["rule"] = seccomp::rule_json(w.rule);
  return j;
}

std::string format_json(const WouldDeny &w) { return to_json(w).dump(); }

void WouldDenySummary::add(const WouldDeny &w) { add(who_short_of(w), w.syscall, w.verdict_text); }

void WouldDenySummary::add(const std::string &who, const std::string &syscall,
                           const std::string &verdict) {
  Row &row = rows_[{who, syscall, verdict}];
  row.who = who;
  row.syscall = syscall;
  row.verdict = verdict;
  ++row.count;
  ++total_;
}

std::string WouldDenySummary::text(const std::string &losses) const {
  size_t wide[3] = {9, 7, 7};  // CONTAINER, SYSCALL, VERDICT
  for (const auto &[key, row] : rows_) {
    wide[0] = std::max(wide[0], row.who.size());
    wide[1] = std::max(wide[1], row.syscall.size());
    wide[2] = std::max(wide[2], row.verdict.size());
  }
  auto pad = [](const std::string &s, size_t n) { return s + std::string(n - s.size() + 2, ' '); };
  std::string out;
  if (!rows_.empty()) {
    out += pad("CONTAINER", wide[0]) + pad("SYSCALL", wide[1]) + pad("VERDICT", wide[2]) +
           "DISTINCT\n";
    for (const auto &[key, row] : rows_)
      out += pad(row.who, wide[0]) + pad(row.syscall, wide[1]) + pad(row.verdict, wide[2]) +
             std::to_string(row.count) + "\n";
  }
  out += std::to_string(total_) + (total_ == 1 ? " distinct call" : " distinct calls") +
         " would be denied by the candidate";
  if (!losses.empty()) out += "; kernel counted losses: " + losses;
  return out + "\n";
}

nlohmann::ordered_json WouldDenySummary::json(const nlohmann::json &losses) const {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto &[key, row] : rows_)
    rows.push_back({{"container", row.who},
                    {"syscall", row.syscall},
                    {"verdict", row.verdict},
                    {"distinct", row.count}});
  return {{"type", "summary"}, {"would_deny", total_}, {"rows", rows}, {"losses", losses}};
}

}  // namespace syscope::watch
