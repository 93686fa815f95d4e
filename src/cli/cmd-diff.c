/* cmd-diff: mlpkg diff [--json] A B: a semantic diff of two models. */
#include "cli/commands.h"
#include "analyze/diff.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "base/xalloc.h"
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

int cmd_diff(int argc, char **argv)
{
	const struct cmd *self = cmd_find("diff");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
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
	if (compared < 0 || ec != EXIT_OK) {
		rc = ec != EXIT_OK ? ec : EXIT_INVALID;
	} else if (json) {
		struct jw w;
		jw_init(&w, stdout);
		jw_obj(&w);
		jw_kstr(&w, "a", a->path);
		jw_kstr(&w, "b", b->path);
		jw_kbool(&w, "equal", r.n == 0);
		jw_key(&w, "changes");
		jw_arr(&w);
		for (size_t i = 0; i < r.n; i++) {
			static const char *const kinds[] = { "added", "removed", "changed", "renamed" };
			jw_obj(&w);
			jw_kstr(&w, "path", r.v[i].path);
			jw_kstr(&w, "change", kinds[r.v[i].kind]);
			jw_kstr(&w, "from", r.v[i].from);
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
			if (r.v[i].group)
				group_of(&groups, &ng, &gcap, r.v[i].group)->total++;
		for (size_t i = 0; i < r.n; i++) {
			const struct diff_change *d = &r.v[i];
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
			fputs(d->kind == DIFF_ADDED     ? "+ "
			      : d->kind == DIFF_REMOVED ? "- "
			      : d->kind == DIFF_RENAMED ? "> "
							: "~ ",
			      stdout);
			show_escaped(stdout, d->path);
			if (d->kind == DIFF_RENAMED) {
				fputs(" -> ", stdout);
				show_escaped(stdout, d->to);
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
	if (rc == EXIT_OK && r.n)
		rc = EXIT_FAIL;
	diff_result_release(&r);
	mlpkg_close(a);
	mlpkg_close(b);
	return rc;
}
