// SPDX-License-Identifier: Apache-2.0
// What the lint checker tests share: reading a fixture, and findings in a short comparable form.
#pragma once
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "syscope/lint/lint.hpp"

namespace syscope::lint::test {

inline std::string fixture(const std::string &name) {
  std::ifstream in(std::string(SYSCOPE_FIXTURES) + "/lint/" + name);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "line:column severity rule", one per finding, in file order.
inline std::vector<std::string> brief(const FileReport &r) {
  std::vector<std::string> out;
  for (const auto &f : r.findings)
    out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
                  severity_name(f.severity) + " " + f.rule);
  return out;
}

}  // namespace syscope::lint::test
