// SPDX-License-Identifier: Apache-2.0
// The table watch prints at exit: every denial counted per container (or host) and syscall.
#include <algorithm>

#include "syscope/base/clock.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/watch/watch_report.hpp"

namespace syscope::watch {
namespace {

std::string result_text(const Denial &d) {
  switch (d.action) {
    case SYSCOPE_ACTION_ERRNO: return "-" + syscalls::errno_name(d.err);
    case SYSCOPE_ACTION_TRAP: return syscalls::signal_name(d.err) + " (trap)";
    case SYSCOPE_ACTION_KILL_PROCESS: return "killed (process)";
    case SYSCOPE_ACTION_KILL_THREAD: return "killed (thread)";
  }
  return syscalls::action_name(d.action);
}

std::string pad(const std::string &s, size_t width, bool right = false) {
  if (s.size() >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

}  // namespace

void DenialSummary::add(const Denial &d) {
  ++total_;
  auto key = std::make_tuple(who(d), syscalls::call_name(d.arch, d.nr), d.arch, d.action, d.err);
  auto [it, fresh] = rows_.try_emplace(key);
  Row &row = it->second;
  if (fresh) {
    row.sample = d;
    row.first_ns = row.last_ns = d.wall_time_ns;
  }
  ++row.count;
  row.first_ns = std::min(row.first_ns, d.wall_time_ns);
  row.last_ns = std::max(row.last_ns, d.wall_time_ns);
}

std::string DenialSummary::text(const TextOptions &opt) const {
  if (total_ == 0) return "no denials\n";
  std::vector<std::array<std::string, 6>> cells;
  cells.push_back({"CONTAINER", "SYSCALL", "RESULT", "COUNT", "FIRST", "LAST"});
  for (const auto &[key, row] : rows_) {
    std::string call = std::get<1>(key);
    if (row.sample.arch == SYSCOPE_ARCH_COMPAT) call += " [i386]";
    cells.push_back({std::get<0>(key), call, result_text(row.sample), std::to_string(row.count),
                     clock_time(row.first_ns, opt.utc), clock_time(row.last_ns, opt.utc)});
  }
  cells.push_back({"total", "", "", std::to_string(total_), "", ""});
  std::array<size_t, 6> width{};
  for (const auto &r : cells)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto &r : cells) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      if (i) line += "  ";
      line += pad(r[i], width[i], i == 3);  // counts right-aligned
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

nlohmann::ordered_json DenialSummary::json() const {
  nlohmann::ordered_json j;
  j["type"] = "summary";
  j["total"] = total_;
  auto &rows = j["denials"] = nlohmann::ordered_json::array();
  for (const auto &[key, row] : rows_) {
    nlohmann::ordered_json full = to_json(row.sample), r;
    for (const char *field : {"container", "syscall", "nr", "arch", "action", "errno", "errno_name",
                              "signal", "signal_name"})
      r[field] = full[field];
    r["count"] = row.count;
    r["first"] = rfc3339_time(row.first_ns);
    r["last"] = rfc3339_time(row.last_ns);
    r["reason"] = full["reason"];
    rows.push_back(std::move(r));
  }
  return j;
}

}  // namespace syscope::watch
