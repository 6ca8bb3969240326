// SPDX-License-Identifier: Apache-2.0
// The header of a trace recorded on this host now (apart from trace_file.cpp, which the reader's
// fuzzer builds on its own, without the version define).
#include <sys/utsname.h>
#include <unistd.h>

#include "syscope/base/clock.hpp"
#include "syscope/trace/trace_file.hpp"

namespace syscope::trace {

FileHeader local_file_header() {
  FileHeader header;
  header.syscope_version = SYSCOPE_VERSION;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  header.hostname = host;
  struct utsname u {};
  uname(&u);
  header.kernel_release = u.release;
  header.machine = u.machine;
  header.boot_to_wall_ns = boot_to_wall_ns();
  header.created_wall_ns = static_cast<uint64_t>(clock_ns(CLOCK_REALTIME));
  return header;
}

}  // namespace syscope::trace
