// SPDX-License-Identifier: Apache-2.0
// Small text forms shared by every printer: numbers in hex.
#pragma once
#include <cstdint>
#include <string>

namespace syscope {

std::string hex(uint64_t v);  // "0x1f"; "0x0" for zero

}  // namespace syscope
