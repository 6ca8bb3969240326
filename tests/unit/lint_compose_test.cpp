// SPDX-License-Identifier: Apache-2.0
// Compose files: the CIS Docker Benchmark's vulnerable and secure examples, every spelling of
// seccomp:unconfined and privileged, merge keys, detection by content, malformed YAML.
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

TEST_CASE("the CIS vulnerable compose example is one seccomp finding", "[lint][compose]") {
  const std::string path = "compose/docker-compose.cis-vulnerable.yml";
  FileReport r = check_compose(path, fixture(path));
  REQUIRE_FALSE(r.error);
  REQUIRE(brief(r) == std::vector<std::string>{"8:9 error seccomp-unconfined"});
  const Finding &f = r.findings[0];
  CHECK(f.file == path);
  CHECK(f.message == "service \"web\" disables the default seccomp profile (security_opt "
                     "`seccomp:unconfined`)");
  CHECK(f.fix.find("syscope record --container web") != std::string::npos);
  CHECK(f.controls == std::vector<std::string>{"CIS Docker 5.21/5.22", "STIG DKER-EE-002070"});
}

TEST_CASE("the CIS secure compose example has no findings", "[lint][compose]") {
  const std::string path = "compose/docker-compose.cis-secure.yml";
  FileReport r = check_compose(path, fixture(path));
  CHECK_FALSE(r.error);
  CHECK(r.findings.empty());
}

TEST_CASE("compose spellings: flow lists, case, quotes, map entries, yes, merge keys",
          "[lint][compose]") {
  const std::string path = "compose/docker-compose.variants.yml";
  FileReport r = check_compose(path, fixture(path));
  REQUIRE_FALSE(r.error);
  CHECK(brief(r) == std::vector<std::string>{
                        "7:20 error seccomp-unconfined",  // ["seccomp=unconfined"]
                        "11:9 error seccomp-unconfined",  // "SECCOMP:Unconfined"
                        "13:9 error seccomp-unconfined",  // - seccomp: unconfined (a map)
                        "16:5 error privileged",          // privileged: yes
                        "18:5 error privileged",          // <<: *debug, at the merge key
                    });
  CHECK(r.findings[3].controls ==
        std::vector<std::string>{"CIS Docker 5.4", "CIS Docker 5.21/5.22", "STIG DKER-EE-002070"});
  CHECK(r.findings[4].message.find("service \"d\"") != std::string::npos);
}

TEST_CASE("YAML with a top-level services map is Compose whatever its name", "[lint][compose]") {
  FileReport r = check_text("compose/stack.yml", fixture("compose/stack.yml"));
  CHECK(r.kind == FileKind::compose);
  CHECK(brief(r) == std::vector<std::string>{"5:5 error privileged"});
}

TEST_CASE("inline compose text: both spellings in one service", "[lint][compose]") {
  FileReport r = check_compose("docker-compose.yml",
                               "services:\n"
                               "  x:\n"
                               "    security_opt: ['seccomp=unconfined', seccomp:unconfined]\n"
                               "    privileged: 'false'\n");
  CHECK(brief(r) ==
        std::vector<std::string>{"3:20 error seccomp-unconfined", "3:42 error seccomp-unconfined"});
}

TEST_CASE("malformed compose YAML is an error with the parser's position", "[lint][compose]") {
  const std::string path = "bad/docker-compose.yml";
  FileReport r = check_compose(path, fixture(path));
  REQUIRE(r.error);
  CHECK(r.error->file == path);
  CHECK(r.error->line == 6);
  CHECK(r.error->column == 6);
  CHECK(r.error->message == "malformed YAML: end of map not found");
  CHECK(r.findings.empty());
}
