// SPDX-License-Identifier: Apache-2.0
// cgroup path -> container by the names runtimes give their cgroup directories. Each path
// component is looked at on its own, from the root down, so parents chosen by the admin
// (--cgroup-parent, kubelet's --cgroup-root, rootless user slices) do not matter.
#include "syscope/containers/container_id.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace syscope::container {
namespace {

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool all_hex(std::string_view s) { return std::all_of(s.begin(), s.end(), is_lower_hex); }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Pod UIDs are UUIDs, except for static pods, whose UID is the 32-hex hash of their manifest.
std::optional<std::string> pod_uid_from(std::string_view s) {
  std::string uid(s);
  std::replace(uid.begin(), uid.end(), '_', '-');  // systemd slice names cannot hold '-'
  if (uid.size() == 32 && all_hex(uid)) return uid;
  if (uid.size() != 36) return std::nullopt;
  for (size_t i = 0; i < uid.size(); ++i) {
    bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here ? uid[i] != '-' : !is_lower_hex(uid[i])) return std::nullopt;
  }
  return uid;
}

// kubelet's pod cgroup: "pod<uid>" (cgroupfs) or "kubepods[-<qos>]-pod<uid_>.slice" (systemd).
std::optional<std::string> pod_uid_of_component(std::string_view c) {
  if (starts_with(c, "pod")) return pod_uid_from(c.substr(3));
  if (!ends_with(c, ".slice")) return std::nullopt;
  size_t at = c.rfind("-pod");
  if (at == std::string_view::npos) return std::nullopt;
  c.remove_suffix(6);
  return pod_uid_from(c.substr(at + 4));
}

struct Prefix {
  std::string_view text;
  Runtime runtime;
};

// Directory names that carry the runtime: "<prefix><id>" or "<prefix><id>.scope". The
// conmon monitors (crio-conmon-<id>, libpod-conmon-<id>) fail the id check, as they should:
// they run outside the container's seccomp filter.
constexpr std::array<Prefix, 4> NAMED_PREFIXES = {{
    {"docker-", Runtime::docker},
    {"cri-containerd-", Runtime::containerd},
    {"crio-", Runtime::crio},
    {"libpod-", Runtime::podman},
}};

// The OCI systemd cgroupsPath form "<slice>:<prefix>:<id>" as a literal directory name, which
// containerd leaves behind when the runtime and kubelet disagree about the cgroup driver.
constexpr std::array<Prefix, 3> COLON_PREFIXES = {{
    {"cri-containerd", Runtime::containerd},
    {"crio", Runtime::crio},
    {"docker", Runtime::docker},
}};

std::optional<Runtime> named_runtime(std::string_view c, std::string &id) {
  std::string_view name = c;
  if (ends_with(name, ".scope")) name.remove_suffix(6);
  for (const auto &p : NAMED_PREFIXES) {
    if (starts_with(name, p.text) && is_container_id(name.substr(p.text.size()))) {
      id = name.substr(p.text.size());
      return p.runtime;
    }
  }
  size_t last = c.rfind(':');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  size_t first = c.rfind(':', last - 1);
  if (first == std::string_view::npos || !is_container_id(c.substr(last + 1))) return std::nullopt;
  std::string_view prefix = c.substr(first + 1, last - first - 1);
  for (const auto &p : COLON_PREFIXES) {
    if (prefix == p.text) {
      id = c.substr(last + 1);
      return p.runtime;
    }
  }
  return std::nullopt;
}

// "0::/a/b" (a /proc/<pid>/cgroup line) or "a/b/" -> components {"a", "b"}.
std::vector<std::string_view> components_of(std::string_view path) {
  while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.remove_suffix(1);
  if (!path.empty() && path.front() != '/') {
    size_t colon = path.find(':');
    size_t second = colon == std::string_view::npos ? colon : path.find(':', colon + 1);
    bool hierarchy_line = colon != std::string_view::npos && colon > 0 &&
                          second != std::string_view::npos &&
                          std::all_of(path.begin(), path.begin() + colon,
                                      [](char c) { return c >= '0' && c <= '9'; });
    if (hierarchy_line) path.remove_prefix(second + 1);
  }
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty()) parts.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

std::string join(const std::vector<std::string_view> &parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += '/';
    out += parts[i];
  }
  return out.empty() ? "/" : out;
}

}  // namespace

std::string_view runtime_name(Runtime runtime) {
  switch (runtime) {
    case Runtime::docker: return "docker";
    case Runtime::containerd: return "containerd";
    case Runtime::crio: return "cri-o";
    case Runtime::podman: return "podman";
    case Runtime::kubernetes: return "kubernetes";
    case Runtime::unknown: break;
  }
  return "unknown";
}

bool is_container_id(std::string_view s) { return s.size() == 64 && all_hex(s); }

bool container_matches(std::string_view query, std::string_view name, std::string_view id) {
  if (!query.empty() && query.front() == '/') query.remove_prefix(1);
  if (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (query.empty()) return false;
  return query == name || id.substr(0, query.size()) == query;
}

bool image_matches(std::string_view query, std::string_view image) {
  if (query.empty() || image.empty()) return false;
  return image == query || image == std::string(query) + ":latest";
}

std::string short_id(std::string_view id) { return std::string(id.substr(0, 12)); }

std::string container_label(const std::string &name, const std::string &id,
                            const std::string &image, uint64_t cgroup_id, bool full) {
  std::string out = !name.empty() ? name
                    : !id.empty() ? short_id(id)
                                  : "cgroup " + std::to_string(cgroup_id);
  if (!full) return out;
  std::string details = !name.empty() && !id.empty() ? short_id(id) : "";
  if (!image.empty()) details += (details.empty() ? "" : ", ") + image;
  return details.empty() ? out : out + " (" + details + ")";
}

std::optional<ContainerRef> container_from_cgroup_path(std::string_view path) {
  std::vector<std::string_view> parts = components_of(path);
  bool in_kubepods = false;
  std::optional<std::string> pod_uid;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view c = parts[i];
    // Before the runtime check: "<slice>:cri-containerd:<id>" names the pod and the container.
    std::string_view slice = c.substr(0, c.find(':'));
    if (slice.find("kubepods") != std::string_view::npos) in_kubepods = true;
    if (in_kubepods)
      if (auto uid = pod_uid_of_component(slice)) pod_uid = std::move(uid);
    std::string id;
    std::optional<Runtime> runtime = named_runtime(c, id);
    if (!runtime && is_container_id(c)) {
      id = c;
      if (i > 0 && parts[i - 1] == "docker")
        runtime = Runtime::docker;
      else
        runtime = in_kubepods ? Runtime::kubernetes : Runtime::unknown;
    }
    if (runtime) {
      ContainerRef ref;
      ref.runtime = *runtime;
      ref.id = std::move(id);
      if (in_kubepods) ref.pod_uid = pod_uid;
      ref.path = join(parts, parts.size());
      ref.container_path = join(parts, i + 1);
      return ref;
    }
  }
  return std::nullopt;
}

}  // namespace syscope::container
