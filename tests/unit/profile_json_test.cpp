// SPDX-License-Identifier: Apache-2.0
// Docker-format profile JSON: exact round trips, Docker's leniency, and one-line errors that
// point at the line/column or the field path.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"

using namespace syscope;
using namespace syscope::seccomp;

namespace {

std::string file_text(const std::string &path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fixture_text(const std::string &name) {
  return file_text(std::string(SYSCOPE_FIXTURES) + "/profiles/" + name);
}

// The Error a parse throws, so tests can look at both its code and its message.
Error parse_error_of(const std::string &text) {
  try {
    parse_docker_profile(text, "p.json");
  } catch (const Error &e) {
    return e;
  }
  FAIL("no error for: " << text);
  return Error(Exit::ok, "");
}

}  // namespace

TEST_CASE("rich profile round-trips byte for byte", "[profile_json]") {
  std::string text = fixture_text("rich.json");
  Profile p = parse_docker_profile(text, "rich.json");
  CHECK(to_docker_json(p) == text);
  CHECK(parse_docker_profile(to_docker_json(p), "again") == p);
}

TEST_CASE("Docker's default profile round-trips with every action and operator", "[profile_json]") {
  // Docker's file is Go's encoding (tabs, empty fields spelled out), which to_docker_json leaves
  // out; what must hold is that nothing is lost, that writing is stable, and that each action
  // and operator is written under the name the file gives it.
  std::string text = file_text(std::string(SYSCOPE_PROFILES) + "/docker-default-20.10.24.json");
  Profile p = parse_docker_profile(text, "docker-default-20.10.24.json");
  std::string written = to_docker_json(p);
  Profile again = parse_docker_profile(written, "again");
  CHECK(again == p);
  CHECK(to_docker_json(again) == written);
  auto doc = nlohmann::json::parse(text), out = nlohmann::json::parse(written);
  CHECK(out.at("defaultAction") == doc.at("defaultAction"));
  REQUIRE(out.at("syscalls").size() == doc.at("syscalls").size());
  for (size_t i = 0; i < doc.at("syscalls").size(); ++i) {
    const auto &in_rule = doc.at("syscalls")[i], &out_rule = out.at("syscalls")[i];
    CHECK(out_rule.at("action") == in_rule.at("action"));
    // Go writes "args": [] or null for none; the writer leaves the field out.
    if (!in_rule.contains("args") || in_rule.at("args").empty()) continue;
    const auto &in_args = in_rule.at("args"), &out_args = out_rule.at("args");
    REQUIRE(out_args.size() == in_args.size());
    for (size_t j = 0; j < in_args.size(); ++j) CHECK(out_args[j].at("op") == in_args[j].at("op"));
  }
}

TEST_CASE("rich profile reads every field", "[profile_json]") {
  Profile p = parse_docker_profile(fixture_text("rich.json"), "rich.json");
  CHECK(p.default_action == Action::errno_);
  CHECK(p.default_errno_ret == 1u);
  CHECK(p.architectures.empty());
  REQUIRE(p.arch_map.size() == 2);
  CHECK(p.arch_map[0].architecture == "SCMP_ARCH_X86_64");
  CHECK(p.arch_map[0].sub_architectures ==
        std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X32"});
  REQUIRE(p.syscalls.size() == 7);
  CHECK(p.syscalls[0].names == std::vector<std::string>{"read", "write", "exit_group"});
  CHECK(p.syscalls[0].action == Action::allow);
  CHECK_FALSE(p.syscalls[0].errno_ret);
  CHECK(p.syscalls[1].errno_ret == 38u);
  CHECK(p.syscalls[1].comment == "glibc falls back to clone on ENOSYS");
  REQUIRE(p.syscalls[2].args.size() == 2);
  CHECK(p.syscalls[2].args[1].value == 4294967295u);
  CHECK(p.syscalls[3].args[0].op == Op::masked_eq);
  CHECK(p.syscalls[3].excludes.caps == std::vector<std::string>{"CAP_SYS_ADMIN"});
  CHECK(p.syscalls[4].includes.arches == std::vector<std::string>{"amd64", "x32"});
  CHECK(p.syscalls[5].includes.min_kernel == "4.8");
  CHECK(p.syscalls[6].args[0].index == 2);
  CHECK(p.syscalls[6].args[0].value == UINT64_MAX);
}

TEST_CASE("a model built in code survives to_docker_json and back", "[profile_json]") {
  Profile p;
  p.default_action = Action::kill_process;
  p.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  SyscallRule r;
  r.names = {"getppid"};
  r.action = Action::log;
  r.args = {{1, 2, 3, Op::masked_eq}};
  r.excludes.min_kernel = "5.8";
  p.syscalls.push_back(r);
  std::string text = to_docker_json(p);
  CHECK(parse_docker_profile(text, "x") == p);
  CHECK(text.back() == '\n');
  // Stable field order: defaultAction first, then architectures, then syscalls.
  CHECK(text.find("defaultAction") < text.find("architectures"));
  CHECK(text.find("architectures") < text.find("syscalls"));
  CHECK(text.find("defaultErrnoRet") == std::string::npos);
  CHECK(text.find("archMap") == std::string::npos);
  CHECK(text.find("\"includes\"") == std::string::npos);
}

TEST_CASE("Docker's leniency: legacy name, nulls, unknown fields", "[profile_json]") {
  std::vector<std::string> warnings;
  Profile p = parse_docker_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/x.sock", "flags": ["X"],
    "architectures": null,
    "syscalls": [{"name": "read", "action": "SCMP_ACT_ALLOW", "args": null,
                  "includes": {}, "excludes": {}, "future": 1}]})",
                                   "legacy.json", &warnings);
  CHECK(warnings == std::vector<std::string>{"legacy.json: syscalls[0]: unknown key \"future\" "
                                             "ignored, as Docker ignores it"});
  REQUIRE(p.syscalls.size() == 1);
  CHECK(p.syscalls[0].names == std::vector<std::string>{"read"});
  CHECK(p.syscalls[0].args.empty());
  CHECK(p.syscalls[0].includes.empty());
  CHECK(to_docker_json(p).find("\"names\"") != std::string::npos);
}

TEST_CASE("malformed JSON names origin, line and column", "[profile_json]") {
  Error e = parse_error_of("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [,]\n}\n");
  CHECK(e.code == Exit::usage);
  std::string msg = e.what();
  CHECK(msg.rfind("p.json: invalid JSON at line 3, column 16: ", 0) == 0);
  CHECK(msg.find("[json.exception") == std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);

  Error eof = parse_error_of("{\"defaultAction\": \"SCMP_ACT_ALLOW\"");
  CHECK(eof.code == Exit::usage);
  CHECK(std::string(eof.what()).find("line 1, column") != std::string::npos);
}

TEST_CASE("a field of the wrong type is named by its path", "[profile_json]") {
  auto message = [](const std::string &text) { return std::string(parse_error_of(text).what()); };
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ALLOW"},
      {"names": 3, "action": "SCMP_ACT_ALLOW"}]})") ==
        "p.json: syscalls[1].names: expected an array of strings, got number");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": "1"}]}]})")
            .find("syscalls[0].args[0].value") != std::string::npos);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO", "errnoRet": -1}]})")
            .find("syscalls[0].errnoRet") != std::string::npos);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1.5}]})")
            .find("syscalls[0].errnoRet") != std::string::npos);
  CHECK(message(R"({"defaultAction": 1})").find("defaultAction") != std::string::npos);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "archMap": [{"architecture": []}]})")
            .find("archMap[0].architecture") != std::string::npos);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": "CAP_X"}}]})")
            .find("syscalls[0].includes.caps") != std::string::npos);
  CHECK(message("[]").find("expected an object") != std::string::npos);
  CHECK(message("{}").find("defaultAction: missing") != std::string::npos);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"name": "a", "names": ["b"], "action": "SCMP_ACT_ALLOW"}]})")
            .find("syscalls[0]") != std::string::npos);
  CHECK(parse_error_of("{\"defaultAction\": 1}").code == Exit::usage);
}

TEST_CASE("action and operator names map to the enums and back", "[profile_json]") {
  const std::pair<Action, const char *> actions[] = {
      {Action::kill_process, "SCMP_ACT_KILL_PROCESS"},
      {Action::kill_thread, "SCMP_ACT_KILL_THREAD"},
      {Action::trap, "SCMP_ACT_TRAP"},
      {Action::errno_, "SCMP_ACT_ERRNO"},
      {Action::trace, "SCMP_ACT_TRACE"},
      {Action::log, "SCMP_ACT_LOG"},
      {Action::allow, "SCMP_ACT_ALLOW"},
      {Action::notify, "SCMP_ACT_NOTIFY"}};
  for (const auto &[action, name] : actions) {
    CHECK(action_name(action) == name);
    CHECK(action_from_name(name) == action);
  }
  const std::pair<Op, const char *> ops[] = {{Op::ne, "SCMP_CMP_NE"},
                                             {Op::lt, "SCMP_CMP_LT"},
                                             {Op::le, "SCMP_CMP_LE"},
                                             {Op::eq, "SCMP_CMP_EQ"},
                                             {Op::ge, "SCMP_CMP_GE"},
                                             {Op::gt, "SCMP_CMP_GT"},
                                             {Op::masked_eq, "SCMP_CMP_MASKED_EQ"}};
  for (const auto &[op, name] : ops) {
    CHECK(op_name(op) == name);
    CHECK(op_from_name(name) == op);
  }
  // runc's one alias: libseccomp's old name for KILL_THREAD, written back by its current name.
  CHECK(action_from_name("SCMP_ACT_KILL") == Action::kill_thread);
  // Names are exact, as in runc's map: no case folding, no short forms, no spaces.
  for (const char *name :
       {"", "scmp_act_allow", "ALLOW", "SCMP_ACT_ALLOW ", "SCMP_ACT_KILL_ALL", "SCMP_CMP_EQ"})
    CHECK_FALSE(action_from_name(name));
  for (const char *name : {"", "scmp_cmp_eq", "EQ", "SCMP_CMP_MASKED", "SCMP_ACT_ALLOW"})
    CHECK_FALSE(op_from_name(name));
}

TEST_CASE("SCMP_ACT_KILL reads as SCMP_ACT_KILL_THREAD", "[profile_json]") {
  Profile p = parse_docker_profile(R"({"defaultAction": "SCMP_ACT_KILL",
      "syscalls": [{"names": ["read"], "action": "SCMP_ACT_KILL"}]})",
                                   "p.json");
  CHECK(p.default_action == Action::kill_thread);
  CHECK(p.syscalls[0].action == Action::kill_thread);
  std::string text = to_docker_json(p);
  CHECK(text.find("\"SCMP_ACT_KILL\"") == std::string::npos);
  CHECK(text.find("\"defaultAction\": \"SCMP_ACT_KILL_THREAD\"") != std::string::npos);
  CHECK(parse_docker_profile(text, "again") == p);
}

TEST_CASE("an unknown action or operator is a one-line usage error naming it and its rule",
          "[profile_json]") {
  auto message = [](const std::string &text) {
    Error e = parse_error_of(text);
    CHECK(e.code == Exit::usage);
    std::string msg = e.what();
    CHECK(msg.find('\n') == std::string::npos);
    return msg;
  };
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALOW"})") ==
        "p.json: defaultAction: unknown action \"SCMP_ACT_ALOW\"");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["mount", "umount2"], "action": "SCMP_ACT_DENY"}]})") ==
        "p.json: syscalls[1].action: unknown action \"SCMP_ACT_DENY\" (rule for mount,umount2)");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a", "b", "c", "d", "e"], "action": "allow"}]})") ==
        "p.json: syscalls[0].action: unknown action \"allow\" (rule for a,b,c,... (2 more))");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": [], "action": ""}]})") ==
        "p.json: syscalls[0].action: unknown action \"\" (rule without names)");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                {"index": 0, "value": 8, "op": "SCMP_CMP_EQUAL"}]}]})") ==
        "p.json: syscalls[0].args[1].op: unknown operator \"SCMP_CMP_EQUAL\" "
        "(rule for personality)");
  // runc refuses a condition without an operator, so there is none to assume.
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 0}]}]})") ==
        "p.json: syscalls[0].args[0]: missing \"op\" (rule for personality)");
  // A name of the wrong type is still a type error, not an unknown name.
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["read"], "action": 0}]})") ==
        "p.json: syscalls[0].action: expected a string, got number");
}

TEST_CASE("an unreadable profile file is a usage error", "[profile_json]") {
  try {
    load_docker_profile("/nonexistent/profile.json");
    FAIL("no error");
  } catch (const Error &e) {
    CHECK(e.code == Exit::usage);
    CHECK(std::string(e.what()).find("/nonexistent/profile.json") != std::string::npos);
  }
  CHECK_THROWS_AS(load_docker_profile("/"), Error);
}

TEST_CASE("a key given twice is refused with its path", "[profile_json]") {
  auto message = [](const std::string &text) { return std::string(parse_error_of(text).what()); };
  const std::string kTail = ": duplicate key (Docker would keep the last one without a word): "
                            "give it once";
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultAction": "SCMP_ACT_ERRNO"})") ==
        "p.json: defaultAction" + kTail);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ALLOW"}, {"names": ["b"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["c"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["d"], "action": "SCMP_ACT_ERRNO", "action": "SCMP_ACT_ALLOW"}]})") ==
        "p.json: syscalls[3].action" + kTail);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO",
       "args": [[], {"index": 0, "op": "SCMP_CMP_EQ", "index": 1}]}]})") ==
        "p.json: syscalls[0].args[1].index" + kTail);
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": [], "caps": []}}]})") ==
        "p.json: syscalls[0].includes.caps" + kTail);
  // The same key in two objects is no duplicate.
  CHECK_NOTHROW(parse_docker_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO"}, {"names": ["b"], "action": "SCMP_ACT_ERRNO"}]})",
                                     "p.json"));
  // Go's decoder takes keys in any case: two spellings of one key are a duplicate too.
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO", "Action": "SCMP_ACT_ALLOW"}]})") ==
        "p.json: syscalls[0]: \"Action\" and \"action\" are the same key to Docker (it ignores "
        "case), which would keep one of them: give it once, as \"action\"");
  // A key with control characters is named printably.
  CHECK(
      message("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"a\\u001b[2J\": 1, \"a\\u001b[2J\": 2}") ==
      "p.json: a\\x1b[2J" + kTail);
}

TEST_CASE("unknown keys are ignored with one warning per key", "[profile_json]") {
  std::vector<std::string> warnings;
  Profile p = parse_docker_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "comment": "x",
      "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO", "errno": "ENOSYS"},
      {"names": ["b"], "action": "SCMP_ACT_ERRNO", "errno": "ENOSYS", "future": {"x": 1}},
      {"names": ["c"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM",
       "args": [{"index": 0, "op": "SCMP_CMP_EQ", "valuetwo": 3, "value\n": 4}]}]})",
                                   "p.json", &warnings);
  CHECK(warnings ==
        std::vector<std::string>{
            "p.json: (top level): unknown key \"comment\" ignored, as Docker ignores it",
            "p.json: syscalls[0]: unknown key \"errno\" ignored, as Docker ignores it "
            "(and 2 more like it)",
            "p.json: syscalls[1]: unknown key \"future\" ignored, as Docker ignores it",
            "p.json: syscalls[2].args[0]: unknown key \"value\\n\" ignored, as Docker "
            "ignores it",
            "p.json: syscalls[2].args[0].valuetwo: read as \"valueTwo\", as Docker reads "
            "it (it ignores the case of keys): write \"valueTwo\""});
  REQUIRE(p.syscalls.size() == 3);
  CHECK(p.syscalls[2].args[0].value_two == 3);
  CHECK(p.syscalls[2].args[0].value == 0);
  // Docker would read "errnoret" as errnoRet: so does syscope, and says so.
  p = parse_docker_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["a"], "action": "SCMP_ACT_ERRNO", "errnoret": 38}]})",
                           "p.json", &warnings);
  CHECK(p.syscalls[0].errno_ret == 38u);
  CHECK(warnings ==
        std::vector<std::string>{
            "p.json: syscalls[0].errnoret: read as \"errnoRet\", as Docker reads it (it "
            "ignores the case of keys): write \"errnoRet\""});
  // The known keys of every object raise no warning (the rich fixture uses each of them).
  parse_docker_profile(fixture_text("rich.json"), "rich.json", &warnings);
  CHECK(warnings.empty());
  parse_docker_profile(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": [], "listenerPath": "",
      "listenerMetadata": "", "syscalls": [{"name": "a", "action": "SCMP_ACT_ALLOW",
      "comment": ""}]})",
                       "p.json", &warnings);
  CHECK(warnings.empty());
}

TEST_CASE("many unknown keys: ten warnings and a count, in linear time", "[profile_json]") {
  std::string text = R"({"defaultAction": "SCMP_ACT_ALLOW")";
  for (int i = 0; i < 200000; ++i) text += ",\"k" + std::to_string(i) + "\": 0";
  text += "}";
  std::vector<std::string> warnings;
  parse_docker_profile(text, "p.json", &warnings);
  REQUIRE(warnings.size() == 11);
  CHECK(warnings.back() == "p.json: 199990 more warnings like these not shown");
}

TEST_CASE("a rule without names is refused, naming the rule", "[profile_json]") {
  auto message = [](const std::string &text) { return std::string(parse_error_of(text).what()); };
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
      {"names": null, "action": "SCMP_ACT_ALLOW"}]})") ==
        "p.json: syscalls[1].names: null: a rule must list the calls it applies to (Docker would "
        "apply it to none)");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"action": "SCMP_ACT_ALLOW"}]})") ==
        "p.json: syscalls[0]: no \"names\": a rule must list the calls it applies to (Docker "
        "would apply it to none)");
  // Docker reads an empty legacy name as none.
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"name": "", "action": "SCMP_ACT_ALLOW"}]})")
            .find("syscalls[0]: no \"names\"") != std::string::npos);
  // An explicit empty list stays: syscope writes one when every name moved to argument rules.
  CHECK(parse_docker_profile(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": [], "action": "SCMP_ACT_ALLOW"}]})",
                             "p.json")
            .syscalls.size() == 1);
}

TEST_CASE("errnoRet and defaultErrnoRet must be errnos", "[profile_json]") {
  auto message = [](const std::string &text) { return std::string(parse_error_of(text).what()); };
  auto with_errno = [](const std::string &action, const std::string &value) {
    return R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["read", "write"], "action": ")" +
           action + R"(", "errnoRet": )" + value + "}]}";
  };
  CHECK(message(with_errno("SCMP_ACT_ERRNO", "4096")) ==
        "p.json: syscalls[0].errnoRet: 4096 is not an errno: it must be 1..4095 (rule for "
        "read,write)");
  CHECK(message(with_errno("SCMP_ACT_ERRNO", "0")) ==
        "p.json: syscalls[0].errnoRet: 0 is not an errno: it must be 1..4095 (rule for "
        "read,write)");
  CHECK(
      message(with_errno("SCMP_ACT_ERRNO", "99999999999999999999")).find("syscalls[0].errnoRet") !=
      std::string::npos);
  CHECK(
      parse_docker_profile(with_errno("SCMP_ACT_ERRNO", "4095"), "p.json").syscalls[0].errno_ret ==
      4095u);
  CHECK(parse_docker_profile(with_errno("SCMP_ACT_ERRNO", "1"), "p.json").syscalls[0].errno_ret ==
        1u);
  // SCMP_ACT_TRACE's value is the tracer's 16-bit message, not an errno.
  CHECK(parse_docker_profile(with_errno("SCMP_ACT_TRACE", "0"), "p.json").syscalls[0].errno_ret ==
        0u);
  CHECK(message(with_errno("SCMP_ACT_TRACE", "65536")) ==
        "p.json: syscalls[0].errnoRet: value 65536 out of range");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 4096})") ==
        "p.json: defaultErrnoRet: 4096 is not an errno: it must be 1..4095");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 0})") ==
        "p.json: defaultErrnoRet: 0 is not an errno: it must be 1..4095");
}

TEST_CASE("text from the profile in a message has no control characters", "[profile_json]") {
  auto message = [](const std::string &text) { return std::string(parse_error_of(text).what()); };
  CHECK(message(R"({"defaultAction": "SCMP_ACT_\u001b]0;pwned\u0007"})") ==
        "p.json: defaultAction: unknown action \"SCMP_ACT_\\x1b]0;pwned\\x07\"");
  CHECK(message(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
      {"names": ["re\nad"], "action": "SCMP_ACT_NOPE"}]})") ==
        "p.json: syscalls[0].action: unknown action \"SCMP_ACT_NOPE\" (rule for re\\nad)");
  // The parser quotes what it last read: raw bytes of the file (it spells C0 controls <U+001B>
  // itself, but passes on a C1 CSI and bytes that are not UTF-8).
  CHECK(message("{\"defaultAction\": \"\xc2\x9b[31m") ==
        "p.json: invalid JSON at line 1, column 26: syntax error while parsing value - invalid "
        "string: missing closing quote; last read: '\"\\xc2\\x9b[31m'");
  CHECK(message("{\"a\xff\": 1}").find("last read: '\"a\\xff'") != std::string::npos);
}
