// SPDX-License-Identifier: Apache-2.0
#include "syscope/base/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "syscope/base/error.hpp"

namespace syscope::util {
namespace {

bool write_all(int fd, const std::string &data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (is_stdout()) return;
  auto slash = path_.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  std::string base = slash == std::string::npos ? path_ : path_.substr(slash + 1);
  if (base.empty()) throw Error(Exit::usage, "output path " + path_ + " names a directory");
  struct stat st {};
  if (stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(Exit::usage, "output path " + path_ + " is a directory");
  std::string tmpl = (slash == std::string::npos ? "" : dir) + "." + base + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  fd_ = mkostemp(buf.data(), O_CLOEXEC);
  if (fd_ < 0) throw Error(Exit::usage, "cannot write " + path_ + ": " + errno_text(errno));
  temp_path_ = buf.data();
  fchmod(fd_, 0644);  // mkostemp makes 0600; profiles are meant to be shared
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
}

void AtomicFile::commit(const std::string &contents) {
  if (is_stdout()) {
    if (!write_all(STDOUT_FILENO, contents))
      throw Error(Exit::usage, "cannot write to stdout: " + errno_text(errno));
    return;
  }
  bool ok = write_all(fd_, contents) && fsync(fd_) == 0;
  int err = errno;
  if (close(fd_) != 0 && ok) {
    ok = false;
    err = errno;
  }
  fd_ = -1;
  if (ok && rename(temp_path_.c_str(), path_.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) throw Error(Exit::usage, "cannot write " + path_ + ": " + errno_text(err));
  temp_path_.clear();
}

}  // namespace syscope::util
