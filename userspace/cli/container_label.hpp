// SPDX-License-Identifier: Apache-2.0
// How watch and its dry-run name a cgroup's container in what they print.
#pragma once
#include <optional>

#include "syscope/containers/container_resolver.hpp"
#include "syscope/kernel/denial.hpp"

namespace syscope::cli {

// The resolver's answer as a label (runtime, id, and name and image once the runtime said);
// nullopt for a cgroup that is no container's.
std::optional<watch::ContainerLabel> container_label_of(const container::ContainerInfo &info);

}  // namespace syscope::cli
