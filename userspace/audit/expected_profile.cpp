// SPDX-License-Identifier: Apache-2.0
// Which profile Docker applies, from the settings audit already reads (config_view), turned into
// the Profile itself.
#include "syscope/audit/expected_profile.hpp"

#include "syscope/base/error.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::audit {

ExpectedProfile expected_profile(const docker::ContainerMetadata &container,
                                 const DaemonSeccomp &daemon) {
  const ConfigView view = config_view(container, daemon, {});
  switch (view.setting) {
    case Setting::unconfined: return {"no filter (" + view.source + ")", std::nullopt};
    case Setting::custom: {
      if (!view.profile_error.empty())
        throw Error(Exit::usage, "the container's expected profile (" + view.source +
                                     ") cannot be read: " + view.profile_error);
      if (daemon.kind == DaemonSeccomp::Kind::custom && !docker::seccomp_option(container))
        return {"the daemon's profile " + daemon.profile, daemon.parsed};
      return {"the inline profile of --security-opt seccomp=...",
              seccomp::parse_docker_profile(*docker::seccomp_option(container),
                                            "inline seccomp profile")};
    }
    case Setting::default_profile:
    case Setting::unknown: break;
  }
  return {"Docker's default profile (built-in 20.10.24)", seccomp::docker_default_profile()};
}

}  // namespace syscope::audit
