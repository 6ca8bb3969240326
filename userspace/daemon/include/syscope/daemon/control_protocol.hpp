// SPDX-License-Identifier: Apache-2.0
// What the control socket's server and clients agree on: where it is, and its limits. The
// protocol: one JSON object per line each way. A request is {"request":"NAME","id":ANY,...}
// ("id" optional, echoed); a response {"ok":true,"id":...,...} or {"ok":false,"id":...,
// "error":"one line"}; on a subscribed connection {"event":"NAME",...} lines come interleaved
// with responses (a line with "ok" is a response, one with "event" and no "ok" an event).
#pragma once
#include <cstddef>
#include <string>

namespace syscope::daemon {

// "/run/syscope/syscope.sock": where `syscope daemon` listens and its clients look by default.
std::string default_socket_path();

// A request line longer than this (without its newline) gets the error response "request line
// longer than 1048576 bytes" and the connection is closed (what follows cannot be framed).
inline constexpr size_t kMaxRequestLine = 1 << 20;
// Clients connected at once; one more gets an error line and is closed.
inline constexpr size_t kMaxClients = 256;
// Output queued in the daemon for one client (responses and events it has not read yet). A
// client over it is dropped and counted: it stopped reading. Idle clients are never dropped
// (a `watch --daemon` subscriber may wait for hours). Also the longest line a client accepts.
inline constexpr size_t kMaxQueuedBytes = 16u << 20;
// JSON nesting a request may have: deeper requests are refused as malformed, so a handler that
// dumps or walks a request recursively stays far from the stack's end.
inline constexpr int kMaxRequestDepth = 64;

}  // namespace syscope::daemon
