// SPDX-License-Identifier: Apache-2.0
// The trace stream's messages and the client's side of them. Everything the client reads here
// comes from another process: it is checked before it reaches the trace file, and refused with
// one line naming what was wrong, so a buggy daemon neither crashes the client nor makes it write
// a file that `trace show` would read differently from what was sent.
#include "syscope/daemon/trace_stream.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "syscope/abi.h"
#include "syscope/base/clock.hpp"
#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"

namespace syscope::daemon {
namespace {

[[noreturn]] void bad_stream(const std::string &what) {
  throw Error(Exit::environment, "the daemon's trace stream is damaged: " + what);
}

}  // namespace

nlohmann::json header_to_json(const trace::FileHeader &h) {
  return {{"syscope_version", h.syscope_version}, {"hostname", h.hostname},
          {"kernel_release", h.kernel_release},   {"machine", h.machine},
          {"boot_to_wall_ns", h.boot_to_wall_ns}, {"created_wall_ns", h.created_wall_ns}};
}

trace::FileHeader header_from_json(const nlohmann::json &j) {
  if (!j.is_object()) bad_stream("the trace header is not a JSON object");
  auto text = [&j](const char *key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
      bad_stream(std::string("the trace header's \"") + key + "\" is missing or not a string");
    return it->get<std::string>();
  };
  auto number = [&j](const char *key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer())  // unsigned ones are integers too
      bad_stream(std::string("the trace header's \"") + key + "\" is missing or not an integer");
    return it;
  };
  trace::FileHeader h;
  h.syscope_version = text("syscope_version");
  h.hostname = text("hostname");
  h.kernel_release = text("kernel_release");
  h.machine = text("machine");
  auto offset = number("boot_to_wall_ns");
  // A uint64 past INT64_MAX cannot be a boot-to-wall offset (and would wrap in get<int64_t>).
  if (offset->is_number_unsigned() && offset->get<uint64_t>() > uint64_t(INT64_MAX))
    bad_stream("the trace header's \"boot_to_wall_ns\" is out of range");
  h.boot_to_wall_ns = offset->get<int64_t>();
  auto created = number("created_wall_ns");
  if (!created->is_number_unsigned() && created->get<int64_t>() < 0)
    bad_stream("the trace header's \"created_wall_ns\" is negative");
  h.created_wall_ns = created->get<uint64_t>();
  return h;
}

nlohmann::json trace_start_fields(uint64_t session, const trace::FileHeader &header,
                                  const nlohmann::json &container_record) {
  return {
      {"session", session}, {"header", header_to_json(header)}, {"container", container_record}};
}

// Built by hand rather than through nlohmann: base64 needs no escaping, and a 256 KiB batch
// would otherwise be copied twice more on its way out.
std::string trace_records_message(uint64_t session, std::string_view records) {
  std::string line =
      R"({"event":"trace_records","session":)" + std::to_string(session) + R"(,"data":")";
  line += base64_encode(records);
  line += "\"}";
  return line;
}

std::string trace_end_message(uint64_t session, const std::string &reason,
                              const nlohmann::json &counters) {
  nlohmann::json j = {
      {"event", "trace_end"}, {"session", session}, {"reason", reason}, {"counters", counters}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string records_of_message(const nlohmann::json &message) {
  if (!message.is_object()) bad_stream("a trace_records message is not a JSON object");
  auto it = message.find("data");
  if (it == message.end() || !it->is_string())
    bad_stream("a trace_records message has no \"data\" string");
  auto bytes = base64_decode(it->get_ref<const std::string &>());
  if (!bytes) bad_stream("a trace_records message's \"data\" is not valid base64");
  return std::move(*bytes);
}

size_t write_stream_records(trace::TraceWriter &out, std::string_view bytes) {
  // Checked whole first: a batch is added entirely or not at all.
  std::vector<std::pair<size_t, syscope_event_hdr>> records;
  for (size_t at = 0; at < bytes.size();) {
    size_t left = bytes.size() - at;
    std::string where = "the record at byte " + std::to_string(at) + " of a batch";
    if (left < sizeof(syscope_event_hdr))
      bad_stream(where + " is cut off (" + std::to_string(left) + " bytes, a header is 16)");
    syscope_event_hdr hdr;
    std::memcpy(&hdr, bytes.data() + at, sizeof hdr);
    if (hdr.size < sizeof(syscope_event_hdr))
      bad_stream(where + " says its size is " + std::to_string(hdr.size) + " (under 16 bytes)");
    if (hdr.size > trace::kMaxRecordBytes)  // a u16 today; kept in case the header grows
      bad_stream(where + " is over the largest record size");
    if (hdr.size > left)
      bad_stream(where + " says its size is " + std::to_string(hdr.size) + " but " +
                 std::to_string(left) + " bytes are left");
    if (hdr.type == 0 || hdr.type >= trace::kRecordContainer)
      bad_stream(where + " has type " + std::to_string(hdr.type) + ", not a kernel record's");
    records.emplace_back(at, hdr);
    at += hdr.size;
  }
  for (const auto &[at, hdr] : records) out.add(hdr.type, bytes.data() + at, hdr.size);
  return records.size();
}

}  // namespace syscope::daemon
