// SPDX-License-Identifier: Apache-2.0
// CRC-32C (Castagnoli), the checksum of trace file headers and blocks: SSE4.2's crc32
// instruction where the CPU has it, a table otherwise (same results, tested against both).
#pragma once
#include <cstddef>
#include <cstdint>

namespace syscope::trace {

// CRC-32C of `size` bytes, continuing from `crc` (0 to start): crc32c("123456789") = 0xe3069283.
uint32_t crc32c(const void *data, size_t size, uint32_t crc = 0);
// The table version alone, so tests can compare both paths on the same machine.
uint32_t crc32c_portable(const void *data, size_t size, uint32_t crc = 0);

}  // namespace syscope::trace
