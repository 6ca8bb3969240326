// SPDX-License-Identifier: Apache-2.0
// Wall-clock times as syscope prints them (CLOCK_REALTIME nanoseconds in).
#include "syscope/base/clock.hpp"

#include <cstdio>
#include <ctime>

namespace syscope {

int64_t clock_ns(clockid_t clock) {
  struct timespec ts {};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t boot_to_wall_ns() { return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME); }

std::string clock_time(uint64_t wall_ns, bool utc) {
  time_t secs = static_cast<time_t>(wall_ns / 1'000'000'000);
  struct tm tm {};
  if (utc)
    gmtime_r(&secs, &tm);
  else
    localtime_r(&secs, &tm);
  char buf[16];
  strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string rfc3339_time(uint64_t wall_ns) {
  time_t secs = static_cast<time_t>(wall_ns / 1'000'000'000);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[40];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06uZ",
                static_cast<unsigned>(wall_ns % 1'000'000'000 / 1000));
  return buf;
}

}  // namespace syscope
