// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: TraceReader on any bytes must neither crash nor break the promises
// TraceReader::next() makes. Built with clang (-fsanitize=fuzzer,address,undefined) and
// FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, which skips checksum verdicts so mutations reach
// the framing and zstd code (tests/fuzz/CMakeLists.txt).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "syscope/abi.h"
#include "syscope/base/error.hpp"
#include "syscope/trace/trace_file.hpp"

using namespace syscope::trace;

namespace {

void require(bool ok) {
  if (!ok) std::abort();  // a broken promise is a finding, like a crash
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    TraceReader reader("fuzz", std::string(reinterpret_cast<const char *>(data), size));
    Record r;
    uint64_t n = 0;
    while (reader.next(r)) {
      ++n;
      require(r.kind != 0);
      require(reinterpret_cast<uintptr_t>(r.bytes.data()) % 8 == 0);
      unsigned sum = 0;
      for (char c : r.bytes) sum += static_cast<unsigned char>(c);  // readable (ASan)
      require(sum <= 255u * r.bytes.size());
      if (r.kind < 100) {
        syscope_event_hdr hdr;
        require(r.bytes.size() >= sizeof hdr);
        std::memcpy(&hdr, r.bytes.data(), sizeof hdr);
        require(hdr.type == r.kind && hdr.size == r.bytes.size());
        require(r.bytes.size() >= kernel_record_min_size(r.kind));
        if (r.kind == SYSCOPE_EV_SYSCALL) {
          syscope_syscall_event ev;
          std::memcpy(&ev, r.bytes.data(), sizeof ev);
          require(ev.nslots <= SYSCOPE_CAPTURE_SLOTS &&
                  r.bytes.size() >= sizeof ev + ev.nslots * sizeof(syscope_data_slot));
          for (size_t i = 0; i < ev.nslots; ++i) {
            syscope_data_slot slot;
            std::memcpy(&slot, r.bytes.data() + sizeof ev + i * sizeof slot, sizeof slot);
            require(slot.arg < 6 && slot.len <= SYSCOPE_TRACE_DATA_MAX);
          }
        }
      } else {
        (void)parse_json_record(r);
      }
      (void)record_kind_name(r.kind);
    }
    // Records come only out of whole blocks, each at most kMaxBlockBytes of records framed in 8
    // bytes or more: none before a block was read, and no more than the blocks read can hold
    // (with blocks_read() bounded by the input's size below, so is the record count).
    require(n + reader.records_skipped() <= reader.blocks_read() * (kMaxBlockBytes / 8));
    require(reader.blocks_read() <= size / 32);
    require(!reader.next(r));  // false is final: nothing of the block that stopped the reader
  } catch (const syscope::Error &) {  // a bad header: the one thing the reader throws
  }
  return 0;
}
