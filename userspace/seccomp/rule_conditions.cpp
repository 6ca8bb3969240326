// SPDX-License-Identifier: Apache-2.0
// Docker's includes/excludes filter (moby profiles/seccomp setupSeccomp): excludes first, any
// match drops the rule; then every includes clause must hold. Caps are this process's own.
#include "syscope/seccomp/rule_conditions.hpp"

#include <linux/capability.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

#include "syscope/base/error.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::seccomp {
namespace {

struct CapName {
  const char *name;
  unsigned number;
};
#define SYSCOPE_CAP(c)                                                                             \
  CapName { #c, c }
// The numbers come from the kernel's header; only the name <-> number pairing is spelled here,
// as libseccomp has no capability support and libcap is not a dependency.
constexpr CapName kCaps[] = {
    SYSCOPE_CAP(CAP_CHOWN),
    SYSCOPE_CAP(CAP_DAC_OVERRIDE),
    SYSCOPE_CAP(CAP_DAC_READ_SEARCH),
    SYSCOPE_CAP(CAP_FOWNER),
    SYSCOPE_CAP(CAP_FSETID),
    SYSCOPE_CAP(CAP_KILL),
    SYSCOPE_CAP(CAP_SETGID),
    SYSCOPE_CAP(CAP_SETUID),
    SYSCOPE_CAP(CAP_SETPCAP),
    SYSCOPE_CAP(CAP_LINUX_IMMUTABLE),
    SYSCOPE_CAP(CAP_NET_BIND_SERVICE),
    SYSCOPE_CAP(CAP_NET_BROADCAST),
    SYSCOPE_CAP(CAP_NET_ADMIN),
    SYSCOPE_CAP(CAP_NET_RAW),
    SYSCOPE_CAP(CAP_IPC_LOCK),
    SYSCOPE_CAP(CAP_IPC_OWNER),
    SYSCOPE_CAP(CAP_SYS_MODULE),
    SYSCOPE_CAP(CAP_SYS_RAWIO),
    SYSCOPE_CAP(CAP_SYS_CHROOT),
    SYSCOPE_CAP(CAP_SYS_PTRACE),
    SYSCOPE_CAP(CAP_SYS_PACCT),
    SYSCOPE_CAP(CAP_SYS_ADMIN),
    SYSCOPE_CAP(CAP_SYS_BOOT),
    SYSCOPE_CAP(CAP_SYS_NICE),
    SYSCOPE_CAP(CAP_SYS_RESOURCE),
    SYSCOPE_CAP(CAP_SYS_TIME),
    SYSCOPE_CAP(CAP_SYS_TTY_CONFIG),
    SYSCOPE_CAP(CAP_MKNOD),
    SYSCOPE_CAP(CAP_LEASE),
    SYSCOPE_CAP(CAP_AUDIT_WRITE),
    SYSCOPE_CAP(CAP_AUDIT_CONTROL),
    SYSCOPE_CAP(CAP_SETFCAP),
    SYSCOPE_CAP(CAP_MAC_OVERRIDE),
    SYSCOPE_CAP(CAP_MAC_ADMIN),
    SYSCOPE_CAP(CAP_SYSLOG),
    SYSCOPE_CAP(CAP_WAKE_ALARM),
    SYSCOPE_CAP(CAP_BLOCK_SUSPEND),
    SYSCOPE_CAP(CAP_AUDIT_READ),
    SYSCOPE_CAP(CAP_PERFMON),
    SYSCOPE_CAP(CAP_BPF),
    SYSCOPE_CAP(CAP_CHECKPOINT_RESTORE),
};
#undef SYSCOPE_CAP

using Version = std::array<unsigned long, 3>;

// "5.8", "6.1.0-18-amd64" -> {5,8,0}, {6,1,0}: up to three dotted numbers, the rest ignored,
// as Docker's kernel.ParseRelease reads them.
std::optional<Version> parse_version(const std::string &text) {
  Version v{0, 0, 0};
  size_t pos = 0;
  for (size_t part = 0; part < v.size(); ++part) {
    if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (part == 0) return std::nullopt;
      break;
    }
    size_t end = pos;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    v[part] = std::stoul(text.substr(pos, end - pos));
    if (end >= text.size() || text[end] != '.') break;
    pos = end + 1;
  }
  return v;
}

bool arch_listed(const std::vector<std::string> &arches, uint32_t native) {
  return std::any_of(arches.begin(), arches.end(),
                     [native](const std::string &a) { return resolve_arch(a) == native; });
}

bool cap_held(const std::string &name, uint64_t caps) {
  auto nr = capability_number(name);
  return nr && *nr < 64 && (caps >> *nr & 1);
}

std::string join(const std::vector<std::string> &items) {
  std::string out;
  for (const auto &s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

// Whether the host kernel is at least `min_kernel`; `field` names it in the error.
bool kernel_at_least(const std::string &min_kernel, const HostFacts &host,
                     const std::string &field) {
  auto cmp = compare_kernel_versions(host.kernel_release, min_kernel);
  if (!parse_version(min_kernel))
    throw Error(Exit::usage, field + " \"" + min_kernel + "\": not a kernel version");
  if (!cmp)
    throw Error(Exit::environment,
                "cannot read the kernel version from \"" + host.kernel_release + "\"");
  return *cmp >= 0;
}

}  // namespace

std::optional<unsigned> capability_number(const std::string &name) {
  for (const auto &c : kCaps)
    if (name == c.name) return c.number;
  return std::nullopt;
}

std::optional<int> compare_kernel_versions(const std::string &a, const std::string &b) {
  auto va = parse_version(a), vb = parse_version(b);
  if (!va || !vb) return std::nullopt;
  return *va < *vb ? -1 : (*va == *vb ? 0 : 1);
}

std::optional<uint32_t> resolve_arch(const std::string &name) {
  if (auto token = arch_from_name(name)) return token;
  // libseccomp names arches in lower case without the prefix ("mips64n32", "s390x").
  std::string plain = name.rfind("SCMP_ARCH_", 0) == 0 ? name.substr(10) : name;
  std::transform(plain.begin(), plain.end(), plain.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  uint32_t token = seccomp_arch_resolve_name(plain.c_str());
  if (token == 0) return std::nullopt;
  return token;
}

HostFacts current_host() {
  HostFacts host;
  host.native_arch = native_scmp_arch();
  // Version 3 reads both 32-bit halves; glibc has no capget() wrapper of its own.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0)
    throw Error(Exit::environment, "capget: " + errno_text(errno));
  host.capabilities = uint64_t{data[1].effective} << 32 | data[0].effective;
  struct utsname uts {};
  if (uname(&uts) != 0) throw Error(Exit::environment, "uname: " + errno_text(errno));
  host.kernel_release = uts.release;
  return host;
}

std::optional<std::string> rule_ruled_out(const SyscallRule &rule, const HostFacts &host) {
  const RuleCondition &ex = rule.excludes, &in = rule.includes;
  std::string native = arch_name(host.native_arch).value_or("the native arch");
  if (!ex.arches.empty() && arch_listed(ex.arches, host.native_arch))
    return "excludes.arches [" + join(ex.arches) + "] lists " + native;
  for (const auto &cap : ex.caps)
    if (cap_held(cap, host.capabilities)) return "excludes.caps: " + cap + " is held";
  if (!ex.min_kernel.empty() && kernel_at_least(ex.min_kernel, host, "excludes.minKernel"))
    return "excludes.minKernel " + ex.min_kernel + ": kernel " + host.kernel_release +
           " is at least that";
  if (!in.arches.empty() && !arch_listed(in.arches, host.native_arch))
    return "includes.arches [" + join(in.arches) + "] does not list " + native;
  for (const auto &cap : in.caps)
    if (!cap_held(cap, host.capabilities)) return "includes.caps: " + cap + " is not held";
  if (!in.min_kernel.empty() && !kernel_at_least(in.min_kernel, host, "includes.minKernel"))
    return "includes.minKernel " + in.min_kernel + ": kernel " + host.kernel_release + " is older";
  return std::nullopt;
}

}  // namespace syscope::seccomp
