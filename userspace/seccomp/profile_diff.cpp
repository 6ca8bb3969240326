// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/profile_diff.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "syscope/seccomp/profile_explain.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_merge.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"
#include "syscope/syscalls/labels.hpp"

namespace syscope::seccomp {
namespace {

std::string action_label(Action action, const std::optional<uint32_t> &err) {
  return action_name(action) + (err ? "(" + syscalls::errno_name(*err) + ")" : "");
}

std::string list(const std::vector<std::string> &items) {
  std::string out;
  for (const auto &i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string condition_words(const char *word, const RuleCondition &c) {
  std::string out;
  if (!c.arches.empty()) out += " arch " + list(c.arches);
  if (!c.caps.empty()) out += (out.empty() ? "" : ";") + std::string(" caps ") + list(c.caps);
  if (!c.min_kernel.empty()) out += (out.empty() ? "" : ";") + (" kernel >= " + c.min_kernel);
  return std::string(" ") + word + out;
}

// One rule of `name` in words: "SCMP_ACT_ALLOW if arg0 (persona) == 8 [when caps CAP_X]".
std::string rule_words(const std::string &name, const SyscallRule &r) {
  std::string out = action_label(r.action, r.errno_ret);
  if (!r.args.empty()) {
    const char *join = index_repeats(r.args) ? " or " : " and ";  // runc's reading
    std::string conds;
    for (const auto &c : r.args) conds += (conds.empty() ? "" : join) + condition_text(name, c);
    out += " if " + conds;
  }
  if (!r.includes.empty()) out += condition_words("when", r.includes);
  if (!r.excludes.empty()) out += condition_words("unless", r.excludes);
  return out;
}

struct Sides {
  std::map<std::string, std::set<std::string>> outright;     // action label -> names
  std::map<std::string, std::set<std::string>> conditional;  // name -> rules in words
};

Sides sides_of(const Profile &p) {
  Sides s;
  for (const auto &rule : normalize_profile(p).syscalls) {
    bool plain = rule.args.empty() && rule.includes.empty() && rule.excludes.empty();
    for (const auto &name : rule.names)
      if (plain)
        s.outright[action_label(rule.action, rule.errno_ret)].insert(name);
      else
        s.conditional[name].insert(rule_words(name, rule));
  }
  return s;
}

// What `b` has that `a` lacks, and the reverse.
template <typename Set>
void set_diff(const Set &a, const Set &b, std::vector<std::string> &added,
              std::vector<std::string> &removed) {
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(added));
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(removed));
}

std::string default_label(const Profile &p) {
  return action_label(p.default_action, p.default_errno_ret);
}

}  // namespace

bool ProfileDiff::equal() const {
  return !default_action.changed() && architectures_added.empty() &&
         architectures_removed.empty() && names.empty() && argument_rules.empty();
}

ProfileDiff diff_profiles(const Profile &a, const Profile &b) {
  ProfileDiff d;
  d.default_action = {default_label(a), default_label(b)};
  std::set<std::string> arch_a(a.architectures.begin(), a.architectures.end());
  std::set<std::string> arch_b(b.architectures.begin(), b.architectures.end());
  set_diff(arch_a, arch_b, d.architectures_added, d.architectures_removed);
  Sides sa = sides_of(a), sb = sides_of(b);
  std::set<std::string> actions;
  for (const auto &[action, names] : sa.outright) actions.insert(action);
  for (const auto &[action, names] : sb.outright) actions.insert(action);
  for (const auto &action : actions) {
    ProfileDiff::Names n{action, {}, {}};
    set_diff(sa.outright[action], sb.outright[action], n.added, n.removed);
    if (!n.added.empty() || !n.removed.empty()) d.names.push_back(std::move(n));
  }
  std::set<std::string> names;
  for (const auto &[name, rules] : sa.conditional) names.insert(name);
  for (const auto &[name, rules] : sb.conditional) names.insert(name);
  for (const auto &name : names) {
    ProfileDiff::ArgumentRules r{name, {}, {}};
    set_diff(sa.conditional[name], sb.conditional[name], r.added, r.removed);
    if (!r.added.empty() || !r.removed.empty()) d.argument_rules.push_back(std::move(r));
  }
  return d;
}

std::string diff_text(const std::string &a_origin, const std::string &b_origin,
                      const ProfileDiff &d) {
  if (d.equal()) return "profiles are equal: " + a_origin + ", " + b_origin + "\n";
  std::string out = "--- " + a_origin + "\n+++ " + b_origin + "\n";
  if (d.default_action.changed())
    out += "defaultAction: " + d.default_action.from + " -> " + d.default_action.to + "\n";
  if (!d.architectures_added.empty() || !d.architectures_removed.empty()) {
    out += "architectures:\n";
    for (const auto &a : d.architectures_added) out += "  + " + a + "\n";
    for (const auto &a : d.architectures_removed) out += "  - " + a + "\n";
  }
  for (const auto &n : d.names) {
    out += n.action + " for any arguments: " + std::to_string(n.added.size()) + " added, " +
           std::to_string(n.removed.size()) + " removed\n";
    if (!n.added.empty()) out += "  + " + list(n.added) + "\n";
    if (!n.removed.empty()) out += "  - " + list(n.removed) + "\n";
  }
  if (!d.argument_rules.empty()) out += "argument rules:\n";
  for (const auto &r : d.argument_rules) {
    for (const auto &rule : r.added) out += "  + " + r.name + ": " + rule + "\n";
    for (const auto &rule : r.removed) out += "  - " + r.name + ": " + rule + "\n";
  }
  return out;
}

nlohmann::ordered_json diff_json(const std::string &a_origin, const std::string &b_origin,
                                 const ProfileDiff &d) {
  nlohmann::ordered_json out;
  out["a"] = a_origin;
  out["b"] = b_origin;
  out["equal"] = d.equal();
  out["default_action"] = {{"from", d.default_action.from}, {"to", d.default_action.to}};
  out["architectures"] = {{"added", d.architectures_added}, {"removed", d.architectures_removed}};
  auto &names = out["names"] = nlohmann::ordered_json::array();
  for (const auto &n : d.names)
    names.push_back({{"action", n.action}, {"added", n.added}, {"removed", n.removed}});
  auto &rules = out["argument_rules"] = nlohmann::ordered_json::array();
  for (const auto &r : d.argument_rules)
    rules.push_back({{"name", r.name}, {"added", r.added}, {"removed", r.removed}});
  return out;
}

}  // namespace syscope::seccomp
