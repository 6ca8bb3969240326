// SPDX-License-Identifier: Apache-2.0
/* The workload of the dry-run tests: under a seccomp filter of its own that allows everything
 * (as a container runs under its profile), it makes a few kinds of calls, each `rounds` times:
 * sysinfo, socket(AF_INET6), socket(AF_UNIX), socket(AF_INET), getppid.
 *   dry_workload [ROUNDS]
 * Prints "ok" and exits 0 when no call was refused with EPERM (nothing is enforced); exits 1
 * naming the first refused call otherwise, 2 when the filter cannot be installed.
 *   dry_workload families N
 * instead calls socket() once with each of N address families no kernel has (1000, 1001, ...):
 * N distinct calls for a candidate that tests socket's family, to fill dry-run's dedup map.
 * Prints "ok" when each failed with EAFNOSUPPORT (nothing enforced), exits 1 otherwise. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static int refused(const char *what, long ret)
{
	if (ret >= 0 || errno != EPERM)
		return 0;
	fprintf(stderr, "%s: %s\n", what, "refused with EPERM");
	return 1;
}

static long open_socket(int family, int type)
{
	long fd = socket(family, type, 0);

	if (fd >= 0)
		close((int)fd);
	return fd;
}

int main(int argc, char **argv)
{
	struct sock_filter allow_all[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {.len = 1, .filter = allow_all};
	int rounds = argc > 1 ? atoi(argv[1]) : 3, i;
	struct sysinfo info;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 2;
	}
	if (argc > 2 && strcmp(argv[1], "families") == 0) {
		int n = atoi(argv[2]);

		for (i = 0; i < n; i++)
			if (socket(1000 + i, SOCK_STREAM, 0) >= 0 || errno != EAFNOSUPPORT) {
				fprintf(stderr, "socket(%d): %s\n", 1000 + i, strerror(errno));
				return 1;
			}
		printf("ok\n");
		return 0;
	}
	for (i = 0; i < rounds; i++) {
		if (refused("sysinfo", sysinfo(&info)) ||
		    refused("socket(AF_INET6)", open_socket(AF_INET6, SOCK_STREAM)) ||
		    refused("socket(AF_UNIX)", open_socket(AF_UNIX, SOCK_STREAM)) ||
		    refused("socket(AF_INET)", open_socket(AF_INET, SOCK_DGRAM)) ||
		    refused("getppid", syscall(SYS_getppid)))
			return 1;
	}
	printf("ok\n");
	return 0;
}
