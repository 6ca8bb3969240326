// SPDX-License-Identifier: Apache-2.0
// The daemon's profiles: for every container of the node what the kernel saw its cgroups call,
// and for every image (same digest, same command) the union of its containers, composed exactly
// as `record --container` composes them and kept on disk so a restart loses nothing flushed.
//
// On disk, under StoreOptions::state_dir (directories 0700; the store owns everything here):
//   containers/<id>.json                  one per container (id: 64 hex digits): identity,
//                                         times (wall ns), and its CgroupCalls as syscall NUMBERS
//                                         per call set per arch plus denials {arch,nr,err,count}
//                                         (calls_json.hpp); it round-trips exactly. The state
//                                         the store reloads; everything else is derived from it.
//   profiles/containers/<name>-<shortid>.json
//                                         the container's Docker-format profile (no name yet:
//                                         <shortid>.json); only once it has made calls.
//   profiles/images/<image>-<hash>.json   the image group's Docker-format profile, composed from
//                                         the union of its instances' calls.
//   profiles/images/<image>-<hash>.coverage.json
//                                         in how many instances each allowed call was seen
//                                         ("syscalls": {"read": 3, ...}), what the composition
//                                         added without it being seen ("added": {"runtime_gap":
//                                         [...], "essential": [...]}), the calls refused while
//                                         recording, the instances, and what the group is keyed
//                                         by. An instance counts for a call when its own
//                                         composition would allow it (its filtered sets when it
//                                         ran under a filter, else its workload's calls).
// Names in file names keep [A-Za-z0-9._-] and turn anything else into '_' (a leading '.' too),
// so no name or image reference ("../../etc/x", "reg:5000/a/b:c") leaves its directory. <hash>
// is the first 12 hex digits of the image key's FNV-1a 64 (stable across builds and restarts).
// Every file is written with util::AtomicFile (temp file, fsync, rename); a state file that does
// not parse is renamed to <file>.corrupt with one load warning, and the rest loads.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/container_profile.hpp"
#include "syscope/syscalls/cgroup_calls.hpp"

namespace syscope::daemon {

struct ContainerIdentity {
  std::string id;        // 64 lowercase hex digits
  std::string name;      // without Docker's leading '/'; may be empty until the API answers
  std::string runtime;   // "docker", "podman"
  std::string image;     // as given to `docker run` ("busybox:latest")
  std::string image_id;  // "sha256:..."; empty while the API is down
  std::vector<std::string> command;  // Config.Entrypoint + Config.Cmd (or Path + Args)
};

struct StoreOptions {
  std::string state_dir = "/var/lib/syscope";
  // How long a removed container (and its files) is kept: a week, so a weekly job still finds
  // the profile of a container that ran once.
  std::chrono::seconds keep_removed{7 * 24 * 3600};
  // last_seen alone moving (the same calls observed again) is written at most this often, so
  // a flush stays cheap while containers only repeat themselves.
  std::chrono::seconds last_seen_granularity{60};
};

// Not thread-safe: the daemon's one event loop owns it.
class ProfileStore {
 public:
  // Creates the directories (0700) and loads containers/*.json. Exit::environment when the
  // state dir cannot be created or read.
  explicit ProfileStore(StoreOptions options);

  // One line per file that could not be loaded (moved aside as *.corrupt) or cleaned up.
  std::vector<std::string> load_warnings() const { return load_warnings_; }

  // Merges calls seen for a container (ring-buffer events, kernel map reads): a union, so
  // observing the same calls again changes nothing but last_seen. Non-empty fields of `who`
  // replace what is known (as identify()). Exit::usage when who.id is not a container id.
  void observe(const ContainerIdentity &who, const profile::CgroupCalls &calls, uint64_t now_ns);
  // Better metadata arrived (name, image_id, command): its non-empty fields replace what is
  // known. False (and nothing stored) for a container never observed.
  bool identify(const ContainerIdentity &who);
  // The container is gone; its profiles stay for keep_removed. False for an unknown id; the
  // first removal time is kept.
  bool mark_removed(const std::string &id, uint64_t now_ns);

  struct FlushResult {
    std::vector<std::string> written;  // paths written, state files and profiles
    std::vector<std::string> removed;  // stale files (a renamed container's old profile, ...)
    std::vector<std::string> errors;   // one line each; what failed stays dirty and is retried
  };
  // Writes every changed container (state + profile) and image (profile + coverage)
  // atomically; nothing when clean. The daemon calls it every few seconds and at exit.
  FlushResult flush();

  struct Expired {
    std::vector<std::string> containers;  // ids
    std::vector<std::string> images;      // image keys with no instance left
    std::vector<std::string> errors;      // files that could not be removed
  };
  // Drops containers removed at least keep_removed before now_ns, and their files; images left
  // without an instance go with them, images that only lost some are rewritten by the next flush.
  Expired expire(uint64_t now_ns);

  struct ContainerEntry {
    ContainerIdentity who;
    uint64_t first_seen = 0, last_seen = 0;  // wall ns of the first and latest observe()
    uint64_t removed_at = 0;                 // wall ns; 0 while it runs
    profile::CgroupCalls calls;
    std::string image_key;  // its image group (image_key() below)
  };
  // Sorted by id.
  std::vector<const ContainerEntry *> containers() const;
  // As `docker` takes names and ids (container::container_matches): an exact name first (a
  // running container before removed ones of that name, then the latest seen), else a unique id
  // prefix. nullptr when nothing matches; Exit::usage when an id prefix names several.
  const ContainerEntry *find_container(const std::string &name_or_id_prefix) const;

  // A container's composed profile from its current calls: what flush wrote or will write.
  // nullopt when nothing matches or it has made no calls yet.
  std::optional<profile::ContainerProfile> container_profile(const std::string &query) const;

  struct ImageProfile {
    std::string key, image, image_id;
    std::vector<std::string> command;
    profile::ContainerProfile composed;
    nlohmann::json coverage;  // what the .coverage.json file holds
    size_t instances = 0;
  };
  // By image key, image id ("sha256:..." or a prefix of its hex, at least 4 digits), or image
  // name ("busybox:latest"; "busybox" also finds "busybox:latest"). nullopt when nothing
  // matches; Exit::usage when the query names several groups (one image run with several
  // commands), with their keys.
  std::optional<ImageProfile> image_profile(const std::string &query) const;
  // Every image group's key, sorted.
  std::vector<std::string> image_keys() const;

  const StoreOptions &options() const { return options_; }

 private:
  struct Slot {
    ContainerEntry entry;
    bool dirty = false;          // its state file differs from memory
    bool profile_dirty = false;  // its profile (and so its image's) is to be rewritten
    uint64_t persisted_last_seen = 0;
    std::string profile_file;  // relative to state_dir, as last written; empty: none
  };
  std::string path(const std::string &relative) const;  // under state_dir
  static std::string container_profile_file(const ContainerEntry &entry);
  std::string state_json(const Slot &slot) const;
  static Slot parse_state(const std::string &text, const std::string &id);  // Exit::usage
  bool merge_identity(Slot &slot, const ContainerIdentity &who);            // true when it changed
  void load();
  std::vector<const ContainerEntry *> instances(const std::string &key) const;
  bool group_has_calls(const std::string &key) const;
  std::string image_file_base(const std::string &key) const;  // profiles/images/<this>.json
  ImageProfile compose_image(const std::string &key) const;

  StoreOptions options_;
  std::map<std::string, Slot> slots_;   // by container id
  std::set<std::string> dirty_images_;  // image keys to rewrite, or remove when left empty
  std::map<std::string, std::string> image_files_;  // image key -> its files' relative base
  std::vector<std::string> load_warnings_;
};

// "<image_id>@<16 hex of the command's FNV-1a 64>", or "image:<image>@..." when the image id is
// unknown (the image name stands in; the coverage JSON says so).
std::string image_key(const ContainerIdentity &who);

// A name made safe as one file-name component (see the layout above); never empty.
std::string sanitized_file_name(const std::string &name);

}  // namespace syscope::daemon
