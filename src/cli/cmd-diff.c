/* cmd-diff: mlpkg diff [--json] A B: a semantic diff of two models. */
#include "cli/commands.h"
#include "analyze/diff.h"
#include "base/error.h"
#include "base/jsonout.h"
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
		for (size_t i = 0; i < r.n; i++) {
			const struct diff_change *d = &r.v[i];
			fputs(d->kind == DIFF_ADDED ? "+ " : d->kind == DIFF_REMOVED ? "- " : d->kind == DIFF_RENAMED ? "> " : "~ ",
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
	}
	if (rc == EXIT_OK && r.n)
		rc = EXIT_FAIL;
	diff_result_release(&r);
	mlpkg_close(a);
	mlpkg_close(b);
	return rc;
}
