// SPDX-License-Identifier: Apache-2.0
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "syscope/daemon/json_log.hpp"

using syscope::daemon::log_line;
using syscope::daemon::LogLevel;

TEST_CASE("a log line is one JSON object with time, level and event first", "[json_log]") {
  std::string line =
      log_line(LogLevel::warning, "denial", {{"syscall", "unshare"}}, 1714565071123456000ULL);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.rfind(R"({"time":"2024-05-01T12:04:31.123456Z","level":"warning","event":"denial")",
                   0) == 0);
  auto parsed = nlohmann::json::parse(line);
  CHECK(parsed["syscall"] == "unshare");
}

TEST_CASE("fields named like the fixed keys do not overwrite them", "[json_log]") {
  auto parsed = nlohmann::json::parse(
      log_line(LogLevel::info, "started", {{"event", "spoofed"}, {"level", "error"}}, 0));
  CHECK(parsed["event"] == "started");
  CHECK(parsed["level"] == "info");
  CHECK(parsed["fields"]["event"] == "spoofed");
}

TEST_CASE("invalid UTF-8 in a field is replaced, the line is still written", "[json_log]") {
  auto parsed = nlohmann::json::parse(log_line(LogLevel::info, "x", {{"comm", "a\xff"}}, 0));
  CHECK(parsed["comm"].get<std::string>().size() > 1);
}
