// SPDX-License-Identifier: Apache-2.0
// Bounded reads of regular files: the type is checked on the open descriptor (no race with a
// rename), and O_NONBLOCK keeps a FIFO's open from waiting for a writer.
#include "syscope/base/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "syscope/base/error.hpp"

namespace syscope {

const char *file_type_text(unsigned mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISFIFO(mode)) return "is a FIFO";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is not a regular file";
}

std::string size_text(size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

FileText read_regular_file(const std::string &path, size_t max_bytes, bool head_only) {
  FileText r;
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    struct stat st {};
    // A unix socket cannot be opened at all (ENXIO): name what it is rather than the errno.
    if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
      r.error = std::string(file_type_text(st.st_mode)) + ", not a regular file";
    else
      r.error = "cannot read: " + errno_text(err);
    return r;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    r.error = "cannot read: " + errno_text(errno);
  } else if (!S_ISREG(st.st_mode)) {
    r.error = std::string(file_type_text(st.st_mode)) + ", not a regular file";
  } else if (!head_only && static_cast<size_t>(st.st_size) > max_bytes) {
    r.error = "larger than " + size_text(max_bytes) + " (" + std::to_string(st.st_size) +
              " bytes): not read";
  }
  char buf[65536];
  // A file that grows while read stops at the limit too (and is then refused, unless head_only).
  while (r.error.empty() && r.text.size() <= max_bytes) {
    ssize_t n = read(fd, buf, std::min(sizeof buf, max_bytes + 1 - r.text.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) r.error = "cannot read: " + errno_text(errno);
    if (n <= 0) break;
    r.text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  if (r.error.empty() && r.text.size() > max_bytes) {
    if (head_only)
      r.text.resize(max_bytes);
    else
      r.error = "larger than " + size_text(max_bytes) + ": not read";
  }
  if (!r.error.empty()) r.text.clear();
  return r;
}

}  // namespace syscope
