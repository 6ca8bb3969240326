// SPDX-License-Identifier: Apache-2.0
// Shell command lines (scripts, Makefiles, and the text Dockerfile RUN and CI YAML hand over):
// a small tokenizer (quotes, backslash-newline, comments, operators) finds `docker|podman
// [container] run|create` in command position and reads its options up to the image.
#include <array>
#include <cctype>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lint_common.hpp"
#include "syscope/lint/lint.hpp"

namespace syscope::lint {
namespace {

struct Token {
  enum Kind { word, op } kind = word;
  std::string value;  // unquoted, escapes resolved; for op: the operator ("\n" for newline)
  size_t offset = 0;  // first character in the text
  // A word expanded from a variable: its name and the assignment's offset (offset is the use).
  std::string variable;
  size_t set_offset = 0;
};

// A variable's value from a plain assignment, and where the assignment is.
struct Assignment {
  std::string value;
  size_t offset = 0;
};

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `$(NAME)` or `${...}` at i: a variable reference, kept inside the word (Make's $(DOCKER)).
// Returns its length, or 0 for a command substitution `$(cmd ...)`.
size_t variable_ref_length(std::string_view t, size_t i) {
  if (i + 1 >= t.size() || t[i] != '$') return 0;
  if (t[i + 1] == '{') {
    size_t end = t.find('}', i + 2);
    return end == std::string_view::npos ? 0 : end - i + 1;
  }
  if (t[i + 1] == '(') {
    size_t j = i + 2;
    while (j < t.size() && is_ident_char(t[j])) ++j;
    return j > i + 2 && j < t.size() && t[j] == ')' ? j - i + 1 : 0;
  }
  return 0;
}

bool is_operator_char(char c) {
  return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`';
}

std::vector<Token> tokenize(std::string_view t) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '\\' && i + 1 < t.size() && t[i + 1] == '\n') {  // continuation: blank
      i += 2;
    } else if (c == '\\' && i + 2 < t.size() && t[i + 1] == '\r' && t[i + 2] == '\n') {
      i += 3;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '\n') {
      tokens.push_back({Token::op, "\n", i, "", 0});
      ++i;
    } else if (c == '#') {  // a comment only where a word would start
      while (i < t.size() && t[i] != '\n') ++i;
    } else if (is_operator_char(c) || (c == '$' && i + 1 < t.size() && t[i + 1] == '(' &&
                                       variable_ref_length(t, i) == 0)) {
      // $( && || ;; are two characters; the rest one.
      char next = i + 1 < t.size() ? t[i + 1] : '\0';
      size_t len = c == '$' || ((c == '&' || c == '|' || c == ';') && next == c) ? 2 : 1;
      tokens.push_back({Token::op, std::string(t.substr(i, len)), i, "", 0});
      i += len;
    } else {
      Token w{Token::word, "", i, "", 0};
      while (i < t.size()) {
        c = t[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || is_operator_char(c)) break;
        if (c == '\\') {
          if (i + 1 < t.size() && t[i + 1] == '\n') {
            i += 2;
          } else if (i + 1 < t.size()) {
            w.value += t[i + 1];
            i += 2;
          } else {
            ++i;
          }
        } else if (c == '\'') {
          size_t end = t.find('\'', i + 1);
          if (end == std::string_view::npos) end = t.size();
          w.value.append(t.substr(i + 1, end - i - 1));
          i = end + 1;
        } else if (c == '"') {
          ++i;
          while (i < t.size() && t[i] != '"') {
            if (t[i] == '\\' && i + 1 < t.size()) {
              char n = t[i + 1];
              if (n == '\n') {
                i += 2;
                continue;
              }
              if (n == '"' || n == '\\' || n == '$' || n == '`') {
                w.value += n;
                i += 2;
                continue;
              }
            }
            w.value += t[i++];
          }
          ++i;  // closing quote
        } else if (c == '$') {
          size_t len = variable_ref_length(t, i);
          if (len == 0 && i + 1 < t.size() && t[i + 1] == '(') break;  // $( starts an operator
          if (len == 0) len = 1;
          w.value.append(t.substr(i, len));
          i += len;
        } else {
          w.value += c;
          ++i;
        }
      }
      tokens.push_back(std::move(w));
    }
  }
  return tokens;
}

// The command word, without Make's recipe prefixes (@ - +), a variable's $( ) / ${ } and the
// directory: "@$(DOCKER)" and "/usr/bin/docker" are both "docker".
std::string command_name(const std::string &word) {
  std::string w = word;
  size_t start = w.find_first_not_of("@-+");
  w = start == std::string::npos ? "" : w.substr(start);
  if (w.size() > 3 && w[0] == '$' && (w[1] == '(' || w[1] == '{'))
    w = w.substr(2, w.size() - 3);
  else if (w.size() > 1 && w[0] == '$')
    w = w.substr(1);
  size_t slash = w.rfind('/');
  if (slash != std::string::npos) w = w.substr(slash + 1);
  return detail::lower(w);
}

bool is_assignment(const std::string &w) {
  size_t eq = w.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  if (std::isdigit(static_cast<unsigned char>(w[0]))) return false;
  for (size_t i = 0; i < eq; ++i)
    if (!is_ident_char(w[i])) return false;
  return true;
}

template <size_t N> bool one_of(std::string_view s, const std::array<std::string_view, N> &set) {
  for (auto v : set)
    if (s == v) return true;
  return false;
}

// Words after which the next word is still in command position.
constexpr std::array<std::string_view, 16> kPrefixes = {
    "sudo", "exec", "nohup", "time", "command", "env",   "nice", "then",
    "do",   "else", "elif",  "if",   "while",   "until", "!",    "{"};
// Prefix options that take a value (sudo -u USER, nice -n 10, env -u NAME).
constexpr std::array<std::string_view, 7> kPrefixValueOptions = {"-u", "-g", "-n", "-C",
                                                                 "-h", "-p", "-U"};
// docker / podman global options that take no value (everything else takes one).
constexpr std::array<std::string_view, 10> kGlobalFlags = {
    "-D", "--debug",  "--tls",  "--tlsverify", "--remote",
    "-r", "--syslog", "--help", "-v",          "--version"};
// `run`/`create` options that take no value; every other long option takes one (unless
// written --opt=value). Docker's and podman's.
constexpr std::array<std::string_view, 25> kRunFlags = {"--detach",
                                                        "--interactive",
                                                        "--tty",
                                                        "--rm",
                                                        "--privileged",
                                                        "--init",
                                                        "--publish-all",
                                                        "--read-only",
                                                        "--no-healthcheck",
                                                        "--oom-kill-disable",
                                                        "--disable-content-trust",
                                                        "--quiet",
                                                        "--help",
                                                        "--sig-proxy",
                                                        "--replace",
                                                        "--rmi",
                                                        "--env-host",
                                                        "--no-hosts",
                                                        "--read-only-tmpfs",
                                                        "--http-proxy",
                                                        "--tls-verify",
                                                        "--passwd",
                                                        "--unsetenv-all",
                                                        "--rootfs",
                                                        "--use-api-socket"};
constexpr std::string_view kRunShortFlags = "ditPq";

// Go's strconv.ParseBool: docker accepts these for --privileged=VALUE.
bool go_false(const std::string &v) {
  return v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False";
}

bool unconfined_seccomp(const std::string &value) {
  std::string v = detail::lower(value);
  size_t b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
  if (b == std::string::npos) return false;
  v = v.substr(b, e - b + 1);
  return v == "seccomp=unconfined" || v == "seccomp:unconfined";
}

bool is_word(const std::vector<Token> &tokens, size_t i) {
  return i < tokens.size() && tokens[i].kind == Token::word;
}

// Where the option name starts inside its token (after an opening quote), for the column.
size_t option_offset(std::string_view text, const Token &tok, std::string_view name) {
  size_t at = text.find(name, tok.offset);
  return at != std::string_view::npos && at <= tok.offset + 2 ? at : tok.offset;
}

RunOptionHit hit_at(std::string_view text, const Token &tok, std::string_view name,
                    std::string option, bool privileged) {
  RunOptionHit hit;
  hit.offset = tok.variable.empty() ? option_offset(text, tok, name) : tok.offset;
  hit.option = std::move(option);
  hit.privileged = privileged;
  hit.variable = tok.variable;
  hit.set_offset = tok.set_offset;
  return hit;
}

// Reads run/create options from tokens[i] up to the image (the first word not an option) or
// the end of the command; records the offending ones.
void scan_options(std::string_view text, const std::vector<Token> &tokens, size_t i,
                  std::vector<RunOptionHit> &hits, bool stop_at_image) {
  while (is_word(tokens, i)) {
    const Token &tok = tokens[i];
    const std::string &v = tok.value;
    if (v == "--") break;
    if (v.size() < 2 || v[0] != '-') {
      if (stop_at_image) break;
      ++i;
      continue;
    }
    if (v[1] == '-') {
      size_t eq = v.find('=');
      std::string name = v.substr(0, eq);
      if (name == "--privileged") {
        if (eq == std::string::npos || !go_false(v.substr(eq + 1)))
          hits.push_back(hit_at(text, tok, name, v, true));
        ++i;
      } else if (name == "--security-opt") {
        if (eq != std::string::npos) {
          if (unconfined_seccomp(v.substr(eq + 1)))
            hits.push_back(hit_at(text, tok, name, v, false));
          ++i;
        } else {
          if (is_word(tokens, i + 1) && unconfined_seccomp(tokens[i + 1].value))
            hits.push_back(hit_at(text, tok, name, v + " " + tokens[i + 1].value, false));
          i += 2;
        }
      } else if (eq != std::string::npos || one_of(name, kRunFlags)) {
        ++i;
      } else {
        i += 2;
      }
    } else {
      // Short options, possibly combined (-it) or with an attached value (-eFOO=1).
      size_t k = 1;
      while (k < v.size() && kRunShortFlags.find(v[k]) != std::string_view::npos) ++k;
      i += k == v.size() || k + 1 < v.size() ? 1 : 2;
    }
  }
}

void fill_positions(std::string_view text, std::vector<RunOptionHit> &hits) {
  auto starts = detail::line_starts(text);
  for (auto &h : hits) {
    auto [line, column] = detail::position(starts, h.offset);
    h.line = line;
    h.column = column;
    h.set_line = detail::position(starts, h.set_offset).first;
  }
}

// The NAME of a word that is exactly `$NAME` or `${NAME}` (quoted or not), else "".
std::string variable_name(const std::string &word) {
  std::string_view w = word;
  if (w.size() < 2 || w[0] != '$') return "";
  w.remove_prefix(1);
  if (w.front() == '{') {
    if (w.size() < 3 || w.back() != '}') return "";
    w = w.substr(1, w.size() - 2);
  }
  for (char c : w)
    if (!is_ident_char(c)) return "";
  return std::isdigit(static_cast<unsigned char>(w.front())) ? "" : std::string(w);
}

// The words of a command from tokens[i] to the next operator, with each `$NAME` of a known
// variable replaced by its value split into words (as the shell's word splitting would), placed
// at the use.
std::vector<Token> expand_words(std::string_view text, const std::vector<Token> &tokens, size_t i,
                                const std::map<std::string, Assignment> &vars) {
  std::vector<Token> out;
  for (; is_word(tokens, i); ++i) {
    auto var = vars.find(variable_name(tokens[i].value));
    if (var == vars.end()) {
      out.push_back(tokens[i]);
      continue;
    }
    for (Token &t : tokenize(var->second.value)) {
      if (t.kind != Token::word) break;  // an operator inside a value is not one to the shell
      t.offset = text.find('$', tokens[i].offset);  // after an opening quote
      t.variable = var->first;
      t.set_offset = var->second.offset;
      out.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace

std::vector<RunOptionHit> scan_shell_commands(std::string_view text) {
  std::vector<Token> tokens = tokenize(text);
  std::vector<RunOptionHit> hits;
  std::map<std::string, Assignment> vars;
  bool command_position = true;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token &tok = tokens[i];
    if (tok.kind == Token::op) {
      command_position = tok.value != ")";
      continue;
    }
    if (!command_position) continue;
    if (is_assignment(tok.value) ||
        (tok.value == "export" && is_word(tokens, i + 1) && is_assignment(tokens[i + 1].value))) {
      // Only a statement of assignments sets shell variables: in `A=1 cmd` A is cmd's alone.
      size_t end = i + (tok.value == "export");
      while (is_word(tokens, end) && is_assignment(tokens[end].value)) ++end;
      if (!is_word(tokens, end))
        for (size_t k = i + (tok.value == "export"); k < end; ++k) {
          const std::string &w = tokens[k].value;
          vars[w.substr(0, w.find('='))] = {w.substr(w.find('=') + 1), tokens[k].offset};
        }
      if (tok.value == "export" || !is_word(tokens, end)) {
        i = end - 1;
        command_position = false;
      }
      continue;
    }
    if (one_of(tok.value, kPrefixes)) {
      while (is_word(tokens, i + 1) && tokens[i + 1].value.size() > 1 &&
             tokens[i + 1].value[0] == '-')
        i += one_of(tokens[i + 1].value, kPrefixValueOptions) ? 2 : 1;
      continue;
    }
    command_position = false;
    std::string name = command_name(tok.value);
    if (name != "docker" && name != "podman") continue;
    size_t j = i + 1;
    while (is_word(tokens, j) && tokens[j].value.size() > 1 && tokens[j].value[0] == '-')
      j += tokens[j].value.find('=') != std::string::npos || one_of(tokens[j].value, kGlobalFlags)
               ? 1
               : 2;
    if (is_word(tokens, j) && tokens[j].value == "container") ++j;
    if (!is_word(tokens, j) || (tokens[j].value != "run" && tokens[j].value != "create")) continue;
    scan_options(text, expand_words(text, tokens, j + 1, vars), 0, hits, true);
  }
  fill_positions(text, hits);
  return hits;
}

std::vector<RunOptionHit> scan_run_options(std::string_view text) {
  std::vector<Token> tokens = tokenize(text);
  std::vector<RunOptionHit> hits;
  for (size_t i = 0; i < tokens.size(); ++i) {
    size_t start = i;
    while (i < tokens.size() && tokens[i].kind == Token::word) ++i;
    if (i > start) scan_options(text, tokens, start, hits, false);
  }
  fill_positions(text, hits);
  return hits;
}

namespace detail {

Finding hit_finding(const std::string &file, int line0, int column0, const RunOptionHit &hit,
                    const std::string &where, int set_line0) {
  std::string option = "`" + hit.option + "`";
  if (!hit.variable.empty())
    option += " from $" + hit.variable + ", set on line " + std::to_string(set_line0 + 1);
  if (hit.privileged)
    return make_finding(file, line0, column0, Severity::error, "privileged",
                        where + " runs a privileged container (" + option +
                            "): all capabilities, all devices, and no seccomp filter",
                        run_privileged_fix(hit.option), privileged_controls());
  return make_finding(file, line0, column0, Severity::error, "seccomp-unconfined",
                      where + " disables the default seccomp profile (" + option + ")",
                      run_seccomp_fix(hit.option), seccomp_controls());
}

}  // namespace detail

FileReport check_shell(const std::string &path, const std::string &text) {
  FileReport report;
  report.file = path;
  report.kind = kind_from_name(path) == FileKind::makefile ? FileKind::makefile : FileKind::shell;
  for (const auto &hit : scan_shell_commands(text))
    report.findings.push_back(
        detail::hit_finding(path, hit.line, hit.column, hit, "this command line", hit.set_line));
  return report;
}

}  // namespace syscope::lint
