// SPDX-License-Identifier: Apache-2.0
// `syscope trace stats`: one pass over a trace, counting per container, process and syscall.
#include "syscope/trace/trace_stats.hpp"

#include "syscope/containers/container_id.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <unordered_map>

#include "syscope/abi.h"
#include "syscope/base/clock.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/trace/read_outcome.hpp"

namespace syscope::trace {
namespace {

struct ContainerInfo {
  std::string id, name, image;
};

std::string group_label(const ContainerInfo &c, uint64_t cgroup_id) {
  return container::container_label(c.name, c.id, c.image, cgroup_id, true);
}

std::string basename_of(const char *path, size_t max) {
  std::string s(path, strnlen(path, max));
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string str_field(const nlohmann::json &j, const char *key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void count(CallCounts &c, bool error, bool denied) {
  ++c.calls;
  if (denied)
    ++c.denials;
  else if (error)
    ++c.errors;
}

template <typename T> T load(const Record &r) {
  T v;
  std::memcpy(&v, r.bytes.data(), sizeof v);  // the reader guarantees the size
  return v;
}

std::string plural(uint64_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string seconds_text(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ns) / 1e9);
  return buf;
}

// Columns padded to the widest cell; numbers right-aligned.
std::string table(const std::vector<std::vector<std::string>> &rows,
                  const std::vector<bool> &right) {
  std::vector<size_t> width(rows.front().size(), 0);
  for (const auto &row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto &row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      std::string pad(width[i] - row[i].size(), ' ');
      line += right[i] ? pad + row[i] : row[i] + (i + 1 < row.size() ? pad : "");
      if (i + 1 < row.size()) line += "  ";
    }
    out += line + "\n";
  }
  return out;
}

nlohmann::ordered_json counts_json(const CallCounts &c) {
  return {{"calls", c.calls}, {"errors", c.errors}, {"denials", c.denials}};
}

}  // namespace

TraceStats collect_stats(TraceReader &reader) {
  TraceStats st;
  st.header = reader.header();
  std::unordered_map<uint64_t, ContainerInfo> containers;  // by cgroup id
  std::map<uint64_t, CallCounts> by_cgroup;
  std::map<uint64_t, std::set<uint32_t>> pids_by_cgroup;
  struct Proc {
    std::string comm;
    uint64_t cgroup_id = 0;
    CallCounts counts;
    bool made_calls = false;
  };
  std::map<uint32_t, Proc> procs;
  std::map<std::pair<uint16_t, int>, CallCounts> by_syscall;
  auto seen_ts = [&](uint64_t ts) {
    if (st.first_ts_ns == 0 || ts < st.first_ts_ns) st.first_ts_ns = ts;
    st.last_ts_ns = std::max(st.last_ts_ns, ts);
  };

  Record r;
  while (reader.next(r)) {
    ++st.records;
    switch (r.kind) {
      case SYSCOPE_EV_SYSCALL: {
        auto ev = load<syscope_syscall_event>(r);
        seen_ts(ev.hdr.ts_ns);
        bool enter_only = ev.flags & SYSCOPE_SYSCALL_ENTER_ONLY;
        bool denied = ev.flags & SYSCOPE_SYSCALL_DENIED;
        bool error = !enter_only && ev.ret < 0;
        if (enter_only) ++st.enter_only;
        if (ev.flags & SYSCOPE_SYSCALL_DATA_LOST) ++st.data_lost;
        count(st.total, error, denied);
        count(by_cgroup[ev.cgroup_id], error, denied);
        count(by_syscall[{ev.arch, ev.nr}], error, denied);
        Proc &p = procs[ev.pid];
        count(p.counts, error, denied);
        p.cgroup_id = ev.cgroup_id;
        p.made_calls = true;
        pids_by_cgroup[ev.cgroup_id].insert(ev.pid);
        break;
      }
      case SYSCOPE_EV_DENIAL: {
        auto ev = load<syscope_denial_event>(r);
        seen_ts(ev.hdr.ts_ns);
        ++st.total.denials;
        ++by_cgroup[ev.cgroup_id].denials;
        if (ev.nr >= 0) ++by_syscall[{ev.arch, ev.nr}].denials;
        Proc &p = procs[ev.pid];
        ++p.counts.denials;
        p.cgroup_id = ev.cgroup_id;
        p.made_calls = true;
        if (p.comm.empty()) p.comm = std::string(ev.comm, strnlen(ev.comm, sizeof ev.comm));
        pids_by_cgroup[ev.cgroup_id].insert(ev.pid);
        break;
      }
      case SYSCOPE_EV_PROC_FORK: {
        auto ev = load<syscope_proc_fork>(r);
        seen_ts(ev.hdr.ts_ns);
        ++st.forks;
        if (ev.child_pid != ev.parent_pid) {  // a new process, not a thread
          Proc &child = procs[ev.child_pid];
          auto parent = procs.find(ev.parent_pid);
          if (child.comm.empty() && parent != procs.end()) child.comm = parent->second.comm;
          child.cgroup_id = ev.cgroup_id;
        }
        break;
      }
      case SYSCOPE_EV_PROC_EXEC: {
        auto ev = load<syscope_proc_exec>(r);
        seen_ts(ev.hdr.ts_ns);
        ++st.execs;
        Proc &p = procs[ev.pid];
        p.comm = basename_of(ev.filename, sizeof ev.filename);
        p.cgroup_id = ev.cgroup_id;
        break;
      }
      case SYSCOPE_EV_PROC_EXIT: {
        auto ev = load<syscope_proc_exit>(r);
        seen_ts(ev.hdr.ts_ns);
        if (ev.group_dead) ++st.exits;
        break;
      }
      case kRecordContainer: {
        auto j = parse_json_record(r);
        if (!j) break;
        auto cg = j->find("cgroup_id");
        if (cg == j->end() || !cg->is_number_unsigned()) break;
        containers[cg->get<uint64_t>()] = {str_field(*j, "id"), str_field(*j, "name"),
                                           str_field(*j, "image")};
        break;
      }
      case kRecordCounters: {
        auto j = parse_json_record(r);
        if (j) st.counters = std::move(*j);
        break;
      }
      case kRecordNote: {
        auto j = parse_json_record(r);
        if (j) {
          std::string text = str_field(*j, "text");
          if (!text.empty()) st.notes.push_back(text);
        }
        break;
      }
      default: break;
    }
  }
  st.blocks = reader.blocks_read();
  st.records_skipped = reader.records_skipped();
  st.complete = reader.complete();
  st.stopped_early = reader.stopped_early();
  if (st.counters)
    for (const auto &[key, value] : st.counters->items())
      if (value.is_number_unsigned()) st.drops += value.get<uint64_t>();

  // Containers by container id (one container may span several cgroup ids); the rest is host.
  std::map<std::string, TraceStats::Group> groups;
  std::unordered_map<uint64_t, std::string> label_of;
  for (const auto &[cgroup_id, counts] : by_cgroup) {
    auto c = containers.find(cgroup_id);
    std::string key =
        c == containers.end() ? std::string("host") : group_label(c->second, cgroup_id);
    TraceStats::Group &g = groups[key];
    g.label = key;
    if (c != containers.end()) {
      g.id = c->second.id;
      g.name = c->second.name;
      g.image = c->second.image;
    }
    g.cgroup_ids.push_back(cgroup_id);
    g.counts.calls += counts.calls;
    g.counts.errors += counts.errors;
    g.counts.denials += counts.denials;
    g.processes += pids_by_cgroup[cgroup_id].size();
    label_of[cgroup_id] = key;
  }
  for (auto &[key, g] : groups) st.groups.push_back(std::move(g));
  for (auto &[pid, p] : procs) {
    if (!p.made_calls) continue;
    auto label = label_of.find(p.cgroup_id);
    st.processes.push_back(
        {pid, p.comm, label == label_of.end() ? "host" : label->second, p.counts});
  }
  for (const auto &[key, counts] : by_syscall) {
    auto [arch, nr] = key;
    st.syscalls.push_back({syscalls::call_name(arch, nr), syscalls::arch_label(arch), nr, counts});
  }
  auto by_calls = [](const auto &a, const auto &b) { return a.counts.calls > b.counts.calls; };
  std::stable_sort(st.groups.begin(), st.groups.end(), by_calls);
  std::stable_sort(st.processes.begin(), st.processes.end(), by_calls);
  std::stable_sort(st.syscalls.begin(), st.syscalls.end(), by_calls);
  return st;
}

std::string format_stats_text(const TraceStats &st, const std::string &path) {
  const FileHeader &h = st.header;
  std::string out = path + ": trace of " + (h.hostname.empty() ? "?" : h.hostname) + " (" +
                    h.kernel_release + " " + h.machine + ") by syscope " + h.syscope_version;
  if (h.created_wall_ns) out += ", started " + syscope::rfc3339_time(h.created_wall_ns);
  out += "\n";
  out += plural(st.records, "record", "records") + " in " + plural(st.blocks, "block", "blocks");
  if (st.last_ts_ns > st.first_ts_ns)
    out += ", " + seconds_text(st.last_ts_ns - st.first_ts_ns) + " from " +
           syscope::rfc3339_time(st.first_ts_ns + h.boot_to_wall_ns) + " to " +
           syscope::rfc3339_time(st.last_ts_ns + h.boot_to_wall_ns);
  out += "\n";
  out += "syscalls: " + std::to_string(st.total.calls) +
         ", errors: " + std::to_string(st.total.errors) +
         ", denials: " + std::to_string(st.total.denials) +
         ", never returned: " + std::to_string(st.enter_only) + "\n";
  out += "processes: " + std::to_string(st.processes.size()) + " (forks " +
         std::to_string(st.forks) + ", execs " + std::to_string(st.execs) + ", exits " +
         std::to_string(st.exits) + ")\n";
  if (!st.counters) {
    out += "drops: unknown (the trace holds no loss counters)\n";
  } else if (st.drops == 0) {
    out += "drops: none\n";
  } else {
    std::string parts;
    for (const auto &[key, value] : st.counters->items())
      if (value.is_number_unsigned() && value.get<uint64_t>() > 0)
        parts += (parts.empty() ? "" : ", ") + key + " " + std::to_string(value.get<uint64_t>());
    out += "drops: " + std::to_string(st.drops) + " (" + parts + ")\n";
  }
  if (st.data_lost) out += "arguments not readable: " + std::to_string(st.data_lost) + " calls\n";
  if (st.records_skipped)
    out += "malformed records skipped: " + std::to_string(st.records_skipped) + "\n";
  for (const auto &note : st.notes) out += "note: " + note + "\n";
  if (st.stopped_early)
    out += "stopped early: " + *st.stopped_early + "; the counts cover what came before\n";
  else if (!st.complete)
    out += "not closed: the recording was killed, the machine stopped, or it is still running\n";

  auto num = [](uint64_t n) { return std::to_string(n); };
  if (!st.groups.empty()) {
    std::vector<std::vector<std::string>> rows{
        {"CONTAINER", "PROCESSES", "SYSCALLS", "ERRORS", "DENIALS"}};
    for (const auto &g : st.groups)
      rows.push_back({g.label, num(g.processes), num(g.counts.calls), num(g.counts.errors),
                      num(g.counts.denials)});
    out += "\n" + table(rows, {false, true, true, true, true});
  }
  if (!st.processes.empty()) {
    std::vector<std::vector<std::string>> rows{
        {"PID", "COMM", "CONTAINER", "SYSCALLS", "ERRORS", "DENIALS"}};
    for (const auto &p : st.processes)
      rows.push_back({num(p.pid), p.comm.empty() ? "?" : p.comm, p.group, num(p.counts.calls),
                      num(p.counts.errors), num(p.counts.denials)});
    out += "\n" + table(rows, {true, false, false, true, true, true});
  }
  if (!st.syscalls.empty()) {
    std::vector<std::vector<std::string>> rows{{"SYSCALL", "ARCH", "CALLS", "ERRORS", "DENIALS"}};
    for (const auto &s : st.syscalls)
      rows.push_back(
          {s.name, s.arch, num(s.counts.calls), num(s.counts.errors), num(s.counts.denials)});
    out += "\n" + table(rows, {false, false, true, true, true});
  }
  return out;
}

nlohmann::ordered_json stats_json(const TraceStats &st, const std::string &path) {
  using nlohmann::ordered_json;
  const FileHeader &h = st.header;
  ordered_json j;
  j["file"] = path;
  j["header"] = {{"format_version", h.format_version},
                 {"syscope_version", h.syscope_version},
                 {"hostname", h.hostname},
                 {"kernel_release", h.kernel_release},
                 {"machine", h.machine},
                 {"boot_to_wall_ns", h.boot_to_wall_ns},
                 {"created_wall_ns", h.created_wall_ns}};
  j["blocks"] = st.blocks;
  j["records"] = st.records;
  j["records_skipped"] = st.records_skipped;
  j["complete"] = st.complete;
  j["stopped_early"] = st.stopped_early ? ordered_json(*st.stopped_early) : ordered_json(nullptr);
  auto warning = incompleteness(path, {st.records, st.complete, st.stopped_early});
  j["warning"] = warning ? ordered_json(*warning) : ordered_json(nullptr);  // as on stderr
  j["first_ts_ns"] = st.first_ts_ns;
  j["last_ts_ns"] = st.last_ts_ns;
  j["total"] = counts_json(st.total);
  j["enter_only"] = st.enter_only;
  j["data_lost"] = st.data_lost;
  j["forks"] = st.forks;
  j["execs"] = st.execs;
  j["exits"] = st.exits;
  j["drops"] = st.counters ? ordered_json(st.drops) : ordered_json(nullptr);
  j["counters"] = st.counters ? ordered_json(*st.counters) : ordered_json(nullptr);
  j["notes"] = st.notes;
  ordered_json groups = ordered_json::array();
  for (const auto &g : st.groups) {
    ordered_json gj = {{"label", g.label}};
    if (!g.id.empty() || !g.name.empty()) {
      gj["id"] = g.id;
      gj["name"] = g.name;
      gj["image"] = g.image;
    } else {
      gj["id"] = nullptr;
    }
    gj["cgroup_ids"] = g.cgroup_ids;
    gj["processes"] = g.processes;
    gj.update(counts_json(g.counts));
    groups.push_back(gj);
  }
  j["containers"] = groups;
  ordered_json procs = ordered_json::array();
  for (const auto &p : st.processes) {
    ordered_json pj = {{"pid", p.pid},
                       {"comm", p.comm.empty() ? ordered_json(nullptr) : ordered_json(p.comm)},
                       {"container", p.group}};
    pj.update(counts_json(p.counts));
    procs.push_back(pj);
  }
  j["processes"] = procs;
  ordered_json calls = ordered_json::array();
  for (const auto &s : st.syscalls) {
    ordered_json sj = {{"name", s.name}, {"arch", s.arch}, {"nr", s.nr}};
    sj.update(counts_json(s.counts));
    calls.push_back(sj);
  }
  j["syscalls"] = calls;
  return j;
}

}  // namespace syscope::trace
