// SPDX-License-Identifier: Apache-2.0
// What the lint checkers share: the rules' messages, fixes and control ids, and small yaml-cpp
// helpers (key lookup with merge keys, marks to 1-based positions, parse errors).
#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "syscope/lint/lint.hpp"

namespace syscope::lint::detail {

// Control ids, as the seed documents name them (CIS Docker Benchmark numbering differs between
// versions: seccomp is 5.21 or 5.22).
std::vector<std::string> seccomp_controls();
std::vector<std::string> privileged_controls();

// A finding at a 0-based (line, column), printed 1-based.
Finding make_finding(const std::string &file, int line0, int column0, Severity severity,
                     std::string rule, std::string message, std::string fix,
                     std::vector<std::string> controls);
Finding at_mark(const std::string &file, const YAML::Mark &mark, Severity severity,
                std::string rule, std::string message, std::string fix,
                std::vector<std::string> controls);

// The fix for `docker run` options (also used for CI and Dockerfile lines).
std::string run_seccomp_fix(const std::string &option);
std::string run_privileged_fix(const std::string &option);
// The finding for a docker/podman run option; `where` starts the message ("this command line"),
// set_line0 is the file's line of the assignment when the option came from a variable.
Finding hit_finding(const std::string &file, int line0, int column0, const RunOptionHit &hit,
                    const std::string &where, int set_line0);

// Parses every document; a malformed file gives a FileError with the parser's position.
struct ParsedYaml {
  std::vector<YAML::Node> docs;
  std::optional<FileError> error;
};
ParsedYaml parse_yaml(const std::string &path, const std::string &text);

// A map entry, with the key node for its mark.
struct Entry {
  YAML::Node key;
  YAML::Node value;
};

// How deep lint follows YAML structure (maps, sequences, merge keys, aliases). The parser stops
// at 2000 written levels, but aliases nest without limit (`a2: &a2 [*a1]`, `a3: &a3 [*a2]`...),
// and a walk that deep would exhaust the stack. Real files nest a few levels.
constexpr int kMaxNesting = 64;
// How many list and map entries the checkers read in one file. Aliases let a short file repeat a
// long list in every service or pod; real files of the 4 MiB read limit hold far fewer.
constexpr size_t kMaxEntries = 1'000'000;

// yaml-cpp gives an anchor and all its aliases one shared node, and Node::is() tells that
// identity; there is no address to hash, so nodes are bucketed by their source position (the
// nodes of one file rarely share one) and is() decides. Lint uses it to visit a node once however
// many aliases lead to it: an alias bomb costs its written size, not its expansion.
template <typename Value> class NodeMemo {
 public:
  // The value stored for (node, tag), or nullptr.
  Value *find(const YAML::Node &node, std::string_view tag) {
    auto [b, e] = slots_.equal_range(node.Mark().pos);
    for (auto it = b; it != e; ++it)
      if (it->second.tag == tag && it->second.node.is(node)) return &it->second.value;
    return nullptr;
  }
  Value &insert(const YAML::Node &node, std::string_view tag, Value value) {
    return slots_.emplace(node.Mark().pos, Slot{node, std::string(tag), std::move(value)})
        ->second.value;
  }
  // Records (node, tag) and says whether it is new: for walks that visit each node once.
  bool first_visit(const YAML::Node &node, std::string_view tag) {
    if (find(node, tag)) return false;
    insert(node, tag, Value{});
    return true;
  }

 private:
  struct Slot {
    YAML::Node node;
    std::string tag;
    Value value;
  };
  std::unordered_multimap<int, Slot> slots_;
};

// A Helm template made parseable (helm.cpp): every `{{ ... }}` action is blanked in place, a
// line holding only actions (control flow: if, range, end, include) becomes blank, an action
// among YAML becomes a plain scalar `___` of its own length, so lines and columns stay the
// file's. Nothing is rendered: what an action produces is unknown to lint.
struct HelmText {
  std::string original;
  std::string yaml;  // what is parsed
  // A scalar as written in the template when it holds an action (`{{ .Release.Name }}-job`,
  // `{{ .Values.x | default "Unconfined" }}`); nullopt for other scalars.
  std::optional<std::string> written(const YAML::Node &node) const;
};
bool looks_like_helm_template(std::string_view text);  // holds `{{`
HelmText blank_template_actions(std::string_view text);

// Key lookup in the maps of one parsed file, following `<<` merge keys (`<<: *anchor` or
// `<<: [*a, *b]`), which yaml-cpp 0.7 leaves to the caller. Each (map, key) is resolved once and
// remembered, so a chain of anchors merging anchors costs its written size: 9 levels of
// `<<: [*a, *a, ...]` were 8^9 map visits (27 s) when every lookup walked every merged map.
// Merges nested deeper than kMaxNesting are not followed and limit_error() says so; the walkers
// (CI, Kubernetes lists) report their own depth limit through the same object.
class YamlLookup {
 public:
  std::optional<Entry> find(const YAML::Node &map, std::string_view key);  // never inserts
  YAML::Node get(const YAML::Node &map, std::string_view key);  // undefined Node when missing
  void note_too_deep() { too_deep_ = true; }
  // The file was a Helm template: checkers then read template actions where values should be.
  void set_template(const HelmText *helm) { helm_ = helm; }
  const HelmText *helm_template() const { return helm_; }
  // Counts one entry read by a checker; false (and noted) once kMaxEntries were read.
  bool count_entry() { return ++entries_ <= kMaxEntries; }
  // The error for a file whose structure was not followed to the end, if so.
  std::optional<FileError> limit_error(const std::string &path) const;

 private:
  std::optional<Entry> find(const YAML::Node &map, std::string_view key, int depth);
  NodeMemo<std::optional<Entry>> memo_;
  bool too_deep_ = false;
  size_t entries_ = 0;
  const HelmText *helm_ = nullptr;
};

std::string scalar(const YAML::Node &node);  // "" unless a scalar
std::string lower(std::string_view s);
bool yaml_true(const YAML::Node &node);  // true/yes/on (YAML 1.1, as Go's yaml libraries read)

// The YAML checkers on parsed documents, so that check_yaml() parses once.
void check_compose_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                        YamlLookup &yaml, std::vector<Finding> &out);
void check_kubernetes_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                           YamlLookup &yaml, std::vector<Finding> &out);
void check_ci_docs(const std::string &path, const std::string &text,
                   const std::vector<YAML::Node> &docs, YamlLookup &yaml,
                   std::vector<Finding> &out);
bool is_kubernetes_object(YamlLookup &yaml, const YAML::Node &doc);  // with apiVersion and kind

// Findings in file order: the YAML checkers walk structures, not lines.
void sort_findings(FileReport &report);

// 0-based offset of the start of each line of text.
std::vector<size_t> line_starts(std::string_view text);
std::pair<int, int> position(const std::vector<size_t> &starts, size_t offset);  // 0-based

}  // namespace syscope::lint::detail
