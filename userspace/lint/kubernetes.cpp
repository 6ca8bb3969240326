// SPDX-License-Identifier: Apache-2.0
// Kubernetes manifests: the pod spec of Pods, workload templates (Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate), CronJobs' job template and
// List items. Unconfined seccompProfile at pod or container level, the legacy alpha annotations
// set to unconfined, privileged containers, and containers with no seccomp setting at all.
#include <cctype>
#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

using namespace detail;

constexpr std::string_view kPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
constexpr std::string_view kContainerAnnotationPrefix =
    "container.seccomp.security.alpha.kubernetes.io/";

const std::string kUnconfinedFix =
    "set seccompProfile.type: RuntimeDefault, or Localhost with a profile recorded by "
    "`syscope record --container NAME -o profile.json` and installed under the kubelet's "
    "seccomp directory (localhostProfile: profile.json)";

struct PodSpec {
  YAML::Node metadata;  // the pod (template) metadata, for the annotations
  YAML::Node spec;
  std::string owner;  // `Deployment "web"`, for messages
};

// A scalar for messages: in a Helm template, the action it stands for (`{{ .Chart.Name }}`).
std::string shown(YamlLookup &yaml, const YAML::Node &node) {
  const HelmText *helm = yaml.helm_template();
  std::optional<std::string> written = helm ? helm->written(node) : std::nullopt;
  return written ? *written : scalar(node);
}

std::string owner_name(YamlLookup &yaml, const YAML::Node &doc) {
  std::string kind = scalar(yaml.get(doc, "kind"));
  std::string name = shown(yaml, yaml.get(yaml.get(doc, "metadata"), "name"));
  return kind + " \"" + (name.empty() ? "?" : name) + "\"";
}

// Lists may hold Lists, and aliases may repeat an item (`items: [*l, *l, *l]` at every level):
// each item is read once, and Lists no deeper than kMaxNesting.
void pod_specs(YamlLookup &yaml, const YAML::Node &doc, std::vector<PodSpec> &out,
               NodeMemo<bool> &seen, int depth = 0) {
  if (!doc.IsMap() || !seen.first_visit(doc, "")) return;
  std::string kind = scalar(yaml.get(doc, "kind"));
  if (kind == "Pod") {
    out.push_back({yaml.get(doc, "metadata"), yaml.get(doc, "spec"), owner_name(yaml, doc)});
  } else if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
             kind == "ReplicaSet" || kind == "ReplicationController" || kind == "Job") {
    YAML::Node tmpl = yaml.get(yaml.get(doc, "spec"), "template");
    out.push_back({yaml.get(tmpl, "metadata"), yaml.get(tmpl, "spec"), owner_name(yaml, doc)});
  } else if (kind == "CronJob") {
    YAML::Node tmpl =
        yaml.get(yaml.get(yaml.get(yaml.get(doc, "spec"), "jobTemplate"), "spec"), "template");
    out.push_back({yaml.get(tmpl, "metadata"), yaml.get(tmpl, "spec"), owner_name(yaml, doc)});
  } else if (kind == "PodTemplate") {
    YAML::Node tmpl = yaml.get(doc, "template");
    out.push_back({yaml.get(tmpl, "metadata"), yaml.get(tmpl, "spec"), owner_name(yaml, doc)});
  } else if (kind == "List" || (kind.size() > 4 && kind.ends_with("List"))) {
    YAML::Node items = yaml.get(doc, "items");
    if (depth == kMaxNesting)
      yaml.note_too_deep();
    else if (items.IsSequence())
      for (const auto &item : items)
        if (yaml.count_entry()) pod_specs(yaml, item, out, seen, depth + 1);
  }
}

// The seccompProfile.type entry of a securityContext, if any.
std::optional<Entry> profile_type(YamlLookup &yaml, const YAML::Node &security_context) {
  return yaml.find(yaml.get(security_context, "seccompProfile"), "type");
}

bool unconfined(const Entry &type) { return lower(scalar(type.value)) == "unconfined"; }

// In a Helm template, `type: {{ .Values.x | default "Unconfined" }}`: the action that stands
// for the type, when its default is Unconfined (what runs unless the values say otherwise).
std::optional<std::string> unconfined_default(YamlLookup &yaml, const Entry &type) {
  const HelmText *helm = yaml.helm_template();
  std::optional<std::string> written = helm ? helm->written(type.value) : std::nullopt;
  if (!written) return std::nullopt;
  // `default "Unconfined"`, any quote and case. By hand: std::regex recurses per character and
  // a long run of blanks overflowed the stack.
  std::string w = lower(*written);
  for (size_t at = w.find("default"); at != std::string::npos; at = w.find("default", at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(w[at - 1])) || w[at - 1] == '_'))
      continue;
    size_t i = w.find_first_not_of(" \t", at + 7);
    if (i == at + 7 || i == std::string::npos || !std::strchr("\"'`", w[i])) continue;
    if (w.compare(i + 1, 10, "unconfined") == 0 && i + 11 < w.size() && w[i + 11] == w[i])
      return written;
  }
  return std::nullopt;
}

// A securityContext whose content a Helm action supplies (`securityContext:` then
// `{{- toYaml .Values.securityContext | nindent 8 }}`, blanked to nothing): unknown, so not
// reported as missing a seccompProfile.
bool templated(YamlLookup &yaml, const YAML::Node &parent) {
  if (!yaml.helm_template()) return false;
  auto sc = yaml.find(parent, "securityContext");
  return sc && !sc->value.IsMap();
}

// The finding for a seccompProfile.type entry that is, or defaults to, Unconfined.
std::optional<Finding> unconfined_type(const std::string &path, YamlLookup &yaml, const Entry &type,
                                       const std::string &who, const std::string &scope) {
  if (unconfined(type))
    return at_mark(path, type.key.Mark(), Severity::error, "seccomp-unconfined",
                   who + " sets seccompProfile.type: " + scalar(type.value) + scope +
                       ": no seccomp filter",
                   kUnconfinedFix, seccomp_controls());
  if (auto action = unconfined_default(yaml, type))
    return at_mark(path, type.key.Mark(), Severity::error, "seccomp-unconfined",
                   who + " sets seccompProfile.type: " + *action + scope +
                       ", which is Unconfined unless the chart's values set it: no seccomp "
                       "filter by default",
                   "make the default RuntimeDefault: " + kUnconfinedFix, seccomp_controls());
  return std::nullopt;
}

void check_pod(const std::string &path, const PodSpec &pod, YamlLookup &yaml,
               std::vector<Finding> &out) {
  if (!pod.spec.IsMap()) return;
  // seccomp does not exist on Windows nodes; the kubelet ignores the fields there.
  if (lower(scalar(yaml.get(yaml.get(pod.spec, "os"), "name"))) == "windows") return;

  bool pod_covered = templated(yaml, pod.spec);
  if (auto type = profile_type(yaml, yaml.get(pod.spec, "securityContext"))) {
    pod_covered = true;
    if (auto f = unconfined_type(path, yaml, *type, pod.owner, " for the whole pod"))
      out.push_back(std::move(*f));
  }

  // Legacy annotations: still read by old clusters, and a clear statement of intent.
  std::map<std::string, bool> container_annotated;
  const YAML::Node annotations = yaml.get(pod.metadata, "annotations");
  if (annotations.IsMap()) {
    for (auto it = annotations.begin(); it != annotations.end() && yaml.count_entry(); ++it) {
      std::string key = scalar(it->first);
      std::string value = scalar(it->second);
      bool is_pod = key == kPodAnnotation;
      bool is_container = key.starts_with(kContainerAnnotationPrefix);
      if (!is_pod && !is_container) continue;
      if (is_pod)
        pod_covered = true;
      else
        container_annotated[key.substr(kContainerAnnotationPrefix.size())] = true;
      if (lower(value) != "unconfined") continue;
      out.push_back(at_mark(
          path, it->first.Mark(), Severity::error, "k8s-seccomp-annotation",
          pod.owner + " sets the legacy annotation " + key + ": " + value +
              (is_pod
                   ? " for the whole pod"
                   : " for container \"" + key.substr(kContainerAnnotationPrefix.size()) + "\"") +
              ": no seccomp filter",
          "remove the deprecated annotation and set seccompProfile.type: RuntimeDefault in the "
          "securityContext (or Localhost with a profile recorded by syscope record)",
          seccomp_controls()));
    }
  }

  for (const char *list : {"initContainers", "containers", "ephemeralContainers"}) {
    const YAML::Node containers = yaml.get(pod.spec, list);
    if (!containers.IsSequence()) continue;
    for (const auto &c : containers) {
      if (!yaml.count_entry()) break;
      if (!c.IsMap()) continue;
      std::string name = scalar(yaml.get(c, "name"));
      std::string who = "container \"" + shown(yaml, yaml.get(c, "name")) + "\" of " + pod.owner;
      const YAML::Node sc = yaml.get(c, "securityContext");
      auto type = profile_type(yaml, sc);
      if (auto f = type ? unconfined_type(path, yaml, *type, who, "") : std::nullopt)
        out.push_back(std::move(*f));
      if (auto priv = yaml.find(sc, "privileged"); priv && yaml_true(priv->value))
        out.push_back(at_mark(
            path, priv->key.Mark(), Severity::error, "privileged",
            who + " is privileged: all capabilities, all devices, and no seccomp filter",
            "remove `privileged: " + scalar(priv->value) +
                "` (it also turns seccomp off); add "
                "only the capabilities the app needs under securityContext.capabilities.add",
            privileged_controls()));
      if (!type && !pod_covered && !container_annotated.count(name) && !templated(yaml, c))
        out.push_back(at_mark(
            path, c.Mark(), Severity::warning, "k8s-seccomp-unset",
            who + " has no seccompProfile, at pod or container level: Kubernetes runs it "
                  "Unconfined unless the kubelet's SeccompDefault is on",
            "set seccompProfile.type: RuntimeDefault in the pod's securityContext (or Localhost "
            "with a profile recorded by syscope record)",
            seccomp_controls()));
    }
  }
}

}  // namespace

namespace detail {

bool is_kubernetes_object(YamlLookup &yaml, const YAML::Node &doc) {
  return doc.IsMap() && yaml.get(doc, "apiVersion").IsScalar() && yaml.get(doc, "kind").IsScalar();
}

void check_kubernetes_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                           YamlLookup &yaml, std::vector<Finding> &out) {
  for (const auto &doc : docs) {
    if (!is_kubernetes_object(yaml, doc)) continue;
    std::vector<PodSpec> pods;
    NodeMemo<bool> seen;
    pod_specs(yaml, doc, pods, seen);
    // One pod spec and metadata under several owners (anchors) has its findings at the same
    // places: checked once.
    NodeMemo<bool> checked;
    for (const auto &pod : pods)
      if (checked.first_visit(pod.spec, std::to_string(pod.metadata.Mark().pos)))
        check_pod(path, pod, yaml, out);
  }
}

}  // namespace detail

FileReport check_kubernetes(const std::string &path, const std::string &text) {
  FileReport report;
  report.file = path;
  report.kind = FileKind::kubernetes;
  ParsedYaml parsed = parse_yaml(path, text);
  if (parsed.error) {
    report.error = parsed.error;
    return report;
  }
  YamlLookup yaml;
  detail::check_kubernetes_docs(path, parsed.docs, yaml, report.findings);
  report.error = yaml.limit_error(path);
  detail::sort_findings(report);
  return report;
}

}  // namespace syscope::lint
