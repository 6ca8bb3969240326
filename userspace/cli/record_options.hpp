// SPDX-License-Identifier: Apache-2.0
// The options of `syscope record`, shared by its two modes: a command (record.cpp) and named
// containers (record_containers.cpp), and the summary both print.
#pragma once
#include <string>
#include <vector>

#include "syscope/kernel/loss_counters.hpp"
#include "syscope/seccomp/container_profile.hpp"
#include "syscope/seccomp/profile_builder.hpp"

namespace syscope::cli {

struct RecordOptions {
  std::string output;
  std::string format = "docker";
  std::string bitmap_store = "auto";
  bool verbose = false;
  bool track_denials = false;
  std::vector<std::string> containers;
  double duration_s = 0;  // 0: until the containers exit
  double wait_s = 60;     // how long a named container may take to appear
  std::string docker_socket;
  std::vector<std::string> command;
};

void run_record_containers(RecordOptions &opts);

// "syscope: <label>: 47 syscalls (SCMP_ARCH_X86_64) in 0.21 s -> p.json[; losses]" and a
// warning line for numbers libseccomp cannot name.
void print_record_summary(const std::string &label, const profile::BuiltProfile &built,
                          double seconds, const std::string &written_to,
                          const bpf::LossCounters &losses);

std::string join(const std::vector<std::string> &items, const char *sep);

// A container profile's notes and how it compares with Docker's default, one line each, then
// the summary line.
void print_container_summary(const std::string &label, const profile::ContainerProfile &composed,
                             double seconds, const std::string &written_to,
                             const bpf::LossCounters &losses);

}  // namespace syscope::cli
