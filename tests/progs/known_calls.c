// SPDX-License-Identifier: Apache-2.0
/* Makes a known, rare syscall (raw getppid) from a second thread and from a forked child, so a
 * recorded profile must hold it. Options add calls a test profile may deny:
 *   --thread-only / --child-only   getppid from that one place only
 *   --extra      also calls sysinfo(2), which the plain run never makes
 *   --nr N       also calls raw syscall number N with zero arguments
 * Prints "<call>=OK" or "<call>=ERR <errno name>" per optional call, then "known_calls=DONE"; exits 0 when every call
 * succeeded, 1 otherwise. Works as a 64-bit and as a -m32 binary. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

static void *thread_getppid(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	return NULL;
}

static int report(const char *what, long rc)
{
	if (rc >= 0) {
		printf("%s=OK\n", what);
		return 0;
	}
	printf("%s=ERR %s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	return 1;
}

int main(int argc, char **argv)
{
	int failed = 0;
	int in_thread = 1, in_child = 1;
	pthread_t thread;
	pid_t child;
	int status = 0;

	for (int i = 1; i < argc; ++i) {
		if (strcmp(argv[i], "--thread-only") == 0)
			in_child = 0;
		if (strcmp(argv[i], "--child-only") == 0)
			in_thread = 0;
	}
	if (in_thread && (pthread_create(&thread, NULL, thread_getppid, NULL) != 0 ||
			  pthread_join(thread, NULL)))
		return 2;
	/* pthread_join waits in futex only while the thread still runs, which depends on the load
	 * of the machine: one futex call of our own keeps the set of calls the same on every run. */
	if (in_thread) {
		int word = 0;
		syscall(SYS_futex, &word, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	if (in_child) {
		child = fork();
		if (child == 0)
			_exit(syscall(SYS_getppid) > 0 ? 0 : 1);
		if (child < 0 || waitpid(child, &status, 0) != child || status != 0)
			return 2;
	}

	for (int i = 1; i < argc; ++i) {
		if (strcmp(argv[i], "--extra") == 0) {
			struct sysinfo info;
			failed |= report("sysinfo", syscall(SYS_sysinfo, &info));
		} else if (strcmp(argv[i], "--nr") == 0 && i + 1 < argc) {
			char what[32];
			long nr = strtol(argv[++i], NULL, 0);
			snprintf(what, sizeof what, "nr%ld", nr);
			failed |= report(what, syscall(nr, 0, 0, 0, 0, 0, 0));
		}
	}
	printf("known_calls=DONE\n"); /* every run writes, so a recorded profile allows write */
	fflush(stdout);
	return failed;
}
