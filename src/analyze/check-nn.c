/* check-nn: the layers of neural networks, nested networks included. */
#include "analyze/check-internal.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "base/hash.h"
#include <stdint.h>
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- neural networks ------------------------------------------------------ */

/* a * b, or 0 when it overflows (no expectation then) */
static uint64_t mul(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_mul_overflow(a, b, &r) ? 0 : r;
}

/* The weight fields of the layers against the sizes their parameters
 * declare (nn_weight_shape: innerProduct, convolution, embedding(ND),
 * batchedMatmul, batchnorm, loadConstant, scale, bias).  Quantized values
 * are compared by their bytes; raw bytes are not checked. */
static void check_nn_weights(const struct nn_layer *l, const char *lp, struct check_report *r)
{
	if (!l->kind || !l->params || !l->nw)
		return;
	for (size_t i = 0; i < l->nw; i++) {
		const struct nn_weight *w = &l->w[i];
		uint64_t dims[8], want = 1;
		char how[160];
		size_t rank = nn_weight_shape(l, w->field, dims, 8, how, sizeof(how));
		int over = 0;
		for (size_t d = 0; d < rank; d++) {
			over |= want && dims[d] && !mul(want, dims[d]);
			want = mul(want, dims[d]);
		}
		/* a zero dimension (kernel 0x0, no input channels): the shape says
		 * how (how) but has no rank, and no weights fit */
		if (!rank && how[0] && w->count && w->type &&
		    (!strcmp(w->type, "float32") || !strcmp(w->type, "float16")))
			want = 0; /* (Core ML does not size quantized values against it) */
		else if (!rank || over || !w->type || !strcmp(w->type, "raw") || w->bits <= 0)
			continue;
		if (!want) {
			char *wp = join(lp, "%s.%s", l->kind, w->field);
			add(r, CHECK_ERROR, wp, "%llu values, but %s leaves room for none",
			    (unsigned long long)w->count, how);
			free(wp);
			continue;
		}
		int bad, packed = !strcmp(w->type, "quantized") || !strcmp(w->type, "lut");
		if (packed)
			bad = w->bytes != (mul(want, (uint64_t)w->bits) + 7) / 8 || (!w->bytes && want);
		else
			bad = w->count != want;
		if (!bad)
			continue;
		char *wp = join(lp, "%s.%s", l->kind, w->field);
		if (packed)
			add(r, CHECK_ERROR, wp, "%llu bytes of %d-bit values, but %s needs %llu values (%llu bytes)",
			    (unsigned long long)w->bytes, w->bits, how, (unsigned long long)want,
			    (unsigned long long)((mul(want, (uint64_t)w->bits) + 7) / 8));
		else
			add(r, CHECK_ERROR, wp, "%llu %s values, but %s needs %llu", (unsigned long long)w->count,
			    w->type, how, (unsigned long long)want);
		free(wp);
	}
}

/* Core ML wants a layer's weights and bias in one precision: float16
 * weights with a float32 bias (or the other way round) are refused when
 * the layer says it has a bias.  The layers it asks this of, with the
 * number of their hasBias field. */
static void check_nn_precision(const struct nn_layer *l, const char *lp, struct check_report *r)
{
	static const struct {
		const char *kind;
		uint32_t has_bias;
	} k[] = { { "innerProduct", F_InnerProductLayerParams_hasBias },
		  { "batchedMatmul", F_BatchedMatMulLayerParams_hasBias },
		  { "convolution", F_ConvolutionLayerParams_hasBias },
		  { "convolution3d", F_Convolution3DLayerParams_hasBias },
		  { "embedding", F_EmbeddingLayerParams_hasBias },
		  { "embeddingND", F_EmbeddingNDLayerParams_hasBias } };
	if (!l->kind || !l->params)
		return;
	size_t i = 0;
	while (i < sizeof(k) / sizeof(k[0]) && strcmp(l->kind, k[i].kind))
		i++;
	if (i == sizeof(k) / sizeof(k[0]) || !mt_get_int(l->params, k[i].has_bias, 0))
		return;
	const char *wt = NULL, *bt = NULL;
	for (size_t j = 0; j < l->nw; j++) {
		if (!strcmp(l->w[j].field, "weights"))
			wt = l->w[j].type;
		else if (!strcmp(l->w[j].field, "bias"))
			bt = l->w[j].type;
	}
	if (!wt || !bt)
		return;
	if ((!strcmp(wt, "float16") && !strcmp(bt, "float32")) || (!strcmp(wt, "float32") && !strcmp(bt, "float16"))) {
		char *p = join(lp, "%s", l->kind);
		add(r, CHECK_ERROR, p, "%s weights with a %s bias: Core ML needs both in one precision", wt, bt);
		free(p);
	}
}

/* the layers that may have no input: constants, static generators, loops */
static int may_have_no_input(const char *kind)
{
	static const char *const k[] = { "loadConstant",        "loadConstantND",        "fillStatic",
					 "rangeStatic",         "rangeDynamic",          "randomNormalStatic",
					 "randomUniformStatic", "randomBernoulliStatic", "loop",
					 "loopBreak",           "loopContinue",          "custom" };
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcmp(kind, k[i]))
			return 1;
	return 0;
}

/* networks inside branch and loop layers are followed this deep */
#define NN_MAX_NESTING 32

static int check_layers(struct mt_node *nn, const char *base, struct sset *avail, struct sset *used, int depth,
			int in_loop, int *newer, struct check_report *r);

/* the ranks of an N-dimensional network's blobs, for check_layers (NULL
 * when Core ML reads the network as rank 5) */
static struct nn_ranks *nd_ranks;

/* the network in field f of a branch or loop layer's parameters, if set:
 * checked with the blobs in avail; 0 or -1 */
static int check_sub(struct mt_node *params, uint32_t f, const char *lp, const char *name, struct sset *avail,
		     struct sset *used, int depth, int in_loop, struct check_report *r)
{
	struct mt_node *sub;
	long j = -1;
	int c = next_child(params, f, &j, &sub);
	if (c != 1)
		return c < 0 ? -1 : 0;
	char *sp = join(lp, "%s", name);
	int newer = 0; /* counted at the top level only */
	int rc = check_layers(sub, sp, avail, used, depth + 1, in_loop, &newer, r);
	free(sp);
	return rc;
}

/* The layers of the network nn, whose path is base: every input made before
 * the layer (in avail), names unique in this network.  The networks of a
 * branch layer see what was made before it, and what either of them makes is
 * seen after it; a loop's condition and body networks likewise.  depth > 0
 * inside such a network, where writing over an earlier blob is how a branch
 * or a loop hands back its results (no warning then), and where a loop body
 * may read what its previous iteration made (missing inputs are warnings). */
static int check_layers(struct mt_node *nn, const char *base, struct sset *avail, struct sset *used, int depth,
			int in_loop, int *newer, struct check_report *r)
{
	if (depth > NN_MAX_NESTING) {
		add(r, CHECK_WARNING, base, "networks nested more than %d deep: not checked", NN_MAX_NESTING);
		return 0;
	}
	struct sset names = { 0 };
	size_t idx = 0;
	long i = -1;
	int rc;
	struct mt_node *layer;
	while ((rc = next_child(nn, F_NeuralNetwork_layers, &i, &layer)) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, idx, &l) < 0) {
			nn_layer_release(&l);
			rc = -1;
			break;
		}
		char *lp = *l.name ? join(base, "layers[name=\"%s\"]", l.name) : join(base, "layers[%zu]", idx);
		/* Core ML accepts these; tools that find layers by name do not */
		if (!*l.name)
			add(r, CHECK_WARNING, lp, "a layer without a name");
		else if (!sset_add(&names, l.name))
			add(r, CHECK_WARNING, lp, "the layer name '%s' is used by an earlier layer", l.name);
		if (!l.kind || !*l.kind || !strcmp(l.kind, "?"))
			add(r, CHECK_ERROR, lp, "a layer without a kind (no layer oneof set)");
		else if (!l.in.n && !may_have_no_input(l.kind))
			add(r, CHECK_ERROR, lp, "a %s layer without inputs", l.kind);
		check_nn_weights(&l, lp, r);
		check_nn_precision(&l, lp, r);
		check_nn_layer_params(&l, lp, r);
		if (l.kind && *l.kind && !l.out.n && strcmp(l.kind, "branch") && strcmp(l.kind, "loop") &&
		    strcmp(l.kind, "loopBreak") && strcmp(l.kind, "loopContinue"))
			add(r, CHECK_ERROR, lp, "%s %s layer without outputs", strchr("aeiou", l.kind[0]) ? "an" : "a",
			    l.kind);
		if (nd_ranks && !depth)
			nn_ranks_layer(nd_ranks, &l, lp, r);
		if (!depth && l.kind) {
			const char *why;
			if (nn_layer_needs(&l, &why) >= 4)
				*newer = 1;
		}
		if (l.params && l.kind &&
		    ((!strcmp(l.kind, "innerProduct") &&
		      mt_get_int(l.params, F_InnerProductLayerParams_int8DynamicQuantize, 0)) ||
		     (!strcmp(l.kind, "batchedMatmul") &&
		      mt_get_int(l.params, F_BatchedMatMulLayerParams_int8DynamicQuantize, 0))))
			for (size_t k = 0; k < l.nw; k++)
				if (!strcmp(l.w[k].field, "weights") && strcmp(l.w[k].type, "int8"))
					add(r, CHECK_ERROR, lp,
					    "int8DynamicQuantize with %s weights: Core ML needs them in int8",
					    l.w[k].type);
		for (size_t k = 0; k < l.in.n; k++) {
			sset_add(used, l.in.v[k]);
			if (!sset_has(avail, l.in.v[k]))
				add(r, in_loop ? CHECK_WARNING : CHECK_ERROR, lp,
				    "input '%s' is neither a model input nor an output of an earlier layer", l.in.v[k]);
		}
		int branch = l.kind && !strcmp(l.kind, "branch"), loop = l.kind && !strcmp(l.kind, "loop");
		if ((branch || loop) && l.params) {
			if (branch) {
				/* each branch from what was there before; after: either's results */
				struct sset made = { 0 };
				for (uint32_t f = F_BranchLayerParams_ifBranch;
				     f <= F_BranchLayerParams_elseBranch && rc >= 0; f++) {
					struct sset mine = { 0 };
					sset_union(&mine, avail);
					rc = check_sub(l.params, f, lp,
						       f == F_BranchLayerParams_ifBranch ? "branch.ifBranch"
											 : "branch.elseBranch",
						       &mine, used, depth, in_loop, r);
					sset_union(&made, &mine);
					sset_free(&mine);
				}
				sset_union(avail, &made);
				sset_free(&made);
			} else {
				for (uint32_t f = F_LoopLayerParams_conditionNetwork;
				     f <= F_LoopLayerParams_bodyNetwork && rc >= 0; f++)
					rc = check_sub(l.params, f, lp,
						       f == F_LoopLayerParams_conditionNetwork ? "loop.conditionNetwork"
											       : "loop.bodyNetwork",
						       avail, used, depth, 1, r);
				char *cv = field_str(l.params, F_LoopLayerParams_conditionVar);
				if (*cv) {
					sset_add(used, cv);
					if (!sset_has(avail, cv))
						add(r, in_loop ? CHECK_WARNING : CHECK_ERROR, lp,
						    "the loop's condition '%s' is made by no earlier layer nor its "
						    "condition network",
						    cv);
				}
				free(cv);
			}
		}
		for (size_t k = 0; k < l.out.n; k++) {
			int inplace = 0;
			for (size_t q = 0; q < l.in.n; q++)
				inplace |= !strcmp(l.in.v[q], l.out.v[k]);
			/* Core ML wants every blob made once (copy layers aside) */
			if (!sset_add(avail, l.out.v[k]) && !depth && !(l.kind && !strcmp(l.kind, "copy")))
				add(r, CHECK_ERROR, lp, "output '%s' is %s", l.out.v[k],
				    inplace ? "also its input: Core ML wants every blob made once"
					    : "made a second time: Core ML wants every blob made once");
		}
		free(lp);
		nn_layer_release(&l);
		idx++;
		if (rc < 0)
			break;
	}
	sset_free(&names);
	return rc < 0 ? -1 : 0;
}

int check_nn(struct mt_node *nn, const char *npath, const char *prefix, const struct io_group *g, int classifier,
	     struct check_report *r)
{
	struct sset avail = { 0 }, used = { 0 };
	int newer = 0;
	for (size_t i = 0; i < g->in.n; i++)
		sset_add(&avail, g->in.v[i].name);
	long i = -1;
	int rc;
	struct mt_node *pp;
	while ((rc = next_child(nn, F_NeuralNetwork_preprocessing, &i, &pp)) == 1) {
		char *fname = field_str(pp, F_NeuralNetworkPreprocessing_featureName);
		if (*fname && !sset_has(&avail, fname)) {
			char *p = mt_path(pp);
			/* Core ML passes it over */
			add(r, CHECK_WARNING, p, "preprocessing for '%s', which is not an input", fname);
			free(p);
		} else if (*fname) {
			sset_add(&used, fname);
		} else if (g->in.n == 1) {
			sset_add(&used, g->in.v[0].name);
		}
		free(fname);
	}
	char *base = join(prefix, "%s", npath);
	/* the input shape mappings: values Core ML knows, and the ranks they allow */
	int64_t amap = mt_get_int(nn, mt_number(nn, "arrayInputShapeMapping"), 0);
	int64_t imap = mt_get_int(nn, mt_number(nn, "imageInputShapeMapping"), 0);
	/* Core ML tells RANK5 from the rest: another value works as EXACT (or RANK4) */
	if (amap != 0 && amap != 1) {
		char *p = join(prefix, "%s.arrayInputShapeMapping", npath);
		add(r, CHECK_WARNING, p,
		    "arrayInputShapeMapping %lld is not one the schema names (0 RANK5, 1 EXACT): Core ML takes it as "
		    "EXACT",
		    (long long)amap);
		free(p);
	}
	if (imap != 0 && imap != 1) {
		char *p = join(prefix, "%s.imageInputShapeMapping", npath);
		add(r, CHECK_WARNING, p,
		    "imageInputShapeMapping %lld is not one the schema names (0 RANK5, 1 RANK4): Core ML takes it as "
		    "RANK4",
		    (long long)imap);
		free(p);
	}
	if (amap == 0)
		for (size_t k = 0; k < g->in.n; k++) {
			const struct ft_info *t = &g->in.v[k].type;
			if (t->kind == FT_ARRAY && t->shape.rank && t->shape.rank != 1 && t->shape.rank != 3) {
				char *p = join(prefix, "description.input[%zu]", k);
				add(r, CHECK_ERROR, p,
				    "a multi-array input of rank %zu: with RANK5_ARRAY_MAPPING Core ML takes rank 1 "
				    "(a vector) or 3 (C, H, W)",
				    t->shape.rank);
				free(p);
			}
		}
	if (mt_find(nn, F_NeuralNetwork_layers, 0) < 0) {
		add(r, CHECK_ERROR, base, "a neural network without layers");
	}
	/* (a pipeline's members too) */
	struct nn_ranks ranks;
	if (nn_ranks_nd(nn, amap, imap)) {
		nn_ranks_begin(&ranks, g, amap, imap);
		nd_ranks = &ranks;
	}
	if (rc >= 0)
		rc = check_layers(nn, base, &avail, &used, 0, 0, &newer, r);
	if (nd_ranks)
		nn_ranks_end(nd_ranks);
	nd_ranks = NULL;
	/* Core ML reads multi-array inputs as rank 5 unless told: layers newer
	 * than iOS 12, or an image mapping of iOS 13, need EXACT_ARRAY_MAPPING */
	int arrays = 0;
	for (size_t k = 0; k < g->in.n; k++)
		arrays |= g->in.v[k].type.kind == FT_ARRAY;
	if (rc >= 0 && arrays && !mt_get_int(nn, F_NeuralNetwork_arrayInputShapeMapping, 0) &&
	    (newer || mt_get_int(nn, F_NeuralNetwork_imageInputShapeMapping, 0))) {
		char *p = join(prefix, "%s.arrayInputShapeMapping", npath);
		add(r, CHECK_ERROR, p,
		    "RANK5_ARRAY_MAPPING with multi-array inputs and %s: Core ML needs EXACT_ARRAY_MAPPING",
		    newer ? "layers newer than iOS 12" : "an image shape mapping other than RANK5");
		free(p);
	}
	free(base);
	if (rc >= 0) {
		for (size_t k = 0; k < g->out.n; k++) {
			const char *o = g->out.v[k].name;
			if (classifier && ((g->predicted && !strcmp(o, g->predicted)) ||
					   (g->probabilities && !strcmp(o, g->probabilities))))
				continue;
			/* an input passed through as an output is not made by a layer */
			if (!sset_has(&avail, o) || in_list(&g->in, o)) {
				char *p = join(prefix, "description.output[%zu]", k);
				add(r, CHECK_ERROR, p, "output '%s' is not produced by any layer", o);
				free(p);
			}
		}
		char *prob = classifier ? field_str(nn, F_NeuralNetworkClassifier_labelProbabilityLayerName) : NULL;
		if (prob && *prob && (!sset_has(&avail, prob) || in_list(&g->in, prob))) {
			char *p = join(prefix, "%s.labelProbabilityLayerName", npath);
			add(r, CHECK_ERROR, p, "the probabilities come from '%s', which no layer makes", prob);
			free(p);
		}
		free(prob);
		for (size_t k = 0; k < g->in.n; k++)
			if (!sset_has(&used, g->in.v[k].name)) {
				char *p = join(prefix, "description.input[%zu]", k);
				add(r, CHECK_WARNING, p, "input '%s' is not used by any layer", g->in.v[k].name);
				free(p);
			}
	}
	sset_free(&avail);
	sset_free(&used);
	return rc < 0 ? -1 : 0;
}
