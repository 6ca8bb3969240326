// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/argument_rules.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <set>

#include "syscope/syscalls/arg_pairs.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::profile {
namespace {

using seccomp::ArgCondition;
using seccomp::SyscallRule;

SyscallRule *unconditional_allow(seccomp::Profile &profile, const std::string &name) {
  for (auto &rule : profile.syscalls)
    if (rule.action == seccomp::Action::allow && rule.args.empty() && rule.includes.empty() &&
        rule.excludes.empty() &&
        std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end())
      return &rule;
  return nullptr;
}

bool any_compat_call(const SyscallSet &allowed) {
  for (const auto &arch : allowed.named())
    if (arch.scmp_arch == seccomp::scmp_arch_for(SYSCOPE_ARCH_COMPAT)) return true;
  return false;
}

// Whether the kernel plan (arg_plan) keeps the pair's values for 32-bit tasks too.
bool compat_tracked(const ArgPair &pair) {
  auto nr = seccomp::syscall_number(seccomp::scmp_arch_for(SYSCOPE_ARCH_COMPAT),
                                    std::string(pair.syscall));
  return pair.compat_same_abi && nr && *nr >= 0;
}

ArgCondition masked_eq(const ArgField &field, uint32_t value) {
  // Runc's JSON: "value" is the mask, "valueTwo" what the masked argument must equal.
  return {field.index, field.mask, value, seccomp::Op::masked_eq};
}

constexpr uint32_t kWholeInt = 0xffffffffu;

// "AF_UNIX", "0x541b"; a flag mask reads "with PROT_EXEC" / "without namespace flags".
std::string field_text(const std::string &name, const ArgField &field, uint32_t value) {
  if (field.mask != kWholeInt && (value == 0 || std::popcount(field.mask) == 1))
    return (value ? "with " : "without ") + std::string(field.label);
  auto decoded = syscalls::decode_arg(name, field.index, value);
  return decoded ? *decoded : std::to_string(value);
}

std::string value_text(const std::string &name, const ArgPair &pair, uint64_t value) {
  auto split = split_arg_value(pair, value);
  std::string text = field_text(name, pair.first, split.first);
  if (pair.second) text += "/" + field_text(name, *pair.second, split.second);
  return text;
}

// Every value the masks allow was seen: the rules would allow what the name alone allows.
bool covers_range(const ArgPair &pair, size_t distinct) {
  unsigned bits =
      std::popcount(pair.first.mask) + (pair.second ? std::popcount(pair.second->mask) : 0);
  return bits < 8 && distinct >= (size_t{1} << bits);
}

}  // namespace

ArgumentRules narrow_by_arguments(seccomp::Profile &profile, const CgroupCalls &calls,
                                  const SyscallSet &allowed, const NarrowOptions &options) {
  ArgumentRules result;
  // conditions -> names: names checked the same way share one rule
  std::map<std::vector<std::tuple<unsigned, uint64_t, uint64_t>>, std::set<std::string>> grouped;
  std::map<std::vector<std::tuple<unsigned, uint64_t, uint64_t>>, std::vector<ArgCondition>> conds;
  const auto pairs = tracked_arg_pairs();
  const bool compat = any_compat_call(allowed);
  for (uint32_t index = 0; index < pairs.size(); ++index) {
    const auto &pair = pairs[index];
    const std::string name(pair.syscall);
    SyscallRule *allow = unconditional_allow(profile, name);
    if (!allow) continue;
    auto it = calls.args.find(index);
    auto names_only = [&](const std::string &why) {
      result.notes.push_back(name + ": allowed by name only: " + why);
    };
    if (!options.complete) {
      names_only("the kernel lost events, so a value may be missing");
      continue;
    }
    std::set<uint64_t> values;
    if (it != calls.args.end())
      values = options.filtered_only ? it->second.filtered : it->second.values;
    const auto &runtime = options.runtime_calls;
    if (std::find(runtime.begin(), runtime.end(), name) != runtime.end()) values.insert(0);
    if (values.empty()) {
      names_only("no value recorded");
      continue;
    }
    if (it->second.overflow) {
      names_only("more than " + std::to_string(SYSCOPE_ARG_VALUES) + " distinct " +
                 std::string(pair.first.label) + " values");
      continue;
    }
    if (compat && !compat_tracked(pair)) {
      // i386's mmap is old_mmap (arguments in memory); libseccomp adds socket & co for i386
      // through socketcall too, whose arguments also sit in memory.
      names_only("32-bit tasks ran too, and the 32-bit form of this call takes its arguments "
                 "behind a pointer, out of a filter's reach");
      continue;
    }
    if (covers_range(pair, values.size())) {
      names_only("every value of " + std::string(pair.first.label) + " was used");
      continue;
    }
    std::vector<std::string> texts;
    for (uint64_t value : values) {
      auto split = split_arg_value(pair, value);
      std::vector<ArgCondition> args{masked_eq(pair.first, split.first)};
      if (pair.second) args.push_back(masked_eq(*pair.second, split.second));
      std::vector<std::tuple<unsigned, uint64_t, uint64_t>> key;
      for (const auto &a : args) key.emplace_back(a.index, a.value, a.value_two);
      grouped[key].insert(name);
      conds[key] = args;
      texts.push_back(value_text(name, pair, value));
    }
    allow->names.erase(std::remove(allow->names.begin(), allow->names.end(), name),
                       allow->names.end());
    result.narrowed.push_back(name);
    std::string joined;
    for (const auto &t : texts) joined += (joined.empty() ? "" : ", ") + t;
    std::string what = pair.first.mask == kWholeInt
                           ? "for " + std::string(pair.first.label) +
                                 (pair.second ? "/" + std::string(pair.second->label) : "") + " "
                           : "";
    result.notes.push_back(name + ": allowed only " + what + joined);
  }
  for (const auto &[key, names] : grouped) {
    SyscallRule rule;
    rule.names.assign(names.begin(), names.end());
    rule.action = seccomp::Action::allow;
    rule.args = conds[key];
    profile.syscalls.push_back(std::move(rule));
    ++result.rules_added;
  }
  // An allow rule left without names would be an invalid profile entry.
  std::erase_if(profile.syscalls, [](const SyscallRule &r) { return r.names.empty(); });
  return result;
}

}  // namespace syscope::profile
