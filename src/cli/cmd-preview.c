/* cmd-preview: mlpkg preview [show|set|rm]: Xcode's preview of a model (the
 * metadata keys preview.type and preview.params) shown readably, set in one
 * edit from a type and a file of labels, removed; each checked against the
 * model (analyze/preview.h). */
#include "cli/commands.h"
#include "analyze/preview.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "base/xalloc.h"
#include "edit/txn.h"
#include "query/meta.h"
#include "query/overlay.h"
#include "query/show.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct preview_opts {
	int json, dry_run, force;
	const char *out;
	const char *labels; /* --labels FILE or - */
	const char *params; /* --params JSON */
};

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- show ------------------------------------------------------------------- */

/* 1 when params hold more than their labels (shown raw then) */
static int params_extra(const char *params, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(params, len);
	int extra = cJSON_IsObject(j) && cJSON_GetArraySize(j) > 1;
	cJSON_Delete(j);
	return extra;
}

static void print_list(const char *what, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		printf("%-8s ", what);
		show_escaped(stdout, l->v[i]);
		fputc('\n', stdout);
	}
}

static int do_show(const char *path, const struct preview_opts *o)
{
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	char *type = NULL, *params = NULL;
	size_t tl = 0, pl = 0;
	struct preview_fit f = { 0 };
	int rc = EXIT_OK;
	if (meta_get(m->root, PREVIEW_TYPE_KEY, &type, &tl) < 0 ||
	    meta_get(m->root, PREVIEW_PARAMS_KEY, &params, &pl) < 0 ||
	    ((type || params) && preview_fit(m->root, type, params, pl, &f) < 0)) {
		rc = last_error_code();
		goto out;
	}
	char **lv = NULL;
	size_t ln = 0;
	int has_labels = params && preview_params_labels(params, pl, &lv, &ln) == 1;
	int known = preview_type_known(type);
	const char *needs = preview_type_needs(type);
	if (o->json) {
		/* {"version": 1, "models": [...]}; what the model lacks is left out */
		struct jw w;
		jw_init(&w, stdout);
		jw_models_begin(&w);
		jw_obj(&w);
		jw_kstr(&w, "model", m->path);
		if (type) {
			jw_key(&w, "type");
			jw_strn(&w, type, tl);
		}
		jw_kbool(&w, "known", known);
		if (needs)
			jw_kstr(&w, "needs", needs);
		if (params) {
			jw_key(&w, "params");
			jw_strn(&w, params, pl);
		}
		if (has_labels) {
			jw_key(&w, "labels");
			jw_arr(&w);
			for (size_t i = 0; i < ln; i++)
				jw_str(&w, lv[i]);
			jw_arr_end(&w);
		}
		jw_kint(&w, "labelCount", (int64_t)ln);
		jw_key(&w, "problems");
		jw_arr(&w);
		for (size_t i = 0; i < f.problems.n; i++)
			jw_str(&w, f.problems.v[i]);
		jw_arr_end(&w);
		jw_key(&w, "notes");
		jw_arr(&w);
		for (size_t i = 0; i < f.notes.n; i++)
			jw_str(&w, f.notes.v[i]);
		jw_arr_end(&w);
		jw_obj_end(&w);
		jw_models_end(&w);
	} else {
		fputs("type:    ", stdout);
		if (type)
			fput_escaped(stdout, type, tl);
		else
			fputs("(none: Xcode shows no preview; set one with mlpkg preview set TYPE)", stdout);
		if (type && !known)
			fputs("  (not a type Xcode is known to use)", stdout);
		fputc('\n', stdout);
		if (needs)
			printf("needs:   %s\n", needs);
		if (!type) {
			fputs("types:   ", stdout);
			for (const char *const *p = preview_types; *p; p++)
				printf("%s%s", p == preview_types ? "" : " ", *p);
			fputc('\n', stdout);
		}
		if (has_labels) {
			printf("labels:  %zu\n", ln);
			int wd = snprintf(NULL, 0, "%zu", ln);
			for (size_t i = 0; i < ln; i++) {
				printf("  %*zu  ", wd, i + 1);
				show_escaped(stdout, lv[i]);
				fputc('\n', stdout);
			}
		}
		if (params && (!has_labels || params_extra(params, pl))) {
			fputs("params:  ", stdout);
			fput_escaped(stdout, params, pl);
			fputc('\n', stdout);
		}
		if (type || params) {
			if (!f.problems.n)
				puts("fit:     ok");
			print_list("problem:", &f.problems);
			print_list("note:", &f.notes);
		}
	}
	free_list(lv, ln);
out:
	preview_fit_release(&f);
	free(type);
	free(params);
	mlpkg_close(m);
	return rc;
}

/* ---- set and rm --------------------------------------------------------------- */

static int read_all(const char *file, char **buf, size_t *len)
{
	int fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return error_code(errno == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL, "'%s': cannot read: %s", file,
				  strerror(errno));
	struct strbuf sb = STRBUF_INIT;
	char tmp[65536];
	ssize_t r;
	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		sb_add(&sb, tmp, (size_t)r);
	int e = errno;
	if (fd)
		close(fd);
	if (r < 0) {
		sb_release(&sb);
		return error_code(EXIT_FAIL, "'%s': cannot read: %s", file, strerror(e));
	}
	*buf = sb_detach(&sb, len);
	return 0;
}

/* the params --labels and --params make (NULL: neither given); -1 refused */
static int build_params(const struct preview_opts *o, char **params)
{
	*params = NULL;
	if (!o->labels) {
		if (o->params)
			*params = xstrdup(o->params);
		return 0;
	}
	char *text, *why = NULL, **v;
	size_t len, n;
	if (read_all(o->labels, &text, &len) < 0)
		return -1;
	const char *name = strcmp(o->labels, "-") ? o->labels : "(standard input)";
	int r = preview_labels_parse(text, len, &v, &n, &why);
	free(text);
	if (r < 0) {
		error_code(EXIT_USAGE, "'%s': no labels to read: %s", name, why);
		free(why);
		return -1;
	}
	if (o->params) {
		*params = preview_params_with_labels(v, n, o->params, strlen(o->params), &why);
		if (!*params) {
			error_code(EXIT_USAGE, "%s", why);
			free(why);
		}
	} else {
		*params = preview_labels_json(v, n);
	}
	free_list(v, n);
	return *params ? 0 : -1;
}

/* set (type not NULL; params may be NULL: kept as they are) or rm */
static int do_edit(const char *type, const char *params, const char *path, const struct preview_opts *o)
{
	int flags = CMD_OPEN_EDIT | ((o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE);
	struct mlpkg_model *m = cmd_open(path, flags);
	if (!m)
		return last_error_code();
	int rc = EXIT_OK, r, changed = 0;
	struct edit_txn *t = txn_begin(m);
	txn_set_force(t, o->force);
	const char *keys[2] = { PREVIEW_TYPE_KEY, PREVIEW_PARAMS_KEY };
	const char *vals[2] = { type, params };
	size_t n = type ? (params ? 2 : 1) : 2;
	int res[2] = { 0, 0 };
	r = 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = type ? txn_meta_set(t, keys[i], vals[i], strlen(vals[i])) : txn_meta_rm(t, keys[i]);
		res[i] = r;
		changed |= r == 1;
	}
	if (r >= 0 && txn_prepare(t) < 0)
		r = -1;
	int onew = r >= 0 && txn_overlay_changes(t, OVERLAY_META);
	if (r < 0)
		rc = last_error_code();
	else if (!type && !changed && !onew && !o->out)
		rc = (error_code(EXIT_NOTFOUND, "'%s': no preview type or params to remove", m->path), EXIT_NOTFOUND);
	else if (type && changed && cmd_preview_fit(m, o->force) < 0)
		rc = last_error_code();
	if (rc != EXIT_OK) {
		/* refused: nothing written */
	} else if (o->dry_run) {
		for (size_t i = 0; i < n; i++) {
			printf("%s: ", m->path);
			if (!res[i])
				printf(type ? "%s unchanged\n" : "%s absent\n", keys[i]);
			else if (!type)
				printf("would remove %s\n", keys[i]);
			else {
				printf("would set %s = \"", keys[i]);
				fput_escaped(stdout, vals[i], strlen(vals[i]));
				fputs("\"\n", stdout);
			}
		}
	} else if (changed || onew || o->out) {
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
	}
	txn_end(t);
	mlpkg_close(m);
	return rc;
}

int cmd_preview(int argc, char **argv)
{
	const struct cmd *self = cmd_find("preview");
	struct preview_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'o': o.out = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'f': o.force = 1; break;
		case 'L': o.labels = optarg; break;
		case 'P': o.params = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	char **av = argv + optind;
	int ac = argc - optind;
	const char *sub = "show";
	if (ac > 0 && (!strcmp(av[0], "show") || !strcmp(av[0], "set") || !strcmp(av[0], "rm"))) {
		sub = av[0];
		av++;
		ac--;
	}
	if (!strcmp(sub, "show")) {
		if (o.out || o.dry_run || o.force || o.labels || o.params)
			return cmd_usage(self, "preview (show) takes only --json");
		if (ac > 1)
			return cmd_usage(self, "preview takes at most one MODEL");
		return do_show(ac ? av[0] : NULL, &o);
	}
	if (o.json)
		return cmd_usage(self, "--json goes with preview (show)");
	if (!strcmp(sub, "rm")) {
		if (o.force || o.labels || o.params)
			return cmd_usage(self, "preview rm takes -o and --dry-run");
		if (ac > 1)
			return cmd_usage(self, "preview rm takes at most one MODEL");
		return do_edit(NULL, NULL, ac ? av[0] : NULL, &o);
	}
	if (ac < 1 || !*av[0])
		return cmd_usage(self, "preview set needs a TYPE");
	if (ac > 2)
		return cmd_usage(self, "preview set takes TYPE and at most one MODEL");
	char *params;
	if (build_params(&o, &params) < 0)
		return last_error_code();
	int rc = do_edit(av[0], params, ac > 1 ? av[1] : NULL, &o);
	free(params);
	return rc;
}
