/* check-nms: what Core ML's validator asks of a non-maximum suppression
 * model: its inputs and outputs are the ones its *FeatureName fields name,
 * of the types it computes with; thresholds in range; one element type for
 * the four arrays; the confidence output's shape and the class labels
 * agreeing. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the index of the feature named name in l, -1 when none */
static long index_of(const struct io_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return (long)i;
	return -1;
}

/* the rank an array's flexible shape gives (its first enumerated shape, or
 * its ranges), 0 when it has none */
static size_t flex_rank(const struct ft_info *t)
{
	if (t->nshapes)
		return t->shapes[0].rank;
	return t->nranges;
}

/* The array element types: all four one type; double only below
 * specification version 5, double or float32 from it. */
static void nms_dtypes(const struct model_ref *ref, const struct ft_info *const a[4], const char *pp,
		       struct check_report *r)
{
	const char *d = a[0]->dtype ? a[0]->dtype : "unset";
	for (int i = 1; i < 4; i++)
		if (!a[i]->dtype || !a[0]->dtype || strcmp(a[i]->dtype, a[0]->dtype)) {
			add(r, CHECK_ERROR, pp,
			    "the confidence and coordinates arrays, in and out, must have one element type "
			    "(they have %s and %s)",
			    d, a[i]->dtype ? a[i]->dtype : "unset");
			return;
		}
	if (ref->version >= 5) {
		if (strcmp(d, "double") && strcmp(d, "float32"))
			add(r, CHECK_ERROR, pp,
			    "the confidence and coordinates arrays are %s: non-maximum suppression takes double or "
			    "float32",
			    d);
	} else if (strcmp(d, "double")) {
		gate(r, pp,
		     "the confidence and coordinates arrays are %s: below specification version 5 (this model has "
		     "%d) non-maximum suppression takes double only",
		     d, ref->version);
	}
}

/* The confidence output: no shape, a 2-d shape, or a 2-d range (the
 * coordinates output then a range too); its second dimension the number
 * of class labels, when there are labels. */
static void nms_shapes(const struct ft_info *conf, const struct ft_info *coord, size_t nlabels, const char *pp,
		       struct check_report *r)
{
	size_t old = conf->shape.rank, flex = flex_rank(conf);
	int use_old = old == 2 && !flex, use_new = !old && flex == 2;
	if (!use_old && !use_new && (old || flex)) {
		add(r, CHECK_ERROR, pp,
		    "the confidence output has %zu dimensions: a shape given must have two (boxes, classes)",
		    old ? old : flex);
		return;
	}
	if (use_old && coord->shape.rank && coord->shape.dim[0] != conf->shape.dim[0])
		add(r, CHECK_ERROR, pp,
		    "the confidence output has %lld boxes, the coordinates output %lld: they must be equal",
		    (long long)conf->shape.dim[0], (long long)coord->shape.dim[0]);
	if (use_new && (!conf->nranges || !coord->nranges)) {
		add(r, CHECK_ERROR, pp,
		    "the confidence output has a flexible shape: it and the coordinates output must then "
		    "both have shape ranges");
		return;
	}
	if (!nlabels)
		return;
	if (use_old && conf->shape.dim[1] != (int64_t)nlabels)
		add(r, CHECK_ERROR, pp, "%zu class labels, but the confidence output has %lld classes", nlabels,
		    (long long)conf->shape.dim[1]);
	if (use_new) {
		const struct ft_range *c = &conf->ranges[1];
		if (nlabels < c->lo || (c->hi >= 0 && (int64_t)nlabels > c->hi))
			add(r, CHECK_ERROR, pp,
			    "%zu class labels, outside the confidence output's range of classes %llu..%lld", nlabels,
			    (unsigned long long)c->lo, (long long)c->hi);
	}
}

int check_nms(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	struct mt_node *p = ck_params(ref);
	if (!p)
		return -1;
	char *pp = join(ref->path, "nonMaximumSuppression");
	static const char *const in_fields[] = { "confidenceInputFeatureName", "coordinatesInputFeatureName",
						 "iouThresholdInputFeatureName",
						 "confidenceThresholdInputFeatureName" };
	static const char *const out_fields[] = { "confidenceOutputFeatureName", "coordinatesOutputFeatureName" };
	char *in[4], *out[2];
	long ii[4], oi[2];
	for (int k = 0; k < 4; k++) {
		in[k] = field_str(p, mt_number(p, in_fields[k]));
		ii[k] = index_of(&g->in, in[k]);
	}
	for (int k = 0; k < 2; k++) {
		out[k] = field_str(p, mt_number(p, out_fields[k]));
		oi[k] = index_of(&g->out, out[k]);
	}
	int bad = 0;
	for (size_t i = 0; i < g->in.n; i++) {
		const char *n = g->in.v[i].name;
		if (strcmp(n, in[0]) && strcmp(n, in[1]) && strcmp(n, in[2]) && strcmp(n, in[3])) {
			add(r, CHECK_ERROR, pp, "input '%s' is none of the inputs the suppression names", n);
			bad = 1;
		}
	}
	for (size_t i = 0; i < g->out.n; i++) {
		const char *n = g->out.v[i].name;
		if (strcmp(n, out[0]) && strcmp(n, out[1])) {
			add(r, CHECK_ERROR, pp, "output '%s' is neither the confidence nor the coordinates output", n);
			bad = 1;
		}
	}
	for (int k = 0; k < 2; k++)
		if (ii[k] < 0) {
			add(r, CHECK_ERROR, pp, "%s '%s' is not an input", in_fields[k], in[k]);
			bad = 1;
		}
	for (int k = 0; k < 2; k++)
		if (oi[k] < 0) {
			add(r, CHECK_ERROR, pp, "%s '%s' is not an output", out_fields[k], out[k]);
			bad = 1;
		}
	const struct ft_info *a[4] = { 0 };
	for (int k = 0; k < 4; k++) {
		const struct ft_info *t = k < 2 ? (ii[k] >= 0 ? &g->in.v[ii[k]].type : NULL)
						: (oi[k - 2] >= 0 ? &g->out.v[oi[k - 2]].type : NULL);
		const char *name = k < 2 ? in[k] : out[k - 2];
		if (t && t->kind != FT_ARRAY) {
			add(r, CHECK_ERROR, pp, "the %s %s '%s' is not a multi-array",
			    k == 0 || k == 2 ? "confidence" : "coordinates", k < 2 ? "input" : "output", name);
			bad = 1;
		}
		a[k] = t;
	}
	for (int k = 2; k < 4; k++)
		if (ii[k] >= 0 && g->in.v[ii[k]].type.kind != FT_DOUBLE) {
			add(r, CHECK_ERROR, pp, "the %s threshold input '%s' is not a double",
			    k == 2 ? "IoU" : "confidence", in[k]);
			bad = 1;
		}
	double iou = ck_double(p, "iouThreshold"), cth = ck_double(p, "confidenceThreshold");
	if (!(iou >= 0.0 && iou <= 1.0))
		add(r, CHECK_ERROR, pp, "iouThreshold %g: it must lie between 0 and 1", iou);
	if (!(cth >= 0.0))
		add(r, CHECK_ERROR, pp, "confidenceThreshold %g: it must not be negative (0 keeps every box)", cth);
	if (!bad) {
		const struct ft_info *const arr[4] = { a[0], a[2], a[1], a[3] };
		nms_dtypes(ref, arr, pp, r);
		/* the labels: the last of the oneof's members */
		uint32_t si = mt_number(p, "stringClassLabels"), ni = mt_number(p, "int64ClassLabels");
		long ls = mt_find_last(p, si), ln = mt_find_last(p, ni);
		struct mt_node *lv = ls < 0 && ln < 0 ? NULL : mt_get(p, ls > ln ? si : ni);
		size_t nlabels = lv ? mt_count_named(lv, "vector") : 0;
		nms_shapes(a[2], a[3], nlabels, pp, r);
	}
	for (int k = 0; k < 4; k++)
		free(in[k]);
	free(out[0]);
	free(out[1]);
	free(pp);
	return 0;
}
