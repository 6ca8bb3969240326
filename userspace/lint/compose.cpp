// SPDX-License-Identifier: Apache-2.0
// Compose files: per service, `security_opt` entries that turn seccomp off (seccomp:unconfined,
// seccomp=unconfined, any case; also the map form `- seccomp: unconfined`) and `privileged`.
#include <string>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

using namespace detail;

bool unconfined_entry(const YAML::Node &entry) {
  if (entry.IsScalar()) {
    std::string v = lower(entry.Scalar());
    size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
    if (b == std::string::npos) return false;
    v = v.substr(b, e - b + 1);
    return v == "seccomp:unconfined" || v == "seccomp=unconfined";
  }
  // `- seccomp: unconfined` (a space after the colon) is a one-entry map in YAML.
  if (entry.IsMap() && entry.size() == 1) {
    auto it = entry.begin();
    return lower(scalar(it->first)) == "seccomp" && lower(scalar(it->second)) == "unconfined";
  }
  return false;
}

std::string entry_text(const YAML::Node &entry) {
  if (entry.IsScalar()) return entry.Scalar();
  auto it = entry.begin();
  return scalar(it->first) + ": " + scalar(it->second);
}

void check_service(const std::string &path, const std::string &name, const YAML::Node &service,
                   YamlLookup &yaml, NodeMemo<bool> &seen, std::vector<Finding> &out) {
  const YAML::Node opts = yaml.get(service, "security_opt");
  // A list shared by many services (an anchor) is read once: its findings sit at the anchor, one
  // per entry whichever service names it.
  if (opts.IsSequence() && seen.first_visit(opts, "")) {
    for (const auto &entry : opts) {
      if (!yaml.count_entry()) break;
      if (!unconfined_entry(entry)) continue;
      std::string text = entry_text(entry);
      out.push_back(
          at_mark(path, entry.Mark(), Severity::error, "seccomp-unconfined",
                  "service \"" + name + "\" disables the default seccomp profile (security_opt `" +
                      text + "`)",
                  "remove `" + text +
                      "` from security_opt; if the app needs a blocked syscall, record a "
                      "profile: syscope record --container " +
                      name + " -o " + name +
                      "-seccomp.json, then security_opt: [\"seccomp=" + name + "-seccomp.json\"]",
                  seccomp_controls()));
    }
  }
  if (auto priv = yaml.find(service, "privileged"); priv && yaml_true(priv->value)) {
    out.push_back(at_mark(
        path, priv->key.Mark(), Severity::error, "privileged",
        "service \"" + name + "\" runs privileged (`privileged: " + priv->value.Scalar() +
            "`): all capabilities, all devices, and no seccomp filter",
        "remove `privileged: " + priv->value.Scalar() +
            "` (it also turns seccomp off); add only "
            "the capabilities the app needs under cap_add, and if it needs a blocked syscall, "
            "record a profile: syscope record --container " +
            name + " -o " + name + "-seccomp.json, then security_opt: [\"seccomp=" + name +
            "-seccomp.json\"]",
        privileged_controls()));
  }
}

}  // namespace

namespace detail {

void check_compose_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                        YamlLookup &yaml, std::vector<Finding> &out) {
  for (const auto &doc : docs) {
    const YAML::Node services = yaml.get(doc, "services");
    if (!services.IsMap()) continue;
    NodeMemo<bool> seen;
    for (auto it = services.begin(); it != services.end() && yaml.count_entry(); ++it)
      if (it->second.IsMap()) check_service(path, scalar(it->first), it->second, yaml, seen, out);
  }
}

}  // namespace detail

FileReport check_compose(const std::string &path, const std::string &text) {
  FileReport report;
  report.file = path;
  report.kind = FileKind::compose;
  ParsedYaml parsed = parse_yaml(path, text);
  if (parsed.error) {
    report.error = parsed.error;
    return report;
  }
  YamlLookup yaml;
  detail::check_compose_docs(path, parsed.docs, yaml, report.findings);
  report.error = yaml.limit_error(path);
  detail::sort_findings(report);
  return report;
}

}  // namespace syscope::lint
