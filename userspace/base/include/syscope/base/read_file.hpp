// SPDX-License-Identifier: Apache-2.0
// Reading a file a user named (a profile, a compose file) without letting it harm the run: only
// a regular file is read, never more than a stated size, and opening a FIFO cannot hang.
#pragma once
#include <cstddef>
#include <string>

namespace syscope {

struct FileText {
  std::string text;
  std::string error;  // empty on success; else the reason, without the path: "is a FIFO, ..."
};

// The file's bytes when it is a regular file of at most `max_bytes`. With `head_only`, a larger
// file gives its first `max_bytes` instead of an error (enough to sniff a shebang).
FileText read_regular_file(const std::string &path, size_t max_bytes, bool head_only = false);

// What a file of this st_mode is, for messages: "is a FIFO", "is a character device", ...
const char *file_type_text(unsigned mode);

// The size limit people read in messages: "4 MiB".
std::string size_text(size_t bytes);

}  // namespace syscope
