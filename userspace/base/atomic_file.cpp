// SPDX-License-Identifier: Apache-2.0
#include "syscope/base/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "syscope/base/error.hpp"
#include "syscope/base/read_file.hpp"

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

std::string dir_of(const std::string &path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// fs.protected_symlinks: in a sticky world-writable directory (/tmp) a link is followed only when
// its owner is the follower or the directory's owner. A root tool that followed any link there
// would replace whatever another user pointed it at (-o /tmp/p.json -> /etc/shadow).
bool may_follow(const std::string &link, const struct stat &link_st) {
  struct stat dir_st {};
  if (stat(dir_of(link).c_str(), &dir_st) != 0) return false;
  bool shared = (dir_st.st_mode & S_IWOTH) && (dir_st.st_mode & S_ISVTX);
  return !shared || link_st.st_uid == geteuid() || link_st.st_uid == dir_st.st_uid;
}

}  // namespace

AtomicFile::AtomicFile(std::string path, AtomicFileOptions options)
    : path_(std::move(path)), options_(options) {
  if (is_stdout()) return;
  if (path_.empty() || path_.back() == '/')
    throw Error(Exit::usage, "output path " + path_ + " names a directory");
  OutputTarget out = open_output_target(path_);
  target_ = out.target;
  if (out.fd >= 0) {
    fd_ = out.fd;
    in_place_ = true;
    return;
  }
  // The temp file in the target's own directory: rename() across filesystems fails (EXDEV).
  auto slash = target_.rfind('/');
  std::string tmpl = slash == std::string::npos ? "." + target_ + ".XXXXXX"
                                                : target_.substr(0, slash + 1) + "." +
                                                      target_.substr(slash + 1) + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  fd_ = mkostemp(buf.data(), O_CLOEXEC);
  if (fd_ < 0) throw Error(Exit::usage, "cannot write " + path_ + ": " + errno_text(errno));
  temp_path_ = buf.data();
  fchmod(fd_, 0644);  // mkostemp makes 0600; profiles are meant to be shared
  int err = options_.reserve ? posix_fallocate(fd_, 0, static_cast<off_t>(options_.reserve)) : 0;
  if (err != 0) {  // the destructor does not run for a constructor that throws
    close(fd_);
    unlink(temp_path_.c_str());
    throw Error(Exit::usage, "cannot write " + path_ + ": " + errno_text(err) + " (reserving " +
                                 size_text(options_.reserve) + " for it before the work starts)");
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) close(fd_);
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
}

OutputTarget open_output_target(const std::string &path) {
  OutputTarget out{path, -1};
  struct stat st {};  // st_mode 0: nothing there yet
  int found = lstat(path.c_str(), &st);
  if (found != 0 && errno != ENOENT)
    throw Error(Exit::usage, "cannot write " + path + ": " + errno_text(errno));
  if (found == 0 && S_ISLNK(st.st_mode)) {
    if (!may_follow(path, st))
      throw Error(Exit::usage, "output path " + path +
                                   " is a symlink in a world-writable sticky directory, owned by "
                                   "someone else: not followed (fs.protected_symlinks)");
    char *resolved = realpath(path.c_str(), nullptr);
    if (resolved) {
      out.target = resolved;
      free(resolved);
    }
    if (stat(path.c_str(), &st) != 0)  // dangling: we would not know what to create
      throw Error(Exit::usage,
                  "output path " + path + " is a symlink to nothing: " + errno_text(errno));
  }
  if (st.st_mode == 0 || S_ISREG(st.st_mode)) return out;
  if (S_ISDIR(st.st_mode)) throw Error(Exit::usage, "output path " + path + " is a directory");
  if (S_ISCHR(st.st_mode)) {
    out.fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  } else if (S_ISFIFO(st.st_mode)) {
    // Non-blocking, so a FIFO nobody reads fails now (ENXIO) instead of hanging; the writes
    // themselves then block as usual.
    out.fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (out.fd >= 0)
      fcntl(out.fd, F_SETFL, fcntl(out.fd, F_GETFL) & ~O_NONBLOCK);
    else if (errno == ENXIO)
      throw Error(Exit::usage, "output path " + path + " is a FIFO that nobody reads");
  } else {
    throw Error(Exit::usage, "output path " + path +
                                 " is neither a regular file, a character device nor a FIFO");
  }
  if (out.fd < 0) throw Error(Exit::usage, "cannot write " + path + ": " + errno_text(errno));
  return out;
}

void AtomicFile::commit(const std::string &contents) {
  if (is_stdout()) {
    if (!write_all(STDOUT_FILENO, contents))
      throw Error(Exit::usage, "cannot write to stdout: " + errno_text(errno));
    return;
  }
  if (in_place_) {  // a device or FIFO: no fsync (EINVAL there), nothing to rename
    bool ok = write_all(fd_, contents);
    int err = errno;
    close(fd_);
    fd_ = -1;
    if (!ok) throw Error(Exit::usage, failure(err, contents));
    return;
  }
  // Into the reserved room from offset 0, then cut to size (the reservation is longer).
  bool ok = write_all(fd_, contents) &&
            (!options_.reserve || ftruncate(fd_, static_cast<off_t>(contents.size())) == 0) &&
            fsync(fd_) == 0;
  int err = errno;
  if (close(fd_) != 0 && ok) {
    ok = false;
    err = errno;
  }
  fd_ = -1;
  if (ok && rename(temp_path_.c_str(), target_.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) throw Error(Exit::usage, failure(err, contents));
  temp_path_.clear();
}

std::string AtomicFile::failure(int err, const std::string &contents) const {
  std::string message = "cannot write " + path_ + ": " + errno_text(err);
  if (!options_.fallback_copy) return message;
  const char *tmpdir = getenv("TMPDIR");
  std::string name = path_.substr(path_.rfind('/') + 1);
  std::string suffix = "-" + name;
  std::string tmpl = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/syscope-XXXXXX" + suffix;
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  // mkostemps: O_CREAT|O_EXCL under a fresh random name, so nothing already there is followed
  // or overwritten, whoever else writes in that directory.
  int fd = mkostemps(buf.data(), static_cast<int>(suffix.size()), O_CLOEXEC);
  bool ok = fd >= 0 && fchmod(fd, 0644) == 0 && write_all(fd, contents) && fsync(fd) == 0;
  int copy_err = errno;
  if (fd >= 0 && close(fd) != 0 && ok) {
    ok = false;
    copy_err = errno;
  }
  if (ok) return message + "; saved to " + std::string(buf.data()) + " instead";
  if (fd >= 0) unlink(buf.data());
  return message + "; no copy could be saved in " + tmpl.substr(0, tmpl.rfind('/')) +
         " either: " + errno_text(copy_err);
}

}  // namespace syscope::util
