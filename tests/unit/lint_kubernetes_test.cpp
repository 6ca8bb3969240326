// SPDX-License-Identifier: Apache-2.0
// Kubernetes manifests of every workload kind lint reads, multi-document files and Lists:
// Unconfined at pod and container level, legacy annotations, privileged, unset profiles.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lint_test_helpers.hpp"
#include "syscope/lint/lint.hpp"

using namespace syscope::lint;
using syscope::lint::test::brief;
using syscope::lint::test::fixture;

namespace {

FileReport check(const std::string &name) {
  FileReport r = check_kubernetes("k8s/" + name, fixture("k8s/" + name));
  REQUIRE_FALSE(r.error);
  return r;
}

}  // namespace

TEST_CASE("Pod: annotations, pod and container Unconfined, privileged in every container list",
          "[lint][kubernetes]") {
  FileReport r = check("pod.yaml");
  CHECK(brief(r) == std::vector<std::string>{
                        "6:5 error k8s-seccomp-annotation",  // .../pod: unconfined
                        "7:5 error k8s-seccomp-annotation",  // .../sidecar: Unconfined
                        "11:7 error seccomp-unconfined",     // spec.securityContext
                        "16:9 error privileged",             // initContainers
                        "21:26 error seccomp-unconfined",    // {type: Unconfined}
                        "28:9 error privileged",             // ephemeralContainers
                    });
  CHECK(r.findings[2].message ==
        "Pod \"debug\" sets seccompProfile.type: Unconfined for the whole pod: no seccomp filter");
  CHECK(r.findings[4].message ==
        "container \"app\" of Pod \"debug\" sets seccompProfile.type: Unconfined: no seccomp "
        "filter");
}

TEST_CASE("Deployment without any profile: a warning per uncovered container",
          "[lint][kubernetes]") {
  FileReport r = check("deployment.yaml");
  CHECK(brief(r) == std::vector<std::string>{"15:11 warning k8s-seccomp-unset",
                                             "17:11 warning k8s-seccomp-unset"});
  CHECK(r.findings[1].message ==
        "container \"proxy\" of Deployment \"api\" has no seccompProfile, at pod or container "
        "level: Kubernetes runs it Unconfined unless the kubelet's SeccompDefault is on");
  CHECK(r.findings[1].fix.find("RuntimeDefault") != std::string::npos);
}

TEST_CASE("StatefulSet with a Localhost pod profile: only its privileged container",
          "[lint][kubernetes]") {
  CHECK(brief(check("statefulset.yaml")) == std::vector<std::string>{"17:13 error privileged"});
}

TEST_CASE("DaemonSet: container annotation unconfined, the other container unset",
          "[lint][kubernetes]") {
  FileReport r = check("daemonset.yaml");
  CHECK(brief(r) == std::vector<std::string>{"9:9 error k8s-seccomp-annotation",
                                             "14:11 warning k8s-seccomp-unset"});
  CHECK(r.findings[1].message.find("\"exporter\"") != std::string::npos);
}

TEST_CASE("ReplicaSet with RuntimeDefault and privileged: false is clean", "[lint][kubernetes]") {
  CHECK(check("replicaset.yaml").findings.empty());
}

TEST_CASE("Job: a container's Unconfined overrides the pod's RuntimeDefault",
          "[lint][kubernetes]") {
  CHECK(brief(check("job.yaml")) == std::vector<std::string>{"16:15 error seccomp-unconfined"});
}

TEST_CASE("CronJob: the pod template under spec.jobTemplate.spec.template", "[lint][kubernetes]") {
  CHECK(brief(check("cronjob.yaml")) ==
        std::vector<std::string>{"12:13 error k8s-seccomp-annotation", "18:17 error privileged"});
}

TEST_CASE("multi-document file: Service skipped, Pod, List items, Windows pods exempt",
          "[lint][kubernetes]") {
  FileReport r = check("multi-doc.yaml");
  CHECK(brief(r) == std::vector<std::string>{"19:11 error seccomp-unconfined",
                                             "30:11 warning k8s-seccomp-unset"});
  CHECK(r.findings[1].message.find("Pod \"other\"") != std::string::npos);
}

TEST_CASE("Kubernetes YAML is recognised by content under any name", "[lint][kubernetes]") {
  FileReport r = check_text("manifests/app.yml", fixture("k8s/job.yaml"));
  CHECK(r.kind == FileKind::kubernetes);
  CHECK(r.findings.size() == 1);
}

TEST_CASE("malformed multi-document YAML is an error, not a partial result", "[lint][kubernetes]") {
  FileReport r = check_kubernetes("x.yaml", "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\n"
                                            "kind: Pod\nspec: {containers: [\n");
  REQUIRE(r.error);
  CHECK(r.error->line == 7);
  CHECK(r.error->message.starts_with("malformed YAML: "));
  CHECK(r.findings.empty());
}
