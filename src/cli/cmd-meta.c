/* cmd-meta: mlpkg meta [list|get|set|rm]: metadata in one step, in place. */
#include "cli/commands.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "query/meta.h"
#include "query/overlay.h"
#include "edit/txn.h"
#include "base/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct meta_opts {
	int json, dry_run;
	const char *out;
	const char *value_file;
};


static void print_human_value(const char *v, size_t n)
{
	fput_escaped(stdout, v, n);
}

/* a value inside "...": its quotes and backslashes escaped too */
static void print_quoted_value(const char *v, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] == '"' || v[i] == '\\') {
			fput_escaped(stdout, v + from, i - from);
			fputc('\\', stdout);
			fputc(v[i], stdout);
			from = i + 1;
		}
	fput_escaped(stdout, v + from, n - from);
}

/* A preview type set over preview.params that do not suit it: said */
static void params_note(struct mlpkg_model *m, const char *type, size_t tlen)
{
	char *params = NULL, *t = xstrndup(type, tlen);
	size_t pl;
	if (meta_get(m->root, PREVIEW_PARAMS_KEY, &params, &pl) == 1) {
		char *why = meta_params_problem(params, pl, t);
		if (why)
			warning("'%s': its preview.params do not suit %s (%s); set them with mlpkg meta set preview.params",
				m->path, t, why);
		free(why);
	}
	free(params);
	free(t);
}

/* Warns when Xcode's metadata overlay says otherwise than the spec for
 * any of the entries e (the keys it holds differently are named). */
static void overlay_note(struct mlpkg_model *m, const struct meta_entry *e, size_t n, int all)
{
	char *which = NULL;
	if (overlay_meta_compare(m, e, n, all, &which) > 0) {
		char *rel = overlay_rel(m, OVERLAY_META);
		warning("'%s': its metadata overlay %s says otherwise for %s, and Xcode may show it instead", m->path, rel,
			which);
		free(rel);
	}
	free(which);
}

static int do_list(const char *path, const struct meta_opts *o, int several, struct jw *w)
{
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	struct meta_entry *e;
	size_t n;
	if (meta_list(m->root, &e, &n) < 0) {
		mlpkg_close(m);
		return last_error_code();
	}
	if (o->json) {
		if (several) {
			jw_obj(w);
			jw_kstr(w, "model", m->path);
			jw_key(w, "metadata");
		}
		jw_obj(w);
		for (size_t i = 0; i < n; i++) {
			jw_key(w, e[i].key);
			jw_strn(w, e[i].value, e[i].len);
		}
		jw_obj_end(w);
		if (several)
			jw_obj_end(w);
	} else {
		if (several)
			printf("%s:\n", m->path);
		for (size_t i = 0; i < n; i++) {
			if (several)
				fputs("  ", stdout);
			fput_escaped(stdout, e[i].key, strlen(e[i].key));
			fputs(": ", stdout);
			print_human_value(e[i].value, e[i].len);
			fputc('\n', stdout);
		}
	}
	if (!o->json)
		overlay_note(m, e, n, 1);
	meta_entries_free(e, n);
	mlpkg_close(m);
	return EXIT_OK;
}

static int do_get(const char *key, const char *path, const struct meta_opts *o)
{
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	char *v = NULL;
	size_t len = 0;
	int r = meta_get(m->root, key, &v, &len);
	int rc = EXIT_OK;
	if (r < 0)
		rc = last_error_code();
	else if (r == 0)
		rc = (error_code(EXIT_NOTFOUND, "'%s': no metadata key '%s'", m->path, key), EXIT_NOTFOUND);
	else if (o->json) {
		struct jw w;
		jw_init(&w, stdout);
		jw_obj(&w);
		int std;
		jw_kstr(&w, "key", meta_canonical(key, &std));
		jw_key(&w, "value");
		jw_strn(&w, v, len);
		jw_obj_end(&w);
		jw_end(&w);
	}
	if (r == 1) {
		struct meta_entry one = { (char *)key, v, len, 0 };
		overlay_note(m, &one, 1, 0);
	}
	if (r == 1 && !o->json) {
		fwrite(v, 1, len, stdout);
		fputc('\n', stdout);
	}
	free(v);
	mlpkg_close(m);
	return rc;
}

/* set (val != NULL) or rm one model, in one edit transaction */
static int do_edit(const char *key, const char *val, size_t len, const char *path, const struct meta_opts *o)
{
	int flags = (o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE;
	struct mlpkg_model *m = cmd_open(path, flags);
	if (!m)
		return last_error_code();
	int std, rc = EXIT_OK;
	const char *k = meta_canonical(key, &std);
	struct edit_txn *t = txn_begin(m);
	/* the value checked (a refusal: EXIT_USAGE), then the spec edited */
	int r = val ? txn_meta_set(t, key, val, len) : txn_meta_rm(t, key);
	const char *old = NULL;
	size_t oldlen = 0;
	int had = r >= 0 ? txn_edit_old(t, 0, &old, &oldlen) : 0;
	/* Xcode's overlay follows, even when the spec already says so: worked
	 * out before anything is written */
	if (r >= 0 && txn_prepare(t) < 0)
		r = -1;
	int onew = r >= 0 && txn_overlay_changes(t, OVERLAY_META);
	int held = r >= 0 ? txn_edit_held(t, 0) : -1;
	char *rel = overlay_rel(m, OVERLAY_META);
	if (r < 0) {
		rc = last_error_code();
	} else if (!val && r == 0 && !o->out && !onew) {
		rc = (error_code(EXIT_NOTFOUND, "'%s': no metadata key '%s'", m->path, key), EXIT_NOTFOUND);
	} else if (o->dry_run) {
		printf("%s: ", m->path);
		if (!val)
			printf(r ? "would remove %s (was \"" : "%s absent", k);
		else if (!r)
			printf("%s unchanged", k);
		else
			printf("would set %s = \"", k);
		if (val && r) {
			print_quoted_value(val, len);
			fputc('"', stdout);
			if (had == 1) {
				fputs(" (was \"", stdout);
				print_quoted_value(old, oldlen);
				fputs("\")", stdout);
			}
		} else if (!val && r) {
			print_quoted_value(old, oldlen);
			fputs("\")", stdout);
		}
		fputc('\n', stdout);
		if (onew)
			printf("  and in the overlay %s\n", rel);
	} else if (r == 1 || o->out || onew) {
		if (val && !strcmp(k, PREVIEW_TYPE_KEY))
			params_note(m, val, len);
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
		else if (onew)
			fprintf(stderr, "mlpkg: '%s': updated the overlay %s to match\n", o->out ? o->out : m->path, rel);
		else if (held == 0 && val)
			warning("'%s' carries a metadata overlay (%s) without this key; Xcode may show the overlay's values",
				o->out ? o->out : m->path, rel);
	}
	free(rel);
	txn_end(t);
	mlpkg_close(m);
	return rc;
}

static int read_value_file(const char *file, char **buf, size_t *len)
{
	if (cmd_read_input(file, buf, len) < 0)
		return -1;
	/* the one final newline echo and editors add is not part of the value */
	char *b = *buf;
	if (*len && b[*len - 1] == '\n')
		b[--*len] = 0;
	if (*len && b[*len - 1] == '\r')
		b[--*len] = 0;
	return 0;
}

int cmd_meta(int argc, char **argv)
{
	const struct cmd *self = cmd_find("meta");
	struct meta_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'o': o.out = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'F': o.value_file = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	char **av = argv + optind;
	int ac = argc - optind;
	const char *sub = "list";
	if (ac > 0 && (!strcmp(av[0], "list") || !strcmp(av[0], "get") || !strcmp(av[0], "set") || !strcmp(av[0], "rm"))) {
		sub = av[0];
		av++;
		ac--;
	}
	if (!strcmp(sub, "list")) {
		if (o.out || o.dry_run || o.value_file)
			return cmd_usage(self, "meta list takes only --json");
		struct jw w;
		jw_init(&w, stdout);
		int several = ac > 1, rc = EXIT_OK;
		if (o.json && several)
			jw_arr(&w);
		if (ac == 0)
			rc = do_list(NULL, &o, 0, &w);
		for (int i = 0; i < ac; i++)
			rc = worse(rc, do_list(av[i], &o, several, &w));
		if (o.json && several)
			jw_arr_end(&w);
		if (o.json)
			jw_end(&w);
		return rc;
	}
	if (!strcmp(sub, "get")) {
		if (ac < 1 || ac > 2)
			return cmd_usage(self, "meta get takes KEY and at most one MODEL");
		return do_get(av[0], ac > 1 ? av[1] : NULL, &o);
	}
	if (o.json)
		return cmd_usage(self, "--json goes with meta list and meta get");
	const char *key = ac > 0 ? av[0] : NULL;
	char *val = NULL;
	size_t len = 0;
	int rc = EXIT_OK;
	if (!key)
		return cmd_usage(self, "meta %s needs a KEY", sub);
	if (!strcmp(sub, "set")) {
		if (o.value_file) {
			if (read_value_file(o.value_file, &val, &len) < 0)
				return last_error_code();
			av++, ac--;
		} else {
			if (ac < 2)
				return cmd_usage(self, "meta set needs KEY and VALUE");
			val = xstrdup(av[1]);
			len = strlen(val);
			av += 2, ac -= 2;
		}
	} else {
		if (o.value_file)
			return cmd_usage(self, "--value-file goes with meta set");
		av++, ac--;
	}
	if (o.out && ac > 1) {
		free(val);
		return cmd_usage(self, "-o takes a single MODEL");
	}
	if (ac == 0)
		rc = do_edit(key, val ? val : NULL, len, NULL, &o);
	for (int i = 0; i < ac; i++)
		rc = worse(rc, do_edit(key, val, len, av[i], &o));
	free(val);
	return rc;
}
