// SPDX-License-Identifier: Apache-2.0
#include "syscope/syscalls/arg_pairs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <array>

#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::profile {
namespace {

constexpr uint32_t kInt = 0xffffffffu;  // a 32-bit int argument: its low word, whatever the
                                        // caller's sign extension left in the high one
// The namespace bits clone(2) can take; Docker's default masks the same ones. (CLONE_NEWTIME
// shares its bit with the exit signal in clone's flags: only unshare and clone3 take it.)
constexpr uint32_t kCloneNamespaces = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
                                      CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;
// socket(2)'s type carries two flags any caller may set; the rule leaves them free.
constexpr uint32_t kSocketType = kInt & ~static_cast<uint32_t>(SOCK_NONBLOCK | SOCK_CLOEXEC);

const std::array kPairs = {
    ArgPair{"socket",
            {0, kInt, "family"},
            ArgField{1, kSocketType, "type"},
            true,
            "address families and socket types the workload never opened (AF_PACKET, AF_VSOCK, "
            "raw sockets, ...)"},
    ArgPair{"socketpair", {0, kInt, "family"}, std::nullopt, true, "other address families"},
    ArgPair{"clone",
            {0, kCloneNamespaces, "namespace flags"},
            std::nullopt,
            true,
            "new namespaces (CLONE_NEWUSER and friends) unless the workload made them"},
    ArgPair{"personality",
            {0, kInt, "persona"},
            std::nullopt,
            true,
            "execution domains the workload never asked for (PER_BSD, ADDR_NO_RANDOMIZE, ...)"},
    ArgPair{"ioctl", {1, kInt, "request"}, std::nullopt, true, "every other ioctl request"},
    ArgPair{"prctl", {0, kInt, "option"}, std::nullopt, true, "every other prctl option"},
    ArgPair{"fcntl", {1, kInt, "cmd"}, std::nullopt, true, "every other fcntl command"},
    ArgPair{"fcntl64", {1, kInt, "cmd"}, std::nullopt, true, "every other fcntl command"},
    ArgPair{"setsockopt", {1, kInt, "level"}, std::nullopt, true, "other option levels"},
    ArgPair{"getsockopt", {1, kInt, "level"}, std::nullopt, true, "other option levels"},
    ArgPair{"mmap",
            {2, PROT_EXEC, "PROT_EXEC"},
            std::nullopt,
            false,
            "executable mappings, when the workload made none"},
    ArgPair{"mmap2",
            {2, PROT_EXEC, "PROT_EXEC"},
            std::nullopt,
            true,
            "executable mappings, when the workload made none"},
    ArgPair{"mprotect",
            {2, PROT_EXEC, "PROT_EXEC"},
            std::nullopt,
            true,
            "making memory executable, when the workload never did"},
};
static_assert(kPairs.size() < SYSCOPE_ARG_PAIRS);

}  // namespace

std::span<const ArgPair> tracked_arg_pairs() { return kPairs; }

std::optional<uint32_t> arg_pair_index(std::string_view syscall) {
  for (size_t i = 0; i < kPairs.size(); ++i)
    if (kPairs[i].syscall == syscall) return static_cast<uint32_t>(i);
  return std::nullopt;
}

ArgFieldValues split_arg_value(const ArgPair &pair, uint64_t value) {
  return {static_cast<uint32_t>(value) & pair.first.mask,
          pair.second ? static_cast<uint32_t>(value >> 32) & pair.second->mask : 0};
}

ArgPlan arg_plan() {
  ArgPlan plan;
  for (size_t i = 0; i < kPairs.size(); ++i) {
    const auto &pair = kPairs[i];
    auto &kernel = plan.plans[i];
    kernel.arg = static_cast<__u8>(pair.first.index);
    kernel.mask = pair.first.mask;
    kernel.arg2 = pair.second ? static_cast<__u8>(pair.second->index) : SYSCOPE_ARG_NONE;
    kernel.mask2 = pair.second ? pair.second->mask : 0;
    for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch) {
      if (arch == SYSCOPE_ARCH_COMPAT && !pair.compat_same_abi) continue;
      auto nr = seccomp::syscall_number(seccomp::scmp_arch_for(arch), std::string(pair.syscall));
      if (nr && *nr >= 0 && *nr < SYSCOPE_SYSCALL_BITS)
        plan.pair_of[arch][*nr] = static_cast<uint8_t>(i + 1);
    }
  }
  return plan;
}

}  // namespace syscope::profile
