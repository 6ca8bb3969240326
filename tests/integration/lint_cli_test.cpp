// SPDX-License-Identifier: Apache-2.0
// `syscope lint` end to end: the real binary over examples/ and the lint fixtures; output
// format, --json, --strict and exit codes (0 clean, 1 findings, 2 unreadable or malformed).
#include <catch2/catch.hpp>

#include <fstream>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "helpers.hpp"

using syscope::test::run;
using syscope::test::RunResult;
using syscope::test::syscope_bin;
using syscope::test::TempDir;

namespace {

const std::string kRoot = SYSCOPE_SOURCE_DIR;

// `syscope lint ARGS...` run from the source tree, so paths print as given.
RunResult lint(const std::string &args) {
  return run({"/bin/sh", "-c", "cd '" + kRoot + "' && exec '" + syscope_bin() + "' lint " + args});
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("lint examples/: every file kind, file:line:column, the fix, exit 1", "[lint]") {
  RunResult r = lint("examples/");
  INFO(r.out << r.err);
  CHECK(r.status == 1);
  CHECK(r.err.empty());
  for (const char *line : {
           "examples/.github/workflows/ci.yml:8:16: error: the container `options:` of this job "
           "runs a privileged container (`--privileged`)",
           "examples/.github/workflows/ci.yml:15:13: error: this `run:` command disables the "
           "default seccomp profile (`--security-opt seccomp=unconfined`)",
           "examples/Dockerfile:6:7: error: this RUN instruction disables the default seccomp "
           "profile (`--security-opt=seccomp:unconfined`)",
           "examples/docker-compose.vulnerable.yml:8:9: error: service \"web\" disables the "
           "default seccomp profile (security_opt `seccomp:unconfined`) [seccomp-unconfined; "
           "CIS Docker 5.21/5.22, STIG DKER-EE-002070]",
           "examples/docker-compose.vulnerable.yml:12:5: error: service \"debug\" runs privileged",
           "examples/k8s-deployment.yaml:36:13: error: container \"agent\" of Deployment "
           "\"tracer\" is privileged",
           "examples/k8s-deployment.yaml:38:15: error: container \"agent\" of Deployment "
           "\"tracer\" sets seccompProfile.type: Unconfined",
           "examples/k8s-deployment.yaml:52:15: warning: container \"report\" of CronJob "
           "\"report\" has no seccompProfile",
           "examples/run-tests.sh:8:5: error: this command line disables the default seccomp "
           "profile (`--security-opt seccomp=unconfined`)",
           "examples/run-tests.sh:11:17: error: this command line runs a privileged container",
           "  fix: remove `--security-opt seccomp=unconfined`; if the app needs a blocked "
           "syscall, record a profile: syscope record --container NAME -o profile.json, then "
           "--security-opt seccomp=profile.json\n",
       })
    CHECK(contains(r.out, line));
  CHECK_FALSE(contains(r.out, "docker-compose.secure.yml"));
  CHECK(r.out.ends_with("\n6 files checked: 9 errors, 1 warning\n"));
}

TEST_CASE("lint --json: one document with findings, errors and a summary", "[lint]") {
  RunResult r = lint("--json examples/");
  CHECK(r.status == 1);
  nlohmann::json doc = nlohmann::json::parse(r.out);
  REQUIRE(doc["findings"].size() == 10);
  CHECK(doc["errors"].empty());
  CHECK(doc["summary"] == nlohmann::json{{"files_checked", 6},
                                         {"errors", 9},
                                         {"warnings", 1},
                                         {"unreadable", 0},
                                         {"exit_status", 1}});
  const auto &f = doc["findings"][3];
  CHECK(f["file"] == "examples/docker-compose.vulnerable.yml");
  CHECK(f["line"] == 8);
  CHECK(f["column"] == 9);
  CHECK(f["kind"] == "compose");
  CHECK(f["severity"] == "error");
  CHECK(f["rule"] == "seccomp-unconfined");
  CHECK(f["controls"] == nlohmann::json{"CIS Docker 5.21/5.22", "STIG DKER-EE-002070"});
  CHECK(contains(f["fix"].get<std::string>(), "syscope record --container web"));
}

TEST_CASE("lint: clean files exit 0, warnings only exit 0 unless --strict", "[lint]") {
  RunResult clean = lint("examples/docker-compose.secure.yml "
                         "tests/fixtures/lint/compose/docker-compose.cis-secure.yml "
                         "tests/fixtures/lint/shell/docker-run.cis-secure.sh");
  CHECK(clean.status == 0);
  CHECK(clean.out == "3 files checked: 0 errors, 0 warnings\n");

  RunResult warn = lint("tests/fixtures/lint/k8s/deployment.yaml");
  CHECK(warn.status == 0);
  CHECK(contains(warn.out, "tests/fixtures/lint/k8s/deployment.yaml:15:11: warning: "));
  CHECK(lint("--strict tests/fixtures/lint/k8s/deployment.yaml").status == 1);
}

TEST_CASE("lint: a device, a FIFO or an oversized file is refused in one line, exit 2", "[lint]") {
  TempDir dir;
  std::string fifo = (dir / "compose.yml").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);  // nobody writes it: a read would block forever
  std::string big = (dir / "docker-compose.yml").string();
  {
    std::ofstream out(big);
    out << "services:\n  web:\n    image: x\n" << std::string(5u << 20, '#') << "\n";
  }
  RunResult r = lint("/dev/zero " + fifo + " " + big);
  CHECK(r.status == 2);
  CHECK(r.err == "syscope: lint: /dev/zero: is a character device, not a regular file\n"
                 "syscope: lint: " +
                     fifo +
                     ": is a FIFO, not a regular file\n"
                     "syscope: lint: " +
                     big + ": larger than 4 MiB (5242911 bytes): not read\n");
}

TEST_CASE("lint: a malformed or missing file is reported, the rest still checked, exit 2",
          "[lint]") {
  RunResult r = lint("tests/fixtures/lint/bad tests/fixtures/lint/compose/"
                     "docker-compose.cis-vulnerable.yml no/such/file.yml");
  CHECK(r.status == 2);
  CHECK(r.err == "syscope: lint: tests/fixtures/lint/bad/docker-compose.yml:6:6: malformed "
                 "YAML: end of map not found\n"
                 "syscope: lint: tests/fixtures/lint/bad/malformed.yaml:7:1: malformed YAML: end "
                 "of sequence flow not found\n"
                 "syscope: lint: no/such/file.yml: cannot read: No such file or directory\n");
  CHECK(contains(r.out, "tests/fixtures/lint/compose/docker-compose.cis-vulnerable.yml:8:9: "
                        "error: "));
  CHECK(r.out.ends_with("1 file checked: 1 error, 0 warnings; 3 could not be checked\n"));

  RunResult j = lint("--json tests/fixtures/lint/bad/malformed.yaml");
  CHECK(j.status == 2);
  nlohmann::json doc = nlohmann::json::parse(j.out);
  CHECK(doc["errors"] == nlohmann::json::array({{{"file", "tests/fixtures/lint/bad/malformed.yaml"},
                                                 {"message", "malformed YAML: end of sequence "
                                                             "flow not found"},
                                                 {"line", 7},
                                                 {"column", 1}}}));
  CHECK(doc["summary"]["exit_status"] == 2);
}

TEST_CASE("lint: usage errors exit 2; explicit files of no known kind are skipped", "[lint]") {
  CHECK(lint("").status == 2);
  CHECK(lint("--no-such-flag examples").status == 2);
  RunResult skipped = lint("README.md");
  CHECK(skipped.status == 0);
  CHECK(contains(skipped.err, "README.md: not a Compose, Kubernetes, CI, shell, Makefile or "
                              "Dockerfile file: skipped"));
  RunResult help = lint("--help");
  CHECK(help.status == 0);
  CHECK(contains(help.out, "--strict"));
}

TEST_CASE("lint the whole fixture tree: every kind found by the walk", "[lint]") {
  RunResult r = lint("--json tests/fixtures/lint");
  CHECK(r.status == 2);  // tests/fixtures/lint/bad, hostile/docker-compose.deep-merge.yml
  nlohmann::json doc = nlohmann::json::parse(r.out);
  std::set<std::string> kinds;
  for (const auto &f : doc["findings"]) kinds.insert(f["kind"].get<std::string>());
  CHECK(kinds ==
        std::set<std::string>{"ci", "compose", "dockerfile", "kubernetes", "makefile", "shell"});
  CHECK(doc["errors"].size() == 3);
}
