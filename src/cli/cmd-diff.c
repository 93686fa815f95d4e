/* cmd-diff: mlpkg diff [--json] [--stat] [--no-weights] A B: a semantic diff
 * of two models. */
#include "cli/commands.h"
#include "analyze/diff.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "base/xalloc.h"
#include "query/inspect.h"
#include "query/show.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a value on one line, cut to fit */
static void shown(const char *s)
{
	size_t n = strlen(s);
	if (n > 100) {
		fput_escaped(stdout, s, 97);
		fputs("...", stdout);
	} else {
		fput_escaped(stdout, s, n);
	}
}

/* the lines shown of one part of a model (see diff_change.group) */
#define GROUP_LINES 20

struct group_count {
	const char *name;
	size_t total, seen;
};

static struct group_count *group_of(struct group_count **g, size_t *n, size_t *cap, const char *name)
{
	for (size_t i = *n; i-- > 0;)
		if (!strcmp((*g)[i].name, name))
			return &(*g)[i];
	xgrow((void **)g, cap, *n + 1, sizeof(**g));
	struct group_count *x = &(*g)[(*n)++];
	x->name = name;
	x->total = x->seen = 0;
	return x;
}

static const char *const kind_names[] = { "added", "removed", "changed", "renamed" };

/* the start of a line: its mark and path, and a rename's new path */
static void line_head(enum diff_kind kind, const char *path, const char *to)
{
	fputs(kind == DIFF_ADDED ? "+ " : kind == DIFF_REMOVED ? "- " : kind == DIFF_RENAMED ? "> " : "~ ", stdout);
	show_escaped(stdout, path);
	if (kind == DIFF_RENAMED) {
		fputs(" -> ", stdout);
		show_escaped(stdout, to);
	}
}

/* the --json object's first fields */
static void json_head(struct jw *w, const char *a, const char *b, int equal)
{
	jw_init(w, stdout);
	jw_obj(w);
	jw_kint(w, "version", JSON_CONTRACT_VERSION);
	jw_kstr(w, "a", a);
	jw_kstr(w, "b", b);
	jw_kbool(w, "equal", equal);
}

/* ---- --stat: the changes by the part they are in --------------------------
 * A unit is a layer, an op or a feature (the change's entity), else the
 * group it is bounded in (class labels), else the change itself. */

struct unit {
	const char *path;
	enum diff_kind kind; /* changed unless the unit itself was added,
			      * removed or renamed */
	const char *to;      /* renamed: the new path */
	struct strlist fields;
	const struct diff_change *only; /* an entity-less change: itself */
	int weight;
	unsigned long long wfrom, wto;
};

struct units {
	struct unit *v;
	size_t n, cap;
	size_t changed, added, removed, renamed;
};

static const char *unit_of(const struct diff_change *d)
{
	return d->ent ? d->ent : d->group ? d->group : d->path;
}

static void units_build(struct units *u, const struct diff_result *r, int no_weights)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct diff_change *d = &r->v[i];
		if (no_weights && d->weight)
			continue;
		const char *up = unit_of(d);
		struct unit *x = NULL;
		for (size_t k = u->n; k-- > 0;)
			if (!strcmp(u->v[k].path, up)) {
				x = &u->v[k];
				break;
			}
		if (!x) {
			xgrow((void **)&u->v, &u->cap, u->n + 1, sizeof(*u->v));
			x = &u->v[u->n++];
			memset(x, 0, sizeof(*x));
			x->path = up;
			x->kind = DIFF_CHANGED;
		}
		if (!strcmp(d->path, up) && d->kind != DIFF_CHANGED) {
			x->kind = d->kind;
			x->to = d->to;
		}
		size_t ul = strlen(up);
		if (!strcmp(d->path, up))
			x->only = d;
		else if (strncmp(d->path, up, ul))
			sl_push(&x->fields, xstrdup(d->path)); /* not below it: whole */
		else
			sl_push(&x->fields, xstrdup(d->path + ul + (d->path[ul] == '.')));
		if (d->weight) {
			x->weight = 1;
			x->wfrom += d->wfrom;
			x->wto += d->wto;
		}
	}
	for (size_t k = 0; k < u->n; k++) {
		const struct unit *x = &u->v[k];
		*(x->kind == DIFF_ADDED     ? &u->added
		  : x->kind == DIFF_REMOVED ? &u->removed
		  : x->kind == DIFF_RENAMED ? &u->renamed
					    : &u->changed) += 1;
	}
}

static void units_free(struct units *u)
{
	for (size_t k = 0; k < u->n; k++)
		sl_free(&u->v[k].fields);
	free(u->v);
}

/* the fields named on a --stat line; more are counted */
#define STAT_FIELDS 4

static void stat_text(const struct units *u, const struct diff_result *r)
{
	for (size_t k = 0; k < u->n; k++) {
		const struct unit *x = &u->v[k];
		line_head(x->kind, x->path, x->to);
		if (x->kind == DIFF_ADDED || x->kind == DIFF_REMOVED) {
			fputs(x->kind == DIFF_ADDED ? ": added" : ": removed", stdout);
			const char *v = x->only ? (x->only->to ? x->only->to : x->only->from) : NULL;
			if (v && strlen(v) <= 40) {
				fputs(" (", stdout);
				show_escaped(stdout, v);
				fputc(')', stdout);
			}
		} else if (x->kind == DIFF_CHANGED) {
			fputs(": ", stdout);
			int n = 0;
			if (x->only) {
				const char *a = x->only->from, *b = x->only->to;
				if (a && b && strlen(a) <= 30 && strlen(b) <= 30) {
					show_escaped(stdout, a);
					fputs(" -> ", stdout);
					show_escaped(stdout, b);
				} else {
					fputs(x->fields.n ? "kind" : "changed", stdout);
				}
				n++;
			}
			for (size_t i = 0; i < x->fields.n && i < STAT_FIELDS; i++, n++) {
				fputs(n ? ", " : "", stdout);
				show_escaped(stdout, x->fields.v[i]);
			}
			if (x->fields.n > STAT_FIELDS)
				printf(" and %zu more", x->fields.n - STAT_FIELDS);
		}
		if (x->weight && x->kind != DIFF_RENAMED)
			printf(" (weights %llu -> %llu bytes)", x->wfrom, x->wto);
		fputc('\n', stdout);
	}
	printf("%zu changed, %zu added, %zu removed", u->changed, u->added, u->removed);
	if (u->renamed)
		printf(", %zu renamed", u->renamed);
	printf("; weight bytes %llu -> %llu\n", r->wbytes_a, r->wbytes_b);
}

static void stat_json(struct jw *w, const struct units *u, const struct diff_result *r)
{
	jw_key(w, "entries");
	jw_arr(w);
	for (size_t k = 0; k < u->n; k++) {
		const struct unit *x = &u->v[k];
		jw_obj(w);
		jw_kstr(w, "path", x->path);
		jw_kstr(w, "change", kind_names[x->kind]);
		if (x->kind == DIFF_RENAMED)
			jw_kstr(w, "to", x->to);
		if (x->fields.n) {
			jw_key(w, "fields");
			jw_arr(w);
			for (size_t i = 0; i < x->fields.n; i++)
				jw_str(w, x->fields.v[i]);
			jw_arr_end(w);
		}
		if (x->weight) {
			jw_kint(w, "weightBytesBefore", (int64_t)x->wfrom);
			jw_kint(w, "weightBytesAfter", (int64_t)x->wto);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kint(w, "changed", (int64_t)u->changed);
	jw_kint(w, "added", (int64_t)u->added);
	jw_kint(w, "removed", (int64_t)u->removed);
	jw_kint(w, "renamed", (int64_t)u->renamed);
	jw_kint(w, "weightBytesBefore", (int64_t)r->wbytes_a);
	jw_kint(w, "weightBytesAfter", (int64_t)r->wbytes_b);
}

int cmd_diff(int argc, char **argv)
{
	const struct cmd *self = cmd_find("diff");
	int json = 0, stat = 0, no_weights = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 's')
			stat = 1;
		else if (c == 'W')
			no_weights = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	if (argc - optind != 2)
		return cmd_usage(self, "two models to compare");
	struct mlpkg_model *a = cmd_open(argv[optind], 0);
	if (!a)
		return last_error_code();
	struct mlpkg_model *b = cmd_open(argv[optind + 1], 0);
	if (!b) {
		int rc = last_error_code();
		mlpkg_close(a);
		return rc;
	}
	struct diff_result r;
	memset(&r, 0, sizeof(r));
	int rc = EXIT_OK;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	int compared = diff_models(a, b, &r);
	int ec = error_capture_end(&cap);
	/* the changes shown */
	size_t shown_n = 0;
	for (size_t i = 0; i < r.n; i++)
		shown_n += !(no_weights && r.v[i].weight);
	struct units u;
	memset(&u, 0, sizeof(u));
	if (compared < 0 || ec != EXIT_OK) {
		rc = ec != EXIT_OK ? ec : EXIT_INVALID;
	} else if (stat) {
		units_build(&u, &r, no_weights);
		if (json) {
			struct jw w;
			json_head(&w, a->path, b->path, shown_n == 0);
			stat_json(&w, &u, &r);
			jw_obj_end(&w);
			jw_end(&w);
		} else if (shown_n) {
			stat_text(&u, &r);
		}
	} else if (json) {
		struct jw w;
		json_head(&w, a->path, b->path, shown_n == 0);
		jw_key(&w, "changes");
		jw_arr(&w);
		for (size_t i = 0; i < r.n; i++) {
			if (no_weights && r.v[i].weight)
				continue;
			jw_obj(&w);
			jw_kstr(&w, "path", r.v[i].path);
			jw_kstr(&w, "change", kind_names[r.v[i].kind]);
			/* absent is left out: no "from" for an addition, no "to" for a removal */
			if (r.v[i].from)
				jw_kstr(&w, "from", r.v[i].from);
			if (r.v[i].to)
				jw_kstr(&w, "to", r.v[i].to);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		jw_obj_end(&w);
		jw_end(&w);
	} else {
		struct group_count *groups = NULL;
		size_t ng = 0, gcap = 0;
		for (size_t i = 0; i < r.n; i++)
			if (r.v[i].group && !(no_weights && r.v[i].weight))
				group_of(&groups, &ng, &gcap, r.v[i].group)->total++;
		for (size_t i = 0; i < r.n; i++) {
			const struct diff_change *d = &r.v[i];
			if (no_weights && d->weight)
				continue;
			if (d->group) {
				struct group_count *g = group_of(&groups, &ng, &gcap, d->group);
				size_t k = ++g->seen;
				if (k > GROUP_LINES) {
					if (k == g->total) {
						printf("... %zu more in ", g->total - GROUP_LINES);
						show_escaped(stdout, g->name);
						fputc('\n', stdout);
					}
					continue;
				}
			}
			line_head(d->kind, d->path, d->to);
			if (d->kind == DIFF_RENAMED) {
				fputc('\n', stdout);
				continue;
			}
			fputs(": ", stdout);
			if (d->kind == DIFF_CHANGED) {
				shown(d->from);
				fputs(" -> ", stdout);
				shown(d->to);
			} else {
				shown(d->from ? d->from : d->to);
			}
			fputc('\n', stdout);
		}
		free(groups);
	}
	if (rc == EXIT_OK && shown_n)
		rc = EXIT_FAIL;
	units_free(&u);
	diff_result_release(&r);
	mlpkg_close(a);
	mlpkg_close(b);
	return rc;
}
