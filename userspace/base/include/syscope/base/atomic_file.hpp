// SPDX-License-Identifier: Apache-2.0
// Files users keep are never half-written: a temp file beside the target, renamed over it once
// complete. Creating the temp file early also proves the path is writable before work starts.
#pragma once
#include <string>

namespace syscope::util {

class AtomicFile {
 public:
  // "-" means stdout. Otherwise creates "<dir>/.<name>.XXXXXX" now; Exit::usage if it cannot.
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temp file unless committed
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  // Writes, fsyncs and renames over the target; Exit::usage on failure (temp file removed).
  void commit(const std::string &contents);
  const std::string &path() const { return path_; }
  bool is_stdout() const { return path_ == "-"; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
};

}  // namespace syscope::util
