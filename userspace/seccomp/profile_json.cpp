// SPDX-License-Identifier: Apache-2.0
// Docker-format profile JSON <-> Profile. Reading follows Docker's Go decoder (null means absent,
// keys match in any case, unknown keys are ignored) but says so: unknown keys are warned about,
// and what Go would decide silently (a repeated key, a rule naming no call, an errno out of
// range) is refused with the exact path.
#include "syscope/seccomp/profile_json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"
#include "syscope/base/text.hpp"

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

// Docker's profile format: every key it reads, per kind of object (moby's profiles/seccomp
// Seccomp, Architecture, Syscall and Filter, with the runtime-spec LinuxSeccomp, LinuxSyscall
// and LinuxSeccompArg fields they carry). The one list of them: Fields matches an object's keys
// against it, the Reader asks only for these names, and any other key is warned about and
// ignored, as Docker ignores it. flags, listenerPath and listenerMetadata are known (Docker
// reads them) but not part of the model.
using KeySet = std::span<const std::string_view>;
constexpr std::string_view kProfileKeys[] = {"defaultAction", "defaultErrnoRet", "architectures",
                                             "archMap",       "syscalls",        "flags",
                                             "listenerPath",  "listenerMetadata"};
constexpr std::string_view kArchMapKeys[] = {"architecture", "subArchitectures"};
constexpr std::string_view kRuleKeys[] = {"names",   "name",     "action",   "args",
                                          "comment", "includes", "excludes", "errnoRet"};
constexpr std::string_view kArgKeys[] = {"index", "value", "valueTwo", "op"};
constexpr std::string_view kConditionKeys[] = {"caps", "arches", "minKernel"};

// An errno: the kernel answers at most MAX_ERRNO, and 0 would make a refused call look as if it
// had succeeded.
constexpr uint64_t kMaxErrno = 4095;
// SCMP_ACT_TRACE's errnoRet is the 16-bit message a tracer gets (PTRACE_GETEVENTMSG).
constexpr uint64_t kMaxTraceMessage = 0xffff;

// "(rule for read,write)": the path gives the index, the names say which rule that is.
std::string rule_label(const std::vector<std::string> &names) {
  if (names.empty()) return "(rule without names)";
  constexpr size_t kShown = 3;  // Docker's default has rules of 300 names: keep it one line
  std::string out = "(rule for ";
  for (size_t i = 0; i < names.size() && i < kShown; ++i)
    out += (i ? "," : "") + printable(names[i]);
  if (names.size() > kShown) out += ",... (" + std::to_string(names.size() - kShown) + " more)";
  return out + ")";
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Reads one document's fields, naming each error "<origin>: <path>: ...". Warnings are collected
// once per kind (the first place, and how many more), so a key repeated in 300 rules is one line.
class Reader {
 public:
  // `prefix`: where the profile sits in a larger document ("spec" of an SPO object), or empty.
  explicit Reader(const std::string &origin, const std::string &prefix = "")
      : origin_(origin), prefix_(prefix) {}

  [[noreturn]] void fail(const std::string &path, const std::string &what) const {
    throw Error(Exit::usage, origin_ + ": " + full_path(path) + ": " + what);
  }

  [[noreturn]] void wrong_type(const std::string &path, const char *expected,
                               const json &got) const {
    fail(path, std::string("expected ") + expected + ", got " + got.type_name());
  }

  void warn(const std::string &path, const std::string &what) {
    auto [it, added] = warning_index_.try_emplace(what, warnings_.size());
    if (added)
      warnings_.push_back({full_path(path), what, 0});
    else
      ++warnings_[it->second].more;
  }

  // One line per kind, the first kMaxWarnings of them: a profile of a million made-up keys
  // must not flood the terminal.
  std::vector<std::string> warnings() const {
    constexpr size_t kMaxWarnings = 10;
    std::vector<std::string> out;
    for (size_t i = 0; i < warnings_.size() && i < kMaxWarnings; ++i) {
      const Warning &w = warnings_[i];
      out.push_back(origin_ + ": " + w.path + ": " + w.what +
                    (w.more ? " (and " + std::to_string(w.more) + " more like it)" : ""));
    }
    if (warnings_.size() > kMaxWarnings)
      out.push_back(origin_ + ": " + std::to_string(warnings_.size() - kMaxWarnings) +
                    " more warnings like these not shown");
    return out;
  }

  // One object's members matched against the keys its kind has, as Go's encoding/json matches
  // them (Docker, runc and containerd all read profiles with it): the exact name, or else the
  // name in another case ("errnoret" is read as errnoRet, with a warning). Two members that
  // come to the same key are refused (Go would keep the last); any other key is warned about.
  // (Go also folds a few non-ASCII letters, the Kelvin sign for k and long s for s; no key of the
  // format has either, and such a key is warned about as unknown.)
  class Fields {
   public:
    // `path` is the object's, empty for the document itself.
    Fields(Reader &reader, const json &obj, const std::string &path, KeySet known)
        : known_(known), found_(known.size(), nullptr), present_(known.size(), false) {
      const std::string where = path.empty() ? "(top level)" : path;
      reader.object_at(obj, where);
      std::vector<std::string> spelled(known.size());
      for (const auto &[key, value] : obj.items()) {
        size_t i = match(key);
        if (i == known.size()) {
          reader.warn(where,
                      "unknown key \"" + printable(key) + "\" ignored, as Docker ignores it");
          continue;
        }
        if (present_[i])
          reader.fail(where, "\"" + printable(spelled[i]) + "\" and \"" + printable(key) +
                                 "\" are the same key to Docker (it ignores case), which would "
                                 "keep one of them: give it once, as \"" +
                                 std::string(known[i]) + "\"");
        if (key != known[i])
          reader.warn((path.empty() ? "" : path + ".") + printable(key),
                      "read as \"" + std::string(known[i]) +
                          "\", as Docker reads it (it ignores the case of keys): write \"" +
                          std::string(known[i]) + "\"");
        spelled[i] = key;
        present_[i] = true;
        if (!value.is_null()) found_[i] = &value;  // Go's decoder takes null as absent
      }
    }

    // The member `key` (one of the known keys), or nullptr when absent or null.
    const json *operator[](std::string_view key) const { return found_[index(key)]; }
    // Whether the member is there at all, null included.
    bool has(std::string_view key) const { return present_[index(key)]; }

   private:
    size_t match(std::string_view key) const {
      for (size_t i = 0; i < known_.size(); ++i)
        if (known_[i] == key) return i;
      for (size_t i = 0; i < known_.size(); ++i)
        if (equal_ignoring_ascii_case(known_[i], key)) return i;
      return known_.size();
    }
    size_t index(std::string_view key) const {
      size_t i = match(key);
      if (i == known_.size() || known_[i] != key)  // a key missing from its set: a bug here
        throw std::logic_error("profile_json: \"" + std::string(key) + "\" is not a known key");
      return i;
    }

    KeySet known_;
    std::vector<const json *> found_;
    std::vector<bool> present_;
  };

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

  // An errno to answer with: 1..4095, checked here so libseccomp's bare EINVAL never has to
  // explain it. `rule` names the rule, empty for defaultErrnoRet.
  uint32_t errno_at(const json &v, const std::string &path, const std::string &rule) const {
    uint64_t n = unsigned_at(v, path, std::numeric_limits<uint64_t>::max());
    if (n < 1 || n > kMaxErrno)
      fail(path, std::to_string(n) + " is not an errno: it must be 1.." +
                     std::to_string(kMaxErrno) + (rule.empty() ? "" : " " + rule));
    return static_cast<uint32_t>(n);
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
    fail(path, "unknown action \"" + printable(name) + "\"" + (rule.empty() ? "" : " " + rule));
  }

  Op op_at(const json &v, const std::string &path, const std::string &rule) const {
    std::string name = string_at(v, path);
    if (auto op = op_from_name(name)) return *op;
    fail(path, "unknown operator \"" + printable(name) + "\" " + rule);
  }

  RuleCondition condition(const json &v, const std::string &path) {
    RuleCondition c;
    Fields f(*this, v, path, kConditionKeys);
    if (auto *a = f["arches"]) c.arches = strings_at(*a, path + ".arches");
    if (auto *a = f["caps"]) c.caps = strings_at(*a, path + ".caps");
    if (auto *a = f["minKernel"]) c.min_kernel = string_at(*a, path + ".minKernel");
    return c;
  }

  ArgCondition arg(const json &v, const std::string &path, const std::string &rule) {
    ArgCondition a;
    Fields f(*this, v, path, kArgKeys);
    if (auto *m = f["index"])
      a.index = static_cast<unsigned>(
          unsigned_at(*m, path + ".index", std::numeric_limits<unsigned>::max()));
    if (auto *m = f["value"])
      a.value = unsigned_at(*m, path + ".value", std::numeric_limits<uint64_t>::max());
    if (auto *m = f["valueTwo"])
      a.value_two = unsigned_at(*m, path + ".valueTwo", std::numeric_limits<uint64_t>::max());
    // runc refuses a condition without one, so there is no default to fall back on.
    if (auto *m = f["op"])
      a.op = op_at(*m, path + ".op", rule);
    else
      fail(path, "missing \"op\" " + rule);
    return a;
  }

  SyscallRule rule(const json &v, const std::string &path) {
    SyscallRule r;
    Fields f(*this, v, path, kRuleKeys);
    const json *names = f["names"];
    // Docker reads the legacy single "name" only when it is not empty, and refuses it next to
    // "names" ("use either 'name' or 'names'"); it is read into names, so writing it back gives
    // the current form.
    std::string name = f["name"] ? string_at(*f["name"], path + ".name") : "";
    if (names && !name.empty()) fail(path, "both \"name\" and \"names\" given; use either");
    if (names)
      r.names = strings_at(*names, path + ".names");
    else if (!name.empty())
      r.names.push_back(name);
    // Docker takes a rule without names as naming no call and drops it without a word: it is a
    // typo or a generator's bug, never what was meant, so it is refused here.
    else if (f.has("names"))
      fail(path + ".names", "null: a rule must list the calls it applies to (Docker would apply "
                            "it to none)");
    else
      fail(path, "no \"names\": a rule must list the calls it applies to (Docker would apply "
                 "it to none)");
    std::string label = rule_label(r.names);
    if (auto *m = f["action"])
      r.action = action_at(*m, path + ".action", label);
    else
      fail(path, "missing \"action\"");
    if (auto *m = f["errnoRet"]) {
      std::string at = path + ".errnoRet";
      // runc gives errnoRet to SCMP_ACT_ERRNO as the errno and to SCMP_ACT_TRACE as the
      // tracer's message, and ignores it for the other actions.
      if (r.action == Action::trace)
        r.errno_ret = static_cast<uint32_t>(unsigned_at(*m, at, kMaxTraceMessage));
      else if (r.action == Action::errno_)
        r.errno_ret = errno_at(*m, at, label);
      else
        r.errno_ret =
            static_cast<uint32_t>(unsigned_at(*m, at, std::numeric_limits<uint32_t>::max()));
    }
    if (auto *m = f["args"]) {
      array_at(*m, path + ".args");
      for (size_t i = 0; i < m->size(); ++i)
        r.args.push_back(arg((*m)[i], path + ".args[" + std::to_string(i) + "]", label));
    }
    if (auto *m = f["comment"]) r.comment = string_at(*m, path + ".comment");
    if (auto *m = f["includes"]) r.includes = condition(*m, path + ".includes");
    if (auto *m = f["excludes"]) r.excludes = condition(*m, path + ".excludes");
    return r;
  }

  Profile profile(const json &doc) {
    Profile p;
    if (!doc.is_object())
      fail("(top level)", std::string("expected an object, got ") + doc.type_name());
    Fields f(*this, doc, "", kProfileKeys);
    if (auto *m = f["defaultAction"])
      p.default_action = action_at(*m, "defaultAction");
    else
      fail("defaultAction", "missing");
    if (auto *m = f["defaultErrnoRet"]) p.default_errno_ret = errno_at(*m, "defaultErrnoRet", "");
    if (auto *m = f["architectures"]) p.architectures = strings_at(*m, "architectures");
    if (auto *m = f["archMap"]) {
      array_at(*m, "archMap");
      for (size_t i = 0; i < m->size(); ++i) {
        std::string path = "archMap[" + std::to_string(i) + "]";
        Fields e(*this, (*m)[i], path, kArchMapKeys);
        ArchMapEntry entry;
        if (auto *a = e["architecture"]) entry.architecture = string_at(*a, path + ".architecture");
        if (auto *a = e["subArchitectures"])
          entry.sub_architectures = strings_at(*a, path + ".subArchitectures");
        p.arch_map.push_back(std::move(entry));
      }
    }
    if (auto *m = f["syscalls"]) {
      array_at(*m, "syscalls");
      for (size_t i = 0; i < m->size(); ++i)
        p.syscalls.push_back(rule((*m)[i], "syscalls[" + std::to_string(i) + "]"));
    }
    return p;
  }

 private:
  struct Warning {
    std::string path, what;
    size_t more;  // further places with the same warning
  };
  std::string full_path(const std::string &path) const {
    if (prefix_.empty()) return path;
    return path == "(top level)" ? prefix_ : prefix_ + "." + path;
  }

  std::string origin_;
  std::string prefix_;
  std::vector<Warning> warnings_;                          // in the order first seen
  std::unordered_map<std::string, size_t> warning_index_;  // what -> its place in warnings_
};

// nlohmann (like Go's decoder) keeps the last of two equal keys without a word, so a profile
// saying "action" twice would mean whichever came last. Its parser callback sees every key as
// it is read; this follows where the parser is, to name the key by its path.
class DuplicateKeyCheck {
 public:
  explicit DuplicateKeyCheck(const std::string &origin) : origin_(origin) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json &parsed) {
    switch (event) {
      case json::parse_event_t::object_start: levels_.push_back(Level{false}); break;
      case json::parse_event_t::array_start: levels_.push_back(Level{true}); break;
      case json::parse_event_t::key: {
        Level &level = levels_.back();
        level.key = parsed.get<std::string>();
        if (!level.keys.insert(level.key).second)
          throw Error(Exit::usage, origin_ + ": " + path() +
                                       ": duplicate key (Docker would keep the last one "
                                       "without a word): give it once");
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        levels_.pop_back();
        element_done();
        break;
      case json::parse_event_t::value: element_done(); break;
    }
    return true;  // keep everything
  }

 private:
  struct Level {
    explicit Level(bool is_array) : array(is_array) {}
    bool array;
    size_t index = 0;            // arrays: elements read so far
    std::string key;             // objects: the member being read
    std::set<std::string> keys;  // objects: the keys read so far
  };

  void element_done() {
    if (!levels_.empty() && levels_.back().array) ++levels_.back().index;
  }

  // "syscalls[3].action": the path of the member being read.
  std::string path() const {
    std::string out;
    for (const auto &level : levels_) {
      if (level.array)
        out += "[" + std::to_string(level.index) + "]";
      else
        out += (out.empty() ? "" : ".") + printable(level.key);
    }
    return out;
  }

  std::string origin_;
  std::vector<Level> levels_;
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

nlohmann::json parse_json_strict(const std::string &text, const std::string &origin) {
  json doc;
  DuplicateKeyCheck duplicates(origin);
  try {
    doc = json::parse(text, [&duplicates](int depth, json::parse_event_t event, json &parsed) {
      return duplicates(depth, event, parsed);
    });
  } catch (const json::parse_error &e) {
    // The message quotes what the parser last read: bytes of the file, made printable.
    throw Error(Exit::usage, origin + ": invalid JSON at " + position_text(text, e.byte) + ": " +
                                 printable(parser_message(e)));
  } catch (const json::exception &e) {
    // A number past double's range (`1e400`) is out_of_range.406, thrown while parsing.
    std::string what = e.what();
    size_t bracket = what.find("] ");
    throw Error(Exit::usage,
                origin + ": invalid JSON: " +
                    printable(bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }
  return doc;
}

Profile profile_from_json(const nlohmann::json &doc, const std::string &origin,
                          const std::string &prefix, std::vector<std::string> *warnings) {
  Reader reader(origin, prefix);
  Profile profile = reader.profile(doc);
  if (warnings) *warnings = reader.warnings();
  return profile;
}

Profile parse_docker_profile(const std::string &text, const std::string &origin,
                             std::vector<std::string> *warnings) {
  return profile_from_json(parse_json_strict(text, origin), origin, "", warnings);
}

std::string read_profile_text(const std::string &path) {
  // Docker's default profile is 20 KiB; a bound keeps a device or a runaway file out, and only a
  // regular file is read, so `--profile FIFO` cannot hang.
  constexpr size_t kMaxProfileBytes = 4u << 20;
  FileText file = read_regular_file(path, kMaxProfileBytes);
  if (!file.error.empty()) throw Error(Exit::usage, path + ": " + file.error);
  return file.text;
}

Profile load_docker_profile(const std::string &path, std::vector<std::string> *warnings) {
  return parse_docker_profile(read_profile_text(path), path, warnings);
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
