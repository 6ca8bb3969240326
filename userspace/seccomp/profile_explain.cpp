// SPDX-License-Identifier: Apache-2.0
// profile explain: the profile's ALLOW rules on this host's arch, against Docker's default
// (docker_default.hpp) and its reasons; argument conditions in words from the signature table.
#include "syscope/seccomp/profile_explain.hpp"

#include <algorithm>
#include <map>

#include "syscope/base/text.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/signatures.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::seccomp {
namespace {

bool allows(Action a) { return a == Action::allow || a == Action::log; }

std::string op_symbol(Op op) {
  switch (op) {
    case Op::ne: return "!=";
    case Op::lt: return "<";
    case Op::le: return "<=";
    case Op::eq: return "==";
    case Op::ge: return ">=";
    case Op::gt: return ">";
    case Op::masked_eq: return "==";
  }
  return "?";
}

// "AF_UNIX (1)"; the bare number when the decoder has no name for it.
std::string value_text(const std::string &name, unsigned index, uint64_t v) {
  std::string number = std::to_string(v);
  auto decoded = syscalls::decode_arg(name, index, v);
  if (!decoded || *decoded == number || *decoded == hex(v)) return number;
  return *decoded + " (" + number + ")";
}

std::string conditions_text(const std::string &name, const std::vector<ArgCondition> &args) {
  std::string out;
  for (const auto &c : args) out += (out.empty() ? "" : " and ") + condition_text(name, c);
  return out;
}

}  // namespace

std::string condition_text(const std::string &name, const ArgCondition &cond) {
  std::string arg = "arg" + std::to_string(cond.index);
  if (const auto *sig = syscalls::signature(name); sig && cond.index < sig->arity)
    if (auto role = syscalls::arg_role(sig->args[cond.index]); !role.empty())
      arg += " (" + std::string(role) + ")";
  if (cond.op == Op::masked_eq)
    return arg + " & " + hex(cond.value) +
           " == " + (cond.value_two == 0 ? "0" : value_text(name, cond.index, cond.value_two));
  bool named = cond.op == Op::eq || cond.op == Op::ne;
  return arg + " " + op_symbol(cond.op) + " " +
         (named ? value_text(name, cond.index, cond.value) : std::to_string(cond.value));
}

Explanation explain_profile(const Profile &profile) {
  const DockerDefault &docker = DockerDefault::for_this_host();
  uint32_t native = native_scmp_arch();
  // includes/excludes judged as for a container with Docker's default capabilities, as the
  // default itself is: the two are compared on the same terms.
  HostFacts host = docker_default_container_host();
  auto applies = [&host](const SyscallRule &rule) { return !rule_ruled_out(rule, host); };
  Explanation e;
  e.default_action = action_name(profile.default_action);
  e.default_allowed = docker.allowed_count();

  std::map<std::string, bool> allowed;  // name -> allowed outright
  for (const auto &rule : profile.syscalls) {
    if (!allows(rule.action) || !applies(rule)) continue;
    for (const auto &name : rule.names) {
      if (!syscall_number(native, name)) continue;  // not a call of this arch
      allowed[name] = allowed[name] || rule.args.empty();
    }
  }
  for (const auto &rule : profile.syscalls) {
    if (!allows(rule.action) || rule.args.empty() || !applies(rule)) continue;
    // runc's OR trap: each condition is a rule of its own, so each is one way in.
    std::vector<std::vector<ArgCondition>> ways;
    if (index_repeats(rule.args))
      for (const auto &c : rule.args) ways.push_back({c});
    else
      ways.push_back(rule.args);
    for (const auto &name : rule.names) {
      auto it = allowed.find(name);
      if (it == allowed.end() || it->second) continue;  // allowed outright anyway
      std::vector<std::string> docker_rules;
      for (const auto &r : docker.argument_rules(name))
        docker_rules.push_back(conditions_text(name, r.args));
      bool outright = docker.allows(name) && !docker.allows_by_argument(name);
      for (const auto &way : ways) {
        Explanation::ArgumentAllow a{name, {}, docker_rules, outright};
        for (const auto &c : way) a.conditions.push_back(condition_text(name, c));
        e.argument_allows.push_back(std::move(a));
      }
    }
  }
  for (const auto &[name, outright] : allowed) {
    ++e.allowed;
    outright ? ++e.allowed_outright : ++e.allowed_by_argument;
    if (docker.allows(name)) {
      ++e.shared;
      if (outright && docker.allows_by_argument(name))
        e.beyond_default.push_back({name,
                                    "Docker's default allows it only for some argument "
                                    "values, this profile for any",
                                    false});
      continue;
    }
    e.beyond_default.push_back(
        {name, docker.refusal_reason(name).value_or("not in its allow list"), !outright});
  }
  if (!profile.arch_map.empty()) {
    for (const auto &m : profile.arch_map)
      e.architectures.push_back({m.architecture, m.sub_architectures});
  } else {
    for (const auto &a : profile.architectures) e.architectures.push_back({a, {}});
  }
  return e;
}

std::string explanation_text(const std::string &origin, const Explanation &e) {
  std::string out = printable(origin) + ": defaultAction " + e.default_action + "; allows " +
                    std::to_string(e.allowed) + " syscalls (" + std::to_string(e.allowed_outright) +
                    " for any arguments, " + std::to_string(e.allowed_by_argument) +
                    " only for some); Docker's default allows " +
                    std::to_string(e.default_allowed) + ", " + std::to_string(e.shared) +
                    " of them allowed here too\n";
  if (e.default_action == "SCMP_ACT_ALLOW" || e.default_action == "SCMP_ACT_LOG")
    out += "  the defaultAction allows every call no rule refuses: the counts are of the ALLOW "
           "rules only\n";
  if (!e.beyond_default.empty()) {
    out += "Allowed beyond Docker's default:\n";
    for (const auto &b : e.beyond_default)
      out += "  " + b.name + (b.by_argument ? " (for some arguments)" : "") + ": " +
             printable(b.reason) + "\n";
  }
  if (!e.argument_allows.empty()) {
    out += "Allowed only for some argument values:\n";
    for (const auto &a : e.argument_allows) {
      out += "  " + a.name + ": ";
      for (size_t i = 0; i < a.conditions.size(); ++i) out += (i ? " and " : "") + a.conditions[i];
      out += "\n    Docker's default: ";
      if (a.docker_allows_outright)
        out += "any arguments";
      else if (a.docker_default.empty())
        out += "refused";
      else
        for (size_t i = 0; i < a.docker_default.size(); ++i)
          out += (i ? "; or " : "") + a.docker_default[i];
      out += "\n";
    }
  }
  out += "Architectures: ";
  if (e.architectures.empty()) out += "the host's own only (none listed)";
  for (size_t i = 0; i < e.architectures.size(); ++i) {
    const auto &a = e.architectures[i];
    out += (i ? ", " : "") + printable(a.architecture);
    if (!a.sub_architectures.empty()) {
      std::string subs;
      for (const auto &s : a.sub_architectures) subs += (subs.empty() ? "" : ", ") + s;
      out += " (with " + printable(subs) + ")";
    }
  }
  return out + "\n";
}

nlohmann::ordered_json explanation_json(const std::string &origin, const Explanation &e) {
  using oj = nlohmann::ordered_json;
  oj beyond = oj::array(), args = oj::array(), arches = oj::array();
  for (const auto &b : e.beyond_default)
    beyond.push_back({{"name", b.name}, {"reason", b.reason}, {"by_argument", b.by_argument}});
  for (const auto &a : e.argument_allows)
    args.push_back(
        {{"name", a.name},
         {"conditions", a.conditions},
         {"docker_default", a.docker_allows_outright ? oj("any") : oj(a.docker_default)}});
  for (const auto &a : e.architectures)
    arches.push_back(
        {{"architecture", a.architecture}, {"sub_architectures", a.sub_architectures}});
  return {{"file", origin},
          {"default_action", e.default_action},
          {"allowed", e.allowed},
          {"allowed_outright", e.allowed_outright},
          {"allowed_by_argument", e.allowed_by_argument},
          {"docker_default_allowed", e.default_allowed},
          {"shared_with_docker_default", e.shared},
          {"beyond_docker_default", beyond},
          {"argument_rules", args},
          {"architectures", arches}};
}

}  // namespace syscope::seccomp
