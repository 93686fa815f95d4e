/* unit.h: small helpers shared by the cmocka unit tests (test-*.c): a
 * scratch folder, whole-file reads and writes, models made by mkmodel, the
 * real-model fixtures, and a way to run a call whose errors are expected.
 * Include it after <cmocka.h>.  Everything here is static inline, so a test
 * that does not use a helper does not warn about it. */
#ifndef MLPKG_TESTS_UNIT_H
#define MLPKG_TESTS_UNIT_H
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/error.h"
#include "base/xalloc.h"

/* Runs STMT (which must not assert: a failed assertion would leave the
 * scope open) in an ERRCAP_DROP scope, so that nothing is printed, then
 * checks the exit class the scope saw.  Use EXIT_OK to say "no error". */
#define EXPECT_CLASS(want, stmt)                                                                                       \
	do {                                                                                                           \
		struct error_capture cap_;                                                                             \
		error_capture_begin(&cap_, ERRCAP_DROP);                                                               \
		stmt;                                                                                                  \
		int got_ = error_capture_end(&cap_);                                                                   \
		assert_int_equal(got_, (want));                                                                        \
	} while (0)

/* the scratch folder of the running program (unit_setup / unit_teardown) */
static char *unit_tmp;

static inline int unit_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int unit_sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	int n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static inline int unit_setup(void **state)
{
	(void)state;
	const char *d = getenv("TMPDIR");
	char *t = xasprintf("%s/mlpkg-unit.XXXXXX", d && *d ? d : "/tmp");
	if (!mkdtemp(t)) {
		free(t);
		return -1;
	}
	unit_tmp = t;
	return 0;
}

static inline int unit_teardown(void **state)
{
	(void)state;
	if (unit_tmp) {
		unit_sh("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", unit_tmp, unit_tmp);
		free(unit_tmp);
		unit_tmp = NULL;
	}
	return 0;
}

/* a path in the scratch folder (caller frees) */
static inline char *unit_path(const char *name)
{
	return xasprintf("%s/%s", unit_tmp, name);
}

/* the whole file, NUL-terminated (not counted in *len), or NULL */
static inline char *unit_slurp(const char *path, size_t *len)
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
	sb_addc(&sb, 0);
	size_t l;
	char *t = sb_detach(&sb, &l);
	if (len)
		*len = l - 1;
	return t;
}

static inline int unit_spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	int ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static inline const char *unit_tool(const char *env, const char *dflt)
{
	const char *s = getenv(env);
	return s && *s ? s : dflt;
}

/* mkmodel KIND into the scratch folder as name; the path (caller frees) */
static inline char *unit_mkmodel(const char *kind, const char *name)
{
	char *p = unit_path(name);
	if (unit_sh("'%s' %s '%s' >/dev/null 2>&1", unit_tool("MKMODEL", "./mkmodel"), kind, p) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* a real-model fixture by file name ($MLPKG_FIXTURES, else
 * $top_srcdir/../shared/fixtures), or NULL when it is not there (the
 * caller then skip()s) */
static inline char *unit_fixture(const char *name)
{
	const char *env = getenv("MLPKG_FIXTURES");
	char *p;
	if (env && *env)
		p = xasprintf("%s/%s", env, name);
	else
		p = xasprintf("%s/../shared/fixtures/%s", unit_tool("top_srcdir", "."), name);
	struct stat st;
	if (stat(p, &st) < 0) {
		free(p);
		return NULL;
	}
	return p;
}
#endif
