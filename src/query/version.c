/* version: the specification version the features of a model need. */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/dump.h"
#include "MIL.pb-c.h"
#include "NeuralNetwork.pb-c.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- spec versions ----------------------------------------------------------------- */

struct need {
	int v;
	char *why;
};

static void needs(struct need *nd, int v, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void needs(struct need *nd, int v, const char *path, const char *fmt, ...)
{
	if (v <= nd->v)
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (*path)
		sb_addf(&sb, " in %s", path);
	free(nd->why);
	nd->v = v;
	nd->why = sb_detach(&sb, NULL);
}

static void feature_needs(struct need *nd, const struct io_list *l, const char *path, const char *nmtype)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ft_info *t = &l->v[i].type;
		const char *nm = l->v[i].name;
		if (t->nsizes || t->has_range || t->nshapes || t->nranges)
			needs(nd, 3, path, "flexible shapes ('%s')", nm);
		if (t->kind == FT_SEQUENCE)
			needs(nd, 3, path, "a sequence feature ('%s')", nm);
		if (t->dtype && !strcmp(t->dtype, "float16"))
			needs(nd, 7, path, "a float16 multi-array ('%s')", nm);
		if (t->color && !strcmp(t->color, "GRAYSCALE_FLOAT16"))
			needs(nd, 7, path, "a GRAYSCALE_FLOAT16 image ('%s')", nm);
		if (t->dtype && !strcmp(t->dtype, "int8"))
			needs(nd, 10, path, "an int8 multi-array ('%s')", nm);
		if (t->kind == FT_STATE)
			needs(nd, 9, path, "a state ('%s')", nm);
		if (nmtype && !strcmp(nmtype, "nonMaximumSuppression") && t->dtype && !strcmp(t->dtype, "float32"))
			needs(nd, 5, path, "float32 non-maximum suppression ('%s')", nm);
	}
}

static int one_need(struct mt_node *model, const char *path, struct need *nd)
{
	static const struct {
		const char *type;
		int v;
	} by_type[] = {
		{ "customModel", 3 }, { "textClassifier", 3 }, { "wordTagger", 3 }, { "visionFeaturePrint", 3 },
		{ "nonMaximumSuppression", 3 }, { "bayesianProbitRegressor", 3 }, { "kNearestNeighborsClassifier", 4 },
		{ "linkedModel", 4 }, { "itemSimilarityRecommender", 4 }, { "soundAnalysisPreprocessing", 4 },
		{ "serializedModel", 5 }, { "mlProgram", 6 }, { "classConfidenceThresholding", 8 },
	};
	const char *type = model_type_name(model);
	for (size_t i = 0; type && i < sizeof(by_type) / sizeof(by_type[0]); i++)
		if (!strcmp(type, by_type[i].type))
			needs(nd, by_type[i].v, path, "%s", type);
	if (mt_get_int(model, 10, 0))
		needs(nd, 4, path, "an updatable model");
	struct model_io io;
	if (io_read(model, &io) < 0) {
		io_release(&io);
		return -1;
	}
	for (size_t g = 0; g < io.n; g++) {
		feature_needs(nd, &io.g[g].in, path, type);
		feature_needs(nd, &io.g[g].out, path, type);
		feature_needs(nd, &io.g[g].state, path, type);
		feature_needs(nd, &io.g[g].training, path, type);
	}
	if (io.n > 1)
		needs(nd, 9, path, "function descriptions");
	io_release(&io);
	struct mt_node *nn = nn_network(model);
	if (nn) {
		long i = -1;
		int r;
		struct mt_node *layer;
		size_t idx = 0;
		while ((r = next_child(nn, 1, &i, &layer)) == 1) {
			struct nn_layer l;
			if (nn_layer_read(layer, idx++, &l) < 0) {
				nn_layer_release(&l);
				return -1;
			}
			if (!strcmp(l.kind, "custom"))
				needs(nd, 2, path, "a custom layer ('%s')", l.name);
			for (size_t k = 0; k < l.nw; k++) {
				if (!strcmp(l.w[k].type, "float16"))
					needs(nd, 2, path, "float16 weights ('%s')", l.name);
				if (!strcmp(l.w[k].type, "quantized") || !strcmp(l.w[k].type, "lut"))
					needs(nd, 3, path, "quantized weights ('%s')", l.name);
			}
			nn_layer_release(&l);
		}
		if (r < 0)
			return -1;
	}
	long t = model_type_field(model);
	if (t >= 0 && model->f[t].number == M_MLPROGRAM) {
		struct mt_node *prog = mt_child(model, (size_t)t);
		struct mil_function *fv = NULL;
		size_t nf = 0;
		if (!prog || mil_functions(prog, &fv, &nf) < 0) {
			mil_functions_free(fv, nf);
			return -1;
		}
		for (size_t k = 0; k < nf; k++) {
			int ver = 0;
			if (fv[k].opset && !strncmp(fv[k].opset, "CoreML", 6))
				ver = atoi(fv[k].opset + 6);
			if (ver >= 6)
				needs(nd, ver + 1, path, "opset %s", fv[k].opset);
		}
		mil_functions_free(fv, nf);
	}
	return 0;
}

int spec_need(struct mt_node *model, int *need, char **why)
{
	struct need nd = { 1, NULL };
	struct model_ref *v;
	size_t n;
	int rc = model_list(model, &v, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = one_need(v[i].node, v[i].path, &nd);
	model_list_free(v, n);
	*need = nd.v;
	if (!nd.why)
		nd.why = xstrdup("the basic model types");
	*why = nd.why;
	return rc;
}
