// SPDX-License-Identifier: Apache-2.0
#include "daemon_request.hpp"

#include "syscope/base/error.hpp"
#include "syscope/daemon/control_client.hpp"

namespace syscope::cli {

nlohmann::json ask_daemon(const std::string &socket, const nlohmann::json &request) {
  daemon::ControlClient client(socket);
  nlohmann::json response = client.request(request);
  if (!response.value("ok", false))
    throw Error(Exit::usage, "the daemon says: " + response.value("error", response.dump()));
  return response;
}

}  // namespace syscope::cli
