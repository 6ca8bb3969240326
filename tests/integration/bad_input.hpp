// SPDX-License-Identifier: Apache-2.0
// The bad-input harness: each entry point's table of hostile paths and files (device nodes,
// FIFOs, sockets, symlinks, huge and full-disk cases) runs against a tree the test makes itself,
// with the exact exit status and message each case must give, and proof that nothing else in
// the tree changed (a device is still a device, no temp file is left behind).
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "helpers.hpp"

namespace syscope::test {

// A TempDir holding one of each thing a path argument can name, all made by the test:
//   null, full, zero   character devices 1:3, 1:7, 1:5 (mknod, like /dev/null, /dev/full, ...)
//   fifo               a FIFO nobody opens
//   dir/               an empty directory
//   socket             a bound unix socket (its listener is closed)
//   dangling           a symlink to "nowhere"
//   target.json        a small regular file; link is a symlink to it
//   sticky/            mode 1777, holding foreign: a symlink owned by uid 65534 to ../target.json
//   huge               a regular file of 5 MiB + 1 byte (over every documented read limit)
//   fullfs/            a 64 KiB tmpfs filled to its last byte (unmounted when the tree goes)
class HostileTree {
 public:
  HostileTree();
  ~HostileTree();
  HostileTree(const HostileTree &) = delete;
  HostileTree &operator=(const HostileTree &) = delete;

  std::string path(const std::string &name) const { return dir_.file(name); }
  std::string str() const { return dir_.str(); }

  // One line per entry, sorted: path, type, mode, owner, size, inode, device numbers, link
  // target and a hash of a regular file's content. Equal snapshots: nothing changed.
  std::vector<std::string> snapshot() const;

 private:
  TempDir dir_;
  bool mounted_ = false;
};

struct BadInputCase {
  std::string name;
  std::vector<std::string> args;  // after the syscope binary; "{tree}" becomes the tree's path
  int status;                     // the exact exit status
  std::string message;            // stderr contains this ("{tree}" too becomes the path)
  std::vector<std::string> may_change = {};  // tree entries (and what is below them) it may alter
  int stderr_lines = 1;
};

// Runs each case against a fresh HostileTree and CHECKs its status, its stderr and that the
// tree is unchanged outside may_change.
void check_bad_input(const std::vector<BadInputCase> &cases,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace syscope::test
