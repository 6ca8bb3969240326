// SPDX-License-Identifier: Apache-2.0
// Docker-format profile JSON <-> Profile. Reading is as lenient as Docker's Go decoder (unknown
// fields ignored, null means absent) but names the exact field when a type is wrong.
#include "syscope/seccomp/profile_json.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"

namespace syscope::seccomp {
namespace {

using nlohmann::json;

// Each action's name as written first; then the names that also read as one (runc's aliases).
constexpr std::pair<Action, std::string_view> kActionNames[] = {
    {Action::kill_process, "SCMP_ACT_KILL_PROCESS"},
    {Action::kill_thread, "SCMP_ACT_KILL_THREAD"},
    {Action::trap, "SCMP_ACT_TRAP"},
    {Action::errno_, "SCMP_ACT_ERRNO"},
    {Action::trace, "SCMP_ACT_TRACE"},
    {Action::log, "SCMP_ACT_LOG"},
    {Action::allow, "SCMP_ACT_ALLOW"},
    {Action::notify, "SCMP_ACT_NOTIFY"},
    {Action::kill_thread, "SCMP_ACT_KILL"},
};

constexpr std::pair<Op, std::string_view> kOpNames[] = {
    {Op::ne, "SCMP_CMP_NE"},
    {Op::lt, "SCMP_CMP_LT"},
    {Op::le, "SCMP_CMP_LE"},
    {Op::eq, "SCMP_CMP_EQ"},
    {Op::ge, "SCMP_CMP_GE"},
    {Op::gt, "SCMP_CMP_GT"},
    {Op::masked_eq, "SCMP_CMP_MASKED_EQ"},
};

// "(rule for read,write)": the path gives the index, the names say which rule that is.
std::string rule_label(const std::vector<std::string> &names) {
  if (names.empty()) return "(rule without names)";
  constexpr size_t kShown = 3;  // Docker's default has rules of 300 names: keep it one line
  std::string out = "(rule for ";
  for (size_t i = 0; i < names.size() && i < kShown; ++i) out += (i ? "," : "") + names[i];
  if (names.size() > kShown) out += ",... (" + std::to_string(names.size() - kShown) + " more)";
  return out + ")";
}

// Reads one document's fields, naming each error "<origin>: <path>: ...".
class Reader {
 public:
  explicit Reader(const std::string &origin) : origin_(origin) {}

  [[noreturn]] void fail(const std::string &path, const std::string &what) const {
    throw Error(Exit::usage, origin_ + ": " + path + ": " + what);
  }

  [[noreturn]] void wrong_type(const std::string &path, const char *expected,
                               const json &got) const {
    fail(path, std::string("expected ") + expected + ", got " + got.type_name());
  }

  // The member `key` of object `obj`, or nullptr when absent or null (Go's decoder treats both
  // as the zero value).
  static const json *member(const json &obj, const char *key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::string string_at(const json &v, const std::string &path) const {
    if (!v.is_string()) wrong_type(path, "a string", v);
    return v.get<std::string>();
  }

  uint64_t unsigned_at(const json &v, const std::string &path, uint64_t max) const {
    // nlohmann stores non-negative integers as unsigned and negative ones as integer; numbers
    // beyond uint64 or with a fraction become floats, which Go's decoder rejects too.
    if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) {
      uint64_t n = v.get<uint64_t>();
      if (n > max) fail(path, "value " + std::to_string(n) + " out of range");
      return n;
    }
    wrong_type(path, "a non-negative integer", v);
  }

  std::vector<std::string> strings_at(const json &v, const std::string &path) const {
    if (!v.is_array()) wrong_type(path, "an array of strings", v);
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i)
      out.push_back(string_at(v[i], path + "[" + std::to_string(i) + "]"));
    return out;
  }

  const json &object_at(const json &v, const std::string &path) const {
    if (!v.is_object()) wrong_type(path, "an object", v);
    return v;
  }

  const json &array_at(const json &v, const std::string &path) const {
    if (!v.is_array()) wrong_type(path, "an array", v);
    return v;
  }

  // `rule` names the rule the value belongs to, empty for defaultAction.
  Action action_at(const json &v, const std::string &path, const std::string &rule = "") const {
    std::string name = string_at(v, path);
    if (auto action = action_from_name(name)) return *action;
    fail(path, "unknown action \"" + name + "\"" + (rule.empty() ? "" : " " + rule));
  }

  Op op_at(const json &v, const std::string &path, const std::string &rule) const {
    std::string name = string_at(v, path);
    if (auto op = op_from_name(name)) return *op;
    fail(path, "unknown operator \"" + name + "\" " + rule);
  }

  RuleCondition condition(const json &v, const std::string &path) const {
    RuleCondition c;
    object_at(v, path);
    if (auto *a = member(v, "arches")) c.arches = strings_at(*a, path + ".arches");
    if (auto *a = member(v, "caps")) c.caps = strings_at(*a, path + ".caps");
    if (auto *a = member(v, "minKernel")) c.min_kernel = string_at(*a, path + ".minKernel");
    return c;
  }

  ArgCondition arg(const json &v, const std::string &path, const std::string &rule) const {
    ArgCondition a;
    object_at(v, path);
    if (auto *m = member(v, "index"))
      a.index = static_cast<unsigned>(
          unsigned_at(*m, path + ".index", std::numeric_limits<unsigned>::max()));
    if (auto *m = member(v, "value"))
      a.value = unsigned_at(*m, path + ".value", std::numeric_limits<uint64_t>::max());
    if (auto *m = member(v, "valueTwo"))
      a.value_two = unsigned_at(*m, path + ".valueTwo", std::numeric_limits<uint64_t>::max());
    // runc refuses a condition without one, so there is no default to fall back on.
    if (auto *m = member(v, "op"))
      a.op = op_at(*m, path + ".op", rule);
    else
      fail(path, "missing \"op\" " + rule);
    return a;
  }

  SyscallRule rule(const json &v, const std::string &path) const {
    SyscallRule r;
    object_at(v, path);
    const json *names = member(v, "names");
    const json *name = member(v, "name");
    // Docker refuses both at once ("use either 'name' or 'names'"); the legacy single name is
    // read into names, so writing it back gives the current form.
    if (names && name) fail(path, "both \"name\" and \"names\" given; use either");
    if (names) r.names = strings_at(*names, path + ".names");
    if (name) r.names.push_back(string_at(*name, path + ".name"));
    std::string label = rule_label(r.names);
    if (auto *m = member(v, "action"))
      r.action = action_at(*m, path + ".action", label);
    else
      fail(path, "missing \"action\"");
    if (auto *m = member(v, "errnoRet"))
      r.errno_ret = static_cast<uint32_t>(
          unsigned_at(*m, path + ".errnoRet", std::numeric_limits<uint32_t>::max()));
    if (auto *m = member(v, "args")) {
      array_at(*m, path + ".args");
      for (size_t i = 0; i < m->size(); ++i)
        r.args.push_back(arg((*m)[i], path + ".args[" + std::to_string(i) + "]", label));
    }
    if (auto *m = member(v, "comment")) r.comment = string_at(*m, path + ".comment");
    if (auto *m = member(v, "includes")) r.includes = condition(*m, path + ".includes");
    if (auto *m = member(v, "excludes")) r.excludes = condition(*m, path + ".excludes");
    return r;
  }

  Profile profile(const json &doc) const {
    Profile p;
    if (!doc.is_object())
      fail("(top level)", std::string("expected an object, got ") + doc.type_name());
    if (auto *m = member(doc, "defaultAction"))
      p.default_action = action_at(*m, "defaultAction");
    else
      fail("defaultAction", "missing");
    if (auto *m = member(doc, "defaultErrnoRet"))
      p.default_errno_ret = static_cast<uint32_t>(
          unsigned_at(*m, "defaultErrnoRet", std::numeric_limits<uint32_t>::max()));
    if (auto *m = member(doc, "architectures")) p.architectures = strings_at(*m, "architectures");
    if (auto *m = member(doc, "archMap")) {
      array_at(*m, "archMap");
      for (size_t i = 0; i < m->size(); ++i) {
        std::string path = "archMap[" + std::to_string(i) + "]";
        const json &e = object_at((*m)[i], path);
        ArchMapEntry entry;
        if (auto *a = member(e, "architecture"))
          entry.architecture = string_at(*a, path + ".architecture");
        if (auto *a = member(e, "subArchitectures"))
          entry.sub_architectures = strings_at(*a, path + ".subArchitectures");
        p.arch_map.push_back(std::move(entry));
      }
    }
    if (auto *m = member(doc, "syscalls")) {
      array_at(*m, "syscalls");
      for (size_t i = 0; i < m->size(); ++i)
        p.syscalls.push_back(rule((*m)[i], "syscalls[" + std::to_string(i) + "]"));
    }
    return p;
  }

 private:
  std::string origin_;
};

// nlohmann reports the byte index (1-based) of the last character it read; users want the
// line and column an editor shows.
std::string position_text(const std::string &text, size_t byte) {
  size_t offset = byte > 0 ? byte - 1 : 0;
  if (offset > text.size()) offset = text.size();
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(offset - line_start + 1);
}

// what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <message>";
// only the message is worth repeating next to our own position.
std::string parser_message(const json::parse_error &e) {
  std::string what = e.what();
  size_t at = what.find("parse error");
  size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

nlohmann::ordered_json condition_json(const RuleCondition &c) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (!c.arches.empty()) out["arches"] = c.arches;
  if (!c.caps.empty()) out["caps"] = c.caps;
  if (!c.min_kernel.empty()) out["minKernel"] = c.min_kernel;
  return out;
}

}  // namespace

std::optional<Action> action_from_name(std::string_view name) {
  for (const auto &[action, n] : kActionNames)
    if (n == name) return action;
  return std::nullopt;
}

std::string action_name(Action action) {
  for (const auto &[a, name] : kActionNames)  // the first entry is the written name
    if (a == action) return std::string(name);
  return "SCMP_ACT_<" + std::to_string(static_cast<int>(action)) + ">";  // not an Action
}

std::optional<Op> op_from_name(std::string_view name) {
  for (const auto &[op, n] : kOpNames)
    if (n == name) return op;
  return std::nullopt;
}

std::string op_name(Op op) {
  for (const auto &[o, name] : kOpNames)
    if (o == op) return std::string(name);
  return "SCMP_CMP_<" + std::to_string(static_cast<int>(op)) + ">";  // not an Op
}

Profile parse_docker_profile(const std::string &text, const std::string &origin) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error &e) {
    throw Error(Exit::usage, origin + ": invalid JSON at " + position_text(text, e.byte) + ": " +
                                 parser_message(e));
  }
  return Reader(origin).profile(doc);
}

Profile load_docker_profile(const std::string &path) {
  // Docker's default profile is 20 KiB; a bound keeps a device or a runaway file out, and only a
  // regular file is read, so `--profile FIFO` cannot hang.
  constexpr size_t kMaxProfileBytes = 4u << 20;
  FileText file = read_regular_file(path, kMaxProfileBytes);
  if (!file.error.empty()) throw Error(Exit::usage, path + ": " + file.error);
  return parse_docker_profile(file.text, path);
}

nlohmann::ordered_json rule_json(const SyscallRule &r) {
  nlohmann::ordered_json rule;
  rule["names"] = r.names;
  rule["action"] = action_name(r.action);
  if (r.errno_ret) rule["errnoRet"] = *r.errno_ret;
  if (!r.args.empty()) {
    auto &args = rule["args"] = nlohmann::ordered_json::array();
    for (const auto &a : r.args) {
      nlohmann::ordered_json arg;
      arg["index"] = a.index;
      arg["value"] = a.value;
      arg["valueTwo"] = a.value_two;
      arg["op"] = op_name(a.op);
      args.push_back(std::move(arg));
    }
  }
  return rule;
}

std::string to_docker_json(const Profile &profile) {
  // ordered_json keeps insertion order, so the field order below is the file's order.
  nlohmann::ordered_json doc;
  doc["defaultAction"] = action_name(profile.default_action);
  if (profile.default_errno_ret) doc["defaultErrnoRet"] = *profile.default_errno_ret;
  if (!profile.architectures.empty()) doc["architectures"] = profile.architectures;
  if (!profile.arch_map.empty()) {
    auto &map = doc["archMap"] = nlohmann::ordered_json::array();
    for (const auto &e : profile.arch_map) {
      nlohmann::ordered_json entry;
      entry["architecture"] = e.architecture;
      entry["subArchitectures"] = e.sub_architectures;
      map.push_back(std::move(entry));
    }
  }
  auto &rules = doc["syscalls"] = nlohmann::ordered_json::array();
  for (const auto &r : profile.syscalls) {
    nlohmann::ordered_json rule = rule_json(r);
    if (!r.comment.empty()) rule["comment"] = r.comment;
    if (!r.includes.empty()) rule["includes"] = condition_json(r.includes);
    if (!r.excludes.empty()) rule["excludes"] = condition_json(r.excludes);
    rules.push_back(std::move(rule));
  }
  // A model built in code may hold bytes that are not UTF-8; dump() would throw on them.
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace syscope::seccomp
