// SPDX-License-Identifier: Apache-2.0
// Wall-clock times as syscope prints them, in text lines and in JSON.
#pragma once
#include <cstdint>
#include <string>

#include <time.h>

namespace syscope {

int64_t clock_ns(clockid_t clock);  // clock_gettime() in nanoseconds
// CLOCK_REALTIME - CLOCK_BOOTTIME now: what turns the kernel's bpf_ktime_get_boot_ns() stamps
// into wall time.
int64_t boot_to_wall_ns();

// "12:04:31" in local time, or UTC (tests use UTC to stay independent of TZ).
std::string clock_time(uint64_t wall_ns, bool utc);
// "2024-05-01T12:04:31.123456Z": always UTC, microseconds.
std::string rfc3339_time(uint64_t wall_ns);

}  // namespace syscope
