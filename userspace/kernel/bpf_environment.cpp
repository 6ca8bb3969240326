// SPDX-License-Identifier: Apache-2.0
#include "syscope/kernel/bpf_environment.hpp"

#include <linux/capability.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "syscope/base/error.hpp"

namespace syscope::bpf {
namespace {

bool has_cap(uint64_t mask, int cap) { return (mask >> cap) & 1; }

}  // namespace

uint64_t effective_capabilities(const std::string &proc_status) {
  std::istringstream in(proc_status);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  return 0;
}

void require_bpf_environment() {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    throw Error(Exit::environment,
                "this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): syscope's CO-RE "
                "programs need a kernel built with CONFIG_DEBUG_INFO_BTF=y");
  std::ifstream status_file("/proc/self/status");
  std::stringstream status;
  status << status_file.rdbuf();
  uint64_t caps = effective_capabilities(status.str());
  bool allowed =
      has_cap(caps, CAP_SYS_ADMIN) || (has_cap(caps, kCapBpf) && has_cap(caps, kCapPerfmon));
  if (!allowed)
    throw Error(Exit::environment,
                "loading BPF programs needs privileges: run as root or grant CAP_BPF and "
                "CAP_PERFMON (and CAP_SYS_ADMIN to create cgroups)");
}

}  // namespace syscope::bpf
