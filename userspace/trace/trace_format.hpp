// SPDX-License-Identifier: Apache-2.0
// The trace file's layout, shared by the writer (trace_writer.cpp) and the reader
// (trace_file.cpp); private to the trace layer.
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
// most one torn one, which the reader reports ("block 7 at offset 12345: truncated"); a write
// that fails (a full disk) has its torn block cut off again by the writer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace syscope::trace::format {

inline constexpr char kFileMagic[8] = {'S', 'Y', 'S', 'C', 'O', 'P', 'E', '\0'};
inline constexpr char kBlockMagic[4] = {'S', 'Y', 'B', 'K'};
inline constexpr size_t kBlockHeaderBytes = 32;
inline constexpr size_t kRecordHeaderBytes = 8;
inline constexpr uint32_t kBlockZstd = 0x1;
inline constexpr uint32_t kBlockEnd = 0x2;
inline constexpr uint32_t kKnownBlockFlags = kBlockZstd | kBlockEnd;
inline constexpr int kZstdLevel =
    1;  // fast: a syscall storm on 2 cores; records compress well anyway

inline void put_u16(std::string &out, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out.append(b, 2);
}
inline void put_u32(std::string &out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}
inline uint16_t get_u16(const char *p) {
  const auto *u = reinterpret_cast<const unsigned char *>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
inline uint32_t get_u32(const char *p) {
  const auto *u = reinterpret_cast<const unsigned char *>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
inline constexpr size_t pad8(size_t n) { return (n + 7) & ~size_t(7); }

// Whether a record of a kernel kind keeps the promises TraceReader::next() makes; writer and
// reader share it. Unknown kernel kinds (a newer kernel side) need only a consistent header.
bool kernel_record_ok(uint16_t kind, const char *p, size_t size);

}  // namespace syscope::trace::format
