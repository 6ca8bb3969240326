// SPDX-License-Identifier: Apache-2.0
/* bench_cgroups N: creates N child cgroups under its own cgroup v2 directory (under syscope
 * record, that is the cgroup record made for it), moves one forked process into each, and has
 * each make a few syscalls. Once all N have made them, and while all N cgroups are still live,
 * it prints "ready <pid>" and waits for SIGUSR1; then the children exit, their cgroups are
 * removed and "done <CLOCK_REALTIME ns>" is printed just before it exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char base[4096];

/* The cgroup2 mount point from /proc/self/mountinfo, plus our path from /proc/self/cgroup. */
static int find_own_cgroup(void)
{
	char line[4096], mount[4096] = "", path[4096] = "";
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && fgets(line, sizeof line, f)) {
		char *sep = strstr(line, " - cgroup2 ");
		char mnt[4096];

		if (sep && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(mount, sizeof mount, "%s", mnt);
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/proc/self/cgroup", "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "%s", line + 3);
		}
	if (f)
		fclose(f);
	if (!mount[0] || !path[0])
		return -1;
	/* Too long for base: refuse it, since the truncated path would name another cgroup. */
	if (snprintf(base, sizeof base, "%s%s", mount, strcmp(path, "/") == 0 ? "" : path) >=
	    (int)sizeof base)
		return -1;
	return 0;
}

static void child_path(char *out, size_t size, int i)
{
	snprintf(out, size, "%s/bench-%d", base, i);
}

int main(int argc, char **argv)
{
	int n = argc == 2 ? atoi(argv[1]) : 0;

	if (n <= 0) {
		fprintf(stderr, "usage: bench_cgroups N\n");
		return 2;
	}
	if (find_own_cgroup() != 0) {
		fprintf(stderr, "bench_cgroups: no cgroup v2 mount or no v2 path of our own\n");
		return 3;
	}
	sigset_t usr1;
	int sig;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL); /* inherited: the children wait for it too */

	pid_t *pids = calloc(n, sizeof *pids);
	int ready[2];
	if (!pids || pipe(ready) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		char dir[4200], procs[4300];

		child_path(dir, sizeof dir, i);
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "bench_cgroups: mkdir %s: %s\n", dir, strerror(errno));
			return 3;
		}
		snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("bench_cgroups: fork");
			return 1;
		}
		if (pids[i] == 0) {
			int fd = open(procs, O_WRONLY);
			char c = 1;

			if (fd < 0 || write(fd, "0", 1) != 1)
				_exit(3);
			close(fd);
			/* A few calls in the new cgroup: the kernel side gives it a bitmap. */
			syscall(SYS_getppid);
			syscall(SYS_getpid);
			syscall(SYS_gettid);
			if (write(ready[1], &c, 1) != 1)
				_exit(1);
			sigwait(&usr1, &sig);
			_exit(0);
		}
	}
	for (int i = 0; i < n; i++) {
		char c;

		if (read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "bench_cgroups: a child failed before its calls\n");
			return 1;
		}
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	sigwait(&usr1, &sig);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		int status;

		kill(pids[i], SIGUSR1);
		waitpid(pids[i], &status, 0);
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	for (int i = 0; i < n; i++) {
		char dir[4200];

		child_path(dir, sizeof dir, i);
		/* An exited task may leave its cgroup a moment later: retry EBUSY briefly. */
		for (int tries = 0; rmdir(dir) != 0 && errno == EBUSY && tries < 1000; tries++)
			usleep(1000);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	printf("done %lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	fflush(stdout);
	return failed;
}
