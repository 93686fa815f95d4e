/* test-atomic: atomic file replacement (src/base/atomic.h): the temp file
 * beside the target, nothing visible before the commit, the mode kept (or
 * given for a new file), links followed and kept, an abort or a failed
 * write leaving the original and the folder exactly as they were, copies
 * from another file, the stale temp files a killed write leaves, and the
 * signals held back during a write. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "unit.h"
#include "base/atomic.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <utime.h>

/* a fresh folder in the scratch folder for one test */
static char *folder(const char *name)
{
	char *d = unit_path(name);
	assert_int_equal(mkdir(d, 0755), 0);
	return d;
}

/* the names in folder d, sorted, one a line */
static char *listing(const char *d)
{
	struct dirent **v;
	int n = scandir(d, &v, NULL, alphasort);
	assert_true(n >= 0);
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			sb_addf(&sb, "%s\n", v[i]->d_name);
		free(v[i]);
	}
	free(v);
	sb_addc(&sb, 0);
	return sb_detach(&sb, NULL);
}

/* the number of names in d starting with prefix */
static int count_prefixed(const char *d, const char *prefix)
{
	char *l = listing(d);
	int n = 0;
	size_t pl = strlen(prefix);
	for (char *p = l; *p;) {
		char *nl = strchr(p, '\n');
		if (!strncmp(p, prefix, pl))
			n++;
		p = nl + 1;
	}
	free(l);
	return n;
}

static void put(const char *path, const char *text, mode_t mode)
{
	assert_int_equal(unit_spit(path, text, strlen(text)), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void assert_file_is(const char *path, const char *text)
{
	size_t len;
	char *t = unit_slurp(path, &len);
	assert_non_null(t);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(t, text, len);
	free(t);
}

static mode_t mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* ---- commits ------------------------------------------------------------------------- */

/* a new file: nothing at path until the commit, the temp file beside it
 * with our prefix, the mode asked for */
static void new_file(void **state)
{
	(void)state;
	char *d = folder("new");
	char *f = xasprintf("%s/model.mlmodel", d);
	struct atomic_file af;
	int rc = -1;
	EXPECT_CLASS(EXIT_OK, rc = atomic_begin(&af, f, 0640));
	assert_int_equal(rc, 0);
	assert_true(af.fd >= 0);
	assert_string_equal(af.path, f);
	assert_non_null(af.tmp);
	/* in the same folder, named .model.mlmodel.mlpkg-XXXXXX */
	char *prefix = xasprintf("%s/.model.mlmodel.mlpkg-", d);
	assert_int_equal(strncmp(af.tmp, prefix, strlen(prefix)), 0);
	assert_int_equal(strlen(af.tmp), strlen(prefix) + 6);
	free(prefix);
	assert_int_equal(count_prefixed(d, ".model.mlmodel.mlpkg-"), 1);
	assert_int_equal(atomic_write(&af, "hello ", 6), 0);
	assert_int_equal(atomic_sink_write(&af, "world", 5), 0);
	assert_int_equal(atomic_write(&af, "", 0), 0);
	assert_int_equal(access(f, F_OK), -1);
	EXPECT_CLASS(EXIT_OK, rc = atomic_commit(&af));
	assert_int_equal(rc, 0);
	assert_null(af.tmp);
	assert_null(af.path);
	assert_file_is(f, "hello world");
	assert_int_equal(mode_of(f), 0640);
	char *l = listing(d);
	assert_string_equal(l, "model.mlmodel\n");
	free(l);
	/* mode 0: 0666 less the umask (022 here) */
	char *g = xasprintf("%s/other", d);
	assert_int_equal(atomic_begin(&af, g, 0), 0);
	assert_int_equal(atomic_commit(&af), 0);
	assert_int_equal(mode_of(g), 0644);
	assert_file_is(g, "");
	/* the umask applies to a given mode too */
	umask(077);
	char *h = xasprintf("%s/third", d);
	assert_int_equal(atomic_begin(&af, h, 0666), 0);
	assert_int_equal(atomic_commit(&af), 0);
	umask(022);
	assert_int_equal(mode_of(h), 0600);
	free(h);
	free(g);
	free(f);
	free(d);
}

/* replacing a file keeps its mode, whatever the mode argument says; the old
 * bytes stay readable until the commit */
static void replace_keeps_mode(void **state)
{
	(void)state;
	char *d = folder("replace");
	const mode_t modes[] = { 0600, 0755, 0444, 0640 };
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
		char *f = xasprintf("%s/f%zu", d, k);
		put(f, "old contents", modes[k]);
		struct stat st0, st1;
		assert_int_equal(stat(f, &st0), 0);
		struct atomic_file af;
		assert_int_equal(atomic_begin(&af, f, 0666), 0);
		assert_int_equal(atomic_write(&af, "new", 3), 0);
		assert_file_is(f, "old contents");
		assert_int_equal(atomic_commit(&af), 0);
		assert_file_is(f, "new");
		assert_int_equal(mode_of(f), modes[k]);
		assert_int_equal(stat(f, &st1), 0);
		assert_int_not_equal(st0.st_ino, st1.st_ino); /* a new file, renamed in */
		free(f);
	}
	char *l = listing(d);
	assert_string_equal(l, "f0\nf1\nf2\nf3\n");
	free(l);
	free(d);
}

/* an abort leaves the original and the folder as they were */
static void abort_leaves_nothing(void **state)
{
	(void)state;
	char *d = folder("abort");
	char *f = xasprintf("%s/keep.txt", d);
	put(f, "original", 0604);
	char *before = listing(d);
	struct atomic_file af;
	assert_int_equal(atomic_begin(&af, f, 0), 0);
	assert_int_equal(atomic_write(&af, "partial new", 11), 0);
	char *tmp = xstrdup(af.tmp);
	assert_int_equal(access(tmp, F_OK), 0);
	atomic_abort(&af);
	assert_int_equal(af.fd, -1);
	assert_null(af.tmp);
	assert_null(af.path);
	assert_int_equal(access(tmp, F_OK), -1);
	/* a second abort (or one after a commit) does nothing */
	atomic_abort(&af);
	assert_file_is(f, "original");
	assert_int_equal(mode_of(f), 0604);
	char *after = listing(d);
	assert_string_equal(before, after);
	free(after);
	/* an abort of a new file leaves no file */
	char *g = xasprintf("%s/never", d);
	assert_int_equal(atomic_begin(&af, g, 0644), 0);
	atomic_abort(&af);
	assert_int_equal(access(g, F_OK), -1);
	after = listing(d);
	assert_string_equal(before, after);
	free(after);
	free(g);
	free(tmp);
	free(before);
	free(f);
	free(d);
}

/* a symbolic link: the file it leads to is replaced, the link stays */
static void follows_links(void **state)
{
	(void)state;
	char *d = folder("links");
	char *real = xasprintf("%s/real.mlmodel", d);
	char *link = xasprintf("%s/link.mlmodel", d);
	put(real, "v1", 0640);
	assert_int_equal(symlink("real.mlmodel", link), 0);
	char *t = atomic_target(link);
	char *rp = realpath(real, NULL);
	assert_string_equal(t, rp);
	free(t);
	free(rp);
	t = atomic_target(real);
	assert_string_equal(t, real);
	free(t);
	struct atomic_file af;
	assert_int_equal(atomic_begin(&af, link, 0), 0);
	assert_int_equal(atomic_write(&af, "v2", 2), 0);
	assert_int_equal(atomic_commit(&af), 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file_is(real, "v2");
	assert_int_equal(mode_of(real), 0640);
	/* a link to a file not there yet: the file is made where it points */
	char *dang = xasprintf("%s/dangling", d);
	assert_int_equal(symlink("target-to-be", dang), 0);
	t = atomic_target(dang);
	char *want = xasprintf("%s/target-to-be", d);
	assert_string_equal(t, want);
	free(t);
	assert_int_equal(atomic_begin(&af, dang, 0600), 0);
	assert_int_equal(atomic_write(&af, "made", 4), 0);
	assert_int_equal(atomic_commit(&af), 0);
	assert_int_equal(lstat(dang, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_file_is(want, "made");
	/* a path that is not there is its own target */
	char *none = xasprintf("%s/none", d);
	t = atomic_target(none);
	assert_string_equal(t, none);
	free(t);
	free(none);
	free(want);
	free(dang);
	free(real);
	free(link);
	free(d);
}

/* copying a range of another file, between writes */
static void copy_from_file(void **state)
{
	(void)state;
	char *d = folder("copy");
	char *src = xasprintf("%s/src", d);
	char *dst = xasprintf("%s/dst", d);
	put(src, "0123456789abcdef", 0644);
	int fd = open(src, O_RDONLY);
	assert_true(fd >= 0);
	struct atomic_file af;
	assert_int_equal(atomic_begin(&af, dst, 0644), 0);
	assert_int_equal(atomic_write(&af, "<", 1), 0);
	assert_int_equal(atomic_copy_from(&af, fd, 4, 6), 0);
	assert_int_equal(atomic_copy_from(&af, fd, 0, 0), 0);
	assert_int_equal(atomic_write(&af, ">", 1), 0);
	assert_int_equal(atomic_copy_from(&af, fd, 14, 2), 0);
	assert_int_equal(atomic_commit(&af), 0);
	assert_file_is(dst, "<456789>ef");
	/* a larger copy, past the read buffer's size */
	size_t big = (1u << 20) + 12345;
	char *buf = xmalloc(big);
	for (size_t i = 0; i < big; i++)
		buf[i] = (char)('a' + i % 23);
	char *bsrc = xasprintf("%s/big", d);
	assert_int_equal(unit_spit(bsrc, buf, big), 0);
	int bfd = open(bsrc, O_RDONLY);
	assert_true(bfd >= 0);
	assert_int_equal(atomic_begin(&af, dst, 0), 0);
	assert_int_equal(atomic_copy_from(&af, bfd, 1, big - 1), 0);
	assert_int_equal(atomic_commit(&af), 0);
	size_t len;
	char *t = unit_slurp(dst, &len);
	assert_int_equal(len, big - 1);
	assert_memory_equal(t, buf + 1, big - 1);
	free(t);
	close(bfd);
	free(bsrc);
	free(buf);
	close(fd);
	free(src);
	free(dst);
	free(d);
}

/* ---- failures ------------------------------------------------------------------------- */

/* no folder to put the temp file in: EXIT_WRITE, nothing allocated */
static void begin_fails(void **state)
{
	(void)state;
	char *f = unit_path("no/such/folder/file");
	struct atomic_file af;
	int rc = 0;
	EXPECT_CLASS(EXIT_WRITE, rc = atomic_begin(&af, f, 0644));
	assert_int_equal(rc, -1);
	assert_null(af.tmp);
	assert_null(af.path);
	assert_int_equal(af.fd, -1);
	atomic_abort(&af);
	free(f);
	if (geteuid() == 0)
		return; /* root writes into read-only folders */
	char *d = folder("readonly");
	char *g = xasprintf("%s/file", d);
	put(g, "kept", 0644);
	assert_int_equal(chmod(d, 0555), 0);
	EXPECT_CLASS(EXIT_WRITE, rc = atomic_begin(&af, g, 0644));
	assert_int_equal(rc, -1);
	assert_int_equal(chmod(d, 0755), 0);
	assert_file_is(g, "kept");
	char *l = listing(d);
	assert_string_equal(l, "file\n");
	free(l);
	free(g);
	free(d);
}

/* a write that fails (the disk is full): later writes refuse, the commit
 * aborts and leaves the original and the folder as they were */
static void write_fails(void **state)
{
	(void)state;
	int full = open("/dev/full", O_WRONLY);
	if (full < 0)
		skip();
	char *d = folder("full");
	char *f = xasprintf("%s/model", d);
	put(f, "original", 0644);
	char *before = listing(d);
	struct atomic_file af;
	assert_int_equal(atomic_begin(&af, f, 0), 0);
	char *tmp = xstrdup(af.tmp);
	/* the temp file's descriptor now writes to /dev/full */
	assert_int_equal(dup2(full, af.fd), af.fd);
	close(full);
	int rc = 0;
	EXPECT_CLASS(EXIT_WRITE, rc = atomic_write(&af, "new", 3));
	assert_int_equal(rc, -1);
	assert_true(af.failed);
	EXPECT_CLASS(EXIT_OK, rc = atomic_write(&af, "more", 4)); /* refused quietly: said once */
	assert_int_equal(rc, -1);
	EXPECT_CLASS(EXIT_OK, rc = atomic_copy_from(&af, 0, 0, 1));
	assert_int_equal(rc, -1);
	rc = atomic_commit(&af);
	assert_int_equal(rc, -1);
	assert_null(af.tmp);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_file_is(f, "original");
	char *after = listing(d);
	assert_string_equal(before, after);
	free(after);
	free(before);
	free(tmp);
	free(f);
	free(d);
}

/* copying from a file that is not open, or shorter than said */
static void copy_fails(void **state)
{
	(void)state;
	char *d = folder("copyfail");
	char *src = xasprintf("%s/src", d);
	char *dst = xasprintf("%s/dst", d);
	put(src, "short", 0644);
	put(dst, "original", 0644);
	struct atomic_file af;
	int rc = 0;
	assert_int_equal(atomic_begin(&af, dst, 0), 0);
	EXPECT_CLASS(EXIT_WRITE, rc = atomic_copy_from(&af, -1, 0, 10));
	assert_int_equal(rc, -1);
	assert_int_equal(atomic_commit(&af), -1);
	int fd = open(src, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(atomic_begin(&af, dst, 0), 0);
	EXPECT_CLASS(EXIT_WRITE, rc = atomic_copy_from(&af, fd, 2, 100));
	assert_int_equal(rc, -1);
	atomic_abort(&af);
	close(fd);
	assert_file_is(dst, "original");
	char *l = listing(d);
	assert_string_equal(l, "dst\nsrc\n");
	free(l);
	free(src);
	free(dst);
	free(d);
}

/* the rename cannot happen (a folder is in the way): EXIT_WRITE, the temp
 * file removed, the folder untouched */
static void commit_fails(void **state)
{
	(void)state;
	char *d = folder("commitfail");
	char *f = xasprintf("%s/taken", d);
	assert_int_equal(mkdir(f, 0755), 0);
	char *inside = xasprintf("%s/x", f);
	put(inside, "x", 0644);
	char *before = listing(d);
	struct atomic_file af;
	int rc = 0;
	assert_int_equal(atomic_begin(&af, f, 0), 0);
	assert_int_equal(atomic_write(&af, "data", 4), 0);
	EXPECT_CLASS(EXIT_WRITE, rc = atomic_commit(&af));
	assert_int_equal(rc, -1);
	assert_null(af.tmp);
	assert_null(af.path);
	char *after = listing(d);
	assert_string_equal(before, after);
	assert_file_is(inside, "x");
	free(after);
	free(before);
	free(inside);
	free(f);
	free(d);
}

/* ---- leftovers and signals ----------------------------------------------------------------- */

static void make_aged(const char *path, const char *text, time_t age)
{
	put(path, text, 0600);
	struct utimbuf ut = { time(NULL) - age, time(NULL) - age };
	assert_int_equal(utime(path, &ut), 0);
}

static void stale_temp_files(void **state)
{
	(void)state;
	char *d = folder("stale");
	char *f = xasprintf("%s/m.mlmodel", d);
	put(f, "model", 0644);
	char *p;
	/* ours and old: removed */
	p = xasprintf("%s/.m.mlmodel.mlpkg-abc123", d), make_aged(p, "x", 3600), free(p);
	p = xasprintf("%s/.m.mlmodel.mlpkg-ZZZZZZ", d), make_aged(p, "", 3600), free(p);
	/* recent, another model's, a longer or shorter name, a folder: kept */
	p = xasprintf("%s/.m.mlmodel.mlpkg-recent", d), make_aged(p, "x", 0), free(p);
	p = xasprintf("%s/.other.mlpkg-abc123", d), make_aged(p, "x", 3600), free(p);
	p = xasprintf("%s/.m.mlmodel.mlpkg-abc1234", d), make_aged(p, "x", 3600), free(p);
	p = xasprintf("%s/.m.mlmodel.mlpkg-abc12", d), make_aged(p, "x", 3600), free(p);
	p = xasprintf("%s/.m.mlmodel.mlpkg-folder", d);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	assert_int_equal(atomic_clean_stale(f, 60), 2);
	char *l = listing(d);
	assert_string_equal(l, ".m.mlmodel.mlpkg-abc12\n.m.mlmodel.mlpkg-abc1234\n.m.mlmodel.mlpkg-folder\n"
			       ".m.mlmodel.mlpkg-recent\n.other.mlpkg-abc123\nm.mlmodel\n");
	free(l);
	assert_int_equal(atomic_clean_stale(f, 60), 0);
	/* through a link: the target's folder is cleaned */
	char *d2 = folder("stale2");
	char *link = xasprintf("%s/m.mlmodel", d2);
	assert_int_equal(symlink(f, link), 0);
	p = xasprintf("%s/.m.mlmodel.mlpkg-linked", d), make_aged(p, "x", 3600), free(p);
	assert_int_equal(atomic_clean_stale(link, 60), 1);
	free(link);
	free(d2);
	/* libzip's: NAME.XXXXXX, empty or starting like a zip */
	char *z = xasprintf("%s/p.zip", d);
	put(z, "PK\3\4", 0644);
	p = xasprintf("%s/p.zip.a1b2c3", d), make_aged(p, "PK\3\4rest", 3600), free(p);
	p = xasprintf("%s/p.zip.000000", d), make_aged(p, "", 3600), free(p);
	p = xasprintf("%s/p.zip.notzip", d), make_aged(p, "hello", 3600), free(p);
	p = xasprintf("%s/p.zip.young1", d), make_aged(p, "PK", 0), free(p);
	assert_int_equal(atomic_clean_stale_zip(z, 60), 2);
	p = xasprintf("%s/p.zip.notzip", d);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	p = xasprintf("%s/p.zip.young1", d);
	assert_int_equal(access(p, F_OK), 0);
	free(p);
	assert_int_equal(access(z, F_OK), 0);
	free(z);
	free(f);
	free(d);
}

/* the temp files of writes in progress, removed for a signal handler */
static void cleanup_all(void **state)
{
	(void)state;
	char *d = folder("cleanup");
	char *f = xasprintf("%s/a", d), *g = xasprintf("%s/b", d);
	struct atomic_file af, ag;
	assert_int_equal(atomic_begin(&af, f, 0), 0);
	assert_int_equal(atomic_begin(&ag, g, 0), 0);
	assert_int_equal(count_prefixed(d, "."), 2);
	atomic_cleanup_all();
	assert_int_equal(count_prefixed(d, "."), 0);
	atomic_abort(&af);
	atomic_abort(&ag);
	/* a committed write is no longer in progress */
	assert_int_equal(atomic_begin(&af, f, 0), 0);
	assert_int_equal(atomic_commit(&af), 0);
	atomic_cleanup_all();
	assert_int_equal(access(f, F_OK), 0);
	free(f);
	free(g);
	free(d);
}

static void signal_pending(void **state)
{
	(void)state;
	/* atomic_begin has installed its handlers (cleanup_all ran before) */
	assert_int_equal(atomic_signal_pending(), 0);
	sigset_t hup, old;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	assert_int_equal(sigprocmask(SIG_BLOCK, &hup, &old), 0);
	struct sigaction sa;
	assert_int_equal(sigaction(SIGHUP, NULL, &sa), 0);
	/* a HUP held back: pending */
	raise(SIGHUP);
	assert_int_equal(atomic_signal_pending(), 1);
	/* ignoring it discards it */
	signal(SIGHUP, SIG_IGN);
	assert_int_equal(atomic_signal_pending(), 0);
	/* one arriving while ignored (nohup) does not count */
	raise(SIGHUP);
	assert_int_equal(atomic_signal_pending(), 0);
	assert_int_equal(sigaction(SIGHUP, &sa, NULL), 0);
	/* drop anything still pending before unblocking */
	signal(SIGHUP, SIG_IGN);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(sigaction(SIGHUP, &sa, NULL), 0);
	assert_int_equal(atomic_signal_pending(), 0);
}

static int setup(void **state)
{
	umask(022);
	return unit_setup(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_file),
		cmocka_unit_test(replace_keeps_mode),
		cmocka_unit_test(abort_leaves_nothing),
		cmocka_unit_test(follows_links),
		cmocka_unit_test(copy_from_file),
		cmocka_unit_test(begin_fails),
		cmocka_unit_test(write_fails),
		cmocka_unit_test(copy_fails),
		cmocka_unit_test(commit_fails),
		cmocka_unit_test(stale_temp_files),
		cmocka_unit_test(cleanup_all),
		cmocka_unit_test(signal_pending),
	};
	return cmocka_run_group_tests_name("atomic", tests, setup, unit_teardown);
}
