/* models: a model's members, pipelines nested in pipelines, as a list. */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/fields.h"
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

/* ---- models and pipelines ---------------------------------------------------------- */

struct mt_node *model_pipeline(struct mt_node *model)
{
	long t = model_type_field(model);
	if (t < 0)
		return NULL;
	uint32_t num = model->f[t].number;
	struct mt_node *c = mt_child(model, (size_t)t);
	if (!c)
		return NULL;
	if (num == F_Model_pipeline)
		return c;
	if (num == F_Model_pipelineClassifier || num == F_Model_pipelineRegressor)
		return mt_get(c, num == F_Model_pipelineClassifier ? F_PipelineClassifier_pipeline
								   : F_PipelineRegressor_pipeline);
	return NULL;
}

static int list_models(struct mt_node *m, const char *path, char *name, int depth, struct model_ref **v, size_t *n,
		       size_t *cap)
{
	if (mt_parse(m) < 0) {
		free(name);
		return -1;
	}
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	struct model_ref *r = &(*v)[(*n)++];
	r->node = m;
	r->path = xstrdup(path);
	r->name = name;
	r->depth = depth;
	r->version = (int)mt_get_int(m, F_Model_specificationVersion, 0);
	r->type = model_type_name(m);
	long t = model_type_field(m);
	if (t < 0)
		return 0;
	struct mt_node *p = model_pipeline(m);
	if (!p)
		return mt_child(m, (size_t)t) ? 0 : -1;
	const char *tn = m->f[t].fd->name;
	/* names are parallel to models */
	struct strlist names = { 0 };
	for (size_t i = 0; i < p->n; i++)
		if (p->f[i].number == F_Pipeline_names && p->f[i].wt == WT_LEN)
			sl_push(&names, xstrndup((const char *)p->f[i].val, p->f[i].vlen));
	long i = -1;
	int r2;
	size_t k = 0;
	struct mt_node *c;
	while ((r2 = next_child(p, F_Pipeline_models, &i, &c)) == 1) {
		char *sub = m->f[t].number == F_Model_pipeline
				    ? xasprintf("%s%s%s.models[%zu]", path, *path ? "." : "", tn, k)
				    : xasprintf("%s%s%s.pipeline.models[%zu]", path, *path ? "." : "", tn, k);
		char *nm = k < names.n ? xstrdup(names.v[k]) : NULL;
		int rr = list_models(c, sub, nm, depth + 1, v, n, cap);
		free(sub);
		k++;
		if (rr < 0) {
			sl_free(&names);
			return -1;
		}
	}
	sl_free(&names);
	return r2;
}

int model_list(struct mt_node *root, struct model_ref **v, size_t *n)
{
	size_t cap = 0;
	*v = NULL;
	*n = 0;
	int r = list_models(root, "", NULL, 0, v, n, &cap);
	if (r < 0) {
		/* nothing for the caller to free (not every caller did) */
		model_list_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return r;
}

void model_list_free(struct model_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
	}
	free(v);
}
