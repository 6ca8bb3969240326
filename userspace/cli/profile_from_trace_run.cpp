// SPDX-License-Identifier: Apache-2.0
// `syscope profile from-trace`: reads the trace, builds the profile, writes it with record's
// own output code and prints record's summary.
#include <cstdio>

#include "record_options.hpp"
#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"
#include "syscope/cli/trace_runs.hpp"
#include "syscope/seccomp/profile_output.hpp"
#include "syscope/trace/profile_from_trace.hpp"

namespace syscope::cli {
using namespace syscope::trace;

int run_profile_from_trace(const std::string &path, const std::optional<std::string> &container,
                           const std::string &output_path, const std::string &format) {
  util::AtomicFile output(output_path);  // proves the path writable before the work
  auto result = profile_from_trace(path, container);
  if (result.stopped_early)
    std::fprintf(stderr,
                 "syscope: %s: read stopped early, at %s: the profile covers the %llu "
                 "records before it\n",
                 path.c_str(), result.stopped_early->c_str(),
                 static_cast<unsigned long long>(result.records));
  record::write_profile(result.composed.built.profile, format, output);
  std::string written_to = output.is_stdout() ? "stdout" : output_path;
  if (result.for_container)
    cli::print_container_summary(result.label, result.composed, result.seconds, written_to,
                                 result.losses);
  else
    cli::print_record_summary(result.label, result.composed.built, result.seconds, written_to,
                              result.losses);
  return 0;
}

}  // namespace syscope::cli
