// SPDX-License-Identifier: Apache-2.0
/* Starts a command in another cgroup v2 from its birth, as systemd spawns its units:
 * clone3(CLONE_INTO_CGROUP) with the cgroup directory's fd, so the child never runs in ours.
 *   clone_into_cgroup CGROUP_DIR CMD [ARGS...]
 * Prints "child=<pid>", waits for it and exits with its status (2 when the clone fails). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct clone_args args;
	int fd, status;
	long pid;

	if (argc < 3) {
		fprintf(stderr, "usage: clone_into_cgroup CGROUP_DIR CMD [ARGS...]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (unsigned)fd;
	fflush(stdout);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		perror("clone3");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	printf("child=%ld\n", pid);
	fflush(stdout);
	if (waitpid((pid_t)pid, &status, 0) < 0)
		return 2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
