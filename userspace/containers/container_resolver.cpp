// SPDX-License-Identifier: Apache-2.0
// Per-cgroup-id cache in front of CgroupPaths, container_from_cgroup_path() and DockerClient.
// Negative answers are cached too (most cgroups are not containers); failed API calls are not.
#include "syscope/containers/container_resolver.hpp"

#include <algorithm>
#include <memory>

#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/mountinfo.hpp"

namespace syscope::container {

std::string ContainerInfo::display_name() const {
  if (metadata && !metadata->name.empty()) return metadata->name;
  if (container) return short_id(container->id);
  if (cgroup_path) return "cgroup " + *cgroup_path;
  return "cgroup " + std::to_string(cgroup_id);
}

ContainerResolver ContainerResolver::create(const std::optional<std::string> &docker_socket,
                                            bool query_docker) {
  auto paths = std::make_shared<cgroup::CgroupPaths>(cgroup::cgroup2_mount());
  PathLookup path_of = [paths](uint64_t id) { return paths->path_of(id); };
  Inspect inspect;
  if (query_docker) {
    auto client = std::make_shared<docker::DockerClient>(
        docker::DockerClient::from_environment(docker_socket));
    inspect = [client](const std::string &name_or_id) { return client->inspect(name_or_id); };
  }
  return ContainerResolver(std::move(path_of), std::move(inspect), Options{});
}

ContainerResolver::ContainerResolver(PathLookup path_of, Inspect inspect, Options options)
    : path_of_(std::move(path_of)), inspect_(std::move(inspect)), options_(options) {}

void ContainerResolver::attribute(Entry &entry, const std::string &path) {
  entry.info.cgroup_path = path;
  entry.info.container = container_from_cgroup_path(path);
  if (entry.info.container) ask_docker(entry);
}

void ContainerResolver::ask_docker(Entry &entry) {
  entry.retry_metadata_at.reset();
  if (!inspect_) return;
  auto now = std::chrono::steady_clock::now();
  // One unreachable daemon answer holds for every container until the retry time, so that a
  // burst of new cgroups does not wait out one timeout each.
  if (api_down_until_ && now < *api_down_until_) {
    entry.info.metadata_error = api_down_error_;
    entry.retry_metadata_at = *api_down_until_;
    return;
  }
  ContainerRef &ref = *entry.info.container;
  auto reply = inspect_(ref.id);
  switch (reply.status) {
    case docker::ApiStatus::ok:
      // dockershim and --cgroup-parent paths do not name the runtime; Docker knowing the id
      // does. (A podman socket behind DOCKER_HOST answers for libpod ids: they stay podman.)
      if (ref.runtime == Runtime::unknown || ref.runtime == Runtime::kubernetes)
        ref.runtime = Runtime::docker;
      entry.info.metadata = std::move(reply.value);
      entry.info.metadata_error.clear();
      api_down_until_.reset();
      return;
    case docker::ApiStatus::not_found:
      entry.info.metadata_error = reply.error;  // another runtime's container, or removed
      api_down_until_.reset();
      return;
    case docker::ApiStatus::unreachable:
      api_down_until_ = now + options_.metadata_retry;
      api_down_error_ = reply.error;
      [[fallthrough]];
    case docker::ApiStatus::failed:
      entry.info.metadata_error = reply.error;
      entry.retry_metadata_at = now + options_.metadata_retry;
      return;
  }
}

const ContainerInfo &ContainerResolver::resolve(uint64_t cgroup_id) {
  if (auto it = cache_.find(cgroup_id); it != cache_.end()) {
    Entry &entry = it->second;
    if (entry.retry_metadata_at && std::chrono::steady_clock::now() >= *entry.retry_metadata_at)
      ask_docker(entry);
    return entry.info;
  }
  Entry &entry = cache_[cgroup_id];
  entry.info.cgroup_id = cgroup_id;
  if (auto path = path_of_(cgroup_id)) {
    attribute(entry, *path);
  } else {
    entry.info.cgroup_gone = true;
    if (auto noted = noted_paths_.find(cgroup_id); noted != noted_paths_.end())
      attribute(entry, noted->second);
  }
  return entry.info;
}

void ContainerResolver::note_path(uint64_t cgroup_id, const std::string &path) {
  noted_paths_[cgroup_id] = path;
  if (auto it = cache_.find(cgroup_id); it != cache_.end() && !it->second.info.cgroup_path)
    attribute(it->second, path);
}

docker::ApiResult<docker::ContainerMetadata> ContainerResolver::find(
    const std::string &name_or_id) {
  if (!inspect_) {
    docker::ApiResult<docker::ContainerMetadata> r;
    r.status = docker::ApiStatus::unreachable;
    r.error = "Docker not reachable: the Docker API is not used";
    return r;
  }
  return inspect_(name_or_id);
}

std::vector<const ContainerInfo *> ContainerResolver::known_cgroups_of(
    const std::string &name_or_id_prefix) const {
  std::vector<const ContainerInfo *> out;
  for (const auto &[id, entry] : cache_) {
    const ContainerInfo &info = entry.info;
    if (!info.container) continue;
    if (container_matches(name_or_id_prefix, info.metadata ? info.metadata->name : "",
                          info.container->id))
      out.push_back(&info);
  }
  std::sort(out.begin(), out.end(), [](const ContainerInfo *a, const ContainerInfo *b) {
    return a->cgroup_id < b->cgroup_id;
  });
  return out;
}

void ContainerResolver::forget(uint64_t cgroup_id) { cache_.erase(cgroup_id); }

}  // namespace syscope::container
