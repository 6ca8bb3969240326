// SPDX-License-Identifier: Apache-2.0
// Container tests: they need root and kernel BTF (to record), and the private dockerd that the
// `dockerd` ctest fixture starts with scripts/docker-env. Without root or BTF they report
// "skipped" (77) to ctest, except under CI=true, where a skip would hide a broken environment:
// then they fail.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static bool listing_only(int argc, char **argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--list", 6) == 0) return true;
  return false;
}

int main(int argc, char **argv) {
  if (!listing_only(argc, argv)) {
    std::string missing;
    if (geteuid() != 0) missing = "root";
    else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) missing = "kernel BTF";
    if (!missing.empty()) {
      bool ci = std::getenv("CI") && std::string(std::getenv("CI")) == "true";
      std::fprintf(stderr, "docker tests need %s%s\n", missing.c_str(),
                   ci ? " (CI=true: failing instead of skipping)" : ": skipped");
      return ci ? 1 : 77;
    }
  }
  return Catch::Session().run(argc, argv);
}
