// SPDX-License-Identifier: Apache-2.0
// Helm templates: YAML with Go template actions ({{ ... }}) that no YAML parser accepts. The
// actions are blanked in place so that what is around them can be parsed and checked, with the
// file's own lines and columns.
#include <optional>
#include <string>
#include <string_view>

#include "lint_common.hpp"

namespace syscope::lint::detail {
namespace {

constexpr char kMask = '\x01';  // marks an action's characters until each line is decided

bool only_blank_and_mask(std::string_view line) {
  bool masked = false;
  for (char c : line) {
    if (c == kMask)
      masked = true;
    else if (c != ' ' && c != '\t' && c != '\r')
      return false;
  }
  return masked;
}

}  // namespace

bool looks_like_helm_template(std::string_view text) {
  return text.find("{{") != std::string_view::npos;
}

HelmText blank_template_actions(std::string_view text) {
  HelmText out;
  out.original.assign(text);
  out.yaml.assign(text);
  // Every action, `{{` to its `}}` (or to the end of an unclosed one), keeping its newlines.
  for (size_t at = text.find("{{"); at != std::string_view::npos; at = text.find("{{", at)) {
    size_t end = text.find("}}", at + 2);
    end = end == std::string_view::npos ? text.size() : end + 2;
    for (size_t i = at; i < end; ++i)
      if (out.yaml[i] != '\n') out.yaml[i] = kMask;
    at = end;
  }
  // A line of actions alone is control flow ({{- if }}, {{ end }}, {{ include ... | nindent }}):
  // it goes. An action among YAML is a value or a key: it becomes a plain scalar of its length.
  size_t start = 0;
  while (start <= out.yaml.size()) {
    size_t nl = out.yaml.find('\n', start);
    size_t stop = nl == std::string::npos ? out.yaml.size() : nl;
    bool drop = only_blank_and_mask(std::string_view(out.yaml).substr(start, stop - start));
    for (size_t i = start; i < stop; ++i)
      if (drop)
        out.yaml[i] = ' ';
      else if (out.yaml[i] == kMask)
        out.yaml[i] = '_';
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::optional<std::string> HelmText::written(const YAML::Node &node) const {
  if (!node.IsDefined() || !node.IsScalar() || node.Mark().is_null()) return std::nullopt;
  size_t pos = static_cast<size_t>(node.Mark().pos);
  if (pos < yaml.size() && (yaml[pos] == '"' || yaml[pos] == '\'')) ++pos;  // "{{ ... }}"
  // Blanking kept every offset, so a scalar written verbatim (not folded, not escaped) is at its
  // mark in both texts.
  const std::string &value = node.Scalar();
  if (pos > yaml.size() || yaml.compare(pos, value.size(), value) != 0) return std::nullopt;
  std::string w = original.substr(pos, value.size());
  return w.find("{{") == std::string::npos ? std::nullopt : std::optional<std::string>(w);
}

}  // namespace syscope::lint::detail
