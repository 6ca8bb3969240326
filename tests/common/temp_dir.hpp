// SPDX-License-Identifier: Apache-2.0
// A fresh directory under /tmp for one test, removed with everything in it when the guard goes
// away: the one TempDir of the unit, integration, docker and fuzz-seed tests.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace syscope::test {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/syscope-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::filesystem::path &path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::filesystem::path operator/(const std::string &name) const { return path_ / name; }
  std::string file(const std::string &name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace syscope::test
