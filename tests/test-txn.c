/* test-txn: the edit transaction (src/edit/txn.h) on real files: several
 * edits in one commit, a refused edit leaving every byte as it was, the
 * spec and the Xcode overlays written in one save for a package folder and
 * a zip, in place and with -o, and a dry run writing nothing.  Models come
 * from mkmodel ($MKMODEL), zips from mlpkg pack ($MLPKG).
 *
 * "One save" is measured: rename() is wrapped here and counts the renames
 * onto the model (or into it), and libzip's commits of the zip are counted
 * by the renames onto the zip's path (libzip replaces the archive by a
 * rename of its temp file). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/error.h"
#include "base/xalloc.h"
#include "edit/txn.h"
#include "model/model.h"
#include "query/meta.h"
#include "query/overlay.h"

#define SPEC_REL "Data/com.apple.CoreML/model.mlmodel"
#define META_REL "Data/com.apple.CoreML/Metadata.json"
#define FDESC_REL "Data/com.apple.CoreML/FeatureDescriptions.json"

/* ---- renames counted ------------------------------------------------------------ */

static char *watch; /* renames onto this path (or into it, with watch_in) are counted */
static int watch_in;
static int renames;

int rename(const char *from, const char *to)
{
	size_t wl = watch ? strlen(watch) : 0;
	if (watch && !strncmp(to, watch, wl) && (to[wl] == 0 || (watch_in && to[wl] == '/')))
		renames++;
	return renameat(AT_FDCWD, from, AT_FDCWD, to);
}

/* ---- files ----------------------------------------------------------------------- */

static char *tmpdir;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	return sb_detach(&sb, len);
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static const char *tool(const char *env, const char *dflt)
{
	const char *s = getenv(env);
	return s && *s ? s : dflt;
}

/* a segmentation package at dir/name with both of Xcode's overlays, in
 * Xcode's layout */
static char *make_package(const char *name)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	assert_int_equal(sh("'%s' segmentation '%s' >/dev/null 2>&1", tool("MKMODEL", "./mkmodel"), p), 0);
	char *f = xasprintf("%s/%s", p, META_REL);
	spit(f, "{\n  \"MLModelAuthorKey\" : \"mlpkg examples\",\n  \"MLModelCreatorDefinedKey\" : {\n"
		"    \"com.github.apple.coremltools.version\" : \"7.1\"\n  }\n}");
	free(f);
	f = xasprintf("%s/%s", p, FDESC_REL);
	spit(f, "{\n  \"Inputs\" : {\n    \"image\" : {\n      \"MLFeatureShortDescription\" : \"Input image to be "
		"segmented\"\n    }\n  }\n}");
	free(f);
	return p;
}

/* the package at pkg zipped into tmpdir/zip */
static char *make_zip(const char *pkg, const char *zip)
{
	char *z = xasprintf("%s/%s", tmpdir, zip);
	assert_int_equal(sh("'%s' pack -o '%s' '%s' >/dev/null 2>&1", tool("MLPKG", "./mlpkg"), z, pkg), 0);
	return z;
}

/* a file of a package folder or zip (rel inside the package), or NULL */
static char *read_rel(const char *model, const char *rel, size_t *len)
{
	size_t ml = strlen(model);
	if (ml > 4 && !strcmp(model + ml - 4, ".zip")) {
		char *out = xasprintf("%s/unzipped", tmpdir);
		int rc = sh("unzip -p '%s' '*/%s' > '%s' 2>/dev/null", model, rel, out);
		char *t = rc == 0 ? slurp(out, len) : NULL;
		unlink(out);
		free(out);
		return t;
	}
	char *p = xasprintf("%s/%s", model, rel);
	char *t = slurp(p, len);
	free(p);
	return t;
}

static int has(const char *model, const char *rel, const char *needle)
{
	size_t len;
	char *t = read_rel(model, rel, &len);
	int r = t && strstr(t, needle) != NULL;
	free(t);
	return r;
}

static char *get_meta(const char *model, const char *key)
{
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(model, 0, &m), 0);
	char *v = NULL;
	size_t len;
	if (meta_get(m->root, key, &v, &len) != 1)
		v = NULL;
	mlpkg_close(m);
	return v;
}

static int get_meta_is(const char *model, const char *key, const char *want)
{
	char *v = get_meta(model, key);
	int r = v && !strcmp(v, want);
	free(v);
	return r;
}

/* every byte of a folder or file, as "name\0bytes" records */
static void snapshot_into(const char *path, struct strbuf *sb)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	sb_adds(sb, path);
	sb_addc(sb, 0);
	if (S_ISDIR(st.st_mode)) {
		struct dirent **v;
		int n = scandir(path, &v, NULL, alphasort);
		assert_true(n >= 0);
		for (int i = 0; i < n; i++) {
			if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
				char *c = xasprintf("%s/%s", path, v[i]->d_name);
				snapshot_into(c, sb);
				free(c);
			}
			free(v[i]);
		}
		free(v);
	} else if (S_ISREG(st.st_mode)) {
		size_t len;
		char *t = slurp(path, &len);
		sb_add(sb, t, len);
		free(t);
	}
}

static char *snapshot(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	snapshot_into(path, &sb);
	return sb_detach(&sb, len);
}

static void assert_same(const char *a, size_t al, const char *b, size_t bl)
{
	assert_int_equal(al, bl);
	assert_memory_equal(a, b, al);
}

/* ---- tests ------------------------------------------------------------------------- */

/* three edits, two overlays: one commit, spec and overlays agreeing */
static void several_edits_one_commit(void **state)
{
	(void)state;
	char *p = make_package("several.mlpackage");
	struct stat w0, w1;
	char *wpath = xasprintf("%s/Data/com.apple.CoreML/weights/weight.bin", p);
	assert_int_equal(stat(wpath, &w0), 0);
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(p, MLPKG_OPEN_WRITE, &m), 0);
	struct edit_txn *t = txn_begin(m);
	assert_int_equal(txn_meta_set(t, "author", "Ann", 3), 1);
	assert_int_equal(txn_meta_set(t, "license", "BSD", 3), 1);
	assert_int_equal(txn_describe(t, "image", "A photo", 7, NULL, NULL), 1);
	assert_int_equal(txn_meta_set(t, "author", "Ann", 3), 0); /* already so */
	assert_int_equal(txn_prepare(t), 0);
	assert_int_equal(txn_overlay_changes(t, OVERLAY_META), 1);
	assert_int_equal(txn_overlay_changes(t, OVERLAY_FDESC), 1);
	assert_int_equal(txn_edit_held(t, 0), 1);
	watch = p;
	watch_in = 1;
	renames = 0;
	assert_int_equal(txn_commit(t, NULL, 0), 1);
	watch = NULL;
	watch_in = 0;
	/* the spec and the two overlays, each renamed into place once */
	assert_int_equal(renames, 3);
	txn_end(t);
	mlpkg_close(m);
	assert_true(get_meta_is(p, "author", "Ann"));
	assert_true(get_meta_is(p, "license", "BSD"));
	assert_true(has(p, META_REL, "\"MLModelAuthorKey\" : \"Ann\""));
	assert_true(has(p, META_REL, "\"MLModelLicenseKey\" : \"BSD\""));
	assert_true(has(p, FDESC_REL, "\"MLFeatureShortDescription\" : \"A photo\""));
	assert_int_equal(stat(wpath, &w1), 0);
	assert_int_equal(w0.st_ino, w1.st_ino);
	free(wpath);
	free(p);
}

/* a refused edit after a good one: nothing written, every byte as it was */
static void refused_edit_refuses_all(void **state)
{
	(void)state;
	char *p = make_package("refused.mlpackage");
	char *z = make_zip(p, "refused.zip");
	char *mm = xasprintf("%s/refused.mlmodel", tmpdir);
	assert_int_equal(sh("'%s' nn '%s' >/dev/null 2>&1", tool("MKMODEL", "./mkmodel"), mm), 0);
	const char *paths[] = { p, z, mm };
	for (int k = 0; k < 3; k++) {
		size_t l0, l1;
		char *before = snapshot(paths[k], &l0);
		struct mlpkg_model *m;
		assert_int_equal(mlpkg_open(paths[k], MLPKG_OPEN_WRITE, &m), 0);
		struct edit_txn *t = txn_begin(m);
		assert_int_equal(txn_meta_set(t, "author", "Bob", 3), 1);
		struct error_capture cap;
		error_capture_begin(&cap, ERRCAP_DROP);
		assert_int_equal(txn_meta_set(t, "preview.params", "{not json", 9), -1);
		/* later edits are refused too */
		assert_int_equal(txn_meta_set(t, "license", "X", 1), -1);
		assert_int_equal(txn_commit(t, NULL, 0), -1);
		assert_int_equal(error_capture_end(&cap), EXIT_USAGE);
		txn_end(t);
		mlpkg_close(m);
		char *after = snapshot(paths[k], &l1);
		assert_same(before, l0, after, l1);
		free(before);
		free(after);
	}
	free(mm);
	free(z);
	free(p);
}

/* a package with -o: spec and overlays in the new package, installed by
 * one rename; the original untouched */
static void package_out(void **state)
{
	(void)state;
	char *p = make_package("pout.mlpackage");
	char *o = xasprintf("%s/pout2.mlpackage", tmpdir);
	size_t l0, l1;
	char *before = snapshot(p, &l0);
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(p, 0, &m), 0);
	struct edit_txn *t = txn_begin(m);
	assert_int_equal(txn_meta_set(t, "author", "Out", 3), 1);
	assert_int_equal(txn_describe(t, "image", "Out photo", 9, NULL, NULL), 1);
	watch = o;
	renames = 0;
	assert_int_equal(txn_commit(t, o, 0), 1);
	watch = NULL;
	assert_int_equal(renames, 1);
	txn_end(t);
	mlpkg_close(m);
	assert_true(get_meta_is(o, "author", "Out"));
	assert_true(has(o, META_REL, "\"Out\""));
	assert_true(has(o, FDESC_REL, "\"Out photo\""));
	char *after = snapshot(p, &l1);
	assert_same(before, l0, after, l1);
	free(before);
	free(after);
	free(o);
	free(p);
}

/* a zip in place and with -o: the spec and both overlays in one libzip
 * commit (one rename onto the archive) */
static void zip_one_commit(void **state)
{
	(void)state;
	char *p = make_package("zp.mlpackage");
	char *z = make_zip(p, "zp.zip");
	char *o = xasprintf("%s/zp2.zip", tmpdir);
	for (int with_out = 0; with_out < 2; with_out++) {
		const char *target = with_out ? o : z;
		const char *who = with_out ? "Zout" : "Zin";
		struct mlpkg_model *m;
		assert_int_equal(mlpkg_open(z, with_out ? 0 : MLPKG_OPEN_WRITE, &m), 0);
		struct edit_txn *t = txn_begin(m);
		assert_int_equal(txn_meta_set(t, "author", who, strlen(who)), 1);
		assert_int_equal(
			txn_rename(t, with_out ? "photo" : "image", with_out ? "pic" : "photo", NULL, NULL) > 0, 1);
		size_t before_len;
		char *before = slurp(z, &before_len);
		watch = xstrdup(target);
		renames = 0;
		assert_int_equal(txn_commit(t, with_out ? o : NULL, 0), 1);
		free(watch);
		watch = NULL;
		txn_end(t);
		mlpkg_close(m);
		/* libzip's commit renames its temp file onto the archive: the
		 * edit wrote it once (the old -o path wrote OUT, then opened it
		 * again and committed the overlay: two) */
		assert_int_equal(renames, 1);
		assert_true(get_meta_is(target, "author", who));
		assert_true(has(target, META_REL, who));
		assert_true(has(target, FDESC_REL, with_out ? "\"pic\"" : "\"photo\""));
		if (with_out) {
			size_t al;
			char *after = slurp(z, &al);
			assert_same(before, before_len, after, al);
			free(after);
		}
		free(before);
	}
	free(o);
	free(z);
	free(p);
}

/* a dry run writes nothing, and says what would change */
static void dry_run_writes_nothing(void **state)
{
	(void)state;
	char *p = make_package("dry.mlpackage");
	char *z = make_zip(p, "dry.zip");
	const char *paths[] = { p, z };
	for (int k = 0; k < 2; k++) {
		size_t l0, l1;
		char *before = snapshot(paths[k], &l0);
		struct mlpkg_model *m;
		assert_int_equal(mlpkg_open(paths[k], 0, &m), 0);
		struct edit_txn *t = txn_begin(m);
		assert_int_equal(txn_meta_set(t, "author", "Dry", 3), 1);
		assert_int_equal(txn_describe(t, "image", "Dry photo", 9, NULL, NULL), 1);
		assert_int_equal(txn_commit(t, NULL, TXN_DRY_RUN), 0);
		assert_int_equal(txn_overlay_changes(t, OVERLAY_META), 1);
		assert_int_equal(txn_spec_changed(t), 1);
		txn_end(t);
		mlpkg_close(m);
		char *after = snapshot(paths[k], &l1);
		assert_same(before, l0, after, l1);
		free(before);
		free(after);
	}
	free(z);
	free(p);
}

/* an overlay-only edit of a package in place leaves the spec file alone */
static void overlay_only_keeps_spec(void **state)
{
	(void)state;
	char *p = make_package("ovonly.mlpackage");
	char *spec = xasprintf("%s/%s", p, SPEC_REL);
	struct stat s0, s1;
	assert_int_equal(stat(spec, &s0), 0);
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(p, MLPKG_OPEN_WRITE, &m), 0);
	struct edit_txn *t = txn_begin(m);
	/* the spec already says MIT; the overlay lacks the key */
	assert_int_equal(txn_meta_set(t, "license", "MIT", 3), 0);
	assert_int_equal(txn_commit(t, NULL, 0), 1);
	txn_end(t);
	mlpkg_close(m);
	assert_int_equal(stat(spec, &s1), 0);
	assert_int_equal(s0.st_ino, s1.st_ino);
	assert_true(has(p, META_REL, "\"MLModelLicenseKey\" : \"MIT\""));
	free(spec);
	free(p);
}

static int setup(void **state)
{
	(void)state;
	char tpl[] = "/tmp/test-txn.XXXXXX";
	const char *d = getenv("TMPDIR");
	char *t = d && *d ? xasprintf("%s/test-txn.XXXXXX", d) : xstrdup(tpl);
	if (!mkdtemp(t))
		return -1;
	tmpdir = t;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf '%s'", tmpdir);
	free(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(several_edits_one_commit),
		cmocka_unit_test(refused_edit_refuses_all),
		cmocka_unit_test(package_out),
		cmocka_unit_test(zip_one_commit),
		cmocka_unit_test(dry_run_writes_nothing),
		cmocka_unit_test(overlay_only_keeps_spec),
	};
	return cmocka_run_group_tests_name("txn", tests, setup, teardown);
}
