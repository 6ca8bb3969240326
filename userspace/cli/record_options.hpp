// SPDX-License-Identifier: Apache-2.0
// The options of `syscope record`, shared by its two modes: a command (record.cpp) and named
// containers (record_containers.cpp), and the summary both print.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "syscope/base/atomic_file.hpp"
#include "syscope/cli/record_args.hpp"
#include "syscope/kernel/loss_counters.hpp"
#include "syscope/kernel/syscall_recorder.hpp"
#include "syscope/seccomp/container_profile.hpp"
#include "syscope/seccomp/profile_builder.hpp"

namespace syscope::cli {

struct RecordOptions {
  std::string output;
  std::string format = "docker";
  std::string bitmap_store = "auto";
  bool verbose = false;
  bool track_denials = false;
  // Argument-aware rules for the tracked calls (syscope/cli/record_args.hpp): on by default,
  // where the kernel can; an explicit --args insists, --no-args turns it off.
  ArgsFlag args = ArgsFlag::by_default;
  bool record_args = false;  // what this run does: set by resolve_record_args
  std::vector<std::string> containers;
  double duration_s = 0;  // 0: until the containers exit
  double wait_s = 60;     // how long a named container may take to appear
  std::string docker_socket;
  std::vector<std::string> command;
};

// Every profile file record writes: room reserved before CMD runs (or before the container is
// recorded), so a full filesystem fails first, and a copy in $TMPDIR if the final write fails.
// Measured (tests/unit/profile_reserve_test.cpp): every syscall libseccomp names on x86_64 and
// i386 allowed makes 9.9 KB; a container's profile with half of them refused while recording,
// each with an errno of its own, 34 KB. 64 KiB holds either with room to spare.
inline constexpr util::AtomicFileOptions kProfileOutput{64 * 1024, true};

void run_record_containers(RecordOptions &opts);

// Sets opts.record_args by decide_record_args, with the one stderr note of a fallback to names
// only.
void resolve_record_args(RecordOptions &opts, bpf::BitmapStore store);

// What compose_container_profile needs to know of an argument recording: complete unless the
// kernel lost events (a lost value event would make a rule that refuses a call the workload made).
profile::ArgumentRecording argument_recording(const RecordOptions &opts,
                                              const bpf::LossCounters &losses);

// "syscope: <label>: 47 syscalls (SCMP_ARCH_X86_64) in 0.21 s -> p.json[; losses]" and a
// warning line for numbers libseccomp cannot name.
void print_record_summary(const std::string &label, const profile::BuiltProfile &built,
                          double seconds, const std::string &written_to,
                          const bpf::LossCounters &losses);

// Prints write_profile's warning about a compiled filter near the kernel's limit, if any.
void warn_if_large(const std::optional<std::string> &size_warning);

std::string join(const std::vector<std::string> &items, const char *sep);

// A container profile's notes and how it compares with Docker's default, one line each, then
// the summary line.
void print_container_summary(const std::string &label, const profile::ContainerProfile &composed,
                             double seconds, const std::string &written_to,
                             const bpf::LossCounters &losses);

}  // namespace syscope::cli
