// SPDX-License-Identifier: Apache-2.0
// syscope profile convert FILE --format docker|oci|spo [-o OUT]: any profile file (Docker's
// format, OCI linux.seccomp, an SPO SeccompProfile) in another of them, coverage carried along.
#include <cstdio>

#include "profile_output_options.hpp"
#include "syscope/cli/commands.hpp"

namespace syscope::cli {

void print_profile_warnings(const std::vector<std::string> &warnings) {
  for (const auto &w : warnings) std::fprintf(stderr, "syscope: warning: %s\n", w.c_str());
}

// "dir/web.json" -> "web": the SPO object's name when the file has none.
std::string profile_file_stem(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  if (base.size() > 5 && base.compare(base.size() - 5, 5, ".json") == 0)
    base.resize(base.size() - 5);
  return base;
}

void add_profile_convert(CLI::App &profile_cmd) {
  struct Options {
    std::string file;
    ProfileOutputOptions out;
  };
  auto opts = std::make_shared<Options>();
  auto *cmd = profile_cmd.add_subcommand(
      "convert", "Write a profile file (Docker, OCI or SPO SeccompProfile) in another format, "
                 "with its coverage");
  cmd->add_option("file", opts->file, "Profile file")->required();
  add_profile_output_options(*cmd, opts->out, false);
  cmd->get_option("--format")->required();
  cmd->callback([opts] {
    std::vector<std::string> warnings;
    auto doc = seccomp::load_profile_document(opts->file, &warnings);
    print_profile_warnings(warnings);
    std::string name =
        doc.spo && !doc.spo->name.empty() ? doc.spo->name : profile_file_stem(opts->file);
    std::string written = write_profile_document(doc, opts->out, name, opts->file);
    std::fprintf(stderr, "syscope: %s as %s -> %s\n", opts->file.c_str(), opts->out.format.c_str(),
                 written.c_str());
  });
}

}  // namespace syscope::cli
