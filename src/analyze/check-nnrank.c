/* check-nnrank: the ranks Core ML holds neural-network layers to when it
 * reads tensors as N-dimensional (EXACT_ARRAY_MAPPING, an image mapping
 * other than RANK5, or a layer newer than iOS 12 in the network).
 *
 * Core ML does not infer ranks through the layers.  It knows a blob's rank
 * from three places only: a model input (a multi-array: its shape's length;
 * an image: 4, or 5 with RANK5_IMAGE_MAPPING), a model output declared with
 * a shape, and the inputTensor / outputTensor ranks a layer declares (which
 * must agree with each other and with the model's).  Each layer of the
 * rank-5 era then asks, where both are known, that its first input and
 * first output have one rank, within the bounds of the table below.  This
 * follows Apple's validator (apple/coremltools mlmodel/src, NeuralNetwork
 * validation); the messages are ours. */
#include "analyze/check-internal.h"
#include "base/hash.h"
#include "base/xalloc.h"
#include "spec/wire.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int nn_ranks_nd(struct mt_node *nn, int64_t amap, int64_t imap)
{
	if (amap != 0 || imap != 0)
		return 1;
	long i = -1;
	struct mt_node *layer;
	size_t idx = 0;
	int nd = 0;
	while (!nd && next_child(nn, mt_number(nn, "layers"), &i, &layer) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, idx++, &l) < 0)
			break;
		const char *why;
		nd = nn_layer_needs(&l, &why) >= 4; /* a layer newer than iOS 12 */
		nn_layer_release(&l);
	}
	return nd;
}

static void put_rank(struct hmap *m, const char *blob, int rank)
{
	hmap_put(m, blob, (void *)(intptr_t)(rank + 1));
}

/* the rank known for blob in m, or -1 */
static int get_rank(const struct hmap *m, const char *blob)
{
	return (int)(intptr_t)hmap_get(m, blob) - 1;
}

void nn_ranks_begin(struct nn_ranks *k, const struct io_group *g, int64_t amap, int64_t imap)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < g->in.n; i++) {
		const struct ft_info *t = &g->in.v[i].type;
		if (t->kind == FT_ARRAY)
			put_rank(&k->io, g->in.v[i].name, amap == 0 ? 5 : (int)t->shape.rank);
		else if (t->kind == FT_IMAGE)
			put_rank(&k->io, g->in.v[i].name, imap == 0 ? 5 : 4);
	}
	for (size_t i = 0; i < g->out.n; i++) {
		const struct ft_info *t = &g->out.v[i].type;
		if (t->kind == FT_ARRAY && t->shape.rank)
			put_rank(&k->io, g->out.v[i].name, (int)t->shape.rank);
	}
	size_t it = 0;
	struct hmap_ent *e;
	while ((e = hmap_next(&k->io, &it)))
		hmap_put(&k->blobs, e->key, e->val);
}

void nn_ranks_end(struct nn_ranks *k)
{
	hmap_release(&k->io, NULL);
	hmap_release(&k->blobs, NULL);
}

/* the ranks a layer declares in field name (inputTensor, outputTensor) for
 * the blobs of list: recorded, or a problem when they disagree; 0 when the
 * layer's rules may go on */
static int declared(struct nn_ranks *k, const struct nn_layer *l, const char *lp, const char *name,
		    const struct strlist *list, struct check_report *r)
{
	uint32_t num = mt_number(l->node, name);
	long i = -1;
	struct mt_node *t;
	size_t n = 0;
	while (num && next_child(l->node, num, &i, &t) == 1)
		n++;
	if (!n)
		return 0;
	const char *what = !strcmp(name, "inputTensor") ? "input" : "output";
	if (n != list->n) {
		ck_add(r, CHECK_ERROR, lp, "%zu %s ranks declared in %s for %zu %ss: Core ML needs one each", n, what,
		       name, list->n, what);
		return -1;
	}
	i = -1;
	for (size_t q = 0; q < n && next_child(l->node, num, &i, &t) == 1; q++) {
		int rank = (int)mt_get_int_named(t, "rank", 0);
		const char *b = list->v[q];
		size_t dims = mt_count_named(t, "dimValue");
		if (dims && ((size_t)rank != dims || rank < 1)) {
			ck_add(r, CHECK_ERROR, lp, "%s '%s' declared in %s of rank %d with %zu dimensions", what, b,
			       name, rank, dims);
			return -1;
		}
		int io = get_rank(&k->io, b), known = get_rank(&k->blobs, b);
		if (io >= 0 && io != rank) {
			ck_add(r, CHECK_ERROR, lp,
			       "%s '%s' declared of rank %d in %s, but the model's description gives it rank %d", what,
			       b, rank, name, io);
			return -1;
		}
		if (known >= 0 && known != rank) {
			ck_add(r, CHECK_ERROR, lp, "%s '%s' declared of rank %d in %s, but of rank %d before", what, b,
			       rank, name, known);
			return -1;
		}
		put_rank(&k->blobs, b, rank);
	}
	return 0;
}

/* the rank rules of the layers that have them: first input and first
 * output of one rank (same), within lo..hi (0: no bound) */
static const struct rank_rule {
	const char *kind;
	int same, lo, hi;
} rules[] = {
	{ "convolution", 1, 4, 0 },
	{ "convolution3d", 1, 5, 0 },
	{ "innerProduct", 1, 1, 5 },
	{ "batchnorm", 1, 3, 0 },
	{ "pooling", 1, 4, 0 },
	{ "pooling3d", 1, 5, 0 },
	{ "globalPooling3d", 1, 5, 0 },
	{ "padding", 1, 2, 0 },
	{ "lrn", 1, 3, 0 },
	{ "split", 1, 3, 0 },
	{ "unary", 1, 0, 0 },
	{ "upsample", 1, 3, 0 },
	{ "bias", 1, 3, 0 },
	{ "l2normalize", 1, 3, 0 },
	{ "reshape", 1, 5, 5 },
	{ "flatten", 1, 3, 0 },
	{ "permute", 1, 5, 5 },
	{ "reduce", 1, 0, 0 },
	{ "reorganizeData", 1, 3, 0 },
	{ "slice", 1, 0, 0 },
	{ "scale", 1, 3, 0 },
	{ "simpleRecurrent", 1, 5, 5 },
	{ "gru", 1, 5, 5 },
	{ "uniDirectionalLSTM", 1, 5, 5 },
	{ "biDirectionalLSTM", 1, 5, 5 },
	{ "crop", 1, 3, 0 },
	{ "dot", 1, 3, 0 },
	{ "mvn", 1, 3, 0 },
	{ "embedding", 1, 4, 0 },
	{ "embeddingND", 1, 2, 5 },
	{ "sequenceRepeat", 1, 5, 0 },
	{ "softmax", 1, 3, 0 },
	{ "concat", 1, 3, 0 },
	{ "resizeBilinear", 1, 3, 0 },
	{ "cropResize", 1, 5, 0 },
	{ "topK", 1, 0, 0 },
	{ "argMax", 1, 0, 0 },
	{ "argMin", 1, 0, 0 },
	{ "constantPad", 1, 0, 0 },
	{ "argSort", 1, 0, 0 },
};

static const char *article(const char *kind)
{
	return strchr("aeiou", kind[0]) ? "an" : "a";
}

/* a rank within lo..hi, or a problem */
static int bounded(const struct nn_layer *l, const char *lp, const char *what, int rank, int lo, int hi,
		   struct check_report *r)
{
	if (rank < 0 || ((!lo || rank >= lo) && (!hi || rank <= hi)))
		return 0;
	if (lo == hi)
		ck_add(r, CHECK_ERROR, lp, "%s %s layer whose %s has rank %d: Core ML takes rank %d", article(l->kind),
		       l->kind, what, rank, lo);
	else if (rank < lo)
		ck_add(r, CHECK_ERROR, lp, "%s %s layer whose %s has rank %d: Core ML takes rank %d or more",
		       article(l->kind), l->kind, what, rank, lo);
	else
		ck_add(r, CHECK_ERROR, lp, "%s %s layer whose %s has rank %d: Core ML takes rank %d at most",
		       article(l->kind), l->kind, what, rank, hi);
	return -1;
}

/* all of list of the rank of its first (where known), or a problem */
static int all_alike(const struct nn_ranks *k, const struct nn_layer *l, const char *lp, const struct strlist *list,
		     const char *what, struct check_report *r)
{
	int first = list->n ? get_rank(&k->blobs, list->v[0]) : -1;
	for (size_t q = 1; first >= 0 && q < list->n; q++) {
		int rk = get_rank(&k->blobs, list->v[q]);
		if (rk >= 0 && rk != first) {
			ck_add(r, CHECK_ERROR, lp, "%s %s layer whose %ss have ranks %d and %d: Core ML needs one rank",
			       article(l->kind), l->kind, what, first, rk);
			return -1;
		}
	}
	return 0;
}

void nn_ranks_layer(struct nn_ranks *k, const struct nn_layer *l, const char *lp, struct check_report *r)
{
	if (!l->kind || !*l->kind)
		return;
	if (declared(k, l, lp, "inputTensor", &l->in, r) < 0 || declared(k, l, lp, "outputTensor", &l->out, r) < 0)
		return;
	const struct rank_rule *rule = NULL;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(l->kind, rules[i].kind))
			rule = &rules[i];
	int lo = rule ? rule->lo : 0, hi = rule ? rule->hi : 0;
	if (!strcmp(l->kind, "loadConstant")) {
		bounded(l, lp, "output", l->out.n ? get_rank(&k->blobs, l->out.v[0]) : -1, 5, 5, r);
		return;
	}
	if (!strcmp(l->kind, "activation")) {
		/* of the activations, only PReLU and parametricSoftplus */
		if (!mt_get_named(l->params, "PReLU") && !mt_get_named(l->params, "parametricSoftplus"))
			return;
		lo = 3;
	} else if (!rule) {
		return;
	}
	if (!strcmp(l->kind, "concat") && mt_get_int_named(l->params, "sequenceConcat", 0))
		lo = 5;
	int in = l->in.n ? get_rank(&k->blobs, l->in.v[0]) : -1;
	int out = l->out.n ? get_rank(&k->blobs, l->out.v[0]) : -1;
	if (in >= 0 && out >= 0 && in != out) {
		ck_add(r, CHECK_ERROR, lp,
		       "%s %s layer whose input has rank %d and output rank %d: Core ML needs one rank",
		       article(l->kind), l->kind, in, out);
		return;
	}
	if (bounded(l, lp, "input", in, lo, hi, r) < 0 || bounded(l, lp, "output", out, lo, hi, r) < 0)
		return;
	if (!strcmp(l->kind, "split"))
		all_alike(k, l, lp, &l->out, "output", r);
	else if (!strcmp(l->kind, "concat"))
		all_alike(k, l, lp, &l->in, "input", r);
	else if ((!strcmp(l->kind, "crop") || !strcmp(l->kind, "dot") || !strcmp(l->kind, "cropResize")) &&
		 l->in.n > 1) {
		int b = get_rank(&k->blobs, l->in.v[1]);
		if (in >= 0 && b >= 0 && in != b)
			ck_add(r, CHECK_ERROR, lp,
			       "%s %s layer whose inputs have ranks %d and %d: Core ML needs one rank",
			       article(l->kind), l->kind, in, b);
	} else if (!strcmp(l->kind, "topK") && l->out.n > 1) {
		int b = get_rank(&k->blobs, l->out.v[1]);
		if (in >= 0 && b >= 0 && in != b)
			ck_add(r, CHECK_ERROR, lp,
			       "a topK layer whose input has rank %d and second output rank %d: Core ML needs one rank",
			       in, b);
	}
}
