// SPDX-License-Identifier: Apache-2.0
// Small text forms shared by every printer: numbers in hex, untrusted text made safe to print,
// binary data as base64.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace syscope {

std::string hex(uint64_t v);  // "0x1f"; "0x0" for zero

// Text from outside (a profile's syscall names and keys, a parser's excerpt of a file) as it may
// go into a one-line message on a terminal: \n, \r and \t as such, every other control byte (C0,
// DEL, UTF-8-encoded C1 such as CSI) and every byte that is not part of valid UTF-8 as \xNN.
// Printable UTF-8 is kept. Backslashes are kept as they are, so that escaping a message twice
// (once where it is built, once where it is printed) changes nothing the second time.
std::string printable(std::string_view text);

// Standard base64 (RFC 4648, '+' '/', '=' padding), as binary data travels in JSON.
std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64: a length not a multiple of 4, a
// byte outside the alphabet (whitespace included), misplaced padding, non-zero unused bits.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace syscope
