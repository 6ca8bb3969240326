// SPDX-License-Identifier: Apache-2.0
// The data lives in profiles/runtime-gap/runc.json, where it is measured and explained; CMake
// embeds it (syscope_embed in userspace/CMakeLists.txt).
#include "syscope/seccomp/runtime_gap.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace syscope::data {
extern const char *const kRuncGapJson;
}

namespace syscope::record {

std::vector<std::string> runtime_gap_names() {
  auto doc = nlohmann::json::parse(data::kRuncGapJson);
  std::set<std::string> names;
  for (const char *group : {"always", "sometimes"})
    for (const auto &name : doc.at(group)) names.insert(name.get<std::string>());
  return {names.begin(), names.end()};
}

}  // namespace syscope::record
