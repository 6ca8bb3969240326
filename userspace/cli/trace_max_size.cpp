// SPDX-License-Identifier: Apache-2.0
// `trace --max-size`: a size as people write it. Units are binary and case-insensitive (k, K,
// KB, KiB are all 1024 bytes); a decimal fraction is allowed ("1.5G"). 0, garbage, a size past
// 2^62 bytes and one below the writer's minimum are refused in one line: no limit is the
// default, given by leaving the flag out.
#include <cctype>
#include <charconv>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/trace/trace_file.hpp"

namespace syscope::cli {
namespace {

[[noreturn]] void bad_size(const std::string &text, const std::string &why) {
  throw Error(Exit::usage, "trace: --max-size " + text + ": " + why);
}

}  // namespace

uint64_t parse_max_size(const std::string &text) {
  // The number: digits, optionally a fraction. from_chars reports overflow (ERANGE).
  size_t end = 0;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  if (end == 0) bad_size(text, "not a size (e.g. 500M, 64k, 2GiB)");
  uint64_t whole = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, whole);
  if (ec == std::errc::result_out_of_range) bad_size(text, "too large");
  (void)ptr;
  double fraction = 0, scale_digit = 0.1;
  if (end < text.size() && text[end] == '.') {
    size_t digits = ++end;
    for (; end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])); ++end) {
      fraction += (text[end] - '0') * scale_digit;
      scale_digit /= 10;
    }
    if (end == digits) bad_size(text, "not a size (e.g. 500M, 64k, 2GiB)");
  }
  std::string unit;
  for (char c : text.substr(end))
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int shift = -1;
  const char *prefixes = "kmgt";
  if (unit.empty() || unit == "b") shift = 0;
  for (int i = 0; i < 4 && shift < 0; ++i)
    if (unit == std::string(1, prefixes[i]) || unit == std::string(1, prefixes[i]) + "b" ||
        unit == std::string(1, prefixes[i]) + "ib")
      shift = 10 * (i + 1);
  if (shift < 0) bad_size(text, "unknown unit \"" + text.substr(end) + "\" (B, K, M, G or T)");
  constexpr uint64_t kLargest = uint64_t{1} << 62;
  if (whole > (kLargest >> shift)) bad_size(text, "too large");
  uint64_t bytes = (whole << shift) +
                   static_cast<uint64_t>(fraction * static_cast<double>(uint64_t{1} << shift));
  if (bytes == 0) bad_size(text, "0 is no size (leave --max-size out for no limit)");
  if (bytes < trace::kMinMaxSize)
    bad_size(text, "too small for a trace (at least " + size_text(trace::kMinMaxSize) + ")");
  return bytes;
}

}  // namespace syscope::cli
