// SPDX-License-Identifier: Apache-2.0
// Docker Engine API replies (inspect, list, info; API 1.41 as Docker 20.10 sends them) -> structs.
// Docker writes null for empty lists and maps (SecurityOpt, Labels), so every field is optional.
#include <nlohmann/json.hpp>

#include "syscope/containers/docker_client.hpp"

namespace syscope::docker {
namespace {

using nlohmann::json;

const json &member(const json &obj, const char *key) {
  static const json null_value;
  if (!obj.is_object()) return null_value;
  auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

std::string string_at(const json &obj, const char *key) {
  const json &v = member(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

bool bool_at(const json &obj, const char *key) {
  const json &v = member(obj, key);
  return v.is_boolean() && v.get<bool>();
}

std::vector<std::string> strings_at(const json &obj, const char *key) {
  std::vector<std::string> out;
  const json &v = member(obj, key);
  if (v.is_array())
    for (const auto &item : v)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

std::string without_slash(std::string name) {
  if (!name.empty() && name.front() == '/') name.erase(0, 1);
  return name;
}

template <typename T> ApiResult<T> malformed(const std::string &what) {
  ApiResult<T> r;
  r.status = ApiStatus::failed;
  r.error = "malformed reply from Docker: " + what;
  return r;
}

template <typename T> ApiResult<T> success(T value) {
  ApiResult<T> r;
  r.status = ApiStatus::ok;
  r.value = std::move(value);
  return r;
}

std::optional<json> parse_json(std::string_view text, std::string &error) {
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    error = "not JSON";
    return std::nullopt;
  }
  return doc;
}

}  // namespace

ApiResult<ContainerMetadata> parse_inspect(std::string_view text) {
  std::string error;
  auto doc = parse_json(text, error);
  if (!doc) return malformed<ContainerMetadata>(error);
  if (!doc->is_object() || !member(*doc, "Id").is_string())
    return malformed<ContainerMetadata>("container inspect without an Id");
  const json &config = member(*doc, "Config");
  const json &host = member(*doc, "HostConfig");
  const json &state = member(*doc, "State");

  ContainerMetadata m;
  m.id = string_at(*doc, "Id");
  m.name = without_slash(string_at(*doc, "Name"));
  m.image = string_at(config, "Image");
  m.image_id = string_at(*doc, "Image");
  m.command = strings_at(config, "Entrypoint");
  for (auto &arg : strings_at(config, "Cmd")) m.command.push_back(std::move(arg));
  if (m.command.empty() && member(*doc, "Path").is_string() && !string_at(*doc, "Path").empty()) {
    m.command.push_back(string_at(*doc, "Path"));
    for (auto &arg : strings_at(*doc, "Args")) m.command.push_back(std::move(arg));
  }
  const json &labels = member(config, "Labels");
  if (labels.is_object())
    for (const auto &[key, value] : labels.items())
      if (value.is_string()) m.labels[key] = value.get<std::string>();
  if (auto it = m.labels.find("io.kubernetes.pod.name"); it != m.labels.end())
    m.pod_name = it->second;
  if (auto it = m.labels.find("io.kubernetes.pod.namespace"); it != m.labels.end())
    m.pod_namespace = it->second;
  m.security_opt = strings_at(host, "SecurityOpt");
  m.privileged = bool_at(host, "Privileged");
  m.cgroup_parent = string_at(host, "CgroupParent");
  const json &pid = member(state, "Pid");
  m.pid = pid.is_number_integer() ? pid.get<int>() : 0;
  m.running = bool_at(state, "Running");
  m.status = string_at(state, "Status");
  m.created = string_at(*doc, "Created");
  m.started_at = string_at(state, "StartedAt");
  m.finished_at = string_at(state, "FinishedAt");
  return success(std::move(m));
}

ApiResult<std::vector<ContainerSummary>> parse_container_list(std::string_view text) {
  std::string error;
  auto doc = parse_json(text, error);
  if (!doc) return malformed<std::vector<ContainerSummary>>(error);
  if (!doc->is_array())
    return malformed<std::vector<ContainerSummary>>("container list is not an array");
  std::vector<ContainerSummary> out;
  for (const auto &entry : *doc) {
    if (!member(entry, "Id").is_string()) continue;
    ContainerSummary c;
    c.id = string_at(entry, "Id");
    for (auto &name : strings_at(entry, "Names")) c.names.push_back(without_slash(name));
    c.image = string_at(entry, "Image");
    c.state = string_at(entry, "State");
    out.push_back(std::move(c));
  }
  return success(std::move(out));
}

ApiResult<EngineInfo> parse_info(std::string_view text) {
  std::string error;
  auto doc = parse_json(text, error);
  if (!doc) return malformed<EngineInfo>(error);
  if (!doc->is_object()) return malformed<EngineInfo>("info is not an object");
  EngineInfo info;
  info.server_version = string_at(*doc, "ServerVersion");
  info.cgroup_driver = string_at(*doc, "CgroupDriver");
  info.cgroup_version = string_at(*doc, "CgroupVersion");
  info.security_options = strings_at(*doc, "SecurityOptions");
  // Entries are comma-separated key=value pairs: "name=seccomp,profile=default".
  for (const auto &option : info.security_options) {
    if (option != "name=seccomp" && option.rfind("name=seccomp,", 0) != 0) continue;
    info.seccomp_profile = "";
    size_t at = option.find(",profile=");
    if (at != std::string::npos) {
      size_t begin = at + 9;
      info.seccomp_profile = option.substr(begin, option.find(',', begin) - begin);
    }
  }
  return success(std::move(info));
}

std::string parse_error_message(std::string_view body) {
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  const json &message = member(doc, "message");
  if (message.is_string()) return message.get<std::string>();
  std::string text(body);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::optional<std::string> seccomp_option(const ContainerMetadata &container) {
  std::optional<std::string> found;
  // "seccomp:x" is the syntax Docker accepted before 1.13; the last occurrence wins, as in dockerd.
  for (const auto &opt : container.security_opt)
    if (opt.rfind("seccomp=", 0) == 0 || opt.rfind("seccomp:", 0) == 0) found = opt.substr(8);
  return found;
}

bool runs_unconfined(const ContainerMetadata &container) {
  return container.privileged || seccomp_option(container) == "unconfined";
}

}  // namespace syscope::docker
