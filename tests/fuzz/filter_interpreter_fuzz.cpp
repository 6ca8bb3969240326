// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the seccomp filter interpreter on any program and any seccomp_data. Input:
// 64 bytes of seccomp_data, then the program (whole 8-byte instructions; a partial one at the
// end is dropped). validate_filter must answer with one line or nullopt, and a program it passes
// must run to a verdict, the same one twice, without reading outside the program or the data
// (each copied to a buffer of its exact size, so ASan sees any overrun).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "syscope/seccomp/filter_interpreter.hpp"

using namespace syscope::seccomp;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size) {
  if (size < sizeof(seccomp_data)) return 0;
  auto data = std::make_unique<seccomp_data>();
  std::memcpy(data.get(), bytes, sizeof(seccomp_data));
  const size_t count = (size - sizeof(seccomp_data)) / sizeof(sock_filter);
  std::unique_ptr<sock_filter[]> program(new sock_filter[count]);
  if (count != 0)
    std::memcpy(program.get(), bytes + sizeof(seccomp_data), count * sizeof(sock_filter));
  std::span<const sock_filter> view(program.get(), count);

  auto why = validate_filter(view);
  if (why) {
    require(!why->empty() && why->find('\n') == std::string::npos);
    bool threw = false;
    try {
      run_filter(view, *data);
    } catch (const std::logic_error &) {
      threw = true;
    }
    require(threw);  // an invalid program is never run
    return 0;
  }
  const uint32_t verdict = run_filter(view, *data);
  require(run_filter(view, *data) == verdict);
  return 0;
}
