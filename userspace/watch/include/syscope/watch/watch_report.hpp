// SPDX-License-Identifier: Apache-2.0
// watch's reporter, pure: a Denial as a text line or a JSON line, bursts folded, the exit
// summary and --suggest fixes. No BPF and no I/O; every function returns what to print.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "syscope/kernel/denial.hpp"
#include "syscope/seccomp/profile.hpp"

namespace syscope::watch {

// How text lines show time: the local wall clock (what a person at the terminal expects), or
// UTC, which tests use to stay independent of TZ. JSON always uses UTC.
struct TextOptions {
  bool utc = false;
};

// ---- who (denial_format.cpp) ----

// Who made the call: "web (3f2a9c1b0e7d, nginx:1.25)", "host", "cgroup 1234" (unresolved).
std::string who(const Denial &d);
// Short form for fold lines and the summary: "web", "3f2a9c1b0e7d", "host".
std::string who_short(const Denial &d);

// ---- why it was refused (denial_format.cpp) ----

// Measured against Docker's default profile on this host: the reason it refuses the call
// (profiles/blocked-reasons.json), "not in Docker's default allow list", the argument check
// the call failed, or "Docker's default allows it: refused by this process's own profile".
std::string denial_reason(const Denial &d);

// ---- one denial (denial_format.cpp) ----

// `12:04:31 web (3f2a9c1b0e7d, nginx:1.25) pid 4121 nginx: unshare(CLONE_NEWUSER) = -EPERM
// blocked: ...`, without a newline.
std::string format_text(const Denial &d, const TextOptions &opt = {});
nlohmann::ordered_json to_json(const Denial &d);
std::string format_json(const Denial &d);  // to_json(d).dump(), one line

// ---- burst folding (burst_folder.cpp) ----

// Repeats of one (container or host, syscall, action, errno) counted within a window.
struct Repeats {
  Denial sample;       // the first denial the window counted (labels and names come from it)
  uint64_t count = 0;  // denials counted and not shown
  uint64_t first_ns = 0, last_ns = 0;  // wall time of the first shown/counted one and the last
};
// "  ... unshare = -EPERM x 499 more in 1.0 s (web)"
std::string format_text(const Repeats &r);
nlohmann::ordered_json to_json(const Repeats &r);
std::string format_json(const Repeats &r);

// What the caller prints, in order: a denial to show, or a closed window's count.
struct Folded {
  std::optional<Denial> denial;    // set: print this denial
  std::optional<Repeats> repeats;  // set: print this fold line
};

// Feeds denials as they come, ticks periodically. The first denial of a key is shown and opens
// a window of `window_ns`; repeats inside it are counted; when it closes, one fold line. A key
// that was still repeating when its window closed stays hot: its next denial opens a new
// window silently, so a hot loop costs one line per window. Nothing is dropped from counts.
class BurstFolder {
 public:
  explicit BurstFolder(uint64_t window_ns = 1'000'000'000) : window_ns_(window_ns) {}
  // Closes windows that ended before d's time (their fold lines come first), then d.
  std::vector<Folded> add(const Denial &d);
  // Closes windows ended by `now_ns` (CLOCK_REALTIME ns, the clock of Denial::wall_time_ns).
  std::vector<Folded> tick(uint64_t now_ns);
  // Closes every window (at exit).
  std::vector<Folded> flush();

  // Text-only convenience: the lines to print for add/tick/flush.
  static std::vector<std::string> text_lines(const std::vector<Folded> &out,
                                             const TextOptions &opt = {});

 private:
  using Key = std::tuple<std::string, uint32_t, int32_t, uint32_t, uint32_t>;
  struct Window {
    bool open = false;    // a window is running
    bool hot = false;     // the last window closed with repeats
    uint64_t end_ns = 0;  // open: when it closes; hot: when the key cools down
    Repeats repeats;
  };
  static Key key_of(const Denial &d);
  void close_expired(uint64_t now_ns, std::vector<Folded> &out);

  uint64_t window_ns_;
  std::map<Key, Window> windows_;
};

// ---- exit summary (denial_summary.cpp) ----

class DenialSummary {
 public:
  void add(const Denial &d);
  uint64_t total() const { return total_; }
  // Table per container (or host) and syscall: count, result, first and last seen; then total.
  std::string text(const TextOptions &opt = {}) const;
  nlohmann::ordered_json json() const;

 private:
  struct Row {
    Denial sample;
    uint64_t count = 0, first_ns = 0, last_ns = 0;
  };
  // (who, syscall name, arch, action, err), so rows sort by container then syscall.
  std::map<std::tuple<std::string, std::string, uint32_t, uint32_t, uint32_t>, Row> rows_;
  uint64_t total_ = 0;
};

// ---- --suggest (fix_suggestion.cpp) ----

struct Suggestion {
  std::string who;                          // "web (3f2a9c1b0e7d, nginx:1.25)"
  std::optional<ContainerLabel> container;  // nullopt: a host process
  std::string call;                         // "unshare(CLONE_NEWUSER)"
  seccomp::SyscallRule rule;                // the ALLOW rule, with an argument condition if needed
  std::vector<std::string> warnings;  // why Docker's default refuses it, when that is security
  std::vector<std::string> notes;     // ENOSYS fallback, i386 arch, ...
};

// One rule in Docker's format on one line: {"names":["unshare"],"action":"SCMP_ACT_ALLOW"}.
std::string rule_to_json(const seccomp::SyscallRule &rule);
// The smallest change that allows exactly this call: the name alone, or, where Docker's
// default checks arguments (clone, personality), the observed values with SCMP_CMP_EQ.
// nullopt when libseccomp has no name for the call (a rule needs one).
std::optional<Suggestion> suggest_fix(const Denial &d);
std::string format_text(const Suggestion &s);  // several lines, each ending in '\n'
nlohmann::ordered_json to_json(const Suggestion &s);
std::string format_json(const Suggestion &s);

// suggest_fix once per distinct (container or host, syscall, argument condition).
class SuggestOnce {
 public:
  std::optional<Suggestion> operator()(const Denial &d);

 private:
  std::set<std::string> seen_;
};

}  // namespace syscope::watch
