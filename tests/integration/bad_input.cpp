// SPDX-License-Identifier: Apache-2.0
#include "bad_input.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

namespace syscope::test {
namespace {

namespace fs = std::filesystem;

void must(bool ok, const std::string &what) {
  if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

void write_text(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

// Writes until the filesystem refuses: ENOSPC on the last byte.
void fill(const std::string &path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  must(fd >= 0, "open " + path);
  char block[4096] = {};
  for (size_t size = sizeof block; size > 0;)
    if (write(fd, block, size) < 0) size /= 2;  // ENOSPC: try a smaller piece, down to a byte
  close(fd);
}

void make_socket(const std::string &path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  must(fd >= 0, "socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  must(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0, "bind " + path);
  close(fd);
}

std::string content_hash(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return std::to_string(std::hash<std::string>{}(text.str()));
}

std::string describe(const fs::path &root, const fs::path &entry) {
  struct stat st {};
  if (lstat(entry.c_str(), &st) != 0) return entry.string() + " (vanished)";
  std::ostringstream line;
  line << fs::relative(entry, root).string() << " mode=" << std::oct << st.st_mode << std::dec
       << " uid=" << st.st_uid << " size=" << st.st_size << " ino=" << st.st_ino;
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    line << " rdev=" << major(st.st_rdev) << ":" << minor(st.st_rdev);
  if (S_ISLNK(st.st_mode)) line << " -> " << fs::read_symlink(entry).string();
  if (S_ISREG(st.st_mode)) line << " hash=" << content_hash(entry);
  return line.str();
}

bool covered(const std::string &line, const std::vector<std::string> &may_change) {
  return std::any_of(may_change.begin(), may_change.end(), [&](const std::string &name) {
    return line.compare(0, name.size(), name) == 0 &&
           (line.size() == name.size() || line[name.size()] == ' ' || line[name.size()] == '/');
  });
}

std::vector<std::string> without(const std::vector<std::string> &lines,
                                 const std::vector<std::string> &may_change) {
  std::vector<std::string> kept;
  for (const auto &line : lines)
    if (!covered(line, may_change)) kept.push_back(line);
  return kept;
}

int line_count(const std::string &text) {
  int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  return lines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

}  // namespace

HostileTree::HostileTree() {
  auto at = [this](const char *name) { return path(name); };
  must(mknod(at("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0, "mknod null");
  must(mknod(at("full").c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0, "mknod full");
  must(mknod(at("zero").c_str(), S_IFCHR | 0666, makedev(1, 5)) == 0, "mknod zero");
  must(mkfifo(at("fifo").c_str(), 0644) == 0, "mkfifo");
  must(mkdir(at("dir").c_str(), 0755) == 0, "mkdir dir");
  make_socket(at("socket"));
  must(symlink("nowhere", at("dangling").c_str()) == 0, "symlink dangling");
  write_text(at("target.json"), "{\"untouched\": true}\n");
  must(symlink("target.json", at("link").c_str()) == 0, "symlink link");
  must(mkdir(at("sticky").c_str(), 0755) == 0 && chmod(at("sticky").c_str(), 01777) == 0,
       "mkdir sticky");
  must(symlink("../target.json", at("sticky/foreign").c_str()) == 0, "symlink foreign");
  must(lchown(at("sticky/foreign").c_str(), 65534, 65534) == 0, "lchown foreign");
  {
    int fd = open(at("huge").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    must(fd >= 0 && ftruncate(fd, (5 << 20) + 1) == 0, "huge");
    close(fd);
  }
  must(mkdir(at("fullfs").c_str(), 0755) == 0, "mkdir fullfs");
  must(mount("tmpfs", at("fullfs").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755") ==
           0,
       "mount tmpfs on fullfs");
  mounted_ = true;
  fill(at("fullfs/filler"));
}

HostileTree::~HostileTree() {
  if (mounted_) umount2(path("fullfs").c_str(), MNT_DETACH);
}

std::vector<std::string> HostileTree::snapshot() const {
  std::vector<std::string> lines;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir_.path(), ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    lines.push_back(describe(dir_.path(), it->path()));
  std::sort(lines.begin(), lines.end());
  return lines;
}

void check_bad_input(const std::vector<BadInputCase> &cases, std::chrono::milliseconds timeout) {
  for (const auto &c : cases) {
    HostileTree tree;
    auto before = tree.snapshot();
    auto in_tree = [&tree](std::string text) {
      for (auto at = text.find("{tree}"); at != std::string::npos; at = text.find("{tree}"))
        text.replace(at, 6, tree.str());
      return text;
    };
    std::vector<std::string> argv{syscope_bin()};
    for (const auto &arg : c.args) argv.push_back(in_tree(arg));
    RunResult r = run_for(argv, timeout);
    auto after = tree.snapshot();
    INFO("case: " << c.name << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.status == c.status);
    CHECK(line_count(r.err) == c.stderr_lines);
    CHECK(r.err.find(in_tree(c.message)) != std::string::npos);
    CHECK(without(before, c.may_change) == without(after, c.may_change));
  }
}

}  // namespace syscope::test
