// SPDX-License-Identifier: Apache-2.0
// bench_report RAW.jsonl [--json OUT.json]: turns bench/run's raw measurements (one JSON object a
// line) into the markdown table on stdout and, with --json, a summary that keeps every raw value.
// bench/run does the measuring; this only aggregates, so the arithmetic lives in one place.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

using json = nlohmann::json;

namespace {

struct Stats {
  double median = 0, min = 0, max = 0;
  size_t n = 0;
};

std::optional<Stats> stats_of(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  return Stats{median, v.front(), v.back(), n};
}

std::string fmt(const char *format, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, x);
  return buf;
}

std::string mib(double bytes) { return fmt("%.2f MiB", bytes / (1024.0 * 1024.0)); }

struct Entry {
  std::string id, label, status;  // status "ok" or what to show instead of numbers
};

struct Raw {
  json meta = json::object();
  std::vector<Entry> modes, workloads;
  std::map<std::string, std::vector<json>> by_kind;
  json lines = json::array();  // every raw record, kept in the summary
};

Raw read_raw(const std::string &path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  Raw raw;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json j = json::parse(line);
    raw.lines.push_back(j);
    std::string kind = j.at("kind");
    if (kind == "meta")
      raw.meta = j;
    else if (kind == "mode")
      raw.modes.push_back({j.at("id"), j.at("label"), j.value("status", "ok")});
    else if (kind == "load")
      raw.meta["loadavg_end"] = j.at("loadavg_end");
    else if (kind == "workload")
      raw.workloads.push_back({j.at("id"), j.at("label"), "ok"});
    else
      raw.by_kind[kind].push_back(j);
  }
  return raw;
}

const Entry *find_mode(const Raw &raw, const std::string &id) {
  for (const auto &m : raw.modes)
    if (m.id == id) return &m;
  return nullptr;
}

// ns per call of (workload, mode) over the rounds, plus any failure text.
struct Cell {
  std::optional<Stats> stats;
  std::string failure;
};

// field: "cpu_ns_per_call" (the workload thread's CPU time) or "ns_per_call" (wall time).
Cell overhead_cell(const Raw &raw, const std::string &workload, const std::string &mode,
                   const char *field = "cpu_ns_per_call") {
  Cell cell;
  std::vector<double> values;
  auto it = raw.by_kind.find("overhead");
  if (it == raw.by_kind.end()) return cell;
  for (const auto &j : it->second) {
    if (j.at("workload") != workload || j.at("mode") != mode) continue;
    if (j.contains(field))
      values.push_back(j.at(field).get<double>());
    else if (j.contains("error"))
      cell.failure = j.at("error").get<std::string>();
  }
  cell.stats = stats_of(values);
  return cell;
}

std::string ratio(const std::optional<Stats> &a, const std::optional<Stats> &b) {
  if (!a || !b || b->median <= 0) return "";
  return fmt("%.2fx", a->median / b->median);
}

const char *verdict(bool ok) { return ok ? "PASS" : "MISS"; }

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2 && !(argc == 4 && std::string(argv[2]) == "--json")) {
    std::fprintf(stderr, "usage: bench_report RAW.jsonl [--json OUT.json]\n");
    return 2;
  }
  Raw raw;
  try {
    raw = read_raw(argv[1]);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "bench_report: %s\n", e.what());
    return 1;
  }
  const json &meta = raw.meta;
  json summary = {
      {"meta", meta},           {"overhead", json::array()}, {"streaming", json::array()},
      {"scale", json::array()}, {"startup", json::array()},  {"targets", json::array()}};
  std::ostringstream md;
  std::string rounds = std::to_string(meta.value("rounds", 0));

  md << "## syscope bench, " << meta.value("date", "?") << "\n\n"
     << "Machine: kernel " << meta.value("kernel", "?") << ", " << meta.value("nproc", 0)
     << " cores, " << meta.value("cpu", "?") << "; syscope " << meta.value("build_type", "?")
     << " build; load average (1, 5, 15 min) " << meta.value("loadavg_start", "?")
     << " at the start, " << meta.value("loadavg_end", "?") << " at the end"
     << (meta.value("quick", false) ? "; QUICK run (short loops, 1 round): not for reading" : "")
     << ".\n\n";

  // 1. Per-syscall overhead
  md << "### 1. Per-syscall overhead\n\n"
     << "ns per call as the workload times its own loop, median and min..max over " << rounds
     << " interleaved rounds. CPU: the workload thread's CPU time (CLOCK_THREAD_CPUTIME_ID); the "
        "in-kernel observers' programs run in that thread and are counted, time other processes "
        "take is not, so it is the figure to read on a busy machine, and ratios and targets use "
        "it. Wall: elapsed time; the only honest one for ptrace/perf-buffer tracers (strace, "
        "perf trace), whose tracer-side time the CPU figure leaves out.\n\n"
     << "| workload | mode | CPU ns/call | min..max | x untraced | x floor | wall ns/call | min..max |\n"
     << "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto &w : raw.workloads) {
    auto untraced = overhead_cell(raw, w.id, "untraced").stats;
    auto floor = overhead_cell(raw, w.id, "floor_enter").stats;
    for (const auto &m : raw.modes) {
      Cell c = overhead_cell(raw, w.id, m.id);
      json row = {{"workload", w.id}, {"mode", m.id}};
      md << "| " << w.label << " | " << m.label << " | ";
      auto wall = overhead_cell(raw, w.id, m.id, "ns_per_call").stats;
      if (m.status != "ok") {
        md << m.status << " | | | | | |\n";
        row["status"] = m.status;
      } else if (!c.stats || !wall) {
        std::string why = c.failure.empty() ? "no result" : "failed: " + c.failure;
        md << why << " | | | | | |\n";
        row["status"] = why;
      } else {
        md << fmt("%.0f", c.stats->median) << " | " << fmt("%.0f", c.stats->min) << ".."
           << fmt("%.0f", c.stats->max) << " | " << ratio(c.stats, untraced) << " | "
           << ratio(c.stats, floor) << " | " << fmt("%.0f", wall->median) << " | "
           << fmt("%.0f", wall->min) << ".." << fmt("%.0f", wall->max) << " |\n";
        row.update({{"cpu_median_ns", c.stats->median},
                    {"cpu_min_ns", c.stats->min},
                    {"cpu_max_ns", c.stats->max},
                    {"wall_median_ns", wall->median},
                    {"wall_min_ns", wall->min},
                    {"wall_max_ns", wall->max},
                    {"runs", c.stats->n}});
        if (untraced) row["x_untraced"] = c.stats->median / untraced->median;
        if (floor) row["x_floor"] = c.stats->median / floor->median;
      }
      summary["overhead"].push_back(row);
    }
  }

  // 2. Streaming
  md << "\n### 2. Streaming\n\n| mode | measured | result |\n|---|---|---|\n";
  for (const auto &m : raw.modes) {
    if (m.id.rfind("record_", 0) == 0 && m.status == "ok") {
      std::map<std::string, std::vector<double>> distinct;
      size_t runs = 0, lossy = 0;
      std::string losses;
      for (const auto &j : raw.by_kind["streaming"]) {
        if (j.at("mode") != m.id) continue;
        runs++;
        distinct[j.at("workload")].push_back(j.at("syscalls").get<double>());
        if (j.at("losses") != "none") {
          lossy++;
          losses = j.at("losses");
        }
      }
      std::string per_workload;
      for (const auto &[w, v] : distinct)
        per_workload +=
            (per_workload.empty() ? "" : ", ") + w + " " + fmt("%.0f", stats_of(v)->median);
      md << "| " << m.label
         << " | first-seen events (distinct syscalls in the profile, per workload); "
         << "losses the kernel counted | " << per_workload << "; losses: "
         << (lossy
                 ? std::to_string(lossy) + " of " + std::to_string(runs) + " runs (" + losses + ")"
                 : "0 in all " + std::to_string(runs) + " runs")
         << " |\n";
      summary["streaming"].push_back({{"mode", m.id}, {"runs", runs}, {"runs_with_losses", lossy}});
    } else if (m.id == "trace" && m.status == "ok") {
      // Every call of the workload becomes a record: records per second of the run, and whether
      // the kernel counted any drop (ring buffer full) in it.
      std::vector<double> rates;
      size_t runs = 0, lossy = 0;
      std::string losses;
      for (const auto &j : raw.by_kind["streaming"]) {
        if (j.at("mode") != m.id) continue;
        runs++;
        double secs = j.at("seconds").get<double>();
        if (secs > 0) rates.push_back(j.at("records").get<double>() / secs);
        if (j.at("losses") != "none") {
          lossy++;
          losses = j.at("losses");
        }
      }
      auto r = stats_of(rates);
      md << "| " << m.label << " | records/s written (workload runs, incl. start and end), drops "
         << "the kernel counted | "
         << (r ? fmt("%.0f", r->median) + " median, " + fmt("%.0f", r->max) + " max" : "none")
         << "; drops: "
         << (lossy
                 ? std::to_string(lossy) + " of " + std::to_string(runs) + " runs (" + losses + ")"
                 : "0 in all " + std::to_string(runs) + " runs")
         << " |\n";
      summary["streaming"].push_back({{"mode", m.id},
                                      {"runs", runs},
                                      {"runs_with_losses", lossy},
                                      {"records_per_s_median", r ? r->median : 0}});
    } else if ((m.id.rfind("daemon_", 0) == 0 || m.id.rfind("dry_run_", 0) == 0) &&
               m.status == "ok") {
      // One attachment per round, across the workloads: what it delivered and whether the
      // kernel counted a loss (the daemon issue's target: zero).
      size_t runs = 0, lossy = 0;
      std::string losses, records;
      for (const auto &j : raw.by_kind["streaming"]) {
        if (j.at("mode") != m.id) continue;
        runs++;
        records = j.value("records", "");
        if (j.at("losses") != "none") {
          lossy++;
          losses = j.at("losses");
        }
      }
      md << "| " << m.label << " | records delivered in the last round (all workloads); losses "
         << "the kernel counted | " << (records.empty() ? "none" : records) << "; losses: "
         << (lossy ? std::to_string(lossy) + " of " + std::to_string(runs) + " rounds (" + losses +
                         ")"
                   : "0 in all " + std::to_string(runs) + " rounds")
         << " |\n";
      summary["streaming"].push_back({{"mode", m.id}, {"runs", runs}, {"runs_with_losses", lossy}});
    } else if (m.id == "trace") {
      md << "| " << m.label << " | records/s; drops vs kernel counters | " << m.status << " |\n";
      summary["streaming"].push_back({{"mode", m.id}, {"status", m.status}});
    }
  }

  // 3. Scale and memory
  md << "\n### 3. Scale and memory (record -- bench_cgroups N)\n\n"
     << "bench_cgroups makes N child cgroups under record's cgroup, one process in each making "
        "3 calls, all live when sampled. BPF map memory: bytes_memlock of the maps syscope holds "
        "(bpftool map show); cgroup-local storage elements are charged per cgroup and not in "
        "memlock, so for that store an upper bound is added and shown: every cgroup live on the "
        "machine x 1152 bytes (the 520-byte value and element header in a 1 KiB slab, plus the "
        "per-cgroup storage header). RSS: VmHWM of syscope when sampled. Write: CMD's exit to syscope's exit "
        "(drain, profile of record's own cgroup built, compiled and written, BPF torn down); "
        "several profiles at once is `record --container`, which needs Docker and is not "
        "measured here.\n\n"
     << "The daemon rows: bench_daemon (DaemonProbes, the daemon's real programs) attached "
        "machine-wide while bench_cgroups' N cgroups are live; BPF map memory as "
        "DaemonProbes::map_bytes() counts it (memlock of its maps, the 4 MiB ring buffer "
        "included, plus 1280 bytes for every cgroup of the machine with a bitmap); RSS: the "
        "loader's VmHWM, DaemonProbes' part of a daemon's.\n\n"
     << "| store | live cgroups | BPF map memory | of which | syscope RSS (VmHWM) | CMD exit -> syscope exit |\n"
     << "|---|---:|---:|---|---:|---:|\n";
  std::map<std::string, json> largest;  // per store: the row with the most cgroups
  for (const auto &j : raw.by_kind["scale"]) {
    std::string store = j.at("store");
    if (j.contains("error")) {
      md << "| " << store << " | " << j.at("cgroups")
         << " | failed: " << j.at("error").get<std::string>() << " | | | |\n";
      continue;
    }
    double total = j.at("map_bytes").get<double>() + j.value("element_bound_bytes", 0.0);
    md << "| " << store << " | " << j.at("cgroups") << " | " << mib(total) << " | "
       << j.value("map_detail", "") << " | "
       << fmt("%.1f MiB", j.at("hwm_kib").get<double>() / 1024) << " | "
       << (j.contains("write_ms") ? fmt("%.0f ms", j.at("write_ms").get<double>())
                                  : std::string("n/a (writes no profile)"))
       << " |\n";
    json row = j;
    row["map_total_bytes"] = total;
    summary["scale"].push_back(row);
    if (!largest.count(store) || largest[store].at("cgroups") < j.at("cgroups"))
      largest[store] = row;
  }

  // 4. Startup
  md << "\n### 4. Startup (wall time, median and min..max over " << rounds << " rounds)\n\n"
     << "| command | ms | min..max |\n|---|---:|---:|\n";
  std::vector<std::string> tools;
  std::map<std::string, std::vector<double>> startup;
  std::map<std::string, std::string> startup_status;
  for (const auto &j : raw.by_kind["startup"]) {
    std::string tool = j.at("tool");
    if (!startup.count(tool) && !startup_status.count(tool)) tools.push_back(tool);
    if (j.contains("ms"))
      startup[tool].push_back(j.at("ms").get<double>());
    else
      startup_status[tool] = j.value("status", "failed");
  }
  for (const auto &tool : tools) {
    auto s = stats_of(startup[tool]);
    md << "| `" << tool << "` | ";
    if (s)
      md << fmt("%.0f", s->median) << " | " << fmt("%.0f", s->min) << ".." << fmt("%.0f", s->max)
         << " |\n";
    else
      md << startup_status[tool] << " | |\n";
    json row = {{"command", tool}};
    if (s) row.update({{"median_ms", s->median}, {"min_ms", s->min}, {"max_ms", s->max}});
    summary["startup"].push_back(row);
  }

  // Targets
  md << "\n### Targets\n\n";
  auto target = [&](const std::string &what, const std::string &result, const char *v) {
    md << "- " << v << " " << what << ": " << result << "\n";
    summary["targets"].push_back({{"target", what}, {"result", result}, {"verdict", v}});
  };
  for (const auto &m : raw.modes) {
    if (m.id.rfind("record_", 0) != 0) continue;
    if (m.status != "ok") {
      target(m.label + " targets", m.status, "MISS");
      continue;
    }
    for (const auto &w : raw.workloads) {
      auto rec = overhead_cell(raw, w.id, m.id).stats;
      auto floor = overhead_cell(raw, w.id, "floor_enter").stats;
      auto peer = overhead_cell(raw, w.id, "bpftrace").stats;
      const Entry *bt = find_mode(raw, "bpftrace");
      if (rec && floor)
        target(m.label + " <= 1.1x empty sys_enter, " + w.label,
               fmt("%.0f", rec->median) + " vs " + fmt("%.0f", floor->median) +
                   " CPU ns = " + ratio(rec, floor),
               verdict(rec->median <= 1.1 * floor->median));
      else
        target(m.label + " <= 1.1x empty sys_enter, " + w.label, "not measured", "MISS");
      if (rec && peer)
        target(m.label + " cheaper than the bpftrace one-liner, " + w.label,
               fmt("%.0f", rec->median) + " vs " + fmt("%.0f", peer->median) + " CPU ns",
               verdict(rec->median < peer->median));
      else
        target(m.label + " cheaper than the bpftrace one-liner, " + w.label,
               bt && bt->status != "ok" ? "bpftrace " + bt->status : "not measured", "MISS");
    }
  }
  for (const auto &[store, row] : largest) {
    int n = row.at("cgroups");
    std::string at =
        n == 1000 ? "" : " (measured at " + std::to_string(n) + ", the target is at 1000)";
    double bytes = row.at("map_total_bytes");
    double hwm = row.at("hwm_kib").get<double>() * 1024;
    if (store == "daemon") {
      target("the daemon's programs at 1,000 cgroups: BPF map memory < 16 MiB" + at, mib(bytes),
             verdict(bytes < 16.0 * 1024 * 1024));
      target("the daemon's programs at 1,000 cgroups: RSS < 48 MiB (DaemonProbes' part)" + at,
             mib(hwm), verdict(hwm < 48.0 * 1024 * 1024));
      continue;
    }
    target("record (" + store + ") at 1,000 cgroups: BPF map memory < 8 MiB" + at, mib(bytes),
           verdict(bytes < 8.0 * 1024 * 1024));
    target("record (" + store + ") at 1,000 cgroups: RSS < 32 MiB" + at, mib(hwm),
           verdict(hwm < 32.0 * 1024 * 1024));
  }
  for (const auto &w : raw.workloads) {
    auto watch = overhead_cell(raw, w.id, "watch_unfiltered").stats;
    auto pair = overhead_cell(raw, w.id, "floor_pair").stats;
    if (watch && pair)
      target("syscope watch, task without filter <= 1.1x empty sys_enter+sys_exit, " + w.label,
             fmt("%.0f", watch->median) + " vs " + fmt("%.0f", pair->median) +
                 " CPU ns = " + ratio(watch, pair),
             verdict(watch->median <= 1.1 * pair->median));
  }
  // The daemon's one merged pair against the empty pair, measured the same way: on a task
  // without a filter, and on one under the allow-all filter (the filter's own cost is in both).
  for (const auto &w : raw.workloads) {
    struct {
      const char *mode, *floor_mode, *what;
      double limit;
    } rows[] = {
        {"daemon_unfiltered", "floor_pair", "task without filter", 1.1},
        {"daemon_filtered", "floor_pair_filtered", "task with filter", 1.15},
        {"daemon_args_unfiltered", "floor_pair", "with args, task without filter", 1.1},
        {"daemon_args_filtered", "floor_pair_filtered", "with args, task with filter", 1.15}};
    for (const auto &r : rows) {
      auto d = overhead_cell(raw, w.id, r.mode).stats;
      auto pair = overhead_cell(raw, w.id, r.floor_mode).stats;
      std::string what = std::string("syscope daemon's programs, ") + r.what +
                         " <= " + fmt("%.2f", r.limit) + "x empty sys_enter+sys_exit, " + w.label;
      if (d && pair)
        target(what,
               fmt("%.0f", d->median) + " vs " + fmt("%.0f", pair->median) +
                   " CPU ns = " + ratio(d, pair),
               verdict(d->median <= r.limit * pair->median));
      else if (find_mode(raw, r.mode))
        target(what, "not measured", "MISS");
    }
  }
  for (const auto &m : raw.modes)
    if ((m.id.rfind("watch", 0) == 0 || m.id == "trace") && m.status != "ok")
      target(m.label + " targets", m.status, "n/a");

  std::cout << md.str();
  if (argc == 4) {
    summary["table_markdown"] = md.str();
    summary["raw"] = raw.lines;
    std::ofstream out(argv[3]);
    out << summary.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "bench_report: cannot write %s\n", argv[3]);
      return 1;
    }
  }
  return 0;
}
