// SPDX-License-Identifier: Apache-2.0
// --suggest: the smallest profile rule that allows exactly the refused call, and what allowing
// it costs. The advice is always a rule to add; never to drop the profile.
#include <cerrno>
#include <set>

#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/syscalls/call_format.hpp"
#include "syscope/syscalls/syscall_names.hpp"
#include "syscope/watch/watch_report.hpp"

namespace syscope::watch {
namespace {

// The reasons file also explains refusals that are not about security (calls newer than the
// profile, which runc answers ENOSYS); those are notes, not warnings.
bool security_reason(const std::string &reason) { return reason.rfind("newer than", 0) != 0; }

}  // namespace

std::string rule_to_json(const seccomp::SyscallRule &rule) {
  return seccomp::rule_json(rule).dump();
}

std::optional<Suggestion> suggest_fix(const Denial &d) {
  if (d.nr < 0) return std::nullopt;
  auto name = seccomp::syscall_name(seccomp::scmp_arch_for(d.arch), d.nr);
  if (!name) return std::nullopt;
  const auto &docker = seccomp::DockerDefault::for_this_host();

  Suggestion s;
  s.who = who(d);
  s.container = d.container;
  s.call = syscalls::format_call(*name, d.args);
  s.rule.names = {*name};
  s.rule.action = seccomp::Action::allow;

  std::string reason = denial_reason(d);
  if (docker.allows_by_argument(*name)) {
    // Keep Docker's argument check on the same arguments, narrowed to the observed values.
    std::set<unsigned> indexes;
    for (const auto &rule : docker.argument_rules(*name))
      for (const auto &c : rule.args)
        if (c.index < d.args.size()) indexes.insert(c.index);
    for (unsigned i : indexes) s.rule.args.push_back({i, d.args[i], 0, seccomp::Op::eq});
    if (reason.rfind("Docker's default allows it", 0) != 0)
      s.warnings.push_back(
          (reason.rfind("Docker's default", 0) == 0
               ? reason
               : "Docker's default refuses " + s.call + ": " + reason) +
          ". Add the rule to this container's profile only, and only if it cannot work "
          "without the call");
    else
      s.notes.push_back("Docker's default allows " + s.call +
                        "; the container's own profile refuses it");
  } else if (!docker.allows(*name)) {
    auto why = docker.refusal_reason(*name);
    if (why && security_reason(*why))
      s.warnings.push_back("Docker's default refuses " + *name + ": " + *why +
                           ". Add the rule to this container's profile only, and only if it "
                           "cannot work without the call");
    else
      s.notes.push_back("Docker's default refuses " + *name + ": " +
                        why.value_or("not in its allow list"));
  } else {
    s.notes.push_back("Docker's default allows " + *name +
                      "; the container's own profile refuses it");
  }

  if (d.action == SYSCOPE_ACTION_ERRNO && d.err == ENOSYS)
    s.notes.push_back(
        "answered ENOSYS, as Docker does for clone3 and runc for calls newer than "
        "the profile: libc usually falls back to an older call (clone3 -> clone, faccessat2 -> "
        "faccessat), so the program may work as it is; add the rule only if it "
        "fails");
  if (d.arch == SYSCOPE_ARCH_COMPAT)
    s.notes.push_back("a 32-bit (i386) call: the profile's \"architectures\" must include "
                      "SCMP_ARCH_X86");
  if (d.traced)
    s.notes.push_back("a ptrace tracer was attached: it may have skipped this call itself, "
                      "in which case the profile did not refuse it");
  return s;
}

std::string format_text(const Suggestion &s) {
  std::string out = "suggest for " + s.who + ": to allow " + s.call +
                    ", add this rule to the profile's \"syscalls\":\n";
  out += "  " + rule_to_json(s.rule) + "\n";
  for (const auto &w : s.warnings) out += "  warning: " + w + "\n";
  for (const auto &n : s.notes) out += "  note: " + n + "\n";
  return out;
}

nlohmann::ordered_json to_json(const Suggestion &s) {
  nlohmann::ordered_json j;
  j["type"] = "suggestion";
  j["who"] = s.who;
  if (s.container) {
    j["container"] = {{"runtime", s.container->runtime},
                      {"id", s.container->id},
                      {"name", s.container->name},
                      {"image", s.container->image}};
  } else {
    j["container"] = nullptr;
  }
  j["call"] = s.call;
  j["rule"] = seccomp::rule_json(s.rule);
  j["warnings"] = s.warnings;
  j["notes"] = s.notes;
  return j;
}

std::string format_json(const Suggestion &s) {
  return to_json(s).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::optional<Suggestion> SuggestOnce::operator()(const Denial &d) {
  auto s = suggest_fix(d);
  if (!s) return std::nullopt;
  std::string who_key = "host";
  if (d.container)
    who_key = !d.container->id.empty() ? d.container->id : "cgroup " + std::to_string(d.cgroup_id);
  // The rule holds the syscall and its argument condition.
  if (!seen_.insert(who_key + "\n" + rule_to_json(s->rule)).second) return std::nullopt;
  return s;
}

}  // namespace syscope::watch
