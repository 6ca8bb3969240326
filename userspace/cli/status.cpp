// SPDX-License-Identifier: Apache-2.0
// syscope status [--json] [--socket PATH]: what the running daemon knows, from its socket.
// --dry-run [--container X]: what its dry-run settings found, with the rules a candidate lacks.
#include <cstdio>

#include "daemon_request.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/daemon/control_protocol.hpp"

namespace syscope::cli {
namespace {

using json = nlohmann::json;

std::string losses_text(const json &losses) {
  std::string out;
  for (const auto &[key, value] : losses.items())
    if (value.is_number() && value.get<uint64_t>() > 0)
      out += (out.empty() ? "" : ", ") + key + " " + value.dump();
  return out.empty() ? "none" : out;
}

std::string text(const json &s) {
  std::string out;
  auto line = [&out](const std::string &l) { out += l + "\n"; };
  line("syscope daemon " + s.value("version", "?") + ", pid " + std::to_string(s.value("pid", 0)) +
       ", up " + std::to_string(static_cast<long>(s.value("uptime_s", 0.0))) + " s");
  const auto &p = s["persistence"];
  line("kernel side: " + p.value("probes", "?") + " (" + p.value("probes_note", "") + ")");
  line(p.value("pinned", false) ? "persistence: pinned under " + p.value("pin_dir", "")
                                : "persistence: off (" + p.value("note", "") + ")");
  const auto &c = s["containers"];
  line("containers: " + std::to_string(c.value("running", 0)) + " running, " +
       std::to_string(c.value("profiled", 0)) + " profiled, " +
       std::to_string(c.value("images", 0)) + " images, " +
       std::to_string(c.value("failing_audit", 0)) + " failing the audit");
  line("denials: " + std::to_string(s.value("denials", 0)) +
       ", alerts: " + std::to_string(s.value("alerts", 0)));
  line("losses: " + losses_text(s["losses"]));
  if (const auto &c = s["confinement"]; c.is_object()) {
    std::string caps;
    for (const auto &name : c["capabilities"])
      caps += (caps.empty() ? "" : ", ") + name.get<std::string>();
    line("confined: its own seccomp profile (" + std::to_string(c["seccomp"].value("syscalls", 0)) +
         " syscalls, default EPERM), no_new_privs, " + "capabilities " + caps +
         "; its own calls refused: " + std::to_string(s.value("self_denials", 0)));
  } else {
    line("confined: no (--no-confine)");
  }
  if (const auto &d = s["dry_run"]; d.is_object())
    line("dry-run: " + std::to_string(d["settings"].size()) + " setting(s), " +
         std::to_string(d.value("containers", 0)) + " container(s), " +
         std::to_string(d.value("would_deny", 0)) +
         " distinct call(s) the candidates would deny (syscope status --dry-run)");
  line("BPF maps: " + std::to_string(s.value("map_bytes", 0) >> 10) + " KiB, RSS " +
       std::to_string(s.value("rss_bytes", 0) >> 20) + " MiB");
  line("state: " + s.value("state_dir", "") + ", socket " + s.value("socket", ""));
  if (const auto &m = s["metrics"]; m.is_string()) line("metrics: " + m.get<std::string>());
  return out;
}

// One block per container: who, which candidate since when, each call it would deny with the
// rule to add.
std::string dry_run_text(const json &r) {
  std::string out;
  uint64_t total = 0;
  for (const auto &c : r["containers"]) {
    std::string who = c.value("name", "") + " (" + c.value("id", "").substr(0, 12) +
                      (c.value("image", "").empty() ? "" : ", " + c.value("image", "")) + ")";
    out += "dry-run of " + c.value("profile", "") + " on " + who + " since " +
           c.value("since", "") + (c.value("running", false) ? "" : ", exited") + "\n";
    for (const auto &row : c["would_deny"]) {
      out += "  would deny " + row.value("call", "") + " -> " + row.value("verdict", "") +
             "; add: " + row["rule"].dump() + "\n";
      ++total;
    }
    if (c["would_deny"].empty()) out += "  nothing it would deny so far\n";
    if (c.value("rows_dropped", 0) > 0)
      out +=
          "  and " + std::to_string(c.value("rows_dropped", 0)) + " more distinct calls not kept\n";
  }
  if (r["containers"].empty()) out += "no container a dry-run setting names has been seen\n";
  out += std::to_string(total) +
         " distinct call(s) would be denied; dry-run losses: " + losses_text(r["losses"]) + "\n";
  return out;
}

}  // namespace

void setup_status(CLI::App &app) {
  struct Options {
    std::string socket = daemon::default_socket_path();
    std::string container;
    bool json = false, dry_run = false;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = app.add_subcommand("status", "Show what the running syscope daemon knows: "
                                           "containers, denials, alerts, losses, memory");
  cmd->add_option("--socket", opts->socket, "The daemon's control socket")->capture_default_str();
  cmd->add_flag("--json", opts->json, "The daemon's answer as one JSON object");
  cmd->add_flag("--dry-run", opts->dry_run,
                "What the daemon's dry-run settings found: each call a candidate would deny, "
                "and the rule to add");
  cmd->add_option("--container", opts->container, "With --dry-run: only this container")
      ->needs("--dry-run");
  cmd->callback([opts] {
    if (opts->dry_run) {
      json request = {{"request", "dry_run"}};
      if (!opts->container.empty()) request["container"] = opts->container;
      json r = ask_daemon(opts->socket, request);
      r.erase("ok");
      r.erase("id");
      std::printf("%s", opts->json ? (r.dump() + "\n").c_str() : dry_run_text(r).c_str());
      return;
    }
    json s = ask_daemon(opts->socket, {{"request", "status"}});
    s.erase("ok");
    s.erase("id");
    std::printf("%s", opts->json ? (s.dump() + "\n").c_str() : text(s).c_str());
  });
}

}  // namespace syscope::cli
