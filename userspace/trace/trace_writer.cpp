// SPDX-License-Identifier: Apache-2.0
// The trace file format's writer (layout: trace_format.hpp). Every block goes out in one
// write(2); one that a full disk tears is cut off again, so the file always ends at a whole block.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "crc32c.hpp"
#include "syscope/base/atomic_file.hpp"
#include "syscope/base/error.hpp"
#include "syscope/trace/trace_file.hpp"
#include "trace_format.hpp"

namespace syscope::trace {
using namespace format;
namespace {

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
// Writer

struct TraceWriter::Impl {
  std::string path;
  WriterOptions options;
  int fd = -1;
  bool regular = true;  // a regular file (a torn block is cut off again), not a device or FIFO
  bool failed = false;  // a write failed: nothing more is written, close() does not retry
  bool closed = false;
  bool full = false;
  uint64_t written = 0;
  uint32_t seq = 0;
  uint64_t dropped = 0;
  uint64_t rejected = 0;
  uint64_t records_out = 0;  // records in the blocks written whole
  std::string pending;       // framed records of the block being built
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

  [[noreturn]] void fail(const std::string &what, int err, const std::string &tail = "") {
    failed = true;
    throw Error(Exit::environment, path + ": " + what + ": " + errno_text(err) + tail);
  }

  // 0, or the errno of the write that failed (a short write is followed by the failing one).
  int write_all(const char *p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      p += w;
      n -= static_cast<size_t>(w);
      written += static_cast<uint64_t>(w);
    }
    return 0;
  }

  // A block that did not go out whole (ENOSPC mid-write) is cut off again, so the file ends at
  // its last whole block: readers see a capture cut short, not a damaged block.
  [[noreturn]] void fail_block(uint64_t block_start, int err) {
    if (regular && ::ftruncate(fd, static_cast<off_t>(block_start)) == 0) written = block_start;
    fail("cannot write the trace", err,
         "; the file keeps the " + std::to_string(records_out) + " records of its first " +
             std::to_string(seq) + " blocks");
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
    uint64_t block_start = written;
    if (int err = write_all(out.data(), out.size())) fail_block(block_start, err);
    records_out += pending_records;
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
  // The path's type decides, as for every output (util::open_output_target): a device or a
  // FIFO with a reader is written in place, a symlink followed only where that is safe, anything
  // else refused. A trace is written in place as it grows, never via a temp file: a capture
  // killed half-way keeps what it wrote.
  util::OutputTarget target = util::open_output_target(path);
  bool created = false;
  if (target.fd >= 0) {
    impl_->fd = target.fd;
    impl_->regular = false;
  } else {
    // 0600: a forensic trace holds paths, addresses and arguments of everything recorded.
    // O_NOFOLLOW: the target was resolved above; a symlink put there since is not followed.
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    impl_->fd = ::open(target.target.c_str(), flags | O_EXCL, 0600);
    created = impl_->fd >= 0;
    if (impl_->fd < 0 && errno == EEXIST)
      impl_->fd = ::open(target.target.c_str(), flags | O_TRUNC, 0600);
    if (impl_->fd < 0) throw Error(Exit::usage, path + ": cannot create: " + errno_text(errno));
  }
  if (int err = impl_->write_all(h.data(), h.size())) {
    // Nothing of a trace is there: a file this made goes again (a full disk keeps no stub).
    if (created) ::unlink(target.target.c_str());
    throw Error(Exit::usage, path + ": cannot write the trace: " + errno_text(err));
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

}  // namespace syscope::trace
