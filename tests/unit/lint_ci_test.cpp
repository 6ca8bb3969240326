// SPDX-License-Identifier: Apache-2.0
// CI YAML: run:/script: values scanned as shell, positions mapped back through literal,
// folded, plain and quoted scalars; GitHub Actions container and service options.
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

TEST_CASE("GitHub Actions workflow: services options, plain, quoted and literal run values",
          "[lint][ci]") {
  const std::string path = "ci/.github/workflows/build.yml";
  FileReport r = check_text(path, fixture(path));
  CHECK(r.kind == FileKind::ci);
  CHECK(brief(r) == std::vector<std::string>{
                        "10:11 error privileged",  // services.db.options (folded)
                        "12:25 error privileged",  // two commands on one line
                        "12:64 error privileged",
                        "14:11 error seccomp-unconfined",  // "...\ escaped line break
                        "20:13 error privileged",  // after a comment and an echo of the option
                    });
  CHECK(r.findings[0].message.starts_with("the service `options:` of this job runs a privileged"));
  CHECK(r.findings[1].message.starts_with("this `run:` command runs a privileged container"));
}

TEST_CASE("GitLab CI: script lists, folded scalars, anchors reported once", "[lint][ci]") {
  const std::string path = "ci/.gitlab-ci.yml";
  FileReport r = check_text(path, fixture(path));
  CHECK(r.kind == FileKind::ci);
  CHECK(brief(r) == std::vector<std::string>{
                        "6:21 error privileged",           // before_script via <<: *common
                        "13:7 error seccomp-unconfined",   // folded >
                        "16:24 error seccomp-unconfined",  // single-quoted
                    });
}

TEST_CASE("job container options and malformed CI YAML", "[lint][ci]") {
  FileReport r = check_ci_yaml(".github/workflows/x.yml",
                               "jobs:\n"
                               "  t:\n"
                               "    container: {image: x, options: '--cpus 2 --privileged'}\n"
                               "    steps: [{run: 'podman run --privileged=false x'}]\n");
  CHECK(brief(r) == std::vector<std::string>{"3:46 error privileged"});
  FileReport bad = check_ci_yaml(".gitlab-ci.yml", "test:\n  script: [docker run x\n");
  REQUIRE(bad.error);
  CHECK(bad.error->message.starts_with("malformed YAML: "));
}
