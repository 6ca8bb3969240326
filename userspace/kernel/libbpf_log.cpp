// SPDX-License-Identifier: Apache-2.0
// libbpf prints through one callback. We show it with --verbose only, but keep the last lines,
// which hold the verifier's or the kernel's reason when a load fails.
#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>

#include "syscope/kernel/loss_counters.hpp"

namespace syscope::bpf {
namespace {

bool g_verbose = false;
std::mutex g_mutex;
std::deque<std::string> g_last_lines;

int print_libbpf(enum libbpf_print_level level, const char *format, va_list args) noexcept {
  char line[1024];
  va_list copy;
  va_copy(copy, args);
  if (g_verbose) std::vfprintf(stderr, format, copy);  // whole: a verifier log is long
  va_end(copy);
  vsnprintf(line, sizeof line, format, args);
  if (level == LIBBPF_DEBUG) return 0;
  try {
    std::lock_guard lock(g_mutex);
    g_last_lines.emplace_back(line);
    if (g_last_lines.size() > 4) g_last_lines.pop_front();
  } catch (...) {
  }
  return 0;
}

}  // namespace

void route_libbpf_log(bool verbose) {
  g_verbose = verbose;
  libbpf_set_print(print_libbpf);
}

std::string libbpf_last_error() {
  std::lock_guard lock(g_mutex);
  std::string text;
  for (const auto &line : g_last_lines) {
    std::string trimmed = line;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' '))
      trimmed.pop_back();
    if (trimmed.empty()) continue;
    if (!text.empty()) text += " | ";
    text += trimmed;
  }
  return text;
}

}  // namespace syscope::bpf
