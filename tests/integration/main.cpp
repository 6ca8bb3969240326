// SPDX-License-Identifier: Apache-2.0
// Integration tests: root and kernel BTF, the real BPF programs, real processes.
#include "../common/root_required_main.hpp"

int main(int argc, char **argv) {
  return syscope::test::run_root_required_tests("integration", argc, argv);
}
