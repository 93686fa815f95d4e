/* nnshape: neural-network shape inference (see nnshape.h).  Parameters are
 * read by their field names in the schema. */
#include "base/error.h"
#include "query/nnshape.h"
#include "query/inspect.h"
#include "base/hash.h"
#include "base/xalloc.h"
#include "spec/schema.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nn_shapes {
	struct hmap m; /* blob name -> struct nn_shape */
	int nd;
};

/* ---- parameters by name ----------------------------------------------------- */

/* parameters by field name */
#define pmsg mt_get_named
#define pint mt_get_int_named

/* a repeated integer field: its values (at most max) */
static size_t pints(struct mt_node *p, const char *name, int64_t *v, size_t max)
{
	uint32_t num = p ? mt_number(p, name) : 0;
	size_t k = 0;
	for (size_t i = 0; num && i < p->n; i++) {
		const struct mt_field *f = &p->f[i];
		if (f->number != num || !f->fd)
			continue;
		size_t pos = 0;
		uint64_t u;
		while (k < max && mt_scalar_next(f, &pos, &u))
			v[k++] = mt_raw_int(f->fd, u);
	}
	return k;
}

/* BorderAmounts: borderAmounts [{startEdgeSize, endEdgeSize}] for H then W */
static int border(struct mt_node *b, int64_t pad[2][2])
{
	memset(pad, 0, 4 * sizeof(int64_t));
	if (!b)
		return 0;
	uint32_t num = mt_number(b, "borderAmounts");
	long i = -1;
	struct mt_node *e;
	int k = 0, r;
	while (k < 2 && (r = next_child(b, num, &i, &e)) == 1) {
		pad[k][0] = pint(e, "startEdgeSize", 0);
		pad[k][1] = pint(e, "endEdgeSize", 0);
		k++;
	}
	return k;
}

/* ---- shapes -------------------------------------------------------------------- */

static struct nn_shape unknown(void)
{
	struct nn_shape s;
	memset(&s, 0, sizeof(s));
	return s;
}

static struct nn_shape chw(int64_t c, int64_t h, int64_t w)
{
	struct nn_shape s = { 3, { c, h, w } };
	return s;
}

static int known(const struct nn_shape *s)
{
	return s && s->rank > 0;
}

/* a dimension from a formula over known ones; -1 when any is unknown */
#define DIM(cond, expr) ((cond) ? (expr) : -1)

/* the element count of a shape, -1 when not known */
static int64_t numel(const struct nn_shape *s)
{
	int64_t n = 1;
	for (int i = 0; i < s->rank; i++) {
		if (s->d[i] < 0)
			return -1;
		n *= s->d[i];
	}
	return n;
}

/* the out size of a sliding window: valid padding with explicit borders */
static int64_t window(int64_t in, int64_t k, int64_t stride, int64_t dil, int64_t p0, int64_t p1)
{
	int64_t keff = (k - 1) * dil + 1;
	if (in < 0 || stride <= 0 || in + p0 + p1 < keff)
		return -1;
	return (in + p0 + p1 - keff) / stride + 1;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return a < 0 || b <= 0 ? -1 : (a + b - 1) / b;
}

static struct nn_shape conv_shape(struct mt_node *p, const struct nn_shape *in)
{
	if (!known(in) || in->rank != 3)
		return unknown();
	int64_t k[2] = { 3, 3 }, s[2] = { 1, 1 }, d[2] = { 1, 1 }, os[2];
	pints(p, "kernelSize", k, 2);
	pints(p, "stride", s, 2);
	pints(p, "dilationFactor", d, 2);
	int64_t oc = pint(p, "outputChannels", -1);
	int64_t pad[2][2];
	struct mt_node *valid = pmsg(p, "valid"), *same = pmsg(p, "same");
	if (pint(p, "isDeconvolution", 0)) {
		if (pints(p, "outputShape", os, 2) == 2)
			return chw(oc, os[0], os[1]);
		border(valid ? pmsg(valid, "paddingAmounts") : NULL, pad);
		int64_t h = DIM(in->d[1] >= 0, (in->d[1] - 1) * s[0] + (k[0] - 1) * d[0] + 1 - pad[0][0] - pad[0][1]);
		int64_t w = DIM(in->d[2] >= 0, (in->d[2] - 1) * s[1] + (k[1] - 1) * d[1] + 1 - pad[1][0] - pad[1][1]);
		return same ? chw(oc, DIM(in->d[1] >= 0, in->d[1] * s[0]), DIM(in->d[2] >= 0, in->d[2] * s[1]))
			    : chw(oc, h, w);
	}
	if (same)
		return chw(oc, ceil_div(in->d[1], s[0]), ceil_div(in->d[2], s[1]));
	border(valid ? pmsg(valid, "paddingAmounts") : NULL, pad);
	return chw(oc, window(in->d[1], k[0], s[0], d[0], pad[0][0], pad[0][1]),
		   window(in->d[2], k[1], s[1], d[1], pad[1][0], pad[1][1]));
}

static struct nn_shape pool_shape(struct mt_node *p, const struct nn_shape *in)
{
	if (!known(in) || in->rank != 3)
		return unknown();
	if (pint(p, "globalPooling", 0))
		return chw(in->d[0], 1, 1);
	int64_t k[2] = { 3, 3 }, s[2] = { 1, 1 }, pad[2][2];
	pints(p, "kernelSize", k, 2);
	pints(p, "stride", s, 2);
	struct mt_node *valid = pmsg(p, "valid"), *same = pmsg(p, "same"), *last = pmsg(p, "includeLastPixel");
	if (same)
		return chw(in->d[0], ceil_div(in->d[1], s[0]), ceil_div(in->d[2], s[1]));
	if (last) {
		int64_t pp[2] = { 0, 0 };
		pints(last, "paddingAmounts", pp, 2);
		int64_t h = DIM(in->d[1] >= 0 && s[0] > 0, ceil_div(in->d[1] + 2 * pp[0] - k[0], s[0]) + 1);
		int64_t w = DIM(in->d[2] >= 0 && s[1] > 0, ceil_div(in->d[2] + 2 * pp[1] - k[1], s[1]) + 1);
		return chw(in->d[0], h, w);
	}
	border(valid ? pmsg(valid, "paddingAmounts") : NULL, pad);
	return chw(in->d[0], window(in->d[1], k[0], s[0], 1, pad[0][0], pad[0][1]),
		   window(in->d[2], k[1], s[1], 1, pad[1][0], pad[1][1]));
}

/* elementwise over several inputs: each dimension the largest (1 broadcasts) */
static struct nn_shape broadcast(const struct nn_shape **in, size_t n)
{
	struct nn_shape out = unknown();
	for (size_t i = 0; i < n; i++) {
		if (!known(in[i]))
			return unknown();
		if (in[i]->rank > out.rank) {
			/* align to the right */
			struct nn_shape t = unknown();
			t.rank = in[i]->rank;
			int shift = in[i]->rank - out.rank;
			for (int d = 0; d < t.rank; d++)
				t.d[d] = d < shift ? 1 : out.d[d - shift];
			out = t;
		}
		int shift = out.rank - in[i]->rank;
		for (int d = 0; d < in[i]->rank; d++) {
			int64_t a = out.d[d + shift], b = in[i]->d[d];
			out.d[d + shift] = a < 0 || b < 0 ? -1 : a > b ? a : b;
		}
	}
	return out;
}

/* One layer: its output shapes from its inputs' (in[0..nin)); nout outputs.
 * 0 when the kind is one the rules cover, -1 when not (outputs unknown). */
static int layer_shapes(const char *kind, struct mt_node *p, const struct nn_shape **in, size_t nin,
			struct nn_shape *out, size_t nout, int nd)
{
	const struct nn_shape *x = nin ? in[0] : NULL;
	for (size_t i = 0; i < nout; i++)
		out[i] = unknown();
	if (!nout)
		return 0;
	/* shape-keeping layers, in both layouts */
	static const char *const same_kinds[] = {
		"activation",
		"batchnorm",
		"softmax",
		"lrn",
		"l2normalize",
		"mvn",
		"unary",
		"clip",
		"bias",
		"scale",
		"softmaxND",
		"sequenceRepeat",
		"reverse",
		"reverseSeq",
		"layerNormalization",
		"erf",
		"gelu",
		"round",
		"sign",
		"ceil",
		"floor",
		"sqrt",
		"exp",
		"exp2",
		"log",
		"sin",
		"cos",
		"tan",
		"asin",
		"acos",
		"atan",
		"sinh",
		"cosh",
		"tanh",
		"asinh",
		"acosh",
		"atanh",
		"clamp",
		"argSort",
		"copy",
		"cumSum",
		"lowerTriangular",
		"upperTriangular",
	};
	for (size_t i = 0; i < sizeof(same_kinds) / sizeof(*same_kinds); i++)
		if (!strcmp(kind, same_kinds[i])) {
			if (!known(x))
				return 0;
			out[0] = *x;
			return 0;
		}
	static const char *const elementwise[] = { "add",
						   "multiply",
						   "average",
						   "max",
						   "min",
						   "addBroadcastable",
						   "multiplyBroadcastable",
						   "subtractBroadcastable",
						   "divideBroadcastable",
						   "maxBroadcastable",
						   "minBroadcastable",
						   "powBroadcastable",
						   "modBroadcastable",
						   "floorDivBroadcastable",
						   "equal",
						   "notEqual",
						   "lessThan",
						   "lessEqual",
						   "greaterThan",
						   "greaterEqual",
						   "logicalAnd",
						   "logicalOr",
						   "logicalXor" };
	for (size_t i = 0; i < sizeof(elementwise) / sizeof(*elementwise); i++)
		if (!strcmp(kind, elementwise[i])) {
			out[0] = broadcast(in, nin);
			return 0;
		}
	if (!strcmp(kind, "innerProduct")) {
		int64_t oc = pint(p, "outputChannels", -1);
		if (nd) {
			if (!known(x))
				return 0;
			out[0] = *x;
			out[0].d[x->rank - 1] = oc;
		} else {
			out[0] = chw(oc, 1, 1);
		}
		return 0;
	}
	if (!strcmp(kind, "embedding")) {
		out[0] = chw(pint(p, "outputChannels", -1), 1, 1);
		return 0;
	}
	if (!strcmp(kind, "loadConstant")) {
		int64_t s[3];
		if (pints(p, "shape", s, 3) == 3)
			out[0] = chw(s[0], s[1], s[2]);
		return 0;
	}
	if (nd)
		return -1; /* the rank-5 layers below are not defined on ND shapes */
	if (!strcmp(kind, "convolution")) {
		out[0] = conv_shape(p, x);
		return 0;
	}
	if (!strcmp(kind, "pooling")) {
		out[0] = pool_shape(p, x);
		return 0;
	}
	if (!known(x) || x->rank != 3)
		return 0; /* the inputs are not known: nor the outputs */
	int64_t c = x->d[0], h = x->d[1], w = x->d[2];
	if (!strcmp(kind, "flatten")) {
		out[0] = chw(numel(x), 1, 1);
	} else if (!strcmp(kind, "concat")) {
		if (pint(p, "sequenceConcat", 0)) {
			out[0] = *x;
			return 0;
		}
		int64_t sum = 0;
		for (size_t i = 0; i < nin; i++)
			sum = known(in[i]) && sum >= 0 && in[i]->d[0] >= 0 ? sum + in[i]->d[0] : -1;
		out[0] = chw(sum, h, w);
	} else if (!strcmp(kind, "split")) {
		int64_t n = pint(p, "nOutputs", (int64_t)nout);
		for (size_t i = 0; i < nout; i++)
			out[i] = chw(DIM(c >= 0 && n > 0, c / n), h, w);
	} else if (!strcmp(kind, "reshape")) {
		int64_t t[4];
		size_t k = pints(p, "targetShape", t, 4);
		if (k == 3)
			out[0] = chw(t[0], t[1], t[2]);
		else if (k == 4)
			out[0] = chw(t[1], t[2], t[3]);
		else
			return -1;
	} else if (!strcmp(kind, "permute")) {
		int64_t a[4];
		if (pints(p, "axis", a, 4) != 4)
			return -1;
		/* axes of [Seq, C, H, W]; the sequence stays out of [C, H, W] */
		int64_t dims[4] = { 1, c, h, w };
		out[0] = chw(a[1] < 4 ? dims[a[1]] : -1, a[2] < 4 ? dims[a[2]] : -1, a[3] < 4 ? dims[a[3]] : -1);
	} else if (!strcmp(kind, "padding")) {
		int64_t pad[2][2];
		border(pmsg(p, "paddingAmounts"), pad);
		out[0] = chw(c, DIM(h >= 0, h + pad[0][0] + pad[0][1]), DIM(w >= 0, w + pad[1][0] + pad[1][1]));
	} else if (!strcmp(kind, "upsample")) {
		int64_t s[2] = { 1, 1 };
		pints(p, "scalingFactor", s, 2);
		out[0] = chw(c, DIM(h >= 0, h * s[0]), DIM(w >= 0, w * s[1]));
	} else if (!strcmp(kind, "resizeBilinear")) {
		int64_t t[2] = { 1, 1 };
		pints(p, "targetSize", t, 2);
		out[0] = chw(c, t[0], t[1]);
	} else if (!strcmp(kind, "crop")) {
		if (nin > 1) {
			out[0] = known(in[1]) ? chw(c, in[1]->d[1], in[1]->d[2]) : unknown();
		} else {
			int64_t pad[2][2];
			border(pmsg(p, "cropAmounts"), pad);
			out[0] = chw(c, DIM(h >= 0, h - pad[0][0] - pad[0][1]), DIM(w >= 0, w - pad[1][0] - pad[1][1]));
		}
	} else if (!strcmp(kind, "slice")) {
		int64_t axis = pint(p, "axis", 0), start = pint(p, "startIndex", 0), end = pint(p, "endIndex", -1);
		int64_t stride = pint(p, "stride", 1);
		int64_t dims[3] = { c, h, w };
		if (axis < 0 || axis > 2 || stride <= 0)
			return -1;
		int64_t n = dims[axis];
		if (n >= 0) {
			int64_t e = end < 0 ? n + end + 1 : end, s = start < 0 ? n + start : start;
			dims[axis] = e > s ? ceil_div(e - s, stride) : 0;
		}
		out[0] = chw(dims[0], dims[1], dims[2]);
	} else if (!strcmp(kind, "reduce")) {
		int64_t axis = pint(p, "axis", 0); /* CHW, HW, C, H, W */
		out[0] = chw(axis == 0 || axis == 2 ? 1 : c, axis <= 1 || axis == 3 ? 1 : h,
			     axis <= 1 || axis == 4 ? 1 : w);
	} else if (!strcmp(kind, "reorganizeData")) {
		int64_t mode = pint(p, "mode", 0), b = pint(p, "blockSize", 2);
		if (b <= 0)
			return -1;
		if (mode == 0)
			out[0] = chw(DIM(c >= 0, c * b * b), DIM(h >= 0, h / b), DIM(w >= 0, w / b));
		else
			out[0] = chw(DIM(c >= 0, c / (b * b)), DIM(h >= 0, h * b), DIM(w >= 0, w * b));
	} else if (!strcmp(kind, "dot")) {
		out[0] = chw(1, 1, 1);
	} else {
		return -1;
	}
	return 0;
}

/* ---- the network ------------------------------------------------------------------ */

static void put(struct nn_shapes *s, const char *name, const struct nn_shape *sh)
{
	struct nn_shape *v = xmalloc(sizeof(*v));
	*v = *sh;
	free(hmap_put(&s->m, name, v));
}

/* a model input's shape in the network's layout */
static struct nn_shape input_shape(const struct ft_info *t, int nd)
{
	struct nn_shape s = unknown();
	if (t->kind == FT_IMAGE) {
		int gray = t->color && !strncmp(t->color, "GRAYSCALE", 9);
		s = nd ? (struct nn_shape){ 4, { 1, gray ? 1 : 3, t->height, t->width } }
		       : chw(gray ? 1 : 3, t->height, t->width);
		return s;
	}
	if (t->kind != FT_ARRAY)
		return s;
	const struct ft_shape *sh = t->shape.rank ? &t->shape : t->nshapes ? &t->shapes[0] : NULL;
	if (!sh || sh->rank > NN_SHAPE_MAX_RANK)
		return s;
	if (nd) {
		s.rank = (int)sh->rank;
		for (size_t i = 0; i < sh->rank; i++)
			s.d[i] = sh->dim[i];
		return s;
	}
	if (sh->rank == 1)
		return chw(sh->dim[0], 1, 1);
	if (sh->rank == 3)
		return chw(sh->dim[0], sh->dim[1], sh->dim[2]);
	if (sh->rank == 5) /* [S, B, C, H, W] */
		return chw(sh->dim[2], sh->dim[3], sh->dim[4]);
	return s;
}

struct nn_shapes *nn_shapes_infer(struct mt_node *model)
{
	struct mt_node *net = nn_network(model);
	if (!net)
		return NULL;
	struct nn_shapes *s = xcalloc(1, sizeof(*s));
	s->nd = pint(net, "arrayInputShapeMapping", 0) == 1;
	struct model_io io;
	memset(&io, 0, sizeof(io));
	/* an input description that cannot be read leaves the shapes unknown:
	 * the commands that read it (io, info) say what is wrong */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	if (io_read(model, &io) == 0 && io.n)
		for (size_t i = 0; i < io.g[0].in.n; i++) {
			struct nn_shape sh = input_shape(&io.g[0].in.v[i].type, s->nd);
			put(s, io.g[0].in.v[i].name, &sh);
		}
	error_capture_end(&cap);
	io_release(&io);
	uint32_t lnum = mt_number(net, "layers");
	long i = -1;
	struct mt_node *layer;
	int r;
	size_t pos = 0;
	while ((r = next_child(net, lnum, &i, &layer)) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, pos++, &l) < 0)
			break;
		const struct nn_shape **in = xcalloc(l.in.n ? l.in.n : 1, sizeof(*in));
		for (size_t k = 0; k < l.in.n; k++)
			in[k] = nn_shapes_get(s, l.in.v[k]);
		struct nn_shape *out = xcalloc(l.out.n ? l.out.n : 1, sizeof(*out));
		layer_shapes(l.kind ? l.kind : "", l.params, in, l.in.n, out, l.out.n, s->nd);
		for (size_t k = 0; k < l.out.n; k++)
			put(s, l.out.v[k], &out[k]);
		free(in);
		free(out);
		nn_layer_release(&l);
	}
	return s;
}

void nn_shapes_free(struct nn_shapes *s)
{
	if (!s)
		return;
	hmap_release(&s->m, free);
	free(s);
}

const struct nn_shape *nn_shapes_get(const struct nn_shapes *s, const char *blob)
{
	const struct nn_shape *sh = s ? hmap_get(&s->m, blob) : NULL;
	return known(sh) ? sh : NULL;
}

int nn_shapes_nd(const struct nn_shapes *s)
{
	return s && s->nd;
}

char *nn_shape_str(const struct nn_shape *sh)
{
	if (!known(sh))
		return xstrdup("?");
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '[');
	for (int i = 0; i < sh->rank; i++) {
		if (sh->d[i] < 0)
			sb_addf(&sb, "%s?", i ? "," : "");
		else
			sb_addf(&sb, "%s%lld", i ? "," : "", (long long)sh->d[i]);
	}
	sb_addc(&sb, ']');
	return sb_detach(&sb, NULL);
}
