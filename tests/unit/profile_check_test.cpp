// SPDX-License-Identifier: Apache-2.0
// profile check on the fixtures under tests/fixtures/profiles/check/ (one per finding kind, a
// clean one, malformed input) and on Docker's 20.10.24 default, whose findings are all warnings.
#include <catch2/catch.hpp>

#include <seccomp.h>

#include <string>
#include <vector>

#include "syscope/base/read_file.hpp"
#include "syscope/seccomp/profile_check.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using syscope::seccomp::check_profile;
using syscope::seccomp::Finding;
using Severity = Finding::Severity;

namespace {

std::vector<Finding> check_fixture(const std::string &name) {
  std::string path = std::string(SYSCOPE_FIXTURES) + "/profiles/check/" + name;
  return check_profile(syscope::seccomp::read_profile_text(path), name);
}

size_t count(const std::vector<Finding> &fs, Severity s) {
  size_t n = 0;
  for (const auto &f : fs) n += f.severity == s;
  return n;
}

// The finding at `path` whose message contains `text`; fails the test when there is none.
const Finding *find(const std::vector<Finding> &fs, const std::string &path,
                    const std::string &text) {
  for (const auto &f : fs)
    if (f.path == path && f.message.find(text) != std::string::npos) return &f;
  return nullptr;
}

std::string dump(const std::vector<Finding> &fs) {
  return syscope::seccomp::findings_text("fixture", fs);
}

bool x86_64() { return syscope::seccomp::native_scmp_arch() == SCMP_ARCH_X86_64; }

}  // namespace

TEST_CASE("check: a clean profile has no findings", "[profile_check]") {
  auto fs = check_fixture("clean.json");
  INFO(dump(fs));
  CHECK(fs.empty());
}

TEST_CASE("check: malformed JSON is one error with the parser's position", "[profile_check]") {
  auto fs = check_fixture("malformed.json");
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].severity == Severity::error);
  CHECK(fs[0].path.empty());
  CHECK(fs[0].message.find("invalid JSON at line 5") == 0);
}

TEST_CASE("check: a field of the wrong type is one error naming its path", "[profile_check]") {
  auto fs = check_fixture("wrong_type.json");
  INFO(dump(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].severity == Severity::error);
  CHECK(fs[0].path == "syscalls[1].names");
}

TEST_CASE("check: a name no arch has is an error and a name of another arch a warning",
          "[profile_check]") {
  auto fs = check_fixture("unknown_names.json");
  INFO(dump(fs));
  const Finding *typo = find(fs, "syscalls[0].names[1]", "\"opne\" is no syscall");
  REQUIRE(typo);
  CHECK(typo->severity == Severity::error);
  CHECK(typo->message.find("warn and skip it") != std::string::npos);
  const Finding *other = find(fs, "syscalls[0].names", "not syscalls of SCMP_ARCH_X86_64");
  REQUIRE(other);
  CHECK(other->severity == Severity::warning);
  CHECK(other->message.ends_with(": _llseek"));
  CHECK(count(fs, Severity::error) == 1);
}

TEST_CASE("check: duplicate rules and names listed twice are warnings", "[profile_check]") {
  auto fs = check_fixture("duplicates.json");
  INFO(dump(fs));
  CHECK(find(fs, "syscalls[0].names[2]", "\"read\" is listed twice in this rule"));
  CHECK(find(fs, "syscalls[1].names", "same action and conditions by an earlier rule: write"));
  CHECK(find(fs, "syscalls[2]", "duplicate: repeats syscalls[0]"));
  CHECK(count(fs, Severity::error) == 0);
}

TEST_CASE("check: contradicting rules are errors saying what libseccomp does", "[profile_check]") {
  auto fs = check_fixture("contradicting.json");
  INFO(dump(fs));
  const Finding *plain = find(fs, "syscalls[1]", "contradicts syscalls[0] for getpid");
  REQUIRE(plain);
  CHECK(plain->severity == Severity::error);
  CHECK(plain->message.find("keeps the first and ignores this one") != std::string::npos);
  const Finding *with_args = find(fs, "syscalls[3]", "contradicts syscalls[2] for socket");
  REQUIRE(with_args);
  CHECK(with_args->message.find("EEXIST") != std::string::npos);
  // libseccomp agrees: the second socket rule does not compile.
  CHECK(find(fs, "syscalls[3]", "libseccomp cannot compile it"));
}

TEST_CASE("check: conditions and rules that never match", "[profile_check]") {
  auto fs = check_fixture("never_matching.json");
  INFO(dump(fs));
  const Finding *masked = find(fs, "syscalls[1].args[0]", "valueTwo 0x100 has bits outside");
  REQUIRE(masked);
  CHECK(masked->severity == Severity::error);
  CHECK(find(fs, "syscalls[2].args[0]", "none is below 0"));
  const Finding *same = find(fs, "syscalls[3].action", "is the defaultAction");
  REQUIRE(same);
  CHECK(same->severity == Severity::warning);
  CHECK(find(fs, "syscalls[4]",
             "applies only on hosts of an architecture the profile does not list"));
  CHECK(find(fs, "syscalls[5].includes.caps[0]", "\"CAP_SYS_CHROOOT\" is no capability"));
  CHECK(find(fs, "syscalls[7]", "never matches for socket: syscalls[6] gives it SCMP_ACT_ALLOW"));
  CHECK(count(fs, Severity::error) == 2);
}

TEST_CASE("check: the OR trap shows the rules an entry really becomes", "[profile_check]") {
  auto fs = check_fixture("or_trap.json");
  INFO(dump(fs));
  const Finding *trap = find(fs, "syscalls[0].args", "OR, not AND");
  REQUIRE(trap);
  CHECK(trap->severity == Severity::warning);
  CHECK(trap->message.find(
            "3 rules: "
            R"({"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,)"
            R"("valueTwo":0,"op":"SCMP_CMP_EQ"}]} OR )") != std::string::npos);
  CHECK(trap->message.find(R"("args":[{"index":1,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}]})") !=
        std::string::npos);
  CHECK(count(fs, Severity::error) == 0);
}

TEST_CASE("check: 32-bit int arguments compared beyond 31 bits", "[profile_check]") {
  auto fs = check_fixture("sign_extension.json");
  INFO(dump(fs));
  const Finding *neg = find(fs, "syscalls[0].args[0]", "arg0 of kill is a 32-bit int");
  REQUIRE(neg);
  CHECK(neg->message.find("sends 0xffffffffffffffff") != std::string::npos);
  CHECK(find(fs, "syscalls[1].args[0]",
             "arg0 of socket is a 32-bit int, 0xffffffffffffffff is "
             "wider"));
  CHECK_FALSE(find(fs, "syscalls[2].args[0]", ""));  // the masked form is what is meant
  CHECK(fs.size() == 2);
}

TEST_CASE("check: a bad argument index is the compile step's error with its path",
          "[profile_check]") {
  auto fs = check_fixture("bad_index.json");
  INFO(dump(fs));
  const Finding *f = find(fs, "syscalls[0].args[6]", "index 6 is not 0-5");
  REQUIRE(f);
  CHECK(f->severity == Severity::error);
}

namespace {
// `n` ioctl requests, one rule each: libseccomp compiles each to about one instruction (measured:
// 2200 rules, 2222 instructions), as their upper 32 bits are all 0.
std::string ioctl_profile(int n) {
  std::string rules;
  for (int i = 0; i < n; ++i)
    rules += std::string(i ? "," : "") +
             R"({"names":["ioctl"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":)" +
             std::to_string(0x5400 + i) + R"(,"op":"SCMP_CMP_EQ"}]})";
  return R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],)"
         R"("syscalls":[)" +
         rules + "]}";
}
}  // namespace

TEST_CASE("check: a filter near the kernel's instruction limit is a warning, past it an error",
          "[profile_check]") {
  auto near = check_profile(ioctl_profile(3500), "near.json");
  INFO(dump(near));
  REQUIRE(near.size() == 1);
  CHECK(near[0].severity == Severity::warning);
  CHECK(near[0].message.find("of the kernel's 4096 instructions") != std::string::npos);
  auto past = check_profile(ioctl_profile(4500), "past.json");
  INFO(dump(past));
  REQUIRE(past.size() == 1);
  CHECK(past[0].severity == Severity::error);
  CHECK(past[0].message.find("more than the kernel's limit of 4096") != std::string::npos);
}

TEST_CASE("check: Docker's default profile has no errors", "[profile_check]") {
  std::string path = std::string(SYSCOPE_PROFILES) + "/docker-default-20.10.24.json";
  auto fs = check_profile(syscope::seccomp::read_profile_text(path), "docker-default.json");
  INFO(dump(fs));
  CHECK(count(fs, Severity::error) == 0);
  // True warnings: moby's profile spells an arch "mips3l64n32", so those clauses never match it.
  CHECK(find(fs, "syscalls[16].excludes.arches[0]", "\"mips3l64n32\" is no architecture"));
  CHECK(find(fs, "syscalls[17].includes.arches[0]", "\"mips3l64n32\" is no architecture"));
  if (x86_64())  // personality(0xffffffff) as a negative long is refused: the EQ is on 64 bits
    CHECK(find(fs, "syscalls[6].args[0]", "arg0 of personality is a 32-bit int"));
}

TEST_CASE("check --json shape: file, findings, errors, warnings", "[profile_check]") {
  auto fs = check_fixture("contradicting.json");
  auto doc = syscope::seccomp::findings_json("contradicting.json", fs);
  CHECK(doc["file"] == "contradicting.json");
  CHECK(doc["errors"] == count(fs, Severity::error));
  CHECK(doc["warnings"] == count(fs, Severity::warning));
  REQUIRE(doc["findings"].size() == fs.size());
  CHECK(doc["findings"][0].size() == 3);
  CHECK(doc["findings"][0].contains("severity"));
  CHECK(doc["findings"][0].contains("path"));
  CHECK(doc["findings"][0].contains("message"));
}
