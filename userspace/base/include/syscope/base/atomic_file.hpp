// SPDX-License-Identifier: Apache-2.0
// Files users keep are never half-written: a temp file beside the target, renamed over it once
// complete. Creating the temp file early also proves the path is writable before work starts.
// Only a regular file (or a new one) is replaced that way: a character device (/dev/null) or a
// FIFO with a reader is written in place, a symlink is followed under the kernel's
// fs.protected_symlinks rule, anything else is refused, and nothing that is not a regular file
// is ever unlinked or renamed over.
#pragma once
#include <string>

namespace syscope::util {

class AtomicFile {
 public:
  // "-" means stdout. Otherwise creates "<dir>/.<name>.XXXXXX" beside the target now (or opens
  // the device or FIFO); Exit::usage with the reason if it cannot.
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temp file unless committed
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  // Writes, fsyncs and renames over the target; Exit::usage on failure (temp file removed).
  void commit(const std::string &contents);
  const std::string &path() const { return path_; }
  bool is_stdout() const { return path_ == "-"; }

 private:
  std::string path_;       // as the user gave it, for messages
  std::string target_;     // what is replaced: path_, or where its symlink points
  std::string temp_path_;  // empty when writing in place
  int fd_ = -1;
  bool in_place_ = false;  // a character device or a FIFO: written through, not replaced
};

// Where an output path leads, by the rules above; also for files written in place as they grow
// (a trace). `target`: the path, or where its symlink points (nothing, or a regular file, is
// there). `fd` >= 0: a character device or a FIFO with a reader, opened for writing in place.
// Exit::usage with the reason for anything else.
struct OutputTarget {
  std::string target;
  int fd = -1;
};
OutputTarget open_output_target(const std::string &path);

}  // namespace syscope::util
