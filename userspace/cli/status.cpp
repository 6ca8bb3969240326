// SPDX-License-Identifier: Apache-2.0
// syscope status [--json] [--socket PATH]: what the running daemon knows, from its socket.
#include <cstdio>

#include "daemon_request.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/daemon/control_protocol.hpp"

namespace syscope::cli {
namespace {

using json = nlohmann::json;

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
  std::string losses;
  for (const auto &[key, value] : s["losses"].items())
    if (value.is_number() && value.get<uint64_t>() > 0)
      losses += (losses.empty() ? "" : ", ") + key + " " + value.dump();
  line("losses: " + (losses.empty() ? std::string("none") : losses));
  line("BPF maps: " + std::to_string(s.value("map_bytes", 0) >> 10) + " KiB, RSS " +
       std::to_string(s.value("rss_bytes", 0) >> 20) + " MiB");
  line("state: " + s.value("state_dir", "") + ", socket " + s.value("socket", ""));
  return out;
}

}  // namespace

void setup_status(CLI::App &app) {
  struct Options {
    std::string socket = daemon::default_socket_path();
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = app.add_subcommand("status", "Show what the running syscope daemon knows: "
                                           "containers, denials, alerts, losses, memory");
  cmd->add_option("--socket", opts->socket, "The daemon's control socket")->capture_default_str();
  cmd->add_flag("--json", opts->json, "The daemon's answer as one JSON object");
  cmd->callback([opts] {
    json s = ask_daemon(opts->socket, {{"request", "status"}});
    s.erase("ok");
    s.erase("id");
    std::printf("%s", opts->json ? (s.dump() + "\n").c_str() : text(s).c_str());
  });
}

}  // namespace syscope::cli
