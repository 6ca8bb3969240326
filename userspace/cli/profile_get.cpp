// SPDX-License-Identifier: Apache-2.0
// syscope profile get CONTAINER_OR_IMAGE [--format docker|oci|spo] [-o FILE]: the profile the
// daemon holds for a container (name or id prefix) or an image (name, id, or the key of one
// image + command group), written as record writes its profiles; the summary goes to stderr.
// An image's coverage goes into the SPO object's annotations, or beside a Docker/OCI file.
#include <cstdio>

#include "daemon_request.hpp"
#include "profile_output_options.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/daemon/control_protocol.hpp"
#include "syscope/seccomp/profile_coverage.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::cli {
namespace {

using json = nlohmann::json;

std::string summary(const json &r) {
  std::string line;
  if (r["kind"] == "container") {
    const auto &c = r["container"];
    line = "container " +
           container::container_label(c.value("name", ""), c.value("id", ""), c.value("image", ""),
                                      0, true) +
           (c.value("exited", false) ? ", exited" : "");
  } else {
    const auto &i = r["image"];
    line = "image " + i.value("image", "") + " (" + std::to_string(i.value("instances", 0)) +
           " container" + (i.value("instances", 0) == 1 ? "" : "s") + ")";
  }
  line += ": allows " + std::to_string(r.value("syscalls", 0)) + " syscalls";
  if (r.contains("allowed_by_docker_default"))
    line += " (Docker's default allows " + r["allowed_by_docker_default"].dump() + ")";
  return line;
}

}  // namespace

void add_profile_get(CLI::App &profile_cmd) {
  struct Options {
    std::string target, kind = "auto";
    std::string socket = daemon::default_socket_path();
    ProfileOutputOptions out;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "get", "The profile the daemon wrote for a container or an image (with coverage: in how "
             "many containers of the image each call was seen)");
  cmd->add_option("target", opts->target, "Container name or id prefix, or image")->required();
  add_profile_output_options(*cmd, opts->out, false);
  cmd->add_option("--kind", opts->kind, "container or image, when a name could be both")
      ->check(CLI::IsMember({"auto", "container", "image"}));
  cmd->add_option("--socket", opts->socket, "The daemon's control socket")->capture_default_str();
  cmd->callback([opts] {
    json r = ask_daemon(opts->socket, {{"request", "profile"},
                                       {"target", opts->target},
                                       {"kind", opts->kind},
                                       {"format", "docker"}});
    // Parsed and compiled again here: what lands in the file is checked on this side too.
    seccomp::ProfileDocument doc;
    doc.profile = seccomp::parse_docker_profile(r["profile"].dump(), "the daemon's profile");
    std::string name;
    if (r["kind"] == "image") {
      name = r["image"].value("image", "");
      if (r.contains("coverage"))
        doc.coverage = seccomp::coverage_from_daemon_json(r["coverage"], "the daemon's coverage");
    } else {
      name = r["container"].value("name", "");
    }
    if (name.empty()) name = opts->target;
    std::string written = write_profile_document(doc, opts->out, name, opts->target);
    for (const auto &note : r.value("notes", json::array()))
      std::fprintf(stderr, "syscope: note: %s\n", note.get<std::string>().c_str());
    if (r["kind"] == "image" && r.contains("coverage")) {
      const auto &cov = r["coverage"];
      size_t instances = r["image"].value("instances", 0);
      std::string partial;
      if (cov.contains("syscalls"))
        for (const auto &[name, seen] : cov["syscalls"].items())
          if (seen.is_number() && seen.get<size_t>() < instances)
            partial += (partial.empty() ? "" : ", ") + name + " " + seen.dump() + "/" +
                       std::to_string(instances);
      if (!partial.empty())
        std::fprintf(stderr, "syscope: seen in only some containers: %s\n", partial.c_str());
    }
    std::fprintf(stderr, "syscope: %s%s\n", summary(r).c_str(),
                 written == "stdout" ? "" : ("; wrote " + written).c_str());
  });
}

}  // namespace syscope::cli
