// SPDX-License-Identifier: Apache-2.0
// Records of a trace file as strace-like lines and JSON objects. Pure: no I/O; run_trace_show
// (trace_show_run.cpp) reads the file and prints.
#include "syscope/trace/trace_show.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "syscope/abi.h"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/containers/container_id.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/signatures.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::trace {
namespace {


// A fixed-size char array of the ABI, up to its first NUL.
std::string c_string(const char *s, size_t max) { return std::string(s, strnlen(s, max)); }

// Calls whose result is an address (the signature table says which), shown in hex as strace does.
bool returns_address(const std::string &name) {
  const syscalls::Signature *sig = syscalls::signature(name);
  return sig && sig->returns == syscalls::Returns::address;
}

// Every field of a record that filters and both output forms use, decoded once.
struct View {
  bool known = false, malformed = false;
  std::optional<uint64_t> ts_ns;
  std::optional<uint64_t> cgroup_id;
  std::vector<uint32_t> pids;          // pids and tids the record concerns
  std::optional<std::string> syscall;  // syscall and denial records
};

View view_of(const Record &r) {
  View v;
  auto fill = [&](auto rec, std::initializer_list<uint32_t> pids) {
    if (!rec) {
      v.malformed = true;
      return;
    }
    v.known = true;
    v.ts_ns = rec->hdr.ts_ns;
    v.cgroup_id = rec->cgroup_id;
    v.pids = pids;
  };
  switch (r.kind) {
    case SYSCOPE_EV_SYSCALL: {
      auto e = record_as<syscope_syscall_event>(r);
      fill(e,
           e ? std::initializer_list<uint32_t>{e->pid, e->tid} : std::initializer_list<uint32_t>{});
      if (e) v.syscall = syscalls::call_name(e->arch, e->nr);
      break;
    }
    case SYSCOPE_EV_DENIAL: {
      auto e = record_as<syscope_denial_event>(r);
      fill(e,
           e ? std::initializer_list<uint32_t>{e->pid, e->tid} : std::initializer_list<uint32_t>{});
      if (e) v.syscall = syscalls::call_name(e->arch, e->nr);
      break;
    }
    case SYSCOPE_EV_PROC_FORK: {
      auto e = record_as<syscope_proc_fork>(r);
      fill(e, e ? std::initializer_list<uint32_t>{e->parent_pid, e->parent_tid, e->child_pid,
                                                  e->child_tid}
                : std::initializer_list<uint32_t>{});
      break;
    }
    case SYSCOPE_EV_PROC_EXEC: {
      auto e = record_as<syscope_proc_exec>(r);
      fill(e, e ? std::initializer_list<uint32_t>{e->pid, e->tid, e->old_tid}
                : std::initializer_list<uint32_t>{});
      break;
    }
    case SYSCOPE_EV_PROC_EXIT: {
      auto e = record_as<syscope_proc_exit>(r);
      fill(e,
           e ? std::initializer_list<uint32_t>{e->pid, e->tid} : std::initializer_list<uint32_t>{});
      break;
    }
    case SYSCOPE_EV_CGROUP_MKDIR:
    case SYSCOPE_EV_CGROUP_RMDIR: {
      auto e = record_as<syscope_cgroup_event>(r);
      fill(e, {});
      break;
    }
    case SYSCOPE_EV_FIRST_SEEN: {
      auto e = record_as<syscope_first_seen>(r);
      fill(e, {});
      break;
    }
    case SYSCOPE_EV_FIRST_DENIAL: {
      auto e = record_as<syscope_first_denial>(r);
      if (!e) {
        v.malformed = true;
        break;
      }
      v.known = true;
      v.ts_ns = e->hdr.ts_ns;
      v.cgroup_id = e->key.cgroup_id;
      break;
    }
    case kRecordContainer:
    case kRecordCgroupPath: {
      auto j = nlohmann::json::parse(r.bytes, nullptr, false);
      v.known = true;
      v.malformed = !j.is_object();
      if (j.is_object() && j.contains("cgroup_id") && j["cgroup_id"].is_number_unsigned())
        v.cgroup_id = j["cgroup_id"].get<uint64_t>();
      break;
    }
    case kRecordCounters:
    case kRecordNote: v.known = true; break;
    default: break;
  }
  return v;
}

// One captured argument of a syscall record, as its slot holds it.
struct Captured {
  unsigned arg = 0;
  uint8_t kind = SYSCOPE_DATA_NONE;
  bool lost = false;       // the kernel could not read it: the argument stays a pointer
  bool truncated = false;  // a string that filled its slot: the kernel cut it
  std::string bytes;       // a string without its NUL; a sockaddr's bytes
};

// The slots of a syscall record (TraceReader promised they are whole, arg < 6, len <= max).
std::vector<Captured> captured_of(const Record &r, const syscope_syscall_event &e) {
  std::vector<Captured> out;
  for (size_t i = 0; i < e.nslots; ++i) {
    size_t at = sizeof e + i * sizeof(syscope_data_slot);
    if (r.bytes.size() < at + sizeof(syscope_data_slot)) break;
    syscope_data_slot slot;
    std::memcpy(&slot, r.bytes.data() + at, sizeof slot);
    if (slot.kind == SYSCOPE_DATA_NONE || slot.arg >= 6) continue;
    Captured c;
    c.arg = slot.arg;
    c.kind = slot.kind;
    c.lost = (slot.flags & SYSCOPE_SLOT_LOST) != 0;
    size_t len = std::min<size_t>(slot.len, SYSCOPE_TRACE_DATA_MAX);
    if (c.lost) {
      len = 0;
    } else if (c.kind == SYSCOPE_DATA_PATH || c.kind == SYSCOPE_DATA_STRING) {
      // bpf_probe_read_user_str counts the NUL, and writes one itself when it cuts the string.
      c.truncated = len >= SYSCOPE_TRACE_DATA_MAX;
      len = strnlen(slot.data, len);
    }
    c.bytes.assign(slot.data, len);
    out.push_back(std::move(c));
  }
  return out;
}

const char *capture_kind_name(uint8_t kind) {
  switch (kind) {
    case SYSCOPE_DATA_PATH: return "path";
    case SYSCOPE_DATA_STRING: return "string";
    case SYSCOPE_DATA_SOCKADDR: return "sockaddr";
    default: return "unknown";
  }
}

std::array<uint64_t, 6> args_of(const __u64 (&a)[6]) {
  return {a[0], a[1], a[2], a[3], a[4], a[5]};
}

// Arguments as shown: the signature table's decoding (as watch shows them), then each captured
// string or sockaddr in the argument its slot names. A lost one keeps its pointer.
std::vector<std::string> shown_args(const std::string &name, const std::array<uint64_t, 6> &args,
                                    const std::vector<Captured> &captured) {
  std::vector<std::string> shown;
  if (auto decoded = syscalls::decode_args(name, args)) {
    shown = std::move(*decoded);
  } else {
    // No signature: show up to the last non-zero argument, and far enough for captured data.
    size_t n = args.size();
    while (n > 0 && args[n - 1] == 0) --n;
    for (const auto &c : captured)
      if (!c.lost) n = std::max<size_t>(n, c.arg + 1);
    for (size_t i = 0; i < n; ++i) shown.push_back(args[i] == 0 ? "NULL" : hex(args[i]));
  }
  for (const auto &c : captured) {
    if (c.lost || c.arg >= shown.size()) continue;
    if (c.kind == SYSCOPE_DATA_SOCKADDR)
      shown[c.arg] = sockaddr_text(c.bytes);
    else if (c.kind == SYSCOPE_DATA_PATH || c.kind == SYSCOPE_DATA_STRING)
      shown[c.arg] = quote_string(c.bytes) + (c.truncated ? "..." : "");
  }
  return shown;
}

std::string call_text(const std::string &name, const std::vector<std::string> &args) {
  std::string out = name + "(";
  for (size_t i = 0; i < args.size(); ++i) out += (i ? ", " : "") + args[i];
  return out + ")";
}

std::string exit_text(uint32_t code) {
  uint32_t sig = code & 0x7f;
  if (sig == 0) return "status " + std::to_string((code >> 8) & 0xff);
  return "killed by " + syscalls::signal_name(sig) + ((code & 0x80) ? " (core dumped)" : "");
}

std::vector<std::string> exec_argv(const syscope_proc_exec &e) {
  size_t len = std::min<size_t>(e.args_len, sizeof e.args);
  std::vector<std::string> argv;
  size_t start = 0;
  while (start < len) {
    const char *p = e.args + start;
    size_t n = strnlen(p, len - start);
    argv.emplace_back(p, n);
    start += n + 1;
  }
  return argv;
}

// One exec argument as a shell would need it: bare when plain, else quoted.
std::string shell_word(const std::string &s) {
  bool plain = !s.empty();
  for (unsigned char c : s)
    plain = plain && c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '\'';
  return plain ? s : quote_string(s);
}

nlohmann::ordered_json container_json(const ContainerInfo *c) {
  if (!c) return nullptr;
  nlohmann::ordered_json j;
  j["name"] = c->name;
  j["id"] = c->id;
  j["image"] = c->image;
  j["runtime"] = c->runtime;
  j["labels"] = c->labels;
  return j;
}

bool all_digits(const std::string &s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {  // H. Hinnant's algorithm
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Seconds since the epoch of a broken-down time, as UTC or as local time.
int64_t epoch_of(int y, int mo, int d, int h, int mi, int s, bool utc) {
  if (utc) return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  return mktime(&tm);
}

// ".123456" -> ns; `frac` holds the digits only.
uint64_t fraction_ns(const std::string &frac) {
  uint64_t ns = 0;
  for (size_t i = 0; i < 9; ++i) ns = ns * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  return ns;
}

[[noreturn]] void bad_time(const std::string &text, const std::string &why) {
  throw Error(Exit::usage, "trace show: bad time \"" + text + "\": " + why +
                               " (RFC 3339 like 2024-05-01T12:00:01.5Z, a time of day like "
                               "12:00:01.5, or an offset from the trace start like +2.5s)");
}

}  // namespace

// ---- metadata ----

void TraceCatalog::learn(const Record &record) {
  if (record.kind == kRecordContainer || record.kind == kRecordCgroupPath ||
      record.kind == kRecordCounters) {
    auto j = nlohmann::json::parse(record.bytes, nullptr, false);
    if (!j.is_object()) return;
    if (record.kind == kRecordCounters) {
      counters_ = j;
      return;
    }
    auto text = [&j](const char *key) {
      return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
    };
    if (!j.contains("cgroup_id") || !j["cgroup_id"].is_number_unsigned()) return;
    uint64_t id = j["cgroup_id"].get<uint64_t>();
    if (record.kind == kRecordCgroupPath) {
      paths_[id] = text("path");
      return;
    }
    ContainerInfo c;
    c.runtime = text("runtime");
    c.id = text("id");
    c.name = text("name");
    if (!c.name.empty() && c.name[0] == '/') c.name.erase(0, 1);  // Docker's "/web"
    c.image = text("image");
    if (j.contains("labels") && j["labels"].is_object()) c.labels = j["labels"];
    containers_[id] = std::move(c);
  } else if (record.kind == SYSCOPE_EV_CGROUP_MKDIR) {
    if (auto e = record_as<syscope_cgroup_event>(record))
      paths_.emplace(e->cgroup_id, c_string(e->path, sizeof e->path));
  }
}

void TraceCatalog::finish() {
  // A cgroup below a container's (systemd's or a nested runtime's) belongs to that container.
  std::map<uint64_t, ContainerInfo> nested;
  for (const auto &[id, path] : paths_) {
    if (containers_.count(id) || path.empty()) continue;
    size_t best = 0;
    for (const auto &[cid, info] : containers_) {
      auto it = paths_.find(cid);
      if (it == paths_.end() || it->second.empty()) continue;
      const std::string &parent = it->second;
      if (path.size() > parent.size() && path.compare(0, parent.size(), parent) == 0 &&
          (path[parent.size()] == '/' || parent.back() == '/') && parent.size() > best) {
        best = parent.size();
        nested[id] = info;
      }
    }
  }
  containers_.merge(nested);
}

const ContainerInfo *TraceCatalog::container_of(uint64_t cgroup_id) const {
  auto it = containers_.find(cgroup_id);
  return it == containers_.end() ? nullptr : &it->second;
}

std::string TraceCatalog::label_of(uint64_t cgroup_id) const {
  const ContainerInfo *c = container_of(cgroup_id);
  if (!c) return "host";
  return container::container_label(c->name, c->id, c->image, cgroup_id, false);
}

std::vector<uint64_t> TraceCatalog::cgroups_matching(const std::string &name_or_id) const {
  std::vector<uint64_t> out;
  for (const auto &[id, c] : containers_)
    if (container::container_matches(name_or_id, c.name, c.id)) out.push_back(id);
  return out;
}

std::vector<ContainerInfo> TraceCatalog::containers() const {
  std::map<std::string, ContainerInfo> distinct;
  for (const auto &[id, c] : containers_) distinct.emplace(c.id.empty() ? c.name : c.id, c);
  std::vector<ContainerInfo> out;
  for (auto &[key, c] : distinct) out.push_back(c);
  return out;
}

// ---- decoding helpers ----

std::string quote_string(const std::string &s) {
  // strace's escapes (its string_quote()), so a trace reads as strace's output does: the C
  // letters it names, other unprintable bytes in octal, in as few digits as cannot run into a
  // following octal digit.
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default: {
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
          break;
        }
        bool next_octal = i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7';
        out += '\\';
        if (next_octal || c >> 6) out += static_cast<char>('0' + (c >> 6));
        if (next_octal || c >> 3) out += static_cast<char>('0' + ((c >> 3) & 7));
        out += static_cast<char>('0' + (c & 7));
      }
    }
  }
  return out + "\"";
}

namespace {

struct Sockaddr {
  std::string family;               // "AF_INET"
  std::optional<std::string> path;  // AF_UNIX: "/x", "@abstract"; empty: unnamed
  std::optional<std::string> address;
  std::optional<uint16_t> port;
};

Sockaddr parse_sockaddr(const std::string &b) {
  Sockaddr s;
  if (b.size() < sizeof(sa_family_t)) {
    s.family = "?";
    return s;
  }
  sa_family_t family;
  std::memcpy(&family, b.data(), sizeof family);
  s.family = syscalls::decode_arg("socket", 0, family).value_or(std::to_string(family));
  if (family == AF_UNIX) {
    std::string path = b.substr(offsetof(sockaddr_un, sun_path));
    if (!path.empty() && path[0] == '\0') {
      s.path = "@" + path.substr(1);  // abstract: the length, not a NUL, ends the name
      while (s.path->size() > 1 && s.path->back() == '\0') s.path->pop_back();
    } else {
      s.path = path.substr(0, path.find('\0'));
    }
  } else if (family == AF_INET && b.size() >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, b.data(), sizeof in);
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &in.sin_addr, buf, sizeof buf);
    s.address = buf;
    s.port = ntohs(in.sin_port);
  } else if (family == AF_INET6 && b.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, b.data(), sizeof in6);
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &in6.sin6_addr, buf, sizeof buf);
    s.address = buf;
    s.port = ntohs(in6.sin6_port);
  }
  return s;
}

}  // namespace

std::string sockaddr_text(const std::string &bytes) {
  Sockaddr s = parse_sockaddr(bytes);
  std::string out = "{" + s.family;
  if (s.path && !s.path->empty()) {
    if ((*s.path)[0] == '@')
      out += ", @" + quote_string(s.path->substr(1));
    else
      out += ", " + quote_string(*s.path);
  } else if (s.address) {
    bool v6 = s.address->find(':') != std::string::npos;
    out += ", " + (v6 ? "[" + *s.address + "]" : *s.address) + ":" + std::to_string(*s.port);
  }
  return out + "}";
}

nlohmann::ordered_json sockaddr_json(const std::string &bytes) {
  Sockaddr s = parse_sockaddr(bytes);
  nlohmann::ordered_json j;
  j["family"] = s.family;
  if (s.path) j["path"] = *s.path;
  if (s.address) {
    j["address"] = *s.address;
    j["port"] = *s.port;
  }
  return j;
}

// ---- time bounds ----

uint64_t parse_time_bound(const std::string &text, uint64_t trace_start_wall_ns, bool utc) {
  if (text.empty()) bad_time(text, "empty");
  if (text[0] == '+') {
    std::string body = text.substr(1);
    size_t unit_at = body.find_first_not_of("0123456789.");
    std::string number = body.substr(0, unit_at),
                unit = unit_at == std::string::npos ? "s" : body.substr(unit_at);
    if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1)
      bad_time(text, "no number after +");
    static const std::map<std::string, double> scale = {{"ns", 1},     {"us", 1e3},  {"µs", 1e3},
                                                        {"ms", 1e6},   {"s", 1e9},   {"m", 60e9},
                                                        {"min", 60e9}, {"h", 3600e9}};
    auto it = scale.find(unit);
    if (it == scale.end()) bad_time(text, "unknown unit \"" + unit + "\"");
    return trace_start_wall_ns + static_cast<uint64_t>(std::stod(number) * it->second + 0.5);
  }
  // [YYYY-MM-DD(T| )]HH:MM:SS[.frac][Z|(+|-)HH:MM]
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  size_t pos = 0;
  bool has_date = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (has_date) {
    if (!all_digits(text.substr(0, 4)) || !all_digits(text.substr(5, 2)) ||
        !all_digits(text.substr(8, 2)))
      bad_time(text, "bad date");
    y = std::stoi(text.substr(0, 4));
    mo = std::stoi(text.substr(5, 2));
    d = std::stoi(text.substr(8, 2));
    if (text.size() == 10) bad_time(text, "no time of day");
    if (text[10] != 'T' && text[10] != 't' && text[10] != ' ')
      bad_time(text, "expected T after the date");
    pos = 11;
  }
  if (text.size() < pos + 8 || text[pos + 2] != ':' || text[pos + 5] != ':' ||
      !all_digits(text.substr(pos, 2)) || !all_digits(text.substr(pos + 3, 2)) ||
      !all_digits(text.substr(pos + 6, 2)))
    bad_time(text, "expected HH:MM:SS");
  h = std::stoi(text.substr(pos, 2));
  mi = std::stoi(text.substr(pos + 3, 2));
  s = std::stoi(text.substr(pos + 6, 2));
  pos += 8;
  uint64_t frac = 0;
  if (pos < text.size() && text[pos] == '.') {
    size_t end = text.find_first_not_of("0123456789", pos + 1);
    std::string digits =
        text.substr(pos + 1, end == std::string::npos ? std::string::npos : end - pos - 1);
    if (digits.empty()) bad_time(text, "no digits after the decimal point");
    frac = fraction_ns(digits);
    pos = end == std::string::npos ? text.size() : end;
  }
  if ((has_date && (mo < 1 || mo > 12 || d < 1 || d > 31)) || h > 23 || mi > 59 || s > 60)
    bad_time(text, "out of range");
  std::optional<int64_t> offset_s;  // the zone's offset east of UTC
  if (pos < text.size()) {
    std::string zone = text.substr(pos);
    if (zone == "Z" || zone == "z") {
      offset_s = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
               all_digits(zone.substr(1, 2)) && all_digits(zone.substr(4, 2))) {
      offset_s = (std::stoi(zone.substr(1, 2)) * 3600 + std::stoi(zone.substr(4, 2)) * 60) *
                 (zone[0] == '-' ? -1 : 1);
    } else {
      bad_time(text, "bad zone \"" + zone + "\"");
    }
  }
  if (!has_date) {  // a time of day: the trace's first day, in the zone text lines use
    time_t start = static_cast<time_t>(trace_start_wall_ns / 1'000'000'000);
    struct tm tm {};
    if (utc || offset_s)
      gmtime_r(&start, &tm);
    else
      localtime_r(&start, &tm);
    y = tm.tm_year + 1900;
    mo = tm.tm_mon + 1;
    d = tm.tm_mday;
  }
  int64_t secs =
      offset_s ? epoch_of(y, mo, d, h, mi, s, true) - *offset_s : epoch_of(y, mo, d, h, mi, s, utc);
  if (secs < 0) bad_time(text, "before 1970");
  return static_cast<uint64_t>(secs) * 1'000'000'000 + frac;
}

// ---- the formatter ----

void check_syscall_filter(const std::vector<std::string> &names) {
  for (const auto &name : names) {
    bool known =
        name == "unknown_syscall" || (name.rfind("syscall_", 0) == 0 && name.size() > 8 &&
                                      name.find_first_not_of("0123456789", 8) == std::string::npos);
    for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT && !known; ++arch)
      known = seccomp::syscall_number(seccomp::scmp_arch_for(arch), name).has_value();
    if (!known)
      throw Error(Exit::usage, "trace show: --syscall " + name +
                                   ": not a syscall name (libseccomp knows no such call on " +
                                   syscalls::arch_label(SYSCOPE_ARCH_NATIVE) + " or " +
                                   syscalls::arch_label(SYSCOPE_ARCH_COMPAT) + ")");
  }
}

ShowFormatter::ShowFormatter(const FileHeader &header, const TraceCatalog &catalog,
                             const ShowOptions &opts, uint64_t trace_start_wall_ns)
    : header_(header), catalog_(catalog), opts_(opts) {
  check_syscall_filter(opts.syscalls);
  if (!opts.since.empty()) since_ns_ = parse_time_bound(opts.since, trace_start_wall_ns, opts.utc);
  if (!opts.until.empty()) until_ns_ = parse_time_bound(opts.until, trace_start_wall_ns, opts.utc);
  for (const auto &c : opts.containers) {
    if (c == "host") host_wanted_ = true;
    auto ids = catalog.cgroups_matching(c);
    cgroups_.insert(cgroups_.end(), ids.begin(), ids.end());
  }
}

uint64_t ShowFormatter::wall(uint64_t ts_ns) const {
  return static_cast<uint64_t>(static_cast<int64_t>(ts_ns) + header_.boot_to_wall_ns);
}

bool ShowFormatter::keep(const Record &record) const {
  View v = view_of(record);
  if (!opts_.containers.empty()) {
    if (!v.cgroup_id) return false;
    bool in = std::find(cgroups_.begin(), cgroups_.end(), *v.cgroup_id) != cgroups_.end();
    bool host = host_wanted_ && !catalog_.container_of(*v.cgroup_id);
    if (!in && !host) return false;
  }
  if (!opts_.pids.empty()) {
    bool any = false;
    for (uint32_t p : v.pids)
      any = any || std::find(opts_.pids.begin(), opts_.pids.end(), p) != opts_.pids.end();
    if (!any) return false;
  }
  if (!opts_.syscalls.empty() &&
      (!v.syscall ||
       std::find(opts_.syscalls.begin(), opts_.syscalls.end(), *v.syscall) == opts_.syscalls.end()))
    return false;
  if (since_ns_ && (!v.ts_ns || wall(*v.ts_ns) < *since_ns_)) return false;
  if (until_ns_ && (!v.ts_ns || wall(*v.ts_ns) >= *until_ns_)) return false;
  return true;
}

std::optional<std::string> ShowFormatter::line(const Record &record) const {
  if (!keep(record)) return std::nullopt;
  if (opts_.json) {
    auto j = to_json(record);
    if (!j) return std::nullopt;
    return j->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  View v = view_of(record);
  if (record.kind == kRecordNote) {
    auto j = nlohmann::json::parse(record.bytes, nullptr, false);
    if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) return std::nullopt;
    return "--- note: " + j["text"].get<std::string>() + " ---";
  }
  if (!v.known || v.malformed || !v.ts_ns) return std::nullopt;

  // "12:00:01.123456 web 4121/4121 "
  auto prefix = [&](uint32_t pid, uint32_t tid) {
    uint64_t w = wall(*v.ts_ns);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%06u", static_cast<unsigned>(w % 1'000'000'000 / 1000));
    return syscope::clock_time(w, opts_.utc) + frac + " " + catalog_.label_of(*v.cgroup_id) + " " +
           std::to_string(pid) + "/" + std::to_string(tid) + " ";
  };
  switch (record.kind) {
    case SYSCOPE_EV_SYSCALL: {
      auto e = *record_as<syscope_syscall_event>(record);
      std::string name = *v.syscall;
      std::string out = prefix(e.pid, e.tid);
      if (e.arch == SYSCOPE_ARCH_COMPAT) out += "[i386] ";
      out += call_text(name, shown_args(name, args_of(e.args), captured_of(record, e))) + " = ";
      if (e.flags & SYSCOPE_SYSCALL_DENIED) {
        if (e.ret < 0)
          out += "-1 " + syscalls::errno_name(static_cast<uint32_t>(-e.ret)) + " (seccomp)";
        else
          out += "? (seccomp)";
        return out;
      }
      if (e.flags & SYSCOPE_SYSCALL_ENTER_ONLY) return out + "?";
      if (e.ret < 0 && e.ret >= -4095) {
        uint32_t err = static_cast<uint32_t>(-e.ret);
        out += "-1 " + syscalls::errno_name(err) + " (" + syscalls::errno_text(err) + ")";
      } else {
        out += returns_address(name) ? hex(static_cast<uint64_t>(e.ret)) : std::to_string(e.ret);
      }
      char dur[32];
      std::snprintf(dur, sizeof dur, " <%llu.%06llu>",
                    static_cast<unsigned long long>(e.duration_ns / 1'000'000'000),
                    static_cast<unsigned long long>(e.duration_ns % 1'000'000'000 / 1000));
      return out + dur;
    }
    case SYSCOPE_EV_DENIAL: {
      auto e = *record_as<syscope_denial_event>(record);
      std::string out = prefix(e.pid, e.tid);
      if (e.arch == SYSCOPE_ARCH_COMPAT) out += "[i386] ";
      out += syscalls::format_call(*v.syscall, args_of(e.args)) + " = ";
      if (e.action == SYSCOPE_ACTION_ERRNO)
        return out + "-1 " + syscalls::errno_name(e.err) + " (seccomp)";
      return out + "? (seccomp " + syscalls::action_name(e.action) + ": " +
             syscalls::signal_name(e.err) + ")";
    }
    case SYSCOPE_EV_PROC_FORK: {
      auto e = *record_as<syscope_proc_fork>(record);
      std::string out = prefix(e.parent_pid, e.parent_tid);
      if (e.child_pid == e.parent_pid)
        return out + "--- thread: " + std::to_string(e.parent_tid) + " -> " +
               std::to_string(e.child_tid) + " ---";
      return out + "--- fork: " + std::to_string(e.parent_pid) + " -> " +
             std::to_string(e.child_pid) + " ---";
    }
    case SYSCOPE_EV_PROC_EXEC: {
      auto e = *record_as<syscope_proc_exec>(record);
      std::string out =
          prefix(e.pid, e.tid) + "--- exec: " + shell_word(c_string(e.filename, sizeof e.filename));
      for (const auto &arg : exec_argv(e)) out += " " + shell_word(arg);
      return out + " ---";
    }
    case SYSCOPE_EV_PROC_EXIT: {
      auto e = *record_as<syscope_proc_exit>(record);
      return prefix(e.pid, e.tid) + "--- exit: " +
             (e.group_dead ? std::to_string(e.pid) : "thread " + std::to_string(e.tid)) + " " +
             exit_text(e.exit_code) + " ---";
    }
    default: return std::nullopt;  // cgroup events, metadata, counters: JSON shows them
  }
}

std::optional<nlohmann::ordered_json> ShowFormatter::to_json(const Record &record) const {
  View v = view_of(record);
  nlohmann::ordered_json j;
  auto common = [&](const char *type) {
    j["type"] = type;
    j["time"] = syscope::rfc3339_time(wall(*v.ts_ns));
    j["ts_ns"] = *v.ts_ns;
    j["cgroup_id"] = *v.cgroup_id;
    j["container"] = container_json(catalog_.container_of(*v.cgroup_id));
  };
  if (v.malformed && record.kind < 100) {
    j["type"] = "malformed";
    j["kind"] = record.kind;
    j["size"] = record.bytes.size();
    return j;
  }
  switch (record.kind) {
    case SYSCOPE_EV_SYSCALL: {
      auto e = *record_as<syscope_syscall_event>(record);
      std::string name = *v.syscall;
      auto captured = captured_of(record, e);
      common("syscall");
      j["pid"] = e.pid;
      j["tid"] = e.tid;
      j["syscall"] = name;
      j["nr"] = e.nr;
      j["arch"] = syscalls::arch_label(e.arch);
      j["args"] = args_of(e.args);
      j["decoded_args"] = shown_args(name, args_of(e.args), captured);
      j["call"] = call_text(name, j["decoded_args"].get<std::vector<std::string>>());
      bool enter_only = e.flags & SYSCOPE_SYSCALL_ENTER_ONLY,
           denied = e.flags & SYSCOPE_SYSCALL_DENIED;
      j["ret"] = enter_only ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.ret);
      bool failed = !enter_only && e.ret < 0 && e.ret >= -4095;
      j["errno"] = failed ? nlohmann::ordered_json(-e.ret) : nlohmann::ordered_json(nullptr);
      j["errno_name"] =
          failed ? nlohmann::ordered_json(syscalls::errno_name(static_cast<uint32_t>(-e.ret)))
                 : nlohmann::ordered_json(nullptr);
      j["duration_ns"] = e.duration_ns;
      j["enter_only"] = enter_only;
      j["denied"] = denied;
      j["filtered"] = (e.flags & SYSCOPE_SYSCALL_FILTERED) != 0;
      j["data_lost"] = (e.flags & SYSCOPE_SYSCALL_DATA_LOST) != 0;
      j["flags"] = e.flags;
      // Every captured argument, then the first path (all paths) and the sockaddr on their own.
      auto captures = nlohmann::ordered_json::array();
      nlohmann::ordered_json path = nullptr, paths = nullptr, sockaddr = nullptr;
      bool path_truncated = false;
      for (const auto &c : captured) {
        nlohmann::ordered_json cj;
        cj["arg"] = c.arg;
        cj["kind"] = capture_kind_name(c.kind);
        cj["lost"] = c.lost;
        if (c.kind == SYSCOPE_DATA_SOCKADDR) {
          cj["sockaddr"] = c.lost ? nlohmann::ordered_json(nullptr) : sockaddr_json(c.bytes);
          if (!c.lost && sockaddr.is_null()) sockaddr = cj["sockaddr"];
        } else {
          cj["value"] = c.lost ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(c.bytes);
          cj["truncated"] = c.truncated;
          if (c.kind == SYSCOPE_DATA_PATH && !c.lost) {
            if (paths.is_null()) {
              path = c.bytes;
              paths = nlohmann::ordered_json::array();
            }
            paths.push_back(c.bytes);
            path_truncated = path_truncated || c.truncated;
          }
        }
        captures.push_back(std::move(cj));
      }
      j["path"] = path;
      j["paths"] = paths;
      if (!paths.is_null()) j["path_truncated"] = path_truncated;
      j["sockaddr"] = sockaddr;
      j["captures"] = captures;
      return j;
    }
    case SYSCOPE_EV_DENIAL: {
      auto e = *record_as<syscope_denial_event>(record);
      common("denial");
      j["pid"] = e.pid;
      j["tid"] = e.tid;
      j["comm"] = c_string(e.comm, sizeof e.comm);
      j["syscall"] = *v.syscall;
      j["nr"] = e.nr;
      j["arch"] = syscalls::arch_label(e.arch);
      j["args"] = args_of(e.args);
      j["call"] = syscalls::format_call(*v.syscall, args_of(e.args));
      j["action"] = syscalls::action_name(e.action);
      bool err = e.action == SYSCOPE_ACTION_ERRNO;
      j["errno"] = err ? nlohmann::ordered_json(e.err) : nlohmann::ordered_json(nullptr);
      j["errno_name"] = err ? nlohmann::ordered_json(syscalls::errno_name(e.err))
                            : nlohmann::ordered_json(nullptr);
      j["signal_name"] = err ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(syscalls::signal_name(e.err));
      j["traced"] = (e.flags & SYSCOPE_DENIAL_TRACED) != 0;
      return j;
    }
    case SYSCOPE_EV_PROC_FORK: {
      auto e = *record_as<syscope_proc_fork>(record);
      common("fork");
      j["parent_pid"] = e.parent_pid;
      j["parent_tid"] = e.parent_tid;
      j["child_pid"] = e.child_pid;
      j["child_tid"] = e.child_tid;
      j["thread"] = e.child_pid == e.parent_pid;
      return j;
    }
    case SYSCOPE_EV_PROC_EXEC: {
      auto e = *record_as<syscope_proc_exec>(record);
      common("exec");
      j["pid"] = e.pid;
      j["tid"] = e.tid;
      j["old_tid"] = e.old_tid;
      j["filename"] = c_string(e.filename, sizeof e.filename);
      j["argv"] = exec_argv(e);
      return j;
    }
    case SYSCOPE_EV_PROC_EXIT: {
      auto e = *record_as<syscope_proc_exit>(record);
      common("exit");
      j["pid"] = e.pid;
      j["tid"] = e.tid;
      j["exit_code"] = e.exit_code;
      uint32_t sig = e.exit_code & 0x7f;
      j["status"] =
          sig ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json((e.exit_code >> 8) & 0xff);
      j["signal"] = sig ? nlohmann::ordered_json(syscalls::signal_name(sig))
                        : nlohmann::ordered_json(nullptr);
      j["core_dumped"] = (e.exit_code & 0x80) != 0;
      j["group_dead"] = e.group_dead != 0;
      return j;
    }
    case SYSCOPE_EV_CGROUP_MKDIR:
    case SYSCOPE_EV_CGROUP_RMDIR: {
      auto e = *record_as<syscope_cgroup_event>(record);
      common(record.kind == SYSCOPE_EV_CGROUP_MKDIR ? "cgroup_mkdir" : "cgroup_rmdir");
      j["path"] = c_string(e.path, sizeof e.path);
      return j;
    }
    case SYSCOPE_EV_FIRST_SEEN: {
      auto e = *record_as<syscope_first_seen>(record);
      common("first_seen");
      j["syscall"] = syscalls::call_name(e.arch, static_cast<int32_t>(e.nr));
      j["nr"] = e.nr;
      j["arch"] = syscalls::arch_label(e.arch);
      j["set"] = e.set;
      return j;
    }
    case SYSCOPE_EV_FIRST_DENIAL: {
      auto e = *record_as<syscope_first_denial>(record);
      common("first_denial");
      j["syscall"] = syscalls::call_name(e.key.arch, static_cast<int32_t>(e.key.nr));
      j["nr"] = e.key.nr;
      j["arch"] = syscalls::arch_label(e.key.arch);
      j["errno"] = e.key.err;
      j["errno_name"] = syscalls::errno_name(e.key.err);
      return j;
    }
    case kRecordContainer:
    case kRecordCgroupPath:
    case kRecordCounters:
    case kRecordNote: {
      static const std::map<uint16_t, const char *> types = {{kRecordContainer, "container"},
                                                             {kRecordCgroupPath, "cgroup_path"},
                                                             {kRecordCounters, "counters"},
                                                             {kRecordNote, "note"}};
      j["type"] = types.at(record.kind);
      auto value = nlohmann::ordered_json::parse(record.bytes, nullptr, false);
      if (!value.is_object()) {
        j["malformed"] = true;
        return j;
      }
      for (auto &[key, val] : value.items())
        if (key != "type") j[key] = val;
      return j;
    }
    default:
      j["type"] = "unknown";
      j["kind"] = record.kind;
      j["size"] = record.bytes.size();
      return j;
  }
}

}  // namespace syscope::trace
