// SPDX-License-Identifier: Apache-2.0
// Docker-format profile JSON <-> syscope::seccomp::Profile, with nlohmann/json.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

// The one mapping between SCMP_ACT_*/SCMP_CMP_* names and the model's enums: the names runc
// accepts (libcontainer/seccomp/config.go). SCMP_ACT_KILL, libseccomp's old name for
// SCMP_ACT_KILL_THREAD and the same action in runc, reads as Action::kill_thread, which is
// written SCMP_ACT_KILL_THREAD: every other name reads back as itself. nullopt: not a name.
std::optional<Action> action_from_name(std::string_view name);
std::string action_name(Action action);
std::optional<Op> op_from_name(std::string_view name);
std::string op_name(Op op);

// Parses a Docker-format profile. Malformed JSON, a key given twice in one object, a field of the
// wrong type, an unknown action or operator, a rule without "names" or an errnoRet that is no
// errno (1..4095) throws syscope::Error(Exit::usage) whose one-line message names `origin` and
// the parser's position or the field's path. Keys the format does not have are ignored, as
// Docker ignores them; with `warnings`, it gets one line per kind of thing ignored or read
// leniently ("<origin>: syscalls[3]: unknown key \"errnoret\" ..."), ready to print: text
// taken from the profile in any message is printable() (no control characters).
Profile parse_docker_profile(const std::string &text, const std::string &origin,
                             std::vector<std::string> *warnings = nullptr);
// The JSON parse parse_docker_profile does: a key given twice in one object and malformed JSON
// are Error(Exit::usage) naming `origin` and the position.
nlohmann::json parse_json_strict(const std::string &text, const std::string &origin);
// parse_docker_profile's reading of an already parsed document; `prefix` is where the profile
// sits in a larger document ("spec" of an SPO object), put before every path in messages.
Profile profile_from_json(const nlohmann::json &doc, const std::string &origin,
                          const std::string &prefix = "",
                          std::vector<std::string> *warnings = nullptr);
// Reads a regular file of at most 4 MiB; an unreadable file is Error(Exit::usage), one line.
std::string read_profile_text(const std::string &path);
// Reads (as read_profile_text) and parses.
Profile load_docker_profile(const std::string &path, std::vector<std::string> *warnings = nullptr);

// One rule's names, action, errnoRet and args, in the order to_docker_json writes them (without
// comment/includes/excludes): what a suggestion pastes into a profile.
nlohmann::ordered_json rule_json(const SyscallRule &rule);

// Docker-format JSON, 2-space indented, fields in a stable order, trailing newline; fields that
// are empty/absent in the model are left out. parse_docker_profile(to_docker_json(p)) == p.
std::string to_docker_json(const Profile &profile);

}  // namespace syscope::seccomp
