// SPDX-License-Identifier: Apache-2.0
// `syscope profile from-trace`: reads the trace, builds the profile, writes it with record's
// own output code and prints record's summary. An incomplete trace is said (and with --strict
// refused); a trace in which the selection made no call gives no profile at all, since a
// profile from zero calls would deny everything.
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
                           const std::string &output_path, const std::string &format, bool strict) {
  util::AtomicFile output(output_path);  // proves the path writable before the work
  ProfileFromTrace result;
  try {
    result = profile_from_trace(path, container);
  } catch (const Error &e) {
    std::string what = e.what();
    if (what.rfind("profile from-trace: ", 0) == 0) throw;
    throw Error(e.code, "profile from-trace: " + what);
  }
  if (result.calls.all().empty()) {
    std::string selection = result.for_container ? "of container " + result.label + " " : "";
    if (auto why = incompleteness(path, result.outcome))
      throw Error(Exit::usage, "profile from-trace: " + *why + "; no syscalls " + selection +
                                   "in it: no profile written");
    throw Error(Exit::usage, "profile from-trace: " + path + ": no syscalls " + selection +
                                 "in the trace (" + std::to_string(result.records) +
                                 " records read): no profile written");
  }
  if (int status = report_incomplete("profile from-trace", path, result.outcome, strict,
                                     strict ? "no profile written (--strict)"
                                            : "the profile may be incomplete"))
    return status;  // the AtomicFile goes: nothing is written
  record::write_profile(result.composed.built.profile, format, output);
  std::string written_to = output.is_stdout() ? "stdout" : output_path;
  std::string label =
      result.label + (incompleteness(path, result.outcome) ? " [incomplete trace]" : "");
  if (result.for_container)
    cli::print_container_summary(label, result.composed, result.seconds, written_to, result.losses);
  else
    cli::print_record_summary(label, result.composed.built, result.seconds, written_to,
                              result.losses);
  return 0;
}

}  // namespace syscope::cli
