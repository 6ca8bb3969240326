// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/self_confinement.hpp"

#include <cap-ng.h>
#include <linux/capability.h>

#include "syscope/base/error.hpp"
#include "syscope/kernel/bpf_environment.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

namespace syscope::data {
extern const char *const kDaemonProfileJson;
}

namespace syscope::daemon {
namespace {

using bpf::kCapBpf;
using bpf::kCapPerfmon;

}  // namespace

const std::vector<KeptCapability> &kept_capabilities() {
  static const std::vector<KeptCapability> kept = {
      {kCapBpf, "cap_bpf",
       "reads and updates its maps, consumes the ring buffers, and loads trace mode's and "
       "dry-run's programs when a session or a candidate starts"},
      {kCapPerfmon, "cap_perfmon",
       "those programs are tracing programs (tp_btf, reading kernel memory): loading them needs "
       "it beside CAP_BPF"},
  };
  return kept;
}

nlohmann::json Confinement::to_json() const {
  return {{"capabilities", kept},
          {"seccomp",
           {{"profile", profile},
            {"syscalls", syscalls},
            {"instructions", instructions},
            {"default", "errno (EPERM)"}}},
          {"no_new_privs", true}};
}

SelfProfile load_self_profile(const std::string &path) {
  SelfProfile out;
  out.source = path.empty() ? "built-in profiles/syscope-daemon.json" : path;
  try {
    auto profile = path.empty()
                       ? seccomp::parse_docker_profile(data::kDaemonProfileJson, out.source)
                       : seccomp::load_docker_profile(path);
    for (const auto &rule : profile.syscalls)
      if (rule.action == seccomp::Action::allow) out.syscalls += rule.names.size();
    out.filter = seccomp::compile_profile(profile);
  } catch (const Error &e) {
    throw Error(Exit::usage, "the daemon's own profile " + out.source + ": " + e.what());
  }
  return out;
}

Confinement confine_daemon(const SelfProfile &profile) {
  Confinement out;
  out.profile = profile.source;
  out.syscalls = profile.syscalls;
  out.instructions = profile.filter.instructions();
  capng_clear(CAPNG_SELECT_ALL);  // effective, permitted, inheritable, bounding, ambient
  for (const auto &k : kept_capabilities()) {
    auto sets = static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET);
    if (capng_update(CAPNG_ADD, sets, static_cast<unsigned>(k.cap)) != 0)
      throw Error(Exit::environment, std::string("cannot keep ") + k.name);
    out.kept.push_back(k.name);
  }
  // CAPNG_SELECT_ALL applies the bounding set too (needs CAP_SETPCAP, held until now) and
  // clears the ambient set.
  if (int rc = capng_apply(CAPNG_SELECT_ALL); rc != 0)
    throw Error(Exit::environment,
                "cannot drop the daemon's capabilities (capng_apply: " + std::to_string(rc) + ")");
  seccomp::install_filter(profile.filter, true);  // no_new_privs first, then every thread
  return out;
}

}  // namespace syscope::daemon
