// SPDX-License-Identifier: Apache-2.0
// Helm templates: checked around their {{ ... }} actions, at the file's own lines and columns,
// and a seccompProfile type whose template default is Unconfined is a finding.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lint_common.hpp"
#include "lint_test_helpers.hpp"
#include "syscope/lint/lint.hpp"

using namespace syscope::lint;
using syscope::lint::test::brief;
using syscope::lint::test::fixture;

TEST_CASE("blanking template actions keeps every line and column", "[lint][helm]") {
  std::string text = "a: {{ .Values.a }}\n  {{- if .x }}\nb: \"{{ .y | default \"z\" }}\"\n"
                     "{{- /*\nnote\n*/}}\nc: 1\n";
  detail::HelmText h = detail::blank_template_actions(text);
  CHECK(h.yaml == "a: _______________\n              \nb: \"______________________\"\n"
                  "      \n    \n    \nc: 1\n");
  CHECK(h.yaml.size() == text.size());
  CHECK(h.original == text);
}

TEST_CASE("a Helm template is linted around its actions", "[lint][helm]") {
  const std::string path = "helm/demo/templates/deployment.yaml";
  FileReport r = check_text(path, fixture(path));
  REQUIRE_FALSE(r.error);  // before: "malformed YAML", exit 2, nothing checked
  CHECK(r.kind == FileKind::kubernetes);
  // No k8s-seccomp-unset for the sidecar: its securityContext comes from the values.
  REQUIRE(brief(r) ==
          std::vector<std::string>{"20:11 error seccomp-unconfined", "25:13 error privileged"});
  CHECK(r.findings[0].message ==
        "Deployment \"{{ include \"demo.fullname\" . }}\" sets seccompProfile.type: {{ "
        ".Values.seccompProfile | default \"Unconfined\" }} for the whole pod, which is "
        "Unconfined unless the chart's values set it: no seccomp filter by default");
  CHECK(r.findings[0].fix.starts_with("make the default RuntimeDefault: set seccompProfile.type"));
  CHECK(r.findings[1].message.starts_with("container \"{{ .Chart.Name }}\" of Deployment"));
}

TEST_CASE("Helm: a quoted default, any case; other defaults are not findings", "[lint][helm]") {
  const std::string path = "helm/demo/templates/job.yaml";
  FileReport r = check_text(path, fixture(path));
  REQUIRE_FALSE(r.error);
  REQUIRE(brief(r) == std::vector<std::string>{"18:15 error seccomp-unconfined"});
  CHECK(r.findings[0].message.starts_with(
      "container \"migrate\" of Job \"{{ .Release.Name }}-migrate\" sets seccompProfile.type: "
      "{{ .Values.migrate.seccomp | default \"unconfined\" }}"));
}

TEST_CASE("Helm: what is malformed around the actions is still an error", "[lint][helm]") {
  FileReport r = check_text("t.yaml", "kind: Pod\nspec: [{{ .x }}\n");
  REQUIRE(r.error);
  CHECK(r.error->message.starts_with("Helm template: malformed YAML: "));
}

TEST_CASE("Compose and CI files are not Helm templates: ${{ }} stays as written", "[lint][helm]") {
  FileReport ci = check_text(".github/workflows/ci.yml",
                             "on: push\njobs:\n  a:\n    steps:\n      - run: docker run "
                             "--privileged ${{ matrix.image }}\n");
  CHECK_FALSE(ci.error);
  CHECK(brief(ci) == std::vector<std::string>{"5:25 error privileged"});
}
