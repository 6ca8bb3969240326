// SPDX-License-Identifier: Apache-2.0
// cgroup id -> path: the inode walk on a scratch directory tree (any filesystem, no root), and
// on the real cgroup2 mount the root and our own cgroup, which need no privileges to stat.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "syscope/base/error.hpp"
#include "syscope/containers/cgroup_paths.hpp"
#include "syscope/containers/mountinfo.hpp"

using namespace syscope::cgroup;
namespace fs = std::filesystem;

namespace {

uint64_t inode(const fs::path &p) {
  struct stat st;
  REQUIRE(stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

struct ScratchTree {
  fs::path root;
  ScratchTree() {
    char dir_template[] = "/tmp/syscope-cgroup-paths-XXXXXX";
    REQUIRE(mkdtemp(dir_template));
    root = dir_template;
    fs::create_directories(root / "system.slice" / "docker-x.scope" / "init");
    fs::create_directories(root / "user.slice");
    std::ofstream(root / "system.slice" / "cgroup.procs") << "1\n";
  }
  ~ScratchTree() { fs::remove_all(root); }
};

}  // namespace

TEST_CASE("walk: inode -> path relative to the mount", "[cgroup]") {
  ScratchTree tree;
  CgroupPaths paths(tree.root.string() + "/", CgroupPaths::Options{false});
  CHECK(paths.path_of(inode(tree.root)) == "/");
  uint64_t init = inode(tree.root / "system.slice" / "docker-x.scope" / "init");
  CHECK(paths.path_of(init) == "/system.slice/docker-x.scope/init");
  CHECK(paths.path_of(inode(tree.root / "user.slice")) == "/user.slice");
  CHECK(paths.id_of("/system.slice/docker-x.scope/init") == init);
  CHECK(paths.id_of("/") == inode(tree.root));
  CHECK_FALSE(paths.id_of("/no/such/cgroup"));
  // Files are not cgroups.
  CHECK_FALSE(paths.path_of(inode(tree.root / "system.slice" / "cgroup.procs")));
}

TEST_CASE("walk: renamed and removed directories are not answered from the cache", "[cgroup]") {
  ScratchTree tree;
  CgroupPaths paths(tree.root.string(), CgroupPaths::Options{false});
  uint64_t scope = inode(tree.root / "system.slice" / "docker-x.scope");
  uint64_t init = inode(tree.root / "system.slice" / "docker-x.scope" / "init");
  REQUIRE(paths.path_of(scope) == "/system.slice/docker-x.scope");
  fs::rename(tree.root / "system.slice", tree.root / "other.slice");
  CHECK(paths.path_of(scope) == "/other.slice/docker-x.scope");
  fs::remove(tree.root / "other.slice" / "docker-x.scope" / "init");
  CHECK_FALSE(paths.path_of(init));
}

TEST_CASE("the real cgroup2 mount: root and own cgroup, by handle or by walk", "[cgroup]") {
  std::string mount;
  try {
    mount = cgroup2_mount();
  } catch (const syscope::Error &e) {
    WARN("no cgroup2 mount here, nothing to check: " << e.what());
    return;
  }
  std::string own = own_cgroup2_path();
  for (bool handles : {true, false}) {
    INFO("use_handles " << handles);
    CgroupPaths paths(mount, CgroupPaths::Options{handles});
    auto root_id = paths.id_of("/");
    REQUIRE(root_id);
    CHECK(paths.path_of(*root_id) == "/");
    // Our own path may lie outside our view of the mount (a cgroup namespace, a container):
    // then there is no id to look up.
    if (auto own_id = paths.id_of(own)) CHECK(paths.path_of(*own_id) == own);
    // Ids are never reused in practice (64-bit), so the largest one is certainly unused.
    CHECK_FALSE(paths.path_of(~uint64_t{0}));
  }
  CHECK(cgroup_path_of_pid(getpid()) == own);
}

TEST_CASE("pid -> cgroup path: nullopt for a process that does not exist", "[cgroup]") {
  CHECK_FALSE(cgroup_path_of_pid(-1));
  CHECK_FALSE(cgroup_path_of_pid(0x3fffffff));  // above PID_MAX_LIMIT
}
