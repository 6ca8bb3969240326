// SPDX-License-Identifier: Apache-2.0
// A call's arguments as strace shows them, by the kinds of the one signature table
// (signatures.hpp): flag words by name, fds, AT_FDCWD, signals, octal modes, pointers as 0x...
// or NULL (paths and sockaddrs too: only trace captures them, and trace show puts them in).
// watch, trace show and --suggest all render through here.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syscope::syscalls {

// One string per argument for the calls whose signature syscope knows; nullopt for others.
std::optional<std::vector<std::string>> decode_args(const std::string &name,
                                                    const std::array<uint64_t, 6> &args);
// "unshare(CLONE_NEWUSER)"; unknown calls show their arguments in hex up to the last non-zero.
std::string format_call(const std::string &name, const std::array<uint64_t, 6> &args);
// Argument `index` of `name` alone, as decode_args shows it; nullopt for unknown calls.
std::optional<std::string> decode_arg(const std::string &name, unsigned index, uint64_t value);

}  // namespace syscope::syscalls
