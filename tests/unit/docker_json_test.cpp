// SPDX-License-Identifier: Apache-2.0
// Docker Engine API replies (Docker 20.10 fixtures) -> metadata, list entries, engine info;
// socket selection from --docker-socket / DOCKER_HOST; an absent daemon is a value, not a throw.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "syscope/containers/docker_client.hpp"

using namespace syscope::docker;

namespace {

std::string fixture(const std::string &name) {
  std::ifstream in(std::string(SYSCOPE_FIXTURES) + "/docker/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ContainerMetadata inspect_fixture(const std::string &name) {
  auto r = parse_inspect(fixture(name));
  INFO(r.error);
  REQUIRE(r.ok());
  REQUIRE(r.value);
  return *r.value;
}

}  // namespace

TEST_CASE("inspect of a default container", "[docker]") {
  auto m = inspect_fixture("inspect_default.json");
  CHECK(m.id == "3f4e1b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f");
  CHECK(m.name == "web");
  CHECK(m.image == "syscope-test/busybox:latest");
  CHECK(m.image_id == "sha256:9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b");
  CHECK(m.labels.empty());
  CHECK_FALSE(m.pod_name);
  CHECK_FALSE(m.pod_namespace);
  CHECK(m.security_opt.empty());  // null in the reply
  CHECK_FALSE(m.privileged);
  CHECK(m.cgroup_parent.empty());
  CHECK(m.pid == 48213);
  CHECK(m.running);
  CHECK(m.status == "running");
  CHECK(m.created == "2024-03-11T09:14:27.582915403Z");
  CHECK(m.started_at == "2024-03-11T09:14:28.013477211Z");
  CHECK_FALSE(seccomp_option(m));  // the daemon's default profile
  CHECK_FALSE(runs_unconfined(m));
}

TEST_CASE("inspect of an exited container run with seccomp=unconfined", "[docker]") {
  auto m = inspect_fixture("inspect_unconfined.json");
  CHECK(m.name == "needs-userns");
  CHECK(m.security_opt == std::vector<std::string>{"seccomp=unconfined"});
  CHECK(seccomp_option(m) == "unconfined");
  CHECK(runs_unconfined(m));
  CHECK(m.pid == 0);
  CHECK_FALSE(m.running);
  CHECK(m.status == "exited");
  CHECK(m.finished_at == "2024-03-11T10:02:51.610274008Z");
  CHECK(m.labels.empty());  // "Labels": null
}

TEST_CASE("inspect of a Kubernetes (dockershim) container", "[docker]") {
  auto m = inspect_fixture("inspect_k8s.json");
  CHECK(m.name == "k8s_nginx_nginx-7c5ddbdf54-x2x9q_shop_ac04f3f2-1f2c-11e9-b015-1ebee232acfa_0");
  CHECK(m.pod_name == "nginx-7c5ddbdf54-x2x9q");
  CHECK(m.pod_namespace == "shop");
  CHECK(m.labels.at("io.kubernetes.container.name") == "nginx");
  CHECK(m.labels.at("io.kubernetes.pod.uid") == "ac04f3f2-1f2c-11e9-b015-1ebee232acfa");
  CHECK(m.cgroup_parent == "kubepods-besteffort-podac04f3f2_1f2c_11e9_b015_1ebee232acfa.slice");
  REQUIRE(m.security_opt.size() == 2);
  CHECK(m.security_opt[1] == "apparmor=unconfined");
  // A localhost profile arrives inlined as JSON text.
  auto seccomp = seccomp_option(m);
  REQUIRE(seccomp);
  CHECK(seccomp->rfind("{\"defaultAction\":\"SCMP_ACT_ERRNO\"", 0) == 0);
  CHECK_FALSE(runs_unconfined(m));
  CHECK(m.pid == 7731);
}

TEST_CASE("inspect: the command is Entrypoint + Cmd, else Path + Args", "[docker]") {
  using Command = std::vector<std::string>;
  CHECK(inspect_fixture("inspect_default.json").command ==
        Command{"httpd", "-f", "-p", "127.0.0.1:8080"});  // Entrypoint null
  CHECK(inspect_fixture("inspect_k8s.json").command ==
        Command{"/docker-entrypoint.sh", "nginx", "-g", "daemon off;"});
  auto podman = parse_inspect(R"({"Id":"abc","Path":"/bin/sleep","Args":["30"],"Config":{}})");
  REQUIRE(podman.ok());
  CHECK(podman.value->command == Command{"/bin/sleep", "30"});
  auto none = parse_inspect(R"({"Id":"abc","Config":{"Cmd":null,"Entrypoint":null}})");
  REQUIRE(none.ok());
  CHECK(none.value->command.empty());
}

TEST_CASE("seccomp settings: old ':' syntax, last one wins, privileged", "[docker]") {
  ContainerMetadata m;
  m.security_opt = {"seccomp:unconfined"};
  CHECK(seccomp_option(m) == "unconfined");
  m.security_opt = {"seccomp=unconfined", "label=disable", "seccomp={}"};
  CHECK(seccomp_option(m) == "{}");
  CHECK_FALSE(runs_unconfined(m));
  m.security_opt.clear();
  m.privileged = true;
  CHECK(runs_unconfined(m));
}

TEST_CASE("container list", "[docker]") {
  auto r = parse_container_list(fixture("containers_list.json"));
  INFO(r.error);
  REQUIRE(r.ok());
  const auto &list = *r.value;
  REQUIRE(list.size() == 3);
  CHECK(list[0].id == "3f4e1b2a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f");
  CHECK(list[0].names == std::vector<std::string>{"web"});
  CHECK(list[0].image == "syscope-test/busybox:latest");
  CHECK(list[0].state == "running");
  CHECK(list[1].state == "exited");
  CHECK(list[2].names == std::vector<std::string>{"threads-worker", "web/worker"});
  CHECK(list[2].state == "created");
}

TEST_CASE("engine info", "[docker]") {
  auto r = parse_info(fixture("info.json"));
  INFO(r.error);
  REQUIRE(r.ok());
  const auto &info = *r.value;
  CHECK(info.server_version == "20.10.24+dfsg1");
  CHECK(info.cgroup_driver == "systemd");
  CHECK(info.cgroup_version == "2");
  CHECK(info.security_options.size() == 3);
  CHECK(info.seccomp_profile == "default");

  auto custom = parse_info(R"({"SecurityOptions":["name=seccomp,profile=/etc/d.json,x=y"]})");
  REQUIRE(custom.ok());
  CHECK(custom.value->seccomp_profile == "/etc/d.json");
  auto none = parse_info(R"({"ServerVersion":"19.03.15","SecurityOptions":["name=apparmor"]})");
  REQUIRE(none.ok());
  CHECK_FALSE(none.value->seccomp_profile);
  CHECK(none.value->cgroup_version.empty());  // API < 1.40 has no CgroupVersion
}

TEST_CASE("malformed replies are failures with a message, not throws", "[docker]") {
  auto truncated = parse_inspect(R"({"Id": "abc", "State": {)");
  CHECK(truncated.status == ApiStatus::failed);
  CHECK_FALSE(truncated.value);
  CHECK(truncated.error.find("malformed") != std::string::npos);
  CHECK(parse_inspect("[]").status == ApiStatus::failed);
  CHECK(parse_inspect(R"({"Name":"/x"})").status == ApiStatus::failed);
  CHECK(parse_container_list("{}").status == ApiStatus::failed);
  CHECK(parse_info("").status == ApiStatus::failed);
  // Wrong types inside a valid reply are skipped, not fatal.
  auto odd = parse_inspect(R"({"Id":"abc","State":{"Pid":"7"},"Config":{"Labels":{"a":1}}})");
  REQUIRE(odd.ok());
  CHECK(odd.value->pid == 0);
  CHECK(odd.value->labels.empty());
}

TEST_CASE("error replies: the daemon's message", "[docker]") {
  CHECK(parse_error_message(R"({"message":"No such container: wl"})") == "No such container: wl");
  CHECK(parse_error_message("page not found\n") == "page not found");
}

TEST_CASE("socket: option, then DOCKER_HOST (unix:// only), then the default", "[docker]") {
  CHECK(docker_endpoint(std::nullopt, nullptr).socket_path == "/var/run/docker.sock");
  CHECK(docker_endpoint(std::nullopt, "").socket_path == "/var/run/docker.sock");
  CHECK(docker_endpoint(std::nullopt, "unix:///tmp/d/docker.sock").socket_path ==
        "/tmp/d/docker.sock");
  CHECK(docker_endpoint(std::string("/run/x.sock"), "unix:///tmp/d.sock").socket_path ==
        "/run/x.sock");
  CHECK(docker_endpoint(std::string("unix:///run/x.sock"), nullptr).socket_path == "/run/x.sock");
  auto tcp = docker_endpoint(std::nullopt, "tcp://10.0.0.5:2376");
  CHECK(tcp.socket_path.empty());
  CHECK(tcp.error.find("DOCKER_HOST=tcp://10.0.0.5:2376 is not supported") == 0);
  // An explicit socket overrides an unusable DOCKER_HOST.
  CHECK(docker_endpoint(std::string("/run/x.sock"), "tcp://h:2375").error.empty());
}

TEST_CASE("no daemon: unreachable, with the reason, and nothing thrown", "[docker]") {
  DockerClient missing(DockerEndpoint{"/nonexistent/syscope-test/docker.sock", ""});
  auto r = missing.inspect("wl");
  CHECK(r.status == ApiStatus::unreachable);
  CHECK(r.error ==
        "Docker not reachable: /nonexistent/syscope-test/docker.sock: No such file or directory");
  CHECK(missing.info().status == ApiStatus::unreachable);
  CHECK(missing.list_containers().status == ApiStatus::unreachable);

  DockerClient tcp(docker_endpoint(std::nullopt, "tcp://h:2375"));
  auto t = tcp.info();
  CHECK(t.status == ApiStatus::unreachable);
  CHECK(t.error.find("not supported") != std::string::npos);

  DockerClient not_socket(DockerEndpoint{SYSCOPE_FIXTURES "/docker/info.json", ""});
  auto n = not_socket.info();
  CHECK(n.status == ApiStatus::unreachable);
  CHECK(n.error.find("is not a socket") != std::string::npos);
}

namespace {

// A stand-in dockerd: answers `count` requests on a unix socket, one per connection, from a
// table of request line -> (status line, body).
class FakeDaemon {
 public:
  using Routes = std::map<std::string, std::pair<std::string, std::string>>;
  FakeDaemon(Routes routes, int count) : routes_(std::move(routes)) {
    char dir_template[] = "/tmp/syscope-fake-docker-XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    dir_ = dir_template;
    path_ = dir_ + "/docker.sock";
    fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 4) == 0);
    thread_ = std::thread([this, count] { serve(count); });
  }
  ~FakeDaemon() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string &path() const { return path_; }

 private:
  void serve(int count) {
    for (int i = 0; i < count; ++i) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      std::string line = request.substr(0, request.find("\r\n"));
      auto it = routes_.find(line);
      std::string status = it == routes_.end() ? "404 Not Found" : it->second.first;
      std::string body =
          it == routes_.end() ? R"({"message":"page not found"})" : it->second.second;
      std::string reply = "HTTP/1.1 " + status +
                          "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                          "Content-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
      ssize_t ignored = write(c, reply.data(), reply.size());
      (void)ignored;
      close(c);
    }
  }

  Routes routes_;
  std::string dir_, path_;
  int fd_ = -1;
  std::thread thread_;
};

}  // namespace

TEST_CASE("a daemon's replies: 200 parsed, 404 no such container, 500 with its message",
          "[docker]") {
  FakeDaemon daemon(
      {
          {"GET /info HTTP/1.1", {"200 OK", fixture("info.json")}},
          {"GET /containers/json?all=1 HTTP/1.1", {"200 OK", fixture("containers_list.json")}},
          {"GET /containers/web/json HTTP/1.1", {"200 OK", fixture("inspect_default.json")}},
          {"GET /containers/gone/json HTTP/1.1",
           {"404 Not Found", R"({"message":"No such container: gone"})"}},
          {"GET /containers/broken/json HTTP/1.1",
           {"500 Internal Server Error", R"({"message":"layer does not exist"})"}},
          {"GET /containers/a%20b/json HTTP/1.1",
           {"400 Bad Request", R"({"message":"invalid container name"})"}},
      },
      6);
  DockerClient client(docker_endpoint(daemon.path(), nullptr));
  auto info = client.info();
  INFO(info.error);
  REQUIRE(info.ok());
  CHECK(info.value->server_version == "20.10.24+dfsg1");
  auto list = client.list_containers();
  REQUIRE(list.ok());
  CHECK(list.value->size() == 3);
  auto web = client.inspect("web");
  REQUIRE(web.ok());
  CHECK(web.value->name == "web");
  auto gone = client.inspect("gone");
  CHECK(gone.status == ApiStatus::not_found);
  CHECK_FALSE(gone.value);
  CHECK(gone.error == "no such container: gone");
  auto broken = client.inspect("broken");
  CHECK(broken.status == ApiStatus::failed);
  CHECK(broken.error == "Docker API error (HTTP 500): layer does not exist");
  auto spaced = client.inspect("a b");  // escaped into the URL, not sent raw
  CHECK(spaced.status == ApiStatus::failed);
  CHECK(spaced.error == "Docker API error (HTTP 400): invalid container name");
}
