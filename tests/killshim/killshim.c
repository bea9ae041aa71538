/*
 * killshim: an LD_PRELOAD library that numbers every file-system call a process
 * makes that can change what is on disk, and can SIGKILL the process just before or
 * just after call N. scripts/kill-test uses it to kill glix at every such point.
 *
 *   GLIX_KILL_AT=T:N       kill at thread T's N-th counted call (1-based; `N` alone: T=0)
 *   GLIX_KILL_WHEN=before  kill before the real call (default); `after`: once it returned
 *   GLIX_KILL_COUNT=FILE   write "T COUNT" for every thread that made counted calls, at exit
 *   GLIX_KILL_TRACE=FILE   append one line per counted call: "T:N call path-or-fd"
 *
 * Calls are numbered per thread: glix writes blobs and its cache on helper threads
 * while the main thread writes the journal and the files, so a process-wide number
 * would name a different call in every run. Thread 0 is the main thread, thread K the
 * K-th one the process created (in creation order, which is deterministic when, as in
 * glix, only the main thread creates threads).
 *
 * What is counted: open/creat with a flag that can change a file (O_WRONLY, O_RDWR,
 * O_CREAT, O_TRUNC, O_APPEND), write/pwrite/writev and ftruncate on a descriptor so
 * opened, close of one, fsync/fdatasync of any descriptor (glix fsyncs directories
 * it opened read-only), rename*, link*, symlink*, unlink*, mkdir*, rmdir, chmod and
 * fchmod*. Reads are not counted: between two counted calls the disk does not change,
 * so killing at a read gives a state some counted point already gives.
 *
 * What no LD_PRELOAD sees: system calls made directly, not through libc. The one glix
 * makes is the rename that `tempfile` (through rustix) uses to put a written file in
 * place; the points on either side of it (after the temporary file's fsync, before its
 * close) give the two states it separates, so no state is missed.
 *
 * Only calls of the process that loaded the shim are counted (a forked child before
 * exec is not), and calls the shim makes itself are not. At load the shim removes
 * LD_PRELOAD and its own variables from the environment, so the programs glix runs
 * (nix, git) are neither counted nor killed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096
#define MAX_THREADS 256

static int kill_thread = 0;
static long kill_at = 0;
static int kill_after = 0;
static char count_file[4096];
static char trace_file[4096];
static int trace_fd = -1;
static long counters[MAX_THREADS];
static int threads_created = 0;
static pid_t owner = 0;
static int active = 0;
/* descriptors opened with a flag that can change a file */
static unsigned char writable[MAX_FD];
static __thread int inside = 0;
static __thread int thread_id = 0; /* the main thread, and threads the shim did not see start, are 0 */

static void *next(const char *name) {
    return dlsym(RTLD_NEXT, name);
}

static void raw_write(int fd, const char *s, size_t n) {
    while (n > 0) {
        long w = syscall(SYS_write, fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void save_count(void) {
    if (!active || getpid() != owner || !count_file[0])
        return;
    inside++;
    int fd = (int)syscall(SYS_openat, AT_FDCWD, count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        for (int t = 0; t < MAX_THREADS; t++) {
            long c = __atomic_load_n(&counters[t], __ATOMIC_SEQ_CST);
            if (c == 0)
                continue;
            char buf[48];
            int n = snprintf(buf, sizeof buf, "%d %ld\n", t, c);
            raw_write(fd, buf, (size_t)n);
        }
        syscall(SYS_close, fd);
    }
    inside--;
}

__attribute__((constructor)) static void killshim_init(void) {
    const char *at = getenv("GLIX_KILL_AT");
    const char *when = getenv("GLIX_KILL_WHEN");
    const char *cf = getenv("GLIX_KILL_COUNT");
    const char *tf = getenv("GLIX_KILL_TRACE");
    if (at && strchr(at, ':')) {
        kill_thread = atoi(at);
        kill_at = atol(strchr(at, ':') + 1);
    } else {
        kill_at = at ? atol(at) : 0;
    }
    kill_after = when && strcmp(when, "after") == 0;
    if (cf)
        snprintf(count_file, sizeof count_file, "%s", cf);
    if (tf)
        snprintf(trace_file, sizeof trace_file, "%s", tf);
    unsetenv("GLIX_KILL_AT");
    unsetenv("GLIX_KILL_WHEN");
    unsetenv("GLIX_KILL_COUNT");
    unsetenv("GLIX_KILL_TRACE");
    unsetenv("LD_PRELOAD");
    owner = getpid();
    if (trace_file[0])
        trace_fd = (int)syscall(SYS_openat, AT_FDCWD, trace_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    atexit(save_count);
    active = 1;
}

static void die(void) {
    save_count();
    syscall(SYS_kill, owner, SIGKILL);
    for (;;)
        pause();
}

/* Number one call (and kill before it when it is the point); returns non-zero when it
 * is the point, to kill after it. */
static long tick(const char *call, const char *what, int fd) {
    if (!active || inside || getpid() != owner)
        return 0;
    int t = thread_id;
    long n = __atomic_add_fetch(&counters[t], 1, __ATOMIC_SEQ_CST);
    if (trace_fd >= 0) {
        inside++;
        char line[4500];
        int len;
        if (what)
            len = snprintf(line, sizeof line, "%d:%ld %s %s\n", t, n, call, what);
        else {
            char link[64], target[4096];
            snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            long got = syscall(SYS_readlinkat, AT_FDCWD, link, target, sizeof target - 1);
            target[got > 0 ? got : 0] = 0;
            len = snprintf(line, sizeof line, "%d:%ld %s fd=%d %s\n", t, n, call, fd, target);
        }
        if (len > (int)sizeof line - 1)
            len = (int)sizeof line - 1;
        raw_write(trace_fd, line, (size_t)len);
        inside--;
    }
    if (t != kill_thread || n != kill_at)
        return 0;
    if (!kill_after)
        die();
    return n;
}

/* After the real call: `n` is what tick returned (non-zero only at the kill point). */
static void done(long n) {
    if (n != 0 && kill_after)
        die();
}

/* Threads get their number in creation order. */
struct start {
    void *(*fn)(void *);
    void *arg;
    int id;
};

static void *started(void *p) {
    struct start s = *(struct start *)p;
    free(p);
    thread_id = s.id;
    return s.fn(s.arg);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg) {
    int (*real)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *) = next("pthread_create");
    struct start *s = malloc(sizeof *s);
    if (!s)
        return real(thread, attr, fn, arg);
    int id = __atomic_add_fetch(&threads_created, 1, __ATOMIC_SEQ_CST);
    s->fn = fn;
    s->arg = arg;
    s->id = id < MAX_THREADS ? id : 0;
    int r = real(thread, attr, started, s);
    if (r != 0)
        free(s);
    return r;
}

static int mutating_flags(int flags) {
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
}

static int is_writable(int fd) {
    return fd >= 0 && fd < MAX_FD && writable[fd];
}

static void opened(int fd, int flags) {
    if (fd >= 0 && fd < MAX_FD)
        writable[fd] = (unsigned char)mutating_flags(flags);
}

static mode_t mode_arg(int flags, va_list ap) {
    if (flags & (O_CREAT | O_TMPFILE))
        return (mode_t)va_arg(ap, int);
    return 0;
}

static int do_openat(const char *sym, int dirfd, const char *path, int flags, mode_t mode, int at) {
    long n = mutating_flags(flags) || (flags & O_TMPFILE) == O_TMPFILE ? tick(sym, path, -1) : 0;
    int fd;
    if (at) {
        int (*real)(int, const char *, int, ...) = next(sym);
        fd = real(dirfd, path, flags, mode);
    } else {
        int (*real)(const char *, int, ...) = next(sym);
        fd = real(path, flags, mode);
    }
    int saved = errno;
    if (fd >= 0)
        opened(fd, flags);
    done(n);
    errno = saved;
    return fd;
}

int open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat("open", AT_FDCWD, path, flags, mode, 0);
}

int open64(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat("open64", AT_FDCWD, path, flags, mode, 0);
}

int openat(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat("openat", dirfd, path, flags, mode, 1);
}

int openat64(int dirfd, const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat("openat64", dirfd, path, flags, mode, 1);
}

int creat(const char *path, mode_t mode) {
    return do_openat("open", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

int creat64(const char *path, mode_t mode) {
    return do_openat("open64", AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode, 0);
}

/* A call on a descriptor: counted when `counted`; errno kept across the bookkeeping. */
#define FD_CALL(ret, name, counted, fd, call_args, ...)                                                                \
    ret name(__VA_ARGS__) {                                                                                            \
        ret (*real)(__VA_ARGS__) = next(#name);                                                                        \
        long n = (counted) ? tick(#name, NULL, fd) : 0;                                                                \
        ret r = real call_args;                                                                                        \
        int saved = errno;                                                                                             \
        done(n);                                                                                                       \
        errno = saved;                                                                                                 \
        return r;                                                                                                      \
    }

FD_CALL(ssize_t, write, is_writable(fd), fd, (fd, buf, count), int fd, const void *buf, size_t count)
FD_CALL(ssize_t, pwrite, is_writable(fd), fd, (fd, buf, count, off), int fd, const void *buf, size_t count, off_t off)
FD_CALL(ssize_t, pwrite64, is_writable(fd), fd, (fd, buf, count, off), int fd, const void *buf, size_t count, off64_t off)
FD_CALL(ssize_t, writev, is_writable(fd), fd, (fd, iov, cnt), int fd, const struct iovec *iov, int cnt)
FD_CALL(int, ftruncate, is_writable(fd), fd, (fd, len), int fd, off_t len)
FD_CALL(int, ftruncate64, is_writable(fd), fd, (fd, len), int fd, off64_t len)
FD_CALL(int, fsync, 1, fd, (fd), int fd)
FD_CALL(int, fdatasync, 1, fd, (fd), int fd)
FD_CALL(int, fchmod, 1, fd, (fd, mode), int fd, mode_t mode)

int close(int fd) {
    int (*real)(int) = next("close");
    long n = is_writable(fd) ? tick("close", NULL, fd) : 0;
    if (fd >= 0 && fd < MAX_FD)
        writable[fd] = 0;
    int r = real(fd);
    int saved = errno;
    done(n);
    errno = saved;
    return r;
}

/* A call on paths: always counted, traced with its (first) path. */
#define PATH_CALL(ret, name, what, call_args, ...)                                                                     \
    ret name(__VA_ARGS__) {                                                                                            \
        ret (*real)(__VA_ARGS__) = next(#name);                                                                        \
        long n = tick(#name, what, -1);                                                                                \
        ret r = real call_args;                                                                                        \
        int saved = errno;                                                                                             \
        done(n);                                                                                                       \
        errno = saved;                                                                                                 \
        return r;                                                                                                      \
    }

PATH_CALL(int, rename, to, (from, to), const char *from, const char *to)
PATH_CALL(int, renameat, to, (fd1, from, fd2, to), int fd1, const char *from, int fd2, const char *to)
PATH_CALL(int, renameat2, to, (fd1, from, fd2, to, flags), int fd1, const char *from, int fd2, const char *to, unsigned flags)
PATH_CALL(int, link, to, (from, to), const char *from, const char *to)
PATH_CALL(int, linkat, to, (fd1, from, fd2, to, flags), int fd1, const char *from, int fd2, const char *to, int flags)
PATH_CALL(int, symlink, to, (from, to), const char *from, const char *to)
PATH_CALL(int, symlinkat, to, (from, fd, to), const char *from, int fd, const char *to)
PATH_CALL(int, unlink, path, (path), const char *path)
PATH_CALL(int, unlinkat, path, (fd, path, flags), int fd, const char *path, int flags)
PATH_CALL(int, mkdir, path, (path, mode), const char *path, mode_t mode)
PATH_CALL(int, mkdirat, path, (fd, path, mode), int fd, const char *path, mode_t mode)
PATH_CALL(int, rmdir, path, (path), const char *path)
PATH_CALL(int, chmod, path, (path, mode), const char *path, mode_t mode)
PATH_CALL(int, fchmodat, path, (fd, path, mode, flags), int fd, const char *path, mode_t mode, int flags)
