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
  YamlLookup &yaml;
  std::vector<Finding> &out;
  // Aliases make one node reachable many ways (a billion laughs, or one long script aliased
  // thousands of times): each node is read once per key it is reached under (the key decides
  // how it is read), and no deeper than kMaxNesting.
  NodeMemo<bool> seen;
};

// Whether to read node: not seen before under this key, and not too deep.
bool enter(Context &ctx, const YAML::Node &node, const std::string &key, int depth) {
  if (depth > kMaxNesting) {
    ctx.yaml.note_too_deep();
    return false;
  }
  return ctx.seen.first_visit(node, key);
}

// The n-th occurrence in the source, from `from` on, of the text before `offset` of a scalar's
// value: where that offset is in the file.
std::pair<int, int> source_position(Context &ctx, const YAML::Node &node, std::string_view needle,
                                    size_t offset) {
  const YAML::Mark mark = node.Mark();
  size_t from = mark.is_null() || static_cast<size_t>(mark.line) >= ctx.starts.size()
                    ? 0
                    : ctx.starts[mark.line] + mark.column;
  size_t n = count_before(node.Scalar(), needle, offset);
  size_t at = ctx.source.find(needle, from);
  for (size_t i = 0; i < n && at != std::string_view::npos; ++i)
    at = ctx.source.find(needle, at + 1);
  return at != std::string_view::npos ? position(ctx.starts, at)
                                      : std::pair<int, int>{mark.line, mark.column};
}

// The scalar's value lost its quoting, escapes, indentation and folding, but the option names
// survive verbatim: the n-th `--privileged` of the value is the n-th one in the source from the
// scalar's mark on. An option from a variable is at its `$NAME` (found the same way), and the
// assignment at its `NAME=`.
void report_hits(Context &ctx, const YAML::Node &node, const std::vector<RunOptionHit> &hits,
                 const std::string &where) {
  const std::string &value = node.Scalar();
  for (const auto &hit : hits) {
    std::string needle = hit.privileged ? "--privileged" : "--security-opt";
    int set_line = 0;
    if (!hit.variable.empty()) {
      needle = value.substr(hit.offset, value.compare(hit.offset, 2, "${") == 0
                                            ? hit.variable.size() + 3
                                            : hit.variable.size() + 1);
      set_line = source_position(ctx, node, hit.variable + "=", hit.set_offset).first;
    }
    auto [line, column] = source_position(ctx, node, needle, hit.offset);
    ctx.out.push_back(hit_finding(ctx.path, line, column, hit, where, set_line));
  }
}

void scan_scripts(Context &ctx, const YAML::Node &node, const std::string &key, int depth) {
  if (!enter(ctx, node, "script:" + key, depth)) return;
  if (node.IsScalar()) {
    report_hits(ctx, node, scan_shell_commands(node.Scalar()), "this `" + key + ":` command");
  } else if (node.IsSequence()) {  // GitLab: a list of lines, possibly nested by anchors
    for (const auto &item : node) scan_scripts(ctx, item, key, depth + 1);
  }
}

void walk(Context &ctx, const YAML::Node &node, const std::string &parent_key, int depth) {
  if (!enter(ctx, node, parent_key, depth)) return;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      std::string k = scalar(it->first);
      const YAML::Node v = it->second;  // a handle: it-> is a temporary proxy
      if (is_script_key(k)) {
        scan_scripts(ctx, v, k, depth + 1);
      } else if (k == "options" && v.IsScalar() &&
                 (parent_key == "container" || parent_key == "service")) {
        if (enter(ctx, v, "options:" + parent_key, depth + 1))
          report_hits(ctx, v, scan_run_options(v.Scalar()),
                      "the " + parent_key + " `options:` of this job");
      } else {
        // Children of `services:` are service definitions, named by the user.
        walk(ctx, v, parent_key == "services" && v.IsMap() ? "service" : k, depth + 1);
      }
    }
  } else if (node.IsSequence()) {
    for (const auto &item : node) walk(ctx, item, parent_key, depth + 1);
  }
}

}  // namespace

namespace detail {

void check_ci_docs(const std::string &path, const std::string &text,
                   const std::vector<YAML::Node> &docs, YamlLookup &yaml,
                   std::vector<Finding> &out) {
  Context ctx{path, text, line_starts(text), yaml, out, {}};
  for (const auto &doc : docs) walk(ctx, doc, "", 0);
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
  YamlLookup yaml;
  detail::check_ci_docs(path, text, parsed.docs, yaml, report.findings);
  report.error = yaml.limit_error(path);
  detail::sort_findings(report);
  return report;
}

}  // namespace syscope::lint
