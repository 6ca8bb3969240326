// SPDX-License-Identifier: Apache-2.0
// The effective capability mask read from /proc/<pid>/status text, as the privilege check uses
// it; no real /proc and no privileges needed.
#include <catch2/catch.hpp>

#include <string>

#include "syscope/kernel/bpf_environment.hpp"

using syscope::bpf::effective_capabilities;

namespace {

// /proc/<pid>/status around the capability lines (proc(5)), with the given CapEff line.
std::string status_with(const std::string &cap_eff_line) {
  return "Name:\tsyscope\n"
         "Umask:\t0022\n"
         "State:\tR (running)\n"
         "Tgid:\t4242\n"
         "Pid:\t4242\n"
         "PPid:\t4200\n"
         "Uid:\t0\t0\t0\t0\n"
         "Gid:\t0\t0\t0\t0\n"
         "SigCgt:\t0000000180000000\n"
         "CapInh:\t0000000000000000\n"
         "CapPrm:\t000001ffffffffff\n" +
         cap_eff_line +
         "CapBnd:\t000001ffffffffff\n"
         "CapAmb:\t0000000000000000\n"
         "NoNewPrivs:\t0\n"
         "Seccomp:\t0\n"
         "Seccomp_filters:\t0\n";
}

}  // namespace

TEST_CASE("CapEff of a root process: every capability up to CAP_CHECKPOINT_RESTORE",
          "[bpf_environment]") {
  CHECK(effective_capabilities(status_with("CapEff:\t000001ffffffffff\n")) == 0x1ffffffffffULL);
}

TEST_CASE("CapEff of an unprivileged process is 0", "[bpf_environment]") {
  CHECK(effective_capabilities(status_with("CapEff:\t0000000000000000\n")) == 0);
}

TEST_CASE("CapEff with CAP_BPF and CAP_PERFMON only", "[bpf_environment]") {
  // CAP_PERFMON is 38, CAP_BPF 39; CAP_SYS_ADMIN (21) is not set.
  uint64_t caps = effective_capabilities(status_with("CapEff:\t000000c000000000\n"));
  CHECK(caps == ((1ULL << 38) | (1ULL << 39)));
  CHECK_FALSE((caps >> 21) & 1);
}

TEST_CASE("CapEff is read from its own line, not CapPrm or CapBnd", "[bpf_environment]") {
  CHECK(effective_capabilities(status_with("CapEff:\t0000000000200000\n")) == (1ULL << 21));
  CHECK(effective_capabilities("CapEff:\tffffffffffffffff") == UINT64_MAX);  // no newline
}

TEST_CASE("no CapEff line gives 0", "[bpf_environment]") {
  CHECK(effective_capabilities(status_with("")) == 0);
  CHECK(effective_capabilities("") == 0);
  CHECK(effective_capabilities("XCapEff:\t000001ffffffffff\n") == 0);  // must start the line
}
