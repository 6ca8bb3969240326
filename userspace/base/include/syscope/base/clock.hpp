// SPDX-License-Identifier: Apache-2.0
// Wall-clock times as syscope prints them, in text lines and in JSON.
#pragma once
#include <cstdint>
#include <string>

namespace syscope {

// "12:04:31" in local time, or UTC (tests use UTC to stay independent of TZ).
std::string clock_time(uint64_t wall_ns, bool utc);
// "2024-05-01T12:04:31.123456Z": always UTC, microseconds.
std::string rfc3339_time(uint64_t wall_ns);

}  // namespace syscope
