// SPDX-License-Identifier: Apache-2.0
// HTTP GETs to dockerd over its unix socket with libcurl. Paths carry no API version, so the
// daemon answers in its own (20.10: 1.41) and an older daemon is not refused.
#include "syscope/containers/docker_client.hpp"

#include <curl/curl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "syscope/base/error.hpp"

namespace syscope::docker {
namespace {

constexpr long CONNECT_TIMEOUT_MS = 2000;
constexpr long TOTAL_TIMEOUT_MS = 5000;
constexpr std::string_view DEFAULT_SOCKET = "/var/run/docker.sock";

size_t append_body(char *data, size_t size, size_t count, void *out) {
  static_cast<std::string *>(out)->append(data, size * count);
  return size * count;
}

void global_init_once() {
  // curl_global_init is not thread-safe; curl_easy_init would otherwise call it implicitly.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

template <typename T> ApiResult<T> failure(ApiStatus status, std::string error) {
  ApiResult<T> r;
  r.status = status;
  r.error = std::move(error);
  return r;
}

}  // namespace

DockerEndpoint docker_endpoint(const std::optional<std::string> &socket_option,
                               const char *docker_host) {
  constexpr std::string_view unix_scheme = "unix://";
  if (socket_option) {
    std::string_view s = *socket_option;
    if (s.substr(0, unix_scheme.size()) == unix_scheme) s.remove_prefix(unix_scheme.size());
    if (s.empty()) return {"", "the Docker socket option is empty"};
    return {std::string(s), ""};
  }
  if (docker_host && *docker_host) {
    std::string_view host = docker_host;
    if (host.substr(0, unix_scheme.size()) == unix_scheme && host.size() > unix_scheme.size())
      return {std::string(host.substr(unix_scheme.size())), ""};
    return {"", "DOCKER_HOST=" + std::string(host) +
                    " is not supported: syscope talks to dockerd over a local unix:// socket "
                    "only; unset DOCKER_HOST or pass the socket with --docker-socket"};
  }
  return {std::string(DEFAULT_SOCKET), ""};
}

DockerClient::DockerClient(DockerEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

DockerClient DockerClient::from_environment(const std::optional<std::string> &socket_option) {
  return DockerClient(docker_endpoint(socket_option, std::getenv("DOCKER_HOST")));
}

DockerClient::~DockerClient() {
  if (curl_) curl_easy_cleanup(curl_);
}

DockerClient::DockerClient(DockerClient &&other) noexcept
    : endpoint_(std::move(other.endpoint_)), curl_(std::exchange(other.curl_, nullptr)) {}

DockerClient &DockerClient::operator=(DockerClient &&other) noexcept {
  if (this != &other) {
    if (curl_) curl_easy_cleanup(curl_);
    endpoint_ = std::move(other.endpoint_);
    curl_ = std::exchange(other.curl_, nullptr);
  }
  return *this;
}

// curl says "Couldn't connect to server" for every reason; the socket file says which one.
std::string DockerClient::unreachable_reason(const char *curl_error) const {
  const std::string &path = endpoint_.socket_path;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return path + ": " + errno_text(errno);
  if (!S_ISSOCK(st.st_mode)) return path + " is not a socket";
  if (access(path.c_str(), R_OK | W_OK) != 0) return path + ": " + errno_text(errno);
  return path + ": " + curl_error;
}

DockerClient::Response DockerClient::get(const std::string &path) {
  Response r;
  if (!endpoint_.error.empty()) {
    r.status = ApiStatus::unreachable;
    r.error = "Docker not reachable: " + endpoint_.error;
    return r;
  }
  if (!curl_) {
    global_init_once();
    curl_ = curl_easy_init();
    if (!curl_) {
      r.status = ApiStatus::unreachable;
      r.error = "Docker not reachable: cannot initialise libcurl";
      return r;
    }
  }
  char curl_error[CURL_ERROR_SIZE] = "";
  CURL *c = curl_;
  curl_easy_reset(c);  // keeps the open connection, drops the previous request's options
  curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, endpoint_.socket_path.c_str());
  // The host part is required by HTTP/1.1 and ignored by dockerd.
  std::string url = "http://docker" + path;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for timeouts: we may have threads
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, TOTAL_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);  // curl_error is about to go out of scope
  if (rc != CURLE_OK) {
    const char *text = curl_error[0] ? curl_error : curl_easy_strerror(rc);
    r.status = ApiStatus::unreachable;
    if (rc == CURLE_COULDNT_CONNECT)
      r.error = "Docker not reachable: " + unreachable_reason(text);
    else if (rc == CURLE_OPERATION_TIMEDOUT)
      r.error = "Docker not reachable: no answer from " + endpoint_.socket_path + " within " +
                std::to_string(TOTAL_TIMEOUT_MS / 1000) + " s";
    else
      r.error = "Docker not reachable: " + endpoint_.socket_path + ": " + text;
    return r;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.http_code);
  if (r.http_code == 200) {
    r.status = ApiStatus::ok;
  } else if (r.http_code == 404) {
    r.status = ApiStatus::not_found;
    r.error = parse_error_message(r.body);
  } else {
    r.status = ApiStatus::failed;
    r.error = "Docker API error (HTTP " + std::to_string(r.http_code) +
              "): " + parse_error_message(r.body);
  }
  return r;
}

ApiResult<std::vector<ContainerSummary>> DockerClient::list_containers() {
  Response r = get("/containers/json?all=1");
  if (r.status != ApiStatus::ok)
    return failure<std::vector<ContainerSummary>>(r.status, std::move(r.error));
  return parse_container_list(r.body);
}

ApiResult<ContainerMetadata> DockerClient::inspect(const std::string &name_or_id) {
  if (name_or_id.empty())
    return failure<ContainerMetadata>(ApiStatus::not_found, "no such container: (empty name)");
  global_init_once();
  char *escaped =
      curl_easy_escape(nullptr, name_or_id.c_str(), static_cast<int>(name_or_id.size()));
  std::string path = "/containers/" + std::string(escaped ? escaped : "") + "/json";
  curl_free(escaped);
  Response r = get(path);
  if (r.status == ApiStatus::not_found)
    return failure<ContainerMetadata>(ApiStatus::not_found, "no such container: " + name_or_id);
  if (r.status != ApiStatus::ok) return failure<ContainerMetadata>(r.status, std::move(r.error));
  return parse_inspect(r.body);
}

ApiResult<EngineInfo> DockerClient::info() {
  Response r = get("/info");
  if (r.status != ApiStatus::ok) return failure<EngineInfo>(r.status, std::move(r.error));
  return parse_info(r.body);
}

}  // namespace syscope::docker
