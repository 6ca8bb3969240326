// SPDX-License-Identifier: Apache-2.0
// What the lint checkers share: the rules' messages, fixes and control ids, and small yaml-cpp
// helpers (key lookup with merge keys, marks to 1-based positions, parse errors).
#pragma once
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
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
// The finding for a docker/podman run option; `where` starts the message ("this command line").
Finding hit_finding(const std::string &file, int line0, int column0, const RunOptionHit &hit,
                    const std::string &where);

// Parses every document; a malformed file gives a FileError with the parser's position.
struct ParsedYaml {
  std::vector<YAML::Node> docs;
  std::optional<FileError> error;
};
ParsedYaml parse_yaml(const std::string &path, const std::string &text);

// A map entry by key (following `<<` merge keys, which yaml-cpp 0.7 leaves to the caller),
// with the key node for its mark. Never inserts.
struct Entry {
  YAML::Node key;
  YAML::Node value;
};
std::optional<Entry> find(const YAML::Node &map, std::string_view key);
YAML::Node get(const YAML::Node &map, std::string_view key);  // undefined Node when missing
std::string scalar(const YAML::Node &node);                   // "" unless a scalar
std::string lower(std::string_view s);
bool yaml_true(const YAML::Node &node);  // true/yes/on (YAML 1.1, as Go's yaml libraries read)

// The YAML checkers on parsed documents, so that check_yaml() parses once.
void check_compose_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                        std::vector<Finding> &out);
void check_kubernetes_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                           std::vector<Finding> &out);
void check_ci_docs(const std::string &path, const std::string &text,
                   const std::vector<YAML::Node> &docs, std::vector<Finding> &out);
bool is_kubernetes_object(const YAML::Node &doc);  // a map with apiVersion and kind

// Findings in file order: the YAML checkers walk structures, not lines.
void sort_findings(FileReport &report);

// 0-based offset of the start of each line of text.
std::vector<size_t> line_starts(std::string_view text);
std::pair<int, int> position(const std::vector<size_t> &starts, size_t offset);  // 0-based

}  // namespace syscope::lint::detail
