// SPDX-License-Identifier: Apache-2.0
// YAML built to make a checker's work explode: merge-key chains, billion laughs, cycles and
// nesting through aliases. Each must give the findings a plain file would, quickly, or say what
// it did not follow (issue 12, item 2).
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "lint_test_helpers.hpp"
#include "syscope/lint/lint.hpp"

using namespace syscope::lint;
using syscope::lint::test::brief;
using syscope::lint::test::fixture;

namespace {

// The report for a fixture, by check_text under the name `as`, and how long it took.
struct Timed {
  FileReport report;
  std::chrono::milliseconds took;
};
Timed timed_check(const std::string &as, const std::string &name) {
  std::string text = fixture(name);
  auto start = std::chrono::steady_clock::now();
  FileReport r = check_text(as, text);
  return {r, std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now() - start)};
}

// Before the fix these took 27 s (8^9 visits), did not end (9^9) or overflowed the stack; the
// bound leaves room for a loaded machine and sanitizers.
constexpr std::chrono::milliseconds kFast{2000};

}  // namespace

TEST_CASE("a merge-key chain 9 levels deep is resolved once per anchor", "[lint][hostile]") {
  Timed t = timed_check("docker-compose.yml", "hostile/docker-compose.merge-chain.yml");
  CHECK(t.took < kFast);
  CHECK_FALSE(t.report.error);
  REQUIRE(brief(t.report) == std::vector<std::string>{"17:5 error privileged"});
  CHECK(t.report.findings[0].message.find("service \"web\"") != std::string::npos);
}

TEST_CASE("merge keys nested past the limit are an error, not a crash", "[lint][hostile]") {
  Timed t = timed_check("docker-compose.yml", "hostile/docker-compose.deep-merge.yml");
  CHECK(t.took < kFast);
  REQUIRE(t.report.error);
  CHECK(t.report.error->message ==
        "YAML nested deeper than 64 levels (through aliases or merge keys): not checked past "
        "that depth");
  CHECK(t.report.findings.empty());  // privileged: true is 100 merges down
}

TEST_CASE("a billion laughs in Compose and in CI YAML finishes with its findings",
          "[lint][hostile]") {
  Timed compose = timed_check("docker-compose.yml", "hostile/docker-compose.alias-bomb.yml");
  CHECK(compose.took < kFast);
  CHECK_FALSE(compose.report.error);
  CHECK(brief(compose.report) == std::vector<std::string>{"2:12 error seccomp-unconfined"});

  Timed ci = timed_check(".gitlab-ci.yml", "hostile/.gitlab-ci.yml");
  CHECK(ci.took < kFast);
  CHECK_FALSE(ci.report.error);
  // The script is aliased 9^9 + 9 times: one finding, at the anchor.
  CHECK(brief(ci.report) == std::vector<std::string>{"2:24 error privileged"});
}

TEST_CASE("an anchor holding its own alias (a cycle) is followed once", "[lint][hostile]") {
  // Before: unbounded recursion, SIGSEGV.
  Timed t = timed_check("docker-compose.yml", "hostile/docker-compose.alias-cycle.yml");
  CHECK_FALSE(t.report.error);
  CHECK(brief(t.report) ==
        std::vector<std::string>{"3:23 error seccomp-unconfined", "6:5 error privileged"});

  FileReport ci = check_ci_yaml(".gitlab-ci.yml",
                                "x: &a [*a, *a, {script: docker run --privileged x}]\njob: *a\n");
  CHECK(brief(ci) == std::vector<std::string>{"1:36 error privileged"});
}

TEST_CASE("aliases nesting past the limit in CI YAML and Kubernetes lists are an error",
          "[lint][hostile]") {
  std::string ci = "a0: &a0 [\"docker run --privileged x\"]\n";
  for (int i = 1; i <= 70; ++i)
    ci += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) +
          "]\n";
  ci += "job:\n  script: *a70\n";
  FileReport r = check_ci_yaml(".gitlab-ci.yml", ci);
  REQUIRE(r.error);
  CHECK(r.error->message.starts_with("YAML nested deeper than 64 levels"));

  std::string lists = "x0: &l0 {apiVersion: v1, kind: List, items: [{apiVersion: v1, kind: Pod, "
                      "metadata: {name: p}, spec: {containers: [{name: c}]}}]}\n";
  for (int i = 1; i <= 70; ++i)
    lists += "x" + std::to_string(i) + ": &l" + std::to_string(i) +
             " {apiVersion: v1, kind: List, items: [*l" + std::to_string(i - 1) + ", *l" +
             std::to_string(i - 1) + "]}\n";
  lists += "apiVersion: v1\nkind: List\nitems: [*l70, *l70]\n";
  FileReport k = check_kubernetes("list.yaml", lists);
  REQUIRE(k.error);
  CHECK(k.error->message.starts_with("YAML nested deeper than 64 levels"));
}

TEST_CASE("one long list aliased by many services is read once", "[lint][hostile]") {
  // 2000 services sharing a 2000-entry security_opt: 4 million entries if each reads it.
  std::string text = "x-opts: &opts [";
  for (int i = 0; i < 2000; ++i) text += "\"label=x" + std::to_string(i) + "\", ";
  text += "\"seccomp=unconfined\"]\nservices:\n";
  for (int i = 0; i < 2000; ++i)
    text += "  s" + std::to_string(i) + ": {image: x, security_opt: *opts}\n";
  auto start = std::chrono::steady_clock::now();
  FileReport r = check_compose("docker-compose.yml", text);
  CHECK(std::chrono::steady_clock::now() - start < kFast);
  CHECK_FALSE(r.error);
  REQUIRE(r.findings.size() == 1);  // at the anchor's entry, named after the first service
  CHECK(r.findings[0].message.find("service \"s0\"") != std::string::npos);
}

TEST_CASE("long words and blanks: no matcher that recurses per character", "[lint][hostile]") {
  // Both were std::regex searches, and libstdc++'s recursion overflowed the stack (SIGSEGV).
  std::string word(1'000'000, 'A');
  FileReport d = check_dockerfile("Dockerfile", "FROM x\nRUN cat <<" + word +
                                                    "\ndocker run --privileged x\n" + word + "\n");
  CHECK(brief(d) == std::vector<std::string>{"3:12 error privileged"});

  FileReport h = check_text("pod.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  securityContext:\n"
                                        "    seccompProfile:\n      type: {{ .x | default" +
                                            std::string(1'000'000, ' ') + "\"Unconfined\" }}\n");
  CHECK(brief(h) == std::vector<std::string>{"6:7 error seccomp-unconfined"});
}

TEST_CASE("a stray comma where a document starts is malformed, not an endless parse",
          "[lint][hostile]") {
  // yaml-cpp 0.7's LoadAll made empty documents for ever here, memory growing without bound.
  for (const char *text : {",", "%YAML 1.1\n,\n", "services: {}\n---\n, x\n"}) {
    INFO(text);
    FileReport r = check_compose("docker-compose.yml", text);
    REQUIRE(r.error);
    CHECK(r.error->message == "malformed YAML: unexpected `,`");
  }
  FileReport r = check_kubernetes("pod.yaml", "kind: Pod\n---\n,\n");
  REQUIRE(r.error);
  CHECK(r.error->line == 3);
  CHECK(r.error->column == 1);
  CHECK(check_compose("docker-compose.yml", "---\n---\nservices: {}\n").error == std::nullopt);
}
