// SPDX-License-Identifier: Apache-2.0
// Arguments shown as strace would, by the kinds of the one signature table (signatures.cpp):
// flag words by name (constants from the system headers), fds, signals, octal modes, pointers
// (and the paths and sockaddrs only trace captures) as 0x... .
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <utility>

#include "syscope/base/text.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/labels.hpp"
#include "syscope/syscalls/signatures.hpp"

namespace syscope::syscalls {
namespace {

using Flag = std::pair<uint64_t, const char *>;

// Names of the bits set in `v`, "|"-joined, with what no name covers in hex; "0" for none.
// Multi-bit entries come first in `flags` where they must win over their parts.
std::string flag_text(uint64_t v, const std::vector<Flag> &flags, std::string prefix = "") {
  std::string out = std::move(prefix);
  for (const auto &[bit, name] : flags) {
    if (bit == 0 || (v & bit) != bit) continue;
    if (!out.empty()) out += '|';
    out += name;
    v &= ~bit;
  }
  if (v != 0 || out.empty()) {
    if (!out.empty()) out += '|';
    out += v == 0 ? "0" : hex(v);
  }
  return out;
}

// CLONE_NEWTIME (0x80) shares clone()'s exit-signal byte, so it is named only for unshare/setns.
const std::vector<Flag> &clone_flags() {
  static const std::vector<Flag> flags = {
      {CLONE_VM, "CLONE_VM"},
      {CLONE_FS, "CLONE_FS"},
      {CLONE_FILES, "CLONE_FILES"},
      {CLONE_SIGHAND, "CLONE_SIGHAND"},
      {CLONE_PIDFD, "CLONE_PIDFD"},
      {CLONE_PTRACE, "CLONE_PTRACE"},
      {CLONE_VFORK, "CLONE_VFORK"},
      {CLONE_PARENT, "CLONE_PARENT"},
      {CLONE_THREAD, "CLONE_THREAD"},
      {CLONE_NEWNS, "CLONE_NEWNS"},
      {CLONE_SYSVSEM, "CLONE_SYSVSEM"},
      {CLONE_SETTLS, "CLONE_SETTLS"},
      {CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
      {CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
      {CLONE_DETACHED, "CLONE_DETACHED"},
      {CLONE_UNTRACED, "CLONE_UNTRACED"},
      {CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
      {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
      {CLONE_NEWUTS, "CLONE_NEWUTS"},
      {CLONE_NEWIPC, "CLONE_NEWIPC"},
      {CLONE_NEWUSER, "CLONE_NEWUSER"},
      {CLONE_NEWPID, "CLONE_NEWPID"},
      {CLONE_NEWNET, "CLONE_NEWNET"},
      {CLONE_IO, "CLONE_IO"},
  };
  return flags;
}

std::string unshare_flags_text(uint64_t v) {
  std::vector<Flag> flags = clone_flags();
  flags.insert(flags.begin(), {CLONE_NEWTIME, "CLONE_NEWTIME"});
  return flag_text(v, flags);
}

std::string signal_text(uint64_t v) {
  int sig = static_cast<int32_t>(v);
  return sig == 0 ? "0" : signal_name(static_cast<uint32_t>(sig));
}

std::string clone_flags_and_signal(uint64_t v) {
  std::string flags = flag_text(v & ~uint64_t{CSIGNAL}, clone_flags());
  if ((v & CSIGNAL) == 0) return flags;
  std::string sig = signal_text(v & CSIGNAL);
  return flags == "0" ? sig : flags + "|" + sig;
}

std::string mount_flags_text(uint64_t v) {
  static const std::vector<Flag> flags = {
      {MS_RDONLY, "MS_RDONLY"},
      {MS_NOSUID, "MS_NOSUID"},
      {MS_NODEV, "MS_NODEV"},
      {MS_NOEXEC, "MS_NOEXEC"},
      {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
      {MS_REMOUNT, "MS_REMOUNT"},
      {MS_MANDLOCK, "MS_MANDLOCK"},
      {MS_DIRSYNC, "MS_DIRSYNC"},
      {MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
      {MS_NOATIME, "MS_NOATIME"},
      {MS_NODIRATIME, "MS_NODIRATIME"},
      {MS_BIND, "MS_BIND"},
      {MS_MOVE, "MS_MOVE"},
      {MS_REC, "MS_REC"},
      {MS_SILENT, "MS_SILENT"},
      {MS_POSIXACL, "MS_POSIXACL"},
      {MS_UNBINDABLE, "MS_UNBINDABLE"},
      {MS_PRIVATE, "MS_PRIVATE"},
      {MS_SLAVE, "MS_SLAVE"},
      {MS_SHARED, "MS_SHARED"},
      {MS_RELATIME, "MS_RELATIME"},
      {MS_KERNMOUNT, "MS_KERNMOUNT"},
      {MS_I_VERSION, "MS_I_VERSION"},
      {MS_STRICTATIME, "MS_STRICTATIME"},
      {MS_LAZYTIME, "MS_LAZYTIME"},
  };
  // The kernel ignores a magic number old callers put in the top 16 bits.
  std::string prefix;
  if ((v & MS_MGC_MSK) == MS_MGC_VAL) {
    prefix = "MS_MGC_VAL";
    v &= ~uint64_t{MS_MGC_MSK};
  }
  if (prefix.empty()) return flag_text(v, flags);
  return v == 0 ? prefix : flag_text(v, flags, prefix);
}

std::string umount_flags_text(uint64_t v) {
  static const std::vector<Flag> flags = {{MNT_FORCE, "MNT_FORCE"},
                                          {MNT_DETACH, "MNT_DETACH"},
                                          {MNT_EXPIRE, "MNT_EXPIRE"},
                                          {UMOUNT_NOFOLLOW, "UMOUNT_NOFOLLOW"}};
  return flag_text(v, flags);
}

std::string personality_text(uint64_t v) {
  v &= 0xffffffffu;                           // the kernel takes an unsigned int
  if (v == 0xffffffffu) return "0xffffffff";  // a query: the current persona, unchanged
  static const std::vector<Flag> personas = {
      {PER_LINUX, "PER_LINUX"},       {PER_LINUX32, "PER_LINUX32"},
      {PER_SVR4, "PER_SVR4"},         {PER_SVR3, "PER_SVR3"},
      {PER_SCOSVR3, "PER_SCOSVR3"},   {PER_OSR5, "PER_OSR5"},
      {PER_WYSEV386, "PER_WYSEV386"}, {PER_ISCR4, "PER_ISCR4"},
      {PER_BSD, "PER_BSD"},           {PER_SUNOS, "PER_SUNOS"},
      {PER_XENIX, "PER_XENIX"},       {PER_LINUX32_3GB, "PER_LINUX32_3GB"},
      {PER_IRIX32, "PER_IRIX32"},     {PER_IRIXN32, "PER_IRIXN32"},
      {PER_IRIX64, "PER_IRIX64"},     {PER_RISCOS, "PER_RISCOS"},
      {PER_SOLARIS, "PER_SOLARIS"},   {PER_UW7, "PER_UW7"},
      {PER_OSF4, "PER_OSF4"},         {PER_HPUX, "PER_HPUX"},
  };
  static const std::vector<Flag> flags = {
      {UNAME26, "UNAME26"},
      {ADDR_NO_RANDOMIZE, "ADDR_NO_RANDOMIZE"},
      {FDPIC_FUNCPTRS, "FDPIC_FUNCPTRS"},
      {MMAP_PAGE_ZERO, "MMAP_PAGE_ZERO"},
      {ADDR_COMPAT_LAYOUT, "ADDR_COMPAT_LAYOUT"},
      {READ_IMPLIES_EXEC, "READ_IMPLIES_EXEC"},
      {ADDR_LIMIT_32BIT, "ADDR_LIMIT_32BIT"},
      {SHORT_INODE, "SHORT_INODE"},
      {WHOLE_SECONDS, "WHOLE_SECONDS"},
      {STICKY_TIMEOUTS, "STICKY_TIMEOUTS"},
      {ADDR_LIMIT_3GB, "ADDR_LIMIT_3GB"},
  };
  // A persona is a whole value (the low byte plus some flags it implies), so try exact
  // personas first, then the low byte's persona with the remaining bits as flags.
  for (const auto &[value, name] : personas)
    if (v == value) return name;
  std::string base;
  for (const auto &[value, name] : personas)
    if ((v & PER_MASK) == value) base = name;
  if (base.empty()) return hex(v);
  return flag_text(v & ~uint64_t{PER_MASK}, flags, base);
}

std::string family_text(uint64_t v) {
  static const std::map<uint64_t, const char *> families = {
      {AF_UNSPEC, "AF_UNSPEC"},
      {AF_UNIX, "AF_UNIX"},
      {AF_INET, "AF_INET"},
      {AF_AX25, "AF_AX25"},
      {AF_IPX, "AF_IPX"},
      {AF_APPLETALK, "AF_APPLETALK"},
      {AF_NETROM, "AF_NETROM"},
      {AF_BRIDGE, "AF_BRIDGE"},
      {AF_ATMPVC, "AF_ATMPVC"},
      {AF_X25, "AF_X25"},
      {AF_INET6, "AF_INET6"},
      {AF_ROSE, "AF_ROSE"},
      {AF_DECnet, "AF_DECnet"},
      {AF_NETBEUI, "AF_NETBEUI"},
      {AF_SECURITY, "AF_SECURITY"},
      {AF_KEY, "AF_KEY"},
      {AF_NETLINK, "AF_NETLINK"},
      {AF_PACKET, "AF_PACKET"},
      {AF_ASH, "AF_ASH"},
      {AF_ECONET, "AF_ECONET"},
      {AF_ATMSVC, "AF_ATMSVC"},
      {AF_RDS, "AF_RDS"},
      {AF_SNA, "AF_SNA"},
      {AF_IRDA, "AF_IRDA"},
      {AF_PPPOX, "AF_PPPOX"},
      {AF_WANPIPE, "AF_WANPIPE"},
      {AF_LLC, "AF_LLC"},
      {AF_IB, "AF_IB"},
      {AF_MPLS, "AF_MPLS"},
      {AF_CAN, "AF_CAN"},
      {AF_TIPC, "AF_TIPC"},
      {AF_BLUETOOTH, "AF_BLUETOOTH"},
      {AF_IUCV, "AF_IUCV"},
      {AF_RXRPC, "AF_RXRPC"},
      {AF_ISDN, "AF_ISDN"},
      {AF_PHONET, "AF_PHONET"},
      {AF_IEEE802154, "AF_IEEE802154"},
      {AF_CAIF, "AF_CAIF"},
      {AF_ALG, "AF_ALG"},
      {AF_NFC, "AF_NFC"},
      {AF_VSOCK, "AF_VSOCK"},
      {AF_KCM, "AF_KCM"},
      {AF_QIPCRTR, "AF_QIPCRTR"},
      {AF_SMC, "AF_SMC"},
      {AF_XDP, "AF_XDP"},
  };
  auto it = families.find(v & 0xffffffffu);
  return it != families.end() ? it->second : std::to_string(static_cast<int32_t>(v));
}

std::string socket_type_text(uint64_t v) {
  static const std::map<uint64_t, const char *> types = {
      {SOCK_STREAM, "SOCK_STREAM"}, {SOCK_DGRAM, "SOCK_DGRAM"},         {SOCK_RAW, "SOCK_RAW"},
      {SOCK_RDM, "SOCK_RDM"},       {SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {SOCK_DCCP, "SOCK_DCCP"},
      {SOCK_PACKET, "SOCK_PACKET"},
  };
  v &= 0xffffffffu;
  uint64_t base = v & 0xf;  // the kernel's SOCK_TYPE_MASK
  auto it = types.find(base);
  std::string out = it != types.end() ? it->second : std::to_string(base);
  uint64_t rest = v & ~uint64_t{0xf};
  if (rest == 0) return out;
  return flag_text(rest, {{SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"}}, out);
}

// The kernel's O_LARGEFILE on x86 (asm-generic/fcntl.h). glibc defines it as 0 for 64-bit
// programs, but 32-bit programs pass it on every open, so it must have a name here.
constexpr uint64_t kKernelLargefile = 0100000;
constexpr uint64_t kKernelTmpfileBit = 020000000;  // __O_TMPFILE, without O_DIRECTORY

std::string open_flags_text(uint64_t v) {
  v &= 0xffffffffu;
  static const std::vector<Flag> flags = {
      {kKernelTmpfileBit | O_DIRECTORY, "O_TMPFILE"},  // before O_DIRECTORY
      {O_SYNC, "O_SYNC"},                              // includes O_DSYNC
      {O_CREAT, "O_CREAT"},
      {O_EXCL, "O_EXCL"},
      {O_NOCTTY, "O_NOCTTY"},
      {O_TRUNC, "O_TRUNC"},
      {O_APPEND, "O_APPEND"},
      {O_NONBLOCK, "O_NONBLOCK"},
      {O_DSYNC, "O_DSYNC"},
      {O_ASYNC, "O_ASYNC"},
      {O_DIRECT, "O_DIRECT"},
      {kKernelLargefile, "O_LARGEFILE"},
      {O_DIRECTORY, "O_DIRECTORY"},
      {O_NOFOLLOW, "O_NOFOLLOW"},
      {O_NOATIME, "O_NOATIME"},
      {O_CLOEXEC, "O_CLOEXEC"},
      {O_PATH, "O_PATH"},
  };
  const char *access = (v & O_ACCMODE) == O_WRONLY   ? "O_WRONLY"
                       : (v & O_ACCMODE) == O_RDWR   ? "O_RDWR"
                       : (v & O_ACCMODE) == O_RDONLY ? "O_RDONLY"
                                                     : "3";
  uint64_t rest = v & ~uint64_t{O_ACCMODE};
  return rest == 0 ? std::string(access) : flag_text(rest, flags, access);
}

std::string ptrace_text(uint64_t v) {
  static const std::map<uint64_t, const char *> requests = {
      {PTRACE_TRACEME, "PTRACE_TRACEME"},
      {PTRACE_PEEKTEXT, "PTRACE_PEEKTEXT"},
      {PTRACE_PEEKDATA, "PTRACE_PEEKDATA"},
      {PTRACE_PEEKUSER, "PTRACE_PEEKUSER"},
      {PTRACE_POKETEXT, "PTRACE_POKETEXT"},
      {PTRACE_POKEDATA, "PTRACE_POKEDATA"},
      {PTRACE_POKEUSER, "PTRACE_POKEUSER"},
      {PTRACE_CONT, "PTRACE_CONT"},
      {PTRACE_KILL, "PTRACE_KILL"},
      {PTRACE_SINGLESTEP, "PTRACE_SINGLESTEP"},
      {PTRACE_GETREGS, "PTRACE_GETREGS"},
      {PTRACE_SETREGS, "PTRACE_SETREGS"},
      {PTRACE_GETFPREGS, "PTRACE_GETFPREGS"},
      {PTRACE_SETFPREGS, "PTRACE_SETFPREGS"},
      {PTRACE_ATTACH, "PTRACE_ATTACH"},
      {PTRACE_DETACH, "PTRACE_DETACH"},
      {PTRACE_GETFPXREGS, "PTRACE_GETFPXREGS"},
      {PTRACE_SETFPXREGS, "PTRACE_SETFPXREGS"},
      {PTRACE_SYSCALL, "PTRACE_SYSCALL"},
      {PTRACE_ARCH_PRCTL, "PTRACE_ARCH_PRCTL"},
      {PTRACE_SYSEMU, "PTRACE_SYSEMU"},
      {PTRACE_SYSEMU_SINGLESTEP, "PTRACE_SYSEMU_SINGLESTEP"},
      {PTRACE_SETOPTIONS, "PTRACE_SETOPTIONS"},
      {PTRACE_GETEVENTMSG, "PTRACE_GETEVENTMSG"},
      {PTRACE_GETSIGINFO, "PTRACE_GETSIGINFO"},
      {PTRACE_SETSIGINFO, "PTRACE_SETSIGINFO"},
      {PTRACE_GETREGSET, "PTRACE_GETREGSET"},
      {PTRACE_SETREGSET, "PTRACE_SETREGSET"},
      {PTRACE_SEIZE, "PTRACE_SEIZE"},
      {PTRACE_INTERRUPT, "PTRACE_INTERRUPT"},
      {PTRACE_LISTEN, "PTRACE_LISTEN"},
      {PTRACE_PEEKSIGINFO, "PTRACE_PEEKSIGINFO"},
      {PTRACE_GETSIGMASK, "PTRACE_GETSIGMASK"},
      {PTRACE_SETSIGMASK, "PTRACE_SETSIGMASK"},
      {PTRACE_SECCOMP_GET_FILTER, "PTRACE_SECCOMP_GET_FILTER"},
      {PTRACE_SECCOMP_GET_METADATA, "PTRACE_SECCOMP_GET_METADATA"},
      {PTRACE_GET_SYSCALL_INFO, "PTRACE_GET_SYSCALL_INFO"},
      {PTRACE_GET_RSEQ_CONFIGURATION, "PTRACE_GET_RSEQ_CONFIGURATION"},
  };
  auto it = requests.find(v);
  return it != requests.end() ? it->second : hex(v);
}

std::string fd_text(uint64_t v) {
  int32_t fd = static_cast<int32_t>(v);
  return fd == AT_FDCWD ? "AT_FDCWD" : std::to_string(fd);
}

std::string mode_text(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(v & 07777));
  return buf;
}

std::string flags_text(Decoder d, uint64_t v) {
  switch (d) {
    case Decoder::none: return v == 0 ? "0" : hex(v);
    case Decoder::clone: return clone_flags_and_signal(v);
    case Decoder::unshare: return unshare_flags_text(v);
    case Decoder::mount: return mount_flags_text(v);
    case Decoder::umount: return umount_flags_text(v);
    case Decoder::personality: return personality_text(v);
    case Decoder::family: return family_text(v);
    case Decoder::socket_type: return socket_type_text(v);
    case Decoder::sock_flags:
      return flag_text(v & 0xffffffffu,
                       {{SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"}});
    case Decoder::open: return open_flags_text(v);
    case Decoder::ptrace: return ptrace_text(v);
  }
  return hex(v);
}

// What is not read from user memory (every pointer kind here: watch never reads, trace show
// replaces what the record captured) shows as strace shows an address.
std::string render(const Arg &arg, uint64_t v) {
  switch (arg.kind) {
    case ArgKind::pointer:
    case ArgKind::buffer:
    case ArgKind::path:
    case ArgKind::string:
    case ArgKind::sockaddr_in:
    case ArgKind::sockaddr_out: return v == 0 ? "NULL" : hex(v);
    case ArgKind::hex: return v == 0 ? "0" : hex(v);
    case ArgKind::uint: return std::to_string(v);
    case ArgKind::int32: return std::to_string(static_cast<int32_t>(v));
    case ArgKind::int64: return std::to_string(static_cast<int64_t>(v));
    case ArgKind::fd: return fd_text(v);
    case ArgKind::flags: return flags_text(arg.decoder, v);
    case ArgKind::mode:
    case ArgKind::create_mode: return mode_text(v);
    case ArgKind::signal: return signal_text(v);
  }
  return hex(v);
}

}  // namespace

std::optional<std::vector<std::string>> decode_args(const std::string &name,
                                                    const std::array<uint64_t, 6> &args) {
  const Signature *sig = signature(name);
  if (!sig) return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < sig->arity; ++i) {
    const Arg &arg = sig->args[i];
    // A creation mode means something only when the flags before it create a file.
    if (arg.kind == ArgKind::create_mode && i > 0 && !(args[i - 1] & O_CREAT) &&
        (args[i - 1] & kKernelTmpfileBit) == 0)
      continue;
    out.push_back(render(arg, args[i]));
  }
  return out;
}

std::optional<std::string> decode_arg(const std::string &name, unsigned index, uint64_t value) {
  const Signature *sig = signature(name);
  if (!sig || index >= sig->arity) return std::nullopt;
  return render(sig->args[index], value);
}

std::string format_call(const std::string &name, const std::array<uint64_t, 6> &args) {
  std::vector<std::string> shown;
  if (auto decoded = decode_args(name, args)) {
    shown = std::move(*decoded);
  } else {
    // Without a signature the arity is unknown: registers past it hold leftovers, often 0,
    // so show up to the last non-zero argument.
    size_t n = args.size();
    while (n > 0 && args[n - 1] == 0) --n;
    for (size_t i = 0; i < n; ++i) shown.push_back(hex(args[i]));
  }
  std::string out = name + "(";
  for (size_t i = 0; i < shown.size(); ++i) out += (i ? ", " : "") + shown[i];
  return out + ")";
}

}  // namespace syscope::syscalls
