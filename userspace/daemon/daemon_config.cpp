// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/daemon_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"
#include "syscope/base/text.hpp"
#include "syscope/daemon/metrics_server.hpp"

namespace syscope::daemon {
namespace {

[[noreturn]] void bad(const std::string &path, const std::string &key, const std::string &why) {
  throw Error(Exit::usage, path + ": " + (key.empty() ? "" : "\"" + printable(key) + "\": ") + why);
}

std::string scalar(const YAML::Node &node, const std::string &path, const std::string &key) {
  if (!node.IsScalar()) bad(path, key, "expected a single value");
  return node.Scalar();
}

bool boolean(const YAML::Node &node, const std::string &path, const std::string &key) {
  std::string v = scalar(node, path, key);
  if (v == "true" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "no" || v == "off") return false;
  bad(path, key, "expected true or false, not \"" + printable(v) + "\"");
}

uint64_t number(const YAML::Node &node, const std::string &path, const std::string &key,
                uint64_t min, uint64_t max) {
  std::string v = scalar(node, path, key);
  errno = 0;
  char *end = nullptr;
  unsigned long long n = v.empty() || !std::isdigit(static_cast<unsigned char>(v[0]))
                             ? 0
                             : std::strtoull(v.c_str(), &end, 10);
  if (!end || *end || errno || n < min || n > max)
    bad(path, key,
        "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
            ", not \"" + printable(v) + "\"");
  return n;
}

std::vector<DryRunSetting> dry_run_settings(const YAML::Node &node, const std::string &path) {
  if (node.IsNull()) return {};
  if (!node.IsSequence())
    bad(path, "dry_run", "expected a list of {container: NAME, profile: FILE} entries");
  std::vector<DryRunSetting> out;
  for (size_t i = 0; i < node.size(); ++i) {
    std::string where = "dry_run[" + std::to_string(i) + "]";
    const YAML::Node &entry = node[i];
    if (!entry.IsMap()) bad(path, where, "expected {container: NAME, profile: FILE}");
    DryRunSetting s;
    s.where = path + ": " + where;
    for (const auto &item : entry) {
      std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
      std::string full = where + "." + key;
      if (key == "container")
        s.container = scalar(item.second, path, full);
      else if (key == "image")
        s.image = scalar(item.second, path, full);
      else if (key == "profile")
        s.profile = scalar(item.second, path, full);
      else
        bad(path, full, "unknown key (container, image, profile)");
    }
    if (s.container.empty() == s.image.empty())
      bad(path, where, "give exactly one of container and image");
    if (s.profile.empty()) bad(path, where, "profile (a candidate profile file) is missing");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

DryRunSetting parse_dry_run_flag(const std::string &text) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw Error(Exit::usage,
                "--dry-run: expected CONTAINER=PROFILE, not \"" + printable(text) + "\"");
  DryRunSetting s;
  s.container = text.substr(0, eq);
  s.profile = text.substr(eq + 1);
  s.where = "--dry-run " + printable(text);
  return s;
}

std::chrono::seconds parse_duration(const std::string &text, const std::string &what) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit = text.substr(digits);
  uint64_t scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1;
  else if (unit == "m")
    scale = 60;
  else if (unit == "h")
    scale = 3600;
  else if (unit == "d")
    scale = 86400;
  if (digits == 0 || digits > 12 || scale == 0)
    throw Error(Exit::usage, what + ": expected a duration such as 7d, 12h, 30m or 45s, not \"" +
                                 printable(text) + "\"");
  return std::chrono::seconds(std::stoull(text.substr(0, digits)) * scale);
}

void apply_config_file(DaemonConfig &config, const std::string &path) {
  FileText file = read_regular_file(path, 1 << 20);
  if (!file.error.empty()) throw Error(Exit::usage, path + ": " + file.error);
  YAML::Node root;
  try {
    root = YAML::Load(file.text);
  } catch (const YAML::Exception &e) {
    bad(path, "", "not YAML: " + e.msg + " (line " + std::to_string(e.mark.line + 1) + ")");
  }
  if (root.IsNull()) return;  // an empty file: the defaults
  if (!root.IsMap()) bad(path, "", "expected a mapping of settings");
  for (const auto &item : root) {
    std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    const YAML::Node &v = item.second;
    if (key == "state_dir")
      config.state_dir = scalar(v, path, key);
    else if (key == "socket")
      config.socket = scalar(v, path, key);
    else if (key == "socket_group")
      config.socket_group = scalar(v, path, key);
    else if (key == "pin_dir")
      config.pin_dir = v.IsNull() ? "" : scalar(v, path, key);
    else if (key == "keep_attached")
      config.keep_attached = boolean(v, path, key);
    else if (key == "keep_removed")
      config.keep_removed = parse_duration(scalar(v, path, key), path + ": keep_removed");
    else if (key == "docker_socket")
      config.docker_socket = scalar(v, path, key);
    else if (key == "podman_socket")
      config.podman_socket = scalar(v, path, key);
    else if (key == "ring_mib") {
      config.ring_mib = static_cast<uint32_t>(number(v, path, key, 1, 1024));
      if (config.ring_mib & (config.ring_mib - 1)) bad(path, key, "must be a power of two");
    } else if (key == "flight_mib_per_container")
      config.flight_mib_per_container = static_cast<uint32_t>(number(v, path, key, 1, 1024));
    else if (key == "flight_mib_total")
      config.flight_mib_total = static_cast<uint32_t>(number(v, path, key, 1, 16384));
    else if (key == "flush_interval_ms")
      config.flush_interval = std::chrono::milliseconds(number(v, path, key, 100, 600000));
    else if (key == "verbose")
      config.verbose = boolean(v, path, key);
    else if (key == "args")
      config.args = boolean(v, path, key);
    else if (key == "confine")
      config.confine = boolean(v, path, key);
    else if (key == "self_profile")
      config.self_profile = scalar(v, path, key);
    else if (key == "dry_run")
      config.dry_run = dry_run_settings(v, path);
    else if (key == "metrics") {
      std::string text = scalar(v, path, key);  // `metrics: 9090` is a number in YAML: fine
      metrics::parse_metrics_address(text, path + ": metrics");
      config.metrics = text;
    } else if (key == "metrics_keep_exited")
      config.metrics_keep_exited =
          parse_duration(scalar(v, path, key), path + ": metrics_keep_exited");
    else
      bad(path, key, "unknown setting (see README: run it as a service)");
  }
}

}  // namespace syscope::daemon
