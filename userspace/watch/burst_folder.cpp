// SPDX-License-Identifier: Apache-2.0
// Folds bursts of one kind of denial so a hot loop cannot flood the terminal: the first is
// shown, repeats within a window are counted and reported as one line when the window closes.
#include <algorithm>
#include <cstdio>

#include "syscope/base/clock.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/watch/watch_report.hpp"

namespace syscope::watch {
namespace {

// "= -EPERM", "-> SIGSYS", "killed by SIGSYS": the outcome part of a denial line.
std::string outcome(const Denial &d) {
  switch (d.action) {
    case SYSCOPE_ACTION_ERRNO: return "= -" + syscalls::errno_name(d.err);
    case SYSCOPE_ACTION_TRAP: return "-> " + syscalls::signal_name(d.err);
    case SYSCOPE_ACTION_KILL_PROCESS:
    case SYSCOPE_ACTION_KILL_THREAD:
      return d.err ? "killed by " + syscalls::signal_name(d.err) : std::string("thread killed");
  }
  return "refused (" + syscalls::action_name(d.action) + ")";
}

std::string seconds_text(uint64_t ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ns) / 1e9);
  return buf;
}

}  // namespace

std::string format_text(const Repeats &r) {
  return "  ... " + syscalls::call_name(r.sample.arch, r.sample.nr) + " " + outcome(r.sample) +
         " x " + std::to_string(r.count) + " more in " + seconds_text(r.last_ns - r.first_ns) +
         " (" + who_short(r.sample) + ")";
}

nlohmann::ordered_json to_json(const Repeats &r) {
  nlohmann::ordered_json full = to_json(r.sample), j;
  j["type"] = "repeats";
  j["time"] = rfc3339_time(r.first_ns);
  j["until"] = rfc3339_time(r.last_ns);
  j["seconds"] = static_cast<double>(r.last_ns - r.first_ns) / 1e9;
  j["count"] = r.count;
  for (const char *key : {"cgroup_id", "syscall", "nr", "arch", "action", "errno", "errno_name",
                          "signal", "signal_name", "container"})
    j[key] = full[key];
  return j;
}

std::string format_json(const Repeats &r) {
  return to_json(r).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

BurstFolder::Key BurstFolder::key_of(const Denial &d) {
  std::string who_key = "host";
  if (d.container)
    who_key = !d.container->id.empty() ? d.container->id : "cgroup " + std::to_string(d.cgroup_id);
  return {who_key, d.arch, d.nr, d.action, d.err};
}

void BurstFolder::close_expired(uint64_t now_ns, std::vector<Folded> &out) {
  std::vector<Repeats> closed;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window &w = it->second;
    if (now_ns < w.end_ns) {
      ++it;
      continue;
    }
    if (w.open && w.repeats.count > 0) {
      closed.push_back(w.repeats);
      // Still repeating: stay hot for one more window, so the next denial is counted, not shown.
      w.open = false;
      w.hot = true;
      w.end_ns += window_ns_;
      if (now_ns < w.end_ns) {
        ++it;
        continue;
      }
    }
    it = windows_.erase(it);
  }
  std::sort(closed.begin(), closed.end(),
            [](const Repeats &a, const Repeats &b) { return a.first_ns < b.first_ns; });
  for (auto &r : closed) out.push_back(Folded{std::nullopt, std::move(r)});
}

std::vector<Folded> BurstFolder::add(const Denial &d) {
  std::vector<Folded> out;
  close_expired(d.wall_time_ns, out);
  Window &w = windows_[key_of(d)];
  if (w.open) {
    ++w.repeats.count;
    w.repeats.last_ns = std::max(w.repeats.last_ns, d.wall_time_ns);
    return out;
  }
  bool shown = !w.hot;
  w.open = true;
  w.end_ns = d.wall_time_ns + window_ns_;
  w.repeats = Repeats{d, shown ? 0u : 1u, d.wall_time_ns, d.wall_time_ns};
  if (shown) out.push_back(Folded{d, std::nullopt});
  return out;
}

std::vector<Folded> BurstFolder::tick(uint64_t now_ns) {
  std::vector<Folded> out;
  close_expired(now_ns, out);
  return out;
}

std::vector<Folded> BurstFolder::flush() {
  std::vector<Folded> out;
  std::vector<Repeats> open;
  for (auto &[key, w] : windows_)
    if (w.open && w.repeats.count > 0) open.push_back(w.repeats);
  windows_.clear();
  std::sort(open.begin(), open.end(),
            [](const Repeats &a, const Repeats &b) { return a.first_ns < b.first_ns; });
  for (auto &r : open) out.push_back(Folded{std::nullopt, std::move(r)});
  return out;
}

std::vector<std::string> BurstFolder::text_lines(const std::vector<Folded> &out,
                                                 const TextOptions &opt) {
  std::vector<std::string> lines;
  for (const auto &f : out) {
    if (f.denial) lines.push_back(format_text(*f.denial, opt));
    if (f.repeats) lines.push_back(format_text(*f.repeats));
  }
  return lines;
}

}  // namespace syscope::watch
