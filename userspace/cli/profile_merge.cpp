// SPDX-License-Identifier: Apache-2.0
// syscope profile merge A B ... -o OUT [--format docker|oci|spo]: the union of profiles recorded
// on many nodes, with coverage as the instances that made each call.
#include <cstdio>

#include "profile_output_options.hpp"
#include "syscope/base/error.hpp"
#include "syscope/cli/commands.hpp"
#include "syscope/seccomp/profile_merge.hpp"

namespace syscope::cli {

void print_profile_warnings(const std::vector<std::string> &warnings);  // profile_convert.cpp
std::string profile_file_stem(const std::string &path);                 // profile_convert.cpp

namespace {

// An input without coverage is one instance: an SPO partial profile by its labels (SPO's merger
// counts one per partial), any other by its content, so the same profile given twice counts once.
seccomp::Coverage own_coverage(const seccomp::ProfileDocument &doc) {
  std::string id;
  if (doc.spo && doc.spo->partial)
    id = "spo:" + doc.spo->recording_namespace + "/" + doc.spo->recording_id + "/" +
         doc.spo->container_id;
  else
    id = seccomp::profile_unit_id(doc.profile);
  seccomp::CoverageUnit unit;
  unit.instances.insert(id);
  for (const auto &rule : doc.profile.syscalls)
    if (rule.action == seccomp::Action::allow || rule.action == seccomp::Action::log)
      for (const auto &name : rule.names) unit.syscalls[name] = 1;
  seccomp::Coverage out;
  out.units[id] = std::move(unit);
  return out;
}

std::string partial_calls(const seccomp::Coverage &coverage) {
  size_t total = coverage.instances();
  std::string out;
  for (const auto &[name, n] : coverage.counts())
    if (n < total)
      out +=
          (out.empty() ? "" : ", ") + name + " " + std::to_string(n) + "/" + std::to_string(total);
  return out;
}

}  // namespace

void add_profile_merge(CLI::App &profile_cmd) {
  struct Options {
    std::vector<std::string> files;
    ProfileOutputOptions out;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "merge", "The union of profiles (names and argument rules), coverage kept per instance; "
               "idempotent and independent of the order");
  cmd->add_option("files", opts->files, "Profile files (Docker, OCI or SPO)")->required();
  add_profile_output_options(*cmd, opts->out, true);
  cmd->callback([opts] {
    std::vector<seccomp::ProfileDocument> docs;
    for (const auto &file : opts->files) {
      std::vector<std::string> warnings;
      docs.push_back(seccomp::load_profile_document(file, &warnings));
      print_profile_warnings(warnings);
    }
    std::vector<seccomp::MergeInput> inputs;
    for (size_t i = 0; i < docs.size(); ++i) inputs.push_back({&docs[i].profile, opts->files[i]});
    seccomp::ProfileDocument merged;
    merged.profile = seccomp::merge_profiles(inputs);
    for (const auto &doc : docs)
      merged.coverage = seccomp::merge_coverage(
          merged.coverage, doc.coverage.empty() ? own_coverage(doc) : doc.coverage);
    std::string name = opts->out.output == "-" ? "merged" : profile_file_stem(opts->out.output);
    std::string written = write_profile_document(merged, opts->out, name, "the merged profile");
    if (auto partial = partial_calls(merged.coverage); !partial.empty())
      std::fprintf(stderr, "syscope: seen in only some instances: %s\n", partial.c_str());
    size_t names = 0;
    for (const auto &rule : merged.profile.syscalls) names += rule.names.size();
    std::fprintf(stderr,
                 "syscope: merged %zu profiles (%zu instances): %zu rules, %zu names -> %s\n",
                 docs.size(), merged.coverage.instances(), merged.profile.syscalls.size(), names,
                 written.c_str());
  });
}

}  // namespace syscope::cli
