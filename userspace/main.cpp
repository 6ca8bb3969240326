// SPDX-License-Identifier: Apache-2.0
// Builds the CLI11 app from the subcommands and maps errors to exit codes (README.md: Exit codes).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/cli/commands.hpp"

namespace {

// CLI11 takes a word that names no subcommand for a stray positional and, checking the
// required subcommand first, says only "A subcommand is required". When the command that
// needed one got a word instead, name the word and what it could have been.
std::optional<std::string> unknown_command(CLI::App &app, const std::string &program) {
  CLI::App *at = &app;
  std::string chain = program;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    chain += " " + at->get_name();
  }
  std::vector<std::string> left = at->remaining(false);
  if (at->get_require_subcommand_min() == 0 || left.empty()) return std::nullopt;
  const std::string &word = left.front();
  if (word.rfind("-", 0) == 0)
    return "unknown option \"" + syscope::printable(word) + "\" (see " + chain + " --help)";
  std::string names;
  for (const CLI::App *sub : at->get_subcommands([](CLI::App *) { return true; }))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  return "unknown command \"" + syscope::printable(word) + "\" (commands: " + names + "; see " +
         chain + " --help)";
}

}  // namespace

int main(int argc, char **argv) {
  CLI::App app{"syscope: eBPF syscall observer that turns what containers really call into "
               "seccomp profiles"};
  app.set_version_flag("--version", SYSCOPE_VERSION);
  app.require_subcommand(1);
  syscope::cli::setup_record(app);
  syscope::cli::setup_exec(app);
  syscope::cli::setup_audit(app);
  syscope::cli::setup_lint(app);
  syscope::cli::setup_watch(app);
  syscope::cli::setup_trace(app);
  syscope::cli::setup_profile(app);
  syscope::cli::setup_daemon(app);
  syscope::cli::setup_status(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    if (auto message = unknown_command(app, "syscope")) {
      std::fprintf(stderr, "syscope: %s\n", message->c_str());
      return static_cast<int>(syscope::Exit::usage);
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(syscope::Exit::usage);
  } catch (const syscope::Error &e) {
    // Messages quote files, profiles and kernel text: whatever escaped escaping where the
    // message was built, no control character reaches the terminal (printable() twice is once).
    std::fprintf(stderr, "syscope: %s\n", syscope::printable(e.what()).c_str());
    return static_cast<int>(e.code);
  }
  return syscope::cli::g_exit_status;
}
