// SPDX-License-Identifier: Apache-2.0
/* A workload for argument-aware recording, linked statically so that it runs in the busybox
 * test image (which has no libc). `arg_workload work` opens AF_UNIX and AF_INET sockets, a
 * socketpair, uses three ioctl requests, fcntl, set/getsockopt at SOL_SOCKET, personality with
 * PER_LINUX, and forks (clone without namespace flags); prints "work=OK" and exits 0, or names
 * the first call that failed and exits 1. `arg_workload probe NAME` makes one call the work
 * never made and prints "NAME=OK" or "NAME=ERR <errno>": af_packet, af_vsock, af_inet6
 * (socket families), newuser (clone(CLONE_NEWUSER|SIGCHLD)), per_bsd (personality(PER_BSD)),
 * ioctl (a request the work never used: FIOASYNC). Exits 0 whatever the probe's result. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static int fail(const char *what)
{
	printf("work=ERR %s %s\n", what, strerrorname_np(errno));
	return 1;
}

static int work(void)
{
	int one = 1, type = 0, sv[2], unix_fd, inet_fd;
	socklen_t len = sizeof(type);
	pid_t child;

	unix_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (unix_fd < 0)
		return fail("socket(AF_UNIX)");
	inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (inet_fd < 0)
		return fail("socket(AF_INET)");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return fail("socketpair");
	if (ioctl(inet_fd, FIONBIO, &one) < 0)
		return fail("ioctl(FIONBIO)");
	if (ioctl(inet_fd, FIOCLEX) < 0)
		return fail("ioctl(FIOCLEX)");
	if (ioctl(sv[0], FIONREAD, &one) < 0)
		return fail("ioctl(FIONREAD)");
	if (fcntl(unix_fd, F_GETFL) < 0 || fcntl(unix_fd, F_SETFD, FD_CLOEXEC) < 0)
		return fail("fcntl");
	if (setsockopt(inet_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return fail("setsockopt");
	if (getsockopt(inet_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return fail("getsockopt");
	if (personality(PER_LINUX) < 0)
		return fail("personality");
	child = fork();
	if (child < 0)
		return fail("fork");
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	close(sv[0]);
	close(sv[1]);
	close(inet_fd);
	close(unix_fd);
	printf("work=OK\n");
	return 0;
}

static long probe_call(const char *name)
{
	int one = 1;

	if (!strcmp(name, "af_packet"))
		return socket(AF_PACKET, SOCK_RAW, 0);
	if (!strcmp(name, "af_vsock"))
		return socket(AF_VSOCK, SOCK_STREAM, 0);
	if (!strcmp(name, "af_inet6"))
		return socket(AF_INET6, SOCK_STREAM, 0);
	if (!strcmp(name, "per_bsd"))
		return personality(PER_BSD);
	if (!strcmp(name, "ioctl"))
		return ioctl(1, FIOASYNC, &one);
	if (!strcmp(name, "newuser")) {
		long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return pid;
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "work"))
		return work();
	if (argc == 3 && !strcmp(argv[1], "probe")) {
		long rc = probe_call(argv[2]);

		if (rc < 0)
			printf("%s=ERR %s\n", argv[2], strerrorname_np(errno));
		else
			printf("%s=OK\n", argv[2]);
		return 0;
	}
	fprintf(stderr, "usage: arg_workload work | probe NAME\n");
	return 2;
}
