// SPDX-License-Identifier: Apache-2.0
/* The benchmark's workloads: each times its own loop of syscalls and prints the cost of one call
 * on stdout as "ns_per_call <float>" (wall time) and "cpu_ns_per_call <float>" (the thread's own
 * CPU time, which other processes on a busy machine do not inflate: an in-kernel observer's
 * programs run in the calling thread and count, a ptrace tracer's time does not), so that an
 * observer's startup, teardown and profile writing never enter the figure (syscope record runs
 * this program itself, in its own cgroup).
 *
 *   bench_workload getppid ITERS   tight syscall(SYS_getppid) loop
 *   bench_workload mixed ITERS     openat/fstat/read/close of a small file, per iteration
 *   bench_workload getppid2 ITERS  the tight loop in two threads at once, one per core
 *   bench_workload fcntl ITERS     fcntl(0, F_GETFD): a call whose argument record --args keeps
 *
 * A tenth of ITERS (at least one) runs untimed first, so one-off costs (page faults, an
 * observer's first-seen events for these calls) stay out of the timed loop. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long iters;
static char small_file[] = "/tmp/syscope-bench-XXXXXX";

static double clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts); /* vDSO for CLOCK_MONOTONIC; read twice per run only */
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct cost {
	double wall, cpu; /* ns per call */
};

static void getppid_loop(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static int fcntl_fd = -1;

static void fcntl_loop(long n)
{
	for (long i = 0; i < n; i++)
		fcntl(fcntl_fd, F_GETFD);
}

static void mixed_loop(long n)
{
	char buf[64];
	struct stat st;

	for (long i = 0; i < n; i++) {
		int fd = openat(AT_FDCWD, small_file, O_RDONLY);

		if (fd < 0 || fstat(fd, &st) != 0 || read(fd, buf, sizeof buf) < 0) {
			perror("bench_workload: mixed");
			exit(1);
		}
		close(fd);
	}
}

/* ns per call of one loop run in the calling thread. */
static struct cost timed(void (*loop)(long), long calls_per_iter)
{
	loop(iters / 10 > 0 ? iters / 10 : 1);
	double calls = (double)iters * calls_per_iter;
	double wall = clock_ns(CLOCK_MONOTONIC), cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	loop(iters);
	return (struct cost){(clock_ns(CLOCK_MONOTONIC) - wall) / calls,
			     (clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu) / calls};
}

struct pinned {
	pthread_t thread;
	int cpu;
	struct cost cost;
};

static void *pinned_getppid(void *arg)
{
	struct pinned *p = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set); /* best effort */
	p->cost = timed(getppid_loop, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (iters = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_workload getppid|mixed|getppid2|fcntl ITERS\n");
		return 2;
	}
	struct cost ns;

	if (strcmp(argv[1], "getppid") == 0) {
		ns = timed(getppid_loop, 1);
	} else if (strcmp(argv[1], "mixed") == 0) {
		int fd = mkstemp(small_file);

		if (fd < 0 || write(fd, "syscope bench small file\n", 25) != 25) {
			perror("bench_workload: small file");
			return 1;
		}
		close(fd);
		ns = timed(mixed_loop, 4);
		unlink(small_file);
	} else if (strcmp(argv[1], "fcntl") == 0) {
		fcntl_fd = STDIN_FILENO;
		ns = timed(fcntl_loop, 1);
	} else if (strcmp(argv[1], "getppid2") == 0) {
		/* Both threads' per-call cost, averaged: what each core pays while the other is busy. */
		struct pinned threads[2] = {{.cpu = 0}, {.cpu = 1}};

		for (int i = 0; i < 2; i++)
			if (pthread_create(&threads[i].thread, NULL, pinned_getppid, &threads[i]) !=
			    0) {
				fprintf(stderr, "bench_workload: pthread_create failed\n");
				return 1;
			}
		for (int i = 0; i < 2; i++)
			pthread_join(threads[i].thread, NULL);
		ns.wall = (threads[0].cost.wall + threads[1].cost.wall) / 2;
		ns.cpu = (threads[0].cost.cpu + threads[1].cost.cpu) / 2;
	} else {
		fprintf(stderr, "bench_workload: unknown workload %s\n", argv[1]);
		return 2;
	}
	printf("ns_per_call %.2f\ncpu_ns_per_call %.2f\n", ns.wall, ns.cpu);
	return 0;
}
