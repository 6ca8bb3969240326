/* SPDX-License-Identifier: (LGPL-2.1-only OR BSD-2-Clause) */
/* cgroup v2 mkdir/rmdir records with their paths (lifecycle.bpf.c, daemon.bpf.c): how userspace
 * ties a cgroup id to a container, also for a cgroup gone before it could look. */
#pragma once
#include "common.bpf.h"

static __always_inline void emit_cgroup_event(__u16 type, struct cgroup *cgrp, const char *path)
{
	struct syscope_cgroup_event *ev;

	if (!on_default_hierarchy(cgrp))
		return;
	ev = reserve_record(type, sizeof(*ev));
	if (!ev)
		return;
	ev->cgroup_id = cgrp->kn->id;
	if (bpf_probe_read_kernel_str(ev->path, sizeof(ev->path), path) < 0)
		ev->path[0] = 0;
	bpf_ringbuf_submit(ev, 0);
}
