// SPDX-License-Identifier: Apache-2.0
// A denial as it crosses the control socket: every field of watch::Denial, raw, so that
// `syscope watch --daemon` folds, formats and suggests exactly as `syscope watch` does.
#pragma once
#include <nlohmann/json.hpp>

#include "syscope/kernel/denial.hpp"

namespace syscope::daemon {

nlohmann::ordered_json denial_to_wire(const watch::Denial &denial);
// Exit::environment with one line for a message that is not a denial (a buggy or foreign peer).
watch::Denial denial_from_wire(const nlohmann::json &wire);

}  // namespace syscope::daemon
