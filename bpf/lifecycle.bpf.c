// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* cgroup v2 directories as they are created and removed, with their paths: userspace ties a
 * cgroup id to a container by its path, also for a container gone before it could look. A new
 * child of a recorded cgroup joins the recorded ones (recorded_cgroups.bpf.h). */
#include "cgroup_event.bpf.h"
#include "recorded_cgroups.bpf.h"

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(lifecycle_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	/* Here rather than in a program of its own: one program fewer to load, and none to detach
	 * from a tracepoint that has another (each such detach waits for an RCU grace period). */
	follow_new_cgroup(cgrp);
	emit_cgroup_event(SYSCOPE_EV_CGROUP_MKDIR, cgrp, path);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(lifecycle_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	emit_cgroup_event(SYSCOPE_EV_CGROUP_RMDIR, cgrp, path);
	return 0;
}
