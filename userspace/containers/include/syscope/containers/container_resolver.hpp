// SPDX-License-Identifier: Apache-2.0
// cgroup id -> cgroup path -> runtime + container id -> Docker metadata, cached per cgroup id.
// Attribution needs only the path; the Docker API, when reachable, adds names and settings.
// Not thread-safe: one owner (the event loop) asks.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "syscope/containers/container_id.hpp"
#include "syscope/containers/docker_client.hpp"

namespace syscope::container {

struct ContainerInfo {
  uint64_t cgroup_id = 0;
  std::optional<std::string> cgroup_path;             // nullopt: gone before its path was ever seen
  bool cgroup_gone = false;                           // no cgroup has this id any more
  std::optional<ContainerRef> container;              // nullopt: not a container, or unknown (gone)
  std::optional<docker::ContainerMetadata> metadata;  // when the Docker API knows the container
  std::string metadata_error;  // why metadata is missing for a container, for messages

  bool is_container() const { return container.has_value(); }
  // Docker's name, else the short id, else "cgroup <path or id>": for messages and file names.
  std::string display_name() const;
};

class ContainerResolver {
 public:
  // Lookups the resolver is built from; tests pass fakes.
  using PathLookup = std::function<std::optional<std::string>(uint64_t cgroup_id)>;
  using Inspect = std::function<docker::ApiResult<docker::ContainerMetadata>(const std::string &)>;

  struct Options {
    // After a failed (unreachable, HTTP error) metadata lookup, the next resolve() of the same
    // cgroup asks again only after this long, so a missing daemon costs one timeout, not one
    // per event.
    std::chrono::milliseconds metadata_retry{2000};
  };

  // The real thing: cgroup::CgroupPaths on cgroup2_mount() (Exit::environment without one)
  // and a DockerClient on docker_socket / DOCKER_HOST / the default; query_docker false:
  // attribution from paths only.
  static ContainerResolver create(const std::optional<std::string> &docker_socket,
                                  bool query_docker = true);
  // inspect may be empty: no Docker API at all.
  ContainerResolver(PathLookup path_of, Inspect inspect, Options options);
  ContainerResolver(PathLookup path_of, Inspect inspect)
      : ContainerResolver(std::move(path_of), std::move(inspect), Options{}) {}

  // Everything known about a cgroup id. The first call for an id reads the path (and asks
  // Docker for containers); later calls answer from the cache, except to retry metadata.
  // The reference stays valid until forget() of the same id.
  const ContainerInfo &resolve(uint64_t cgroup_id);

  // Records a path learned elsewhere (a cgroup mkdir event, /proc/<pid>/cgroup), so that a
  // container that exits before resolve() is still attributed to its id.
  void note_path(uint64_t cgroup_id, const std::string &path);

  // A container by full id, unique id prefix or name, from the Docker API.
  docker::ApiResult<docker::ContainerMetadata> find(const std::string &name_or_id);

  // Resolved cgroups of the container with this Docker name or whose id starts with this
  // prefix, sorted by cgroup id; by id it works without the API, from the paths seen so far.
  std::vector<const ContainerInfo *> known_cgroups_of(const std::string &name_or_id_prefix) const;

  // Drops the cache entry of a cgroup id, e.g. to read fresh metadata (State) at the end.
  void forget(uint64_t cgroup_id);

 private:
  struct Entry {
    ContainerInfo info;
    std::optional<std::chrono::steady_clock::time_point> retry_metadata_at;
  };
  void ask_docker(Entry &entry);
  void attribute(Entry &entry, const std::string &path);

  PathLookup path_of_;
  Inspect inspect_;
  Options options_;
  std::unordered_map<uint64_t, Entry> cache_;
  std::unordered_map<uint64_t, std::string> noted_paths_;
  std::optional<std::chrono::steady_clock::time_point> api_down_until_;
  std::string api_down_error_;
};

}  // namespace syscope::container
