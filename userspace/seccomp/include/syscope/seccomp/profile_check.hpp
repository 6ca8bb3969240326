// SPDX-License-Identifier: Apache-2.0
// `profile check`: what is wrong with a Docker-format profile, judged by how runc and libseccomp
// really compile it (unknown names per arch, duplicate, contradicting and never-matching rules,
// the OR trap, sign extension, the compiled size), each finding with the JSON path it is about.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/rule_conditions.hpp"

namespace syscope::seccomp {

struct Finding {
  enum class Severity { error, warning };
  Severity severity;
  std::string path;     // JSON path, e.g. "syscalls[3].args[1]"; empty: the whole profile
  std::string message;  // one line, printable (no control characters)
};

// Checks `text` (the profile's JSON; `origin` names it in messages). Malformed JSON or a field
// of the wrong type is one error finding with the parser's position or path; then the checks
// above. Errors are what runc would refuse or what cannot mean what it says; warnings are what
// runc accepts but silently treats otherwise than it reads. includes/excludes are judged
// against `host` (the compile step and the arch checks use it).
std::vector<Finding> check_profile(const std::string &text, const std::string &origin);
std::vector<Finding> check_profile(const std::string &text, const std::string &origin,
                                   const HostFacts &host);

std::string severity_name(Finding::Severity severity);  // "error", "warning"

// {"file":origin,"findings":[{"severity","path","message"}],"errors":N,"warnings":N}
nlohmann::ordered_json findings_json(const std::string &origin,
                                     const std::vector<Finding> &findings);
// "FILE: error: syscalls[3].args[1]: message" one per finding, then a count line.
std::string findings_text(const std::string &origin, const std::vector<Finding> &findings);

}  // namespace syscope::seccomp
