// SPDX-License-Identifier: Apache-2.0
// The room record reserves for a profile before CMD runs (kProfileOutput) holds the biggest
// profile it can write: every number of both syscope arches entered, in either format, and a
// container's with half of them refused by the recording run's filter, each with an errno of its
// own (one rule per errno: the longest form).
#include <catch2/catch.hpp>

#include "../../userspace/cli/record_options.hpp"
#include "syscope/seccomp/container_profile.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/seccomp/runtime_gap.hpp"

using namespace syscope;

namespace {

profile::SyscallSet every_call() {
  profile::SyscallSet all;
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch)
    for (uint32_t nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) all.add(arch, nr);
  return all;
}

}  // namespace

TEST_CASE("the biggest profile record writes fits in the room it reserves", "[profile_reserve]") {
  auto built = profile::allow_list_profile(every_call());
  size_t docker = seccomp::to_docker_json(built.profile).size();
  size_t oci = record::to_oci_json(built.profile).size();

  // Under a filter, half the calls made, the other half refused: the refused ones are rules of
  // their own, one per errno.
  profile::CgroupCalls calls;
  uint32_t err = 1;
  for (uint32_t arch = 0; arch < SYSCOPE_ARCH_COUNT; ++arch)
    for (uint32_t nr = 0; nr < SYSCOPE_SYSCALL_BITS; ++nr) {
      if (nr % 2)
        calls.denials[{arch, nr, err++}] = 1;
      else
        calls.sets[SYSCOPE_SET_FILTERED].add(arch, nr);
    }
  auto composed = profile::compose_container_profile(calls, record::runtime_gap_names(),
                                                     seccomp::DockerDefault::for_this_host());
  size_t container = seccomp::to_docker_json(composed.built.profile).size();
  size_t container_oci = record::to_oci_json(composed.built.profile).size();

  WARN("biggest profiles: " << docker << " bytes (docker), " << oci << " (oci); container "
                            << container << " (docker), " << container_oci << " (oci); reserved "
                            << cli::kProfileOutput.reserve);
  for (size_t size : {docker, oci, container, container_oci})
    CHECK(size < cli::kProfileOutput.reserve);
}
