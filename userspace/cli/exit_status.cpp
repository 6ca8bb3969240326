// SPDX-License-Identifier: Apache-2.0
#include "syscope/cli/commands.hpp"

namespace syscope::cli {
int g_exit_status = 0;
}
