// SPDX-License-Identifier: Apache-2.0
// Prometheus' text exposition format (version 0.0.4), as `promtool check metrics` reads it:
// one HELP and TYPE line per family, then its samples. Pure text, no I/O, tested directly.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syscope::daemon::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value as the format quotes it: backslash, double quote and newline escaped (\\, \",
// \n); every other byte as it is (values are UTF-8 by the format's rule; what a runtime names a
// container or image is passed through).
std::string escape_label_value(std::string_view value);
// HELP text escapes backslash and newline only.
std::string escape_help(std::string_view text);

class Exposition {
 public:
  // Starts a family; samples follow until the next family. A counter's name ends in _total.
  void gauge(std::string_view name, std::string_view help);
  void counter(std::string_view name, std::string_view help);
  // A sample of the current family; integers are written exactly, doubles shortest-exact.
  void sample(const Labels &labels, uint64_t value);
  void sample(const Labels &labels, double value);
  void sample(uint64_t value) { sample(Labels{}, value); }

  const std::string &text() const { return text_; }

 private:
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample_prefix(const Labels &labels);

  std::string text_, name_;
};

}  // namespace syscope::daemon::metrics
