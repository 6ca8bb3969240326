// SPDX-License-Identifier: Apache-2.0
// Which checker a file gets: by name (Compose, CI, Makefile, Dockerfile, *.sh), then by content
// (a sh/bash shebang; for other YAML, Kubernetes objects or a top-level `services:` map).
#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

namespace fs = std::filesystem;
using namespace detail;

bool has_yaml_extension(const std::string &name) {
  return name.ends_with(".yml") || name.ends_with(".yaml");
}

}  // namespace

const char *kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::unknown: return "unknown";
    case FileKind::yaml: return "yaml";
    case FileKind::compose: return "compose";
    case FileKind::kubernetes: return "kubernetes";
    case FileKind::ci: return "ci";
    case FileKind::shell: return "shell";
    case FileKind::makefile: return "makefile";
    case FileKind::dockerfile: return "dockerfile";
  }
  return "unknown";
}

const char *severity_name(Severity severity) {
  return severity == Severity::error ? "error" : "warning";
}

FileKind kind_from_name(const std::string &path) {
  fs::path p(path);
  std::string name = lower(p.filename().string());
  std::string parent = p.parent_path().filename().string();
  std::string grandparent = p.parent_path().parent_path().filename().string();
  if (has_yaml_extension(name)) {
    if ((parent == "workflows" && grandparent == ".github") || name == ".gitlab-ci.yml" ||
        name == ".gitlab-ci.yaml")
      return FileKind::ci;
    if (name.starts_with("docker-compose") || name.starts_with("compose")) return FileKind::compose;
    return FileKind::yaml;
  }
  if (name.ends_with(".sh") || name.ends_with(".bash")) return FileKind::shell;
  if (name == "makefile" || name == "gnumakefile" || name.ends_with(".mk"))
    return FileKind::makefile;
  if (name == "dockerfile" || name.starts_with("dockerfile.") || name.ends_with(".dockerfile") ||
      name == "containerfile" || name.starts_with("containerfile."))
    return FileKind::dockerfile;
  return FileKind::unknown;
}

FileKind detect_kind(const std::string &path, std::string_view head) {
  FileKind kind = kind_from_name(path);
  if (kind != FileKind::unknown || !head.starts_with("#!")) return kind;
  std::string_view line = head.substr(2, head.find('\n') - 2);
  // "#!/bin/sh -e", "#! /usr/bin/env bash", "#!/usr/bin/env -S bash -x"
  std::vector<std::string> words;
  size_t i = 0;
  while ((i = line.find_first_not_of(" \t\r", i)) != std::string_view::npos) {
    size_t end = line.find_first_of(" \t\r", i);
    words.emplace_back(line.substr(i, end == std::string_view::npos ? end : end - i));
    i = end;
  }
  auto base = [](const std::string &w) { return fs::path(w).filename().string(); };
  size_t k = 0;
  if (k < words.size() && base(words[k]) == "env")
    for (++k; k < words.size() && words[k].starts_with("-");) ++k;
  if (k >= words.size()) return kind;
  std::string interp = base(words[k]);
  for (const char *sh : {"sh", "bash", "dash", "ash", "ksh", "zsh", "mksh"})
    if (interp == sh) return FileKind::shell;
  return kind;
}

FileReport check_yaml(const std::string &path, const std::string &text) {
  FileKind named = kind_from_name(path);
  if (named == FileKind::ci) return check_ci_yaml(path, text);
  if (named == FileKind::compose) return check_compose(path, text);
  FileReport report;
  report.file = path;
  report.kind = FileKind::yaml;
  // A Helm template (a chart's templates/*.yaml) is checked around its actions.
  std::optional<HelmText> helm;
  if (looks_like_helm_template(text)) helm = blank_template_actions(text);
  ParsedYaml parsed = parse_yaml(path, helm ? helm->yaml : text);
  if (parsed.error) {
    if (helm) parsed.error->message.insert(0, "Helm template: ");
    report.error = parsed.error;
    return report;
  }
  const auto &docs = parsed.docs;
  YamlLookup yaml;
  if (helm) yaml.set_template(&*helm);
  if (std::any_of(docs.begin(), docs.end(),
                  [&](const YAML::Node &d) { return is_kubernetes_object(yaml, d); })) {
    report.kind = FileKind::kubernetes;
    check_kubernetes_docs(path, docs, yaml, report.findings);
  } else if (std::any_of(docs.begin(), docs.end(),
                         [&](const YAML::Node &d) { return yaml.get(d, "services").IsMap(); })) {
    report.kind = FileKind::compose;
    check_compose_docs(path, docs, yaml, report.findings);
  }
  report.error = yaml.limit_error(path);
  return report;
}

FileReport check_text(const std::string &path, const std::string &text) {
  FileReport report;
  switch (detect_kind(path, text)) {
    case FileKind::yaml: report = check_yaml(path, text); break;
    case FileKind::compose: report = check_compose(path, text); break;
    case FileKind::kubernetes: report = check_kubernetes(path, text); break;
    case FileKind::ci: report = check_ci_yaml(path, text); break;
    case FileKind::shell:
    case FileKind::makefile: report = check_shell(path, text); break;
    case FileKind::dockerfile: report = check_dockerfile(path, text); break;
    case FileKind::unknown: report.file = path; break;
  }
  sort_findings(report);
  return report;
}

}  // namespace syscope::lint
