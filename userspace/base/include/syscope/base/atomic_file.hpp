// SPDX-License-Identifier: Apache-2.0
// Files users keep are never half-written: a temp file beside the target, renamed over it once
// complete. Creating the temp file early also proves the path is writable before work starts.
// Only a regular file (or a new one) is replaced that way: a character device (/dev/null) or a
// FIFO with a reader is written in place, a symlink is followed under the kernel's
// fs.protected_symlinks rule, anything else is refused, and nothing that is not a regular file
// is ever unlinked or renamed over.
#pragma once
#include <cstddef>
#include <string>

namespace syscope::util {

// For a file made once, after work that cannot be repeated (a profile, once CMD ran).
struct AtomicFileOptions {
  // Bytes allocated (posix_fallocate) in the temp file when it is created, so that a full
  // filesystem fails before the work, not after it; the final write goes into that room and the
  // file is then cut to size. Not for devices or FIFOs, which are written in place.
  size_t reserve = 0;
  // If the final write fails anyway, the contents go to a new file of a unique name in $TMPDIR
  // (else /tmp), created with O_EXCL, and the error names it.
  bool fallback_copy = false;
};

class AtomicFile {
 public:
  // "-" means stdout. Otherwise creates "<dir>/.<name>.XXXXXX" beside the target now (or opens
  // the device or FIFO), with options.reserve bytes of room; Exit::usage with the reason if it
  // cannot.
  explicit AtomicFile(std::string path, AtomicFileOptions options = {});
  ~AtomicFile();  // removes the temp file unless committed
  AtomicFile(const AtomicFile &) = delete;
  AtomicFile &operator=(const AtomicFile &) = delete;

  // Writes, fsyncs and renames over the target; Exit::usage on failure (temp file removed), with
  // where the fallback copy went.
  void commit(const std::string &contents);
  const std::string &path() const { return path_; }
  bool is_stdout() const { return path_ == "-"; }
  // The temp file renamed over the target at commit; empty when writing in place or to stdout.
  const std::string &temp_path() const { return temp_path_; }

 private:
  // The error for a failed final write (errno `err`), after saving the fallback copy.
  std::string failure(int err, const std::string &contents) const;

  std::string path_;  // as the user gave it, for messages
  AtomicFileOptions options_;
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
