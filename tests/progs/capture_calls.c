// SPDX-License-Identifier: Apache-2.0
/* Makes every call of trace's capture plan (the path, string and sockaddr arguments of the
 * signature table, userspace/syscalls/signatures.cpp) on paths under DIR, so that a test can
 * compare syscope's trace of it with strace's. Usage: capture_calls DIR PORT
 * (PORT..PORT+4 free loopback ports). Table-driven: one step per call family, in order.
 *
 * Raw syscall(2) throughout: glibc would pick other calls (stat() is newfstatat, open() is
 * openat, and on i386 socket() & co go through socketcall(2)). Every path is built at run time
 * in writable memory, so its page is resident when the kernel side reads it at entry. Failing
 * calls are fine (ENOENT, ENOTSUP): the arguments are read at entry either way. Everything
 * created is removed again, so DIR can be reused for a second run that must make the very same
 * calls. Sockets stay on loopback, ports are given (so both runs show the same addresses), and
 * closes are abortive (no TIME_WAIT) so the ports can be bound again at once. Compiles for i386
 * too (-m32): calls a build arch lacks are left out by #ifdef SYS_x, and i386-only ones
 * (stat64, chown32, ...) are made there instead. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_PATH 512

static const char *dir;
static int port;
static char buf[4096];

/* "DIR/name" in one of a few rotating buffers: several can be live in one call. */
static char *at(const char *name)
{
	static char paths[4][MAX_PATH];
	static int next;
	char *p = paths[next++ % 4];

	snprintf(p, MAX_PATH, "%s/%s", dir, name);
	return p;
}

/* A string of its own in writable memory (a literal would live in .rodata, whose page may not
 * be resident when the kernel side reads it). */
static char *str(const char *s)
{
	static char strings[4][64];
	static int next;
	char *p = strings[next++ % 4];

	snprintf(p, sizeof strings[0], "%s", s);
	return p;
}

static long sys_close(long fd)
{
	return fd >= 0 ? syscall(SYS_close, fd) : -1;
}

static void files(void)
{
	struct {
		unsigned long long flags, mode, resolve;
	} how = {O_RDONLY, 0, 0};

#ifdef SYS_open
	sys_close(syscall(SYS_open, at("f"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
	sys_close(syscall(SYS_open, at("f"), O_RDONLY));
#endif
	sys_close(syscall(SYS_openat, AT_FDCWD, at("f"), O_RDONLY | O_CLOEXEC));
	sys_close(syscall(SYS_openat, AT_FDCWD, at("new"), O_WRONLY | O_CREAT | O_EXCL, 0600));
	sys_close(syscall(SYS_openat2, AT_FDCWD, at("f"), &how, sizeof how));
#ifdef SYS_creat
	sys_close(syscall(SYS_creat, at("c"), 0600));
#endif
}

static void stats(void)
{
#ifdef SYS_stat
	syscall(SYS_stat, at("f"), buf);
#endif
#ifdef SYS_lstat
	syscall(SYS_lstat, at("f"), buf);
#endif
#ifdef SYS_stat64
	syscall(SYS_stat64, at("f"), buf);
#endif
#ifdef SYS_lstat64
	syscall(SYS_lstat64, at("f"), buf);
#endif
#ifdef SYS_newfstatat
	syscall(SYS_newfstatat, AT_FDCWD, at("f"), buf, 0);
#endif
#ifdef SYS_fstatat64
	syscall(SYS_fstatat64, AT_FDCWD, at("f"), buf, 0);
#endif
	syscall(SYS_statx, AT_FDCWD, at("f"), 0, 0x7ff /* STATX_BASIC_STATS */, buf);
	syscall(SYS_statx, AT_FDCWD, at("missing"), 0, 0x7ff, buf);
#ifdef SYS_statfs
	syscall(SYS_statfs, dir, buf);
#endif
#ifdef SYS_statfs64
	syscall(SYS_statfs64, dir, 84 /* i386's struct statfs64 */, buf);
#endif
}

static void access_calls(void)
{
#ifdef SYS_access
	syscall(SYS_access, at("f"), R_OK);
#endif
	syscall(SYS_faccessat, AT_FDCWD, at("f"), R_OK | W_OK);
	syscall(SYS_faccessat2, AT_FDCWD, at("missing"), F_OK, 0);
}

static void links(void)
{
#ifdef SYS_symlink
	syscall(SYS_symlink, at("f"), at("s1"));
#endif
	syscall(SYS_symlinkat, at("f"), AT_FDCWD, at("s2"));
#ifdef SYS_readlink
	syscall(SYS_readlink, at("s1"), buf, sizeof buf);
#endif
	syscall(SYS_readlinkat, AT_FDCWD, at("s2"), buf, sizeof buf);
#ifdef SYS_link
	syscall(SYS_link, at("f"), at("h1"));
#endif
	syscall(SYS_linkat, AT_FDCWD, at("f"), AT_FDCWD, at("h2"), 0);
}

static void renames(void)
{
#ifdef SYS_rename
	syscall(SYS_rename, at("h1"), at("r1"));
#endif
	syscall(SYS_renameat, AT_FDCWD, at("h2"), AT_FDCWD, at("r2"));
	syscall(SYS_renameat2, AT_FDCWD, at("r2"), AT_FDCWD, at("r3"), 1 /* RENAME_NOREPLACE */);
#ifdef SYS_unlink
	syscall(SYS_unlink, at("r1"));
#endif
	syscall(SYS_unlinkat, AT_FDCWD, at("r3"), 0);
}

static void dirs(void)
{
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

#ifdef SYS_mkdir
	syscall(SYS_mkdir, at("d1"), 0755);
#endif
	syscall(SYS_mkdirat, AT_FDCWD, at("d2"), 0700);
	syscall(SYS_chdir, at("d2"));
	if (cwd >= 0) {
		syscall(SYS_fchdir, cwd);
		close(cwd);
	}
#ifdef SYS_rmdir
	syscall(SYS_rmdir, at("d1"));
#endif
	syscall(SYS_unlinkat, AT_FDCWD, at("d2"), AT_REMOVEDIR);
	syscall(SYS_chroot, at("missing"));
	syscall(SYS_pivot_root, at("missing"), at("missing-old"));
}

static void modes(void)
{
#ifdef SYS_chmod
	syscall(SYS_chmod, at("f"), 0640);
#endif
	syscall(SYS_fchmodat, AT_FDCWD, at("f"), 0600);
	syscall(452 /* fchmodat2, Linux 6.6: newer than the headers */, AT_FDCWD, at("f"), 0644, 0);
#ifdef SYS_chown
	syscall(SYS_chown, at("f"), 0, 0);
#endif
#ifdef SYS_lchown
	syscall(SYS_lchown, at("s1"), 0, 0);
#endif
#ifdef SYS_chown32
	syscall(SYS_chown32, at("f"), 0, 0);
#endif
#ifdef SYS_lchown32
	syscall(SYS_lchown32, at("s1"), 0, 0);
#endif
#ifdef SYS_fchownat
	syscall(SYS_fchownat, AT_FDCWD, at("f"), 0, 0, AT_SYMLINK_NOFOLLOW);
#endif
	syscall(SYS_truncate, at("f"), 0);
#ifdef SYS_truncate64
	syscall(SYS_truncate64, at("f"), 0, 0);
#endif
#ifdef SYS_mknod
	syscall(SYS_mknod, at("fifo1"), S_IFIFO | 0644, 0);
#endif
	syscall(SYS_mknodat, AT_FDCWD, at("fifo2"), S_IFIFO | 0600, 0);
#ifdef SYS_utime
	syscall(SYS_utime, at("f"), NULL);
#endif
#ifdef SYS_utimes
	syscall(SYS_utimes, at("f"), NULL);
#endif
#ifdef SYS_futimesat
	syscall(SYS_futimesat, AT_FDCWD, at("f"), NULL);
#endif
	syscall(SYS_utimensat, AT_FDCWD, at("f"), NULL, 0);
}

static void xattrs(void)
{
	int fd = open(at("f"), O_RDONLY | O_CLOEXEC);

	syscall(SYS_setxattr, at("f"), str("user.syscope"), str("v"), 1, 0);
	syscall(SYS_lsetxattr, at("s1"), str("user.syscope"), str("v"), 1, 0);
	syscall(SYS_fsetxattr, fd, str("user.syscope2"), str("w"), 1, 0);
	syscall(SYS_getxattr, at("f"), str("user.syscope"), buf, sizeof buf);
	syscall(SYS_lgetxattr, at("s1"), str("user.syscope"), buf, sizeof buf);
	syscall(SYS_fgetxattr, fd, str("user.syscope2"), buf, sizeof buf);
	syscall(SYS_listxattr, at("f"), buf, sizeof buf);
	syscall(SYS_llistxattr, at("s1"), buf, sizeof buf);
	syscall(SYS_removexattr, at("f"), str("user.syscope"));
	syscall(SYS_lremovexattr, at("s1"), str("user.syscope"));
	syscall(SYS_fremovexattr, fd, str("user.syscope2"));
	sys_close(fd);
}

static void mounts(void)
{
	char m[MAX_PATH]; /* at()'s buffers rotate: this one must last the whole step */

	snprintf(m, sizeof m, "%s", at("m"));

	syscall(SYS_mkdirat, AT_FDCWD, m, 0755);
	syscall(SYS_mkdirat, AT_FDCWD, at("src"), 0755);
	if (syscall(SYS_mount, str("none"), m, str("tmpfs"), 0, NULL) == 0)
		syscall(SYS_umount2, m, 0);
	/* A bind mount: its type is NULL, an empty slot between two strings. */
	if (syscall(SYS_mount, at("src"), m, NULL, MS_BIND, NULL) == 0) {
#ifdef SYS_umount
		syscall(SYS_umount, m);
#else
		syscall(SYS_umount2, m, MNT_DETACH);
#endif
	}
	syscall(SYS_umount2, at("missing"), 0);
	syscall(SYS_open_tree, AT_FDCWD, at("missing"), 0);
	syscall(SYS_move_mount, AT_FDCWD, at("missing"), AT_FDCWD, at("missing-to"), 0);
	syscall(SYS_unlinkat, AT_FDCWD, at("src"), AT_REMOVEDIR);
	syscall(SYS_unlinkat, AT_FDCWD, m, AT_REMOVEDIR);
	/* What only root may try; missing paths, so nothing happens. */
	syscall(SYS_acct, at("missing"));
	syscall(SYS_swapon, at("missing"), 0);
	syscall(SYS_swapoff, at("missing"));
}

static void misc_paths(void)
{
	struct {
		unsigned int handle_bytes;
		int handle_type;
		unsigned char f_handle[128];
	} handle = {128, 0, {0}};
	int mount_id = 0;
	int in = syscall(SYS_inotify_init1, O_CLOEXEC);

	syscall(SYS_inotify_add_watch, in, dir, 0x100 /* IN_CREATE */);
	sys_close(in);
	syscall(SYS_name_to_handle_at, AT_FDCWD, at("f"), &handle, &mount_id, 0);
	/* Longer than a slot holds: syscope keeps 255 bytes, strace (-s 4096) all of it. */
	{
		char name[300];

		memset(name, 'x', sizeof name - 1);
		name[sizeof name - 1] = 0;
		for (size_t i = 100; i < sizeof name - 1; i += 100)
			name[i] = '/';
		syscall(SYS_faccessat, AT_FDCWD, at(name), F_OK);
	}
	/* Bytes strace and syscope must both escape. */
	syscall(SYS_faccessat, AT_FDCWD, at("tab\tnl\nquote\"back\\\001\033[0m\303\251"), F_OK);
}

/* Strings in pages this process has never touched: a file mapping has no page-table entries
 * yet, so the kernel side's read at entry fails for every slot, and each must be read again at
 * exit, after the kernel's own copy faulted the page in. */
static void untouched_pages(void)
{
	const long page = sysconf(_SC_PAGESIZE);
	const char *strings[3] = {"none", at("missing"), "tmpfs"};
	char *file = at("pages"), *map;
	int fd = open(file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	for (int i = 0; i < 3; ++i) {
		memset(buf, 0, page);
		snprintf(buf, page, "%s", strings[i]);
		if (write(fd, buf, page) != page)
			break;
	}
	map = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map != MAP_FAILED) {
		/* ENOENT (no such mount point), after all three strings were copied in */
		syscall(SYS_mount, map, map + page, map + 2 * page, 0, NULL);
		munmap(map, 3 * page);
	}
	unlink(at("pages"));
}

static void execs(void)
{
	char *argv[] = {str("missing"), NULL};
	char *envp[] = {NULL};

	syscall(SYS_execve, at("missing"), argv, envp);
	syscall(SYS_execveat, AT_FDCWD, at("missing"), argv, envp, 0);
}

/* An abortive close: no TIME_WAIT, so the next run binds the same ports at once. */
static void reset_close(int fd)
{
	struct linger no = {1, 0};

	if (fd < 0)
		return;
	syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_LINGER, &no, sizeof no);
	close(fd);
}

static int reusable_socket(int family, int type)
{
	int one = 1, fd = syscall(SYS_socket, family, type | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	return fd;
}

/* A listener and a client on `addr_server`/`addr_client`, then every sockaddr call on them. */
static void stream_pair(int family, struct sockaddr *server, struct sockaddr *client, socklen_t len)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	int l = reusable_socket(family, SOCK_STREAM), c = reusable_socket(family, SOCK_STREAM), a;

	syscall(SYS_bind, l, server, len);
	syscall(SYS_listen, l, 4);
	syscall(SYS_bind, c, client, len);
	syscall(SYS_connect, c, server, len);
	plen = sizeof peer;
#ifdef SYS_accept
	a = syscall(SYS_accept, l, &peer, &plen);
#else
	a = syscall(SYS_accept4, l, &peer, &plen, 0); /* i386 has no direct accept */
#endif
	plen = sizeof peer;
	syscall(SYS_getsockname, c, &peer, &plen);
	plen = sizeof peer;
	syscall(SYS_getpeername, c, &peer, &plen);
	syscall(SYS_sendto, c, str("ping"), 4, 0, NULL, 0); /* connected: no address */
	plen = sizeof peer;
	syscall(SYS_recvfrom, a, buf, 4, 0, &peer, &plen); /* a stream gives no address */
	reset_close(a);
	reset_close(c);
	reset_close(l);
}

static void inet_sockets(void)
{
	struct sockaddr_in s4 = {.sin_family = AF_INET}, c4 = {.sin_family = AF_INET};
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6}, c6 = {.sin6_family = AF_INET6};
	struct sockaddr_storage from;
	socklen_t flen = sizeof from;
	int u;

	s4.sin_addr.s_addr = c4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s4.sin_port = htons(port);
	c4.sin_port = htons(port + 1);
	stream_pair(AF_INET, (struct sockaddr *)&s4, (struct sockaddr *)&c4, sizeof s4);

	s6.sin6_addr = c6.sin6_addr = in6addr_loopback;
	s6.sin6_port = htons(port + 2);
	c6.sin6_port = htons(port + 3);
	stream_pair(AF_INET6, (struct sockaddr *)&s6, (struct sockaddr *)&c6, sizeof s6);

	/* UDP to itself: sendto's address in, recvfrom's out. */
	u = reusable_socket(AF_INET, SOCK_DGRAM);
	s4.sin_port = htons(port + 4);
	syscall(SYS_bind, u, &s4, sizeof s4);
	syscall(SYS_sendto, u, str("x"), 1, 0, &s4, sizeof s4);
	syscall(SYS_recvfrom, u, buf, sizeof buf, 0, &from, &flen);
	close(u);
}

static void unix_sockets(void)
{
	struct sockaddr_un path = {.sun_family = AF_UNIX}, abstract = {.sun_family = AF_UNIX};
	struct sockaddr_un peer;
	socklen_t plen, alen;
	const char *base = strrchr(dir, '/');
	int l, c, a, pair[2];

	snprintf(path.sun_path, sizeof path.sun_path, "%s", at("sock"));
	l = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	syscall(SYS_bind, l, &path, sizeof path);
	syscall(SYS_listen, l, 4);
	syscall(SYS_connect, c, &path, sizeof path);
	plen = sizeof peer;
	a = syscall(SYS_accept4, l, &peer, &plen, SOCK_CLOEXEC); /* an unnamed peer */
	plen = sizeof peer;
	syscall(SYS_getsockname, l, &peer, &plen);
	plen = sizeof peer;
	syscall(SYS_getpeername, c, &peer, &plen);
	close(a);
	close(c);
	close(l);
	syscall(SYS_unlinkat, AT_FDCWD, at("sock"), 0);

	/* Abstract: a leading NUL, the length ends the name (per DIR, so runs do not collide). */
	snprintf(abstract.sun_path + 1, sizeof abstract.sun_path - 1, "syscope-%s",
		 base ? base + 1 : dir);
	alen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract.sun_path + 1);
	l = syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	c = syscall(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	syscall(SYS_bind, l, &abstract, alen);
	syscall(SYS_sendto, c, str("x"), 1, 0, &abstract, alen);
	plen = sizeof peer;
	syscall(SYS_recvfrom, l, buf, sizeof buf, 0, &peer, &plen); /* from an unbound socket */
	plen = sizeof peer;
	syscall(SYS_getsockname, l, &peer, &plen);
	close(c);
	close(l);

	/* A connected pair: getsockname of an unnamed socket. */
	if (syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0) {
		plen = sizeof peer;
		syscall(SYS_getsockname, pair[0], &peer, &plen);
		close(pair[0]);
		close(pair[1]);
	}
}

static void cleanup(void)
{
	static const char *const made[] = {"f", "new", "c", "s1", "s2", "fifo1", "fifo2"};

	for (size_t i = 0; i < sizeof made / sizeof made[0]; ++i)
		unlink(at(made[i]));
}

static const struct {
	const char *what;
	void (*run)(void);
} steps[] = {
	{"open, openat, openat2, creat", files},
	{"stat & co, statx, statfs", stats},
	{"access, faccessat, faccessat2", access_calls},
	{"symlink, readlink, link", links},
	{"rename, unlink", renames},
	{"mkdir, chdir, rmdir, chroot, pivot_root", dirs},
	{"chmod, chown, truncate, mknod, utime", modes},
	{"xattrs", xattrs},
	{"mount, umount, open_tree, move_mount, acct, swapon", mounts},
	{"inotify, name_to_handle_at, long and odd paths", misc_paths},
	{"strings in untouched pages", untouched_pages},
	{"execve, execveat", execs},
	{"unix sockets", unix_sockets},
	{"inet sockets", inet_sockets},
};

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: capture_calls DIR PORT\n");
		return 2;
	}
	dir = argv[1];
	port = atoi(argv[2]);
	/* Markers: the test compares what lies between them. */
	syscall(SYS_faccessat, AT_FDCWD, at("capture-calls-begin"), F_OK);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; ++i)
		steps[i].run();
	cleanup();
	syscall(SYS_faccessat, AT_FDCWD, at("capture-calls-end"), F_OK);
	return 0;
}
