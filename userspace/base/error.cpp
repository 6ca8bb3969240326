// SPDX-License-Identifier: Apache-2.0
#include <cstring>

#include "syscope/base/error.hpp"

namespace syscope {

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace syscope
