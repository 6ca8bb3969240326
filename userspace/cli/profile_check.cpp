// SPDX-License-Identifier: Apache-2.0
// syscope profile check FILE [--json]: what runc and libseccomp would make of a profile, exit 2
// on any error; syscope profile explain FILE [--json]: what it allows against Docker's default.
#include <cstdio>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/seccomp/profile_check.hpp"
#include "syscope/seccomp/profile_explain.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::cli {

void add_profile_check(CLI::App &profile_cmd) {
  struct Options {
    std::string file;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "check", "Check a Docker-format profile as runc and libseccomp compile it: unknown names "
               "per arch, duplicate, contradicting and never-matching rules, runc's OR of "
               "repeated argument indexes, sign extension, size (exit 2 on errors)");
  cmd->add_option("file", opts->file, "Profile file")->required();
  cmd->add_flag("--json", opts->json, "One JSON document: file, findings, errors, warnings");
  cmd->callback([opts] {
    std::string text = seccomp::read_profile_text(opts->file);  // unreadable: Exit::usage
    auto findings = seccomp::check_profile(text, opts->file);
    if (opts->json)
      std::printf("%s\n", seccomp::findings_json(opts->file, findings).dump(2).c_str());
    else
      std::fputs(seccomp::findings_text(opts->file, findings).c_str(), stdout);
    bool errors = false;
    for (const auto &f : findings) errors |= f.severity == seccomp::Finding::Severity::error;
    g_exit_status = errors ? static_cast<int>(Exit::usage) : 0;
  });
}

void add_profile_explain(CLI::App &profile_cmd) {
  struct Options {
    std::string file;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "explain", "What a profile allows against Docker's default: the calls it refuses and why, "
                 "argument values, architectures");
  cmd->add_option("file", opts->file, "Profile file")->required();
  cmd->add_flag("--json", opts->json, "One JSON document");
  cmd->callback([opts] {
    auto profile = seccomp::load_docker_profile(opts->file);
    auto e = seccomp::explain_profile(profile);
    if (opts->json)
      std::printf("%s\n", seccomp::explanation_json(opts->file, e).dump(2).c_str());
    else
      std::fputs(seccomp::explanation_text(opts->file, e).c_str(), stdout);
  });
}

}  // namespace syscope::cli
