// SPDX-License-Identifier: Apache-2.0
// The data lives in profiles/runtime-gap/runc.json, where it is measured and explained; CMake
// embeds it (syscope_embed in userspace/CMakeLists.txt).
#include "syscope/seccomp/runtime_gap.hpp"

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <set>

namespace syscope::data {
extern const char *const kRuncGapJson;
}

namespace syscope::record {

namespace {

std::vector<std::string> names_in(std::initializer_list<const char *> groups) {
  auto doc = nlohmann::json::parse(data::kRuncGapJson);
  std::set<std::string> names;
  for (const char *group : groups)
    for (const auto &name : doc.at(group)) names.insert(name.get<std::string>());
  return {names.begin(), names.end()};
}

}  // namespace

std::vector<std::string> runtime_gap_names() { return names_in({"always", "sometimes"}); }

std::vector<std::string> runtime_gap_sometimes() { return names_in({"sometimes"}); }

}  // namespace syscope::record
