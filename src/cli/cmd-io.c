/* cmd-io: mlpkg io [--json] [MODEL...]: inputs, outputs, states and
 * training inputs, per function for multi-function models. */
#include "cli/commands.h"
#include "base/error.h"
#include "query/inspect.h"
#include "query/compiled.h"
#include "query/show.h"
#include <stdio.h>
#include <string.h>

static void text_group(const struct io_group *g, int ind)
{
	show_features_text(stdout, "inputs", &g->in, ind);
	show_features_text(stdout, "outputs", &g->out, ind);
	if (g->state.n)
		show_features_text(stdout, "states", &g->state, ind);
	if (g->training.n)
		show_features_text(stdout, "training inputs", &g->training, ind);
	if (g->predicted && *g->predicted) {
		show_pad(stdout, ind);
		fputs("predicted feature: ", stdout);
		show_escaped(stdout, g->predicted);
		fputc('\n', stdout);
	}
	if (g->probabilities && *g->probabilities) {
		show_pad(stdout, ind);
		fputs("probabilities: ", stdout);
		show_escaped(stdout, g->probabilities);
		fputc('\n', stdout);
	}
}

static int group_empty(const struct io_group *g)
{
	return !g->in.n && !g->out.n && !g->state.n && !g->training.n && !(g->predicted && *g->predicted) &&
	       !(g->probabilities && *g->probabilities);
}

static int io_compiled(const char *path, int json, int several, struct jw *w)
{
	struct compiled *c;
	if (compiled_open(path, &c) < 0)
		return last_error_code();
	if (json) {
		jw_obj(w);
		jw_kstr(w, "model", c->path);
		compiled_io_json(w, c);
		jw_obj_end(w);
	} else {
		if (several) {
			show_escaped(stdout, c->path);
			fputs(":\n", stdout);
		}
		compiled_io_text(stdout, c, several ? 2 : 0);
	}
	compiled_close(c);
	return EXIT_OK;
}

static int io_one(const char *path, int json, int several, struct jw *w)
{
	if (path && compiled_is(path))
		return io_compiled(path, json, several, w);
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	struct model_io io;
	/* any node found invalid on the way fails the model */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	int got = io_read(m->root, &io);
	int ec = error_capture_end(&cap);
	if (got < 0 || ec != EXIT_OK) {
		io_release(&io);
		mlpkg_close(m);
		return ec != EXIT_OK ? ec : EXIT_FAIL;
	}
	if (json) {
		jw_obj(w);
		jw_kstr(w, "model", m->path);
		show_group_json(w, &io.g[0]);
		jw_key(w, "functions");
		jw_arr(w);
		for (size_t i = 1; i < io.n; i++) {
			jw_obj(w);
			jw_kstr(w, "name", io.g[i].function);
			jw_kbool(w, "default", io.g[i].is_default);
			show_group_json(w, &io.g[i]);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_kstr(w, "defaultFunction", io.default_fn);
		jw_obj_end(w);
	} else {
		int ind = several ? 2 : 0;
		if (several) {
			show_escaped(stdout, m->path);
			fputs(":\n", stdout);
		}
		if (io.n == 1 || !group_empty(&io.g[0]))
			text_group(&io.g[0], ind);
		for (size_t i = 1; i < io.n; i++) {
			show_pad(stdout, ind);
			fputs("function ", stdout);
			show_escaped(stdout, io.g[i].function);
			fputs(io.g[i].is_default ? " (default):\n" : ":\n", stdout);
			text_group(&io.g[i], ind + 2);
		}
	}
	io_release(&io);
	mlpkg_close(m);
	return EXIT_OK;
}

int cmd_io(int argc, char **argv)
{
	const struct cmd *self = cmd_find("io");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	int n = argc - optind, rc = EXIT_OK, several = n > 1;
	struct jw w;
	jw_init(&w, stdout);
	if (json)
		jw_models_begin(&w);
	if (n == 0)
		rc = io_one(NULL, json, 0, &w);
	for (int i = 0; i < n; i++)
		rc = worse(rc, io_one(argv[optind + i], json, several, &w));
	if (json)
		jw_models_end(&w);
	return rc;
}
