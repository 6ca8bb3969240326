// SPDX-License-Identifier: Apache-2.0
// When record keeps arguments: the default, --args and --no-args against each bitmap store and
// kernel, including the fallback a kernel without cgroup storage takes (not this one, maybe).
#include <catch2/catch.hpp>

#include "syscope/cli/record_args.hpp"

using syscope::bpf::BitmapStore;
using syscope::cli::ArgsFlag;
using syscope::cli::decide_record_args;

TEST_CASE("record keeps arguments by default where the kernel can", "[record_args]") {
  for (auto store : {BitmapStore::automatic, BitmapStore::cgroup_storage}) {
    auto d = decide_record_args(ArgsFlag::by_default, store, true);
    CHECK(d.record_args);
    CHECK_FALSE(d.names_only_why);
  }
  // Asked for cgroup storage by name: the recorder fails to load it, as without the default.
  CHECK(decide_record_args(ArgsFlag::by_default, BitmapStore::cgroup_storage, false).record_args);
}

TEST_CASE("the default falls back to names only with a reason", "[record_args]") {
  auto old_kernel = decide_record_args(ArgsFlag::by_default, BitmapStore::automatic, false);
  CHECK_FALSE(old_kernel.record_args);
  REQUIRE(old_kernel.names_only_why);
  CHECK(old_kernel.names_only_why->find("no cgroup storage") != std::string::npos);
  for (bool has_storage : {true, false}) {
    auto hash = decide_record_args(ArgsFlag::by_default, BitmapStore::hash, has_storage);
    CHECK_FALSE(hash.record_args);
    REQUIRE(hash.names_only_why);
    CHECK(hash.names_only_why->find("--bitmap-store hash") != std::string::npos);
  }
}

TEST_CASE("record: --args insists and --no-args turns it off without a note", "[record_args]") {
  for (auto store : {BitmapStore::automatic, BitmapStore::cgroup_storage, BitmapStore::hash})
    for (bool has_storage : {true, false}) {
      auto on = decide_record_args(ArgsFlag::on, store, has_storage);
      CHECK(on.record_args);  // the recorder refuses where it cannot: Exit::environment
      CHECK_FALSE(on.names_only_why);
      auto off = decide_record_args(ArgsFlag::off, store, has_storage);
      CHECK_FALSE(off.record_args);
      CHECK_FALSE(off.names_only_why);
    }
}
