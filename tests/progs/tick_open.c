// SPDX-License-Identifier: Apache-2.0
/* A slow workload for the crash-safety tests: opens PATH (and closes it) once a second until it
 * is killed, so a trace of it holds one known openat a second. It prints its pid first, which
 * also tells the test when the first open happens. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: tick_open PATH\n");
		return 2;
	}
	printf("tick_open: pid %d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		sleep(1);
	}
}
