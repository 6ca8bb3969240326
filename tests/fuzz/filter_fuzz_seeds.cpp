// SPDX-License-Identifier: Apache-2.0
// Writes the filter interpreter fuzzer's seeds: real programs libseccomp compiles (Docker's
// default with and without runc's stub, one with argument rules), each after a seccomp_data of a
// call they decide. Usage: filter_fuzz_seeds DIR
#include <linux/audit.h>
#include <linux/seccomp.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/rule_conditions.hpp"
#include "syscope/seccomp/seccomp_filter.hpp"

using namespace syscope::seccomp;

namespace {

void write_seed(const std::string &path, const CompiledFilter &filter, int nr, uint64_t arg0) {
  seccomp_data data{};
  data.nr = nr;
  data.arch = AUDIT_ARCH_X86_64;
  data.args[0] = arg0;
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(&data), sizeof data);
  out.write(reinterpret_cast<const char *>(filter.bpf.data()), std::streamsize(filter.bpf.size()));
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: filter_fuzz_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  Profile docker = load_docker_profile(SYSCOPE_PROFILES "/docker-default-20.10.24.json");
  HostFacts host = current_host();
  write_seed(dir + "/docker-runc", compile_profile(docker, {.runc_enosys = true}, host), 56,
             0x10000000);
  write_seed(dir + "/docker-plain", compile_profile(docker, {.runc_enosys = false}, host), 135, 8);
  Profile args;
  args.default_action = Action::errno_;
  SyscallRule r;
  r.names = {"fcntl"};
  r.action = Action::allow;
  r.args = {{1, 0xff, 0x10, Op::masked_eq}, {2, 4, 0, Op::ge}};
  args.syscalls = {r};
  write_seed(dir + "/args", compile_profile(args, {.runc_enosys = true}, host), 72, 3);
  return 0;
}
