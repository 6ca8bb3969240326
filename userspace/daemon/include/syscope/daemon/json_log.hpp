// SPDX-License-Identifier: Apache-2.0
// The daemon's log: one JSON object per line on stdout, which journald, Fluent Bit and Vector
// read as they are. Every line has "time" (UTC, RFC 3339 with microseconds), "level" and "event";
// the rest are the event's own fields.
#pragma once
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace syscope::daemon {

enum class LogLevel { debug, info, warning, error };
const char *to_string(LogLevel level);

// One log line, without its trailing newline: {"time":...,"level":...,"event":...,<fields>}.
// Field names that collide with the three fixed keys are kept under "fields" instead of
// overwriting them.
std::string log_line(LogLevel level, const std::string &event, const nlohmann::json &fields,
                     uint64_t wall_ns);

class JsonLog {
 public:
  explicit JsonLog(std::FILE *out = stdout) : out_(out) {}
  // Writes and flushes one line (a log reader sees each event when it happens).
  void write(LogLevel level, const std::string &event,
             const nlohmann::json &fields = nlohmann::json::object());
  void info(const std::string &event, const nlohmann::json &fields = nlohmann::json::object()) {
    write(LogLevel::info, event, fields);
  }
  void warning(const std::string &event, const nlohmann::json &fields = nlohmann::json::object()) {
    write(LogLevel::warning, event, fields);
  }
  void error(const std::string &event, const nlohmann::json &fields = nlohmann::json::object()) {
    write(LogLevel::error, event, fields);
  }

 private:
  std::FILE *out_;
};

}  // namespace syscope::daemon
