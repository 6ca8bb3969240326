// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the seccomp profile loader (parse_docker_profile) on any bytes. It either
// throws syscope::Error with a one-line message or returns a Profile that the writer turns into
// JSON the loader reads back as the same Profile (the promise profile_json.hpp makes).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_json.hpp"

using namespace syscope::seccomp;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  Profile p;
  try {
    p = parse_docker_profile(text, "fuzz.json");
  } catch (const syscope::Error &e) {
    std::string msg = e.what();
    require(!msg.empty() && msg.find('\n') == std::string::npos);
    require(e.code == syscope::Exit::usage);
    return 0;
  }
  std::string json = to_docker_json(p);
  require(!json.empty() && json.back() == '\n');
  require(parse_docker_profile(json, "round-trip.json") == p);
  return 0;
}
