// SPDX-License-Identifier: Apache-2.0
// ContainerResolver with fake path and Docker lookups: caching (negative results included),
// metadata retry after a failed call, containers gone before they were resolved, no API.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "syscope/containers/container_resolver.hpp"

using namespace syscope;
using namespace syscope::container;

namespace {

const std::string ID = "3f4e1b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
const std::string ID2 = "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22";

struct Fakes {
  std::map<uint64_t, std::string> paths;
  std::map<std::string, docker::ContainerMetadata> containers;  // by id
  docker::ApiStatus down = docker::ApiStatus::ok;               // not ok: every call answers this
  int path_calls = 0;
  int inspect_calls = 0;

  ContainerResolver resolver(std::chrono::milliseconds retry = std::chrono::milliseconds(60000)) {
    auto path_of = [this](uint64_t id) -> std::optional<std::string> {
      ++path_calls;
      auto it = paths.find(id);
      if (it == paths.end()) return std::nullopt;
      return it->second;
    };
    auto inspect = [this](const std::string &name_or_id) {
      ++inspect_calls;
      docker::ApiResult<docker::ContainerMetadata> r;
      if (down != docker::ApiStatus::ok) {
        r.status = down;
        r.error = "Docker not reachable: /x.sock: No such file or directory";
        return r;
      }
      for (const auto &[id, m] : containers) {
        if (id.rfind(name_or_id, 0) == 0 || m.name == name_or_id) {
          r.status = docker::ApiStatus::ok;
          r.value = m;
          return r;
        }
      }
      r.status = docker::ApiStatus::not_found;
      r.error = "no such container: " + name_or_id;
      return r;
    };
    return ContainerResolver(path_of, inspect, ContainerResolver::Options{retry});
  }

  void add_container(const std::string &id, const std::string &name) {
    docker::ContainerMetadata m;
    m.id = id;
    m.name = name;
    containers[id] = m;
  }
};

}  // namespace

TEST_CASE("resolver: container with metadata, cached", "[container]") {
  Fakes f;
  f.paths[42] = "/system.slice/docker-" + ID + ".scope";
  f.add_container(ID, "web");
  auto r = f.resolver();
  const ContainerInfo &info = r.resolve(42);
  REQUIRE(info.is_container());
  CHECK(info.container->runtime == Runtime::docker);
  CHECK(info.container->id == ID);
  REQUIRE(info.metadata);
  CHECK(info.metadata->name == "web");
  CHECK(info.display_name() == "web");
  CHECK_FALSE(info.cgroup_gone);
  r.resolve(42);
  CHECK(f.path_calls == 1);
  CHECK(f.inspect_calls == 1);
  CHECK(r.known_cgroups_of("web").size() == 1);
  CHECK(r.known_cgroups_of(ID.substr(0, 5)).size() == 1);
  CHECK(r.known_cgroups_of("nope").empty());
}

TEST_CASE("resolver: cgroups that are not containers are cached as such", "[container]") {
  Fakes f;
  f.paths[7] = "/user.slice/user-1000.slice/session-2.scope";
  auto r = f.resolver();
  const ContainerInfo &info = r.resolve(7);
  CHECK_FALSE(info.is_container());
  CHECK(info.cgroup_path == "/user.slice/user-1000.slice/session-2.scope");
  CHECK(info.display_name() == "cgroup /user.slice/user-1000.slice/session-2.scope");
  r.resolve(7);
  CHECK(f.path_calls == 1);
  CHECK(f.inspect_calls == 0);
}

TEST_CASE("resolver: without the API, attribution by runtime and id", "[container]") {
  Fakes f;
  f.paths[42] = "/docker/" + ID;
  f.down = docker::ApiStatus::unreachable;
  auto r = f.resolver();
  const ContainerInfo &info = r.resolve(42);
  REQUIRE(info.is_container());
  CHECK(info.container->runtime == Runtime::docker);
  CHECK_FALSE(info.metadata);
  CHECK(info.metadata_error.find("not reachable") != std::string::npos);
  CHECK(info.display_name() == "3f4e1b2a9c8d");
  CHECK(r.known_cgroups_of(ID.substr(0, 12)).size() == 1);
  CHECK(r.find("web").status == docker::ApiStatus::unreachable);

  // One unreachable answer covers other new containers until the retry time.
  f.paths[43] = "/docker/" + ID2;
  int calls = f.inspect_calls;
  CHECK(r.resolve(43).is_container());
  CHECK(f.inspect_calls == calls);

  // Resolver without the API at all.
  ContainerResolver bare([&f](uint64_t id) -> std::optional<std::string> { return f.paths[id]; },
                         nullptr);
  CHECK(bare.resolve(42).container->id == ID);
  CHECK(bare.find(ID).status == docker::ApiStatus::unreachable);
}

TEST_CASE("resolver: failed metadata is retried, found metadata is not", "[container]") {
  Fakes f;
  f.paths[42] = "/docker/" + ID;
  f.add_container(ID, "web");
  f.down = docker::ApiStatus::failed;
  auto r = f.resolver(std::chrono::milliseconds(0));
  CHECK_FALSE(r.resolve(42).metadata);
  f.down = docker::ApiStatus::ok;
  const ContainerInfo &info = r.resolve(42);
  REQUIRE(info.metadata);
  CHECK(info.metadata->name == "web");
  CHECK(info.metadata_error.empty());
  int calls = f.inspect_calls;
  r.resolve(42);
  CHECK(f.inspect_calls == calls);
}

TEST_CASE("resolver: not found in Docker is final; unknown runtime becomes docker when known",
          "[container]") {
  Fakes f;
  f.paths[1] = "/machine.slice/libpod-" + ID2 + ".scope";
  f.paths[2] = "/ci/" + ID;  // docker run --cgroup-parent=/ci
  f.paths[3] = "/kubepods/besteffort/podac04f3f2-1f2c-11e9-b015-1ebee232acfa/" + ID2;
  f.add_container(ID, "ci-job");
  auto r = f.resolver(std::chrono::milliseconds(0));
  const ContainerInfo &podman = r.resolve(1);
  CHECK(podman.container->runtime == Runtime::podman);
  CHECK_FALSE(podman.metadata);
  CHECK(podman.metadata_error == "no such container: " + ID2);
  int calls = f.inspect_calls;
  r.resolve(1);
  CHECK(f.inspect_calls == calls);
  CHECK(r.resolve(2).container->runtime == Runtime::docker);
  CHECK(r.resolve(3).container->runtime == Runtime::kubernetes);  // containerd: Docker says no
}

TEST_CASE("resolver: a container gone before it was resolved", "[container]") {
  Fakes f;
  auto r = f.resolver();
  // Never seen: only the cgroup id is known.
  const ContainerInfo &unknown = r.resolve(99);
  CHECK(unknown.cgroup_gone);
  CHECK_FALSE(unknown.cgroup_path);
  CHECK_FALSE(unknown.is_container());
  CHECK(unknown.display_name() == "cgroup 99");
  // Its path was seen once (a mkdir event), before or after the first resolve: attributed.
  r.note_path(99, "/system.slice/docker-" + ID + ".scope");
  const ContainerInfo &late = r.resolve(99);
  REQUIRE(late.is_container());
  CHECK(late.container->id == ID);
  CHECK(late.cgroup_gone);
  r.note_path(100, "/docker/" + ID2);
  const ContainerInfo &early = r.resolve(100);
  REQUIRE(early.is_container());
  CHECK(early.container->id == ID2);
  CHECK(early.metadata_error == "no such container: " + ID2);  // docker run --rm: removed
}

TEST_CASE("resolver: forget() reads the cgroup again", "[container]") {
  Fakes f;
  f.paths[5] = "/docker/" + ID;
  auto r = f.resolver();
  r.resolve(5);
  r.forget(5);
  r.resolve(5);
  CHECK(f.path_calls == 2);
}
