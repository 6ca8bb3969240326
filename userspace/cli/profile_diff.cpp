// SPDX-License-Identifier: Apache-2.0
// syscope profile diff A B [--json]: what B adds and removes against A; exit 0 when equal, 1
// when they differ (as diff), 2 on bad input.
#include <cstdio>

#include "syscope/cli/commands.hpp"
#include "syscope/seccomp/profile_diff.hpp"
#include "syscope/seccomp/profile_document.hpp"

namespace syscope::cli {

void print_profile_warnings(const std::vector<std::string> &warnings);  // profile_convert.cpp

void add_profile_diff(CLI::App &profile_cmd) {
  struct Options {
    std::string a, b;
    bool json = false;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "diff", "What profile B adds and removes against A: default action, architectures, names "
              "per action, argument rules (exit 1 when they differ)");
  cmd->add_option("a", opts->a, "The profile before (Docker, OCI or SPO)")->required();
  cmd->add_option("b", opts->b, "The profile after")->required();
  cmd->add_flag("--json", opts->json, "One JSON document");
  cmd->callback([opts] {
    std::vector<std::string> warnings;
    auto a = seccomp::load_profile_document(opts->a, &warnings);
    print_profile_warnings(warnings);
    auto b = seccomp::load_profile_document(opts->b, &warnings);
    print_profile_warnings(warnings);
    auto d = seccomp::diff_profiles(a.profile, b.profile);
    if (opts->json)
      std::printf("%s\n", seccomp::diff_json(opts->a, opts->b, d).dump(2).c_str());
    else
      std::fputs(seccomp::diff_text(opts->a, opts->b, d).c_str(), stdout);
    g_exit_status = d.equal() ? 0 : 1;
  });
}

}  // namespace syscope::cli
