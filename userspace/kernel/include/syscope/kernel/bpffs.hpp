// SPDX-License-Identifier: Apache-2.0
// The bpffs mount that pins live on. Pins made in a private mount namespace (systemd's
// ProtectSystem, a pod) vanish with it, so we mount only in the host's namespace.
#pragma once
#include <string>

namespace syscope::bpf {

struct BpffsStatus {
  bool persistent = false;   // pins under `dir` outlive this process
  bool mounted_now = false;  // we mounted it
  std::string note;          // "mounted bpffs at /sys/fs/bpf", "not in the host's mount
                             // namespace: persistence is off", "bpffs already at /sys/fs/bpf"
};

// Mounts bpffs at `dir` when nothing is mounted there, but only when this process is in the
// host's mount namespace (the inode of /proc/self/ns/mnt equals /proc/1/ns/mnt's). Never
// throws: a failure is persistent = false with the reason in note.
BpffsStatus ensure_bpffs(const std::string &dir = "/sys/fs/bpf");

// Whether `dir` is on a bpffs (statfs magic BPF_FS_MAGIC).
bool is_bpffs(const std::string &dir);

}  // namespace syscope::bpf
