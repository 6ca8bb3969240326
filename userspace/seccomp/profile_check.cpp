// SPDX-License-Identifier: Apache-2.0
// profile check: the profile as runc and libseccomp 2.5 really compile it. Facts measured with
// libseccomp 2.5.4 (tests/unit/profile_check_test.cpp holds them): two rules without conditions
// for one call and different actions: the first wins, the second is ignored without an error;
// with the same conditions: seccomp_rule_add fails with EEXIST, so runc cannot load the profile;
// an unconditional rule takes the call whatever conditional rules say; one rule given two
// conditions on one index: EINVAL (so runc splits such an entry, the OR trap). An entry thus
// holds at most 6 ANDed conditions (indexes 0-5; a bad index is a compile error). Neither runc
// nor libseccomp limits the number of names or rules (a 400-name rule compiles): the limit is
// the kernel's 4096 instructions, which the compile step and filter_size_warning report.
#include "syscope/seccomp/profile_check.hpp"

#include <seccomp.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <set>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"
#include "syscope/syscalls/signatures.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::seccomp {
namespace {

using Severity = Finding::Severity;

// Every architecture libseccomp knows, by its token; names as seccomp.h spells them, so a
// message can name an arch syscall_names' short list lacks.
struct ArchToken {
  uint32_t token;
  const char *name;
};
#define SYSCOPE_ARCH(a)                                                                            \
  ArchToken { a, #a }
constexpr ArchToken kAllArches[] = {
    SYSCOPE_ARCH(SCMP_ARCH_X86),         SYSCOPE_ARCH(SCMP_ARCH_X86_64),
    SYSCOPE_ARCH(SCMP_ARCH_X32),         SYSCOPE_ARCH(SCMP_ARCH_ARM),
    SYSCOPE_ARCH(SCMP_ARCH_AARCH64),     SYSCOPE_ARCH(SCMP_ARCH_MIPS),
    SYSCOPE_ARCH(SCMP_ARCH_MIPS64),      SYSCOPE_ARCH(SCMP_ARCH_MIPS64N32),
    SYSCOPE_ARCH(SCMP_ARCH_MIPSEL),      SYSCOPE_ARCH(SCMP_ARCH_MIPSEL64),
    SYSCOPE_ARCH(SCMP_ARCH_MIPSEL64N32), SYSCOPE_ARCH(SCMP_ARCH_PPC),
    SYSCOPE_ARCH(SCMP_ARCH_PPC64),       SYSCOPE_ARCH(SCMP_ARCH_PPC64LE),
    SYSCOPE_ARCH(SCMP_ARCH_S390),        SYSCOPE_ARCH(SCMP_ARCH_S390X),
    SYSCOPE_ARCH(SCMP_ARCH_PARISC),      SYSCOPE_ARCH(SCMP_ARCH_PARISC64),
    SYSCOPE_ARCH(SCMP_ARCH_RISCV64),
};
#undef SYSCOPE_ARCH

std::string arch_label(uint32_t token) {
  for (const auto &a : kAllArches)
    if (a.token == token) return a.name;
  return "arch " + hex(token);
}

std::string join(const std::vector<std::string> &items, const char *sep = ", ") {
  std::string out;
  for (const auto &s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string rule_path(size_t i) { return "syscalls[" + std::to_string(i) + "]"; }

// The filters hosts build from the profile: one for "architectures" (or the native arch alone),
// one per archMap entry (Docker takes the native arch's entry with its sub-architectures).
struct ArchGroup {
  std::string label;             // "archMap[1] (SCMP_ARCH_AARCH64, SCMP_ARCH_ARM)"
  std::vector<uint32_t> arches;  // known arches only
  bool from_map = false;         // the first arch is the entry's, matched by includes.arches
};

class Checker {
 public:
  Checker(const Profile &p, const HostFacts &host) : p_(p), host_(host) {}

  std::vector<Finding> run() {
    arch_groups();
    for (size_t i = 0; i < p_.syscalls.size(); ++i) check_rule(i);
    rule_pairs();
    return std::move(out_);
  }

 private:
  void add(Severity s, std::string path, std::string message) {
    out_.push_back({s, std::move(path), printable(message)});
  }

  void arch_groups() {
    auto resolve = [&](const std::string &name, const std::string &path) {
      auto token = resolve_arch(name);
      if (!token)
        add(Severity::error, path,
            "\"" + name + "\" is no architecture libseccomp knows: runc refuses the profile");
      return token;
    };
    if (!p_.arch_map.empty()) {
      for (size_t i = 0; i < p_.arch_map.size(); ++i) {
        const auto &entry = p_.arch_map[i];
        std::string at = "archMap[" + std::to_string(i) + "]";
        ArchGroup g{at, {}, true};
        std::vector<std::string> names{entry.architecture};
        if (auto t = resolve(entry.architecture, at + ".architecture")) g.arches.push_back(*t);
        for (size_t j = 0; j < entry.sub_architectures.size(); ++j) {
          const auto &sub = entry.sub_architectures[j];
          names.push_back(sub);
          if (auto t = resolve(sub, at + ".subArchitectures[" + std::to_string(j) + "]"))
            g.arches.push_back(*t);
        }
        if (g.arches.empty() || resolve_arch(entry.architecture) != g.arches.front()) continue;
        g.label += " (" + join(names) + ")";
        groups_.push_back(std::move(g));
      }
      return;
    }
    ArchGroup g{"", {}, false};
    for (size_t i = 0; i < p_.architectures.size(); ++i)
      if (auto t = resolve(p_.architectures[i], "architectures[" + std::to_string(i) + "]"))
        g.arches.push_back(*t);
    listed_arches_ = !g.arches.empty();
    if (!listed_arches_) g.arches.push_back(host_.native_arch);
    std::vector<std::string> names;
    for (uint32_t t : g.arches) names.push_back(arch_label(t));
    g.label = join(names);
    groups_.push_back(std::move(g));
  }

  // Whether Docker keeps `rule` on a host of group `g`, by its arch clauses alone.
  bool arch_applies(const SyscallRule &rule, const ArchGroup &g) const {
    auto matches = [&](const std::vector<std::string> &names) {
      return std::any_of(names.begin(), names.end(), [&](const std::string &n) {
        auto t = resolve_arch(n);
        if (!t) return false;
        if (g.from_map) return *t == g.arches.front();
        return std::find(g.arches.begin(), g.arches.end(), *t) != g.arches.end();
      });
    };
    if (!rule.excludes.arches.empty() && matches(rule.excludes.arches)) {
      // A flat list is one filter for several hosts: excluded only if every arch is.
      if (g.from_map) return false;
      bool all = std::all_of(g.arches.begin(), g.arches.end(), [&](uint32_t t) {
        return std::any_of(rule.excludes.arches.begin(), rule.excludes.arches.end(),
                           [&](const std::string &n) { return resolve_arch(n) == t; });
      });
      if (all) return false;
    }
    return rule.includes.arches.empty() || matches(rule.includes.arches);
  }

  void check_rule(size_t i) {
    const SyscallRule &rule = p_.syscalls[i];
    std::string at = rule_path(i);
    check_conditions(rule, at);
    // Docker matches includes.arches against the host's arch, and the filter always holds the
    // host's arch: a rule for an arch the list leaves out still applies there. Only a flat list
    // says which hosts the profile is for; an archMap without the host's entry is still used.
    if (listed_arches_ && !arch_applies(rule, groups_.front()))
      add(Severity::warning, at,
          "applies only on hosts of an architecture the profile does not list (its includes/"
          "excludes arches rule out " +
              groups_.front().label + ")");
    check_names(rule, at);
    check_args(rule, at);
    if (same_as_default(rule))
      add(Severity::warning, at + ".action",
          "never matters: " + action_name(rule.action) +
              " is the defaultAction, and runc leaves such rules out (libseccomp refuses them)");
  }

  bool same_as_default(const SyscallRule &rule) const {
    if (rule.action != p_.default_action) return false;
    // Docker 20.10 drops defaultErrnoRet: the default answers EPERM.
    if (rule.action == Action::errno_ || rule.action == Action::trace)
      return rule.errno_ret.value_or(EPERM) == EPERM;
    return true;
  }

  void check_conditions(const SyscallRule &rule, const std::string &at) {
    for (auto [cond, field] :
         {std::pair{&rule.includes, "includes"}, {&rule.excludes, "excludes"}}) {
      for (size_t j = 0; j < cond->arches.size(); ++j)
        if (!resolve_arch(cond->arches[j]))
          add(Severity::warning, at + "." + field + ".arches[" + std::to_string(j) + "]",
              "\"" + cond->arches[j] + "\" is no architecture: Docker compares the names, so " +
                  "this one never matches");
      for (size_t j = 0; j < cond->caps.size(); ++j)
        if (!capability_number(cond->caps[j]))
          add(Severity::warning, at + "." + field + ".caps[" + std::to_string(j) + "]",
              "\"" + cond->caps[j] + "\" is no capability: it is never held, so this clause " +
                  (cond == &rule.includes ? "rules the rule out everywhere" : "never matches"));
    }
    for (const auto &cap : rule.includes.caps)
      if (std::find(rule.excludes.caps.begin(), rule.excludes.caps.end(), cap) !=
          rule.excludes.caps.end())
        add(Severity::warning, at,
            "never applies: " + cap + " is in both includes.caps and excludes.caps");
    if (!rule.includes.min_kernel.empty() && !rule.excludes.min_kernel.empty()) {
      auto cmp = compare_kernel_versions(rule.includes.min_kernel, rule.excludes.min_kernel);
      if (cmp && *cmp >= 0)
        add(Severity::warning, at,
            "never applies: includes.minKernel " + rule.includes.min_kernel +
                " is not below excludes.minKernel " + rule.excludes.min_kernel);
    }
  }

  void check_names(const SyscallRule &rule, const std::string &at) {
    std::map<size_t, std::vector<std::string>> absent;  // group -> names it lacks
    std::set<std::string> seen;
    for (size_t j = 0; j < rule.names.size(); ++j) {
      const std::string &name = rule.names[j];
      std::string path = at + ".names[" + std::to_string(j) + "]";
      if (!seen.insert(name).second) {
        add(Severity::warning, path, "\"" + name + "\" is listed twice in this rule");
        continue;
      }
      // libseccomp resolves every name of its table on every arch (a pseudo-number where the
      // arch lacks the call): __NR_SCMP_ERROR means no arch has such a call.
      if (seccomp_syscall_resolve_name_arch(host_.native_arch, name.c_str()) == __NR_SCMP_ERROR) {
        add(Severity::error, path,
            "\"" + name + "\" is no syscall on any architecture libseccomp knows: runc and " +
                "Docker warn and skip it, so this rule does not cover what it names");
        continue;
      }
      for (size_t g = 0; g < groups_.size(); ++g) {
        if (!arch_applies(rule, groups_[g])) continue;
        bool known = std::any_of(groups_[g].arches.begin(), groups_[g].arches.end(),
                                 [&](uint32_t t) { return syscall_number(t, name).has_value(); });
        if (!known) absent[g].push_back(name);
      }
    }
    for (const auto &[g, names] : absent)
      add(Severity::warning, at + ".names",
          "not syscalls of " + groups_[g].label +
              ", where libseccomp leaves them out: " + join(names));
  }

  void check_args(const SyscallRule &rule, const std::string &at) {
    if (rule.args.empty()) return;
    bool repeats = index_repeats(rule.args);
    for (size_t j = 0; j < rule.args.size(); ++j)
      check_arg(rule, rule.args[j], at + ".args[" + std::to_string(j) + "]");
    if (repeats) {
      std::string rules;
      for (const auto &cond : rule.args) {
        SyscallRule single = rule;
        single.args = {cond};
        rules += (rules.empty() ? "" : " OR ") + rule_json(single).dump();
      }
      add(Severity::warning, at + ".args",
          "an argument index repeats, so runc and crun add each condition as a rule of its own "
          "(OR, not AND): this entry really is " +
              std::to_string(rule.args.size()) + " rules: " + rules);
    }
  }

  void check_arg(const SyscallRule &rule, const ArgCondition &c, const std::string &path) {
    constexpr uint64_t kMax = ~uint64_t{0};
    if (c.op == Op::masked_eq && (c.value_two & ~c.value) != 0)
      add(Severity::error, path,
          "never true: valueTwo " + hex(c.value_two) + " has bits outside the mask (value) " +
              hex(c.value) + ", and (arg & mask) cannot have them");
    if ((c.op == Op::lt && c.value == 0) || (c.op == Op::gt && c.value == kMax))
      add(Severity::error, path,
          "never true: seccomp compares arguments as unsigned 64-bit numbers, none is " +
              std::string(c.op == Op::lt ? "below 0" : "above 2^64-1"));
    if ((c.op == Op::ge && c.value == 0) || (c.op == Op::le && c.value == kMax))
      add(Severity::warning, path, "always true: the condition tests nothing");
    if (c.op == Op::masked_eq) return;
    for (const auto &name : rule.names) {
      const auto *sig = syscalls::signature(name);
      if (!sig || c.index >= sig->arity || !syscalls::is_32bit(sig->args[c.index])) continue;
      if (c.value >> 31 == 1) {
        add(Severity::warning, path,
            "arg" + std::to_string(c.index) + " of " + name + " is a 32-bit int and " +
                hex(c.value) + " has its sign bit set: a caller passing it as a negative long " +
                "(raw syscall(2)) sends " + hex(c.value | 0xffffffff00000000ULL) +
                ", which seccomp compares in full; {\"op\":\"SCMP_CMP_MASKED_EQ\",\"value\":" +
                "4294967295,\"valueTwo\":" + std::to_string(c.value) + "} means what this says");
      } else if (c.value > 0xffffffffULL) {
        add(Severity::warning, path,
            "arg" + std::to_string(c.index) + " of " + name + " is a 32-bit int, " + hex(c.value) +
                " is wider: callers that pass the int zero-extended (glibc) send " +
                hex(c.value & 0xffffffffULL) + "; compare with SCMP_CMP_MASKED_EQ and mask " +
                "4294967295");
      }
      break;
    }
  }

  // Rules about the same name: duplicates, contradictions, rules another one shadows.
  void rule_pairs() {
    std::map<std::string, size_t> first;     // name + conditions_key -> rule index
    std::map<std::string, size_t> outright;  // name -> first always-applying rule without args
    std::vector<bool> repeated(p_.syscalls.size(), false);
    for (size_t i = 0; i < p_.syscalls.size(); ++i)
      for (size_t k = 0; k < i; ++k)
        if (same_rule(p_.syscalls[i], p_.syscalls[k])) {
          add(Severity::warning, rule_path(i), "duplicate: repeats " + rule_path(k));
          repeated[i] = true;
          break;
        }
    for (size_t i = 0; i < p_.syscalls.size(); ++i) {
      const SyscallRule &rule = p_.syscalls[i];
      if (repeated[i]) continue;
      std::string key = conditions_key(rule);
      std::set<std::string> names(rule.names.begin(), rule.names.end());
      std::vector<std::string> dup;
      for (const auto &name : names) {
        auto [it, added] = first.try_emplace(name + "\n" + key, i);
        if (!added) {
          const SyscallRule &other = p_.syscalls[it->second];
          if (other.action == rule.action && other.errno_ret == rule.errno_ret)
            dup.push_back(name);
          else
            contradiction(i, it->second, name);
        }
        if (rule.args.empty() && rule.includes.empty() && rule.excludes.empty() &&
            !same_as_default(rule))
          outright.try_emplace(name, i);
      }
      if (!dup.empty())
        add(Severity::warning, rule_path(i) + ".names",
            "duplicate: already given the same action and conditions by an earlier rule: " +
                join(dup));
    }
    for (size_t i = 0; i < p_.syscalls.size(); ++i) {
      const SyscallRule &rule = p_.syscalls[i];
      if (rule.args.empty() || repeated[i] || same_as_default(rule)) continue;
      for (const auto &name : rule.names) {
        auto it = outright.find(name);
        if (it == outright.end() || it->second == i) continue;
        const SyscallRule &other = p_.syscalls[it->second];
        if (other.action == rule.action && other.errno_ret == rule.errno_ret) continue;
        add(Severity::warning, rule_path(i),
            "never matches for " + name + ": " + rule_path(it->second) + " gives it " +
                action_name(other.action) +
                " without conditions, and libseccomp lets such a rule decide the call whatever "
                "its arguments");
      }
    }
  }

  // The rule's args (in any order) and includes/excludes, as one comparable string.
  static std::string conditions_key(const SyscallRule &rule) {
    std::vector<std::string> args;
    for (const auto &c : rule.args)
      args.push_back(std::to_string(c.index) + " " + op_name(c.op) + " " + std::to_string(c.value) +
                     " " + std::to_string(c.value_two));
    std::sort(args.begin(), args.end());
    auto clause = [](const RuleCondition &c) {
      return join(c.arches, ",") + "|" + join(c.caps, ",") + "|" + c.min_kernel;
    };
    return join(args, ";") + "/" + clause(rule.includes) + "/" + clause(rule.excludes);
  }

  static bool same_rule(const SyscallRule &a, const SyscallRule &b) {
    SyscallRule x = a, y = b;
    x.comment = y.comment = "";
    return x == y;
  }

  void contradiction(size_t i, size_t k, const std::string &name) {
    const SyscallRule &rule = p_.syscalls[i], &other = p_.syscalls[k];
    std::string effect;
    if (same_as_default(rule) || same_as_default(other))
      effect = "runc leaves out the one with the defaultAction, so " +
               rule_path(same_as_default(rule) ? k : i) + " decides";
    else if (rule.args.empty())
      effect = "libseccomp keeps the first and ignores this one without a word";
    else
      effect = "libseccomp refuses the second (EEXIST), so runc cannot load the profile";
    auto what = [](const SyscallRule &r) {
      return action_name(r.action) +
             (r.errno_ret ? " (errnoRet " + std::to_string(*r.errno_ret) + ")" : "");
    };
    add(Severity::error, rule_path(i),
        "contradicts " + rule_path(k) + " for " + name + ": same conditions, " + what(rule) +
            " here, " + what(other) + " there; " + effect);
  }

  const Profile &p_;
  const HostFacts &host_;
  std::vector<ArchGroup> groups_;
  bool listed_arches_ = false;
  std::vector<Finding> out_;
};

// "<origin>: syscalls[2].args: what" -> {"syscalls[2].args", "what"}; a message whose first
// part has spaces ("invalid JSON at line 3, column 5: ...") has no path.
std::pair<std::string, std::string> split_message(std::string msg, const std::string &origin) {
  if (msg.rfind(origin + ": ", 0) == 0) msg.erase(0, origin.size() + 2);
  size_t colon = msg.find(": ");
  if (colon == std::string::npos || colon == 0) return {"", msg};
  std::string head = msg.substr(0, colon);
  bool is_path = head.find(' ') == std::string::npos &&
                 (head.rfind("syscalls", 0) == 0 || head.rfind("arch", 0) == 0 ||
                  head.rfind("default", 0) == 0);
  if (!is_path) return {"", msg};
  return {head, msg.substr(colon + 2)};
}

}  // namespace

std::string severity_name(Finding::Severity severity) {
  return severity == Finding::Severity::error ? "error" : "warning";
}

std::vector<Finding> check_profile(const std::string &text, const std::string &origin) {
  return check_profile(text, origin, current_host());
}

std::vector<Finding> check_profile(const std::string &text, const std::string &origin,
                                   const HostFacts &host) {
  std::vector<Finding> out;
  std::vector<std::string> warnings;
  Profile profile;
  try {
    profile = parse_docker_profile(text, origin, &warnings);
  } catch (const Error &e) {
    auto [path, message] = split_message(e.what(), origin);
    return {{Severity::error, path, message}};
  }
  for (const auto &w : warnings) {
    auto [path, message] = split_message(w, origin);
    out.push_back({Severity::warning, path, message});
  }
  auto checked = Checker(profile, host).run();
  out.insert(out.end(), checked.begin(), checked.end());
  try {
    CompiledFilter filter = compile_profile(profile, {}, host);
    if (auto w = filter_size_warning(filter)) out.push_back({Severity::warning, "", *w});
  } catch (const Error &e) {
    auto [path, message] = split_message(e.what(), origin);
    out.push_back({Severity::error, path, "libseccomp cannot compile it: " + message});
  }
  return out;
}

nlohmann::ordered_json findings_json(const std::string &origin,
                                     const std::vector<Finding> &findings) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  size_t errors = 0;
  for (const auto &f : findings) {
    errors += f.severity == Severity::error;
    list.push_back(
        {{"severity", severity_name(f.severity)}, {"path", f.path}, {"message", f.message}});
  }
  return {{"file", origin},
          {"findings", list},
          {"errors", errors},
          {"warnings", findings.size() - errors}};
}

std::string findings_text(const std::string &origin, const std::vector<Finding> &findings) {
  std::string out;
  size_t errors = 0;
  for (const auto &f : findings) {
    errors += f.severity == Severity::error;
    out += printable(origin) + ": " + severity_name(f.severity) + ": " +
           (f.path.empty() ? "" : f.path + ": ") + f.message + "\n";
  }
  size_t warnings = findings.size() - errors;
  out += printable(origin) + ": " + std::to_string(errors) +
         (errors == 1 ? " error, " : " errors, ") + std::to_string(warnings) +
         (warnings == 1 ? " warning" : " warnings") + "\n";
  return out;
}

}  // namespace syscope::seccomp
