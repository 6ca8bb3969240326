// SPDX-License-Identifier: Apache-2.0
// The daemon's profile store on a temp dir: observing is a union, images of one digest and
// command merge with per-call coverage, a reload gives back exactly what was flushed, removed
// containers expire, a damaged state file is set aside, hostile names stay in the state dir.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "../common/temp_dir.hpp"
#include "syscope/base/error.hpp"
#include "syscope/daemon/calls_json.hpp"
#include "syscope/daemon/profile_store.hpp"
#include "syscope/seccomp/docker_default.hpp"
#include "syscope/seccomp/profile_json.hpp"
#include "syscope/seccomp/runtime_gap.hpp"
#include "syscope/syscalls/arg_pairs.hpp"
#include "syscope/syscalls/syscall_names.hpp"

using namespace syscope::daemon;
using syscope::profile::CgroupCalls;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kSecond = 1000000000ULL;
constexpr uint64_t kT0 = 1764590400 * kSecond;  // 2025-12-01T12:00:00Z

uint32_t nr_of(const char *name) {
  auto nr = syscope::seccomp::syscall_number(syscope::seccomp::native_scmp_arch(), name);
  REQUIRE(nr);
  return static_cast<uint32_t>(*nr);
}

// A container that ran under Docker's default filter and made `names` in its workload.
CgroupCalls filtered_calls(std::initializer_list<const char *> names) {
  CgroupCalls calls;
  calls.sets[SYSCOPE_SET_PLAIN_SETUP].add(SYSCOPE_ARCH_NATIVE, nr_of("mount"));  // runtime setup
  for (const char *name : names)
    calls.sets[SYSCOPE_SET_FILTERED].add(SYSCOPE_ARCH_NATIVE, nr_of(name));
  return calls;
}

std::string id_of(char digit) { return std::string(64, digit); }

ContainerIdentity busybox(char digit, const std::string &name,
                          std::vector<std::string> command = {"sh", "-c", "work"}) {
  return {id_of(digit),      name, "docker", "busybox:latest", "sha256:" + std::string(64, 'e'),
          std::move(command)};
}

std::string read(const fs::path &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> files_under(const fs::path &dir) {
  std::vector<std::string> out;
  for (const auto &item : fs::recursive_directory_iterator(dir))
    if (item.is_regular_file()) out.push_back(fs::relative(item.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

bool allows(const syscope::seccomp::Profile &profile, const std::string &name) {
  for (const auto &rule : profile.syscalls)
    if (rule.action == syscope::seccomp::Action::allow &&
        std::find(rule.names.begin(), rule.names.end(), name) != rule.names.end())
      return true;
  return false;
}

// A runtime-gap call that the test workloads never make, to see it marked as added.
std::string unobserved_gap_call() {
  for (const auto &name : syscope::record::runtime_gap_names())
    if (name != "read" && name != "write" && name != "openat" && name != "unshare" &&
        name != "getpid")
      return name;
  FAIL("the runtime gap list is empty");
  return "";
}

}  // namespace

TEST_CASE("calls round-trip through their JSON exactly, numbers and denials", "[profile_store]") {
  CgroupCalls calls = filtered_calls({"read", "write"});
  calls.sets[SYSCOPE_SET_FILTERED_SETUP].add(SYSCOPE_ARCH_COMPAT, 11);
  calls.sets[SYSCOPE_SET_PLAIN].add(SYSCOPE_ARCH_NATIVE, SYSCOPE_SYSCALL_BITS - 1);  // unnamed
  calls.denials[{SYSCOPE_ARCH_NATIVE, nr_of("unshare"), 1}] = 3;
  calls.denials[{SYSCOPE_ARCH_COMPAT, 26, 38}] = 0;
  auto doc = calls_to_json(calls);
  auto back = calls_from_json(nlohmann::json::parse(doc.dump()));
  CHECK(calls_to_json(back) == doc);
  for (uint32_t set = 0; set < SYSCOPE_SET_COUNT; ++set)
    CHECK(back.sets[set].count() == calls.sets[set].count());
  CHECK(back.denials == calls.denials);

  using nlohmann::json;
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"filtered":{"native":[512]}})")), syscope::Error);
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"filtered":{"arm":[1]}})")), syscope::Error);
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"filterd":{}})")), syscope::Error);
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"filtered":{"native":[-1]}})")), syscope::Error);
  CHECK_THROWS_AS(
      calls_from_json(json::parse(
          R"({"denials":[{"arch":0,"nr":1,"err":1,"count":1},{"arch":0,"nr":1,"err":1,"count":2}]})")),
      syscope::Error);
}

TEST_CASE("argument values round-trip through their JSON with overflow and losses",
          "[profile_store]") {
  CgroupCalls calls = filtered_calls({"read", "socket", "ioctl"});
  auto socket = *syscope::profile::arg_pair_index("socket");
  auto ioctl = *syscope::profile::arg_pair_index("ioctl");
  calls.add_arg_value(socket, 1 | uint64_t{1} << 32, true);  // AF_UNIX, SOCK_STREAM
  calls.add_arg_value(socket, 16 | uint64_t{3} << 32);       // runc's netlink: unfiltered
  calls.add_arg_overflow(ioctl);
  auto doc = calls_to_json(calls);
  auto back = calls_from_json(nlohmann::json::parse(doc.dump()));
  CHECK(back.args == calls.args);
  CHECK_FALSE(back.args_lost);
  calls.args_lost = true;
  CHECK(calls_from_json(calls_to_json(calls)).args_lost);

  using nlohmann::json;
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"args":{"read":{"values":[1]}}})")),
                  syscope::Error);  // not a tracked call
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"args":{"socket":{"valus":[1]}}})")),
                  syscope::Error);
  CHECK_THROWS_AS(calls_from_json(json::parse(R"({"args_lost":1})")), syscope::Error);
}

TEST_CASE("observing the same calls twice is observing them once", "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str()});
  auto calls = filtered_calls({"read", "write"});
  calls.denials[{SYSCOPE_ARCH_NATIVE, nr_of("unshare"), 1}] = 2;
  store.observe(busybox('a', "web"), calls, kT0);
  auto first = store.flush();
  CHECK(first.errors.empty());
  // state, container profile, image profile, coverage
  CHECK(first.written.size() == 4);
  std::string state = read(dir / ("containers/" + id_of('a') + ".json"));

  store.observe(busybox('a', "web"), calls, kT0);
  store.observe(busybox('a', "web"), calls, kT0 + 5 * kSecond);  // same calls, a little later
  CHECK(store.flush().written.empty());
  CHECK(read(dir / ("containers/" + id_of('a') + ".json")) == state);
  const auto *entry = store.find_container("web");
  REQUIRE(entry);
  CHECK(entry->calls.denials.at({SYSCOPE_ARCH_NATIVE, nr_of("unshare"), 1}) == 2);  // not 4
  CHECK(entry->first_seen == kT0);
  CHECK(entry->last_seen == kT0 + 5 * kSecond);

  // A new call is written; so is last_seen once it has moved a granularity.
  store.observe(busybox('a', "web"), filtered_calls({"getpid"}), kT0 + 6 * kSecond);
  CHECK(store.flush().written.size() == 4);
  store.observe(busybox('a', "web"), calls, kT0 + 70 * kSecond);
  auto later = store.flush();
  CHECK(later.written == std::vector<std::string>{dir.file("containers/" + id_of('a') + ".json")});
}

TEST_CASE("the profile written for a container is record's composition of its calls",
          "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str()});
  auto calls = filtered_calls({"read", "write", "openat", "clone"});
  calls.denials[{SYSCOPE_ARCH_NATIVE, nr_of("unshare"), 1}] = 1;
  store.observe(busybox('a', "web"), calls, kT0);
  REQUIRE(store.flush().errors.empty());
  auto expected =
      syscope::profile::compose_container_profile(calls, syscope::record::runtime_gap_names(),
                                                  syscope::seccomp::DockerDefault::for_this_host());
  std::string file = "profiles/containers/web-" + id_of('a').substr(0, 12) + ".json";
  CHECK(read(dir / file) == syscope::seccomp::to_docker_json(expected.built.profile));
  auto served = store.container_profile("web");
  REQUIRE(served);
  CHECK(syscope::seccomp::to_docker_json(served->built.profile) == read(dir / file));
  CHECK(allows(served->built.profile, "read"));
  CHECK_FALSE(allows(served->built.profile, "mount"));    // runtime setup, left out
  CHECK_FALSE(allows(served->built.profile, "unshare"));  // refused while recording
  CHECK(store.container_profile(id_of('a').substr(0, 6)));
  CHECK_FALSE(store.container_profile("nosuch"));
}

TEST_CASE("one image and command merge, with coverage; another command is another group",
          "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str()});
  store.observe(busybox('a', "one"), filtered_calls({"read", "write", "unshare"}), kT0);
  store.observe(busybox('b', "two"), filtered_calls({"read", "write"}), kT0);
  store.observe(busybox('c', "three", {"sh", "-c", "other"}), filtered_calls({"getpid"}), kT0);
  REQUIRE(store.flush().errors.empty());
  CHECK(store.image_keys().size() == 2);

  CHECK_THROWS_AS(store.image_profile("busybox:latest"), syscope::Error);  // two commands
  auto image = store.image_profile(image_key(busybox('a', "one")));
  REQUIRE(image);
  CHECK(image->instances == 2);
  CHECK(image->image == "busybox:latest");
  const auto &coverage = image->coverage;
  CHECK(coverage["instances"] == 2);
  CHECK(coverage["keyed_by"] == "image_id");
  CHECK(coverage["syscalls"]["read"] == 2);
  CHECK(coverage["syscalls"]["unshare"] == 1);
  CHECK_FALSE(coverage["syscalls"].contains("getpid"));  // the other command's
  CHECK_FALSE(coverage["syscalls"].contains("mount"));   // setup, not in the profile
  auto gap_call = unobserved_gap_call();
  const auto &gap = coverage["added"]["runtime_gap"];
  CHECK(std::find(gap.begin(), gap.end(), gap_call) != gap.end());
  CHECK_FALSE(coverage["syscalls"].contains(gap_call));     // added, not counted
  CHECK_FALSE(coverage["added"]["essential"].empty());      // exit, rt_sigreturn, ...
  CHECK(allows(image->composed.built.profile, "unshare"));  // the union

  auto other = store.image_profile(image_key(busybox('c', "three", {"sh", "-c", "other"})));
  REQUIRE(other);
  CHECK(other->instances == 1);
  CHECK(other->coverage["syscalls"]["getpid"] == 1);
  CHECK_FALSE(allows(other->composed.built.profile, "unshare"));

  // On disk: both groups, each a profile and its coverage, the coverage as image_profile says.
  size_t profiles = 0, coverages = 0;
  for (const auto &item : fs::directory_iterator(dir / "profiles/images")) {
    std::string file = item.path().filename().string();
    CHECK(file.rfind("busybox_latest-", 0) == 0);
    bool is_coverage = file.find(".coverage.json") != std::string::npos;
    (is_coverage ? coverages : profiles)++;
    if (is_coverage && nlohmann::json::parse(read(item.path()))["instances"] == 2)
      CHECK(nlohmann::json::parse(read(item.path())) == coverage);
  }
  CHECK(profiles == 2);
  CHECK(coverages == 2);
  // An image id prefix finds the group only with the command's help: both groups share it.
  CHECK_THROWS_AS(store.image_profile("eeeeee"), syscope::Error);
}

TEST_CASE("an unknown image id: the image name stands in, and says so", "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str()});
  auto who = busybox('a', "web");
  who.image_id.clear();
  store.observe(who, filtered_calls({"read"}), kT0);
  auto image = store.image_profile("busybox");  // "busybox" finds busybox:latest
  REQUIRE(image);
  CHECK(image->coverage["keyed_by"] == "image name (the image id was unknown)");
  CHECK(image->key.rfind("image:busybox:latest@", 0) == 0);
  // The id arrives: the container moves to the digest's group, the name-keyed one is gone.
  store.flush();
  CHECK(store.identify(busybox('a', "")));
  auto flushed = store.flush();
  CHECK(flushed.errors.empty());
  CHECK(flushed.removed.size() == 2);  // the old group's profile and coverage
  CHECK(store.image_keys() == std::vector<std::string>{image_key(busybox('a', "web"))});
  CHECK_FALSE(store.identify(busybox('f', "never-seen")));
}

TEST_CASE("a new store on the same dir gives back the same containers and profiles",
          "[profile_store]") {
  syscope::test::TempDir dir;
  std::vector<std::string> states, files;
  std::string image_json;
  {
    ProfileStore store({.state_dir = dir.str()});
    auto calls = filtered_calls({"read", "write"});
    calls.sets[SYSCOPE_SET_FILTERED].add(SYSCOPE_ARCH_COMPAT, 3);
    calls.denials[{SYSCOPE_ARCH_NATIVE, nr_of("unshare"), 1}] = 7;
    store.observe(busybox('a', "one"), calls, kT0);
    store.observe(busybox('b', "two"), filtered_calls({"getpid"}), kT0 + kSecond);
    store.mark_removed(id_of('b'), kT0 + 2 * kSecond);
    REQUIRE(store.flush().errors.empty());
    for (const auto *entry : store.containers())
      states.push_back(calls_to_json(entry->calls).dump());
    image_json = store.image_profile("busybox:latest")->coverage.dump();
    files = files_under(dir.path());
  }
  ProfileStore again({.state_dir = dir.str()});
  CHECK(again.load_warnings().empty());
  auto entries = again.containers();
  REQUIRE(entries.size() == 2);
  CHECK(calls_to_json(entries[0]->calls).dump() == states[0]);
  CHECK(calls_to_json(entries[1]->calls).dump() == states[1]);
  CHECK(entries[0]->who.command == std::vector<std::string>{"sh", "-c", "work"});
  CHECK(entries[0]->who.image_id == "sha256:" + std::string(64, 'e'));
  CHECK(entries[1]->first_seen == kT0 + kSecond);
  CHECK(entries[1]->removed_at == kT0 + 2 * kSecond);
  CHECK(again.image_profile("busybox:latest")->coverage.dump() == image_json);
  CHECK(again.flush().written.empty());  // everything on disk is already what it would write
  CHECK(files_under(dir.path()) == files);
}

TEST_CASE("a reload rewrites derived files a crash left stale, and removes strays",
          "[profile_store]") {
  syscope::test::TempDir dir;
  std::string profile;
  {
    ProfileStore store({.state_dir = dir.str()});
    store.observe(busybox('a', "web"), filtered_calls({"read"}), kT0);
    store.flush();
    profile = "profiles/containers/web-" + id_of('a').substr(0, 12) + ".json";
  }
  std::string good = read(dir / profile);
  std::ofstream(dir / profile) << "{}";
  std::ofstream(dir / "profiles/images/left-over.json") << "{}";
  std::ofstream(dir / "containers/.tmp.abc123") << "half";
  ProfileStore again({.state_dir = dir.str()});
  CHECK_FALSE(fs::exists(dir / "profiles/images/left-over.json"));
  CHECK_FALSE(fs::exists(dir / "containers/.tmp.abc123"));
  auto flushed = again.flush();
  CHECK(std::find(flushed.written.begin(), flushed.written.end(), dir.file(profile)) !=
        flushed.written.end());
  CHECK(read(dir / profile) == good);
}

TEST_CASE("removed containers expire after keep_removed, with their files and empty images",
          "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str(), .keep_removed = std::chrono::seconds(3600)});
  store.observe(busybox('a', "gone"), filtered_calls({"read", "unshare"}), kT0);
  store.observe(busybox('b', "stays"), filtered_calls({"read"}), kT0);
  store.observe(busybox('c', "alone", {"true"}), filtered_calls({"getpid"}), kT0);
  CHECK(store.mark_removed(id_of('a'), kT0 + kSecond));
  CHECK(store.mark_removed(id_of('c'), kT0 + kSecond));
  CHECK_FALSE(store.mark_removed(id_of('f'), kT0));
  REQUIRE(store.flush().errors.empty());

  auto early = store.expire(kT0 + 3000 * kSecond);  // removed 2999 s ago: kept
  CHECK(early.containers.empty());
  CHECK(store.containers().size() == 3);

  auto expired = store.expire(kT0 + 3601 * kSecond);
  CHECK(expired.errors.empty());
  CHECK(expired.containers == std::vector<std::string>{id_of('a'), id_of('c')});
  CHECK(expired.images == std::vector<std::string>{image_key(busybox('c', "", {"true"}))});
  CHECK(store.containers().size() == 1);
  CHECK_FALSE(fs::exists(dir / ("containers/" + id_of('a') + ".json")));
  CHECK_FALSE(fs::exists(dir / ("profiles/containers/gone-" + id_of('a').substr(0, 12) + ".json")));
  CHECK_FALSE(store.find_container("gone"));
  // The shared image lost an instance: rewritten narrower by the next flush.
  REQUIRE(store.flush().errors.empty());
  auto image = store.image_profile("busybox:latest");
  REQUIRE(image);
  CHECK(image->instances == 1);
  CHECK_FALSE(image->coverage["syscalls"].contains("unshare"));
  auto files = files_under(dir.path());
  CHECK(files.size() == 4);  // b's state and profile, its image's profile and coverage
}

TEST_CASE("a corrupt state file is moved aside with one warning; the rest loads",
          "[profile_store]") {
  syscope::test::TempDir dir;
  {
    ProfileStore store({.state_dir = dir.str()});
    store.observe(busybox('a', "good"), filtered_calls({"read"}), kT0);
    store.observe(busybox('b', "bad"), filtered_calls({"read"}), kT0);
    store.flush();
  }
  auto bad = dir / ("containers/" + id_of('b') + ".json");
  std::string text = read(bad);
  std::ofstream(bad) << text.substr(0, text.size() / 2);  // cut short
  // One planted to make the store remove a file outside its directories.
  auto planted = nlohmann::json::parse(text);
  planted["id"] = id_of('c');
  planted["profile_file"] = "profiles/containers/../../../victim";
  std::ofstream(dir / ("containers/" + id_of('c') + ".json")) << planted.dump();
  std::ofstream(dir / "containers/not-an-id.json") << "{}";

  ProfileStore again({.state_dir = dir.str()});
  auto warnings = again.load_warnings();
  REQUIRE(warnings.size() == 3);
  CHECK(std::count_if(warnings.begin(), warnings.end(), [](const std::string &w) {
          return w.find("moved aside") != std::string::npos;
        }) == 3);
  CHECK(fs::exists(bad.string() + ".corrupt"));
  CHECK_FALSE(fs::exists(bad));
  CHECK(again.containers().size() == 1);
  CHECK(again.find_container("good"));
  // The next start does not warn again: what was moved aside stays aside.
  ProfileStore third({.state_dir = dir.str()});
  CHECK(third.load_warnings().empty());
}

TEST_CASE("hostile names and image references stay inside the state dir", "[profile_store]") {
  syscope::test::TempDir dir;
  auto root = dir / "state";
  ProfileStore store({.state_dir = root.string()});
  ContainerIdentity hostile{
      id_of('a'), "../../etc/x", "docker", "../../reg:5000/a/b:c", "sha256:" + std::string(64, 'd'),
      {"sh"}};
  ContainerIdentity slashes{id_of('b'), "a/b:c", "docker", "/", "", {}};
  store.observe(hostile, filtered_calls({"read"}), kT0);
  store.observe(slashes, filtered_calls({"read"}), kT0);
  auto flushed = store.flush();
  CHECK(flushed.errors.empty());
  for (const auto &path : flushed.written) {
    auto canonical = fs::weakly_canonical(path).string();
    CHECK(canonical.rfind(root.string() + "/", 0) == 0);
  }
  for (const auto &item : fs::directory_iterator(dir.path()))
    CHECK(item.path().filename() == "state");  // nothing beside it
  CHECK(fs::exists(root /
                   ("profiles/containers/_.._.._etc_x-" + id_of('a').substr(0, 12) + ".json")));
  CHECK(fs::exists(root / ("profiles/containers/a_b_c-" + id_of('b').substr(0, 12) + ".json")));
  CHECK(sanitized_file_name("..") == "_..");
  CHECK(sanitized_file_name("") == "_");
  CHECK(sanitized_file_name(std::string(300, 'x')).size() < 100);
  CHECK_THROWS_AS(store.observe({"../x", "", "", "", "", {}}, filtered_calls({"read"}), kT0),
                  syscope::Error);
  struct stat st {};
  REQUIRE(stat(root.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("renamed: the profile follows the name; queries by name and id", "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str()});
  store.observe({id_of('a'), "", "docker", "", "", {}}, filtered_calls({"read"}), kT0);
  store.flush();
  std::string shortid = id_of('a').substr(0, 12);
  CHECK(fs::exists(dir / ("profiles/containers/" + shortid + ".json")));
  CHECK(store.identify(busybox('a', "web")));
  auto flushed = store.flush();
  CHECK(flushed.removed.size() >= 1);
  CHECK_FALSE(fs::exists(dir / ("profiles/containers/" + shortid + ".json")));
  CHECK(fs::exists(dir / ("profiles/containers/web-" + shortid + ".json")));

  // A name reused by a later container: the running one wins over the removed one.
  store.mark_removed(id_of('a'), kT0 + kSecond);
  store.observe(busybox('b', "web"), filtered_calls({"write"}), kT0 + 2 * kSecond);
  REQUIRE(store.find_container("web"));
  CHECK(store.find_container("web")->who.id == id_of('b'));
  CHECK(store.find_container("/web")->who.id == id_of('b'));
  CHECK(store.find_container("aaaa")->who.id == id_of('a'));
  store.observe(busybox('0', "x"), filtered_calls({"read"}), kT0);
  std::string zero_then_a = std::string(1, '0') + std::string(63, 'a');
  store.observe({zero_then_a, "y", "docker", "", "", {}}, filtered_calls({"read"}), kT0);
  CHECK_THROWS_AS(store.find_container("0"), syscope::Error);  // two ids start with 0
  CHECK_FALSE(store.find_container(""));
}

TEST_CASE("bytes that are not UTF-8 in a name or command are stored, and key the same after a "
          "reload",
          "[profile_store]") {
  syscope::test::TempDir dir;
  std::string key;
  {
    ProfileStore store({.state_dir = dir.str()});
    store.observe(busybox('a',
                          "we\xff"
                          "b",
                          {"sh", "-c", "echo \xc3\x28"}),
                  filtered_calls({"read"}), kT0);
    auto flushed = store.flush();  // a JSON dump of raw bytes would throw
    CHECK(flushed.errors.empty());
    key = store.containers().front()->image_key;
  }
  ProfileStore again({.state_dir = dir.str()});
  CHECK(again.load_warnings().empty());
  REQUIRE(again.containers().size() == 1);
  CHECK(again.containers().front()->image_key == key);
  CHECK(again.flush().written.empty());
}

TEST_CASE("a write that fails is reported and retried by the next flush", "[profile_store]") {
  syscope::test::TempDir dir;
  ProfileStore store({.state_dir = dir.str()});
  store.observe(busybox('a', "web"), filtered_calls({"read"}), kT0);
  // Where the profiles go is not a directory now (a full or broken filesystem, as root sees it).
  fs::remove_all(dir / "profiles/containers");
  std::ofstream(dir / "profiles/containers") << "in the way";
  auto failed = store.flush();
  REQUIRE(failed.errors.size() == 1);
  CHECK(failed.errors[0].find("container " + id_of('a')) == 0);
  CHECK(fs::exists(dir / ("containers/" + id_of('a') + ".json")));  // the calls are safe
  fs::remove(dir / "profiles/containers");
  fs::create_directory(dir / "profiles/containers");
  auto retried = store.flush();
  CHECK(retried.errors.empty());
  CHECK(fs::exists(dir / ("profiles/containers/web-" + id_of('a').substr(0, 12) + ".json")));
  CHECK(store.flush().written.empty());
}

TEST_CASE("every kind of damage to a state file is set aside, never thrown", "[profile_store]") {
  syscope::test::TempDir dir;
  std::string good;
  {
    ProfileStore store({.state_dir = dir.str()});
    auto calls = filtered_calls({"read"});
    calls.denials[{SYSCOPE_ARCH_NATIVE, nr_of("unshare"), 1}] = 1;
    store.observe(busybox('a', "web"), calls, kT0);
    store.flush();
    good = read(dir / ("containers/" + id_of('a') + ".json"));
  }
  auto doc = nlohmann::json::parse(good);
  std::vector<nlohmann::json> damaged;
  for (const auto &[key, value] : doc.items()) {
    auto without = doc;
    without.erase(key);
    damaged.push_back(without);
    for (const nlohmann::json &other : {nlohmann::json(nullptr), nlohmann::json(-1),
                                        nlohmann::json("x"), nlohmann::json::array({1.5})}) {
      if (other.type() == value.type() && key != "version") continue;
      auto changed = doc;
      changed[key] = other;
      damaged.push_back(changed);
    }
  }
  damaged.push_back(nlohmann::json::array());
  auto bad_denial = doc;
  bad_denial["calls"]["denials"][0]["nr"] = 100000;
  damaged.push_back(bad_denial);
  auto state = dir / ("containers/" + id_of('a') + ".json");
  for (const auto &variant : damaged) {
    INFO(variant.dump());
    fs::remove(state.string() + ".corrupt");
    std::ofstream(state) << variant.dump();
    std::unique_ptr<ProfileStore> store;
    REQUIRE_NOTHROW(store = std::make_unique<ProfileStore>(StoreOptions{.state_dir = dir.str()}));
    CHECK(store->load_warnings().size() == 1);
    CHECK(store->containers().empty());
    CHECK(fs::exists(state.string() + ".corrupt"));
  }
  std::ofstream(state) << good;  // and the good one still loads
  ProfileStore store({.state_dir = dir.str()});
  CHECK(store.containers().size() == 1);
}
