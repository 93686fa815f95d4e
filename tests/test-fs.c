/* test-fs: the file-system helpers of src/base/fs.h: fs_remove_tree on a
 * tree with read-only folders and links out of it, fs_install_dir creating
 * a new folder and replacing an existing one (by exchange and, with
 * renameat2 made to fail as where it is missing, by the move-aside
 * fallback), fs_read_file on empty, large, missing and too-big files, and
 * signals held back by fs_hold_signals; struct buf (src/base/buf.h).
 *
 * Root may empty a read-only folder anyway, so when run as root the
 * read-only case runs in a child that has become nobody. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/atomic.h"
#include "base/buf.h"
#include "base/fs.h"
#include "base/xalloc.h"

/* ---- renameat2 wrapped (-Wl,--wrap=renameat2): it can be made to answer
 * EINVAL, as a system without RENAME_EXCHANGE does ---------------------------- */

static int no_exchange, exchanges;
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
	if (no_exchange) {
		errno = EINVAL;
		return -1;
	}
	exchanges++;
	return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* ---- small helpers ------------------------------------------------------------ */

static char *scratch(void)
{
	const char *t = getenv("TMPDIR");
	char *d = xasprintf("%s/test-fs-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static int put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* 1 when the file at path holds exactly text */
static int holds(const char *path, const char *text)
{
	uint8_t *b;
	size_t n;
	if (fs_read_file(path, &b, &n, 1 << 20) < 0)
		return 0;
	int ok = n == strlen(text) && !memcmp(b, text, n);
	free(b);
	return ok;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* ---- fs_remove_tree ----------------------------------------------------------- */

/* builds in top: t/a, t/ro (0555, holding f and ro2 (0500, holding g)), a
 * link t/out to the folder keep beside t, and keep/k; removes t.  0 when t
 * is gone and keep/k stayed. */
static int remove_read_only(const char *top)
{
	char *t = xasprintf("%s/t", top), *keep = xasprintf("%s/keep", top);
	char *p;
	int bad = 0;
	bad |= mkdir(t, 0755) < 0 || mkdir(keep, 0755) < 0;
	p = xasprintf("%s/k", keep), bad |= put(p, "keep") < 0, free(p);
	p = xasprintf("%s/a", t), bad |= put(p, "a") < 0, free(p);
	p = xasprintf("%s/ro", t), bad |= mkdir(p, 0755) < 0, free(p);
	p = xasprintf("%s/ro/f", t), bad |= put(p, "f") < 0, free(p);
	p = xasprintf("%s/ro/ro2", t), bad |= mkdir(p, 0755) < 0, free(p);
	p = xasprintf("%s/ro/ro2/g", t), bad |= put(p, "g") < 0, free(p);
	p = xasprintf("%s/out", t), bad |= symlink(keep, p) < 0, free(p);
	p = xasprintf("%s/ro/ro2", t), bad |= chmod(p, 0500) < 0, free(p);
	p = xasprintf("%s/ro", t), bad |= chmod(p, 0555) < 0, free(p);
	if (bad)
		return 2;
	fs_remove_tree(t);
	int rc = exists(t) ? 3 : 0;
	p = xasprintf("%s/k", keep);
	if (!rc && !holds(p, "keep"))
		rc = 4;
	free(p);
	free(t);
	free(keep);
	return rc;
}

static void remove_tree_read_only(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		char *d = scratch();
		assert_non_null(d);
		assert_int_equal(remove_read_only(d), 0);
		fs_remove_tree(d);
		assert_false(exists(d));
		free(d);
		return;
	}
	/* as nobody: root would empty a read-only folder without the chmod */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		char *d = scratch();
		if (!d)
			_exit(11);
		int rc = remove_read_only(d);
		fs_remove_tree(d);
		_exit(rc ? rc : exists(d) ? 12 : 0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void remove_tree_file_and_missing(void **state)
{
	(void)state;
	char *d = scratch();
	assert_non_null(d);
	char *f = xasprintf("%s/plain", d);
	assert_int_equal(put(f, "x"), 0);
	fs_remove_tree(f);
	assert_false(exists(f));
	fs_remove_tree(f); /* nothing there: nothing happens */
	fs_remove_tree(d);
	assert_false(exists(d));
	free(f);
	free(d);
}

/* ---- fs_install_dir ------------------------------------------------------------- */

/* a folder at path holding the file name with text */
static void make_dir_with(const char *path, const char *name, const char *text)
{
	assert_int_equal(mkdir(path, 0755), 0);
	char *p = xasprintf("%s/%s", path, name);
	assert_int_equal(put(p, text), 0);
	free(p);
}

static void install_new(void **state)
{
	(void)state;
	char *d = scratch();
	assert_non_null(d);
	char *tmp = xasprintf("%s/dest.tmp", d), *dest = xasprintf("%s/dest", d);
	make_dir_with(tmp, "new", "new");
	assert_int_equal(fs_install_dir(tmp, dest, 0), 0);
	assert_false(exists(tmp));
	char *p = xasprintf("%s/new", dest);
	assert_true(holds(p, "new"));
	free(p);
	/* replace 0 over an existing folder: refused, both left as they were */
	make_dir_with(tmp, "other", "other");
	assert_int_equal(fs_install_dir(tmp, dest, 0), -1);
	p = xasprintf("%s/new", dest);
	assert_true(holds(p, "new"));
	free(p);
	p = xasprintf("%s/other", tmp);
	assert_true(holds(p, "other"));
	free(p);
	fs_remove_tree(d);
	free(tmp);
	free(dest);
	free(d);
}

/* replaces dest (old) by tmp (new); with exchange 0, renameat2 fails as
 * where it is missing */
static void replace_with(int exchange)
{
	char *d = scratch();
	assert_non_null(d);
	char *tmp = xasprintf("%s/dest.tmp", d), *dest = xasprintf("%s/dest", d);
	make_dir_with(dest, "old", "old");
	char *ro = xasprintf("%s/sub", dest);
	assert_int_equal(mkdir(ro, 0555), 0); /* the old one goes even so */
	make_dir_with(tmp, "new", "new");
	no_exchange = !exchange;
	exchanges = 0;
	int r = fs_install_dir(tmp, dest, 1);
	no_exchange = 0;
	assert_int_equal(r, 0);
#ifdef RENAME_EXCHANGE
	assert_int_equal(exchanges, exchange);
#endif
	char *p = xasprintf("%s/new", dest), *q = xasprintf("%s/old", dest), *aside = xasprintf("%s-old", tmp);
	assert_true(holds(p, "new"));
	assert_false(exists(q));
	assert_false(exists(ro));
	assert_false(exists(tmp));
	assert_false(exists(aside));
	/* tmp cannot be renamed (it is not there): dest is left as it was,
	 * put back when it had been moved aside */
	no_exchange = !exchange;
	r = fs_install_dir(tmp, dest, 1);
	no_exchange = 0;
	assert_int_equal(r, -1);
	assert_true(holds(p, "new"));
	assert_false(exists(aside));
	/* replace 1 with no dest: refused, tmp left for the caller */
	char *none = xasprintf("%s/none", d);
	make_dir_with(tmp, "new", "new");
	no_exchange = !exchange;
	r = fs_install_dir(tmp, none, 1);
	no_exchange = 0;
	assert_int_equal(r, -1);
	assert_false(exists(none));
	assert_true(exists(tmp));
	fs_remove_tree(d);
	assert_false(exists(d));
	free(none);
	free(p);
	free(q);
	free(aside);
	free(ro);
	free(tmp);
	free(dest);
	free(d);
}

static void install_replace_exchange(void **state)
{
	(void)state;
	replace_with(1);
}

static void install_replace_fallback(void **state)
{
	(void)state;
	replace_with(0);
}

/* ---- fs_read_file ----------------------------------------------------------------- */

static void read_empty_large_missing(void **state)
{
	(void)state;
	char *d = scratch();
	assert_non_null(d);
	char *empty = xasprintf("%s/empty", d), *large = xasprintf("%s/large", d), *missing = xasprintf("%s/no", d);
	assert_int_equal(put(empty, ""), 0);
	uint8_t *b = NULL;
	size_t n = 99;
	assert_int_equal(fs_read_file(empty, &b, &n, 100), 0);
	assert_non_null(b);
	assert_int_equal(n, 0);
	assert_int_equal(b[0], 0);
	free(b);

	/* 3 MiB + 7 bytes of a pattern, read back whole and NUL-terminated */
	size_t big = (3u << 20) + 7;
	uint8_t *want = xmalloc(big);
	for (size_t i = 0; i < big; i++)
		want[i] = (uint8_t)(i * 131 + (i >> 12));
	FILE *f = fopen(large, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(want, 1, big, f), big);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(fs_read_file(large, &b, &n, big), 0);
	assert_int_equal(n, big);
	assert_memory_equal(b, want, big);
	assert_int_equal(b[big], 0);
	free(b);
	/* one byte over the limit */
	errno = 0;
	assert_int_equal(fs_read_file(large, &b, &n, big - 1), -1);
	assert_int_equal(errno, EFBIG);
	/* through a pipe (no size known in advance) */
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		size_t off = 0;
		while (off < big) {
			ssize_t w = write(pfd[1], want + off, big - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(fs_read_fd(pfd[0], &b, &n, big), 0);
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	assert_int_equal(n, big);
	assert_memory_equal(b, want, big);
	free(b);
	free(want);

	errno = 0;
	b = NULL;
	assert_int_equal(fs_read_file(missing, &b, &n, 100), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(b);
	fs_remove_tree(d);
	free(empty);
	free(large);
	free(missing);
	free(d);
}

/* ---- fs_hold_signals ---------------------------------------------------------------- */

static volatile sig_atomic_t got;
static void on_term(int sig)
{
	(void)sig;
	got = 1;
}

static void signals_held_back(void **state)
{
	(void)state;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGTERM, &sa, &old), 0);
	got = 0;
	struct fs_held h;
	fs_hold_signals(&h);
	raise(SIGTERM);
	assert_int_equal(got, 0);
	assert_int_equal(atomic_signal_pending(), 1);
	fs_release_signals(&h);
	assert_int_equal(got, 1);
	assert_int_equal(atomic_signal_pending(), 0);
	fs_release_signals(&h); /* a second release does nothing */
	sigaction(SIGTERM, &old, NULL);
}

/* ---- struct buf ---------------------------------------------------------------------- */

/* links inside a folder stay inside; links out, and a folder named like a
 * prefix of another (pkg, pkg-x), are outside */
static void leads_outside(void **state)
{
	(void)state;
	char *d = scratch();
	assert_non_null(d);
	char *pkg = xasprintf("%s/pkg", d), *pkgx = xasprintf("%s/pkg-x", d), *f = xasprintf("%s/pkg/f", d),
	     *out = xasprintf("%s/pkg-x/o", d), *in_link = xasprintf("%s/pkg/in", d),
	     *out_link = xasprintf("%s/pkg/out", d), *missing = xasprintf("%s/pkg/no", d);
	assert_int_equal(mkdir(pkg, 0755), 0);
	assert_int_equal(mkdir(pkgx, 0755), 0);
	assert_int_equal(put(f, "x"), 0);
	assert_int_equal(put(out, "x"), 0);
	assert_int_equal(symlink("f", in_link), 0);
	assert_int_equal(symlink("../pkg-x/o", out_link), 0);
	assert_int_equal(fs_leads_outside(pkg, f), 0);
	assert_int_equal(fs_leads_outside(pkg, in_link), 0);
	assert_int_equal(fs_leads_outside(pkg, out_link), 1);
	assert_int_equal(fs_leads_outside(pkg, out), 1);
	assert_int_equal(fs_leads_outside(pkg, missing), 0);
	fs_remove_tree(d);
	free(pkg);
	free(pkgx);
	free(f);
	free(out);
	free(in_link);
	free(out_link);
	free(missing);
	free(d);
}

static void buf_kinds(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_release(&b); /* empty: nothing to do */
	assert_int_equal(b.kind, BUF_NONE);
	buf_own_heap(&b, xstrdup("heap"), 4);
	assert_int_equal(b.kind, BUF_HEAP);
	assert_memory_equal(b.p, "heap", 4);
	buf_release(&b); /* freed (ASan would see a leak otherwise) */
	assert_null(b.p);
	assert_int_equal(b.kind, BUF_NONE);
	buf_release(&b); /* twice is fine */

	char *d = scratch();
	assert_non_null(d);
	char *f = xasprintf("%s/mapped", d);
	assert_int_equal(put(f, "mapped bytes"), 0);
	int fd = open(f, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(buf_map(&b, fd, 12), 0);
	close(fd);
	assert_int_equal(b.kind, BUF_MMAP);
	assert_int_equal(b.len, 12);
	assert_memory_equal(b.p, "mapped bytes", 12);
	buf_release(&b);
	assert_int_equal(b.kind, BUF_NONE);
	assert_int_equal(b.len, 0);
	fs_remove_tree(d);
	free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(remove_tree_read_only),
		cmocka_unit_test(remove_tree_file_and_missing),
		cmocka_unit_test(install_new),
		cmocka_unit_test(install_replace_exchange),
		cmocka_unit_test(install_replace_fallback),
		cmocka_unit_test(read_empty_large_missing),
		cmocka_unit_test(signals_held_back),
		cmocka_unit_test(buf_kinds),
		cmocka_unit_test(leads_outside),
	};
	return cmocka_run_group_tests_name("fs", tests, NULL, NULL);
}
