// SPDX-License-Identifier: Apache-2.0
// cgroup v2 path -> (runtime, container id, pod uid) for every layout Docker, containerd,
// CRI-O, podman and kubelet produce, and paths that must not be taken for containers.
#include <catch2/catch.hpp>

#include <string>

#include "syscope/containers/container_id.hpp"

using namespace syscope::container;

namespace {

const std::string ID = "3f4e1b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
const std::string ID2 = "605439acbd4fb18c145069289094b17f17e0cfa938f78012d4960bc797305f22";
const std::string POD = "ac04f3f2-1f2c-11e9-b015-1ebee232acfa";
const std::string POD_ = "ac04f3f2_1f2c_11e9_b015_1ebee232acfa";  // as systemd slices spell it

ContainerRef must_match(const std::string &path) {
  INFO("path: " << path);
  auto ref = container_from_cgroup_path(path);
  REQUIRE(ref);
  return *ref;
}

void must_not_match(const std::string &path) {
  INFO("path: " << path);
  CHECK_FALSE(container_from_cgroup_path(path));
}

}  // namespace

TEST_CASE("docker, cgroupfs driver: /docker/<id>", "[container]") {
  auto ref = must_match("/docker/" + ID);
  CHECK(ref.runtime == Runtime::docker);
  CHECK(ref.id == ID);
  CHECK_FALSE(ref.pod_uid);
  CHECK(ref.path == "/docker/" + ID);
  CHECK(ref.container_path == "/docker/" + ID);
  // dockerd in a non-root cgroup, or docker-in-docker seen from the host: still "docker/<id>".
  CHECK(must_match("/system.slice/docker/" + ID).runtime == Runtime::docker);
}

TEST_CASE("docker, systemd driver: docker-<id>.scope", "[container]") {
  auto ref = must_match("/system.slice/docker-" + ID + ".scope");
  CHECK(ref.runtime == Runtime::docker);
  CHECK(ref.id == ID);
  // --cgroup-parent=syscope.slice, rootless Docker under the user's manager
  CHECK(must_match("/syscope.slice/docker-" + ID + ".scope").id == ID);
  CHECK(
      must_match("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" + ID + ".scope")
          .runtime == Runtime::docker);
}

TEST_CASE("/proc/<pid>/cgroup lines and untidy paths are accepted", "[container]") {
  CHECK(must_match("0::/system.slice/docker-" + ID + ".scope\n").id == ID);
  CHECK(must_match("0::/docker/" + ID).runtime == Runtime::docker);
  CHECK(must_match("docker/" + ID + "/").path == "/docker/" + ID);
  CHECK(must_match("//docker//" + ID).container_path == "/docker/" + ID);
  // An absolute path under the mount works too: the mount's own components name nothing.
  CHECK(must_match("/sys/fs/cgroup/unified/docker/" + ID).id == ID);
}

TEST_CASE("a container's sub-cgroups belong to the container", "[container]") {
  auto init = must_match("/docker/" + ID + "/init");
  CHECK(init.id == ID);
  CHECK(init.path == "/docker/" + ID + "/init");
  CHECK(init.container_path == "/docker/" + ID);
  auto systemd = must_match("/system.slice/docker-" + ID + ".scope/system.slice/cron.service");
  CHECK(systemd.id == ID);
  CHECK(systemd.container_path == "/system.slice/docker-" + ID + ".scope");
  CHECK(must_match("/machine.slice/libpod-" + ID + ".scope/container").id == ID);
}

TEST_CASE("nested containers belong to the outermost one", "[container]") {
  // docker-in-docker with private cgroup namespaces: the host's dockerd knows only the outer.
  auto dind = must_match("/docker/" + ID + "/docker/" + ID2);
  CHECK(dind.id == ID);
  // kind: a Kubernetes node in a Docker container.
  auto kind = must_match("/system.slice/docker-" + ID +
                         ".scope/kubelet.slice/kubelet-kubepods.slice/"
                         "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" +
                         POD_ + ".slice/cri-containerd-" + ID2 + ".scope");
  CHECK(kind.id == ID);
  CHECK(kind.runtime == Runtime::docker);
  CHECK_FALSE(kind.pod_uid);
}

TEST_CASE("containerd CRI, systemd driver: kubepods slices and cri-containerd-<id>.scope",
          "[container]") {
  auto burstable = must_match("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                              POD_ + ".slice/cri-containerd-" + ID2 + ".scope");
  CHECK(burstable.runtime == Runtime::containerd);
  CHECK(burstable.id == ID2);
  CHECK(burstable.pod_uid == POD);
  auto guaranteed =
      must_match("/kubepods.slice/kubepods-pod" + POD_ + ".slice/cri-containerd-" + ID2 + ".scope");
  CHECK(guaranteed.pod_uid == POD);
  auto besteffort = must_match("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                               POD_ + ".slice/cri-containerd-" + ID2 + ".scope");
  CHECK(besteffort.pod_uid == POD);
  // Static pods' UIDs are 32-hex manifest hashes, not UUIDs.
  const std::string static_uid = "8f6c1e8e5d3a4c2b9f1e7d6c5b4a3921";
  CHECK(must_match("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + static_uid +
                   ".slice/cri-containerd-" + ID2 + ".scope")
            .pod_uid == static_uid);
  // The systemd cgroupsPath form left as a literal directory name.
  auto colon = must_match("/kubepods-besteffort-pod" + POD_ + ".slice:cri-containerd:" + ID2);
  CHECK(colon.runtime == Runtime::containerd);
  CHECK(colon.id == ID2);
  CHECK(colon.pod_uid == POD);
}

TEST_CASE("kubelet cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>", "[container]") {
  auto besteffort = must_match("/kubepods/besteffort/pod" + POD + "/" + ID2);
  CHECK(besteffort.runtime == Runtime::kubernetes);  // containerd or dockershim: path says not
  CHECK(besteffort.id == ID2);
  CHECK(besteffort.pod_uid == POD);
  CHECK(must_match("/kubepods/burstable/pod" + POD + "/" + ID2).pod_uid == POD);
  CHECK(must_match("/kubepods/pod" + POD + "/" + ID2).pod_uid == POD);  // guaranteed QoS
  auto crio = must_match("/kubepods/burstable/pod" + POD + "/crio-" + ID2);
  CHECK(crio.runtime == Runtime::crio);
  CHECK(crio.pod_uid == POD);
}

TEST_CASE("CRI-O: crio-<id>.scope, not crio-conmon-<id>.scope", "[container]") {
  auto ref = must_match("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ +
                        ".slice/crio-" + ID2 + ".scope");
  CHECK(ref.runtime == Runtime::crio);
  CHECK(ref.id == ID2);
  CHECK(ref.pod_uid == POD);
  CHECK(must_match("/machine.slice/crio-" + ID2 + ".scope").runtime == Runtime::crio);
  // conmon monitors the container from outside it: its calls are not the container's.
  must_not_match("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ +
                 ".slice/crio-conmon-" + ID2 + ".scope");
}

TEST_CASE("podman: libpod-<id>.scope, not libpod-conmon-<id>.scope", "[container]") {
  auto ref = must_match("/machine.slice/libpod-" + ID + ".scope");
  CHECK(ref.runtime == Runtime::podman);
  CHECK(ref.id == ID);
  CHECK_FALSE(ref.pod_uid);
  CHECK(must_match("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID +
                   ".scope/container")
            .runtime == Runtime::podman);
  CHECK(must_match("/libpod_parent/libpod-" + ID).runtime == Runtime::podman);  // cgroupfs
  must_not_match("/machine.slice/libpod-conmon-" + ID + ".scope");
  must_not_match("/libpod_parent/conmon");
}

TEST_CASE("a bare id elsewhere is a container of an unknown runtime", "[container]") {
  // docker run --cgroup-parent=/ci (cgroupfs driver): the Docker API can tell later.
  auto ref = must_match("/ci/" + ID);
  CHECK(ref.runtime == Runtime::unknown);
  CHECK(ref.id == ID);
  CHECK(runtime_name(ref.runtime) == "unknown");
}

TEST_CASE("cgroups that are not containers", "[container]") {
  must_not_match("/");
  must_not_match("");
  must_not_match("0::/");
  must_not_match("/user.slice/user-1000.slice/session-3.scope");
  must_not_match("/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service");
  must_not_match("/system.slice/docker.service");
  must_not_match("/system.slice/containerd.service");
  must_not_match("/system.slice/docker.socket");
  must_not_match("/docker");
  must_not_match("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ +
                 ".slice");
  must_not_match("/kubepods/besteffort/pod" + POD);
  must_not_match("/docker/" + ID.substr(1));  // 63 hex digits
  must_not_match("/docker/" + ID + "0");      // 65
  must_not_match("/system.slice/docker-" + ID.substr(1) + ".scope");
  std::string upper = ID;
  for (auto &c : upper) c = static_cast<char>(std::toupper(c));
  must_not_match("/docker/" + upper);                         // ids are lowercase
  must_not_match("/system.slice/docker-" + ID + ".service");  // wrong unit type
  must_not_match("/system.slice/" + ID + "x.scope");
  must_not_match("/system.slice/rkt-" + ID + ".scope");  // runtime we do not know
}

TEST_CASE("id helpers", "[container]") {
  CHECK(is_container_id(ID));
  CHECK_FALSE(is_container_id(ID.substr(2)));
  CHECK_FALSE(is_container_id(std::string(64, 'g')));
  CHECK(short_id(ID) == "3f4e1b2a9c8d");
  CHECK(runtime_name(Runtime::crio) == "cri-o");
  CHECK(runtime_name(Runtime::docker) == "docker");
}

TEST_CASE("a container query matches its name or an id prefix, as docker takes them",
          "[container]") {
  CHECK(container_matches("web", "web", ID));
  CHECK(container_matches("/web", "web", ID));  // Docker's API writes names with a slash
  CHECK(container_matches("web", "/web", ID));
  CHECK(container_matches("3f4e", "web", ID));      // id prefix
  CHECK(container_matches(ID, "", ID));             // whole id, container without a name
  CHECK_FALSE(container_matches("we", "web", ID));  // names match whole, never by prefix
  CHECK_FALSE(container_matches("", "", ID));       // an empty query names nothing
  CHECK_FALSE(container_matches("/", "web", ID));
  CHECK_FALSE(container_matches("3f4e", "web", ""));
}
