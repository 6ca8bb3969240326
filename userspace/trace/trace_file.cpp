// SPDX-License-Identifier: Apache-2.0
// The trace file format: writer and reader. The reader must survive any byte sequence
// (tests/fuzz/trace_reader_fuzz.cpp), so it checks every length before using it.
//
// Layout, all integers little-endian:
//   file header  "SYSCOPE\0"  u32 format_version  u32 json_len  json[json_len]  u32 crc32c
//                (crc over format_version..json; magic and version stay in place in every
//                format version, so an older reader can always say "newer format")
//   blocks       32-byte header: "SYBK" u32 seq u32 flags u32 stored_len u32 raw_len
//                u32 record_count u32 payload_crc32c u32 header_crc32c (over the first 28
//                bytes), then stored_len bytes of payload: zstd-compressed if flags has
//                kBlockZstd (kept only when smaller), raw otherwise. seq counts from 0.
//   payload      records, each [u16 kind][u16 reserved][u32 length][length bytes], padded with
//                zeros to a multiple of 8 so every record starts 8-byte aligned.
//   end          an empty block with kBlockEnd, written by close().
// Each block goes out in one write(2) to the final path, so a crash leaves whole blocks and at
// most one torn one, which the reader reports ("block 7 at offset 12345: truncated").
#include "syscope/trace/trace_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "crc32c.hpp"
#include "syscope/abi.h"
#include "syscope/base/error.hpp"

namespace syscope::trace {
namespace {

constexpr char kFileMagic[8] = {'S', 'Y', 'S', 'C', 'O', 'P', 'E', '\0'};
constexpr char kBlockMagic[4] = {'S', 'Y', 'B', 'K'};
constexpr size_t kBlockHeaderBytes = 32;
constexpr size_t kRecordHeaderBytes = 8;
constexpr uint32_t kBlockZstd = 0x1;
constexpr uint32_t kBlockEnd = 0x2;
constexpr uint32_t kKnownBlockFlags = kBlockZstd | kBlockEnd;
constexpr int kZstdLevel = 1;  // fast: a syscall storm on 2 cores; records compress well anyway

// The fuzz build skips checksum verdicts (still computing them) so that libFuzzer reaches the
// framing and decompression code instead of stopping at every checksum; the usual convention.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kCheckChecksums = false;
#else
constexpr bool kCheckChecksums = true;
#endif

void put_u16(std::string &out, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out.append(b, 2);
}
void put_u32(std::string &out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}
uint16_t get_u16(const char *p) {
  const auto *u = reinterpret_cast<const unsigned char *>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
uint32_t get_u32(const char *p) {
  const auto *u = reinterpret_cast<const unsigned char *>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
constexpr size_t pad8(size_t n) { return (n + 7) & ~size_t(7); }

// Whether a record of a kernel kind keeps the promises TraceReader::next() makes; writer and
// reader share it. Unknown kernel kinds (a newer kernel side) need only a consistent header.
bool kernel_record_ok(uint16_t kind, const char *p, size_t size) {
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

std::string header_json(const FileHeader &h) {
  nlohmann::json j = {
      {"syscope_version", h.syscope_version}, {"hostname", h.hostname},
      {"kernel_release", h.kernel_release},   {"machine", h.machine},
      {"boot_to_wall_ns", h.boot_to_wall_ns}, {"created_wall_ns", h.created_wall_ns},
  };
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

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
// Writer

struct TraceWriter::Impl {
  std::string path;
  WriterOptions options;
  int fd = -1;
  bool failed = false;  // a write failed: nothing more is written, close() does not retry
  bool closed = false;
  bool full = false;
  uint64_t written = 0;
  uint32_t seq = 0;
  uint64_t dropped = 0;
  uint64_t rejected = 0;
  std::string pending;  // framed records of the block being built
  uint32_t pending_records = 0;
  std::string out;  // block header + stored payload, one write(2)
  std::string zbuf;
  ZSTD_CCtx *cctx = nullptr;
  std::chrono::steady_clock::time_point last_sync{};
  uint64_t synced = 0;                                    // bytes written when last synced
  std::chrono::steady_clock::time_point pending_since{};  // the current block's first add()

  ~Impl() {
    if (cctx) ZSTD_freeCCtx(cctx);
    if (fd >= 0) ::close(fd);
  }

  [[noreturn]] void fail(const std::string &what, int err) {
    failed = true;
    throw Error(Exit::environment, path + ": " + what + ": " + errno_text(err));
  }

  void write_all(const char *p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("cannot write the trace", errno);
      }
      p += w;
      n -= static_cast<size_t>(w);
      written += static_cast<uint64_t>(w);
    }
  }

  void write_block(uint32_t flags) {
    const char *payload = pending.data();
    size_t stored = pending.size();
    if (options.compress && !pending.empty()) {
      if (!cctx && !(cctx = ZSTD_createCCtx())) throw std::bad_alloc();
      zbuf.resize(ZSTD_compressBound(pending.size()));
      size_t z = ZSTD_compressCCtx(cctx, zbuf.data(), zbuf.size(), pending.data(), pending.size(),
                                   kZstdLevel);
      if (!ZSTD_isError(z) && z < pending.size()) {
        payload = zbuf.data();
        stored = z;
        flags |= kBlockZstd;
      }
    }
    out.clear();
    out.append(kBlockMagic, 4);
    put_u32(out, seq);
    put_u32(out, flags);
    put_u32(out, static_cast<uint32_t>(stored));
    put_u32(out, static_cast<uint32_t>(pending.size()));
    put_u32(out, pending_records);
    put_u32(out, crc32c(payload, stored));
    put_u32(out, crc32c(out.data(), out.size()));
    out.append(payload, stored);
    write_all(out.data(), out.size());
    ++seq;
    pending.clear();
    pending_records = 0;
  }

  // Worst case size of the file with `extra` more framed bytes pending and the end marker.
  uint64_t worst_case(size_t extra) const {
    uint64_t w = written + kBlockHeaderBytes;  // the end marker
    if (!pending.empty() || extra > 0) w += kBlockHeaderBytes + pending.size() + extra;
    return w;
  }

  bool fits(size_t framed) const {
    if (options.max_size == 0) return true;
    uint64_t limit = full ? options.max_size : options.max_size - kCloseReserveBytes;
    return worst_case(framed) <= limit;
  }

  void add(uint16_t kind, const char *bytes, size_t size) {
    if (closed || failed) return;
    if (kind == 0 || size > kMaxRecordBytes ||
        (kind < 100 && !kernel_record_ok(kind, bytes, size))) {
      ++rejected;
      return;
    }
    size_t framed = kRecordHeaderBytes + pad8(size);
    if (!fits(framed) && !pending.empty()) write_block(0);  // pending fitted when it was added
    if (!fits(framed) && !full) full = true;                // from now on: the close reserve
    if (!fits(framed)) {
      ++dropped;
      return;
    }
    if (pending.empty()) pending_since = std::chrono::steady_clock::now();
    put_u16(pending, kind);
    put_u16(pending, 0);
    put_u32(pending, static_cast<uint32_t>(size));
    pending.append(bytes, size);
    pending.append(pad8(size) - size, '\0');
    ++pending_records;
    if (pending.size() >= kBlockTargetBytes) write_block(0);
  }

  void sync_now() {
    if (::fdatasync(fd) != 0 && errno != EINVAL && errno != EROFS)  // pipes, special files
      fail("cannot sync the trace", errno);
    last_sync = std::chrono::steady_clock::now();
    synced = written;
  }
};

TraceWriter::TraceWriter(const std::string &path, const FileHeader &header,
                         const WriterOptions &options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->options = options;
  if (options.max_size != 0 && options.max_size < kMinMaxSize)
    throw Error(Exit::usage, path + ": a maximum size of " + std::to_string(options.max_size) +
                                 " bytes is too small for a trace (at least " +
                                 std::to_string(kMinMaxSize) + ")");
  std::string json = header_json(header);
  if (json.size() > kMaxHeaderBytes)
    throw Error(Exit::usage,
                path + ": trace header too large (" + std::to_string(json.size()) + " bytes)");
  std::string h(kFileMagic, 8);
  put_u32(h, kFormatVersion);
  put_u32(h, static_cast<uint32_t>(json.size()));
  h += json;
  put_u32(h, crc32c(h.data() + 8, h.size() - 8));
  // 0600: a forensic trace holds paths, addresses and arguments of everything recorded.
  impl_->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (impl_->fd < 0) throw Error(Exit::usage, path + ": cannot create: " + errno_text(errno));
  try {
    impl_->write_all(h.data(), h.size());
  } catch (const Error &e) {
    throw Error(Exit::usage, e.what());
  }
  impl_->last_sync = std::chrono::steady_clock::now();
  impl_->synced = impl_->written;  // the header alone: nothing worth a sync yet
}

TraceWriter::~TraceWriter() {
  try {
    close();
  } catch (...) {  // a destructor cannot report; close() explicitly to see the error
  }
}

void TraceWriter::add(uint16_t kind, const void *bytes, size_t size) {
  impl_->add(kind, static_cast<const char *>(bytes), size);
}

void TraceWriter::add_json(uint16_t kind, const nlohmann::json &value) {
  std::string s = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  impl_->add(kind, s.data(), s.size());
}

void TraceWriter::flush() {
  Impl &w = *impl_;
  if (w.closed || w.failed) return;
  if (!w.pending.empty()) w.write_block(0);
  // Also when nothing was pending: the last block of a trace that went quiet gets its sync too.
  if (w.options.sync && w.written > w.synced &&
      std::chrono::steady_clock::now() - w.last_sync >= kSyncInterval)
    w.sync_now();
}

std::optional<std::chrono::steady_clock::duration> TraceWriter::pending_age() const {
  if (impl_->closed || impl_->failed || impl_->pending.empty()) return std::nullopt;
  return std::chrono::steady_clock::now() - impl_->pending_since;
}

void TraceWriter::close() {
  Impl &w = *impl_;
  if (w.closed) return;
  w.closed = true;
  if (!w.failed) {
    if (!w.pending.empty()) w.write_block(0);
    w.write_block(kBlockEnd);
    if (w.options.sync) w.sync_now();
  }
  int fd = w.fd;
  w.fd = -1;
  if (::close(fd) != 0 && !w.failed) w.fail("cannot close the trace", errno);
}

bool TraceWriter::full() const { return impl_->full; }
uint64_t TraceWriter::bytes_written() const { return impl_->written; }
uint64_t TraceWriter::records_dropped() const { return impl_->dropped; }
uint64_t TraceWriter::records_rejected() const { return impl_->rejected; }

// ---------------------------------------------------------------------------------------------
// Reader

struct TraceReader::Impl {
  std::string name;
  int fd = -1;                        // a file, or
  std::optional<std::string> memory;  // bytes in memory
  FileHeader header;
  uint64_t offset = 0;  // of the next block
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
      header.boot_to_wall_ns = j.value("boot_to_wall_ns", int64_t{0});
      header.created_wall_ns = j.value("created_wall_ns", uint64_t{0});
    } catch (const nlohmann::json::exception &e) {
      bad_header(std::string("trace header is corrupt (") + e.what() + ")");
    }
    offset = h.size();
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
  impl_->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl_->fd < 0) throw Error(Exit::usage, path + ": cannot open: " + errno_text(errno));
  struct stat st;
  if (::fstat(impl_->fd, &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(Exit::usage, path + ": is a directory, not a syscope trace");
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
const std::optional<std::string> &TraceReader::stopped_early() const { return impl_->stopped; }
uint64_t TraceReader::blocks_read() const { return impl_->blocks; }
bool TraceReader::complete() const { return impl_->complete; }
uint64_t TraceReader::records_skipped() const { return impl_->skipped; }

}  // namespace syscope::trace
