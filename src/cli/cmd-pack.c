/* cmd-pack: mlpkg pack, unpack and convert: a package folder to a zip and
 * back, and an .mlmodel to a package and back (the work is in src/model:
 * pack.c, unpack.c, convert.c). */
#include "cli/commands.h"
#include "query/summary.h"
#include "base/error.h"
#include "model/package.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- progress on a terminal ------------------------------------------------------ */

#define PROGRESS_MIN ((uint64_t)16 << 20) /* progress for copies from this size */

/* "mlpkg: packing 'X':  42%" redrawn in place on stderr, when stderr is a
 * terminal and the copy is big enough to be worth it; taken away at the end */
struct term_progress {
	int started, on, last;
};

static void draw_progress(void *ctx, const char *verb, const char *path, uint64_t done, uint64_t total)
{
	struct term_progress *p = ctx;
	if (!verb) {
		if (p->started && p->on && p->last >= 0) {
			fputs("\r\033[K", stderr);
			fflush(stderr);
		}
		p->started = p->on = 0;
		return;
	}
	if (!p->started) {
		p->started = 1;
		p->on = total >= PROGRESS_MIN && isatty(2);
		p->last = -1;
	}
	if (!p->on)
		return;
	double f = total ? (double)done / (double)total : 1;
	int pct = f >= 1 ? 100 : f <= 0 ? 0 : (int)(f * 100);
	if (pct == p->last)
		return;
	p->last = pct;
	fprintf(stderr, "\rmlpkg: %s '%s': %3d%%", verb, path, pct);
	fflush(stderr);
}

struct pack_opts {
	const char *out;
	enum pkg_compress how;
};

/* the common options; -1 after a usage error (rc set) */
static int parse(const struct cmd *self, int argc, char **argv, struct pack_opts *o, int compress, int *rc)
{
	int c;
	memset(o, 0, sizeof(*o));
	o->how = PKG_AUTO;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case 'S':
		case 'D':
			if (!compress) {
				*rc = cmd_usage(self, "%s takes no --store or --deflate", self->name);
				return -1;
			}
			if (o->how != PKG_AUTO && o->how != (c == 'S' ? PKG_STORE : PKG_DEFLATE)) {
				*rc = cmd_usage(self, "--store and --deflate exclude each other");
				return -1;
			}
			o->how = c == 'S' ? PKG_STORE : PKG_DEFLATE;
			break;
		default: *rc = cmd_usage(self, "unknown option"); return -1;
		}
	}
	if (o->out && !*o->out) {
		*rc = cmd_usage(self, "-o needs a name");
		return -1;
	}
	if (argc - optind > 1) {
		*rc = cmd_usage(self, "%s takes one model", self->name);
		return -1;
	}
	return 0;
}

/* the input named, or the default model; caller frees; NULL (reported) */
static char *input(int argc, char **argv)
{
	return optind < argc ? xstrdup(argv[optind]) : mlpkg_default_model();
}

static char *strip_slashes(const char *s)
{
	char *c = xstrdup(s);
	size_t l = strlen(c);
	while (l > 1 && c[l - 1] == '/')
		c[--l] = 0;
	return c;
}

/* what the package folder pkg lacks (query/summary.h), nothing said when
 * it cannot be opened: pack says that itself */
static void package_gaps_quiet(const char *pkg, struct strlist *gaps)
{
	struct error_capture cap;
	struct mlpkg_model *m;
	error_capture_begin(&cap, ERRCAP_DROP);
	if (mlpkg_open(pkg, 0, &m) == 0) {
		if (m->fmt == FMT_PACKAGE)
			package_gaps(m, gaps);
		mlpkg_close(m);
	}
	error_capture_end(&cap);
}

int cmd_pack(int argc, char **argv)
{
	const struct cmd *self = cmd_find("pack");
	struct pack_opts o;
	int rc = EXIT_OK;
	if (parse(self, argc, argv, &o, 1, &rc) < 0)
		return rc;
	char *in = input(argc, argv);
	if (!in)
		return last_error_code();
	char *pkg = strip_slashes(in);
	char *out = o.out ? xstrdup(o.out) : xasprintf("%s.zip", pkg);
	struct term_progress tp = { 0 };
	struct mlpkg_progress prog = { draw_progress, &tp };
	struct strlist gaps = { 0 };
	package_gaps_quiet(pkg, &gaps);
	if (pkg_pack(pkg, out, o.how, &prog) < 0) {
		rc = last_error_code();
	} else {
		/* a broken package is packed as it is, and said so */
		for (size_t i = 0; i < gaps.n; i++)
			warning("'%s': packed as it is, but %s (mlpkg check says more)", pkg, gaps.v[i]);
		printf("%s\n", out);
	}
	sl_free(&gaps);
	free(out);
	free(pkg);
	free(in);
	return rc;
}

int cmd_unpack(int argc, char **argv)
{
	const struct cmd *self = cmd_find("unpack");
	struct pack_opts o;
	int rc = EXIT_OK;
	if (parse(self, argc, argv, &o, 0, &rc) < 0)
		return rc;
	char *in = input(argc, argv);
	if (!in)
		return last_error_code();
	char *dir = NULL, *name = NULL, *made = NULL;
	if (o.out) {
		/* -o X.mlpackage names the package folder itself */
		char *out = strip_slashes(o.out);
		size_t l = strlen(out);
		char *slash = strrchr(out, '/');
		if (l > 10 && !strcmp(out + l - 10, ".mlpackage") && (!slash || slash[1])) {
			name = xstrdup(slash ? slash + 1 : out);
			dir = slash ? (slash == out ? xstrdup("/") : xstrndup(out, (size_t)(slash - out)))
				    : xstrdup(".");
			free(out);
		} else {
			dir = out;
		}
	} else {
		dir = xstrdup(".");
	}
	struct term_progress tp = { 0 };
	struct mlpkg_progress prog = { draw_progress, &tp };
	if (pkg_unpack(in, dir, name, &made, &prog) < 0)
		rc = last_error_code();
	else
		printf("%s\n", made);
	free(made);
	free(dir);
	free(name);
	free(in);
	return rc;
}

int cmd_convert(int argc, char **argv)
{
	const struct cmd *self = cmd_find("convert");
	struct pack_opts o;
	int rc = EXIT_OK;
	if (parse(self, argc, argv, &o, 1, &rc) < 0)
		return rc;
	if (!o.out)
		return cmd_usage(self, "convert needs -o OUT (.mlmodel, .mlpackage or .zip)");
	char *in = input(argc, argv);
	if (!in)
		return last_error_code();
	char *out = strip_slashes(o.out);
	struct term_progress tp = { 0 };
	struct mlpkg_progress prog = { draw_progress, &tp };
	if (pkg_convert(in, out, o.how, &prog) < 0)
		rc = last_error_code();
	else
		printf("%s\n", out);
	free(out);
	free(in);
	return rc;
}
