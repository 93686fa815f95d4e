/* atomic: temp file + fsync + rename + folder fsync (see atomic.h). */
#include "base/compat.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* temp names of writes in progress, for the signal handler */
#define MAX_PENDING 16
static char *pending[MAX_PENDING];

static void add_pending(char *p)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (!pending[i]) {
			pending[i] = p;
			return;
		}
}

static void drop_pending(char *p)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i] == p)
			pending[i] = NULL;
}

void atomic_cleanup_all(void)
{
	for (int i = 0; i < MAX_PENDING; i++)
		if (pending[i])
			unlink(pending[i]);
}

static void on_signal(int sig)
{
	atomic_cleanup_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Handles sig unless it is ignored: under nohup (HUP) or as a background
 * job of a script (INT) it must stay ignored, not end the edit. */
static void catch_signal(int sig)
{
	struct sigaction sa;
	if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
		return;
	signal(sig, on_signal);
}

int atomic_signal_pending(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t p;
	if (sigpending(&p) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa;
		if (sigismember(&p, sigs[i]) == 1 && sigaction(sigs[i], NULL, &sa) == 0 && sa.sa_handler != SIG_IGN)
			return 1;
	}
	return 0;
}

static char *dir_of(const char *path)
{
	char *c = xstrdup(path);
	char *d = xstrdup(dirname(c));
	free(c);
	return d;
}

int fsync_dir_of(const char *path)
{
	char *d = dir_of(path);
	int fd = open(d, O_RDONLY | O_DIRECTORY);
	free(d);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

char *atomic_target(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
		return xstrdup(path);
	char *real = realpath(path, NULL);
	if (real)
		return real;
	/* a link to a file that does not exist yet: the path it names */
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return xstrdup(path);
	buf[n] = 0;
	if (buf[0] == '/')
		return xstrdup(buf);
	char *d = dir_of(path);
	char *t = xasprintf("%s/%s", d, buf);
	free(d);
	return t;
}

int atomic_begin(struct atomic_file *af, const char *link_path, mode_t mode)
{
	struct stat st;
	char *target = atomic_target(link_path);
	const char *path = target;
	memset(af, 0, sizeof(*af));
	af->fd = -1;
	char *c = xstrdup(path);
	char *base = xstrdup(basename(c));
	free(c);
	char *d = dir_of(path);
	af->tmp = xasprintf("%s/.%s.mlpkg-XXXXXX", d, base);
	free(d);
	free(base);
	af->path = xstrdup(path);
	static int handlers;
	if (!handlers) {
		handlers = 1;
		catch_signal(SIGINT);
		catch_signal(SIGTERM);
		catch_signal(SIGHUP);
	}
	/* no INT/TERM/HUP between creating the temp file and noting it for
	 * the handlers: one arriving there would leave it behind */
	struct fs_held held;
	fs_hold_signals(&held);
	af->fd = mkstemp(af->tmp);
	int mkerr = errno;
	if (af->fd >= 0)
		add_pending(af->tmp);
	fs_release_signals(&held);
	int rc = 0;
	if (af->fd < 0) {
		error_code(EXIT_WRITE, "'%s': cannot create a temporary file beside it: %s", path, strerror(mkerr));
		free(af->tmp);
		af->tmp = NULL;
		free(af->path);
		af->path = NULL;
		rc = -1;
	} else if (stat(path, &st) == 0) {
		if (fchmod(af->fd, st.st_mode & 07777) < 0) {
			int e = errno;
			atomic_abort(af);
			rc = error_code(EXIT_WRITE, "'%s': cannot set the mode of the new file: %s", path, strerror(e));
		} else if (fchown(af->fd, st.st_uid, st.st_gid) < 0) {
			/* not permitted for ordinary users changing group; keep going */
		}
	} else {
		mode_t um = umask(0);
		umask(um);
		if (fchmod(af->fd, (mode ? mode : 0666) & ~um) < 0) {
			int e = errno;
			atomic_abort(af);
			rc = error_code(EXIT_WRITE, "'%s': cannot set the mode of the new file: %s", path, strerror(e));
		}
	}
	free(target);
	return rc;
}

int atomic_write(struct atomic_file *af, const void *p, size_t n)
{
	const char *q = p;
	if (af->failed)
		return -1;
	while (n) {
		size_t chunk = n > (1u << 30) ? (1u << 30) : n;
		ssize_t w = write(af->fd, q, chunk);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			af->failed = 1;
			return error_code(EXIT_WRITE, "'%s': write failed: %s (the original is untouched)", af->path,
					  strerror(e));
		}
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Big copies go in pieces of this size, each handed to the disk as soon as
 * it is copied (sync_file_range): the writeback that atomic_commit's fsync
 * must wait for then overlaps the copy instead of following it. */
#define COPY_PIECE ((size_t)32 << 20)

int atomic_copy_from(struct atomic_file *af, int fd, off_t off, size_t n)
{
	if (af->failed)
		return -1;
	off_t at = n > COPY_PIECE ? lseek(af->fd, 0, SEEK_CUR) : -1;
	while (n) {
		ssize_t r = copy_file_range(fd, &off, af->fd, NULL, n < COPY_PIECE ? n : COPY_PIECE, 0);
		if (r > 0) {
			n -= (size_t)r;
#ifdef SYNC_FILE_RANGE_WRITE
			if (at >= 0)
				sync_file_range(af->fd, at, r, SYNC_FILE_RANGE_WRITE);
#endif
			if (at >= 0)
				at += r;
			continue;
		}
		if (r == 0 || errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)
			break; /* fall back to reading and writing */
		if (errno == EINTR)
			continue;
		int e = errno;
		af->failed = 1;
		return error_code(EXIT_WRITE, "'%s': write failed: %s (the original is untouched)", af->path,
				  strerror(e));
	}
	char *buf = n ? xmalloc(1 << 20) : NULL;
	while (n) {
		ssize_t r = pread(fd, buf, n < (1u << 20) ? n : (1u << 20), off);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			free(buf);
			af->failed = 1;
			return error_code(EXIT_WRITE, "'%s': cannot read the original: %s", af->path,
					  r < 0 ? strerror(errno) : "it shrank");
		}
		if (atomic_write(af, buf, (size_t)r) < 0) {
			free(buf);
			return -1;
		}
		off += r;
		n -= (size_t)r;
	}
	free(buf);
	return 0;
}

int atomic_sink_write(void *ctx, const void *p, size_t n)
{
	return atomic_write(ctx, p, n);
}

int atomic_commit(struct atomic_file *af)
{
	if (af->failed) {
		atomic_abort(af);
		return -1;
	}
	/* the messages name the file: it is copied before atomic_abort frees it */
	if (fsync(af->fd) < 0) {
		int e = errno;
		char *p = xstrdup(af->path);
		atomic_abort(af);
		error_code(EXIT_WRITE, "'%s': fsync failed: %s (the original is untouched)", p, strerror(e));
		free(p);
		return -1;
	}
	if (close(af->fd) < 0) {
		int e = errno;
		af->fd = -1;
		char *p = xstrdup(af->path);
		atomic_abort(af);
		error_code(EXIT_WRITE, "'%s': close failed: %s (the original is untouched)", p, strerror(e));
		free(p);
		return -1;
	}
	af->fd = -1;
	if (rename(af->tmp, af->path) < 0) {
		int e = errno;
		char *p = xstrdup(af->path);
		struct stat st;
		int existed = lstat(p, &st) == 0;
		atomic_abort(af);
		error_code(EXIT_WRITE, "'%s': cannot replace it: %s%s", p, strerror(e),
			   existed ? " (the original is untouched)" : "; nothing written");
		free(p);
		return -1;
	}
	drop_pending(af->tmp);
	fsync_dir_of(af->path);
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
	return 0;
}

/* unlinks the files in path's folder named PREFIX + 6 characters (what mkstemp
 * makes of PREFIX "XXXXXX"): regular, ours, older than max_age; with zip set,
 * only those empty or starting like a zip archive */
static int clean_named(const char *path, const char *prefix, int max_age, int zip)
{
	char *d = dir_of(path);
	DIR *dir = opendir(d);
	size_t pl = strlen(prefix);
	int n = 0;
	time_t now = time(NULL);
	struct dirent *e;
	while (dir && (e = readdir(dir))) {
		if (strncmp(e->d_name, prefix, pl) || strlen(e->d_name) != pl + 6)
			continue;
		char *p = xasprintf("%s/%s", d, e->d_name);
		struct stat st;
		int ok = lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
			 now - st.st_mtime > max_age;
		if (ok && zip && st.st_size) {
			unsigned char head[4] = { 0 };
			int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			ok = fd >= 0 && read(fd, head, 4) == 4 && head[0] == 'P' && head[1] == 'K';
			if (fd >= 0)
				close(fd);
		}
		if (ok && unlink(p) == 0)
			n++;
		free(p);
	}
	if (dir)
		closedir(dir);
	free(d);
	return n;
}

/* the prefix of path's temp files: ".NAME.mlpkg-" (ours) or "NAME." (libzip's) */
static int clean_for(const char *link_path, int max_age, int zip)
{
	char *path = atomic_target(link_path);
	char *c = xstrdup(path);
	char *prefix = xasprintf(zip ? "%s." : ".%s.mlpkg-", basename(c));
	free(c);
	int n = clean_named(path, prefix, max_age, zip);
	free(prefix);
	free(path);
	return n;
}

int atomic_clean_stale(const char *path, int max_age)
{
	return clean_for(path, max_age, 0);
}

int atomic_clean_stale_zip(const char *path, int max_age)
{
	return clean_for(path, max_age, 1);
}

void atomic_abort(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp) {
		unlink(af->tmp);
		drop_pending(af->tmp);
	}
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
}
