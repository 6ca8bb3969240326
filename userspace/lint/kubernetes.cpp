// SPDX-License-Identifier: Apache-2.0
// Kubernetes manifests: the pod spec of Pods, workload templates (Deployment, StatefulSet,
// DaemonSet, ReplicaSet, ReplicationController, Job, PodTemplate), CronJobs' job template and
// List items. Unconfined seccompProfile at pod or container level, the legacy alpha annotations
// set to unconfined, privileged containers, and containers with no seccomp setting at all.
#include <map>
#include <string>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

using namespace detail;

constexpr std::string_view kPodAnnotation = "seccomp.security.alpha.kubernetes.io/pod";
constexpr std::string_view kContainerAnnotationPrefix =
    "container.seccomp.security.alpha.kubernetes.io/";

const char *kUnconfinedFix =
    "set seccompProfile.type: RuntimeDefault, or Localhost with a profile recorded by "
    "`syscope record --container NAME -o profile.json` and installed under the kubelet's "
    "seccomp directory (localhostProfile: profile.json)";

struct PodSpec {
  YAML::Node metadata;  // the pod (template) metadata, for the annotations
  YAML::Node spec;
  std::string owner;  // `Deployment "web"`, for messages
};

std::string owner_name(const YAML::Node &doc) {
  std::string kind = scalar(get(doc, "kind"));
  std::string name = scalar(get(get(doc, "metadata"), "name"));
  return kind + " \"" + (name.empty() ? "?" : name) + "\"";
}

void pod_specs(const YAML::Node &doc, std::vector<PodSpec> &out) {
  if (!doc.IsMap()) return;
  std::string kind = scalar(get(doc, "kind"));
  if (kind == "Pod") {
    out.push_back({get(doc, "metadata"), get(doc, "spec"), owner_name(doc)});
  } else if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
             kind == "ReplicaSet" || kind == "ReplicationController" || kind == "Job") {
    YAML::Node tmpl = get(get(doc, "spec"), "template");
    out.push_back({get(tmpl, "metadata"), get(tmpl, "spec"), owner_name(doc)});
  } else if (kind == "CronJob") {
    YAML::Node tmpl = get(get(get(get(doc, "spec"), "jobTemplate"), "spec"), "template");
    out.push_back({get(tmpl, "metadata"), get(tmpl, "spec"), owner_name(doc)});
  } else if (kind == "PodTemplate") {
    YAML::Node tmpl = get(doc, "template");
    out.push_back({get(tmpl, "metadata"), get(tmpl, "spec"), owner_name(doc)});
  } else if (kind == "List" || (kind.size() > 4 && kind.ends_with("List"))) {
    YAML::Node items = get(doc, "items");
    if (items.IsSequence())
      for (const auto &item : items) pod_specs(item, out);
  }
}

// The seccompProfile.type entry of a securityContext, if any.
std::optional<Entry> profile_type(const YAML::Node &security_context) {
  return find(get(security_context, "seccompProfile"), "type");
}

bool unconfined(const Entry &type) { return lower(scalar(type.value)) == "unconfined"; }

void check_pod(const std::string &path, const PodSpec &pod, std::vector<Finding> &out) {
  if (!pod.spec.IsMap()) return;
  // seccomp does not exist on Windows nodes; the kubelet ignores the fields there.
  if (lower(scalar(get(get(pod.spec, "os"), "name"))) == "windows") return;

  bool pod_covered = false;
  if (auto type = profile_type(get(pod.spec, "securityContext"))) {
    pod_covered = true;
    if (unconfined(*type))
      out.push_back(at_mark(path, type->key.Mark(), Severity::error, "seccomp-unconfined",
                            pod.owner + " sets seccompProfile.type: " + scalar(type->value) +
                                " for the whole pod: no seccomp filter",
                            kUnconfinedFix, seccomp_controls()));
  }

  // Legacy annotations: still read by old clusters, and a clear statement of intent.
  std::map<std::string, bool> container_annotated;
  const YAML::Node annotations = get(pod.metadata, "annotations");
  if (annotations.IsMap()) {
    for (auto it = annotations.begin(); it != annotations.end(); ++it) {
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
    const YAML::Node containers = get(pod.spec, list);
    if (!containers.IsSequence()) continue;
    for (const auto &c : containers) {
      if (!c.IsMap()) continue;
      std::string name = scalar(get(c, "name"));
      std::string who = "container \"" + name + "\" of " + pod.owner;
      const YAML::Node sc = get(c, "securityContext");
      auto type = profile_type(sc);
      if (type && unconfined(*type))
        out.push_back(at_mark(path, type->key.Mark(), Severity::error, "seccomp-unconfined",
                              who + " sets seccompProfile.type: " + scalar(type->value) +
                                  ": no seccomp filter",
                              kUnconfinedFix, seccomp_controls()));
      if (auto priv = find(sc, "privileged"); priv && yaml_true(priv->value))
        out.push_back(at_mark(
            path, priv->key.Mark(), Severity::error, "privileged",
            who + " is privileged: all capabilities, all devices, and no seccomp filter",
            "remove `privileged: " + scalar(priv->value) +
                "` (it also turns seccomp off); add "
                "only the capabilities the app needs under securityContext.capabilities.add",
            privileged_controls()));
      if (!type && !pod_covered && !container_annotated.count(name))
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

bool is_kubernetes_object(const YAML::Node &doc) {
  return doc.IsMap() && get(doc, "apiVersion").IsScalar() && get(doc, "kind").IsScalar();
}

void check_kubernetes_docs(const std::string &path, const std::vector<YAML::Node> &docs,
                           std::vector<Finding> &out) {
  for (const auto &doc : docs) {
    if (!is_kubernetes_object(doc)) continue;
    std::vector<PodSpec> pods;
    pod_specs(doc, pods);
    for (const auto &pod : pods) check_pod(path, pod, out);
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
  detail::check_kubernetes_docs(path, parsed.docs, report.findings);
  detail::sort_findings(report);
  return report;
}

}  // namespace syscope::lint
