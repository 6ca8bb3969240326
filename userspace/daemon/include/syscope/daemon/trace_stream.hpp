// SPDX-License-Identifier: Apache-2.0
// `syscope trace --daemon` on the wire: what the daemon sends a tracing client over the control
// socket (one JSON object per line) and what the client makes of it. Pure: no socket, no kernel.
//
//   start response fields  {"session":N,"header":{FileHeader},"container":{kRecordContainer}}
//   then, repeatedly       {"event":"trace_records","session":N,"data":"<base64 of whole records>"}
//   and last               {"event":"trace_end","session":N,"reason":"...","counters":{...}}
//
// The client writes the header, the container record, every batch's records and, at the end,
// the counters into a trace file (trace::TraceWriter), which `trace show` reads like any other.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "syscope/kernel/loss_counters.hpp"
#include "syscope/trace/trace_file.hpp"

namespace syscope::daemon {


nlohmann::json header_to_json(const trace::FileHeader &header);
// The header a start response carries; Exit::environment (one line, the field named) when a
// field is missing or of the wrong type: the daemon is then not one this client understands.
trace::FileHeader header_from_json(const nlohmann::json &j);


// The fields of a trace start's response (the caller adds its own, e.g. "ok").
nlohmann::json trace_start_fields(uint64_t session, const trace::FileHeader &header,
                                  const nlohmann::json &container_record);
// One line each, without the trailing newline.
std::string trace_records_message(uint64_t session, std::string_view records);
// `counters`: bpf::to_json(LossCounters) plus the session's own ("session_dropped", ...).
std::string trace_end_message(uint64_t session, const std::string &reason,
                              const nlohmann::json &counters);

// The records of a trace_records message, decoded; Exit::environment (one line) when "data" is
// missing, not a string, or not valid base64.
std::string records_of_message(const nlohmann::json &message);

// Splits `bytes` into whole kernel records by hdr.size and adds each to `out`; returns how many.
// Refuses (Exit::environment, one line, before adding anything) a record whose size is < 16,
// runs past the buffer or is over trace::kMaxRecordBytes, and one whose type is not a kernel
// record's (0 or >= 100): a buggy daemon must not crash the client or corrupt its file.
size_t write_stream_records(trace::TraceWriter &out, std::string_view bytes);

}  // namespace syscope::daemon
