// SPDX-License-Identifier: Apache-2.0
// The trace file: a versioned header, then framed blocks (length + checksum each), so a file cut
// off by a crash or SIGKILL reads back up to its last complete block. Blocks hold records: the
// kernel's ring-buffer records byte for byte (SYSCOPE_EV_*, include/syscope/abi.h) and
// userspace's own (container metadata, cgroup paths, loss counters) as JSON.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace syscope::trace {

// 2: syscall records carry up to SYSCOPE_CAPTURE_SLOTS data slots, each naming its argument
// (1 had one data blob without an argument index: refused with a one-line error).
inline constexpr uint32_t kFormatVersion = 2;
// Bounds the reader enforces before it allocates anything (so a corrupt length cannot make it
// allocate gigabytes) and the writer stays within. The layout is described in trace_file.cpp.
inline constexpr uint32_t kMaxHeaderBytes = 64 * 1024;        // the header's JSON
inline constexpr uint32_t kMaxBlockBytes = 16 * 1024 * 1024;  // one block's records, uncompressed
inline constexpr uint32_t kMaxRecordBytes = 1024 * 1024;      // one record's bytes
// add() ends a block past this: small, so a disk that fills mid-capture costs at most the last
// block's records (a few hundred calls), and a block rarely waits for its second to pass in a
// storm; zstd still finds most of the redundancy within 64 KiB of records.
inline constexpr uint32_t kBlockTargetBytes = 64 * 1024;
// With max_size: what stays free for the closing records once full() (counters, note), and the
// smallest max_size accepted.
inline constexpr uint64_t kCloseReserveBytes = 16 * 1024;
inline constexpr uint64_t kMinMaxSize = 64 * 1024;
// flush() fdatasync()s what was written since the last sync once this much time has passed
// since it: a machine crash loses at most the last few seconds, and a storm's blocks do not
// each wait for the disk.
inline constexpr std::chrono::seconds kSyncInterval{2};

// Record kinds: 1..99 are the kernel's SYSCOPE_EV_* values; these are userspace's (JSON).
enum RecordKind : uint16_t {
  kRecordContainer = 100,   // {"cgroup_id","runtime","id","name","image","labels":{}}
  kRecordCgroupPath = 101,  // {"cgroup_id","path"}
  kRecordCounters = 102,    // {"ringbuf_full":n,...}: the kernel's loss counters so far
  kRecordNote = 103,        // {"text"}: e.g. why recording stopped (max size reached)
};

struct FileHeader {
  uint32_t format_version = kFormatVersion;
  std::string syscope_version;
  std::string hostname;
  std::string kernel_release;   // uname -r
  std::string machine;          // uname -m
  int64_t boot_to_wall_ns = 0;  // CLOCK_REALTIME - CLOCK_BOOTTIME: record ts_ns + this = wall time
  uint64_t created_wall_ns = 0;
};

// This host's header for a trace recorded now: version, hostname, uname, boot-to-wall offset.
FileHeader local_file_header();

struct Record {
  uint16_t kind = 0;
  std::string_view bytes;  // valid until the next call to TraceReader::next()
};

struct WriterOptions {
  uint64_t max_size = 0;  // bytes; 0: unlimited. Reaching it: the writer says full(), see below
  bool compress = true;   // zstd per block, kept only when it is smaller
  bool sync = true;       // fdatasync() from flush() (see kSyncInterval) and at close()
};

class TraceWriter {
 public:
  // Creates (truncates) the file and writes the header; Exit::usage if it cannot (a file it
  // created is removed again). The path's type is checked as for every output
  // (util::open_output_target): a device or a FIFO with a reader is written in place.
  TraceWriter(const std::string &path, const FileHeader &header, const WriterOptions &options = {});
  ~TraceWriter();  // flushes what is buffered
  TraceWriter(const TraceWriter &) = delete;
  TraceWriter &operator=(const TraceWriter &) = delete;

  void add(uint16_t kind, const void *bytes, size_t size);  // a kernel record, as it came
  void add_json(uint16_t kind, const nlohmann::json &value);
  // Ends the current block, if any, with one write(2); then fdatasync()s if kSyncInterval has
  // passed since the last sync and something was written since. Cheap when nothing is pending:
  // the caller calls it on a timer (a block within a second of its first record, see
  // pending_age()) and at the end.
  void flush();
  // How long the oldest record not yet written (the current block's first) has waited since its
  // add(); nullopt when nothing is pending.
  std::optional<std::chrono::steady_clock::duration> pending_age() const;
  // True once the next block would pass max_size: the caller stops cleanly (documented).
  bool full() const;
  uint64_t bytes_written() const;

  // max_size in detail: the file never grows past max_size. full() turns true when a record
  // does not fit in max_size - kCloseReserveBytes (worst case: uncompressed, plus the end
  // marker); that record and any added later are still kept while they fit in max_size, so the
  // caller can add its closing kRecordCounters / kRecordNote, then close() and stop. Records that
  // do not fit even then are dropped and counted. max_size < kMinMaxSize: Exit::usage.
  uint64_t records_dropped() const;
  // Records add() refused (never thrown): kind 0, more than kMaxRecordBytes, or a kernel kind
  // whose bytes break the reader's guarantees (see TraceReader::next()).
  uint64_t records_rejected() const;
  // Ends the last block, writes the end-of-trace marker, fdatasync()s (WriterOptions::sync) and
  // closes the file. Exit::environment on a write error, from here or from add() and flush():
  // "<path>: cannot write the trace: No space left on device; the file keeps the N records of
  // its first K blocks" (a block torn by the failed write is cut off a regular file again); the
  // destructor calls it (and swallows errors) when the caller did not. add() after close() is
  // ignored.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class TraceReader {
 public:
  // Opens and reads the header: Exit::usage for a file that is not a trace, a header that is
  // cut off, or another format version (the message says which), and for a directory, device or
  // socket. A pipe or FIFO (cat t.trace | syscope trace show /dev/stdin) is first copied to an
  // unnamed temp file in $TMPDIR (default /tmp), then read as a file; one that has no writer
  // (nothing to read) is refused at once, never waited for.
  explicit TraceReader(const std::string &path);
  // The same from bytes in memory (tests, the fuzzer); `name` stands for the file in messages.
  TraceReader(const std::string &name, std::string bytes);
  ~TraceReader();
  TraceReader(const TraceReader &) = delete;
  TraceReader &operator=(const TraceReader &) = delete;

  const FileHeader &header() const;
  // The next record, or false at the end of what is whole. Never throws on bad bytes.
  // Guarantees for every record returned: kind != 0; bytes.data() is 8-byte aligned; a kernel
  // kind syscope knows (SYSCOPE_EV_*) is at least its struct's size, hdr.type == kind and
  // hdr.size == bytes.size(); a SYSCOPE_EV_SYSCALL holds nslots <= SYSCOPE_CAPTURE_SLOTS whole
  // struct syscope_data_slot after the 112-byte struct, each with arg < 6 and len <=
  // SYSCOPE_TRACE_DATA_MAX (read only len bytes of its data).
  // Records of a whole block that break this are skipped and counted (records_skipped()).
  // A block is checked whole (checksum, decompression, framing) before any of its records is
  // returned; the reader stops at the first damaged block (no resync past it).
  bool next(Record &record);
  // Back to the first block, as freshly opened (show reads a trace twice).
  void rewind();
  // Set once next() returned false early: "block 12 at offset 40960: checksum mismatch";
  // nullopt when the file ended cleanly.
  const std::optional<std::string> &stopped_early() const;
  uint64_t blocks_read() const;  // whole blocks read so far, the end-of-trace marker included
  // True once the writer's end-of-trace marker was read: the recording closed the file itself.
  // False with stopped_early() unset: the file ends at a block boundary without it (the writer
  // was killed, the machine died, or it is still being written).
  bool complete() const;
  uint64_t records_skipped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A kernel record's struct copied out of the record bytes (which carry no alignment promise to
// the type); nullopt when the bytes are too short.
template <typename T> std::optional<T> record_as(const Record &record) {
  if (record.bytes.size() < sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, record.bytes.data(), sizeof(T));
  return value;
}

// Userspace records (kind >= 100) as JSON: nullopt unless the bytes are one JSON object.
std::optional<nlohmann::json> parse_json_record(const Record &record);
// "syscall", "proc_fork", "container", ... for a kind; "" for one syscope does not know.
std::string_view record_kind_name(uint16_t kind);
// The smallest valid size of a kernel record kind (its struct); 0 for a kind syscope does not know.
size_t kernel_record_min_size(uint16_t kind);

}  // namespace syscope::trace
