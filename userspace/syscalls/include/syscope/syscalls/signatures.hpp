// SPDX-License-Identifier: Apache-2.0
// The one syscall signature table: per call name, each argument's kind, whether the call
// returns, and so what trace mode reads from user memory. Everything else derives from it: the
// kernel's capture plan (kernel/trace_recorder.cpp), the argument decoding of watch and trace
// show (call_format.cpp), and where trace show puts a captured string (the record names the
// argument, from this plan). Names only, matched against libseccomp's names; numbers always
// come from libseccomp.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "syscope/abi.h"

namespace syscope::syscalls {

enum class ArgKind : uint8_t {
  pointer,       // an address trace does not read: 0x..., NULL for 0
  buffer,        // bytes the call reads or fills (read, write, readlink's result): a pointer
  hex,           // a number best read in hex (an ioctl request, flags without names): 0 or 0x...
  uint,          // a size or count
  int32,         // a C int (pid, uid, a count); registers hold it in the low 32 bits
  int64,         // a signed 64-bit value (off_t)
  fd,            // an fd or dirfd: AT_FDCWD for -100
  flags,         // a flag word or named constant, shown by its Decoder
  mode,          // permission bits, octal
  create_mode,   // a mode that means something only when the flags before it create a file
                 // (O_CREAT, O_TMPFILE): shown only then, as strace does
  signal,        // SIGKILL, ...
  path,          // a NUL-terminated path: captured
  string,        // a NUL-terminated string that is not a path (mount's source and filesystem
                 // type, xattr names): captured
  sockaddr_in,   // a struct sockaddr the call is given; Arg::len_arg holds its length: captured
  sockaddr_out,  // a struct sockaddr the call fills; Arg::len_arg points to its socklen_t:
                 // captured at exit when the call succeeded
};

// How a flags argument is named (the decoders live in call_format.cpp).
enum class Decoder : uint8_t {
  none,         // hex
  clone,        // clone(): CLONE_* with the exit signal in the low byte
  unshare,      // unshare()/setns(): CLONE_* only
  mount,        // MS_*
  umount,       // MNT_*, UMOUNT_NOFOLLOW
  personality,  // PER_* with its flags
  family,       // AF_*
  socket_type,  // SOCK_* | SOCK_NONBLOCK | SOCK_CLOEXEC
  sock_flags,   // SOCK_NONBLOCK | SOCK_CLOEXEC alone (accept4)
  open,         // O_*
  ptrace,       // PTRACE_* requests
};

struct Arg {
  ArgKind kind = ArgKind::pointer;
  Decoder decoder = Decoder::none;  // kind == flags
  uint8_t len_arg = 0;              // sockaddr_in / sockaddr_out: see ArgKind
};

// What a call returns, as far as showing it goes.
enum class Returns : uint8_t {
  value,    // a number or -errno
  address,  // an address (mmap, brk): shown in hex
  never,    // exit, exit_group: trace records them at entry
};

struct Signature {
  std::string_view name;  // libseccomp's name
  uint8_t arity = 0;
  std::array<Arg, 6> args{};
  Returns returns = Returns::value;

  constexpr Signature(std::string_view n, std::initializer_list<Arg> a, Returns r = Returns::value)
      : name(n), arity(static_cast<uint8_t>(a.size())), returns(r) {
    size_t i = 0;
    for (const Arg &arg : a)
      if (i < args.size()) args[i++] = arg;
  }
};

// Whether trace mode reads an argument of this kind from user memory.
constexpr bool is_captured(ArgKind k) {
  return k == ArgKind::path || k == ArgKind::string || k == ArgKind::sockaddr_in ||
         k == ArgKind::sockaddr_out;
}

// Whether the kernel takes an argument of this kind as a 32-bit int (the register's upper half is
// ignored by the call but seen by seccomp, which compares all 64 bits): C ints, fds, signals,
// modes, and the flag words declared int or unsigned int (not clone's or mount's longs).
constexpr bool is_32bit(const Arg &a) {
  switch (a.kind) {
    case ArgKind::int32:
    case ArgKind::fd:
    case ArgKind::signal:
    case ArgKind::mode:
    case ArgKind::create_mode: return true;
    case ArgKind::flags:
      return a.decoder != Decoder::clone && a.decoder != Decoder::mount &&
             a.decoder != Decoder::ptrace && a.decoder != Decoder::none;
    default: return false;
  }
}

// A word for what an argument is, from its kind ("family", "flags", "fd"); empty when the kind
// says nothing more than "a number".
std::string_view arg_role(const Arg &a);

// Every signature, sorted by name.
std::span<const Signature> signatures();
// The signature of `name`; nullptr for a call the table does not know (shown in hex).
const Signature *signature(std::string_view name);

// The kernel's capture plan for a call (map capture_plan's value): one slot per captured
// argument, in argument order, and whether the call returns. nullopt when the kernel needs no
// plan (nothing to read, and it returns).
std::optional<syscope_capture_plan> capture_plan(const Signature &sig);

}  // namespace syscope::syscalls
