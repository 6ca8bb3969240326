// SPDX-License-Identifier: Apache-2.0
// `syscope trace show`: a trace file as strace-like lines or one JSON object per record, with
// container names, decoded arguments, captured paths and socket addresses, errno names.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "syscope/abi.h"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/trace/trace_file.hpp"

#ifndef SYSCOPE_SYSCALL_FILTERED
#define SYSCOPE_SYSCALL_FILTERED 0x8 /* the task ran under a seccomp filter (abi.h) */
#endif

namespace syscope::trace {

struct ShowOptions {
  bool json = false;
  bool utc = false;  // text lines in UTC rather than local time (JSON is always UTC)
  // Each filter, when set, keeps only the records that carry its field and match it:
  std::vector<std::string> containers;  // name, id prefix, or "host" (processes in no container)
  std::vector<uint32_t> pids;           // pid or tid (a fork: the parent's or the child's)
  std::vector<std::string> syscalls;    // syscall names: syscall and denial records only
  // Time bounds, since inclusive, until exclusive (see parse_time_bound for the forms).
  std::string since, until;
};

// What a cgroup id stands for: a container (kRecordContainer, or a cgroup nested under one's
// path), else the host.
struct ContainerInfo {
  std::string runtime, id, name, image;
  nlohmann::json labels = nlohmann::json::object();
};

// The metadata of a whole trace, learned before anything is shown: containers are often named
// only after their first calls were recorded, so show reads the file twice.
class TraceCatalog {
 public:
  void learn(const Record &record);  // kRecordContainer, kRecordCgroupPath, cgroup mkdir events
  // Ties nested cgroups to the container whose cgroup path contains theirs; call once after
  // the last learn().
  void finish();
  const ContainerInfo *container_of(uint64_t cgroup_id) const;
  // "web", else the short id, else "host".
  std::string label_of(uint64_t cgroup_id) const;
  // The cgroup ids of the containers matching `name_or_id` (name, "/name", or an id prefix).
  std::vector<uint64_t> cgroups_matching(const std::string &name_or_id) const;
  // One entry per distinct container id (or name when the id is unknown), in id order.
  std::vector<ContainerInfo> containers() const;
  // The last kRecordCounters object seen (empty object if none).
  const nlohmann::json &counters() const { return counters_; }

 private:
  std::map<uint64_t, ContainerInfo> containers_;  // by cgroup id
  std::map<uint64_t, std::string> paths_;         // cgroup id -> path
  nlohmann::json counters_ = nlohmann::json::object();
};

// A kRecordCounters object is read back with bpf::loss_counters_from_json.

// --since/--until: an RFC 3339 time ("2024-05-01T12:00:01.5Z", "...+02:00"; without a zone:
// local time, or UTC when `utc`), a time of day on the trace's first day ("12:00:01.25", local
// or UTC likewise), or an offset from the trace start: "+2.5s", "+150ms", "+90us", "+2m",
// "+1h", "+3" (seconds). Returns wall-clock ns; Exit::usage with the reason if unparseable.
uint64_t parse_time_bound(const std::string &text, uint64_t trace_start_wall_ns, bool utc);

// --syscall: every name must be one libseccomp knows on one of syscope's arches (or a name show
// itself prints for a number libseccomp does not know: "syscall_<nr>", "unknown_syscall");
// Exit::usage naming the first that is not, since a filter that can never match prints nothing.
void check_syscall_filter(const std::vector<std::string> &names);

// Decoded forms, shared with the JSON output.
// "..." with strace's escapes: \", \\, \f \n \r \t \v, other unprintable bytes in octal (\1,
// \303), so captured strings compare with strace's output as they are.
std::string quote_string(const std::string &s);
// {AF_UNIX, "/run/x.sock"}, {AF_UNIX, @"abstract"}, {AF_INET, 10.0.0.1:80},
// {AF_INET6, [::1]:443}, {AF_NETLINK}; `bytes` is the raw struct sockaddr.
std::string sockaddr_text(const std::string &bytes);
nlohmann::ordered_json sockaddr_json(const std::string &bytes);
// Turns records into what show prints, filters applied. Records are fed in file order.
class ShowFormatter {
 public:
  // Exit::usage if since/until do not parse or a --syscall name is unknown. `trace_start_wall_ns`:
  // the header's creation time, or (when it is 0) the first record's wall time.
  ShowFormatter(const FileHeader &header, const TraceCatalog &catalog, const ShowOptions &opts,
                uint64_t trace_start_wall_ns);
  // The line for one record (no newline), or nullopt when filtered out or, in text mode, a
  // record text does not show (cgroup events, metadata, counters).
  std::optional<std::string> line(const Record &record) const;
  // The record as a JSON object with every field decoded; nullopt for an unknown or malformed
  // record (too short for its kind).
  std::optional<nlohmann::ordered_json> to_json(const Record &record) const;

 private:
  bool keep(const Record &record) const;
  uint64_t wall(uint64_t ts_ns) const;

  FileHeader header_;
  const TraceCatalog &catalog_;
  ShowOptions opts_;
  std::optional<uint64_t> since_ns_, until_ns_;  // wall-clock
  std::vector<uint64_t> cgroups_;                // --container: the matching cgroup ids
  bool host_wanted_ = false;                     // --container host
};

}  // namespace syscope::trace
