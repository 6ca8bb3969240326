// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/dry_run_candidates.hpp"

#include <algorithm>
#include <map>

#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::daemon {

DryRunCandidates::DryRunCandidates(const std::vector<DryRunSetting> &settings,
                                   std::vector<std::string> *warnings) {
  std::map<std::string, uint32_t> slot_of;  // profile file -> slot
  for (const auto &s : settings) {
    auto known = slot_of.find(s.profile);
    if (known == slot_of.end()) {
      uint32_t slot = free_slot(s.where);
      try {
        std::vector<std::string> notes;
        auto profile = seccomp::load_docker_profile(s.profile, &notes);
        for (const auto &n : notes) warnings->push_back(s.where + ": " + n);
        slots_[slot].judge = std::make_unique<watch::WouldDenyJudge>(profile);
      } catch (const Error &e) {
        throw Error(Exit::usage, s.where + ": " + e.what());
      }
      slots_[slot].profile = s.profile;
      slots_[slot].owner = kConfig;
      known = slot_of.emplace(s.profile, slot).first;
    }
    settings_.push_back({s, known->second});
  }
}

uint32_t DryRunCandidates::free_slot(const std::string &where) {
  for (uint32_t i = 0; i < slots_.size(); ++i)
    if (!slots_[i].judge) return i;
  if (slots_.size() == SYSCOPE_DRY_CANDIDATES)
    throw Error(Exit::usage, where + ": more than " + std::to_string(SYSCOPE_DRY_CANDIDATES) +
                                 " distinct dry-run profiles (the kernel holds that many)");
  slots_.emplace_back();
  return static_cast<uint32_t>(slots_.size() - 1);
}

uint32_t DryRunCandidates::add_client(uint64_t owner, const seccomp::Profile &profile,
                                      const std::string &source,
                                      const std::vector<std::string> &containers) {
  auto judge = std::make_unique<watch::WouldDenyJudge>(profile);  // throws before a slot is taken
  uint32_t slot = free_slot("dry-run of " + source);
  slots_[slot] = {source, owner, std::move(judge)};
  DryRunSetting every;
  every.profile = source;
  every.where = "dry-run of " + source;
  if (containers.empty()) settings_.push_back({every, slot});
  for (const auto &c : containers) {
    DryRunSetting s = every;
    s.container = c;
    settings_.push_back({s, slot});
  }
  return slot;
}

std::vector<uint32_t> DryRunCandidates::remove_owner(uint64_t owner) {
  std::vector<uint32_t> freed;
  for (uint32_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].judge && slots_[i].owner == owner) {
      slots_[i] = Candidate{};
      freed.push_back(i);
    }
  std::erase_if(settings_, [this](const Bound &b) { return !slots_[b.candidate].judge; });
  return freed;
}

bool DryRunCandidates::empty() const {
  return std::none_of(slots_.begin(), slots_.end(),
                      [](const auto &c) { return c.judge != nullptr; });
}

const DryRunCandidates::Candidate *DryRunCandidates::candidate(uint32_t slot) const {
  return slot < slots_.size() && slots_[slot].judge ? &slots_[slot] : nullptr;
}

std::optional<uint32_t> DryRunCandidates::candidate_for(const std::string &name,
                                                        const std::string &id,
                                                        const std::string &image) const {
  for (const auto &b : settings_) {
    const auto &s = b.setting;
    bool named = !s.container.empty() ? container::container_matches(s.container, name, id)
                 : !s.image.empty()   ? container::image_matches(s.image, image)
                                      : true;
    if (named) return b.candidate;
  }
  return std::nullopt;
}

nlohmann::json DryRunCandidates::settings_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &b : settings_) {
    nlohmann::json j;
    if (!b.setting.image.empty())
      j["image"] = b.setting.image;
    else
      j["container"] = b.setting.container.empty() ? std::string("*") : b.setting.container;
    j["profile"] = b.setting.profile;
    j["candidate"] = b.candidate;
    j["from"] = slots_[b.candidate].owner == kConfig ? "config" : "client";
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace syscope::daemon
