// SPDX-License-Identifier: Apache-2.0
// Which container a cgroup v2 path belongs to, from the directory names container runtimes
// give their cgroups (Docker, containerd/CRI, CRI-O, podman; cgroupfs and systemd drivers).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syscope::container {

enum class Runtime {
  docker,      // /docker/<id> (cgroupfs driver), docker-<id>.scope (systemd driver)
  containerd,  // cri-containerd-<id>.scope, ...slice:cri-containerd:<id>
  crio,        // crio-<id>.scope, crio-<id> (cgroupfs)
  podman,      // libpod-<id>.scope, /libpod_parent/libpod-<id> (cgroupfs)
  kubernetes,  // /kubepods/.../pod<uid>/<id>: containerd or dockershim, the path does not say
  unknown,     // a bare 64-hex directory elsewhere, e.g. docker run --cgroup-parent=/x
};

// "docker", "containerd", "cri-o", "podman", "kubernetes", "unknown".
std::string_view runtime_name(Runtime runtime);

struct ContainerRef {
  Runtime runtime = Runtime::unknown;
  std::string id;                      // 64 lowercase hex digits
  std::optional<std::string> pod_uid;  // Kubernetes pod UID with dashes, when the path has one
  std::string path;                    // the cgroup path asked about, normalised
  std::string container_path;          // its ancestor (or itself) named after the container
};

// The container a cgroup v2 path belongs to: a path relative to the cgroup2 mount
// ("/system.slice/docker-<id>.scope") or a /proc/<pid>/cgroup line ("0::/docker/<id>").
// Sub-cgroups of a container (systemd inside it, /docker/<id>/init) belong to that container;
// nested containers (docker-in-docker, kind) to the outermost one, the one the host's runtime
// knows. nullopt for anything else, including conmon's crio-conmon-/libpod-conmon- scopes.
std::optional<ContainerRef> container_from_cgroup_path(std::string_view path);

// True for exactly 64 lowercase hex digits, the form of Docker/OCI container ids.
bool is_container_id(std::string_view s);

// Whether a user's container query names this container, as `docker` takes names and ids: its
// exact name ("web", or Docker's API form "/web") or a prefix of its id. An empty query matches
// nothing. watch --container, trace show --container and the resolver all decide through here.
bool container_matches(std::string_view query, std::string_view name, std::string_view id);
// Whether an image query names the image a container was run with: the same reference, or the
// query without a tag and the image at ":latest" (docker's own default).
bool image_matches(std::string_view query, std::string_view image);

// The first 12 digits, as `docker ps` shows ids.
std::string short_id(std::string_view id);

// How a container is shown to people: its name, else its short id, else "cgroup <id>"; with
// `full` the short id and image follow in parentheses: "web (3f2a9c1b0e7d, nginx:1.25)".
std::string container_label(const std::string &name, const std::string &id,
                            const std::string &image, uint64_t cgroup_id, bool full);

}  // namespace syscope::container
