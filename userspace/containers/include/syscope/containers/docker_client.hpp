// SPDX-License-Identifier: Apache-2.0
// Docker Engine API over its unix socket (libcurl): list, inspect, info. Replies, including an
// unreachable daemon, are values; whether that ends the run is the caller's decision.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syscope::docker {

enum class ApiStatus {
  ok,
  not_found,    // 404: no such container
  unreachable,  // no socket, connection refused, no answer in time, DOCKER_HOST not unix://
  failed,       // any other HTTP error (with the daemon's message), or a malformed reply
};

template <typename T> struct ApiResult {
  ApiStatus status = ApiStatus::failed;
  std::optional<T> value;  // set exactly when status is ok
  std::string error;       // one line: "Docker not reachable: ...", "no such container: x"
  bool ok() const { return status == ApiStatus::ok; }
};

struct ContainerSummary {  // one entry of GET /containers/json
  std::string id;
  std::vector<std::string> names;  // without Docker's leading '/'
  std::string image;
  std::string state;  // created, running, paused, restarting, removing, exited, dead
};

struct ContainerMetadata {  // GET /containers/<id>/json
  std::string id;
  std::string name;      // without the leading '/'
  std::string image;     // Config.Image, as given to docker run ("busybox:latest")
  std::string image_id;  // "sha256:..."
  // What it runs: Config.Entrypoint + Config.Cmd, else Path + Args (podman's and older
  // replies). The daemon groups containers of one image by it.
  std::vector<std::string> command;
  std::map<std::string, std::string> labels;
  std::optional<std::string> pod_name;       // label io.kubernetes.pod.name
  std::optional<std::string> pod_namespace;  // label io.kubernetes.pod.namespace
  std::vector<std::string> security_opt;     // HostConfig.SecurityOpt
  bool privileged = false;
  std::string cgroup_parent;  // HostConfig.CgroupParent; empty: the daemon's default
  int pid = 0;                // State.Pid: host pid of the container's init, 0 when not running
  bool running = false;
  std::string status;                            // State.Status, as in ContainerSummary::state
  std::string created, started_at, finished_at;  // RFC 3339 as Docker writes them
};

struct EngineInfo {  // GET /info
  std::string server_version;
  std::string cgroup_driver;                  // "cgroupfs" or "systemd"
  std::string cgroup_version;                 // "1" or "2"; empty before API 1.40
  std::vector<std::string> security_options;  // "name=seccomp,profile=default", "name=cgroupns"
  // profile= of the seccomp entry: "default", or the daemon's --seccomp-profile path; nullopt
  // when the daemon was built without seccomp.
  std::optional<std::string> seccomp_profile;
};

// The seccomp part of SecurityOpt: "unconfined", or the profile's JSON text (the docker CLI
// reads the file and sends its content); nullopt means the daemon's default profile.
std::optional<std::string> seccomp_option(const ContainerMetadata &container);

// True when the container runs without any seccomp filter: seccomp=unconfined, or
// --privileged (Docker installs no filter for privileged containers).
bool runs_unconfined(const ContainerMetadata &container);

// Pure parsers of the daemon's JSON replies, so tests need no daemon. A malformed reply is
// status failed with a message.
ApiResult<ContainerMetadata> parse_inspect(std::string_view json);
ApiResult<std::vector<ContainerSummary>> parse_container_list(std::string_view json);
ApiResult<EngineInfo> parse_info(std::string_view json);
// The "message" of an error reply ({"message":"No such container: x"}), else the body itself.
std::string parse_error_message(std::string_view body);

struct DockerEndpoint {
  std::string socket_path;
  std::string error;  // non-empty: no usable socket (e.g. DOCKER_HOST=tcp://...)
};

// The socket from an explicit option (a path or unix:///path), else from DOCKER_HOST
// (unix:// only), else /var/run/docker.sock. docker_host: getenv("DOCKER_HOST"), may be null.
DockerEndpoint docker_endpoint(const std::optional<std::string> &socket_option,
                               const char *docker_host);

class DockerClient {
 public:
  explicit DockerClient(DockerEndpoint endpoint);
  // docker_endpoint(socket_option, getenv("DOCKER_HOST")).
  static DockerClient from_environment(const std::optional<std::string> &socket_option);
  ~DockerClient();
  DockerClient(DockerClient &&other) noexcept;
  DockerClient &operator=(DockerClient &&other) noexcept;
  DockerClient(const DockerClient &) = delete;
  DockerClient &operator=(const DockerClient &) = delete;

  // GET /containers/json?all=1: running and stopped containers.
  ApiResult<std::vector<ContainerSummary>> list_containers();
  // GET /containers/<x>/json; x is a full id, a unique id prefix or a name, as Docker accepts.
  ApiResult<ContainerMetadata> inspect(const std::string &name_or_id);
  // GET /info.
  ApiResult<EngineInfo> info();

  const std::string &socket_path() const { return endpoint_.socket_path; }

 private:
  struct Response {
    ApiStatus status = ApiStatus::failed;
    long http_code = 0;
    std::string body;
    std::string error;
  };
  Response get(const std::string &path);
  std::string unreachable_reason(const char *curl_error) const;

  DockerEndpoint endpoint_;
  void *curl_ = nullptr;  // CURL *, one handle reused so the connection is kept alive
};

}  // namespace syscope::docker
