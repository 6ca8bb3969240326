// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/dry_run_candidates.hpp"

#include <map>

#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::daemon {

DryRunCandidates::DryRunCandidates(const std::vector<DryRunSetting> &settings,
                                   std::vector<std::string> *warnings) {
  std::map<std::string, uint32_t> index_of;  // profile file -> candidate
  for (const auto &s : settings) {
    auto known = index_of.find(s.profile);
    if (known == index_of.end()) {
      if (candidates_.size() == SYSCOPE_DRY_CANDIDATES)
        throw Error(Exit::usage, s.where + ": more than " + std::to_string(SYSCOPE_DRY_CANDIDATES) +
                                     " distinct dry-run profiles (the kernel holds that many)");
      Candidate c;
      c.profile = s.profile;
      try {
        std::vector<std::string> notes;
        auto profile = seccomp::load_docker_profile(s.profile, &notes);
        for (const auto &n : notes) warnings->push_back(s.where + ": " + n);
        c.judge = std::make_unique<watch::WouldDenyJudge>(profile);
      } catch (const Error &e) {
        throw Error(Exit::usage, s.where + ": " + e.what());
      }
      known = index_of.emplace(s.profile, static_cast<uint32_t>(candidates_.size())).first;
      candidates_.push_back(std::move(c));
    }
    settings_.push_back({s, known->second});
  }
}

std::optional<uint32_t> DryRunCandidates::candidate_for(const std::string &name,
                                                        const std::string &id,
                                                        const std::string &image) const {
  for (const auto &b : settings_) {
    bool named = b.setting.container.empty()
                     ? container::image_matches(b.setting.image, image)
                     : container::container_matches(b.setting.container, name, id);
    if (named) return b.candidate;
  }
  return std::nullopt;
}

nlohmann::json DryRunCandidates::settings_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &b : settings_) {
    nlohmann::json j;
    if (b.setting.container.empty())
      j["image"] = b.setting.image;
    else
      j["container"] = b.setting.container;
    j["profile"] = b.setting.profile;
    j["candidate"] = b.candidate;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace syscope::daemon
