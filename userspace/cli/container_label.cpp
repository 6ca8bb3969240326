// SPDX-License-Identifier: Apache-2.0
#include "container_label.hpp"

#include <string>

#include "syscope/containers/container_id.hpp"

namespace syscope::cli {

std::optional<watch::ContainerLabel> container_label_of(const container::ContainerInfo &info) {
  if (!info.is_container()) return std::nullopt;
  watch::ContainerLabel label;
  label.runtime = std::string(container::runtime_name(info.container->runtime));
  label.id = info.container->id;
  if (info.metadata) {
    label.name = info.metadata->name;
    label.image = info.metadata->image;
  }
  return label;
}

}  // namespace syscope::cli
