/* cmd-pack: mlpkg pack, unpack and convert: a package folder to a zip and
 * back, and an .mlmodel to a package and back (the work is in package.c). */
#include "cli/commands.h"
#include "base/error.h"
#include "model/package.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pack_opts {
	const char *out;
	enum pkg_compress how;
};

/* the common options; -1 after a usage error (rc set) */
static int parse(const struct cmd *self, int argc, char **argv, struct pack_opts *o, int compress, int *rc)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "store", no_argument, NULL, 'S' },
		{ "deflate", no_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	memset(o, 0, sizeof(*o));
	o->how = PKG_AUTO;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:", lo)) != -1) {
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
	if (pkg_pack(pkg, out, o.how) < 0)
		rc = last_error_code();
	else
		printf("%s\n", out);
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
			dir = slash ? (slash == out ? xstrdup("/") : xstrndup(out, (size_t)(slash - out))) : xstrdup(".");
			free(out);
		} else {
			dir = out;
		}
	} else {
		dir = xstrdup(".");
	}
	if (pkg_unpack(in, dir, name, &made) < 0)
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
	if (pkg_convert(in, out, o.how) < 0)
		rc = last_error_code();
	else
		printf("%s\n", out);
	free(out);
	free(in);
	return rc;
}
