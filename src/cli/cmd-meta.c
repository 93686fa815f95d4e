/* cmd-meta: mlpkg meta [list|get|set|rm]: metadata in one step, in place. */
#include "cli/commands.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "analyze/preview.h"
#include "query/meta.h"
#include "query/overlay.h"
#include "query/compiled.h"
#include "edit/txn.h"
#include "base/xalloc.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct meta_opts {
	int json, dry_run;
	const char *out;
	const char *value_file;
	const char *from;
	int force;
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

/* Warns when Xcode's metadata overlay says otherwise than the spec for
 * any of the entries e (the keys it holds differently are named). */
static void overlay_note(struct mlpkg_model *m, const struct meta_entry *e, size_t n, int all)
{
	char *which = NULL;
	if (overlay_meta_compare(m, e, n, all, &which) > 0) {
		char *rel = overlay_rel(m, OVERLAY_META);
		warning("'%s': its metadata overlay %s says otherwise for %s, and Xcode may show it instead", m->path,
			rel, which);
		free(rel);
	}
	free(which);
}

static int do_list(const char *path, const struct meta_opts *o, int several, struct jw *w)
{
	struct compiled *c = NULL;
	if (path && compiled_is(path) && compiled_open(path, &c) < 0)
		return last_error_code();
	struct mlpkg_model *m = c ? NULL : cmd_open(path, 0);
	if (!m && !c)
		return last_error_code();
	struct meta_entry *e;
	size_t n;
	if (c)
		compiled_meta_list(c, &e, &n);
	else if (meta_list(m->root, &e, &n) < 0) {
		mlpkg_close(m);
		return last_error_code();
	}
	if (o->json) {
		jw_obj(w);
		jw_kstr(w, "model", c ? c->path : m->path);
		jw_key(w, "metadata");
		jw_obj(w);
		for (size_t i = 0; i < n; i++) {
			jw_key(w, e[i].key);
			jw_strn(w, e[i].value, e[i].len);
		}
		jw_obj_end(w);
		jw_obj_end(w);
	} else {
		if (several)
			printf("%s:\n", c ? c->path : m->path);
		for (size_t i = 0; i < n; i++) {
			if (several)
				fputs("  ", stdout);
			fput_escaped(stdout, e[i].key, strlen(e[i].key));
			fputs(": ", stdout);
			print_human_value(e[i].value, e[i].len);
			fputc('\n', stdout);
		}
	}
	if (!o->json && m)
		overlay_note(m, e, n, 1);
	meta_entries_free(e, n);
	mlpkg_close(m);
	compiled_close(c);
	return EXIT_OK;
}

static int do_get(const char *key, const char *path, const struct meta_opts *o)
{
	struct compiled *c = NULL;
	struct jw w;
	jw_init(&w, stdout);
	/* JSON: {"version": 1, "models": [{model, key, value}]}; the model is
	 * left out when it has no such key or cannot be read */
	if (o->json)
		jw_models_begin(&w);
	struct mlpkg_model *m = NULL;
	if (path && compiled_is(path))
		compiled_open(path, &c);
	else
		m = cmd_open(path, 0);
	if (!m && !c) {
		int ec = last_error_code();
		if (o->json)
			jw_models_end(&w);
		return ec;
	}
	char *v = NULL;
	size_t len = 0;
	int r = c ? compiled_meta_get(c, key, &v, &len) : meta_get(m->root, key, &v, &len);
	int rc = EXIT_OK;
	if (r < 0)
		rc = last_error_code();
	else if (r == 0)
		rc = (error_code(EXIT_NOTFOUND, "'%s': no metadata key '%s'", c ? c->path : m->path, key),
		      EXIT_NOTFOUND);
	else if (o->json) {
		jw_obj(&w);
		jw_kstr(&w, "model", c ? c->path : m->path);
		int std;
		jw_kstr(&w, "key", meta_canonical(key, &std));
		jw_key(&w, "value");
		jw_strn(&w, v, len);
		jw_obj_end(&w);
	}
	if (o->json)
		jw_models_end(&w);
	if (r == 1 && m) {
		struct meta_entry one = { (char *)key, v, len, 0 };
		overlay_note(m, &one, 1, 0);
	}
	if (r == 1 && !o->json) {
		fwrite(v, 1, len, stdout);
		fputc('\n', stdout);
	}
	free(v);
	mlpkg_close(m);
	compiled_close(c);
	return rc;
}

/* one edit of a meta set / rm (rm: key removed) */
struct kv {
	const char *key;
	char *val;
	size_t len;
	int rm;
};

static int is_preview_key(const char *key)
{
	int std;
	const char *k = meta_canonical(key, &std);
	return !strcmp(k, PREVIEW_TYPE_KEY) || !strcmp(k, PREVIEW_PARAMS_KEY);
}

/* the dry run's line for edit i */
static void dry_line(struct edit_txn *t, size_t i, const struct kv *e, int r)
{
	int std;
	const char *k = meta_canonical(e->key, &std);
	const char *old = NULL;
	size_t oldlen = 0;
	int had = txn_edit_old(t, i, &old, &oldlen);
	if (e->rm)
		printf(r ? "would remove %s (was \"" : "%s absent", k);
	else if (!r)
		printf("%s unchanged", k);
	else
		printf("would set %s = \"", k);
	if (!e->rm && r) {
		print_quoted_value(e->val, e->len);
		fputc('"', stdout);
		if (had == 1) {
			fputs(" (was \"", stdout);
			print_quoted_value(old, oldlen);
			fputs("\")", stdout);
		}
	} else if (e->rm && r) {
		print_quoted_value(old, oldlen);
		fputs("\")", stdout);
	}
}

/* Whether the preview the edits leave fits the model (analyze/preview.h):
 * 0 (notes said; with --force, problems warned about), or -1 refused
 * (EXIT_USAGE, one line) */
int cmd_preview_fit(struct mlpkg_model *m, int force)
{
	struct preview_fit f = { 0 };
	if (preview_fit_model(m->root, &f) < 0) {
		preview_fit_release(&f);
		return -1;
	}
	char *why = preview_fit_problems(&f);
	int rc = 0;
	if (why && !force)
		rc = error_code(EXIT_USAGE, "'%s': %s; the model is unchanged (--force writes it anyway)", m->path,
				why);
	else if (why)
		warning("'%s': %s (written as --force asks)", m->path, why);
	for (size_t i = 0; rc == 0 && i < f.notes.n; i++) {
		fflush(stdout);
		fprintf(stderr, "mlpkg: note: '%s': %s\n", m->path, f.notes.v[i]);
	}
	free(why);
	preview_fit_release(&f);
	return rc;
}

/* the edits e[0..n) of one model, in one edit transaction: every value
 * checked before anything is written, and the preview's fit when a preview
 * key is set (a removal is never refused for it) */
static int do_edit(const struct kv *e, size_t n, const char *path, const struct meta_opts *o)
{
	int flags = CMD_OPEN_EDIT | ((o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE);
	struct mlpkg_model *m = cmd_open(path, flags);
	if (!m)
		return last_error_code();
	int rc = EXIT_OK, r = 0, changed = 0, preview = 0;
	int *res = xcalloc(n ? n : 1, sizeof(*res));
	struct edit_txn *t = txn_begin(m);
	txn_set_force(t, o->force);
	/* each value checked (a refusal: EXIT_USAGE), then the tree edited */
	for (size_t i = 0; i < n && r >= 0; i++) {
		r = e[i].rm ? txn_meta_rm(t, e[i].key) : txn_meta_set(t, e[i].key, e[i].val, e[i].len);
		res[i] = r;
		changed |= r == 1;
		if (r == 1 && !e[i].rm && is_preview_key(e[i].key))
			preview = 1;
	}
	/* Xcode's overlay follows, even when the spec already says so: worked
	 * out before anything is written */
	if (r >= 0 && txn_prepare(t) < 0)
		r = -1;
	int onew = r >= 0 && txn_overlay_changes(t, OVERLAY_META);
	char *rel = overlay_rel(m, OVERLAY_META);
	if (r < 0)
		rc = last_error_code();
	for (size_t i = 0; rc == EXIT_OK && i < n; i++)
		if (e[i].rm && res[i] == 0 && !o->out && txn_edit_held(t, i) != 1)
			rc = (error_code(EXIT_NOTFOUND, "'%s': no metadata key '%s'%s", m->path, e[i].key,
					 n > 1 ? "; the model is unchanged" : ""),
			      EXIT_NOTFOUND);
	if (rc == EXIT_OK && preview && cmd_preview_fit(m, o->force) < 0)
		rc = last_error_code();
	if (rc != EXIT_OK) {
		/* refused: nothing written */
	} else if (o->dry_run) {
		for (size_t i = 0; i < n; i++) {
			printf("%s: ", m->path);
			dry_line(t, i, &e[i], res[i]);
			fputc('\n', stdout);
		}
		if (onew)
			printf("  and in the overlay %s\n", rel);
	} else if (changed || o->out || onew) {
		int lacks = 0;
		for (size_t i = 0; i < n; i++)
			if (!e[i].rm && txn_edit_held(t, i) == 0)
				lacks = 1;
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
		else if (onew)
			fprintf(stderr, "mlpkg: '%s': updated the overlay %s to match\n", o->out ? o->out : m->path,
				rel);
		else if (lacks)
			warning("'%s' carries a metadata overlay (%s) without %s; Xcode may show the overlay's values",
				o->out ? o->out : m->path, rel, n > 1 ? "some of these keys" : "this key");
	}
	free(rel);
	free(res);
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

/* 1 when word names a model: it ends in .mlmodel, .mlpackage or .zip, or
 * something by that name exists */
static int looks_like_model(const char *w)
{
	size_t l = strlen(w);
	while (l > 1 && w[l - 1] == '/')
		l--;
	static const char *const ext[] = { ".mlmodel", ".mlpackage", ".zip" };
	for (size_t i = 0; i < 3; i++) {
		size_t el = strlen(ext[i]);
		if (l > el && !strncasecmp(w + l - el, ext[i], el))
			return 1;
	}
	return access(w, F_OK) == 0;
}

/* --from FILE: a JSON object of keys, each a string to set or null to
 * remove; refused (EXIT_USAGE) otherwise, before any model is opened */
static int read_from(const char *file, struct kv **out, size_t *n)
{
	char *text;
	size_t len;
	*out = NULL;
	*n = 0;
	if (read_value_file(file, &text, &len) < 0)
		return -1;
	const char *name = strcmp(file, "-") ? file : "(standard input)";
	cJSON *j = cJSON_ParseWithLength(text, len);
	free(text);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return error_code(EXIT_USAGE, "'%s': not a JSON object of metadata keys", name);
	}
	size_t cap = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, j)
	{
		if (!cJSON_IsString(m) && !cJSON_IsNull(m)) {
			error_code(EXIT_USAGE, "'%s': the value of '%s' must be a string (or null to remove it)", name,
				   m->string);
			for (size_t i = 0; i < *n; i++)
				free((*out)[i].val);
			free(*out);
			*out = NULL;
			*n = 0;
			cJSON_Delete(j);
			return -1;
		}
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		struct kv *e = &(*out)[(*n)++];
		/* the key outlives the JSON: kept in the value's allocation */
		size_t kl = strlen(m->string);
		size_t vl = cJSON_IsString(m) ? strlen(m->valuestring) : 0;
		char *buf = xmalloc(kl + 1 + vl + 1);
		memcpy(buf, m->valuestring && cJSON_IsString(m) ? m->valuestring : "", vl + 1);
		memcpy(buf + vl + 1, m->string, kl + 1);
		e->val = buf;
		e->len = vl;
		e->key = buf + vl + 1;
		e->rm = cJSON_IsNull(m);
	}
	cJSON_Delete(j);
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
		case 'J': o.from = optarg; break;
		case 'f': o.force = 1; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	char **av = argv + optind;
	int ac = argc - optind;
	const char *sub = "list";
	if (ac > 0 &&
	    (!strcmp(av[0], "list") || !strcmp(av[0], "get") || !strcmp(av[0], "set") || !strcmp(av[0], "rm"))) {
		sub = av[0];
		av++;
		ac--;
	}
	if (!strcmp(sub, "list")) {
		if (o.out || o.dry_run || o.value_file || o.from || o.force)
			return cmd_usage(self, "meta list takes only --json");
		struct jw w;
		jw_init(&w, stdout);
		int several = ac > 1, rc = EXIT_OK;
		if (o.json)
			jw_models_begin(&w);
		if (ac == 0)
			rc = do_list(NULL, &o, 0, &w);
		for (int i = 0; i < ac; i++)
			rc = worse(rc, do_list(av[i], &o, several, &w));
		if (o.json)
			jw_models_end(&w);
		return rc;
	}
	if (!strcmp(sub, "get")) {
		if (ac < 1 || ac > 2)
			return cmd_usage(self, "meta get takes KEY and at most one MODEL");
		return do_get(av[0], ac > 1 ? av[1] : NULL, &o);
	}
	if (o.json)
		return cmd_usage(self, "--json goes with meta list and meta get");
	if (o.force && strcmp(sub, "set") && strcmp(sub, "rm"))
		return cmd_usage(self, "--force goes with meta set and meta rm");
	struct kv *e = NULL;
	size_t n = 0, cap = 0;
	int nm = 0; /* the models: av[ac - nm .. ac) */
	int rc = EXIT_OK;
	if (!strcmp(sub, "set") && o.from) {
		if (o.value_file)
			return cmd_usage(self, "--from and --value-file go separately");
		if (read_from(o.from, &e, &n) < 0)
			return last_error_code();
		nm = ac;
	} else if (!strcmp(sub, "set") && o.value_file) {
		if (ac < 1)
			return cmd_usage(self, "meta set needs a KEY");
		e = xcalloc(1, sizeof(*e));
		e[0].key = av[0];
		if (read_value_file(o.value_file, &e[0].val, &e[0].len) < 0) {
			free(e);
			return last_error_code();
		}
		n = 1;
		nm = ac - 1;
	} else if (!strcmp(sub, "set")) {
		if (ac < 2)
			return cmd_usage(self, "meta set needs KEY and VALUE");
		/* KEY VALUE pairs, then the models: from the first key place
		 * (after the first pair) holding a model's name, else the last
		 * word of an odd count */
		int k = 2;
		while (k < ac && !looks_like_model(av[k]))
			k += 2;
		if (k >= ac)
			k = ac % 2 ? ac - 1 : ac;
		for (int i = 0; i + 1 < k; i += 2) {
			xgrow((void **)&e, &cap, n + 1, sizeof(*e));
			e[n++] = (struct kv){ av[i], xstrdup(av[i + 1]), strlen(av[i + 1]), 0 };
		}
		nm = ac - k;
	} else {
		if (o.value_file || o.from)
			return cmd_usage(self, "--value-file and --from go with meta set");
		if (ac < 1)
			return cmd_usage(self, "meta rm needs a KEY");
		/* KEY..., then the models: from the first word naming one */
		int k = 1;
		while (k < ac && !looks_like_model(av[k]))
			k++;
		for (int i = 0; i < k; i++) {
			xgrow((void **)&e, &cap, n + 1, sizeof(*e));
			e[n++] = (struct kv){ av[i], NULL, 0, 1 };
		}
		nm = ac - k;
	}
	for (size_t i = 0; i < n; i++)
		if (!*meta_canonical(e[i].key, &(int){ 0 })) {
			rc = cmd_usage(self, "an empty key cannot be %s", e[i].rm ? "removed" : "set");
			break;
		}
	if (rc == EXIT_OK && o.out && nm > 1)
		rc = cmd_usage(self, "-o takes a single MODEL");
	if (rc == EXIT_OK) {
		/* a preview type before params: their check takes the type the
		 * edits leave, not the one the model had */
		for (size_t i = 1; i < n; i++) {
			int std;
			if (strcmp(meta_canonical(e[i].key, &std), PREVIEW_TYPE_KEY))
				continue;
			struct kv x = e[i];
			size_t j = i;
			for (; j > 0 && !strcmp(meta_canonical(e[j - 1].key, &std), PREVIEW_PARAMS_KEY); j--)
				e[j] = e[j - 1];
			e[j] = x;
		}
		char **models = av + (ac - nm);
		if (nm == 0)
			rc = do_edit(e, n, NULL, &o);
		for (int i = 0; i < nm; i++)
			rc = worse(rc, do_edit(e, n, models[i], &o));
	}
	for (size_t i = 0; i < n; i++)
		free(e[i].val);
	free(e);
	return rc;
}
