// SPDX-License-Identifier: Apache-2.0
// Docker-format profile JSON <-> syscope::seccomp::Profile, with nlohmann/json.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "syscope/seccomp/profile.hpp"

namespace syscope::seccomp {

// Parses a Docker-format profile. Malformed JSON or a field of the wrong type throws
// syscope::Error(Exit::usage) whose one-line message names `origin` and the parser's position.
Profile parse_docker_profile(const std::string &text, const std::string &origin);
// Reads and parses a file; an unreadable file is Exit::usage too.
Profile load_docker_profile(const std::string &path);

// One rule's names, action, errnoRet and args, in the order to_docker_json writes them (without
// comment/includes/excludes): what a suggestion pastes into a profile.
nlohmann::ordered_json rule_json(const SyscallRule &rule);

// Docker-format JSON, 2-space indented, fields in a stable order, trailing newline; fields that
// are empty/absent in the model are left out. parse_docker_profile(to_docker_json(p)) == p.
std::string to_docker_json(const Profile &profile);

}  // namespace syscope::seccomp
