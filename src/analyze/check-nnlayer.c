/* check-nnlayer: what Core ML's validator asks of each neural-network layer
 * on its own: how many inputs and outputs it takes, the parameters it
 * needs set and the values they may have.  The rules follow Apple's
 * validator (apple/coremltools mlmodel/src, NeuralNetwork validation), as
 * it behaves on mutations of real models; messages are ours.  Parameters
 * are read by their field names in the schema. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "spec/wire.h"
#include <stdlib.h>
#include <string.h>

/* parameters by field name */
#define pmsg mt_get_named
#define pint mt_get_int_named

static double pfloat(struct mt_node *p, const char *name, double dflt)
{
	uint32_t num = p ? mt_number(p, name) : 0;
	long i = num ? mt_find_last(p, num) : -1;
	return i >= 0 ? mt_double(&p->f[i]) : dflt;
}

/* 1 when one of the named fields (a oneof's members) is set */
static int any_set(struct mt_node *p, const char *const *names)
{
	for (; *names; names++) {
		uint32_t num = mt_number(p, *names);
		if (num && mt_find(p, num, 0) >= 0)
			return 1;
	}
	return 0;
}

/* the inputs and outputs a layer kind takes: at least lo, at most hi (-1: any) */
static const struct {
	const char *kind;
	int in_lo, in_hi, out_lo, out_hi;
} counts[] = {
	{ "convolution", 1, 2, 1, 1 },    { "innerProduct", 1, 1, 1, 1 }, { "batchnorm", 1, 1, 1, 1 },
	{ "activation", 1, 1, 1, 1 },     { "pooling", 1, 1, 1, 1 },      { "padding", 1, 1, 1, 1 },
	{ "concat", 2, -1, 1, 1 },        { "lrn", 1, 1, 1, 1 },          { "softmax", 1, 1, 1, 1 },
	{ "split", 1, 1, 2, -1 },         { "unary", 1, 1, 1, 1 },        { "upsample", 1, 1, 1, 1 },
	{ "bias", 1, 1, 1, 1 },           { "l2normalize", 1, 1, 1, 1 },  { "reshape", 1, 1, 1, 1 },
	{ "flatten", 1, 1, 1, 1 },        { "permute", 1, 1, 1, 1 },      { "reduce", 1, 1, 1, 1 },
	{ "scale", 1, 1, 1, 1 },          { "mvn", 1, 1, 1, 1 },          { "embedding", 1, 1, 1, 1 },
	{ "reorganizeData", 1, 1, 1, 1 }, { "slice", 1, 1, 1, 1 },        { "resizeBilinear", 1, 1, 1, 1 },
	{ "loadConstant", 0, 0, 1, 1 },
};

/* "a" or "an" before a kind's name */
static const char *art(const char *kind)
{
	return strchr("aeiouAEIOU", kind[0]) ? "an" : "a";
}

static void check_counts(const struct nn_layer *l, const char *lp, struct check_report *r)
{
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		if (strcmp(l->kind, counts[i].kind))
			continue;
		int nin = (int)l->in.n, nout = (int)l->out.n;
		if (nin < counts[i].in_lo || (counts[i].in_hi >= 0 && nin > counts[i].in_hi))
			add(r, CHECK_ERROR, lp, "%s %s layer with %d input%s: Core ML takes %s", art(l->kind), l->kind,
			    nin, nin == 1 ? "" : "s",
			    counts[i].in_hi < 0 ? (counts[i].in_lo == 2 ? "two or more" : "one or more")
			    : counts[i].in_lo == counts[i].in_hi ? (counts[i].in_lo == 1 ? "exactly one" : "none")
								 : "one or two");
		if (nout < counts[i].out_lo || (counts[i].out_hi >= 0 && nout > counts[i].out_hi))
			add(r, CHECK_ERROR, lp, "%s %s layer with %d output%s: Core ML takes %s", art(l->kind), l->kind,
			    nout, nout == 1 ? "" : "s", counts[i].out_hi < 0 ? "two or more" : "exactly one");
		return;
	}
}

/* a parameter message's padding set (the oneof's members) */
static void need_padding(struct mt_node *p, const char *const *members, const char *what, const char *lp,
			 struct check_report *r)
{
	if (!any_set(p, members))
		add(r, CHECK_ERROR, lp, "%s: its padding type is not set (Core ML needs one)", what);
}

static int has_weights(const struct nn_layer *l, const char *field)
{
	for (size_t i = 0; i < l->nw; i++)
		if (!strcmp(l->w[i].field, field))
			return 1;
	return 0;
}

/* a WeightParams holding values in more than one of its encodings */
static void one_encoding(struct mt_node *wp, const char *what, const char *lp, struct check_report *r)
{
	static const char *const enc[] = { "floatValue", "float16Value", "rawValue", "int8RawValue" };
	int n = 0;
	for (size_t i = 0; wp && i < sizeof(enc) / sizeof(enc[0]); i++) {
		uint32_t num = mt_number(wp, enc[i]);
		long k = num ? mt_find_last(wp, num) : -1;
		n += k >= 0 && (wp->f[k].wt != WT_LEN || wp->f[k].vlen);
	}
	if (n > 1)
		add(r, CHECK_ERROR, lp, "%s holds values in %d encodings at once (Core ML takes one)", what, n);
}

void check_nn_layer_params(const struct nn_layer *l, const char *lp, struct check_report *r)
{
	if (!l->kind || !*l->kind)
		return;
	check_counts(l, lp, r);
	struct mt_node *p = l->params;
	if (!p || mt_parse(p) < 0)
		return;
	const char *k = l->kind;
	if (!strcmp(k, "convolution")) {
		static const char *const pad[] = { "valid", "same", NULL };
		need_padding(p, pad, "a convolution", lp, r);
		/* weights come from the parameters, or from a second input */
		if (!has_weights(l, "weights") && l->in.n < 2)
			add(r, CHECK_ERROR, lp, "a convolution without weights (nor a second input giving them)");
		one_encoding(pmsg(p, "weights"), "its weights", lp, r);
	} else if (!strcmp(k, "innerProduct")) {
		/* (Core ML lets an inner product without weights pass its validator) */
		one_encoding(pmsg(p, "weights"), "its weights", lp, r);
	} else if (!strcmp(k, "batchnorm")) {
		if (!pint(p, "computeMeanVar", 0) && (!has_weights(l, "mean") || !has_weights(l, "variance")))
			add(r, CHECK_ERROR, lp,
			    "a batchnorm layer without its mean and variance (computeMeanVar is off)");
	} else if (!strcmp(k, "pooling")) {
		static const char *const pad[] = { "valid", "same", "includeLastPixel", NULL };
		need_padding(p, pad, "a pooling layer", lp, r);
	} else if (!strcmp(k, "padding")) {
		static const char *const type[] = { "constant", "reflection", "replication", NULL };
		if (!any_set(p, type))
			add(r, CHECK_ERROR, lp, "a padding layer without its type (constant, reflection, replication)");
		size_t n = mt_count_named(pmsg(p, "paddingAmounts"), "borderAmounts");
		if (n != 0 && n != 2)
			add(r, CHECK_ERROR, lp,
			    "a padding layer with %zu border amounts: Core ML takes 2 (height, width) or none", n);
	} else if (!strcmp(k, "activation")) {
		if (!p->n) /* every field of ActivationParams is a member of its one oneof */
			add(r, CHECK_ERROR, lp, "an activation layer without its function (no nonlinearity set)");
	} else if (!strcmp(k, "reshape")) {
		size_t n = mt_count_named(p, "targetShape");
		if (n != 3 && n != 4)
			add(r, CHECK_ERROR, lp, "a reshape to %zu dimensions: Core ML takes 3 or 4", n);
	} else if (!strcmp(k, "permute")) {
		size_t n = mt_count_named(p, "axis");
		if (n != 4)
			add(r, CHECK_ERROR, lp, "a permute of %zu axes: Core ML takes 4", n);
	} else if (!strcmp(k, "loadConstant")) {
		size_t n = mt_count_named(p, "shape");
		if (n != 3)
			add(r, CHECK_ERROR, lp, "a constant of %zu dimensions: Core ML takes 3", n);
	} else if (!strcmp(k, "bias")) {
		size_t n = mt_count_named(p, "shape");
		if (n != 1 && n != 3)
			add(r, CHECK_ERROR, lp, "a bias of %zu dimensions: Core ML takes 1 or 3", n);
	} else if (!strcmp(k, "scale")) {
		if (!has_weights(l, "scale"))
			add(r, CHECK_ERROR, lp, "a scale layer without its scale values");
	} else if (!strcmp(k, "upsample")) {
		size_t ni = mt_count_named(p, "scalingFactor"), nf = mt_count_named(p, "fractionalScalingFactor");
		if ((ni && nf) || (ni && ni != 2) || (nf && nf != 2))
			add(r, CHECK_ERROR, lp,
			    "an upsample with %zu integer and %zu fractional scaling factors: Core ML takes one of "
			    "them, two values",
			    ni, nf);
	} else if (!strcmp(k, "crop")) {
		size_t n = mt_count_named(pmsg(p, "cropAmounts"), "borderAmounts");
		if (l->in.n < 2 && n != 2)
			add(r, CHECK_ERROR, lp,
			    "a crop of one input with %zu crop amounts: Core ML takes 2 (height, width)", n);
	} else if (!strcmp(k, "slice")) {
		int64_t start = pint(p, "startIndex", 0), end = pint(p, "endIndex", 0), stride = pint(p, "stride", 0);
		if (start >= 0 && end >= 0 && end < start)
			add(r, CHECK_ERROR, lp, "a slice ending (%lld) before it starts (%lld)", (long long)end,
			    (long long)start);
		if (stride < 1)
			add(r, CHECK_ERROR, lp, "a slice of stride %lld: Core ML takes 1 or more", (long long)stride);
	} else if (!strcmp(k, "reorganizeData")) {
		int64_t b = pint(p, "blockSize", 0);
		if (b <= 1)
			add(r, CHECK_ERROR, lp, "a block size of %lld: Core ML takes 2 or more", (long long)b);
	} else if (!strcmp(k, "lrn")) {
		double kk = pfloat(p, "k", 0);
		if (!(kk > 0))
			add(r, CHECK_ERROR, lp, "an LRN layer with k = %g: Core ML takes a positive k", kk);
	}
}
