/* cmd-check: mlpkg check [--json] [MODEL...]: validate models without Core ML. */
#include "analyze/check.h"
#include "cli/commands.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "query/compiled.h"
#include "query/show.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a compiled folder: its files and metadata.json agree */
static int check_compiled(const char *path, int json, struct jw *w)
{
	struct compiled *c;
	if (compiled_open(path, &c) < 0)
		return last_error_code();
	struct compiled_problem msg[16];
	size_t n = compiled_check(c, msg, 16);
	if (json) {
		jw_obj(w);
		jw_kstr(w, "model", c->path);
		jw_kbool(w, "ok", n == 0);
		jw_kint(w, "errors", (int64_t)n);
		jw_kint(w, "warnings", 0);
		jw_key(w, "problems");
		jw_arr(w);
		for (size_t i = 0; i < n; i++) {
			jw_obj(w);
			jw_kstr(w, "level", "error");
			jw_kstr(w, "path", msg[i].file); /* the file it is about, in the folder */
			jw_kstr(w, "message", msg[i].text);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	} else {
		for (size_t i = 0; i < n; i++) {
			show_escaped(stdout, c->path);
			printf(": error: %s\n", msg[i].text);
		}
		show_escaped(stdout, c->path);
		if (n)
			printf(": %zu error%s, 0 warnings\n", n, n == 1 ? "" : "s");
		else
			fputs(": ok\n", stdout);
	}
	compiled_close(c);
	return n ? EXIT_FAIL : EXIT_OK;
}

static int check_one_model(const char *path, int json, struct jw *w)
{
	if (path && compiled_is(path))
		return check_compiled(path, json, w);
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	struct check_report r;
	memset(&r, 0, sizeof(r));
	int rc = EXIT_OK;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	int checked = check_model(m, &r);
	int ec = error_capture_end(&cap);
	if (checked < 0 || ec != EXIT_OK) {
		rc = ec != EXIT_OK ? ec : EXIT_INVALID;
	} else if (json) {
		jw_obj(w);
		jw_kstr(w, "model", m->path);
		jw_kbool(w, "ok", r.errors == 0);
		jw_kint(w, "errors", (int64_t)r.errors);
		jw_kint(w, "warnings", (int64_t)r.warnings);
		jw_key(w, "problems");
		jw_arr(w);
		for (size_t i = 0; i < r.n; i++) {
			jw_obj(w);
			jw_kstr(w, "level", r.v[i].level == CHECK_ERROR ? "error" : "warning");
			jw_kstr(w, "path", r.v[i].path);
			jw_kstr(w, "message", r.v[i].msg);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	} else {
		for (size_t i = 0; i < r.n; i++) {
			show_escaped(stdout, m->path);
			printf(": %s: ", r.v[i].level == CHECK_ERROR ? "error" : "warning");
			show_escaped(stdout, r.v[i].path);
			fputs(": ", stdout);
			show_escaped(stdout, r.v[i].msg);
			fputc('\n', stdout);
		}
		show_escaped(stdout, m->path);
		if (r.errors || r.warnings)
			printf(": %zu error%s, %zu warning%s\n", r.errors, r.errors == 1 ? "" : "s", r.warnings,
			       r.warnings == 1 ? "" : "s");
		else
			fputs(": ok\n", stdout);
	}
	if (rc == EXIT_OK && r.errors)
		rc = EXIT_FAIL;
	check_report_release(&r);
	mlpkg_close(m);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	const struct cmd *self = cmd_find("check");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	int n = argc - optind, rc = EXIT_OK;
	struct jw w;
	jw_init(&w, stdout);
	if (json)
		jw_models_begin(&w);
	if (n == 0)
		rc = check_one_model(NULL, json, &w);
	for (int i = 0; i < n; i++) {
		int r1 = check_one_model(argv[optind + i], json, &w);
		/* an invalid model outranks one with problems */
		if (r1 && r1 != EXIT_FAIL && rc == EXIT_FAIL)
			rc = r1;
		else
			rc = worse(rc, r1);
	}
	if (json)
		jw_models_end(&w);
	return rc;
}
