// SPDX-License-Identifier: Apache-2.0
// Container tests: root and kernel BTF (to record), and the private dockerd that the `dockerd`
// ctest fixture starts with scripts/docker-env.
#include "../common/root_required_main.hpp"

int main(int argc, char **argv) {
  return syscope::test::run_root_required_tests("docker", argc, argv);
}
