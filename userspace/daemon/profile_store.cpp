// SPDX-License-Identifier: Apache-2.0
// The container state files are the only truth; profiles and image groups are derived from
// them. So a restart reloads the state files, recomposes, and rewrites only the derived files
// whose bytes differ (a crash between two writes of a flush heals at the next start).
#include "syscope/daemon/profile_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/daemon/calls_json.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/seccomp/runtime_gap.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::daemon {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kStateVersion = 1;
constexpr size_t kMaxStateFile = 8 << 20;  // a full state file is a few KiB
constexpr size_t kMaxNameChars = 80;       // of a name in a file name, so it stays under NAME_MAX
constexpr const char *kContainersDir = "containers";
constexpr const char *kContainerProfilesDir = "profiles/containers";
constexpr const char *kImageProfilesDir = "profiles/images";

// FNV-1a 64: tiny, and the same on every build and run (std::hash promises neither).
uint64_t fnv1a64(const std::vector<std::string> &parts) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto feed = [&](unsigned char c) { h = (h ^ c) * 0x100000001b3ULL; };
  for (const auto &part : parts) {
    for (unsigned char c : part) feed(c);
    feed(0);  // exec arguments are C strings: a NUL separates them unambiguously
  }
  return h;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void make_dir(const std::string &path) {
  if (mkdir(path.c_str(), 0700) == 0) return;
  int err = errno;
  std::error_code ec;
  if (err == EEXIST && fs::is_directory(path, ec)) return;
  throw Error(Exit::environment,
              "cannot create state directory " + path + ": " + std::strerror(err));
}

// Removes a file the store owns; false (with `errors` told) when it exists and stays.
bool remove_file(const std::string &path, std::vector<std::string> &errors) {
  std::error_code ec;
  fs::remove(path, ec);
  if (!ec) return true;
  errors.push_back("cannot remove " + path + ": " + ec.message());
  return false;
}

std::optional<std::string> file_text(const std::string &path) {
  auto read = read_regular_file(path, kMaxStateFile);
  if (!read.error.empty()) return std::nullopt;
  return read.text;
}

// The calls compose_container_profile allows for one container: the filtered sets when its
// tasks ran under a filter, else the workload's unfiltered calls. By name, every arch together.
std::set<std::string> observed_names(const profile::CgroupCalls &calls) {
  profile::SyscallSet chosen;
  if (calls.ran_filtered()) {
    chosen.merge(calls.sets[SYSCOPE_SET_FILTERED_SETUP]);
    chosen.merge(calls.sets[SYSCOPE_SET_FILTERED]);
  } else {
    chosen.merge(calls.sets[SYSCOPE_SET_PLAIN]);
  }
  std::set<std::string> names;
  for (const auto &arch : chosen.named()) names.insert(arch.names.begin(), arch.names.end());
  return names;
}

std::set<std::string> allowed_names(const seccomp::Profile &profile) {
  std::set<std::string> names;
  for (const auto &rule : profile.syscalls)
    if (rule.action == seccomp::Action::allow) names.insert(rule.names.begin(), rule.names.end());
  return names;
}

// Argument rules wherever argument values were recorded (the daemon's `args: true`), unless
// the kernel lost events meanwhile.
profile::ContainerProfile compose(const profile::CgroupCalls &calls) {
  static const std::vector<std::string> gap = record::runtime_gap_names();
  profile::ArgumentRecording arguments{!calls.args.empty() || calls.args_lost, !calls.args_lost};
  return profile::compose_container_profile(calls, gap, seccomp::DockerDefault::for_this_host(),
                                            arguments);
}

bool has_calls(const profile::CgroupCalls &calls) { return !calls.all().empty(); }

// Set counts only grow under a union, so an unchanged count is an unchanged set.
std::array<size_t, SYSCOPE_SET_COUNT> set_counts(const profile::CgroupCalls &calls) {
  std::array<size_t, SYSCOPE_SET_COUNT> counts{};
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set) counts[set] = calls.sets[set].count();
  return counts;
}

std::string image_base_name(const std::string &image, const std::string &image_id) {
  if (!image.empty()) return sanitized_file_name(image);
  std::string hexpart = image_id.rfind("sha256:", 0) == 0 ? image_id.substr(7) : image_id;
  return sanitized_file_name(hexpart.substr(0, 12));
}

std::string string_field(const json &doc, const char *key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string())
    throw Error(Exit::usage, std::string("no string \"") + key + "\"");
  return it->get<std::string>();
}

uint64_t number_field(const json &doc, const char *key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_number_unsigned())
    throw Error(Exit::usage, std::string("no number \"") + key + "\"");
  return it->get<uint64_t>();
}

// Names and commands come from container images and users: bytes that are not UTF-8 would make
// every JSON dump throw. Replaced (U+FFFD) as they arrive, so the key derived from them is the
// same before and after a reload.
std::string valid_utf8(const std::string &text) {
  std::string dumped = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
  return json::parse(dumped).get<std::string>();
}

bool is_hex(const std::string &s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

}  // namespace

std::string sanitized_file_name(const std::string &name) {
  std::string out;
  for (char c : name.substr(0, kMaxNameChars)) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-';
    out.push_back(keep ? c : '_');
  }
  // No hidden files (the atomic writer's temp files start with '.'), no "." or "..".
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out;
}

std::string image_key(const ContainerIdentity &who) {
  std::string base = !who.image_id.empty() ? who.image_id : "image:" + who.image;
  return base + "@" + hex64(fnv1a64(who.command));
}

ProfileStore::ProfileStore(StoreOptions options) : options_(std::move(options)) {
  if (options_.state_dir.empty()) throw Error(Exit::usage, "the state directory is empty");
  std::error_code ec;
  fs::path parent = fs::path(options_.state_dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  make_dir(options_.state_dir);
  make_dir(options_.state_dir + "/" + kContainersDir);
  make_dir(options_.state_dir + "/profiles");
  make_dir(options_.state_dir + "/" + kContainerProfilesDir);
  make_dir(options_.state_dir + "/" + kImageProfilesDir);
  load();
}

std::string ProfileStore::path(const std::string &relative) const {
  return options_.state_dir + "/" + relative;
}

std::string ProfileStore::container_profile_file(const ContainerEntry &entry) {
  std::string shortid = container::short_id(entry.who.id);
  std::string stem =
      entry.who.name.empty() ? shortid : sanitized_file_name(entry.who.name) + "-" + shortid;
  return std::string(kContainerProfilesDir) + "/" + stem + ".json";
}

std::string ProfileStore::state_json(const Slot &slot) const {
  const auto &e = slot.entry;
  json doc = {{"version", kStateVersion},
              {"id", e.who.id},
              {"name", e.who.name},
              {"runtime", e.who.runtime},
              {"image", e.who.image},
              {"image_id", e.who.image_id},
              {"command", e.who.command},
              {"first_seen", e.first_seen},
              {"last_seen", e.last_seen},
              {"removed_at", e.removed_at},
              {"profile_file", slot.profile_file},
              {"calls", calls_to_json(e.calls)}};
  return doc.dump(1) + "\n";
}

ProfileStore::Slot ProfileStore::parse_state(const std::string &text, const std::string &id) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw Error(Exit::usage, "not a JSON object");
  if (number_field(doc, "version") != kStateVersion)
    throw Error(Exit::usage, "state version " + doc["version"].dump() + ", not " +
                                 std::to_string(kStateVersion));
  Slot slot;
  auto &e = slot.entry;
  e.who.id = string_field(doc, "id");
  if (e.who.id != id) throw Error(Exit::usage, "holds container " + e.who.id);
  e.who.name = string_field(doc, "name");
  e.who.runtime = string_field(doc, "runtime");
  e.who.image = string_field(doc, "image");
  e.who.image_id = string_field(doc, "image_id");
  auto command = doc.find("command");
  if (command == doc.end() || !command->is_array())
    throw Error(Exit::usage, "no array \"command\"");
  for (const auto &arg : *command) {
    if (!arg.is_string()) throw Error(Exit::usage, "a command argument is not a string");
    e.who.command.push_back(arg.get<std::string>());
  }
  e.first_seen = number_field(doc, "first_seen");
  e.last_seen = number_field(doc, "last_seen");
  e.removed_at = number_field(doc, "removed_at");
  slot.profile_file = string_field(doc, "profile_file");
  // Only ever a file of ours: a damaged (or planted) state file must not make expire() or a
  // rename remove anything outside profiles/containers/.
  std::string prefix = std::string(kContainerProfilesDir) + "/";
  if (!slot.profile_file.empty()) {
    std::string leaf = slot.profile_file.substr(std::min(prefix.size(), slot.profile_file.size()));
    if (slot.profile_file.rfind(prefix, 0) != 0 || sanitized_file_name(leaf) != leaf)
      throw Error(Exit::usage, "profile_file outside " + prefix);
  }
  auto calls = doc.find("calls");
  if (calls == doc.end()) throw Error(Exit::usage, "no \"calls\"");
  e.calls = calls_from_json(*calls);
  e.image_key = image_key(e.who);
  slot.persisted_last_seen = e.last_seen;
  return slot;
}

void ProfileStore::load() {
  std::error_code ec;
  for (const auto &item : fs::directory_iterator(path(kContainersDir), ec)) {
    std::string file = item.path().filename().string();
    std::string full = item.path().string();
    // A temp file of a write a crash interrupted: the rename never happened, so it is not state.
    if (file.front() == '.') {
      std::error_code ignored;  // a stray temp file that stays is only clutter
      fs::remove(item.path(), ignored);
      continue;
    }
    if (file.size() < 5 || file.substr(file.size() - 5) != ".json") continue;  // *.corrupt too
    std::string id = file.substr(0, file.size() - 5);
    std::string reason;
    try {
      if (!container::is_container_id(id)) throw Error(Exit::usage, "not named by a container id");
      auto read = read_regular_file(full, kMaxStateFile);
      if (!read.error.empty()) throw Error(Exit::usage, read.error);
      slots_.emplace(id, parse_state(read.text, id));
      continue;
    } catch (const std::exception &e) {  // one bad entry never stops the rest
      reason = e.what();
    }
    std::string aside = full + ".corrupt";
    std::error_code rename_ec;
    fs::rename(full, aside, rename_ec);
    load_warnings_.push_back(full + ": " + reason +
                             (rename_ec ? "; could not move it aside: " + rename_ec.message()
                                        : "; moved aside to " + aside));
  }
  if (ec)
    throw Error(Exit::environment, "cannot read " + path(kContainersDir) + ": " + ec.message());

  // Derived files: rewritten when their bytes differ from what the state gives now.
  std::set<std::string> owned;
  for (auto &[id, slot] : slots_) {
    if (!slot.profile_file.empty()) owned.insert(slot.profile_file);
    std::string want = container_profile_file(slot.entry);
    bool matches =
        !has_calls(slot.entry.calls) ||
        (slot.profile_file == want &&
         file_text(path(want)) == seccomp::to_docker_json(compose(slot.entry.calls).built.profile));
    slot.profile_dirty = !matches;
    slot.dirty = !matches;  // the state names the profile file, rewritten with it
    dirty_images_.insert(slot.entry.image_key);
  }
  for (const auto &key : image_keys()) {
    auto image = compose_image(key);
    std::string base = std::string(kImageProfilesDir) + "/" + image_file_base(key);
    image_files_[key] = base;
    owned.insert(base + ".json");
    owned.insert(base + ".coverage.json");
    bool matches =
        group_has_calls(key) &&
        file_text(path(base + ".json")) == seccomp::to_docker_json(image.composed.built.profile) &&
        file_text(path(base + ".coverage.json")) == image.coverage.dump(2) + "\n";
    if (!group_has_calls(key) || matches) dirty_images_.erase(key);
  }
  // Whatever else lies among the derived files is left from groups and names that no longer
  // exist (or from interrupted writes): the store owns these directories.
  for (const char *dir : {kContainerProfilesDir, kImageProfilesDir}) {
    std::error_code ignored;  // a stray that stays is only clutter
    for (const auto &item : fs::directory_iterator(path(dir), ignored)) {
      std::string relative = std::string(dir) + "/" + item.path().filename().string();
      if (!owned.count(relative)) fs::remove(item.path(), ignored);
    }
  }
}

bool ProfileStore::merge_identity(Slot &slot, const ContainerIdentity &who) {
  auto &known = slot.entry.who;
  bool changed = false;
  auto take = [&](std::string &field, const std::string &offered) {
    std::string better = valid_utf8(offered);
    if (better.empty() || better == field) return;
    field = better;
    changed = true;
  };
  take(known.name, who.name);
  take(known.runtime, who.runtime);
  take(known.image, who.image);
  take(known.image_id, who.image_id);
  std::vector<std::string> command;
  for (const auto &arg : who.command) command.push_back(valid_utf8(arg));
  if (!command.empty() && command != known.command) {
    known.command = std::move(command);
    changed = true;
  }
  if (!changed) return false;
  slot.dirty = slot.profile_dirty = true;
  dirty_images_.insert(slot.entry.image_key);  // the group it leaves
  slot.entry.image_key = image_key(known);
  dirty_images_.insert(slot.entry.image_key);  // and the one it joins
  return true;
}

void ProfileStore::observe(const ContainerIdentity &who, const profile::CgroupCalls &calls,
                           uint64_t now_ns) {
  if (!container::is_container_id(who.id))
    throw Error(Exit::usage, "not a container id: \"" + who.id + "\"");
  auto [it, created] = slots_.try_emplace(who.id);
  Slot &slot = it->second;
  auto &entry = slot.entry;
  if (created) {
    entry.who.id = who.id;
    entry.first_seen = entry.last_seen = now_ns;
    entry.image_key = image_key(entry.who);
    slot.dirty = slot.profile_dirty = true;
    dirty_images_.insert(entry.image_key);
  }
  merge_identity(slot, who);
  entry.first_seen = std::min(entry.first_seen, now_ns);
  entry.last_seen = std::max(entry.last_seen, now_ns);

  auto before = set_counts(entry.calls);
  auto args_before = entry.calls.args;
  bool lost_before = entry.calls.args_lost;
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set)
    entry.calls.sets[set].merge(calls.sets[set]);
  entry.calls.merge_args(calls);
  bool changed = before != set_counts(entry.calls) || args_before != entry.calls.args ||
                 lost_before != entry.calls.args_lost;
  // The kernel's denial counts are running totals per (cgroup, call, errno): observing a total
  // again must not add it twice, so the larger count wins.
  for (const auto &[denial, count] : calls.denials) {
    auto [known, inserted] = entry.calls.denials.emplace(denial, count);
    if (inserted) {
      changed = true;
    } else if (count > known->second) {
      known->second = count;
      changed = true;
    }
  }
  if (changed) {
    slot.dirty = slot.profile_dirty = true;
    dirty_images_.insert(entry.image_key);
  }
  if (entry.last_seen - slot.persisted_last_seen >=
      static_cast<uint64_t>(options_.last_seen_granularity.count()) * 1000000000ULL)
    slot.dirty = true;
}

bool ProfileStore::identify(const ContainerIdentity &who) {
  auto it = slots_.find(who.id);
  if (it == slots_.end()) return false;
  merge_identity(it->second, who);
  return true;
}

bool ProfileStore::mark_removed(const std::string &id, uint64_t now_ns) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return false;
  auto &slot = it->second;
  if (slot.entry.removed_at == 0) {
    slot.entry.removed_at = now_ns;
    slot.dirty = true;
    dirty_images_.insert(slot.entry.image_key);  // its coverage lists which instances run
  }
  return true;
}

ProfileStore::FlushResult ProfileStore::flush() {
  FlushResult result;
  for (auto &[id, slot] : slots_) {
    if (!slot.dirty && !slot.profile_dirty) continue;
    bool ok = true;
    if (slot.profile_dirty && has_calls(slot.entry.calls)) {
      std::string want = container_profile_file(slot.entry);
      try {
        util::AtomicFile file(path(want));
        record::write_profile(compose(slot.entry.calls).built.profile, "docker", file);
        result.written.push_back(path(want));
        if (!slot.profile_file.empty() && slot.profile_file != want &&
            remove_file(path(slot.profile_file), result.errors))
          result.removed.push_back(path(slot.profile_file));
        slot.profile_file = want;
        slot.profile_dirty = false;
      } catch (const std::exception &e) {  // one bad entry never stops the rest
        result.errors.push_back(std::string("container ") + id + ": " + e.what());
        ok = false;
      }
    } else {
      slot.profile_dirty = false;
    }
    try {
      util::AtomicFile file(path(std::string(kContainersDir) + "/" + id + ".json"));
      file.commit(state_json(slot));
      result.written.push_back(file.path());
      slot.persisted_last_seen = slot.entry.last_seen;
      slot.dirty = !ok;
    } catch (const std::exception &e) {  // one bad entry never stops the rest
      result.errors.push_back(std::string("container ") + id + ": " + e.what());
    }
  }

  std::set<std::string> live;
  for (const auto &key : image_keys()) live.insert(key);
  for (auto it = dirty_images_.begin(); it != dirty_images_.end();) {
    const std::string key = *it;
    auto files = image_files_.find(key);
    // No instance left, or none that made a call (a profile of the gap alone would mislead).
    if (!live.count(key) || !group_has_calls(key)) {
      bool gone = true;
      if (files != image_files_.end()) {
        for (const char *suffix : {".json", ".coverage.json"}) {
          if (remove_file(path(files->second + suffix), result.errors))
            result.removed.push_back(path(files->second + suffix));
          else
            gone = false;
        }
      }
      if (gone) {
        if (files != image_files_.end()) image_files_.erase(files);
        it = dirty_images_.erase(it);
      } else {
        ++it;
      }
      continue;
    }
    auto image = compose_image(key);
    std::string base = std::string(kImageProfilesDir) + "/" + image_file_base(key);
    try {
      util::AtomicFile profile_file(path(base + ".json"));
      record::write_profile(image.composed.built.profile, "docker", profile_file);
      result.written.push_back(profile_file.path());
      util::AtomicFile coverage_file(path(base + ".coverage.json"));
      coverage_file.commit(image.coverage.dump(2) + "\n");
      result.written.push_back(coverage_file.path());
      if (files != image_files_.end() && files->second != base)
        for (const char *suffix : {".json", ".coverage.json"})
          if (remove_file(path(files->second + suffix), result.errors))
            result.removed.push_back(path(files->second + suffix));
      image_files_[key] = base;
      it = dirty_images_.erase(it);
    } catch (const std::exception &e) {  // one bad entry never stops the rest
      result.errors.push_back("image " + key + ": " + e.what());
      ++it;
    }
  }
  return result;
}

ProfileStore::Expired ProfileStore::expire(uint64_t now_ns) {
  Expired expired;
  uint64_t keep = static_cast<uint64_t>(options_.keep_removed.count()) * 1000000000ULL;
  for (auto it = slots_.begin(); it != slots_.end();) {
    const auto &entry = it->second.entry;
    if (entry.removed_at == 0 || now_ns < entry.removed_at + keep) {
      ++it;
      continue;
    }
    remove_file(path(std::string(kContainersDir) + "/" + it->first + ".json"), expired.errors);
    if (!it->second.profile_file.empty())
      remove_file(path(it->second.profile_file), expired.errors);
    dirty_images_.insert(entry.image_key);
    expired.containers.push_back(it->first);
    it = slots_.erase(it);
  }
  std::set<std::string> live;
  for (const auto &key : image_keys()) live.insert(key);
  for (auto it = dirty_images_.begin(); it != dirty_images_.end();) {
    if (live.count(*it)) {
      ++it;
      continue;
    }
    if (auto files = image_files_.find(*it); files != image_files_.end()) {
      for (const char *suffix : {".json", ".coverage.json"})
        remove_file(path(files->second + suffix), expired.errors);
      image_files_.erase(files);
      expired.images.push_back(*it);
    }
    it = dirty_images_.erase(it);
  }
  return expired;
}

std::vector<const ProfileStore::ContainerEntry *> ProfileStore::containers() const {
  std::vector<const ContainerEntry *> out;
  for (const auto &[id, slot] : slots_) out.push_back(&slot.entry);
  return out;
}

const ProfileStore::ContainerEntry *ProfileStore::find_container(const std::string &query) const {
  const ContainerEntry *by_name = nullptr;
  auto better = [](const ContainerEntry *a, const ContainerEntry *b) {  // is a better than b
    if ((a->removed_at == 0) != (b->removed_at == 0)) return a->removed_at == 0;
    return a->last_seen > b->last_seen;
  };
  for (const auto &[id, slot] : slots_)
    if (container::container_matches(query, slot.entry.who.name, "") &&
        (!by_name || better(&slot.entry, by_name)))
      by_name = &slot.entry;
  if (by_name) return by_name;
  std::vector<const ContainerEntry *> by_id;
  for (const auto &[id, slot] : slots_)
    if (container::container_matches(query, "", id)) by_id.push_back(&slot.entry);
  if (by_id.size() > 1) {
    std::string ids;
    for (const auto *entry : by_id) ids += " " + container::short_id(entry->who.id);
    throw Error(Exit::usage, "container id prefix \"" + query + "\" is ambiguous:" + ids);
  }
  return by_id.empty() ? nullptr : by_id.front();
}

std::optional<profile::ContainerProfile> ProfileStore::container_profile(
    const std::string &query) const {
  const auto *entry = find_container(query);
  if (!entry || !has_calls(entry->calls)) return std::nullopt;
  return compose(entry->calls);
}

std::vector<std::string> ProfileStore::image_keys() const {
  std::set<std::string> keys;
  for (const auto &[id, slot] : slots_) keys.insert(slot.entry.image_key);
  return {keys.begin(), keys.end()};
}

std::vector<const ProfileStore::ContainerEntry *> ProfileStore::instances(
    const std::string &key) const {
  std::vector<const ContainerEntry *> out;
  for (const auto &[id, slot] : slots_)
    if (slot.entry.image_key == key) out.push_back(&slot.entry);
  return out;
}

bool ProfileStore::group_has_calls(const std::string &key) const {
  for (const auto *entry : instances(key))
    if (has_calls(entry->calls)) return true;
  return false;
}

std::string ProfileStore::image_file_base(const std::string &key) const {
  // The smallest name its instances were run by: the same file while they come and go.
  std::string image, image_id;
  for (const auto *entry : instances(key)) {
    image_id = entry->who.image_id;
    if (!entry->who.image.empty() && (image.empty() || entry->who.image < image))
      image = entry->who.image;
  }
  return image_base_name(image, image_id) + "-" + hex64(fnv1a64({key})).substr(0, 12);
}

ProfileStore::ImageProfile ProfileStore::compose_image(const std::string &key) const {
  ImageProfile image;
  image.key = key;
  auto members = instances(key);
  image.instances = members.size();
  profile::CgroupCalls all;
  std::map<std::string, size_t> seen_in;  // allowed call -> instances that made it
  std::map<std::pair<std::string, std::string>, size_t> refused_in;  // (call, errno) -> instances
  json containers = json::array();
  for (const auto *entry : members) {
    if (!entry->who.image.empty() && (image.image.empty() || entry->who.image < image.image))
      image.image = entry->who.image;
    image.image_id = entry->who.image_id;
    image.command = entry->who.command;
    for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set)
      all.sets[set].merge(entry->calls.sets[set]);
    for (const auto &[denial, count] : entry->calls.denials) {
      auto &total = all.denials[denial];
      total = std::max(total, count);  // a sum of totals would overstate nothing useful here
    }
    for (const auto &name : observed_names(entry->calls)) ++seen_in[name];
    std::set<std::pair<std::string, std::string>> refused;
    for (const auto &[denial, count] : entry->calls.denials)
      if (auto name = seccomp::syscall_name(seccomp::scmp_arch_for(denial.arch),
                                            static_cast<int>(denial.nr)))
        refused.insert({*name, syscalls::errno_name(denial.err)});
    for (const auto &call : refused) ++refused_in[call];
    containers.push_back(
        {{"id", entry->who.id}, {"name", entry->who.name}, {"running", entry->removed_at == 0}});
  }
  image.composed = compose(all);

  // What was seen, counted; what the composition added, marked as such and not counted.
  const auto &built = image.composed.built;
  std::set<std::string> essential(built.added_essentials.begin(), built.added_essentials.end());
  std::set<std::string> gap;
  for (const auto &name : record::runtime_gap_names()) gap.insert(name);
  json syscalls = json::object();
  json added = {{"runtime_gap", json::array()}, {"essential", json::array()}};
  for (const auto &name : allowed_names(built.profile)) {
    if (auto it = seen_in.find(name); it != seen_in.end())
      syscalls[name] = it->second;
    else if (essential.count(name))
      added["essential"].push_back(name);
    else if (gap.count(name))
      added["runtime_gap"].push_back(name);
    else
      added["other"].push_back(name);  // nothing composes this today; shown, never counted
  }
  json refused = json::object();
  for (const auto &[call, count] : refused_in)
    refused[call.first] = {{"errno", call.second}, {"instances", count}};
  bool by_id = !image.image_id.empty();
  image.coverage = {{"key", key},
                    {"image", image.image},
                    {"image_id", image.image_id},
                    {"keyed_by", by_id ? "image_id" : "image name (the image id was unknown)"},
                    {"command", image.command},
                    {"instances", image.instances},
                    {"containers", containers},
                    {"syscalls", syscalls},
                    {"added", added},
                    {"refused", refused},
                    {"notes", image.composed.notes}};
  return image;
}

std::optional<ProfileStore::ImageProfile> ProfileStore::image_profile(
    const std::string &query) const {
  if (query.empty()) return std::nullopt;
  auto keys = image_keys();
  if (std::find(keys.begin(), keys.end(), query) != keys.end()) return compose_image(query);
  std::string id_prefix = query.rfind("sha256:", 0) == 0 ? query.substr(7) : query;
  bool by_id = is_hex(id_prefix) && id_prefix.size() >= 4;
  std::set<std::string> matches;
  for (const auto &[id, slot] : slots_) {
    const auto &who = slot.entry.who;
    std::string hexpart = who.image_id.rfind("sha256:", 0) == 0 ? who.image_id.substr(7) : "";
    bool id_match = by_id && hexpart.rfind(id_prefix, 0) == 0;
    bool name_match = container::image_matches(query, who.image);
    if (id_match || name_match) matches.insert(slot.entry.image_key);
  }
  if (matches.empty()) return std::nullopt;
  if (matches.size() > 1) {
    std::string list;
    for (const auto &key : matches) list += " " + key;
    throw Error(Exit::usage,
                "\"" + query + "\" names several image groups (one per command):" + list);
  }
  return compose_image(*matches.begin());
}

}  // namespace syscope::daemon
