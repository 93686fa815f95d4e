/* cmd-info: mlpkg info [--json] [MODEL...]: what a model is, in one screen. */
#include "cli/commands.h"
#include "query/summary.h"
#include "query/compiled.h"
#include "base/error.h"
#include "query/inspect.h"
#include "query/meta.h"
#include "spec/schema.h"
#include "query/show.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- JSON -------------------------------------------------------------------- */

static void info_json(struct jw *w, const struct summary *in)
{
	struct mlpkg_model *m = in->m;
	jw_obj(w);
	jw_kstr(w, "model", m->path);
	jw_kstr(w, "format", mlpkg_format_name(m->fmt));
	jw_key(w, "sizes");
	jw_obj(w);
	jw_kint(w, "spec", in->spec_bytes);
	jw_kint(w, "weights", in->weight_bytes);
	jw_kint(w, "total", in->disk_bytes);
	jw_obj_end(w);
	jw_kint(w, "specificationVersion", in->version);
	jw_kstr(w, "minimumOS", spec_version_os(in->version));
	jw_kint(w, "neededVersion", in->need);
	jw_kstr(w, "neededBy", in->need_why);
	jw_kstr(w, "type", in->type);
	jw_key(w, "opsets");
	jw_arr(w);
	for (size_t i = 0; i < in->opsets.n; i++)
		jw_str(w, in->opsets.v[i]);
	jw_arr_end(w);
	jw_key(w, "models");
	jw_arr(w);
	for (size_t i = 1; i < in->nrefs; i++) {
		const struct model_ref *r = &in->refs[i];
		jw_obj(w);
		jw_kstr(w, "path", r->path);
		jw_kstr(w, "name", r->name);
		jw_kint(w, "depth", r->depth);
		jw_kstr(w, "type", r->type);
		jw_kint(w, "specificationVersion", r->version);
		jw_kint(w, "layers", (int64_t)in->sub[i].layers);
		jw_kint(w, "operations", (int64_t)in->sub[i].ops);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	show_group_json(w, &in->io.g[0]);
	jw_key(w, "functions");
	jw_arr(w);
	for (size_t i = 1; i < in->io.n; i++) {
		jw_obj(w);
		jw_kstr(w, "name", in->io.g[i].function);
		jw_kbool(w, "default", in->io.g[i].is_default);
		show_group_json(w, &in->io.g[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kstr(w, "defaultFunction", in->io.default_fn);
	jw_key(w, "metadata");
	jw_obj(w);
	for (size_t i = 0; i < in->nmeta; i++) {
		jw_key(w, in->meta[i].key);
		jw_strn(w, in->meta[i].value, in->meta[i].len);
	}
	jw_obj_end(w);
	jw_key(w, "previewType");
	if (in->preview)
		jw_strn(w, in->preview, in->preview_len);
	else
		jw_null(w);
	jw_key(w, "previewLabels");
	if (in->preview_labels >= 0)
		jw_int(w, in->preview_labels);
	else
		jw_null(w);
	const struct model_counts *c = &in->total;
	jw_key(w, "counts");
	jw_obj(w);
	const struct {
		const char *key;
		uint64_t v;
	} cs[] = { { "models", c->models },
		   { "layers", c->layers },
		   { "operations", c->ops },
		   { "functions", c->functions },
		   { "weightTensors", c->weights },
		   { "parameters", c->params },
		   { "weightBytes", c->weight_bytes },
		   { "trees", c->trees },
		   { "treeNodes", c->tree_nodes },
		   { "treeLeaves", c->tree_leaves },
		   { "supportVectors", c->support_vectors },
		   { "coefficients", c->coefficients },
		   { "examples", c->examples } };
	for (size_t i = 0; i < sizeof(cs) / sizeof(*cs); i++)
		jw_kint(w, cs[i].key, (int64_t)cs[i].v);
	jw_obj_end(w);
	if (in->storage) {
		jw_key(w, "storage");
		jw_obj(w);
		jw_key(w, "kinds");
		jw_arr(w);
		for (size_t i = 0; i < in->storage->n; i++) {
			const struct weight_kind *k = &in->storage->k[i];
			jw_obj(w);
			jw_kstr(w, "kind", k->name);
			jw_kint(w, "tensors", (int64_t)k->tensors);
			jw_kint(w, "bytes", (int64_t)k->bytes);
			jw_kint(w, "elements", (int64_t)k->elements);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_kint(w, "unpackedBytes", (int64_t)in->storage->unpacked);
		jw_obj_end(w);
	}
	jw_key(w, "weightFiles");
	jw_arr(w);
	for (size_t i = 0; i < c->files.n; i++)
		jw_str(w, c->files.v[i]);
	jw_arr_end(w);
	jw_key(w, "notes");
	jw_arr(w);
	for (size_t i = 0; i < in->notes.n; i++)
		jw_str(w, in->notes.v[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static int info_compiled(const char *path, int json, int *printed, struct jw *w)
{
	struct compiled *c;
	if (compiled_open(path, &c) < 0)
		return last_error_code();
	if (json)
		compiled_info_json(w, c);
	else {
		if ((*printed)++)
			fputc('\n', stdout);
		compiled_info_text(stdout, c);
	}
	compiled_close(c);
	return EXIT_OK;
}

static int info_one(const char *path, int json, int *printed, struct jw *w)
{
	if (path && compiled_is(path))
		return info_compiled(path, json, printed, w);
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	struct summary in;
	int rc = EXIT_OK;
	/* any node found invalid on the way fails the model, even where the
	 * walk could go on */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	int gathered = summary_gather(&in, m);
	int ec = error_capture_end(&cap);
	if (gathered < 0 || ec != EXIT_OK) {
		rc = ec != EXIT_OK ? ec : EXIT_FAIL;
	} else if (json) {
		info_json(w, &in);
	} else {
		if ((*printed)++)
			fputc('\n', stdout);
		summary_text(stdout, &in);
	}
	summary_release(&in);
	mlpkg_close(m);
	return rc;
}

int cmd_info(int argc, char **argv)
{
	const struct cmd *self = cmd_find("info");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	int n = argc - optind, rc = EXIT_OK, printed = 0;
	struct jw w;
	jw_init(&w, stdout);
	if (json)
		jw_models_begin(&w);
	if (n == 0)
		rc = info_one(NULL, json, &printed, &w);
	for (int i = 0; i < n; i++)
		rc = worse(rc, info_one(argv[optind + i], json, &printed, &w));
	if (json)
		jw_models_end(&w);
	return rc;
}
