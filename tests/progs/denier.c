// SPDX-License-Identifier: Apache-2.0
/* Installs its own seccomp filter (classic BPF, so the -m32 build needs no 32-bit libseccomp),
 * then makes the calls it is asked to, each refused by a different action:
 *   errno        sysinfo           -> SECCOMP_RET_ERRNO(EPERM)
 *   eacces       getpriority       -> SECCOMP_RET_ERRNO(EACCES)
 *   trap         chroot("/")       -> SECCOMP_RET_TRAP (handled: SIGSYS caught)
 *   kill-process acct(NULL), in a forked child -> SECCOMP_RET_KILL_PROCESS
 *   kill-thread  setdomainname, in a second thread -> SECCOMP_RET_KILL_THREAD
 *   natural      as uid 65534 in a child: setuid(0) and kill(1, 0) fail with EPERM on their own
 *   busy N       N allowed getppid calls
 *   block N S    N threads blocked in futex, read, nanosleep and epoll_wait for about S seconds
 * --no-filter runs the same without installing the filter. Prints one line per action. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define THIS_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#define THIS_AUDIT_ARCH AUDIT_ARCH_I386
#endif

#define DENY(nr, action) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), BPF_STMT(BPF_RET | BPF_K, (action))

static void install_filter(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		DENY(SYS_sysinfo, SECCOMP_RET_ERRNO | EPERM),
		DENY(SYS_getpriority, SECCOMP_RET_ERRNO | EACCES),
		DENY(SYS_chroot, SECCOMP_RET_TRAP),
		DENY(SYS_acct, SECCOMP_RET_KILL_PROCESS),
		DENY(SYS_setdomainname, SECCOMP_RET_KILL_THREAD),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		exit(2);
	}
}

static volatile sig_atomic_t trapped;
static void on_sigsys(int sig)
{
	(void)sig;
	trapped = 1;
}

static void *kill_thread(void *arg)
{
	(void)arg;
	syscall(SYS_setdomainname, "x", 1);
	return NULL;
}

static int block_pipe[2] = {-1, -1};
static int block_ms = 1000;

static void *blocked(void *arg)
{
	long kind = (long)arg;
	char c;
	struct timespec t = {block_ms / 1000, (block_ms % 1000) * 1000000L};
	int futex_word = 0, ep;
	struct epoll_event ev;

	switch (kind % 4) {
	case 0: syscall(SYS_futex, &futex_word, 0 /* FUTEX_WAIT */, 0, &t); break;
	case 1: (void)!read(block_pipe[0], &c, 1); break; /* woken by main's write */
	case 2: nanosleep(&t, NULL); break;
	case 3:
		ep = epoll_create1(0);
		epoll_wait(ep, &ev, 1, block_ms);
		close(ep);
		break;
	}
	return NULL;
}

static void report(const char *what, long rc)
{
	if (rc < 0)
		printf("%s=ERR %s\n", what, strerrorname_np(errno));
	else
		printf("%s=OK\n", what);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "--no-filter") == 0)
		++i;
	else
		install_filter();
	for (; i < argc; ++i) {
		const char *a = argv[i];
		if (strcmp(a, "errno") == 0) {
			char buf[256];
			report("sysinfo", syscall(SYS_sysinfo, buf));
		} else if (strcmp(a, "eacces") == 0) {
			report("getpriority", syscall(SYS_getpriority, 0, 0));
		} else if (strcmp(a, "trap") == 0) {
			signal(SIGSYS, on_sigsys);
			syscall(SYS_chroot, "/");
			printf("chroot=%s\n", trapped ? "SIGSYS" : "no signal");
		} else if (strcmp(a, "kill-process") == 0) {
			int status = 0;
			pid_t child = fork();
			if (child == 0) {
				syscall(SYS_acct, NULL);
				_exit(0);
			}
			waitpid(child, &status, 0);
			printf("acct=%s\n", WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS
						    ? "KILLED"
						    : "survived");
		} else if (strcmp(a, "kill-thread") == 0) {
			pthread_t t;
			pthread_create(&t, NULL, kill_thread, NULL);
			pthread_join(t, NULL);
			printf("setdomainname=THREAD_GONE\n");
		} else if (strcmp(a, "natural") == 0) {
			int status = 0;
			pid_t child = fork();
			if (child == 0) {
				if (setresuid(65534, 65534, 65534) != 0)
					_exit(3);
				report("setuid", setuid(0));
				report("kill", kill(1, 0));
				_exit(0);
			}
			waitpid(child, &status, 0);
		} else if (strcmp(a, "busy") == 0 && i + 1 < argc) {
			long n = strtol(argv[++i], NULL, 10);
			for (long k = 0; k < n; ++k)
				syscall(SYS_getppid);
			printf("busy=%ld\n", n);
		} else if (strcmp(a, "block") == 0 && i + 2 < argc) {
			long n = strtol(argv[++i], NULL, 10);
			pthread_t threads[64];
			struct timespec t;
			block_ms = (int)(strtod(argv[++i], NULL) * 1000);
			t.tv_sec = block_ms / 1000;
			t.tv_nsec = (block_ms % 1000) * 1000000L;
			if (pipe(block_pipe) != 0)
				return 2;
			for (long k = 0; k < n && k < 64; ++k)
				pthread_create(&threads[k], NULL, blocked, (void *)k);
			printf("blocked=%ld\n", n);
			fflush(stdout);
			nanosleep(&t, NULL);
			for (long k = 0; k < n; ++k)
				(void)!write(block_pipe[1], "x", 1);
			for (long k = 0; k < n && k < 64; ++k)
				pthread_join(threads[k], NULL);
			printf("woken=%ld\n", n);
		}
		fflush(stdout);
	}
	return 0;
}
