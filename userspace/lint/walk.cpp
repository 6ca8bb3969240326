// SPDX-License-Identifier: Apache-2.0
// Finds and reads the files lint checks: explicit files as given, directories recursively
// (sorted, not following directory symlinks, skipping VCS, dependency and build directories).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "lint_common.hpp"
#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

namespace fs = std::filesystem;

// What lint reads at most of one file. Compose files and manifests are kilobytes; a bound keeps
// `lint /dev/zero` or a 20 MB file from eating memory (README: lint).
constexpr size_t kMaxLintBytes = 4u << 20;

FileError read_error(const std::string &path, const std::string &why) {
  return FileError{path, 0, 0, why};
}

// Kind detection looks at the path's directories (.github/workflows), so use an absolute one:
// `cd .github/workflows && syscope lint ci.yml` is still a workflow.
std::string detection_path(const std::string &path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

void check_file(const std::string &path, bool explicit_arg, LintRun &run) {
  std::string detect = detection_path(path);
  FileKind kind = kind_from_name(detect);
  if (kind == FileKind::unknown && !explicit_arg) {
    // Only extensionless files may be scripts known by their shebang alone.
    if (fs::path(path).has_extension()) return;
    FileText head = read_regular_file(path, 256, /*head_only=*/true);
    if (!head.error.empty()) {
      run.reports.push_back({path, FileKind::unknown, {}, read_error(path, head.error)});
      return;
    }
    if (detect_kind(detect, head.text) == FileKind::unknown) return;
  }
  FileText r = read_regular_file(path, kMaxLintBytes);
  if (!r.error.empty()) {
    run.reports.push_back({path, kind, {}, read_error(path, r.error)});
    return;
  }
  if (detect_kind(detect, r.text) == FileKind::unknown) {
    run.skipped.push_back(path);
    return;
  }
  // Checked under the detection path's kind, reported under the name the user gave.
  FileReport report = check_text(detect, r.text);
  report.file = path;
  for (auto &f : report.findings) f.file = path;
  if (report.error) report.error->file = path;
  if (report.kind == FileKind::yaml && !report.error) {  // YAML of no kind we check
    if (explicit_arg) run.skipped.push_back(path);
    return;
  }
  if (!report.error) ++run.files_checked;
  run.reports.push_back(std::move(report));
}

// A walk meets FIFOs, devices, sockets and symlinks that lead nowhere or in a loop. One named like
// a file lint checks (compose.yml, *.sh, Dockerfile) is reported as not checked, as it would be
// if named on the command line; any other is none of lint's business. Neither is opened: opening
// a device can act on it, and opening a FIFO can wait.
void not_regular(const std::string &path, LintRun &run) {
  if (kind_from_name(detection_path(path)) == FileKind::unknown) return;
  struct stat st {};
  std::string why = ::stat(path.c_str(), &st) != 0
                        ? "cannot read: " + errno_text(errno)
                        : std::string(file_type_text(st.st_mode)) + ", not a regular file";
  run.reports.push_back({path, kind_from_name(detection_path(path)), {}, read_error(path, why)});
}

void walk_directory(const std::string &dir, LintRun &run) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(*it);
  if (ec) {
    run.reports.push_back(
        {dir, FileKind::unknown, {}, FileError{dir, 0, 0, "cannot read: " + ec.message()}});
    return;
  }
  std::sort(entries.begin(), entries.end());
  for (const auto &e : entries) {
    std::error_code type_ec;
    if (e.is_symlink(type_ec) && e.is_directory(type_ec)) continue;  // no loops, no escapes
    if (e.is_directory(type_ec)) {
      if (!skip_directory(e.path().filename().string())) walk_directory(e.path().string(), run);
    } else if (e.is_regular_file(type_ec)) {
      check_file(e.path().string(), false, run);
    } else {
      not_regular(e.path().string(), run);
    }
  }
}

}  // namespace

bool skip_directory(const std::string &name) {
  static const char *const skipped[] = {".git",        ".hg",    ".svn",  "node_modules",
                                        "build",       "_build", ".venv", "venv",
                                        "__pycache__", ".tox",   ".cache"};
  for (const char *s : skipped)
    if (name == s) return true;
  return name.starts_with("build-") || name.starts_with("cmake-build-");
}

LintRun lint_paths(const std::vector<std::string> &paths) {
  LintRun run;
  for (const auto &path : paths) {
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      run.reports.push_back(
          {path,
           FileKind::unknown,
           {},
           FileError{path, 0, 0, "cannot read: " + (ec ? ec.message() : errno_text(ENOENT))}});
    } else if (fs::is_directory(st)) {
      walk_directory(path, run);
    } else {
      check_file(path, true, run);
    }
  }
  return run;
}

}  // namespace syscope::lint
