// SPDX-License-Identifier: Apache-2.0
// Profile -> classic BPF the way Docker (profile filtering) and runc (libseccomp rules, ENOSYS
// stub) build it, and installing that program on the calling thread.
#include "syscope/seccomp/seccomp_filter.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/seccomp/essential_calls.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/runc_enosys.hpp"
#include "syscope/syscalls/syscall_names.hpp"

namespace syscope::seccomp {
namespace {

constexpr unsigned kMaxArgs = 6;  // seccomp_data.args[6]

// The kernel's BPF_MAXINSNS: longer programs are refused with EINVAL.
constexpr size_t kMaxInstructions = 4096;

struct CtxDeleter {
  void operator()(void *ctx) const noexcept { seccomp_release(ctx); }
};
using CtxPtr = std::unique_ptr<void, CtxDeleter>;

struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) close(fd);
  }
};

// The model's actions to libseccomp's; errnoRet defaults to EPERM as in runc.
uint32_t parse_action(Action action, std::optional<uint32_t> errno_ret, const std::string &where) {
  uint32_t ret = errno_ret.value_or(EPERM);
  if ((action == Action::errno_ || action == Action::trace) && ret > 0xffff)
    throw Error(Exit::usage, where + ": errnoRet " + std::to_string(ret) + " out of range");
  switch (action) {
    case Action::kill_thread: return SCMP_ACT_KILL_THREAD;
    case Action::kill_process: return SCMP_ACT_KILL_PROCESS;
    case Action::trap: return SCMP_ACT_TRAP;
    case Action::errno_: return SCMP_ACT_ERRNO(ret);
    case Action::trace: return SCMP_ACT_TRACE(ret);
    case Action::allow: return SCMP_ACT_ALLOW;
    case Action::log: return SCMP_ACT_LOG;
    case Action::notify:
      throw Error(Exit::usage, where + ": SCMP_ACT_NOTIFY needs a seccomp listener "
                                       "(listenerPath): not supported");
  }
  // Only a value cast into Action lands here; the parser makes none.
  throw Error(Exit::usage, where + ": unknown action " + action_name(action));
}

scmp_compare parse_op(Op op, const std::string &where) {
  switch (op) {
    case Op::ne: return SCMP_CMP_NE;
    case Op::lt: return SCMP_CMP_LT;
    case Op::le: return SCMP_CMP_LE;
    case Op::eq: return SCMP_CMP_EQ;
    case Op::ge: return SCMP_CMP_GE;
    case Op::gt: return SCMP_CMP_GT;
    case Op::masked_eq: return SCMP_CMP_MASKED_EQ;
  }
  throw Error(Exit::usage, where + ": unknown operator " + op_name(op));
}

std::vector<scmp_arg_cmp> parse_args(const SyscallRule &rule, const std::string &where) {
  std::vector<scmp_arg_cmp> out;
  for (size_t i = 0; i < rule.args.size(); ++i) {
    const ArgCondition &a = rule.args[i];
    std::string at = where + ".args[" + std::to_string(i) + "]";
    if (a.index >= kMaxArgs)
      throw Error(Exit::usage, at + ": index " + std::to_string(a.index) + " is not 0-5");
    scmp_compare op = parse_op(a.op, at + ".op");
    // For MASKED_EQ Docker's "value" is the mask and "valueTwo" the datum, which is libseccomp's
    // datum_a/datum_b order; the other operators take one operand.
    out.push_back({a.index, op, a.value, op == SCMP_CMP_MASKED_EQ ? a.value_two : 0});
  }
  return out;
}

std::string describe(const SyscallRule &rule, const std::string &where) {
  std::string names;
  for (const auto &n : rule.names) names += (names.empty() ? "" : ",") + printable(n);
  return where + " (" + names + ")";
}

// Docker takes "architectures" as they are, or from "archMap" only the native arch's entry with
// its sub-architectures; a profile giving both is refused, as Docker refuses it.
std::vector<std::string> profile_arches(const Profile &profile, uint32_t native) {
  if (!profile.architectures.empty() && !profile.arch_map.empty())
    throw Error(Exit::usage, "'architectures' and 'archMap' both given; use either, as Docker "
                             "requires");
  if (!profile.architectures.empty()) return profile.architectures;
  for (const auto &entry : profile.arch_map) {
    if (resolve_arch(entry.architecture) != native) continue;
    std::vector<std::string> out{entry.architecture};
    out.insert(out.end(), entry.sub_architectures.begin(), entry.sub_architectures.end());
    return out;
  }
  return {};
}

std::vector<unsigned char> export_bpf(void *ctx) {
  // seccomp_export_bpf only writes to a file descriptor; a memfd keeps it off the disk.
  FdGuard mem{memfd_create("syscope-filter", MFD_CLOEXEC)};
  if (mem.fd < 0) throw Error(Exit::environment, "memfd_create: " + errno_text(errno));
  if (int rc = seccomp_export_bpf(ctx, mem.fd); rc < 0)
    throw Error(Exit::environment, "seccomp_export_bpf: " + errno_text(-rc));
  off_t size = lseek(mem.fd, 0, SEEK_END);
  if (size < 0 || lseek(mem.fd, 0, SEEK_SET) < 0)
    throw Error(Exit::environment, "lseek on the filter memfd: " + errno_text(errno));
  std::vector<unsigned char> bytes(static_cast<size_t>(size));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = read(mem.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(Exit::environment, "reading the exported filter failed");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace

CompiledFilter compile_profile(const Profile &profile, const CompileOptions &options) {
  return compile_profile(profile, options, current_host());
}

CompiledFilter compile_profile(const Profile &profile, const CompileOptions &options,
                               const HostFacts &host) {
  CompiledFilter out;
  // Docker 20.10 drops defaultErrnoRet on its way to runc: the default errno is EPERM.
  uint32_t default_action = parse_action(profile.default_action, std::nullopt, "defaultAction");
  CtxPtr ctx(seccomp_init(default_action));
  if (!ctx)
    throw Error(Exit::usage,
                "libseccomp refused defaultAction " + action_name(profile.default_action));

  // seccomp_init() already added the native arch; further arches are added next to it.
  std::vector<uint32_t> arches{seccomp_arch_native()};
  for (const auto &name : profile_arches(profile, host.native_arch)) {
    auto token = resolve_arch(name);
    if (!token) throw Error(Exit::usage, "unknown architecture \"" + printable(name) + "\"");
    int rc = seccomp_arch_add(ctx.get(), *token);
    if (rc < 0 && rc != -EEXIST)
      throw Error(Exit::usage,
                  "libseccomp refused architecture " + printable(name) + ": " + errno_text(-rc));
    if (std::find(arches.begin(), arches.end(), *token) == arches.end()) arches.push_back(*token);
  }

  std::vector<std::string> named;  // known names of rules kept: they set the ENOSYS limits
  for (size_t i = 0; i < profile.syscalls.size(); ++i) {
    const SyscallRule &rule = profile.syscalls[i];
    std::string where = "syscalls[" + std::to_string(i) + "]";
    // Validated even when includes/excludes drop the rule here: it may apply on another host.
    uint32_t action = parse_action(rule.action, rule.errno_ret, where);
    std::vector<scmp_arg_cmp> args = parse_args(rule, where);
    if (auto reason = rule_ruled_out(rule, host)) {
      out.skipped_rules.push_back(describe(rule, where) + ": " + *reason);
      continue;
    }
    for (const auto &name : rule.names) {
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) {  // Docker warns and goes on; the caller warns
        if (std::find(out.skipped_names.begin(), out.skipped_names.end(), name) ==
            out.skipped_names.end())
          out.skipped_names.push_back(name);
        continue;
      }
      named.push_back(name);
      // libseccomp refuses rules that repeat the default action; runc leaves them out.
      if (action == default_action) continue;
      int rc = 0;
      if (index_repeats(rule.args)) {
        for (const auto &cmp : args)
          if ((rc = seccomp_rule_add_array(ctx.get(), action, nr, 1, &cmp)) < 0) break;
      } else {
        rc = seccomp_rule_add_array(ctx.get(), action, nr, static_cast<unsigned>(args.size()),
                                    args.empty() ? nullptr : args.data());
      }
      if (rc < 0)
        throw Error(Exit::usage, where + ": libseccomp refused the rule for " + printable(name) +
                                     ": " + errno_text(-rc));
    }
  }

  out.bpf = export_bpf(ctx.get());
  bool permissive = default_action == SCMP_ACT_ALLOW || default_action == SCMP_ACT_LOG;
  if (options.runc_enosys && !permissive) {
    std::vector<ArchLimit> limits;
    auto highest_named = [&](uint32_t arch) {
      std::optional<int> max;
      for (const auto &name : named)
        if (auto nr = syscall_number(arch, name); nr && (!max || *nr > *max)) max = nr;
      return max;
    };
    for (uint32_t arch : arches) {
      // SCMP_ARCH_X32 is no AUDIT_ARCH value: its numbers (x32 bit set) get their own compare
      // in x86_64's section, as in runc, when the filter holds both.
      if (arch == SCMP_ARCH_X32) continue;
      if (auto max = highest_named(arch)) limits.push_back({arch, static_cast<uint32_t>(*max)});
    }
    if (std::find(arches.begin(), arches.end(), SCMP_ARCH_X32) != arches.end())
      if (auto x32_max = highest_named(SCMP_ARCH_X32))
        for (auto &limit : limits)
          if (limit.audit_arch == AUDIT_ARCH_X86_64) limit.x32_max_nr = uint32_t(*x32_max);
    if (!limits.empty()) {
      std::vector<sock_filter> stub = enosys_stub(limits);
      auto *first = reinterpret_cast<const unsigned char *>(stub.data());
      out.bpf.insert(out.bpf.begin(), first, first + stub.size() * sizeof(sock_filter));
      out.stub_instructions = stub.size();
    }
  }
  size_t count = out.bpf.size() / sizeof(sock_filter);
  if (count > kMaxInstructions)
    throw Error(Exit::usage, "the filter has " + std::to_string(count) +
                                 " instructions, more than the kernel's limit of " +
                                 std::to_string(kMaxInstructions));
  return out;
}

bool index_repeats(const std::vector<ArgCondition> &args) {
  unsigned counts[kMaxArgs] = {};
  for (const auto &a : args)
    if (a.index < kMaxArgs && ++counts[a.index] > 1) return true;
  return false;
}

std::vector<EssentialDenial> essential_denials(const Profile &profile) {
  return essential_denials(profile, current_host());
}

std::vector<EssentialDenial> essential_denials(const Profile &profile, const HostFacts &host) {
  auto denying = [](Action a) { return a != Action::allow && a != Action::log; };
  std::vector<EssentialDenial> out;
  for (const auto &[name, needed_for] : essential_calls()) {
    std::optional<Action> outright;     // the first rule without conditions naming it
    std::optional<Action> conditional;  // a rule with conditions that answers otherwise
    for (const auto &rule : profile.syscalls) {
      if (std::find(rule.names.begin(), rule.names.end(), name) == rule.names.end()) continue;
      if (rule_ruled_out(rule, host)) continue;
      if (rule.args.empty()) {
        if (!outright) outright = rule.action;
      } else if (!conditional || denying(rule.action) != denying(profile.default_action)) {
        conditional = rule.action;
      }
    }
    if (outright) {  // libseccomp: a rule without conditions takes the call whatever the args
      if (denying(*outright)) out.push_back({name, needed_for, *outright, false});
      continue;
    }
    bool by_default = denying(profile.default_action);
    if (conditional && denying(*conditional) != by_default)  // denied for some arguments only
      out.push_back({name, needed_for, by_default ? profile.default_action : *conditional, true});
    else if (by_default)
      out.push_back({name, needed_for, profile.default_action, false});
  }
  return out;
}

void install_filter(const CompiledFilter &filter, bool all_threads) {
  if (filter.bpf.empty() || filter.bpf.size() % sizeof(sock_filter) != 0)
    throw Error(Exit::environment, "install_filter: not a classic BPF program");
  // operator new's alignment covers sock_filter's, so the bytes can be handed over in place.
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(filter.bpf.size() / sizeof(sock_filter));
  prog.filter = reinterpret_cast<sock_filter *>(const_cast<unsigned char *>(filter.bpf.data()));
  // Without CAP_SYS_ADMIN the kernel accepts a filter only under no_new_privs, which also keeps
  // a setuid CMD from escaping it.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw Error(Exit::environment, "prctl(PR_SET_NO_NEW_PRIVS): " + errno_text(errno));
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                    all_threads ? SECCOMP_FILTER_FLAG_TSYNC : 0, &prog);
  if (rc > 0)  // TSYNC: the id of a thread that could not be synchronised
    throw Error(Exit::environment, "seccomp(SECCOMP_FILTER_FLAG_TSYNC): thread " +
                                       std::to_string(rc) + " cannot take the filter");
  if (rc != 0)
    throw Error(Exit::environment, "seccomp(SECCOMP_SET_MODE_FILTER): " + errno_text(errno));
}

std::optional<std::string> filter_size_warning(const CompiledFilter &filter) {
  constexpr size_t kKernelLimit = BPF_MAXINSNS;
  if (filter.instructions() * 4 <= kKernelLimit * 3) return std::nullopt;
  return "the compiled filter has " + std::to_string(filter.instructions()) + " of the kernel's " +
         std::to_string(kKernelLimit) +
         " instructions (BPF_MAXINSNS): a runtime that adds more "
         "may be refused";
}

}  // namespace syscope::seccomp
