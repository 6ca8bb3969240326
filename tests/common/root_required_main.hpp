// SPDX-License-Identifier: Apache-2.0
// The main() of test binaries that need root and kernel BTF. Without them they report
// "skipped" (77) to ctest, except under CI=true, where a skip would hide a broken environment:
// then they fail. Listing (test discovery) always works.
#pragma once
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace syscope::test {

inline int run_root_required_tests(const char *suite, int argc, char **argv) {
  bool listing = false;
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--list", 6) == 0) listing = true;
  if (!listing) {
    std::string missing;
    if (geteuid() != 0)
      missing = "root";
    else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
      missing = "kernel BTF";
    if (!missing.empty()) {
      const char *ci = std::getenv("CI");
      bool in_ci = ci && std::string(ci) == "true";
      std::fprintf(stderr, "%s tests need %s%s\n", suite, missing.c_str(),
                   in_ci ? " (CI=true: failing instead of skipping)" : ": skipped");
      return in_ci ? 1 : 77;
    }
  }
  return Catch::Session().run(argc, argv);
}

}  // namespace syscope::test
