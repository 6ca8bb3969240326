// SPDX-License-Identifier: Apache-2.0
// Small text forms shared by every printer.
#include "syscope/base/text.hpp"

#include <cstdio>

namespace syscope {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace syscope
