// SPDX-License-Identifier: Apache-2.0
// The text exposition format's escaping and layout (prometheus/docs: exposition_formats.md).
#include "syscope/daemon/metrics_exposition.hpp"

#include <charconv>
#include <cmath>

namespace syscope::daemon::metrics {

namespace {

// The format's two escapings differ only in the double quote, which HELP text keeps as it is.
std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || (quote && c == '"'))
      (out += '\\') += c;
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) { return escape(value, true); }

std::string escape_help(std::string_view text) { return escape(text, false); }

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  name_ = name;
  text_ += "# HELP " + name_ + " " + escape_help(help) + "\n";
  text_ += "# TYPE " + name_ + " ";
  text_ += type;
  text_ += "\n";
}

void Exposition::gauge(std::string_view name, std::string_view help) {
  family(name, "gauge", help);
}

void Exposition::counter(std::string_view name, std::string_view help) {
  family(name, "counter", help);
}

void Exposition::sample_prefix(const Labels &labels) {
  text_ += name_;
  if (labels.empty()) return;
  text_ += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) text_ += ',';
    text_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
  }
  text_ += '}';
}

void Exposition::sample(const Labels &labels, uint64_t value) {
  sample_prefix(labels);
  text_ += " " + std::to_string(value) + "\n";
}

void Exposition::sample(const Labels &labels, double value) {
  sample_prefix(labels);
  text_ += ' ';
  if (std::isnan(value)) {
    text_ += "NaN";
  } else if (std::isinf(value)) {
    text_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, value);
    text_.append(buf, r.ptr);
  }
  text_ += '\n';
}

}  // namespace syscope::daemon::metrics
