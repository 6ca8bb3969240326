// SPDX-License-Identifier: Apache-2.0
// One request to the running daemon, for the CLI clients (status, profile get, watch and trace
// --daemon): its answer, or its refusal as one error line (exit 2).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace syscope::cli {

nlohmann::json ask_daemon(const std::string &socket, const nlohmann::json &request);

}  // namespace syscope::cli
