// SPDX-License-Identifier: Apache-2.0
// Every -o of `record` against the hostile tree: a device is written in place and stays a device,
// a FIFO nobody reads, a directory, a socket, a dangling or foreign symlink and a missing
// directory are refused before CMD runs, a full filesystem fails before CMD runs too (the room
// for the profile is reserved first), and a write that still fails at the end leaves a copy in
// $TMPDIR. CMD is `touch {tree}/ran`: where it must not run, the unchanged tree proves it did not.
#include <catch2/catch.hpp>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bad_input.hpp"

using syscope::test::BadInputCase;
using syscope::test::check_bad_input;
using syscope::test::TempDir;

namespace {

// Names only: a run that succeeds then prints the one summary line, whatever calls /bin/touch
// makes. with_args keeps record's default, whose argument notes come with the summary.
std::vector<std::string> record_to(const std::string &output, bool with_args = false) {
  if (with_args) return {"record", "-o", output, "--", "/bin/touch", "{tree}/ran"};
  return {"record", "--no-args", "-o", output, "--", "/bin/touch", "{tree}/ran"};
}

// $TMPDIR for the cases: where a profile that could not be written goes instead.
class TmpDirEnv {
 public:
  TmpDirEnv() {
    if (const char *was = getenv("TMPDIR")) was_ = was;
    setenv("TMPDIR", dir.str().c_str(), 1);
  }
  ~TmpDirEnv() {
    if (was_.empty())
      unsetenv("TMPDIR");
    else
      setenv("TMPDIR", was_.c_str(), 1);
  }
  TempDir dir;

 private:
  std::string was_;
};

}  // namespace

TEST_CASE("record -o: devices in place, bad paths refused before CMD runs", "[bad-input]") {
  TmpDirEnv tmp;
  const std::string fifo_msg = "syscope: output path {tree}/fifo is a FIFO that nobody reads";
  check_bad_input({
      // Written in place: CMD ran, the device is still the same device.
      {"char device null",
       record_to("{tree}/null"),
       0,
       "-> {tree}/null; also allows exit, rt_sigreturn",
       {"ran"}},
      {"char device zero",
       record_to("{tree}/zero"),
       0,
       "-> {tree}/zero; also allows exit, rt_sigreturn",
       {"ran"}},
      // A device cannot be reserved: the write fails at the end, and the profile is kept; the
      // one line is the failure, with no argument note before it.
      {"char device full",
       record_to("{tree}/full", true),
       2,
       "syscope: cannot write {tree}/full: No space left on device; saved to " + tmp.dir.str() +
           "/syscope-",
       {"ran"}},
      {"FIFO without a reader", record_to("{tree}/fifo"), 2, fifo_msg},
      {"directory", record_to("{tree}/dir"), 2, "syscope: output path {tree}/dir is a directory"},
      {"directory, trailing slash", record_to("{tree}/dir/"), 2,
       "syscope: output path {tree}/dir/ names a directory"},
      {"socket", record_to("{tree}/socket"), 2,
       "syscope: output path {tree}/socket is neither a regular file, a character device nor a "
       "FIFO"},
      {"dangling symlink", record_to("{tree}/dangling"), 2,
       "syscope: output path {tree}/dangling is a symlink to nothing: No such file or directory"},
      {"foreign symlink in a sticky directory", record_to("{tree}/sticky/foreign"), 2,
       "syscope: output path {tree}/sticky/foreign is a symlink in a world-writable sticky "
       "directory, owned by someone else: not followed (fs.protected_symlinks)"},
      // The tree's own directory is not world-writable: its link is followed, the link stays.
      {"symlink of ours",
       record_to("{tree}/link"),
       0,
       "-> {tree}/link; also allows exit, rt_sigreturn",
       {"ran", "target.json"}},
      {"full filesystem", record_to("{tree}/fullfs/p.json"), 2,
       "syscope: cannot write {tree}/fullfs/p.json: No space left on device (reserving 64 KiB for "
       "it before the work starts)"},
      {"missing directory", record_to("{tree}/nosuch/p.json"), 2,
       "syscope: cannot write {tree}/nosuch/p.json: No such file or directory"},
      // --container: the one file -o names is made before BPF or Docker are touched.
      {"--container, FIFO", {"record", "--container", "nosuch", "-o", "{tree}/fifo"}, 2, fifo_msg},
      {"--container, full filesystem",
       {"record", "--container", "nosuch", "-o", "{tree}/fullfs/p.json"},
       2,
       "syscope: cannot write {tree}/fullfs/p.json: No space left on device (reserving"},
      {"--container, socket",
       {"record", "--container", "nosuch", "-o", "{tree}/socket"},
       2,
       "is neither a regular file"},
      {"several --container, -o a FIFO",
       {"record", "--container", "a", "--container", "b", "-o", "{tree}/fifo"},
       2,
       "syscope: with several --container, -o must be a writable directory: {tree}/fifo"},
  });
  // The one profile that could not be written where asked is in $TMPDIR, whole.
  size_t copies = 0;
  for (const auto &entry : std::filesystem::directory_iterator(tmp.dir.path())) {
    CHECK(entry.path().filename().string().rfind("syscope-", 0) == 0);
    CHECK(syscope::test::read_file(entry.path()).find("\"defaultAction\"") != std::string::npos);
    ++copies;
  }
  CHECK(copies == 1);
}
