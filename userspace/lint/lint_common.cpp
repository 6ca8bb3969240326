// SPDX-License-Identifier: Apache-2.0
// Messages, fixes, control ids and yaml-cpp helpers shared by the lint checkers.
#include "lint_common.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <sstream>

namespace syscope::lint::detail {

std::vector<std::string> seccomp_controls() {
  return {"CIS Docker 5.21/5.22", "STIG DKER-EE-002070"};
}

// --privileged also turns the seccomp filter off, so the seccomp controls apply as well.
std::vector<std::string> privileged_controls() {
  return {"CIS Docker 5.4", "CIS Docker 5.21/5.22", "STIG DKER-EE-002070"};
}

Finding make_finding(const std::string &file, int line0, int column0, Severity severity,
                     std::string rule, std::string message, std::string fix,
                     std::vector<std::string> controls) {
  Finding f;
  f.file = file;
  f.line = line0 + 1;
  f.column = column0 + 1;
  f.severity = severity;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.fix = std::move(fix);
  f.controls = std::move(controls);
  return f;
}

Finding at_mark(const std::string &file, const YAML::Mark &mark, Severity severity,
                std::string rule, std::string message, std::string fix,
                std::vector<std::string> controls) {
  return make_finding(file, mark.is_null() ? 0 : mark.line, mark.is_null() ? 0 : mark.column,
                      severity, std::move(rule), std::move(message), std::move(fix),
                      std::move(controls));
}

std::string run_seccomp_fix(const std::string &option) {
  return "remove `" + option +
         "`; if the app needs a blocked syscall, record a profile: syscope record --container "
         "NAME -o profile.json, then --security-opt seccomp=profile.json";
}

std::string run_privileged_fix(const std::string &option) {
  return "remove `" + option +
         "` (it also turns seccomp off); add only the capabilities the app needs with --cap-add, "
         "and if it needs a blocked syscall, record a profile: syscope record --container NAME "
         "-o profile.json, then --security-opt seccomp=profile.json";
}

namespace {

// yaml-cpp 0.7 never consumes a `,` where a document's top-level node should start (a file that
// is only `,`, or `,` after a directive line): LoadAll then makes empty documents for ever, with
// memory growing until the machine runs out (found by the lint fuzzer). A first pass watches
// where documents start and stops at the second one starting where the one before did.
class StuckDocument : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> stuck;
  void OnDocumentStart(const YAML::Mark &mark) override {
    if (last_ && last_->pos == mark.pos) stuck = mark;
    last_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  std::optional<YAML::Mark> last_;
};

FileError yaml_error(const std::string &path, const YAML::Mark &mark, const std::string &what) {
  FileError err;
  err.file = path;
  if (!mark.is_null()) {
    err.line = mark.line + 1;
    err.column = mark.column + 1;
  }
  err.message = "malformed YAML: " + what;
  return err;
}

}  // namespace

ParsedYaml parse_yaml(const std::string &path, const std::string &text) {
  ParsedYaml parsed;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    StuckDocument watch;
    while (!watch.stuck && parser.HandleNextDocument(watch)) {
    }
    if (watch.stuck) {
      size_t pos = static_cast<size_t>(watch.stuck->pos);
      std::string what = pos < text.size() ? std::string(1, text[pos]) : "end of file";
      parsed.error = yaml_error(path, *watch.stuck, "unexpected `" + what + "`");
      return parsed;
    }
    parsed.docs = YAML::LoadAll(text);
  } catch (const YAML::Exception &e) {
    parsed.error = yaml_error(path, e.mark, e.msg);
  }
  return parsed;
}

std::optional<Entry> YamlLookup::find(const YAML::Node &map, std::string_view key) {
  return find(map, key, 0);
}

std::optional<Entry> YamlLookup::find(const YAML::Node &map, std::string_view key, int depth) {
  if (!map.IsMap()) return std::nullopt;
  if (auto *known = memo_.find(map, key)) return *known;
  if (depth > kMaxNesting) {
    too_deep_ = true;
    return std::nullopt;
  }
  // Nothing yet while it is resolved: a map that merges itself (`&a {<<: *a}`) adds nothing.
  // The slot stays where it is while the memo grows (unordered_multimap is node-based).
  std::optional<Entry> &slot = memo_.insert(map, key, std::nullopt);
  std::optional<Entry> found, merged;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string &k = it->first.Scalar();
    if (k == key) {
      found = Entry{it->first, it->second};
      break;
    }
    // Explicit keys win, earlier merged maps before later ones.
    if (k == "<<" && !merged) {
      const YAML::Node value = it->second;  // a handle: it-> is a temporary proxy
      if (value.IsMap()) {
        merged = find(value, key, depth + 1);
      } else if (value.IsSequence()) {
        for (const auto &m : value)
          if ((merged = find(m, key, depth + 1))) break;
      }
      // Positioned at this map's `<<`: an anchor used by several maps is one finding each.
      if (merged) merged->key = it->first;
    }
  }
  slot = found ? found : merged;
  return slot;
}

YAML::Node YamlLookup::get(const YAML::Node &map, std::string_view key) {
  auto e = find(map, key);
  return e ? e->value : YAML::Node(YAML::NodeType::Undefined);
}

std::optional<FileError> YamlLookup::limit_error(const std::string &path) const {
  if (too_deep_)
    return FileError{path, 0, 0,
                     "YAML nested deeper than " + std::to_string(kMaxNesting) +
                         " levels (through aliases or merge keys): not checked past that depth"};
  if (entries_ > kMaxEntries)
    return FileError{path, 0, 0,
                     "aliases repeat more than " + std::to_string(kMaxEntries) +
                         " entries: not checked past that"};
  return std::nullopt;
}

std::string scalar(const YAML::Node &node) {
  return node.IsDefined() && node.IsScalar() ? node.Scalar() : std::string();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool yaml_true(const YAML::Node &node) {
  std::string v = lower(scalar(node));
  return v == "true" || v == "yes" || v == "on" || v == "y";
}

void sort_findings(FileReport &report) {
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding &a, const Finding &b) {
                     return a.line != b.line ? a.line < b.line : a.column < b.column;
                   });
  // An anchor's content is visited once per alias; one finding per place and rule.
  auto same = [](const Finding &a, const Finding &b) {
    return a.line == b.line && a.column == b.column && a.rule == b.rule;
  };
  report.findings.erase(std::unique(report.findings.begin(), report.findings.end(), same),
                        report.findings.end());
}

std::vector<size_t> line_starts(std::string_view text) {
  std::vector<size_t> starts{0};
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts.push_back(i + 1);
  return starts;
}

std::pair<int, int> position(const std::vector<size_t> &starts, size_t offset) {
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  size_t line = static_cast<size_t>(it - starts.begin()) - 1;
  return {static_cast<int>(line), static_cast<int>(offset - starts[line])};
}

}  // namespace syscope::lint::detail
