// SPDX-License-Identifier: Apache-2.0
#include "syscope/daemon/json_log.hpp"

#include <ctime>

#include "syscope/base/clock.hpp"

namespace syscope::daemon {

const char *to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "info";
}

std::string log_line(LogLevel level, const std::string &event, const nlohmann::json &fields,
                     uint64_t wall_ns) {
  nlohmann::ordered_json line;
  line["time"] = rfc3339_time(wall_ns);
  line["level"] = to_string(level);
  line["event"] = event;
  nlohmann::ordered_json clashing;
  if (fields.is_object()) {
    for (const auto &[key, value] : fields.items()) {
      if (line.contains(key))
        clashing[key] = value;
      else
        line[key] = value;
    }
  } else if (!fields.is_null()) {
    clashing["value"] = fields;
  }
  if (!clashing.empty()) line["fields"] = clashing;
  // Replace, not throw, on invalid UTF-8 (a container's comm or path): a log line is never lost.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonLog::write(LogLevel level, const std::string &event, const nlohmann::json &fields) {
  std::string line = log_line(level, event, fields, clock_ns(CLOCK_REALTIME));
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace syscope::daemon
