// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: lint's front end, text to findings, for one file. The input is a file name,
// a newline, then the file's bytes: the name picks the kind (docker-compose.yml, .gitlab-ci.yml,
// *.sh, Dockerfile, Makefile, any YAML by content, a Helm template), as the walk would, with no
// file opened. Crashes, sanitizer reports and hangs are findings, and so are broken promises:
// positions inside the text, findings in file order, nothing both an error and unknown.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "syscope/lint/lint.hpp"

using namespace syscope::lint;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);
  size_t nl = input.find('\n');
  if (nl == std::string_view::npos || nl > 256) return 0;
  const std::string path(input.substr(0, nl));
  const std::string text(input.substr(nl + 1));

  FileReport r = check_text(path, text);
  int lines = 1;
  for (char c : text) lines += c == '\n';
  require(r.file == path);
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding &f = r.findings[i];
    require(f.file == path);
    require(f.line >= 1 && f.line <= lines && f.column >= 1);
    require(!f.rule.empty() && !f.message.empty() && !f.fix.empty() && !f.controls.empty());
    if (i > 0) {
      const Finding &p = r.findings[i - 1];
      require(p.line < f.line || (p.line == f.line && p.column <= f.column));
    }
  }
  if (r.error) {
    require(!r.error->message.empty() && r.error->line >= 0 && r.error->line <= lines);
  }
  if (r.kind == FileKind::unknown) require(r.findings.empty() && !r.error);
  return 0;
}
