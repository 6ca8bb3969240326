// SPDX-License-Identifier: Apache-2.0
// Whether `syscope record` keeps arguments: on by default where the kernel can, --args insists,
// --no-args turns it off. Pure, so the fallback a kernel without cgroup storage takes is tested
// on any kernel.
#pragma once
#include <optional>
#include <string>

#include "syscope/kernel/syscall_recorder.hpp"

namespace syscope::cli {

enum class ArgsFlag { by_default, on, off };  // neither flag, --args, --no-args

struct ArgsDecision {
  bool record_args = false;
  // Set when the default falls back to names only: why, for the one stderr note.
  std::optional<std::string> names_only_why;
};

// The default keeps arguments unless the store cannot: the hash store, or the automatic store on
// a kernel without cgroup storage. --args is left on for the recorder to refuse
// (Exit::environment).
ArgsDecision decide_record_args(ArgsFlag flag, bpf::BitmapStore store,
                                bool kernel_has_cgroup_storage);

}  // namespace syscope::cli
