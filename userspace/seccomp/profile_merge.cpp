// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/profile_merge.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::seccomp {
namespace {

// What a rule does to each of its names, names aside: rules with equal keys become one rule.
struct RuleKey {
  Action action;
  std::optional<uint32_t> errno_ret;
  std::vector<ArgCondition> args;  // sorted: a rule's conditions hold in any order
  RuleCondition includes, excludes;
  auto tie() const {
    auto arg_tuples = [](const std::vector<ArgCondition> &v) {
      std::vector<std::tuple<unsigned, int, uint64_t, uint64_t>> out;
      for (const auto &a : v)
        out.emplace_back(a.index, static_cast<int>(a.op), a.value, a.value_two);
      return out;
    };
    auto cond = [](const RuleCondition &c) { return std::tie(c.arches, c.caps, c.min_kernel); };
    return std::make_tuple(static_cast<int>(action), errno_ret.value_or(0), errno_ret.has_value(),
                           arg_tuples(args), cond(includes), cond(excludes));
  }
  bool operator<(const RuleKey &o) const { return tie() < o.tie(); }
  bool unconditional() const { return args.empty() && includes.empty() && excludes.empty(); }
};

RuleCondition sorted(RuleCondition c) {
  std::sort(c.arches.begin(), c.arches.end());
  c.arches.erase(std::unique(c.arches.begin(), c.arches.end()), c.arches.end());
  std::sort(c.caps.begin(), c.caps.end());
  c.caps.erase(std::unique(c.caps.begin(), c.caps.end()), c.caps.end());
  return c;
}

RuleKey key_of(const SyscallRule &rule) {
  RuleKey key{rule.action, rule.errno_ret, rule.args, sorted(rule.includes), sorted(rule.excludes)};
  std::sort(key.args.begin(), key.args.end(), [](const ArgCondition &a, const ArgCondition &b) {
    return std::make_tuple(a.index, static_cast<int>(a.op), a.value, a.value_two) <
           std::make_tuple(b.index, static_cast<int>(b.op), b.value, b.value_two);
  });
  key.args.erase(std::unique(key.args.begin(), key.args.end()), key.args.end());
  return key;
}

std::string action_text(const RuleKey &key) {
  return action_name(key.action) +
         (key.errno_ret ? "(" + std::to_string(*key.errno_ret) + ")" : "");
}

std::string default_text(const Profile &p) {
  return action_name(p.default_action) +
         (p.default_errno_ret ? "(" + std::to_string(*p.default_errno_ret) + ")" : "");
}

std::vector<std::string> sorted_union(std::vector<std::string> a,
                                      const std::vector<std::string> &b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return a;
}

}  // namespace

Profile normalize_profile(const Profile &profile) {
  Profile out;
  out.default_action = profile.default_action;
  out.default_errno_ret = profile.default_errno_ret;
  out.architectures = sorted_union(profile.architectures, {});
  std::map<std::string, std::vector<std::string>> arch_map;
  for (const auto &e : profile.arch_map)
    arch_map[e.architecture] = sorted_union(arch_map[e.architecture], e.sub_architectures);
  for (const auto &[arch, subs] : arch_map) out.arch_map.push_back({arch, subs});

  // Per name, the keys of its rules; a name allowed outright keeps only that.
  std::map<std::string, std::set<RuleKey>> by_name;
  std::map<RuleKey, std::string> comments;  // the smallest non-empty comment of each key
  for (const auto &rule : profile.syscalls) {
    RuleKey key = key_of(rule);
    for (const auto &name : rule.names) by_name[name].insert(key);
    if (!rule.comment.empty()) {
      auto [it, added] = comments.try_emplace(key, rule.comment);
      if (!added) it->second = std::min(it->second, rule.comment);
    }
  }
  std::map<RuleKey, std::set<std::string>> groups;
  for (auto &[name, keys] : by_name) {
    bool outright = std::any_of(keys.begin(), keys.end(), [](const RuleKey &k) {
      return k.action == Action::allow && k.unconditional();
    });
    for (const auto &key : keys)
      if (!outright || (key.action == Action::allow && key.unconditional()))
        groups[key].insert(name);
  }
  for (const auto &[key, names] : groups) {
    SyscallRule rule;
    rule.names.assign(names.begin(), names.end());
    rule.action = key.action;
    rule.errno_ret = key.errno_ret;
    rule.args = key.args;
    rule.includes = key.includes;
    rule.excludes = key.excludes;
    if (auto it = comments.find(key); it != comments.end()) rule.comment = it->second;
    out.syscalls.push_back(std::move(rule));
  }
  return out;
}

Profile merge_profiles(const std::vector<MergeInput> &inputs) {
  if (inputs.empty()) throw Error(Exit::usage, "nothing to merge");
  const MergeInput &first = inputs.front();
  // Docker ignores defaultErrnoRet and answers EPERM; the OCI form states EPERM: the same.
  auto default_errno = [](const Profile &p) -> uint32_t {
    return p.default_action == Action::errno_ ? p.default_errno_ret.value_or(1)
                                              : p.default_errno_ret.value_or(0);
  };
  Profile all;
  all.default_action = first.profile->default_action;
  // Per name, the unconditional non-ALLOW answers and where each was given; names allowed
  // outright anywhere need no answer.
  std::map<std::string, std::map<RuleKey, std::string>> refusals;
  std::set<std::string> outright;
  for (const auto &in : inputs) {
    const Profile &p = *in.profile;
    if (p.default_action != first.profile->default_action ||
        default_errno(p) != default_errno(*first.profile))
      throw Error(Exit::usage, in.origin + ": defaultAction " + default_text(p) + " differs from " +
                                   first.origin + "'s " + default_text(*first.profile) +
                                   ": profiles to merge must agree on it");
    if (p.default_errno_ret) all.default_errno_ret = p.default_errno_ret;
    all.architectures = sorted_union(all.architectures, p.architectures);
    all.arch_map.insert(all.arch_map.end(), p.arch_map.begin(), p.arch_map.end());
    for (size_t r = 0; r < p.syscalls.size(); ++r) {
      const SyscallRule &rule = p.syscalls[r];
      all.syscalls.push_back(rule);
      RuleKey key = key_of(rule);
      if (!key.unconditional()) continue;
      for (const auto &name : rule.names)
        if (key.action == Action::allow)
          outright.insert(name);
        else
          refusals[name].try_emplace(key, in.origin + ": syscalls[" + std::to_string(r) + "]");
    }
  }
  for (const auto &[name, answers] : refusals)
    if (answers.size() > 1 && !outright.count(name)) {
      auto a = answers.begin(), b = std::next(a);
      throw Error(Exit::usage, b->second + ": " + name + " is answered " + action_text(b->first) +
                                   " here but " + action_text(a->first) + " in " + a->second +
                                   ": a union cannot choose; make them agree first");
    }
  return normalize_profile(all);
}

}  // namespace syscope::seccomp
