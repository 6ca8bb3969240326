// SPDX-License-Identifier: Apache-2.0
// `syscope lint`: static checks of the files that start containers (Compose, Kubernetes, shell,
// Makefiles, Dockerfile RUN lines, CI YAML) for disabled seccomp and privileged mode. Every
// checker is a pure function from (path, text) to findings, so tests need no files.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syscope::lint {

enum class Severity { error, warning };

enum class FileKind {
  unknown,     // not a file lint checks
  yaml,        // YAML without a telling name: Compose or Kubernetes by content, else unknown
  compose,     // docker-compose*.yml, compose*.yaml, ...
  kubernetes,  // decided from content only (documents with apiVersion and kind)
  ci,          // .github/workflows/*.yml, .gitlab-ci.yml
  shell,       // *.sh, *.bash, or a sh/bash shebang
  makefile,    // Makefile, makefile, GNUmakefile, *.mk
  dockerfile,  // Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile
};

struct Finding {
  std::string file;
  int line = 0;    // 1-based
  int column = 0;  // 1-based, on the physical line
  Severity severity = Severity::error;
  std::string rule;  // seccomp-unconfined, privileged, k8s-seccomp-unset, k8s-seccomp-annotation
  std::string message;
  std::string fix;
  std::vector<std::string> controls;  // CIS Docker Benchmark / DISA STIG ids
};

// A file that could not be checked: unreadable, or malformed YAML (then line/column are set).
struct FileError {
  std::string file;
  int line = 0;  // 1-based, 0 when unknown
  int column = 0;
  std::string message;  // without the file and position
};

struct FileReport {
  std::string file;
  FileKind kind = FileKind::unknown;
  std::vector<Finding> findings;
  std::optional<FileError> error;
};

const char *kind_name(FileKind kind);
const char *severity_name(Severity severity);

// The kind from the path, then from the start of the text (a shebang); kind_from_name alone
// never needs the contents.
FileKind kind_from_name(const std::string &path);
FileKind detect_kind(const std::string &path, std::string_view head);

// One checker per kind. YAML checkers report malformed YAML through FileReport::error.
FileReport check_compose(const std::string &path, const std::string &text);
FileReport check_kubernetes(const std::string &path, const std::string &text);
FileReport check_ci_yaml(const std::string &path, const std::string &text);
// Any YAML: CI or Compose by name, else Kubernetes or Compose by content, else unknown.
FileReport check_yaml(const std::string &path, const std::string &text);
FileReport check_shell(const std::string &path, const std::string &text);  // also Makefiles
FileReport check_dockerfile(const std::string &path, const std::string &text);

// detect_kind() and the matching checker; an unknown kind gives an empty report.
FileReport check_text(const std::string &path, const std::string &text);

// A docker/podman run option found in shell text, for callers that map positions themselves
// (CI YAML scalars). offset/line/column are 0-based within the text given.
struct RunOptionHit {
  size_t offset = 0;
  int line = 0;
  int column = 0;
  std::string option;  // as written, unquoted: "--privileged", "--security-opt=seccomp=unconfined"
  bool privileged = false;  // else seccomp unconfined
  // When the option came from a shell variable (`OPTS="--privileged"; docker run $OPTS`): its
  // name, and where the assignment starts (0-based like offset/line). The hit is at the use.
  std::string variable;
  size_t set_offset = 0;
  int set_line = 0;
};
// Every offending option of every `docker|podman [container] run|create` in a shell text. A
// `$NAME` or `${NAME}` word among the options is expanded when the text assigned NAME earlier by
// a plain assignment statement (`NAME=value` or `export NAME=value` alone on its command, the
// last one before the use wins); lint does not follow functions, conditions, sourced files or
// any other expansion.
std::vector<RunOptionHit> scan_shell_commands(std::string_view text);
// Offending options in a bare option list, as in GitHub Actions' container `options:`.
std::vector<RunOptionHit> scan_run_options(std::string_view text);

// Walks the paths (files or directories, recursively, skipping .git, node_modules and build
// directories), reads and checks every file of a known kind. Paths named explicitly are checked
// even without a known kind's name (by content); the unknown ones are listed in `skipped`.
struct LintRun {
  std::vector<FileReport> reports;   // in walk order, files sorted per directory
  std::vector<std::string> skipped;  // explicit paths of no known kind
  size_t files_checked = 0;
};
LintRun lint_paths(const std::vector<std::string> &paths);

// Whether a directory is skipped during a walk (by its name only).
bool skip_directory(const std::string &name);

}  // namespace syscope::lint
