// SPDX-License-Identifier: Apache-2.0
// syscope profile from-trace FILE [--container X] -o profile.json: the profile `record` would
// have made from the same activity, from a trace file.
#include <optional>
#include <string>

#include "syscope/cli/commands.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/profile_from_trace.hpp"

namespace syscope::cli {

void add_profile_get(CLI::App &profile_cmd);      // profile_get.cpp
void add_profile_check(CLI::App &profile_cmd);    // profile_check.cpp
void add_profile_explain(CLI::App &profile_cmd);  // profile_check.cpp
void add_profile_verify(CLI::App &profile_cmd);   // profile_verify.cpp
void add_profile_convert(CLI::App &profile_cmd);  // profile_convert.cpp
void add_profile_merge(CLI::App &profile_cmd);    // profile_merge.cpp
void add_profile_diff(CLI::App &profile_cmd);     // profile_diff.cpp

void setup_profile(CLI::App &app) {
  auto *cmd = app.add_subcommand("profile", "Work with seccomp profiles");
  cmd->require_subcommand(1);
  add_profile_get(*cmd);
  add_profile_check(*cmd);
  add_profile_explain(*cmd);
  add_profile_verify(*cmd);
  add_profile_convert(*cmd);
  add_profile_merge(*cmd);
  add_profile_diff(*cmd);
  struct Options {
    std::string file, container, output, format = "docker";
    bool strict = false;
  };
  auto opts = std::make_shared<Options>();
  auto *from_trace = cmd->add_subcommand(
      "from-trace", "Build the profile record would have made from a trace file's activity "
                    "(calls entered and calls a filter refused)");
  from_trace->add_option("file", opts->file, "Trace file")->required();
  from_trace->add_option("-c,--container", opts->container,
                         "The container to profile (needed when the trace holds several)");
  from_trace->add_option("-o,--output", opts->output, "Profile file to write")->required();
  from_trace->add_option("--format", opts->format, "docker, or oci (linux.seccomp)")
      ->check(CLI::IsMember({"docker", "oci"}));
  from_trace->add_flag("--strict", opts->strict,
                       "Write no profile, exit 1, when the trace is incomplete (no end block, or "
                       "damaged)");
  from_trace->callback([opts] {
    g_exit_status = run_profile_from_trace(
        opts->file,
        opts->container.empty() ? std::nullopt : std::optional<std::string>(opts->container),
        opts->output, opts->format, opts->strict);
  });
}

}  // namespace syscope::cli
