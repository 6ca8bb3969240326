// SPDX-License-Identifier: Apache-2.0
// Dockerfiles: only RUN instructions (shell form, continued with `\`, and heredocs) are shell.
// Everything else is blanked out in place, so the shell scanner's positions are the file's.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

std::string_view rstrip(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

size_t indent_of(std::string_view s) {
  size_t i = s.find_first_not_of(" \t");
  return i == std::string_view::npos ? s.size() : i;
}

// The RUN instruction's shell text: the keyword and its --flags (--mount=..., --network=...)
// become spaces, keeping the columns of what follows.
std::string run_body(std::string_view line) {
  std::string out(line);
  size_t i = indent_of(line) + 3;
  for (size_t k = 0; k < i; ++k) out[k] = ' ';
  for (;;) {
    size_t start = line.find_first_not_of(" \t", i);
    if (start == std::string_view::npos || line.compare(start, 2, "--") != 0) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    for (size_t k = start; k < end; ++k) out[k] = ' ';
    i = end;
  }
  return out;
}

struct Heredoc {
  bool strip_tabs = false;  // <<-
  std::string terminator;
};

bool word_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The first heredoc a RUN line opens: <<EOF, <<-EOF, <<"EOF", <<'EOF'. Scanned by hand, not by
// std::regex: libstdc++'s matcher recurses once per character and a long word overflowed the
// stack (`RUN cat <<AAAA...` of a million letters: SIGSEGV).
std::optional<Heredoc> heredoc_start(std::string_view line) {
  for (size_t at = line.find("<<"); at != std::string_view::npos; at = line.find("<<", at + 1)) {
    size_t i = at + 2;
    Heredoc h;
    if (i < line.size() && line[i] == '-') {
      h.strip_tabs = true;
      ++i;
    }
    if (i < line.size() && (line[i] == '"' || line[i] == '\'')) ++i;
    if (i >= line.size() || !word_start(line[i])) continue;
    size_t end = i;
    while (end < line.size() && word_char(line[end])) ++end;
    h.terminator = std::string(line.substr(i, end - i));
    return h;
  }
  return std::nullopt;
}

bool is_run(std::string_view line) {
  size_t i = indent_of(line);
  if (line.size() < i + 4) return false;
  std::string kw = detail::lower(line.substr(i, 3));
  return kw == "run" && (line[i + 3] == ' ' || line[i + 3] == '\t');
}

}  // namespace

FileReport check_dockerfile(const std::string &path, const std::string &text) {
  FileReport report;
  report.file = path;
  report.kind = FileKind::dockerfile;

  std::string shell;
  bool continued = false;   // inside a RUN continued with a trailing backslash
  std::string terminator;   // inside a RUN heredoc until this line
  bool strip_tabs = false;  // <<- heredoc
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        std::string_view(text).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::string out;
    if (!terminator.empty()) {
      std::string_view body = rstrip(line);
      if (strip_tabs) body.remove_prefix(std::min(body.find_first_not_of('\t'), body.size()));
      if (body == terminator)
        terminator.clear();
      else
        out = line;
    } else if (continued) {
      // Docker drops comment and empty lines inside a continued instruction.
      std::string_view trimmed = rstrip(line);
      if (indent_of(trimmed) == trimmed.size() || trimmed[indent_of(trimmed)] == '#') {
        out = "\\";
      } else {
        out = line;
        continued = trimmed.ends_with('\\');
      }
    } else if (is_run(line)) {
      out = run_body(line);
      continued = rstrip(line).ends_with('\\');
      if (auto h = heredoc_start(line)) {
        strip_tabs = h->strip_tabs;
        terminator = h->terminator;
      }
    }
    shell += out;
    if (nl == std::string::npos) break;
    shell += '\n';
    pos = nl + 1;
  }

  for (const auto &hit : scan_shell_commands(shell))
    report.findings.push_back(
        detail::hit_finding(path, hit.line, hit.column, hit, "this RUN instruction", hit.set_line));
  return report;
}

}  // namespace syscope::lint
