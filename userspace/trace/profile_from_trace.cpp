// SPDX-License-Identifier: Apache-2.0
// Rebuilds record mode's per-cgroup call sets from trace records (the rules are in
// profile_from_trace.hpp), then composes the profile with record's own code.
#include "syscope/trace/profile_from_trace.hpp"

#include <algorithm>
#include <cstring>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_builder.hpp"
#include "syscope/seccomp/runtime_gap.hpp"
#include "syscope/trace/read_outcome.hpp"

namespace syscope::trace {
namespace {


bool nr_in_range(int64_t nr) { return nr >= 0 && nr < SYSCOPE_SYSCALL_BITS; }

}  // namespace

void TraceProfileBuilder::seen(Cgroup &cg, uint64_t ts_ns) {
  cg.first_ns = std::min(cg.first_ns, ts_ns);
  cg.last_ns = std::max(cg.last_ns, ts_ns);
}

void TraceProfileBuilder::add(const Record &record) {
  ++records_;
  catalog_.learn(record);
  switch (record.kind) {
    case SYSCOPE_EV_SYSCALL: {
      auto e = record_as<syscope_syscall_event>(record);
      if (!e || e->arch >= SYSCOPE_ARCH_COUNT) return;
      Cgroup &cg = cgroups_[e->cgroup_id];
      seen(cg, e->hdr.ts_ns);
      if (!nr_in_range(e->nr)) return;  // as the kernel's NR_RANGE loss: no bit for it
      if (e->flags & SYSCOPE_SYSCALL_DENIED) {
        // Only errno verdicts are kept, as record's struct syscope_denial_key does.
        if (e->ret < 0 && e->ret >= -4095)
          ++cg.denials[{e->arch, static_cast<uint32_t>(e->nr), static_cast<uint32_t>(-e->ret)}];
        return;
      }
      Span &span = cg.entered[{(e->flags & SYSCOPE_SYSCALL_FILTERED) != 0, e->arch,
                               static_cast<uint32_t>(e->nr)}];
      span.first_ns = std::min<uint64_t>(span.first_ns, e->hdr.ts_ns);
      span.last_ns = std::max<uint64_t>(span.last_ns, e->hdr.ts_ns);
      return;
    }
    case SYSCOPE_EV_DENIAL: {
      auto e = record_as<syscope_denial_event>(record);
      if (!e) return;
      Cgroup &cg = cgroups_[e->cgroup_id];
      seen(cg, e->hdr.ts_ns);
      if (e->action == SYSCOPE_ACTION_ERRNO && nr_in_range(e->nr) && e->arch < SYSCOPE_ARCH_COUNT)
        ++cg.denials[{e->arch, static_cast<uint32_t>(e->nr), e->err}];
      return;
    }
    case SYSCOPE_EV_PROC_EXEC: {
      auto e = record_as<syscope_proc_exec>(record);
      if (!e) return;
      Cgroup &cg = cgroups_[e->cgroup_id];
      seen(cg, e->hdr.ts_ns);
      if (!cg.first_exec_ns || e->hdr.ts_ns < *cg.first_exec_ns) cg.first_exec_ns = e->hdr.ts_ns;
      if (!first_command_) {
        size_t len = std::min<size_t>(e->args_len, sizeof e->args);
        std::string argv0(e->args, strnlen(e->args, len));
        std::string filename(e->filename, strnlen(e->filename, sizeof e->filename));
        first_command_ = argv0.empty() ? filename : argv0;
      }
      return;
    }
    case SYSCOPE_EV_PROC_FORK: {
      if (auto e = record_as<syscope_proc_fork>(record)) seen(cgroups_[e->cgroup_id], e->hdr.ts_ns);
      return;
    }
    case SYSCOPE_EV_PROC_EXIT: {
      if (auto e = record_as<syscope_proc_exit>(record)) seen(cgroups_[e->cgroup_id], e->hdr.ts_ns);
      return;
    }
    default: return;
  }
}

ProfileFromTrace TraceProfileBuilder::finish(const std::optional<std::string> &container) {
  catalog_.finish();
  ProfileFromTrace out;
  out.records = records_;
  out.losses = bpf::loss_counters_from_json(catalog_.counters());

  // Which cgroups: the named container's, the only container's, or (no containers) all.
  std::vector<uint64_t> selected;
  auto containers = catalog_.containers();
  if (container) {
    selected = catalog_.cgroups_matching(*container);
    if (selected.empty())
      throw Error(Exit::usage, "profile from-trace: no container \"" + *container +
                                   "\" in the trace" +
                                   (containers.empty() ? " (it has none)" : ""));
    out.for_container = true;
  } else if (containers.size() == 1) {
    const auto &c = containers.front();
    selected = catalog_.cgroups_matching(c.id.empty() ? c.name : c.id);
    out.for_container = true;
  } else if (containers.size() > 1) {
    std::string names;
    for (const auto &c : containers)
      names += (names.empty() ? "" : ", ") + (c.name.empty() ? c.id.substr(0, 12) : c.name);
    throw Error(Exit::usage, "profile from-trace: the trace has " +
                                 std::to_string(containers.size()) + " containers (" + names +
                                 "): name one with --container");
  } else {
    for (const auto &[id, cg] : cgroups_) selected.push_back(id);
  }

  if (out.for_container) {
    const ContainerInfo *c = catalog_.container_of(selected.front());
    out.label = c->name.empty() ? c->id.substr(0, 12) : c->name;
    if (!c->name.empty() && !c->id.empty()) out.label += " " + c->id.substr(0, 12);
  } else {
    std::string cmd = first_command_.value_or("trace");
    auto slash = cmd.rfind('/');
    out.label = slash == std::string::npos ? cmd : cmd.substr(slash + 1);
  }

  bool any_exec = false;
  for (uint64_t id : selected)
    if (auto it = cgroups_.find(id); it != cgroups_.end() && it->second.first_exec_ns)
      any_exec = true;
  uint64_t first_ns = UINT64_MAX, last_ns = 0;
  for (uint64_t id : selected) {
    auto it = cgroups_.find(id);
    if (it == cgroups_.end()) continue;
    const Cgroup &cg = it->second;
    first_ns = std::min(first_ns, cg.first_ns);
    last_ns = std::max(last_ns, cg.last_ns);
    for (const auto &[key, span] : cg.entered) {
      const auto &[filtered, arch, nr] = key;
      uint32_t setup = filtered ? SYSCOPE_SET_FILTERED_SETUP : SYSCOPE_SET_PLAIN_SETUP;
      if (!any_exec) {
        out.calls.sets[setup + 1].add(arch, nr);  // exec'd before tracing began: workload
        continue;
      }
      // A call entered both before and after the exec is in both sets, as in the kernel.
      if (!cg.first_exec_ns || span.first_ns < *cg.first_exec_ns)
        out.calls.sets[setup].add(arch, nr);
      if (cg.first_exec_ns && span.last_ns >= *cg.first_exec_ns)
        out.calls.sets[setup + 1].add(arch, nr);
    }
    for (const auto &[denial, count] : cg.denials) out.calls.denials[denial] += count;
  }
  if (last_ns >= first_ns) out.seconds = static_cast<double>(last_ns - first_ns) / 1e9;

  if (out.for_container) {
    out.composed = profile::compose_container_profile(out.calls, record::runtime_gap_names(),
                                                      seccomp::DockerDefault::for_this_host());
    if (!any_exec)
      out.composed.notes.push_back("no exec of the container in the trace (tracing began after it "
                                   "started): every call traced counts as the workload's");
  } else {
    out.composed.built = profile::allow_list_profile(out.calls.all());
  }
  return out;
}

ProfileFromTrace profile_from_trace(const std::string &path,
                                    const std::optional<std::string> &container) {
  TraceReader reader(path);  // Exit::usage for what is not a trace, or a newer format
  TraceProfileBuilder builder;
  Record record;
  uint64_t records = 0;
  while (reader.next(record)) {
    builder.add(record);
    ++records;
  }
  ReadOutcome outcome = outcome_of(reader, records);
  require_readable(path, outcome);  // the rule show and stats apply too
  auto result = builder.finish(container);
  result.outcome = outcome;
  result.stopped_early = outcome.stopped_early;
  return result;
}

}  // namespace syscope::trace
