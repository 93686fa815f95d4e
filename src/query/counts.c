/* counts: what a model holds, counted (layers, ops, weights, parameters,
 * trees, support vectors...). */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/mil.h"
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

/* ---- counts -------------------------------------------------------------------------- */

static int count_function(struct mil_walk *w, void *ctx)
{
	(void)w;
	((struct model_counts *)ctx)->functions++;
	return 0;
}

static int count_op(struct mil_walk *w, void *ctx)
{
	struct model_counts *c = ctx;
	const struct mil_op *o = &w->b->o;
	c->ops++;
	for (size_t k = 0; k < o->nw; k++) {
		const struct mil_weight_ref *r = &o->w[k];
		c->weights++;
		c->params += r->count;
		if (r->dtype && r->dtype->bits)
			c->weight_bytes += (r->count * (uint64_t)r->dtype->bits + 7) / 8;
		if (!sl_has(&c->files, r->file))
			sl_push(&c->files, xstrdup(r->file));
	}
	return 0;
}

static const struct mil_visitor count_visitor = {
	.function = count_function,
	.op = count_op,
	.read_ops = 1,
};

/* the scalars of every occurrence of field num of n (packed or not) */
static uint64_t count_scalars(struct mt_node *n, uint32_t num)
{
	uint64_t k = 0;
	for (size_t i = 0; n && i < n->n; i++) {
		size_t pos = 0;
		uint64_t u;
		if (n->f[i].number == num && n->f[i].fd)
			while (mt_scalar_next(&n->f[i], &pos, &u))
				k++;
	}
	return k;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* A tree ensemble's nodes: trees by treeId, leaves by nodeBehavior (6: LeafNode).
 * Ensembles can hold millions of nodes: each is read off its bytes, no
 * node of the tree is made for it. */
static int count_trees(struct mt_node *ens, struct model_counts *c)
{
	c->has_tree = 1;
	if (!ens)
		return 0;
	if (mt_parse(ens) < 0)
		return -1;
	size_t n = count_num(ens, F_TreeEnsembleParameters_nodes), k = 0;
	uint64_t *ids = xcalloc(n + 1, sizeof(*ids));
	for (size_t i = 0; i < ens->n && k < n; i++) {
		const struct mt_field *f = &ens->f[i];
		if (f->number != F_TreeEnsembleParameters_nodes || !f->fd || f->wt != WT_LEN)
			continue;
		const uint8_t *p = f->val, *end = f->val + f->vlen;
		struct wire_field w;
		const char *why;
		uint64_t id = 0, behavior = 0;
		int r;
		while ((r = wire_next(&p, end, &w, &why)) == 1)
			if (w.wt == WT_VARINT && w.number == F_TreeEnsembleParameters_TreeNode_treeId)
				id = w.u;
			else if (w.wt == WT_VARINT && w.number == F_TreeEnsembleParameters_TreeNode_nodeBehavior)
				behavior = w.u;
		if (r < 0) {
			free(ids);
			return error_code(EXIT_INVALID, "'%s': a tree node does not decode: %s",
					  ens->label ? ens->label : "?", why);
		}
		ids[k++] = id;
		c->tree_leaves += behavior == 6;
	}
	qsort(ids, k, sizeof(*ids), by_u64);
	for (size_t j = 0; j < k; j++)
		c->trees += !j || ids[j] != ids[j - 1];
	c->tree_nodes += k;
	free(ids);
	return 0;
}

/* GLMs: the values of their weights and their offsets; SVMs: support
 * vectors (sparse or dense) and coefficients (alpha); nearest neighbors:
 * the index's floatSamples */
static int count_classic(struct mt_node *model, long t, struct model_counts *c)
{
	uint32_t num = model->f[t].number;
	if (num != F_Model_glmRegressor && num != F_Model_supportVectorRegressor &&
	    num != F_Model_treeEnsembleRegressor && num != F_Model_glmClassifier &&
	    num != F_Model_supportVectorClassifier && num != F_Model_treeEnsembleClassifier &&
	    num != F_Model_kNearestNeighborsClassifier)
		return 0;
	struct mt_node *p = mt_child(model, (size_t)t);
	if (!p || mt_parse(p) < 0)
		return -1;
	if (num == F_Model_treeEnsembleRegressor || num == F_Model_treeEnsembleClassifier)
		return count_trees(mt_get(p, num == F_Model_treeEnsembleRegressor
						     ? F_TreeEnsembleRegressor_treeEnsemble
						     : F_TreeEnsembleClassifier_treeEnsemble),
				   c);
	long i = -1;
	int r = 0;
	struct mt_node *x;
	if (num == F_Model_glmRegressor || num == F_Model_glmClassifier) {
		c->has_glm = 1;
		while ((r = next_child(p,
				       num == F_Model_glmRegressor ? F_GLMRegressor_weights : F_GLMClassifier_weights,
				       &i, &x)) == 1)
			c->coefficients +=
				count_scalars(x, num == F_Model_glmRegressor ? F_GLMRegressor_DoubleArray_value
									     : F_GLMClassifier_DoubleArray_value);
		c->coefficients +=
			count_scalars(p, num == F_Model_glmRegressor ? F_GLMRegressor_offset : F_GLMClassifier_offset);
	} else if (num == F_Model_supportVectorRegressor || num == F_Model_supportVectorClassifier) {
		c->has_svm = 1;
		/* the regressor and the classifier number these apart */
		int reg = num == F_Model_supportVectorRegressor;
		uint32_t sparse = reg ? F_SupportVectorRegressor_sparseSupportVectors
				      : F_SupportVectorClassifier_sparseSupportVectors;
		uint32_t dense = reg ? F_SupportVectorRegressor_denseSupportVectors
				     : F_SupportVectorClassifier_denseSupportVectors;
		uint32_t coef = reg ? F_SupportVectorRegressor_coefficients : F_SupportVectorClassifier_coefficients;
		struct mt_node *sv = mt_get(p, sparse);
		if (!sv)
			sv = mt_get(p, dense);
		if (sv && mt_parse(sv) == 0)
			c->support_vectors += count_num(sv, F_SparseSupportVectors_vectors);
		while ((r = next_child(p, coef, &i, &x)) == 1)
			c->coefficients += count_scalars(x, F_Coefficients_alpha);
	} else {
		c->has_knn = 1;
		struct mt_node *idx = mt_get(p, F_KNearestNeighborsClassifier_nearestNeighborsIndex);
		if (idx && mt_parse(idx) == 0)
			c->examples += count_num(idx, F_NearestNeighborsIndex_floatSamples);
	}
	return r < 0 ? -1 : 0;
}

/* a layer of a network, nested ones included */
static int count_layer(const struct nn_visit *v, void *ctx)
{
	struct model_counts *c = ctx;
	struct nn_layer l;
	if (nn_layer_read(v->layer, v->pos, &l) < 0)
		return -1;
	c->layers++;
	for (size_t k = 0; k < l.nw; k++) {
		c->weights++;
		c->params += l.w[k].count;
		c->weight_bytes += l.w[k].bytes;
	}
	nn_layer_release(&l);
	return 0;
}

static int count_one(struct mt_node *model, struct model_counts *c)
{
	c->models++;
	struct mt_node *nn = nn_network(model);
	if (nn) {
		c->has_nn = 1;
		return nn_walk(nn, "", 0, count_layer, c) < 0 ? -1 : 0;
	}
	long t = model_type_field(model);
	if (t >= 0 && model->f[t].number == F_Model_mlProgram) {
		c->has_mil = 1;
		struct mt_node *prog = mt_child(model, (size_t)t);
		if (!prog)
			return -1;
		return mil_walk(prog, "", &count_visitor, c);
	}
	return t >= 0 ? count_classic(model, t, c) : 0;
}

char *classic_summary(const struct model_counts *c)
{
	struct strbuf sb = STRBUF_INIT;
	if (c->has_tree)
		sb_addf(&sb, "%llu tree%s, %llu nodes (%llu leaves)", (unsigned long long)c->trees,
			c->trees == 1 ? "" : "s", (unsigned long long)c->tree_nodes,
			(unsigned long long)c->tree_leaves);
	if (c->has_svm)
		sb_addf(&sb, "%s%llu support vectors", sb.len ? ", " : "", (unsigned long long)c->support_vectors);
	if (c->has_glm || c->has_svm)
		sb_addf(&sb, "%s%llu coefficients", sb.len ? ", " : "", (unsigned long long)c->coefficients);
	if (c->has_knn)
		sb_addf(&sb, "%s%llu examples", sb.len ? ", " : "", (unsigned long long)c->examples);
	return sb.len ? sb_detach(&sb, NULL) : (sb_release(&sb), NULL);
}

int model_count(struct mt_node *model, struct model_counts *c)
{
	struct model_ref *v;
	size_t n;
	int rc = model_list(model, &v, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = count_one(v[i].node, c);
	model_list_free(v, n);
	return rc;
}

void model_counts_release(struct model_counts *c)
{
	sl_free(&c->files);
}
