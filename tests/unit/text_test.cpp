// SPDX-License-Identifier: Apache-2.0
// printable(): untrusted text in a message can neither break the line nor drive the terminal.
#include <catch2/catch.hpp>

#include <string>

#include "syscope/base/text.hpp"

using syscope::printable;

TEST_CASE("printable keeps printable ASCII and UTF-8 as they are", "[text]") {
  CHECK(printable("exit_group") == "exit_group");
  CHECK(printable("") == "");
  CHECK(printable("say \"hi\" \\ there") == "say \"hi\" \\ there");
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
}

TEST_CASE("printable escapes control bytes, C1 controls and invalid UTF-8", "[text]") {
  CHECK(printable("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(printable("\x1b[2Jx") == "\\x1b[2Jx");  // ESC: clear screen
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable("\x7f") == "\\x7f");
  CHECK(printable("\xc2\x9b"
                  "2J") == "\\xc2\\x9b2J");    // U+009B, the one-byte CSI
  CHECK(printable("\xc2\xa0") == "\xc2\xa0");  // U+00A0 is printable
  CHECK(printable("\xff\xfe") == "\\xff\\xfe");
  CHECK(printable("\xc3") == "\\xc3");                             // truncated sequence
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST_CASE("printable twice is printable once", "[text]") {
  std::string once = printable("na\x1bme\n\xff");
  CHECK(once == "na\\x1bme\\n\\xff");
  CHECK(printable(once) == once);
}
