// SPDX-License-Identifier: Apache-2.0
// `syscope watch` with the real programs: denier installs its own filter and makes calls each
// refused by a different seccomp action; every one must be reported exactly once, with the
// right action, errno or signal and syscall, and nothing else may be reported.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"

using namespace syscope::test;
namespace fs = std::filesystem;

namespace {

// syscope watch --json in the background; stdout and stderr to files in `dir`.
class Watch {
 public:
  explicit Watch(const TempDir &dir, std::vector<std::string> extra = {})
      : out_(dir / "watch.out"), err_(dir / "watch.err") {
    std::vector<std::string> argv = {syscope_bin(), "watch", "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
      dup2(open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
      std::vector<char *> args;
      for (auto &a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    for (int i = 0; i < 1000 && read_file(err_).find("watching") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ~Watch() { stop(); }
  // Stops it as Ctrl-C would and returns its exit status.
  int stop() {
    if (pid_ <= 0) return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the last records arrive
    kill(pid_, SIGINT);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
  }
  // The denial objects it printed (the summary line left out).
  std::vector<nlohmann::json> denials() const {
    std::vector<nlohmann::json> found;
    std::istringstream lines(read_file(out_));
    std::string line;
    while (std::getline(lines, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded() && !j.contains("summary")) found.push_back(j);
    }
    return found;
  }
  std::string stderr_text() const { return read_file(err_); }

 private:
  fs::path out_, err_;
  pid_t pid_ = -1;
  int status_ = -1;
};

std::vector<nlohmann::json> of_pid_tree(const std::vector<nlohmann::json> &all,
                                        const std::string &comm) {
  std::vector<nlohmann::json> mine;
  for (const auto &d : all)
    if (d.value("comm", "") == comm) mine.push_back(d);
  return mine;
}

}  // namespace

TEST_CASE("watch reports each seccomp action once, with errno or signal and the syscall",
          "[watch]") {
  TempDir dir;
  Watch watch(dir);
  auto result = run(
      {test_prog("denier"), "errno", "eacces", "trap", "kill-process", "kill-thread", "natural"});
  INFO(result.out << result.err);
  REQUIRE(result.status == 0);
  REQUIRE(watch.stop() == 0);
  auto denials = of_pid_tree(watch.denials(), "denier");
  INFO(watch.stderr_text());
  std::vector<std::string> seen;
  for (const auto &d : denials)
    seen.push_back(d.value("syscall", "?") + "/" + d.value("action", "?"));
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"acct/kill_process", "chroot/trap", "getpriority/errno",
                                         "setdomainname/kill_thread", "sysinfo/errno"});
  for (const auto &d : denials) {
    if (d["syscall"] == "sysinfo") CHECK(d["errno_name"] == "EPERM");
    if (d["syscall"] == "getpriority") CHECK(d["errno_name"] == "EACCES");
    if (d["action"] != "errno") CHECK(d["signal_name"] == "SIGSYS");
  }
  // setuid(0) and kill(1, 0) as nobody fail with EPERM on their own: not seccomp denials.
  for (const auto &d : watch.denials()) {
    CHECK(d.value("syscall", "") != "setuid");
    CHECK(d.value("syscall", "") != "kill");
  }
}

TEST_CASE("watch: no false denial from busy filtered and unfiltered loops", "[watch]") {
  TempDir dir;
  Watch watch(dir);
  std::thread plain([] { run({test_prog("denier"), "--no-filter", "busy", "2000000"}); });
  auto filtered = run({test_prog("denier"), "busy", "2000000", "errno"});
  plain.join();
  REQUIRE(filtered.status == 0);
  REQUIRE(watch.stop() == 0);
  auto denials = of_pid_tree(watch.denials(), "denier");
  REQUIRE(denials.size() == 1);
  CHECK(denials[0]["syscall"] == "sysinfo");
}

TEST_CASE("watch: threads blocked under a filter when it starts wake without false denials",
          "[watch]") {
  TempDir dir;
  // A dozen threads sit in futex, read, nanosleep and epoll_wait; watch attaches meanwhile.
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    execl(test_prog("denier").c_str(), "denier", "block", "12", "2.0",
          static_cast<char *>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Watch watch(dir);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(watch.stop() == 0);
  CHECK(of_pid_tree(watch.denials(), "denier").empty());
}

TEST_CASE("watch --fail-on-denial exits 1 after a denial", "[watch]") {
  TempDir dir;
  Watch watch(dir, {"--fail-on-denial"});
  run({test_prog("denier"), "errno"});
  CHECK(watch.stop() == 1);
}
