// SPDX-License-Identifier: Apache-2.0
// The pair table's kernel plan (syscalls/arg_pairs.hpp) written into a skeleton's read-only data
// before load, for every object that includes bpf/arg_values.bpf.h (record's, the daemon's): the
// kernel side holds no syscall table of its own.
#pragma once
#include <cstring>

#include "syscope/syscalls/arg_pairs.hpp"

namespace syscope::bpf {

template <typename Skeleton> void set_arg_plan(Skeleton &skel) {
  auto plan = profile::arg_plan();
  skel.rodata->record_args = 1;
  static_assert(sizeof skel.rodata->arg_pair_of == sizeof plan.pair_of);
  static_assert(sizeof skel.rodata->arg_plans == sizeof plan.plans);
  std::memcpy(const_cast<__u8 *>(&skel.rodata->arg_pair_of[0][0]), plan.pair_of,
              sizeof plan.pair_of);
  std::memcpy(const_cast<syscope_arg_plan *>(&skel.rodata->arg_plans[0]), plan.plans,
              sizeof plan.plans);
}

}  // namespace syscope::bpf
