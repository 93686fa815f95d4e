/* fs: see fs.h. */
#include "base/compat.h"
#include "base/fs.h"
#include "base/atomic.h"
#include "base/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void fs_remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	/* a read-only folder could not be emptied */
	if ((st.st_mode & 0700) != 0700)
		chmod(path, 0700);
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", path, e->d_name);
		fs_remove_tree(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

void fs_hold_signals(struct fs_held *h)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	h->on = sigprocmask(SIG_BLOCK, &s, &h->old) == 0;
}

void fs_release_signals(struct fs_held *h)
{
	if (h->on)
		sigprocmask(SIG_SETMASK, &h->old, NULL);
	h->on = 0;
}

/* the fallback where dest cannot be exchanged: aside, in, put back on failure */
static int install_aside(const char *tmp, const char *dest)
{
	char *old = xasprintf("%s-old", tmp);
	fs_remove_tree(old);
	if (rename(dest, old) < 0) {
		int e = errno;
		free(old);
		errno = e;
		return -1;
	}
	if (rename(tmp, dest) < 0) {
		int e = errno;
		rename(old, dest);
		free(old);
		errno = e;
		return -1;
	}
	fs_remove_tree(old);
	free(old);
	return 0;
}

int fs_install_dir(const char *tmp, const char *dest, int replace)
{
	if (!replace) {
		if (rename(tmp, dest) < 0)
			return -1;
	} else {
		int done = 0;
#ifdef RENAME_EXCHANGE
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_EXCHANGE) == 0) {
			/* tmp now holds the old dest */
			fs_remove_tree(tmp);
			done = 1;
		} else if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
			return -1;
		}
#endif
		if (!done && install_aside(tmp, dest) < 0)
			return -1;
	}
	fsync_dir_of(dest);
	return 0;
}

int fs_read_fd(int fd, uint8_t **buf, size_t *len, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	/* a regular file's size is known: one allocation for it */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size <= max)
		sb_grow(&sb, (size_t)st.st_size + 1), sb.buf[0] = 0;
	for (;;) {
		if (sb.alloc <= sb.len + 1) {
			sb_grow(&sb, 65536);
			sb.buf[sb.len] = 0; /* NUL-terminated even when nothing comes */
		}
		ssize_t r = read(fd, sb.buf + sb.len, sb.alloc - sb.len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			sb_release(&sb);
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		if (sb.len + (size_t)r > max) {
			sb_release(&sb);
			errno = EFBIG;
			return -1;
		}
		sb.len += (size_t)r;
		sb.buf[sb.len] = 0;
	}
	*buf = (uint8_t *)sb_detach(&sb, len);
	return 0;
}

int fs_read_file(const char *path, uint8_t **buf, size_t *len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fs_read_fd(fd, buf, len, max);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int fs_leads_outside(const char *dir, const char *path)
{
	char *d = realpath(dir, NULL), *p = realpath(path, NULL);
	size_t n = d ? strlen(d) : 0;
	int outside = d && p && (strncmp(p, d, n) || (p[n] != '/' && !(n == 1 && d[0] == '/')));
	free(d);
	free(p);
	return outside;
}
