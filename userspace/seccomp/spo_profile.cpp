// SPDX-License-Identifier: Apache-2.0
#include "syscope/seccomp/spo_profile.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <string_view>

#include "syscope/base/error.hpp"
#include "syscope/base/text.hpp"
#include "syscope/seccomp/profile_json.hpp"

namespace syscope::seccomp {
namespace {

using json = nlohmann::json;

// SPO's Arch enum (api/seccompprofile/v1: +kubebuilder:validation:Enum): its schema refuses
// any other value.
constexpr std::array<std::string_view, 20> kSpoArches = {
    "SCMP_ARCH_NATIVE",    "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",
    "SCMP_ARCH_ARM",       "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",       "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",
    "SCMP_ARCH_S390X",     "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"};

constexpr size_t kMaxName = 253;   // a DNS-1123 subdomain
constexpr size_t kSpoMaxArgs = 6;  // Syscall.Args: +kubebuilder:validation:MaxItems=6
constexpr uint32_t kEperm = 1;
// Kubernetes refuses an object whose annotations (keys and values) exceed 256 KiB
// (apimachinery's TotalAnnotationSizeLimitB).
constexpr size_t kMaxAnnotationBytes = 256 * 1024;

[[noreturn]] void fail(const std::string &origin, const std::string &path,
                       const std::string &what) {
  throw Error(Exit::usage, origin + ": " + path + ": " + what);
}

// One dot-separated label: '-' runs collapsed, no '-' at either end.
std::string clean_label(const std::string &label) {
  std::string out;
  for (char c : label)
    if (c != '-' || (!out.empty() && out.back() != '-')) out += c;
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::string join_labels(const std::string &text) {
  std::string out, label;
  auto flush = [&] {
    std::string cleaned = clean_label(label);
    label.clear();
    if (cleaned.empty()) return;
    if (!out.empty()) out += '.';
    out += cleaned;
  };
  for (char c : text) {
    if (c == '.')
      flush();
    else
      label += c;
  }
  flush();
  return out;
}

std::string label_value(const std::string &key, const std::string &value, const std::string &flag) {
  // A label value: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends.
  bool ok = !value.empty() && value.size() <= 63 &&
            std::isalnum(static_cast<unsigned char>(value.front())) &&
            std::isalnum(static_cast<unsigned char>(value.back()));
  for (char c : value)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      ok = false;
  if (!ok)
    throw Error(Exit::usage, flag + " \"" + printable(value) + "\" cannot be the value of label " +
                                 key +
                                 ": at most 63 of A-Z a-z 0-9 . _ -, alphanumeric at both ends");
  return value;
}

}  // namespace

std::string spo_object_name(const std::string &reference) {
  std::string mapped;
  for (unsigned char c : reference) {
    char l = static_cast<char>(std::tolower(c));
    bool keep = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.';
    mapped += keep ? l : '-';
  }
  std::string name = join_labels(mapped);
  if (name.size() > kMaxName) name = join_labels(name.substr(0, kMaxName));
  if (name.empty())
    throw Error(Exit::usage, "\"" + printable(reference) +
                                 "\" leaves nothing for a Kubernetes object name (DNS-1123: a-z, "
                                 "0-9, '-', '.'): give --name");
  return name;
}

void check_spo_expressible(const Profile &profile, const std::string &origin) {
  if (profile.default_errno_ret && *profile.default_errno_ret != kEperm)
    fail(origin, "defaultErrnoRet",
         std::to_string(*profile.default_errno_ret) +
             ": SPO's SeccompProfile has no defaultErrnoRet (runtimes then answer EPERM)");
  for (size_t i = 0; i < profile.architectures.size(); ++i) {
    const std::string &arch = profile.architectures[i];
    for (size_t j = 0; j < i; ++j)
      if (profile.architectures[j] == arch)
        fail(origin, "architectures[" + std::to_string(i) + "]",
             "\"" + printable(arch) + "\" given twice: SPO's architectures are a set");
    bool known = false;
    for (auto a : kSpoArches) known = known || a == arch;
    if (!known)
      fail(origin, "architectures[" + std::to_string(i) + "]",
           "\"" + printable(arch) + "\" is not one of the architectures SPO accepts (SCMP_ARCH_*)");
  }
  for (size_t r = 0; r < profile.syscalls.size(); ++r) {
    const SyscallRule &rule = profile.syscalls[r];
    std::string path = "syscalls[" + std::to_string(r) + "]";
    if (rule.names.empty()) fail(origin, path + ".names", "SPO needs at least one name per rule");
    for (size_t n = 1; n < rule.names.size(); ++n)
      for (size_t m = 0; m < n; ++m)
        if (rule.names[n] == rule.names[m])
          fail(origin, path + ".names[" + std::to_string(n) + "]",
               "\"" + printable(rule.names[n]) +
                   "\" given twice: SPO's names are a set (profile merge FILE -o OUT compacts)");
    if (!rule.includes.empty())
      fail(origin, path + ".includes",
           "SPO's SeccompProfile has no includes (Docker-only): resolve the rule for the target "
           "first");
    if (!rule.excludes.empty())
      fail(origin, path + ".excludes",
           "SPO's SeccompProfile has no excludes (Docker-only): resolve the rule for the target "
           "first");
    if (rule.args.size() > kSpoMaxArgs)
      fail(origin, path + ".args",
           std::to_string(rule.args.size()) + " conditions; SPO takes at most 6 per rule");
    constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    for (size_t a = 0; a < rule.args.size(); ++a) {
      std::string arg = path + ".args[" + std::to_string(a) + "]";
      if (rule.args[a].value > kMax)
        fail(origin, arg + ".value",
             std::to_string(rule.args[a].value) + " is beyond SPO's int64 (at most " +
                 std::to_string(kMax) + ")");
      if (rule.args[a].value_two > kMax)
        fail(origin, arg + ".valueTwo",
             std::to_string(rule.args[a].value_two) + " is beyond SPO's int64 (at most " +
                 std::to_string(kMax) + ")");
    }
  }
}

std::string to_spo_json(const Profile &profile, const SpoMetadata &meta, const Coverage &coverage,
                        const std::string &origin) {
  check_spo_expressible(profile, origin);
  nlohmann::ordered_json doc;
  doc["apiVersion"] = kSpoApiVersion;
  doc["kind"] = kSpoKind;
  auto &metadata = doc["metadata"];
  metadata["name"] = spo_object_name(meta.name);  // cluster-scoped: no namespace
  if (meta.partial) {
    auto &labels = metadata["labels"];
    labels[kSpoPartialLabel] = "true";
    labels[kSpoRecordingIdLabel] =
        label_value(kSpoRecordingIdLabel, meta.recording_id, "--recording-id");
    labels[kSpoRecordingNamespaceLabel] =
        label_value(kSpoRecordingNamespaceLabel, meta.recording_namespace, "--recording-namespace");
    labels[kSpoContainerIdLabel] =
        label_value(kSpoContainerIdLabel, meta.container_id, "--container-id");
  }
  if (!coverage.empty()) {
    auto &annotations = metadata["annotations"];
    annotations[kSpoCoverageAnnotation] = spo_coverage_annotation(coverage);
    auto units = coverage_json(coverage);  // the totals are SPO's annotation already
    units.erase("instances");
    units.erase("syscalls");
    annotations[kSyscopeCoverageAnnotation] = units.dump();
    size_t bytes = 0;
    for (const auto &[key, value] : annotations.items())
      bytes += key.size() + value.get<std::string>().size();
    if (bytes > kMaxAnnotationBytes)
      throw Error(Exit::usage,
                  origin + ": the coverage of " + std::to_string(coverage.units.size()) +
                      " recording units takes " + std::to_string(bytes) +
                      " bytes of annotations, more than the 262144 Kubernetes takes: write "
                      "--format docker (coverage in a file beside it)");
  }
  // Docker's JSON of the profile, trimmed to the fields SPO's spec has.
  auto spec = nlohmann::ordered_json::parse(to_docker_json(profile));
  spec.erase("archMap");
  spec.erase("defaultErrnoRet");  // EPERM or absent: checked above
  if (spec.contains("syscalls"))
    for (auto &rule : spec["syscalls"]) rule.erase("comment");
  doc["spec"] = std::move(spec);
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

bool is_spo_object(const json &doc) {
  return doc.is_object() && (doc.contains("apiVersion") || doc.contains("kind"));
}

SpoObject parse_spo_object(const std::string &text, const std::string &origin,
                           std::vector<std::string> *warnings) {
  json doc = parse_json_strict(text, origin);
  if (!doc.is_object()) fail(origin, "(top level)", "expected an object");
  const json &api = doc.value("apiVersion", json());
  static const std::array<std::string_view, 3> kVersions = {
      kSpoApiVersion, "security-profiles-operator.x-k8s.io/v1beta1",
      "security-profiles-operator.x-k8s.io/v1alpha1"};
  bool api_ok = false;
  for (auto v : kVersions) api_ok = api_ok || (api.is_string() && api.get<std::string>() == v);
  if (!api_ok)
    fail(origin, "apiVersion",
         "expected \"" + std::string(kSpoApiVersion) + "\", got " + printable(api.dump()));
  if (doc.value("kind", json()) != kSpoKind)
    fail(origin, "kind",
         "expected \"SeccompProfile\", got " + printable(doc.value("kind", json()).dump()));
  SpoObject out;
  const json &metadata = doc.value("metadata", json::object());
  if (!metadata.is_object()) fail(origin, "metadata", "expected an object");
  auto text_at = [&](const json &obj, const char *key, const std::string &path) -> std::string {
    if (!obj.contains(key)) return "";
    if (!obj[key].is_string()) fail(origin, path + "." + key, "expected a string");
    return obj[key].get<std::string>();
  };
  out.meta.name = text_at(metadata, "name", "metadata");
  const json &labels = metadata.value("labels", json::object());
  const json &annotations = metadata.value("annotations", json::object());
  if (!labels.is_object()) fail(origin, "metadata.labels", "expected an object");
  if (!annotations.is_object()) fail(origin, "metadata.annotations", "expected an object");
  out.meta.partial = labels.contains(kSpoPartialLabel);  // SPO tests presence, not the value
  out.meta.recording_id = text_at(labels, kSpoRecordingIdLabel, "metadata.labels");
  out.meta.recording_namespace = text_at(labels, kSpoRecordingNamespaceLabel, "metadata.labels");
  out.meta.container_id = text_at(labels, kSpoContainerIdLabel, "metadata.labels");
  if (!doc.contains("spec")) fail(origin, "spec", "missing");
  out.profile = profile_from_json(doc["spec"], origin, "spec", warnings);

  // Coverage: syscope's own (ids), else SPO's counts, else nothing (the caller decides).
  std::string ours = text_at(annotations, kSyscopeCoverageAnnotation, "metadata.annotations");
  std::string spos = text_at(annotations, kSpoCoverageAnnotation, "metadata.annotations");
  std::string where = origin + ": metadata.annotations.";
  if (!ours.empty()) {
    json cov;
    try {
      cov = json::parse(ours);
    } catch (const json::exception &) {
      fail(origin, std::string("metadata.annotations.") + kSyscopeCoverageAnnotation, "not JSON");
    }
    out.coverage = coverage_from_json(cov, where + kSyscopeCoverageAnnotation);
  } else if (!spos.empty()) {
    std::string unit = "spo:" + out.meta.recording_namespace + "/" + out.meta.recording_id + "/" +
                       (out.meta.container_id.empty() ? out.meta.name : out.meta.container_id);
    out.coverage = coverage_from_spo_annotation(spos, unit, where + kSpoCoverageAnnotation);
  }
  return out;
}

}  // namespace syscope::seccomp
