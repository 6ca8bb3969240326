// SPDX-License-Identifier: Apache-2.0
// The one error type that ends a run: a one-line message and its exit code (README.md: Exit codes).
#pragma once
#include <stdexcept>
#include <string>

namespace syscope {

enum class Exit : int {
  ok = 0,
  findings = 1,          // audit/lint found unconfined containers, watch saw denials (when asked)
  usage = 2,             // bad command line or bad input (profile JSON, trace file, output path)
  environment = 3,       // no BTF, no privileges, no cgroup v2, no docker socket
  cannot_execute = 126,  // CMD exists but cannot be executed, as shells report it
  not_found = 127,       // CMD not found, as shells report it
};

struct Error : std::runtime_error {
  Error(Exit code, const std::string &msg) : std::runtime_error(msg), code(code) {}
  Exit code;
};

// strerror() of errno (or of the given value) as a std::string, for messages.
std::string errno_text(int err);

}  // namespace syscope
