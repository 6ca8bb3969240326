// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/profile_coverage.hpp"

#include <algorithm>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"

namespace syscope::seccomp {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string &origin, const std::string &path,
                       const std::string &what) {
  throw Error(Exit::usage, origin + ": " + path + ": " + what);
}

const json &member(const json &obj, const char *key, const std::string &origin,
                   const std::string &path) {
  if (!obj.is_object()) fail(origin, path.empty() ? "(top level)" : path, "expected an object");
  auto it = obj.find(key);
  std::string where = path.empty() ? key : path + "." + key;
  if (it == obj.end()) fail(origin, where, "missing");
  return *it;
}

size_t count_at(const json &v, const std::string &origin, const std::string &path) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
    fail(origin, path, "expected a non-negative integer, got " + std::string(v.type_name()));
  return v.get<size_t>();
}

std::string string_at(const json &v, const std::string &origin, const std::string &path) {
  if (!v.is_string() || v.get<std::string>().empty())
    fail(origin, path, "expected a non-empty string");
  return v.get<std::string>();
}

// {call: count}, each count at most `instances`.
std::map<std::string, size_t> counts_at(const json &v, size_t instances, const std::string &origin,
                                        const std::string &path) {
  if (!v.is_object()) fail(origin, path, "expected an object of counts");
  std::map<std::string, size_t> out;
  for (const auto &[name, n] : v.items()) {
    std::string where = path + "." + printable(name);
    size_t count = count_at(n, origin, where);
    if (count > instances)
      fail(origin, where,
           std::to_string(count) + " is more than the " + std::to_string(instances) + " instances");
    if (count > 0) out[name] = count;
  }
  return out;
}

CoverageUnit unit_at(const json &v, const std::string &origin, const std::string &path) {
  CoverageUnit unit;
  const json &ids = member(v, "instances", origin, path);
  if (!ids.is_array() || ids.empty())
    fail(origin, path + ".instances", "expected a non-empty array of instance ids");
  for (size_t i = 0; i < ids.size(); ++i)
    unit.instances.insert(
        string_at(ids[i], origin, path + ".instances[" + std::to_string(i) + "]"));
  unit.syscalls = counts_at(member(v, "syscalls", origin, path), unit.instances.size(), origin,
                            path + ".syscalls");
  return unit;
}

nlohmann::ordered_json counts_json(const std::map<std::string, size_t> &counts) {
  auto out = nlohmann::ordered_json::object();
  for (const auto &[name, n] : counts) out[name] = n;
  return out;
}

}  // namespace

size_t Coverage::instances() const {
  size_t n = 0;
  for (const auto &[id, unit] : units) n += unit.instances.size();
  return n;
}

std::map<std::string, size_t> Coverage::counts() const {
  std::map<std::string, size_t> out;
  for (const auto &[id, unit] : units)
    for (const auto &[name, n] : unit.syscalls) out[name] += n;
  return out;
}

Coverage merge_coverage(const Coverage &a, const Coverage &b) {
  Coverage out = a;
  for (const auto &[id, unit] : b.units) {
    auto [it, added] = out.units.try_emplace(id, unit);
    if (added || it->second == unit) continue;
    CoverageUnit &kept = it->second;
    kept.instances.insert(unit.instances.begin(), unit.instances.end());
    for (const auto &[name, n] : unit.syscalls)
      kept.syscalls[name] = std::max(kept.syscalls[name], n);
  }
  return out;
}

Coverage coverage_from_daemon_json(const json &doc, const std::string &origin) {
  std::string key = string_at(member(doc, "key", origin, ""), origin, "key");
  const json &containers = member(doc, "containers", origin, "");
  if (!containers.is_array() || containers.empty())
    fail(origin, "containers", "expected a non-empty array");
  CoverageUnit unit;
  std::string first;
  for (size_t i = 0; i < containers.size(); ++i) {
    std::string path = "containers[" + std::to_string(i) + "]";
    std::string id = string_at(member(containers[i], "id", origin, path), origin, path + ".id");
    unit.instances.insert(id);
    if (first.empty() || id < first) first = id;
  }
  size_t instances = count_at(member(doc, "instances", origin, ""), origin, "instances");
  if (instances != unit.instances.size())
    fail(origin, "instances",
         std::to_string(instances) + " but " + std::to_string(unit.instances.size()) +
             " distinct containers are listed");
  unit.syscalls = counts_at(member(doc, "syscalls", origin, ""), instances, origin, "syscalls");
  // The image key is the same on every node; the first container id tells the nodes apart.
  Coverage out;
  out.units["image:" + key + "@" + first] = std::move(unit);
  return out;
}

nlohmann::ordered_json coverage_json(const Coverage &coverage) {
  nlohmann::ordered_json doc;
  doc["version"] = "v1";
  doc["instances"] = coverage.instances();
  doc["syscalls"] = counts_json(coverage.counts());
  auto &units = doc["units"] = nlohmann::ordered_json::object();
  for (const auto &[id, unit] : coverage.units) {
    auto &u = units[id];
    u["instances"] = std::vector<std::string>(unit.instances.begin(), unit.instances.end());
    u["syscalls"] = counts_json(unit.syscalls);
  }
  return doc;
}

Coverage coverage_from_json(const json &doc, const std::string &origin) {
  if (!doc.is_object()) fail(origin, "(top level)", "expected an object");
  if (!doc.contains("units")) return coverage_from_daemon_json(doc, origin);
  const json &version = doc["version"];
  if (version != "v1") fail(origin, "version", "expected \"v1\"");
  const json &units = doc["units"];
  if (!units.is_object()) fail(origin, "units", "expected an object");
  Coverage out;
  for (const auto &[id, unit] : units.items()) {
    if (id.empty()) fail(origin, "units", "an empty unit id");
    out.units[id] = unit_at(unit, origin, "units." + printable(id));
  }
  return out;
}

std::string spo_coverage_annotation(const Coverage &coverage) {
  // Go's json.Marshal: the struct's fields in order, map keys sorted (std::map's order).
  nlohmann::ordered_json out;
  out["version"] = "v1";
  out["total"] = coverage.instances();
  out["syscalls"] = counts_json(coverage.counts());
  return out.dump();
}

Coverage coverage_from_spo_annotation(const std::string &value, const std::string &unit_id,
                                      const std::string &origin) {
  json doc;
  try {
    doc = json::parse(value);
  } catch (const json::exception &) {
    fail(origin, "", "not JSON");
  }
  if (!doc.is_object() || doc.value("version", json()) != "v1")
    fail(origin, "version", "expected SPO's coverage schema \"v1\"");
  size_t total = count_at(member(doc, "total", origin, ""), origin, "total");
  if (total == 0) fail(origin, "total", "0 partial profiles");
  CoverageUnit unit;
  for (size_t i = 1; i <= total; ++i) unit.instances.insert(unit_id + "#" + std::to_string(i));
  unit.syscalls = counts_at(member(doc, "syscalls", origin, ""), total, origin, "syscalls");
  Coverage out;
  out.units[unit_id] = std::move(unit);
  return out;
}

}  // namespace syscope::seccomp
