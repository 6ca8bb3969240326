// SPDX-License-Identifier: Apache-2.0
// The signature table itself, checked at compile time (sorted, no more captures per call than
// the kernel has slots, length arguments that exist), and the capture plan derived from it.
#include "syscope/syscalls/signatures.hpp"

#include <algorithm>

namespace syscope::syscalls {
namespace {

namespace a {
constexpr Arg pointer{ArgKind::pointer}, buffer{ArgKind::buffer}, hex{ArgKind::hex},
    uint{ArgKind::uint}, int32{ArgKind::int32}, int64{ArgKind::int64}, fd{ArgKind::fd},
    mode{ArgKind::mode}, create_mode{ArgKind::create_mode}, signal{ArgKind::signal},
    path{ArgKind::path}, string{ArgKind::string};
constexpr Arg flags(Decoder d) { return {ArgKind::flags, d}; }
constexpr Arg sockaddr_in(uint8_t len_arg) {
  return {ArgKind::sockaddr_in, Decoder::none, len_arg};
}
constexpr Arg sockaddr_out(uint8_t len_arg) {
  return {ArgKind::sockaddr_out, Decoder::none, len_arg};
}
}  // namespace a

using D = Decoder;
using namespace a;
constexpr Returns kNever = Returns::never, kAddress = Returns::address;

// Argument orders are the kernel's (include/linux/syscalls.h). x86_64 and i386 agree on every
// one here except clone's last two pointers (both shown as pointers). Calls whose arguments
// move between arches (fanotify_mark's 64-bit mask takes two i386 registers) are left out
// rather than decoded wrong. i386-only names (stat64, chown32, ...) are listed too, so compat
// calls are captured and decoded like native ones. Strings the kernel takes as names rather
// than paths (key types, module names, fsopen's filesystem) stay pointers: only paths, mount's
// strings and xattr names are captured.
constexpr Signature kTable[] = {
    {"accept", {fd, sockaddr_out(2), pointer}},
    {"accept4", {fd, sockaddr_out(2), pointer, flags(D::sock_flags)}},
    {"access", {path, mode}},
    {"acct", {path}},
    {"add_key", {pointer, pointer, buffer, uint, int32}},
    {"bind", {fd, sockaddr_in(2), uint}},
    {"bpf", {int32, pointer, uint}},
    {"brk", {pointer}, kAddress},
    {"chdir", {path}},
    {"chmod", {path, mode}},
    {"chown", {path, int32, int32}},
    {"chown32", {path, int32, int32}},
    {"chroot", {path}},
    {"clock_adjtime", {int32, pointer}},
    {"clock_settime", {int32, pointer}},
    {"clone", {flags(D::clone), pointer, pointer, pointer, pointer}},
    {"clone3", {pointer, uint}},
    {"close", {fd}},
    {"connect", {fd, sockaddr_in(2), uint}},
    {"creat", {path, mode}},
    {"delete_module", {pointer, hex}},
    {"dup", {fd}},
    {"dup2", {fd, fd}},
    {"dup3", {fd, fd, hex}},
    {"execve", {path, pointer, pointer}},
    {"execveat", {fd, path, pointer, pointer, hex}},
    {"exit", {int32}, kNever},
    {"exit_group", {int32}, kNever},
    {"faccessat", {fd, path, mode}},
    {"faccessat2", {fd, path, mode, hex}},
    {"fchdir", {fd}},
    {"fchmod", {fd, mode}},
    {"fchmodat", {fd, path, mode}},
    {"fchmodat2", {fd, path, mode, hex}},
    {"fchown", {fd, int32, int32}},
    {"fchownat", {fd, path, int32, int32, hex}},
    {"fgetxattr", {fd, string, buffer, uint}},
    {"finit_module", {fd, pointer, int32}},
    {"flistxattr", {fd, buffer, uint}},
    {"fremovexattr", {fd, string}},
    {"fsetxattr", {fd, string, buffer, uint, hex}},
    {"fsopen", {pointer, hex}},
    {"fstat", {fd, pointer}},
    {"fstatat64", {fd, path, pointer, hex}},
    {"ftruncate", {fd, int64}},
    {"futimesat", {fd, path, pointer}},
    {"getdents64", {fd, buffer, uint}},
    {"getpeername", {fd, sockaddr_out(2), pointer}},
    {"getsockname", {fd, sockaddr_out(2), pointer}},
    {"getxattr", {path, string, buffer, uint}},
    {"init_module", {buffer, uint, pointer}},
    {"inotify_add_watch", {fd, path, hex}},
    {"ioctl", {fd, hex, pointer}},
    {"ioperm", {hex, hex, int32}},
    {"iopl", {uint}},
    {"kcmp", {int32, int32, int32, hex, hex}},
    {"keyctl", {int32, hex, hex, hex, hex}},
    {"kill", {int32, signal}},
    {"lchown", {path, int32, int32}},
    {"lchown32", {path, int32, int32}},
    {"lgetxattr", {path, string, buffer, uint}},
    {"link", {path, path}},
    {"linkat", {fd, path, fd, path, hex}},
    {"listen", {fd, int32}},
    {"listxattr", {path, buffer, uint}},
    {"llistxattr", {path, buffer, uint}},
    {"lremovexattr", {path, string}},
    {"lseek", {fd, int64, int32}},
    {"lsetxattr", {path, string, buffer, uint, hex}},
    {"lstat", {path, pointer}},
    {"lstat64", {path, pointer}},
    {"mkdir", {path, mode}},
    {"mkdirat", {fd, path, mode}},
    {"mknod", {path, mode, hex}},
    {"mknodat", {fd, path, mode, hex}},
    {"mmap", {pointer, uint, hex, hex, fd, hex}, kAddress},
    {"mmap2", {pointer, uint, hex, hex, fd, hex}, kAddress},  // i386: the offset in pages
    {"mount", {string, path, string, flags(D::mount), pointer}},
    {"move_mount", {fd, path, fd, path, hex}},
    {"mremap", {pointer, uint, uint, hex, pointer}, kAddress},
    {"name_to_handle_at", {fd, path, pointer, pointer, hex}},
    {"newfstatat", {fd, path, pointer, hex}},
    {"open", {path, flags(D::open), create_mode}},
    {"open_by_handle_at", {fd, pointer, flags(D::open)}},
    {"open_tree", {fd, path, hex}},
    {"openat", {fd, path, flags(D::open), create_mode}},
    {"openat2", {fd, path, pointer, uint}},
    {"perf_event_open", {pointer, int32, int32, int32, hex}},
    {"personality", {flags(D::personality)}},
    {"pidfd_getfd", {fd, fd, hex}},
    {"pivot_root", {path, path}},
    {"pread64", {fd, buffer, uint, int64}},
    {"process_vm_readv", {int32, pointer, uint, pointer, uint, hex}},
    {"process_vm_writev", {int32, pointer, uint, pointer, uint, hex}},
    {"ptrace", {flags(D::ptrace), int32, pointer, pointer}},
    {"pwrite64", {fd, buffer, uint, int64}},
    {"read", {fd, buffer, uint}},
    {"readlink", {path, buffer, uint}},
    {"readlinkat", {fd, path, buffer, uint}},
    {"readv", {fd, pointer, uint}},
    {"reboot", {hex, hex, hex, pointer}},
    {"recvfrom", {fd, buffer, uint, hex, sockaddr_out(5), pointer}},
    {"removexattr", {path, string}},
    {"rename", {path, path}},
    {"renameat", {fd, path, fd, path}},
    {"renameat2", {fd, path, fd, path, hex}},
    {"request_key", {pointer, pointer, pointer, int32}},
    {"rmdir", {path}},
    {"sendto", {fd, buffer, uint, hex, sockaddr_in(5), uint}},
    {"setdomainname", {pointer, uint}},
    {"setgid", {int32}},
    {"sethostname", {pointer, uint}},
    {"setns", {fd, flags(D::unshare)}},
    {"settimeofday", {pointer, pointer}},
    {"setuid", {int32}},
    {"setxattr", {path, string, buffer, uint, hex}},
    {"shmat", {int32, pointer, hex}, kAddress},
    {"shutdown", {fd, int32}},
    {"socket", {flags(D::family), flags(D::socket_type), int32}},
    {"socketpair", {flags(D::family), flags(D::socket_type), int32, pointer}},
    {"stat", {path, pointer}},
    {"stat64", {path, pointer}},
    {"statfs", {path, pointer}},
    {"statfs64", {path, uint, pointer}},
    {"statx", {fd, path, hex, hex, pointer}},
    {"swapoff", {path}},
    {"swapon", {path, hex}},
    {"symlink", {path, path}},
    {"symlinkat", {path, fd, path}},
    {"sysinfo", {pointer}},
    {"syslog", {int32, buffer, int32}},
    {"tgkill", {int32, int32, signal}},
    {"tkill", {int32, signal}},
    {"truncate", {path, int64}},
    {"truncate64", {path, int64}},  // i386: the length's low word only (its high word follows)
    {"umount", {path}},
    {"umount2", {path, flags(D::umount)}},
    {"unlink", {path}},
    {"unlinkat", {fd, path, hex}},
    {"unshare", {flags(D::unshare)}},
    {"userfaultfd", {hex}},
    {"utime", {path, pointer}},
    {"utimensat", {fd, path, pointer, hex}},
    {"utimes", {path, pointer}},
    {"wait4", {int32, pointer, hex, pointer}},
    {"write", {fd, buffer, uint}},
    {"writev", {fd, pointer, uint}},
};

constexpr size_t captured_count(const Signature &s) {
  size_t n = 0;
  for (size_t i = 0; i < s.arity; ++i) n += is_captured(s.args[i].kind);
  return n;
}

// The kernel copies a call's argument registers as they are: an argument a length refers to
// must exist and hold a number (sockaddr in) or a pointer (sockaddr out).
constexpr bool lengths_ok(const Signature &s) {
  for (size_t i = 0; i < s.arity; ++i) {
    const Arg &arg = s.args[i];
    if (arg.kind != ArgKind::sockaddr_in && arg.kind != ArgKind::sockaddr_out) continue;
    if (arg.len_arg >= s.arity || arg.len_arg == i) return false;
    ArgKind want = arg.kind == ArgKind::sockaddr_in ? ArgKind::uint : ArgKind::pointer;
    if (s.args[arg.len_arg].kind != want) return false;
  }
  return true;
}

constexpr bool table_ok() {
  for (size_t i = 0; i < std::size(kTable); ++i) {
    const Signature &s = kTable[i];
    if (i > 0 && !(kTable[i - 1].name < s.name)) return false;  // sorted, no duplicates
    if (s.arity > 6 || captured_count(s) > SYSCOPE_CAPTURE_SLOTS || !lengths_ok(s)) return false;
  }
  return true;
}
static_assert(table_ok(), "kTable: sorted by name, <= SYSCOPE_CAPTURE_SLOTS captures per call, "
                          "sockaddr lengths in existing arguments of the right kind");

}  // namespace

std::span<const Signature> signatures() { return kTable; }

const Signature *signature(std::string_view name) {
  auto it = std::lower_bound(std::begin(kTable), std::end(kTable), name,
                             [](const Signature &s, std::string_view n) { return s.name < n; });
  return it != std::end(kTable) && it->name == name ? &*it : nullptr;
}

std::optional<syscope_capture_plan> capture_plan(const Signature &sig) {
  syscope_capture_plan plan{};
  for (uint8_t i = 0; i < sig.arity; ++i) {
    const Arg &arg = sig.args[i];
    if (!is_captured(arg.kind)) continue;
    syscope_capture_slot &slot = plan.slots[plan.nslots++];
    slot.arg = i;
    switch (arg.kind) {
      case ArgKind::path: slot.kind = SYSCOPE_DATA_PATH; break;
      case ArgKind::string: slot.kind = SYSCOPE_DATA_STRING; break;
      case ArgKind::sockaddr_out: slot.flags = SYSCOPE_PLAN_SLOT_OUT; [[fallthrough]];
      default:
        slot.kind = SYSCOPE_DATA_SOCKADDR;
        slot.len_arg = arg.len_arg;
        break;
    }
  }
  if (sig.returns == Returns::never) plan.flags |= SYSCOPE_PLAN_NEVER_RETURNS;
  if (plan.nslots == 0 && plan.flags == 0) return std::nullopt;
  return plan;
}

std::string_view arg_role(const Arg &a) {
  switch (a.kind) {
    case ArgKind::fd: return "fd";
    case ArgKind::signal: return "sig";
    case ArgKind::mode:
    case ArgKind::create_mode: return "mode";
    case ArgKind::path: return "path";
    case ArgKind::flags:
      switch (a.decoder) {
        case Decoder::family: return "family";
        case Decoder::socket_type: return "type";
        case Decoder::personality: return "persona";
        case Decoder::ptrace: return "request";
        default: return "flags";
      }
    default: return "";
  }
}

}  // namespace syscope::syscalls
