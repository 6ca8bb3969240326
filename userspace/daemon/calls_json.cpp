// SPDX-License-Identifier: Apache-2.0
// Strict on the way in: a state file is ours, so anything it should not hold means it is
// damaged, and loading half of it would pass off a partial profile as a whole one.
#include "syscope/daemon/calls_json.hpp"

#include <string>

#include "syscope/base/error.hpp"
#include "syscope/syscalls/arg_pairs.hpp"

namespace syscope::daemon {
namespace {

using nlohmann::json;

constexpr const char *kSetNames[SYSCOPE_SET_COUNT] = {"plain_setup", "plain", "filtered_setup",
                                                      "filtered"};
constexpr const char *kArchNames[SYSCOPE_ARCH_COUNT] = {"native", "compat"};

[[noreturn]] void bad(const std::string &what) { throw Error(Exit::usage, "call sets: " + what); }

uint32_t number_at(const json &obj, const char *key, uint64_t limit) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number_unsigned() || it->get<uint64_t>() >= limit)
    bad(std::string("denial without a valid \"") + key + "\"");
  return static_cast<uint32_t>(it->get<uint64_t>());
}

}  // namespace

json calls_to_json(const profile::CgroupCalls &calls) {
  json doc = json::object();
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set) {
    json arches = json::object();
    for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch) {
      json numbers = json::array();
      for (uint32_t nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr)
        if (calls.sets[set].contains(arch, nr)) numbers.push_back(nr);
      if (!numbers.empty()) arches[kArchNames[arch]] = std::move(numbers);
    }
    doc[kSetNames[set]] = std::move(arches);
  }
  json denials = json::array();
  for (const auto &[denial, count] : calls.denials)
    denials.push_back(
        {{"arch", denial.arch}, {"nr", denial.nr}, {"err", denial.err}, {"count", count}});
  doc["denials"] = std::move(denials);
  // Argument values (`args: true`) by the pair's syscall name, which stays meaningful when the
  // pair table grows.
  json args = json::object();
  const auto pairs = profile::tracked_arg_pairs();
  for (const auto &[pair, set] : calls.args) {
    if (pair >= pairs.size()) continue;
    json entry = {{"values", set.values}, {"filtered", set.filtered}};
    if (set.overflow) entry["overflow"] = true;
    args[std::string(pairs[pair].syscall)] = std::move(entry);
  }
  if (!args.empty()) doc["args"] = std::move(args);
  if (calls.args_lost) doc["args_lost"] = true;
  return doc;
}

namespace {

void args_from_json(const json &doc, profile::CgroupCalls &calls) {
  if (!doc.is_object()) bad("args is not an object");
  for (const auto &[name, entry] : doc.items()) {
    auto pair = profile::arg_pair_index(name);
    if (!pair) bad("args: \"" + name + "\" is no tracked call");
    if (!entry.is_object()) bad("args." + name + " is not an object");
    for (const auto &[key, value] : entry.items()) {
      if (key == "overflow") {
        if (!value.is_boolean()) bad("args." + name + ".overflow is not a boolean");
        if (value.get<bool>()) calls.add_arg_overflow(*pair);
        continue;
      }
      if (key != "values" && key != "filtered")
        bad("args." + name + ": unknown key \"" + key + "\"");
      if (!value.is_array()) bad("args." + name + "." + key + " is not an array");
      for (const auto &v : value) {
        if (!v.is_number_unsigned()) bad("args." + name + "." + key + ": not a value");
        calls.add_arg_value(*pair, v.get<uint64_t>(), key == "filtered");
      }
    }
  }
}

}  // namespace

profile::CgroupCalls calls_from_json(const json &doc) {
  if (!doc.is_object()) bad("not an object");
  profile::CgroupCalls calls;
  for (const auto &[key, value] : doc.items()) {
    if (key == "denials") continue;
    if (key == "args") {
      args_from_json(value, calls);
      continue;
    }
    if (key == "args_lost") {
      if (!value.is_boolean()) bad("args_lost is not a boolean");
      calls.args_lost = value.get<bool>();
      continue;
    }
    uint32_t set = 0;
    while (set < SYSCOPE_SET_COUNT && key != kSetNames[set]) ++set;
    if (set == SYSCOPE_SET_COUNT) bad("unknown key \"" + key + "\"");
    if (!value.is_object()) bad(key + " is not an object");
    for (const auto &[arch_name, numbers] : value.items()) {
      uint32_t arch = 0;
      while (arch < SYSCOPE_ARCH_COUNT && arch_name != kArchNames[arch]) ++arch;
      if (arch == SYSCOPE_ARCH_COUNT) bad(key + ": unknown arch \"" + arch_name + "\"");
      if (!numbers.is_array()) bad(key + "." + arch_name + " is not an array");
      for (const auto &nr : numbers) {
        if (!nr.is_number_unsigned() || nr.get<uint64_t>() >= SYSCOPE_SYSCALL_BITS)
          bad(key + "." + arch_name + ": not a syscall number below " +
              std::to_string(SYSCOPE_SYSCALL_BITS));
        calls.sets[set].add(arch, static_cast<uint32_t>(nr.get<uint64_t>()));
      }
    }
  }
  auto denials = doc.find("denials");
  if (denials != doc.end()) {
    if (!denials->is_array()) bad("denials is not an array");
    for (const auto &entry : *denials) {
      if (!entry.is_object() || entry.size() != 4) bad("a denial is not {arch, nr, err, count}");
      profile::Denial denial{number_at(entry, "arch", SYSCOPE_ARCH_COUNT),
                             number_at(entry, "nr", SYSCOPE_SYSCALL_BITS),
                             number_at(entry, "err", 4096)};
      auto count = entry.find("count");
      if (count == entry.end() || !count->is_number_unsigned()) bad("a denial without a count");
      if (!calls.denials.emplace(denial, count->get<uint64_t>()).second) bad("a duplicate denial");
    }
  }
  return calls;
}

}  // namespace syscope::daemon
