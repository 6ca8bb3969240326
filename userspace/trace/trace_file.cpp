// SPDX-License-Identifier: Apache-2.0
// The trace file format's reader (the writer is trace_writer.cpp, the layout trace_format.hpp).
// The reader must survive any byte sequence (tests/fuzz/trace_reader_fuzz.cpp), so it checks
// every length before using it.
#include "syscope/trace/trace_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "crc32c.hpp"
#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "trace_format.hpp"

namespace syscope::trace {
using namespace format;
namespace {

// The fuzz build skips checksum verdicts (still computing them) so that libFuzzer reaches the
// framing and decompression code instead of stopping at every checksum; the usual convention.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kCheckChecksums = false;
#else
constexpr bool kCheckChecksums = true;
#endif

}  // namespace

// Whether a record of a kernel kind keeps the promises TraceReader::next() makes; writer and
// reader share it. Unknown kernel kinds (a newer kernel side) need only a consistent header.
bool format::kernel_record_ok(uint16_t kind, const char *p, size_t size) {
  if (size < sizeof(syscope_event_hdr)) return false;
  syscope_event_hdr hdr;
  std::memcpy(&hdr, p, sizeof hdr);
  if (hdr.type != kind || hdr.size != size) return false;
  size_t min = kernel_record_min_size(kind);
  if (size < min) return false;
  if (kind == SYSCOPE_EV_SYSCALL) {
    syscope_syscall_event ev;
    std::memcpy(&ev, p, sizeof ev);
    if (ev.nslots > SYSCOPE_CAPTURE_SLOTS ||
        size < sizeof ev + size_t{ev.nslots} * sizeof(syscope_data_slot))
      return false;
    for (uint16_t i = 0; i < ev.nslots; ++i) {
      syscope_data_slot slot;
      std::memcpy(&slot, p + sizeof ev + i * sizeof slot, offsetof(syscope_data_slot, data));
      if (slot.arg >= 6 || slot.len > SYSCOPE_TRACE_DATA_MAX) return false;
    }
  } else if (kind == SYSCOPE_EV_PROC_EXEC) {
    syscope_proc_exec ev;
    std::memcpy(&ev, p, sizeof ev);
    if (ev.args_len > SYSCOPE_EXEC_ARGS_MAX) return false;
  }
  return true;
}


// ---------------------------------------------------------------------------------------------
// Free helpers

size_t kernel_record_min_size(uint16_t kind) {
  switch (kind) {
    case SYSCOPE_EV_FIRST_SEEN: return sizeof(syscope_first_seen);
    case SYSCOPE_EV_FIRST_DENIAL: return sizeof(syscope_first_denial);
    case SYSCOPE_EV_CGROUP_MKDIR:
    case SYSCOPE_EV_CGROUP_RMDIR: return sizeof(syscope_cgroup_event);
    case SYSCOPE_EV_DENIAL: return sizeof(syscope_denial_event);
    case SYSCOPE_EV_SYSCALL: return sizeof(syscope_syscall_event);
    case SYSCOPE_EV_PROC_FORK: return sizeof(syscope_proc_fork);
    case SYSCOPE_EV_PROC_EXEC: return sizeof(syscope_proc_exec);
    case SYSCOPE_EV_PROC_EXIT: return sizeof(syscope_proc_exit);
    default: return 0;
  }
}

std::string_view record_kind_name(uint16_t kind) {
  switch (kind) {
    case SYSCOPE_EV_FIRST_SEEN: return "first_seen";
    case SYSCOPE_EV_FIRST_DENIAL: return "first_denial";
    case SYSCOPE_EV_CGROUP_MKDIR: return "cgroup_mkdir";
    case SYSCOPE_EV_CGROUP_RMDIR: return "cgroup_rmdir";
    case SYSCOPE_EV_DENIAL: return "denial";
    case SYSCOPE_EV_SYSCALL: return "syscall";
    case SYSCOPE_EV_PROC_FORK: return "proc_fork";
    case SYSCOPE_EV_PROC_EXEC: return "proc_exec";
    case SYSCOPE_EV_PROC_EXIT: return "proc_exit";
    case kRecordContainer: return "container";
    case kRecordCgroupPath: return "cgroup_path";
    case kRecordCounters: return "counters";
    case kRecordNote: return "note";
    default: return "";
  }
}

std::optional<nlohmann::json> parse_json_record(const Record &record) {
  if (record.kind < 100) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(record.bytes.begin(), record.bytes.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;  // also a parse error (discarded)
  return j;
}

// ---------------------------------------------------------------------------------------------
// Reader

struct TraceReader::Impl {
  std::string name;
  int fd = -1;                        // a file, or
  std::optional<std::string> memory;  // bytes in memory
  FileHeader header;
  uint64_t offset = 0;       // of the next block
  uint64_t first_block = 0;  // its offset after the header
  uint64_t blocks = 0;
  uint64_t skipped = 0;
  bool done = false;
  bool complete = false;
  std::optional<std::string> stopped;
  std::vector<uint64_t> raw;  // the current block's records (uint64_t: 8-byte alignment)
  size_t raw_size = 0;
  size_t pos = 0;      // of the next record in raw
  std::string stored;  // a compressed payload
  ZSTD_DCtx *dctx = nullptr;

  ~Impl() {
    if (dctx) ZSTD_freeDCtx(dctx);
    if (fd >= 0) ::close(fd);
  }

  // Up to n bytes at `off`; fewer at the end of the file. -errno on a read error.
  ssize_t read_at(uint64_t off, char *buf, size_t n) {
    if (n == 0) return 0;  // buf may be null (an empty block)
    if (memory) {
      if (off >= memory->size()) return 0;
      size_t k = std::min<uint64_t>(n, memory->size() - off);
      std::memcpy(buf, memory->data() + off, k);
      return static_cast<ssize_t>(k);
    }
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(off + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        return -errno;
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return static_cast<ssize_t>(got);
  }

  [[noreturn]] void bad_header(const std::string &why) {
    throw Error(Exit::usage, name + ": " + why);
  }

  void read_header() {
    char fixed[16];
    ssize_t n = read_at(0, fixed, sizeof fixed);
    if (n < 0) bad_header("cannot read: " + errno_text(static_cast<int>(-n)));
    if (n == 0) bad_header("empty file, not a syscope trace");
    size_t got = static_cast<size_t>(n);
    if (std::memcmp(fixed, kFileMagic, std::min<size_t>(got, 8)) != 0)
      bad_header("not a syscope trace file (no SYSCOPE magic)");
    if (got < 16) bad_header("trace header is cut off (" + std::to_string(got) + " bytes)");
    uint32_t version = get_u32(fixed + 8);
    if (version == 0) bad_header("not a syscope trace file (format version 0)");
    if (version < kFormatVersion)
      bad_header("trace format version " + std::to_string(version) +
                 " was written by an older syscope (one captured argument per call); this "
                 "syscope reads version " +
                 std::to_string(kFormatVersion) +
                 " only: read it with the syscope that wrote it, or record it again");
    if (version > kFormatVersion)
      bad_header("trace format version " + std::to_string(version) +
                 " is newer than this syscope reads (" + std::to_string(kFormatVersion) +
                 "); upgrade syscope");
    uint32_t len = get_u32(fixed + 12);
    if (len > kMaxHeaderBytes)
      bad_header("trace header is corrupt (header length " + std::to_string(len) + ")");
    std::string h(16 + size_t(len) + 4, '\0');
    n = read_at(0, h.data(), h.size());
    if (n < 0) bad_header("cannot read: " + errno_text(static_cast<int>(-n)));
    if (static_cast<size_t>(n) < h.size())
      bad_header("trace header is cut off (" + std::to_string(n) + " of " +
                 std::to_string(h.size()) + " bytes)");
    uint32_t crc = crc32c(h.data() + 8, 8 + len);
    if (kCheckChecksums && crc != get_u32(h.data() + 16 + len))
      bad_header("trace header is corrupt (checksum mismatch)");
    nlohmann::json j = nlohmann::json::parse(h.begin() + 16, h.begin() + 16 + len, nullptr, false);
    if (!j.is_object()) bad_header("trace header is corrupt (not a JSON object)");
    try {
      header.format_version = version;
      header.syscope_version = j.value("syscope_version", "");
      header.hostname = j.value("hostname", "");
      header.kernel_release = j.value("kernel_release", "");
      header.machine = j.value("machine", "");
      // Integers only: nlohmann casts a float such as 5.5e21 to an integer type unchecked (UB).
      for (const char *key : {"boot_to_wall_ns", "created_wall_ns"})
        if (j.contains(key) && !j[key].is_number_integer())
          bad_header(std::string("trace header is corrupt (") + key + " is not an integer)");
      header.boot_to_wall_ns = j.value("boot_to_wall_ns", int64_t{0});
      header.created_wall_ns = j.value("created_wall_ns", uint64_t{0});
    } catch (const nlohmann::json::exception &e) {
      bad_header(std::string("trace header is corrupt (") + e.what() + ")");
    }
    offset = first_block = h.size();
  }

  void rewind() {
    offset = first_block;
    blocks = skipped = 0;
    done = complete = false;
    stopped.reset();
    raw_size = pos = 0;
  }

  // A pipe or FIFO cannot be read at offsets (nor twice, as show does): its bytes are copied to
  // an unnamed temp file in $TMPDIR first, which is then read like any trace file. Opened
  // O_NONBLOCK, a FIFO nobody writes reads as 0 bytes at once (EOF) instead of waiting for a
  // writer: refused; one with a writer gives EAGAIN until data comes, then blocking reads.
  void spool_pipe() {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    if (n == 0) throw Error(Exit::usage, name + ": is a pipe or FIFO with nothing to read");
    if (n < 0 && errno != EAGAIN)
      throw Error(Exit::usage, name + ": cannot read: " + errno_text(errno));
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    const char *tmpdir = std::getenv("TMPDIR");
    std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
    int tmp = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (tmp < 0)
      throw Error(Exit::usage, name + ": cannot copy the piped trace to a temp file in " + dir +
                                   ": " + errno_text(errno));
    auto copy_failed = [&](const std::string &what, int err) {
      ::close(tmp);
      throw Error(Exit::usage, name + ": " + what + ": " + errno_text(err));
    };
    for (;;) {
      for (ssize_t done = 0; done < n;) {
        ssize_t w = ::write(tmp, buf + done, static_cast<size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) copy_failed("cannot copy the piped trace to a temp file in " + dir, errno);
        done += w;
      }
      while ((n = ::read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {
      }
      if (n < 0) copy_failed("cannot read", errno);
      if (n == 0) break;
    }
    ::close(fd);
    fd = tmp;
  }

  bool stop(uint64_t at, const std::string &why) {
    stopped = "block " + std::to_string(blocks) + " at offset " + std::to_string(at) + ": " + why;
    done = true;
    return false;
  }

  // Reads, checks and unpacks the next block into raw. False when there is none (end or damage).
  bool load_block() {
    const uint64_t at = offset;
    char bh[kBlockHeaderBytes];
    ssize_t n = read_at(at, bh, sizeof bh);
    if (n < 0) return stop(at, "read error: " + errno_text(static_cast<int>(-n)));
    if (n == 0) {
      done = true;  // a clean end at a block boundary (complete or not)
      return false;
    }
    if (complete) return stop(at, "data after the end of the trace");
    if (static_cast<size_t>(n) < sizeof bh)
      return stop(at, "truncated (block header: " + std::to_string(n) + " of 32 bytes)");
    if (std::memcmp(bh, kBlockMagic, 4) != 0) return stop(at, "not a block (bad magic)");
    if (kCheckChecksums && crc32c(bh, 28) != get_u32(bh + 28))
      return stop(at, "block header checksum mismatch");
    uint32_t seq = get_u32(bh + 4), flags = get_u32(bh + 8), stored_len = get_u32(bh + 12),
             raw_len = get_u32(bh + 16), count = get_u32(bh + 20), payload_crc = get_u32(bh + 24);
    if (seq != blocks)
      return stop(at, "out of sequence (block number " + std::to_string(seq) + ")");
    if (flags & ~kKnownBlockFlags) return stop(at, "unknown block flags " + std::to_string(flags));
    if (raw_len > kMaxBlockBytes || stored_len > raw_len ||
        (!(flags & kBlockZstd) && stored_len != raw_len) || ((flags & kBlockZstd) && raw_len == 0))
      return stop(at, "corrupt block header (lengths " + std::to_string(stored_len) + "/" +
                          std::to_string(raw_len) + ")");
    if (count > raw_len / kRecordHeaderBytes)
      return stop(at, "corrupt block header (" + std::to_string(count) + " records)");
    if ((flags & kBlockEnd) && raw_len != 0) return stop(at, "corrupt end-of-trace block");
    // Bytes there are now, before allocating anything (a file may still grow: reads decide).
    uint64_t size = 0;
    struct stat st;
    if (memory)
      size = memory->size();
    else if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
      size = static_cast<uint64_t>(st.st_size);
    if (size >= at + sizeof bh && size - (at + sizeof bh) < stored_len)
      return stop(at, "truncated (payload: " + std::to_string(size - at - sizeof bh) + " of " +
                          std::to_string(stored_len) + " bytes)");

    raw_size = pos = 0;  // a block that fails below hands out nothing, even to a next() again
    raw.assign((raw_len + 7) / 8, 0);
    char *dst = reinterpret_cast<char *>(raw.data());
    char *src = dst;
    if (flags & kBlockZstd) {
      stored.resize(stored_len);
      src = stored.data();
    }
    n = read_at(at + sizeof bh, src, stored_len);
    if (n < 0) return stop(at, "read error: " + errno_text(static_cast<int>(-n)));
    if (static_cast<size_t>(n) < stored_len)
      return stop(at, "truncated (payload: " + std::to_string(n) + " of " +
                          std::to_string(stored_len) + " bytes)");
    if (kCheckChecksums && crc32c(src, stored_len) != payload_crc)
      return stop(at, "checksum mismatch");
    if (flags & kBlockZstd) {
      if (!dctx && !(dctx = ZSTD_createDCtx())) throw std::bad_alloc();
      size_t r = ZSTD_decompressDCtx(dctx, dst, raw_len, src, stored_len);
      if (ZSTD_isError(r))
        return stop(at, std::string("bad compressed data: ") + ZSTD_getErrorName(r));
      if (r != raw_len)
        return stop(at, "bad compressed data: " + std::to_string(r) + " bytes instead of " +
                            std::to_string(raw_len));
    }
    // Framing first, for the whole block: no record of a damaged block is handed out.
    uint32_t found = 0;
    for (size_t p = 0; p < raw_len;) {
      if (raw_len - p < kRecordHeaderBytes)
        return stop(at, "bad record framing at payload offset " + std::to_string(p));
      uint16_t kind = get_u16(dst + p);
      uint32_t len = get_u32(dst + p + 4);
      if (kind == 0 || len > kMaxRecordBytes || pad8(len) > raw_len - p - kRecordHeaderBytes)
        return stop(at, "bad record framing at payload offset " + std::to_string(p));
      p += kRecordHeaderBytes + pad8(len);
      ++found;
    }
    if (found != count)
      return stop(at, "record count mismatch (" + std::to_string(found) + " framed, header says " +
                          std::to_string(count) + ")");
    offset = at + sizeof bh + stored_len;
    ++blocks;
    raw_size = raw_len;
    if (flags & kBlockEnd) complete = true;
    return true;
  }

  bool next(Record &record) {
    for (;;) {
      const char *base = reinterpret_cast<const char *>(raw.data());
      while (pos < raw_size) {  // framing was checked in load_block()
        uint16_t kind = get_u16(base + pos);
        uint32_t len = get_u32(base + pos + 4);
        const char *bytes = base + pos + kRecordHeaderBytes;
        pos += kRecordHeaderBytes + pad8(len);
        if (kind < 100 && !kernel_record_ok(kind, bytes, len)) {
          ++skipped;
          continue;
        }
        record.kind = kind;
        record.bytes = std::string_view(bytes, len);
        return true;
      }
      if (done || !load_block()) return false;
    }
  }
};

TraceReader::TraceReader(const std::string &path) : impl_(std::make_unique<Impl>()) {
  impl_->name = path;
  struct stat st {};
  // O_NONBLOCK: opening a FIFO never waits for a writer (see spool_pipe()).
  impl_->fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (impl_->fd < 0 && errno == ENXIO && ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode))
    throw Error(Exit::usage, path + ": is a socket, not a syscope trace");
  if (impl_->fd < 0) throw Error(Exit::usage, path + ": cannot open: " + errno_text(errno));
  if (::fstat(impl_->fd, &st) != 0)
    throw Error(Exit::usage, path + ": cannot read: " + errno_text(errno));
  // A device is refused: /dev/zero never ends, a terminal waits for input.
  if (S_ISDIR(st.st_mode)) throw Error(Exit::usage, path + ": is a directory, not a syscope trace");
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    throw Error(Exit::usage, path + ": is a " + (S_ISCHR(st.st_mode) ? "character" : "block") +
                                 " device, not a syscope trace");
  if (S_ISFIFO(st.st_mode)) impl_->spool_pipe();
  impl_->read_header();
}

TraceReader::TraceReader(const std::string &name, std::string bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->name = name;
  impl_->memory = std::move(bytes);
  impl_->read_header();
}

TraceReader::~TraceReader() = default;

const FileHeader &TraceReader::header() const { return impl_->header; }
bool TraceReader::next(Record &record) { return impl_->next(record); }
void TraceReader::rewind() { impl_->rewind(); }
const std::optional<std::string> &TraceReader::stopped_early() const { return impl_->stopped; }
uint64_t TraceReader::blocks_read() const { return impl_->blocks; }
bool TraceReader::complete() const { return impl_->complete; }
uint64_t TraceReader::records_skipped() const { return impl_->skipped; }

}  // namespace syscope::trace
