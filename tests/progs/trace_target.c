// SPDX-License-Identifier: Apache-2.0
/* Known calls for trace tests: opens /etc/hostname, connects a unix socket to a path that does
 * not exist (ENOENT), forks a child that execs /bin/true, waits for it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	int sock = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t child;
	int status = 0;

	if (fd >= 0)
		close(fd);
	strcpy(addr.sun_path, "/tmp/syscope-no-such.sock");
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) == 0)
		return 2;
	close(sock);
	child = fork();
	if (child == 0) {
		execl("/bin/true", "true", "from-trace-target", (char *)NULL);
		_exit(127);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
