// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/denial_wire.hpp"

#include "syscope/base/error.hpp"

namespace syscope::daemon {

nlohmann::ordered_json denial_to_wire(const watch::Denial &d) {
  nlohmann::ordered_json j;
  j["wall_time_ns"] = d.wall_time_ns;
  j["cgroup_id"] = d.cgroup_id;
  j["pid"] = d.pid;
  j["tid"] = d.tid;
  j["comm"] = d.comm;
  j["nr"] = d.nr;
  j["arch"] = d.arch;
  j["action"] = d.action;
  j["err"] = d.err;
  j["traced"] = d.traced;
  j["args"] = d.args;
  if (d.container)
    j["container"] = {{"runtime", d.container->runtime},
                      {"id", d.container->id},
                      {"name", d.container->name},
                      {"image", d.container->image}};
  else
    j["container"] = nullptr;
  return j;
}

watch::Denial denial_from_wire(const nlohmann::json &j) {
  try {
    watch::Denial d;
    d.wall_time_ns = j.at("wall_time_ns").get<uint64_t>();
    d.cgroup_id = j.at("cgroup_id").get<uint64_t>();
    d.pid = j.at("pid").get<uint32_t>();
    d.tid = j.at("tid").get<uint32_t>();
    d.comm = j.at("comm").get<std::string>();
    d.nr = j.at("nr").get<int32_t>();
    d.arch = j.at("arch").get<uint32_t>();
    d.action = j.at("action").get<uint32_t>();
    d.err = j.at("err").get<uint32_t>();
    d.traced = j.at("traced").get<bool>();
    d.args = j.at("args").get<std::array<uint64_t, 6>>();
    if (d.arch >= SYSCOPE_ARCH_COUNT) throw std::out_of_range("arch");
    const auto &c = j.at("container");
    if (!c.is_null())
      d.container =
          watch::ContainerLabel{c.at("runtime").get<std::string>(), c.at("id").get<std::string>(),
                                c.at("name").get<std::string>(), c.at("image").get<std::string>()};
    return d;
  } catch (const std::exception &e) {
    throw Error(Exit::environment,
                std::string("the daemon sent a denial this syscope cannot read: ") + e.what());
  }
}

}  // namespace syscope::daemon
