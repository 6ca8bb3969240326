// SPDX-License-Identifier: Apache-2.0
// File kinds by name and content, the directory walk (skipped directories, unreadable and
// malformed files reported while the rest are still checked).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "syscope/lint/lint.hpp"

using namespace syscope::lint;
namespace fs = std::filesystem;

TEST_CASE("kinds by name", "[lint][detect]") {
  CHECK(kind_from_name("docker-compose.yml") == FileKind::compose);
  CHECK(kind_from_name("a/docker-compose.prod.yaml") == FileKind::compose);
  CHECK(kind_from_name("compose.yaml") == FileKind::compose);
  CHECK(kind_from_name("compose.override.yml") == FileKind::compose);
  CHECK(kind_from_name("repo/.github/workflows/ci.yml") == FileKind::ci);
  CHECK(kind_from_name(".gitlab-ci.yml") == FileKind::ci);
  CHECK(kind_from_name("deploy/app.yaml") == FileKind::yaml);
  CHECK(kind_from_name("workflows/ci.yml") == FileKind::yaml);
  CHECK(kind_from_name("run.sh") == FileKind::shell);
  CHECK(kind_from_name("x.bash") == FileKind::shell);
  CHECK(kind_from_name("Makefile") == FileKind::makefile);
  CHECK(kind_from_name("GNUmakefile") == FileKind::makefile);
  CHECK(kind_from_name("rules.mk") == FileKind::makefile);
  CHECK(kind_from_name("Dockerfile") == FileKind::dockerfile);
  CHECK(kind_from_name("Dockerfile.dev") == FileKind::dockerfile);
  CHECK(kind_from_name("api.Dockerfile") == FileKind::dockerfile);
  CHECK(kind_from_name("Containerfile") == FileKind::dockerfile);
  CHECK(kind_from_name("README.md") == FileKind::unknown);
  CHECK(kind_from_name("scripts/test") == FileKind::unknown);
}

TEST_CASE("kinds by shebang", "[lint][detect]") {
  CHECK(detect_kind("scripts/test", "#!/bin/sh\nexit 0\n") == FileKind::shell);
  CHECK(detect_kind("x", "#!/usr/bin/env bash\n") == FileKind::shell);
  CHECK(detect_kind("x", "#! /bin/bash -eu\n") == FileKind::shell);
  CHECK(detect_kind("x", "#!/usr/bin/env -S bash -x\n") == FileKind::shell);
  CHECK(detect_kind("x", "#!/usr/bin/env python3\n") == FileKind::unknown);
  CHECK(detect_kind("x", "docker run --privileged x\n") == FileKind::unknown);
  CHECK(detect_kind("x", "#!/bin/sh") == FileKind::shell);
}

TEST_CASE("YAML of no kind lint knows has no findings and no error", "[lint][detect]") {
  FileReport r = check_text("config.yaml", "key: value\nlist: [1, 2]\n");
  CHECK(r.kind == FileKind::yaml);
  CHECK(r.findings.empty());
  CHECK_FALSE(r.error);
}

TEST_CASE("skipped directories", "[lint][detect]") {
  CHECK(skip_directory(".git"));
  CHECK(skip_directory("node_modules"));
  CHECK(skip_directory("build"));
  CHECK(skip_directory("build-debug"));
  CHECK(skip_directory("cmake-build-release"));
  CHECK_FALSE(skip_directory(".github"));
  CHECK_FALSE(skip_directory("builder"));
  CHECK_FALSE(skip_directory("examples"));
}

namespace {

struct TempTree {
  fs::path root;
  TempTree() {
    char tmpl[] = "/tmp/syscope-lint-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    root = tmpl;
  }
  ~TempTree() {
    std::error_code ec;
    fs::permissions(root / "locked.sh", fs::perms::owner_all, ec);
    fs::remove_all(root, ec);
  }
  void write(const std::string &rel, const std::string &text) {
    fs::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
};

}  // namespace

TEST_CASE("walk: kinds, skipped directories, malformed files do not stop the others",
          "[lint][detect]") {
  TempTree t;
  t.write("a/docker-compose.yml", "services:\n  w:\n    privileged: true\n");
  t.write("a/notes.md", "docker run --privileged x\n");
  t.write("b/deploy.yaml", "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: c\n");
  t.write("b/start", "#!/bin/sh\ndocker run --privileged x\n");
  t.write("node_modules/x/run.sh", "docker run --privileged x\n");
  t.write("build/Dockerfile", "RUN docker run --privileged x\n");
  t.write(".git/hooks/pre-commit.sh", "docker run --privileged x\n");
  t.write("c/values.yaml", "replicas: 2\n");

  LintRun run = lint_paths({t.root.string()});
  REQUIRE(run.reports.size() == 3);
  CHECK(run.files_checked == 2);
  CHECK(run.reports[0].file == (t.root / "a/docker-compose.yml").string());
  CHECK(run.reports[0].findings.size() == 1);
  CHECK(run.reports[1].file == (t.root / "b/deploy.yaml").string());
  REQUIRE(run.reports[1].error);
  CHECK(run.reports[1].error->line == 4);
  CHECK(run.reports[2].file == (t.root / "b/start").string());
  CHECK(run.reports[2].kind == FileKind::shell);
  CHECK(run.reports[2].findings.size() == 1);
  CHECK(run.skipped.empty());
}

TEST_CASE("walk: missing paths, unreadable files and explicit files of no known kind",
          "[lint][detect]") {
  TempTree t;
  t.write("notes.txt", "hello\n");
  t.write("locked.sh", "docker run --privileged x\n");
  fs::permissions(t.root / "locked.sh", fs::perms::none);
  LintRun run = lint_paths({(t.root / "missing.yml").string(), (t.root / "notes.txt").string(),
                            (t.root / "locked.sh").string()});
  REQUIRE(run.reports.size() >= 1);
  REQUIRE(run.reports[0].error);
  CHECK(run.reports[0].error->message == "cannot read: No such file or directory");
  CHECK(run.skipped == std::vector<std::string>{(t.root / "notes.txt").string()});
  if (geteuid() != 0) {  // root reads any file
    REQUIRE(run.reports.size() == 2);
    REQUIRE(run.reports[1].error);
    CHECK(run.reports[1].error->message == "cannot read: Permission denied");
  }
}

TEST_CASE("walk: FIFOs, sockets and broken links named like checked files are reported, never "
          "opened; other ones are ignored",
          "[lint][detect]") {
  TempTree t;
  t.write("d/compose.yml", "services:\n  w:\n    privileged: true\n");
  REQUIRE(mkfifo((t.root / "d/run.sh").c_str(), 0600) == 0);  // an open would wait
  REQUIRE(mkfifo((t.root / "d/pipe").c_str(), 0600) == 0);    // no known name: ignored
  fs::create_symlink("nowhere", t.root / "d/dangling.yaml");  // ENOENT
  fs::create_symlink("loop-b.yml", t.root / "d/loop-a.yml");  // ELOOP
  fs::create_symlink("loop-a.yml", t.root / "d/loop-b.yml");
  fs::create_symlink("run.sh", t.root / "d/to-fifo.sh");  // a link to the FIFO
  fs::create_directory_symlink("..", t.root / "d/up");    // a directory loop: not followed
  LintRun run = lint_paths({t.root.string()});
  std::vector<std::string> seen;
  for (const auto &r : run.reports)
    seen.push_back(fs::path(r.file).filename().string() + ": " +
                   (r.error ? r.error->message : std::to_string(r.findings.size())));
  CHECK(seen == std::vector<std::string>{
                    "compose.yml: 1",
                    "dangling.yaml: cannot read: No such file or directory",
                    "loop-a.yml: cannot read: Too many levels of symbolic links",
                    "loop-b.yml: cannot read: Too many levels of symbolic links",
                    "run.sh: is a FIFO, not a regular file",
                    "to-fifo.sh: is a FIFO, not a regular file",
                });
  CHECK(run.files_checked == 1);
}
