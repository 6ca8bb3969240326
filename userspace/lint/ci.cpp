// SPDX-License-Identifier: Apache-2.0
// CI YAML (GitHub Actions workflows, GitLab CI): the shell in `run:`, `script:`,
// `before_script:` and `after_script:` values, and GitHub Actions' job and service container
// `options:` (docker create options). Positions are mapped back from the scalar to the file.
#include <string>
#include <string_view>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

using namespace detail;

bool is_script_key(const std::string &k) {
  return k == "run" || k == "script" || k == "before_script" || k == "after_script";
}

size_t count_before(std::string_view text, std::string_view needle, size_t end) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos && at < end;
       at = text.find(needle, at + 1))
    ++n;
  return n;
}

struct Context {
  const std::string &path;
  std::string_view source;
  std::vector<size_t> starts;
  std::vector<Finding> &out;
};

// The scalar's value lost its quoting, escapes, indentation and folding, but the option names
// survive verbatim: the n-th `--privileged` of the value is the n-th one in the source from the
// scalar's mark on.
void report_hits(Context &ctx, const YAML::Node &node, const std::vector<RunOptionHit> &hits,
                 const std::string &where) {
  const std::string &value = node.Scalar();
  const YAML::Mark mark = node.Mark();
  size_t from = mark.is_null() || static_cast<size_t>(mark.line) >= ctx.starts.size()
                    ? 0
                    : ctx.starts[mark.line] + mark.column;
  for (const auto &hit : hits) {
    std::string_view needle = hit.privileged ? "--privileged" : "--security-opt";
    size_t n = count_before(value, needle, hit.offset);
    size_t at = ctx.source.find(needle, from);
    for (size_t i = 0; i < n && at != std::string_view::npos; ++i)
      at = ctx.source.find(needle, at + 1);
    auto [line, column] = at != std::string_view::npos
                              ? position(ctx.starts, at)
                              : std::pair<int, int>{mark.line, mark.column};
    ctx.out.push_back(hit_finding(ctx.path, line, column, hit, where));
  }
}

void scan_scripts(Context &ctx, const YAML::Node &node, const std::string &key) {
  if (node.IsScalar()) {
    report_hits(ctx, node, scan_shell_commands(node.Scalar()), "this `" + key + ":` command");
  } else if (node.IsSequence()) {  // GitLab: a list of lines, possibly nested by anchors
    for (const auto &item : node) scan_scripts(ctx, item, key);
  }
}

void walk(Context &ctx, const YAML::Node &node, const std::string &parent_key) {
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string k = scalar(it->first);
      const YAML::Node v = it->second;  // a handle: it-> is a temporary proxy
      if (is_script_key(k)) {
        scan_scripts(ctx, v, k);
      } else if (k == "options" && v.IsScalar() &&
                 (parent_key == "container" || parent_key == "service")) {
        report_hits(ctx, v, scan_run_options(v.Scalar()),
                    "the " + parent_key + " `options:` of this job");
      } else {
        // Children of `services:` are service definitions, named by the user.
        walk(ctx, v, parent_key == "services" && v.IsMap() ? "service" : k);
      }
    }
  } else if (node.IsSequence()) {
    for (const auto &item : node) walk(ctx, item, parent_key);
  }
}

}  // namespace

namespace detail {

void check_ci_docs(const std::string &path, const std::string &text,
                   const std::vector<YAML::Node> &docs, std::vector<Finding> &out) {
  Context ctx{path, text, line_starts(text), out};
  for (const auto &doc : docs) walk(ctx, doc, "");
}

}  // namespace detail

FileReport check_ci_yaml(const std::string &path, const std::string &text) {
  FileReport report;
  report.file = path;
  report.kind = FileKind::ci;
  ParsedYaml parsed = parse_yaml(path, text);
  if (parsed.error) {
    report.error = parsed.error;
    return report;
  }
  detail::check_ci_docs(path, text, parsed.docs, report.findings);
  detail::sort_findings(report);
  return report;
}

}  // namespace syscope::lint
