// SPDX-License-Identifier: Apache-2.0
#include "syscope/containers/cgroup_owner.hpp"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace syscope::cgroup {
namespace {

std::optional<uint64_t> number(const std::string &text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::vector<std::string> split_dashes(const std::string &text) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, '-')) parts.push_back(part);
  return parts;
}

}  // namespace

std::optional<uint64_t> process_start_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Field 2, the command name in parentheses, may itself hold spaces and ')': fields 3 on
  // follow the last ')'.
  auto paren = stat.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int n = 3; n <= 22 && fields >> field; ++n) {
    if (n == 3 && (field == "Z" || field == "X")) return std::nullopt;  // exited, not reaped yet
    if (n == 22) return number(field);
  }
  return std::nullopt;
}

std::string owned_cgroup_name(const std::string &prefix, int n) {
  static const uint64_t start = process_start_ticks(getpid()).value_or(0);
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(start) + "-" +
         std::to_string(n);
}

std::optional<CgroupOwner> owner_of_cgroup(const std::string &name) {
  for (std::string prefix : kOwnedPrefixes) {
    if (name.rfind(prefix + "-", 0) != 0) continue;
    auto parts = split_dashes(name.substr(prefix.size() + 1));
    if (parts.size() != 2 && parts.size() != 3) return std::nullopt;
    std::vector<uint64_t> values;
    for (const auto &part : parts) {
      auto value = number(part);
      if (!value) return std::nullopt;
      values.push_back(*value);
    }
    if (values[0] == 0 || values[0] > INT32_MAX) return std::nullopt;
    CgroupOwner owner{static_cast<pid_t>(values[0]), std::nullopt};
    if (values.size() == 3) owner.start_ticks = values[1];
    return owner;
  }
  return std::nullopt;
}

bool owner_alive(const CgroupOwner &owner) {
  auto start = process_start_ticks(owner.pid);
  if (!start) return false;
  return !owner.start_ticks || *owner.start_ticks == *start;
}

}  // namespace syscope::cgroup
