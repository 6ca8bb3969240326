// SPDX-License-Identifier: Apache-2.0
#include "profile_output_options.hpp"

#include <cstdio>

#include "record_options.hpp"
#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"
#include "syscope/seccomp/profile_coverage.hpp"

namespace syscope::cli {

void add_profile_output_options(CLI::App &cmd, ProfileOutputOptions &opts, bool output_required) {
  auto *out = cmd.add_option("-o,--output", opts.output,
                             output_required ? "Profile file to write"
                                             : "Profile file to write (default: stdout)");
  if (output_required) out->required();
  cmd.add_option("--format", opts.format,
                 "docker, oci (linux.seccomp) or spo (a security-profiles-operator "
                 "SeccompProfile)")
      ->check(CLI::IsMember({"docker", "oci", "spo"}));
  cmd.add_option("--name", opts.spo.name,
                 "spo: metadata.name (made DNS-1123: lowercase, other characters to '-')");
  cmd.add_flag("--partial", opts.spo.partial,
               "spo: a partial profile for SPO's recording merger (labels "
               "spo.x-k8s.io/partial, recording-id, recording-namespace, container-id)");
  cmd.add_option("--recording-id", opts.spo.recording_id,
                 "spo --partial: the ProfileRecording's name");
  cmd.add_option("--recording-namespace", opts.spo.recording_namespace,
                 "spo --partial: the ProfileRecording's namespace");
  cmd.add_option("--container-id", opts.spo.container_id,
                 "spo --partial: the container name SPO groups partial profiles by");
}

std::string write_profile_document(const seccomp::ProfileDocument &doc,
                                   const ProfileOutputOptions &opts,
                                   const std::string &default_name, const std::string &origin) {
  auto format = seccomp::profile_format_from_name(opts.format);
  const auto &m = opts.spo;
  bool spo_flags = !m.name.empty() || m.partial || !m.recording_id.empty() ||
                   !m.recording_namespace.empty() || !m.container_id.empty();
  if (spo_flags && format != seccomp::ProfileFormat::spo)
    throw Error(Exit::usage, "--name, --partial, --recording-id, --recording-namespace and "
                             "--container-id are for --format spo");
  if (m.partial &&
      (m.recording_id.empty() || m.recording_namespace.empty() || m.container_id.empty()))
    throw Error(Exit::usage, "--partial needs --recording-id, --recording-namespace and "
                             "--container-id: SPO's merger finds partial profiles by them");
  if (!m.partial &&
      (!m.recording_id.empty() || !m.recording_namespace.empty() || !m.container_id.empty()))
    throw Error(Exit::usage, "--recording-id, --recording-namespace and --container-id label a "
                             "partial profile: add --partial");
  seccomp::SpoMetadata meta = m;
  if (meta.name.empty()) meta.name = default_name;

  util::AtomicFile output(opts.output, kProfileOutput);
  // Beside a file only: a device or FIFO written in place (-o /dev/null) has no "beside".
  bool side_coverage =
      format != seccomp::ProfileFormat::spo && !doc.coverage.empty() && !output.temp_path().empty();
  std::optional<std::string> size_warning;
  std::string text = seccomp::render_profile(doc, format, meta, origin, &size_warning);
  std::string written = output.is_stdout() ? "stdout" : output.path();
  if (side_coverage) {
    util::AtomicFile coverage(seccomp::coverage_path_for(opts.output));
    output.commit(text);
    coverage.commit(seccomp::coverage_json(doc.coverage).dump(2) + "\n");
    written += " and " + coverage.path();
  } else {
    output.commit(text);
  }
  warn_if_large(size_warning);
  return written;
}

}  // namespace syscope::cli
