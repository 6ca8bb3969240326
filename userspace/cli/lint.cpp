// SPDX-License-Identifier: Apache-2.0
// `syscope lint`: checks the files that start containers for disabled seccomp and privileged
// mode. Exit 2 when any file could not be read or parsed (its findings are unknown), else 1 on
// error findings (and on warnings with --strict), else 0.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::cli {
namespace {

struct LintOptions {
  std::vector<std::string> paths;
  bool json = false;
  bool strict = false;
};

std::string join(const std::vector<std::string> &items, const char *sep) {
  std::string out;
  for (const auto &s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string error_line(const lint::FileError &e) {
  std::string where = e.file;
  if (e.line > 0) where += ":" + std::to_string(e.line) + ":" + std::to_string(e.column);
  return where + ": " + e.message;
}

std::string plural(size_t n, const char *word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void run_lint(const LintOptions &opts) {
  lint::LintRun run = lint::lint_paths(opts.paths);
  size_t errors = 0, warnings = 0, unreadable = 0;
  for (const auto &r : run.reports) {
    if (r.error) ++unreadable;
    for (const auto &f : r.findings) ++(f.severity == lint::Severity::error ? errors : warnings);
  }
  Exit status = unreadable                            ? Exit::usage
                : errors || (opts.strict && warnings) ? Exit::findings
                                                      : Exit::ok;

  if (opts.json) {
    nlohmann::ordered_json findings = nlohmann::ordered_json::array();
    nlohmann::ordered_json file_errors = nlohmann::ordered_json::array();
    for (const auto &r : run.reports) {
      if (r.error) {
        nlohmann::ordered_json e = {{"file", r.error->file}, {"message", r.error->message}};
        if (r.error->line > 0) {
          e["line"] = r.error->line;
          e["column"] = r.error->column;
        }
        file_errors.push_back(e);
      }
      for (const auto &f : r.findings)
        findings.push_back({{"file", f.file},
                            {"line", f.line},
                            {"column", f.column},
                            {"kind", lint::kind_name(r.kind)},
                            {"severity", lint::severity_name(f.severity)},
                            {"rule", f.rule},
                            {"message", f.message},
                            {"fix", f.fix},
                            {"controls", f.controls}});
    }
    nlohmann::ordered_json doc = {{"findings", findings},
                                  {"errors", file_errors},
                                  {"skipped", run.skipped},
                                  {"summary",
                                   {{"files_checked", run.files_checked},
                                    {"errors", errors},
                                    {"warnings", warnings},
                                    {"unreadable", unreadable},
                                    {"exit_status", static_cast<int>(status)}}}};
    std::printf("%s\n", doc.dump(2).c_str());
  } else {
    for (const auto &r : run.reports) {
      if (r.error) {
        std::fflush(stdout);
        std::fprintf(stderr, "syscope: lint: %s\n", error_line(*r.error).c_str());
      }
      for (const auto &f : r.findings)
        std::printf("%s:%d:%d: %s: %s [%s; %s]\n  fix: %s\n", f.file.c_str(), f.line, f.column,
                    lint::severity_name(f.severity), f.message.c_str(), f.rule.c_str(),
                    join(f.controls, ", ").c_str(), f.fix.c_str());
    }
    std::fflush(stdout);
    for (const auto &s : run.skipped)
      std::fprintf(stderr,
                   "syscope: lint: %s: not a Compose, Kubernetes, CI, shell, Makefile or "
                   "Dockerfile file: skipped\n",
                   s.c_str());
    std::string summary = plural(run.files_checked, "file") +
                          " checked: " + plural(errors, "error") + ", " +
                          plural(warnings, "warning");
    if (unreadable) summary += "; " + std::to_string(unreadable) + " could not be checked";
    std::printf("%s\n", summary.c_str());
  }
  std::fflush(stdout);
  g_exit_status = static_cast<int>(status);
}

}  // namespace

void setup_lint(CLI::App &app) {
  auto opts = std::make_shared<LintOptions>();
  CLI::App *sub = app.add_subcommand(
      "lint",
      "Check the files that start containers (Compose, Kubernetes, shell scripts, Makefiles, "
      "Dockerfile RUN lines, CI YAML) for disabled seccomp and privileged mode");
  sub->add_option("paths", opts->paths,
                  "Files or directories (searched recursively, skipping .git, node_modules and "
                  "build directories)")
      ->required()
      ->type_name("FILE_OR_DIR");
  sub->add_flag("--json", opts->json, "One JSON document: {findings, errors, skipped, summary}");
  sub->add_flag("--strict", opts->strict, "Exit 1 on warnings too, not only on errors");
  sub->footer(
      "Exit status: 0 no error findings; 1 error findings (or warnings with --strict); 2 a file "
      "could not be read or parsed (reported, the other files are still checked), or bad usage.");
  sub->callback([opts] { run_lint(*opts); });
}

}  // namespace syscope::cli
