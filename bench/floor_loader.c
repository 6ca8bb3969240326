// SPDX-License-Identifier: Apache-2.0
/* bench_floor enter|enter-exit: attaches the empty sys_enter program (and the empty sys_exit one),
 * prints "ready" once they are attached, and keeps them attached until SIGINT or SIGTERM. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "floor.skel.h"

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "enter") != 0 && strcmp(argv[1], "enter-exit") != 0)) {
		fprintf(stderr, "usage: bench_floor enter|enter-exit\n");
		return 2;
	}
	sigset_t stop;
	int sig = 0;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop,
		    NULL); /* before attaching: no window where a signal kills us */

	struct floor_bpf *skel = floor_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr,
			"bench_floor: cannot load the empty programs (root? kernel BTF?)\n");
		return 3;
	}
	struct bpf_link *enter = bpf_program__attach(skel->progs.floor_enter);
	struct bpf_link *exit_link = NULL;
	if (strcmp(argv[1], "enter-exit") == 0)
		exit_link = bpf_program__attach(skel->progs.floor_exit);
	if (!enter || (strcmp(argv[1], "enter-exit") == 0 && !exit_link)) {
		fprintf(stderr, "bench_floor: cannot attach to the syscall tracepoints\n");
		floor_bpf__destroy(skel);
		return 3;
	}
	printf("ready\n");
	fflush(stdout);
	sigwait(&stop, &sig);
	bpf_link__destroy(exit_link);
	bpf_link__destroy(enter);
	floor_bpf__destroy(skel);
	return 0;
}
