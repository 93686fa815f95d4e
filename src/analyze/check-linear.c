/* check-linear: what Core ML asks of its classic models beyond the trees:
 * generalized linear models (glmClassifier, glmRegressor), support vector
 * machines (supportVectorClassifier, supportVectorRegressor), a Bayesian
 * probit regressor and class confidence thresholding.  Inputs Core ML can
 * make a vector of (doubles, int64s, multi-arrays), a regressor's
 * predicted value, a classifier's predicted class of its labels' type,
 * and each kind's parameters: sizes that agree with each other and with
 * the classes, enumerations it knows, kernels with sane parameters,
 * curves of non-negative numbers.  The rules follow Apple's validator
 * (apple/coremltools mlmodel/src: LinearModelValidator, SVMValidator,
 * BayesianProbitRegressionValidator, ClassConfidenceThresholdingValidator),
 * the messages are ours; fields are read by their names in the schema. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "edit/labels.h"
#include "spec/schema.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the last value of double field name, dflt when absent */
static double dbl(struct mt_node *n, const char *name, double dflt)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	long i = num ? mt_find_last(n, num) : -1;
	return i >= 0 ? mt_double(&n->f[i]) : dflt;
}

/* which of the fields names[0..n) (members of one oneof) is set: the last
 * one in the message, as a parser reads it; -1 when none */
static int oneof_case(struct mt_node *p, const char *const *names, int n)
{
	long best = -1;
	int which = -1;
	for (int k = 0; p && k < n; k++) {
		uint32_t num = mt_number(p, names[k]);
		long i = num ? mt_find_last(p, num) : -1;
		if (i > best) {
			best = i;
			which = k;
		}
	}
	return which;
}

static const struct feature *output(const struct io_group *g, const char *name)
{
	for (size_t i = 0; name && i < g->out.n; i++)
		if (!strcmp(g->out.v[i].name, name))
			return &g->out.v[i];
	return NULL;
}

/* every input a double, an int64 or a multi-array (what Core ML can turn
 * into one vector) */
static void vector_inputs(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	for (size_t i = 0; i < g->in.n; i++) {
		enum ft_kind k = g->in.v[i].type.kind;
		if (k == FT_DOUBLE || k == FT_INT64 || k == FT_ARRAY)
			continue;
		char *p = join(ref->path, "description.input[%zu]", i);
		add(r, CHECK_ERROR, p, "input '%s' is %s: a %s takes doubles, int64s or multi-arrays", g->in.v[i].name,
		    ck_kind_word(k), ref->type);
		free(p);
	}
}

/* a regressor names its predicted value; double_only: every output a
 * double (a GLM), else the predicted one a double or a multi-array */
static void regressor(const struct model_ref *ref, const struct io_group *g, int double_only, struct check_report *r)
{
	char *dp = join(ref->path, "description");
	if (!g->predicted || !*g->predicted)
		add(r, CHECK_ERROR, dp, "a regressor without predictedFeatureName");
	for (size_t i = 0; double_only && i < g->out.n; i++) {
		if (g->out.v[i].type.kind == FT_DOUBLE)
			continue;
		char *p = join(ref->path, "description.output[%zu]", i);
		add(r, CHECK_ERROR, p, "output '%s' is %s: a %s gives doubles only", g->out.v[i].name,
		    ck_kind_word(g->out.v[i].type.kind), ref->type);
		free(p);
	}
	const struct feature *f = output(g, g->predicted);
	if (!double_only && f && f->type.kind != FT_DOUBLE && f->type.kind != FT_ARRAY)
		add(r, CHECK_ERROR, dp, "the predicted value '%s' is %s: Core ML takes a double or a multi-array",
		    g->predicted, ck_kind_word(f->type.kind));
	free(dp);
}

/* The class labels (count in *n, 0 when none) and the predicted class: a
 * string for string labels, an int64 for int64 ones.  (That the class is
 * a string or an int64 at all, and that labels are there, check_classifier
 * says.) */
int ck_labels_and_class(const struct model_ref *ref, const struct io_group *g, size_t *n, struct check_report *r)
{
	struct iface_labels l;
	memset(&l, 0, sizeof(l));
	int got = iface_labels_get(ref->node, &l);
	*n = got > 0 ? l.n : 0;
	const struct feature *f = got > 0 ? output(g, g->predicted) : NULL;
	if (f && (f->type.kind == FT_STRING || f->type.kind == FT_INT64)) {
		enum ft_kind want = l.kind == LABELS_STRING ? FT_STRING : FT_INT64;
		if (f->type.kind != want) {
			char *dp = join(ref->path, "description");
			add(r, CHECK_ERROR, dp, "the predicted class '%s' is %s, but the class labels are %s",
			    g->predicted, ck_kind_word(f->type.kind), want == FT_STRING ? "strings" : "int64s");
			free(dp);
		}
	}
	iface_labels_release(&l);
	return got < 0 ? -1 : 0;
}

/* the lengths of the rows (repeated message field name, each counting
 * its repeated field of values): *first the first's, *ragged 1 when they differ */
static int rows(struct mt_node *p, const char *name, const char *values, size_t *nrows, size_t *first, int *ragged)
{
	uint32_t num = mt_number(p, name);
	long i = -1;
	int rc;
	struct mt_node *row;
	*nrows = *first = 0;
	*ragged = 0;
	while (num && (rc = next_child(p, num, &i, &row)) == 1) {
		size_t len = mt_count_named(row, values);
		if (!(*nrows)++)
			*first = len;
		else if (len != *first)
			*ragged = 1;
	}
	return num && rc < 0 ? -1 : 0;
}

static int check_glm_regressor(const struct model_ref *ref, struct mt_node *p, const struct io_group *g, const char *pp,
			       struct check_report *r)
{
	regressor(ref, g, 1, r);
	vector_inputs(ref, g, r);
	size_t nw, len;
	int ragged;
	if (rows(p, "weights", "value", &nw, &len, &ragged) < 0)
		return -1;
	size_t no = mt_count_named(p, "offset");
	if (nw != no)
		add(r, CHECK_ERROR, pp, "%zu rows of weights and %zu offsets: one offset a row", nw, no);
	if (ragged)
		add(r, CHECK_ERROR, pp, "rows of weights of different lengths");
	return 0;
}

static int check_glm_classifier(const struct model_ref *ref, struct mt_node *p, const struct io_group *g,
				const char *pp, struct check_report *r)
{
	size_t k;
	if (ck_labels_and_class(ref, g, &k, r) < 0)
		return -1;
	vector_inputs(ref, g, r);
	int64_t tr = mt_get_int_named(p, "postEvaluationTransform", 0), enc = mt_get_int_named(p, "classEncoding", 0);
	if (tr != 0 && tr != 1)
		add(r, CHECK_ERROR, pp, "postEvaluationTransform %lld: Core ML knows Logit (0) and Probit (1)",
		    (long long)tr);
	if (enc != 0 && enc != 1)
		add(r, CHECK_ERROR, pp, "classEncoding %lld: Core ML knows ReferenceClass (0) and OneVsRest (1)",
		    (long long)enc);
	size_t nw, len;
	int ragged;
	if (rows(p, "weights", "value", &nw, &len, &ragged) < 0)
		return -1;
	size_t no = mt_count_named(p, "offset");
	if (!nw)
		add(r, CHECK_ERROR, pp, "no weights: a GLM classifier needs at least one row");
	else if (nw != no)
		add(r, CHECK_ERROR, pp, "%zu rows of weights and %zu offsets: one offset a row", nw, no);
	if (nw && k && enc == 0 && nw != k - 1)
		add(r, CHECK_ERROR, pp,
		    "%zu rows of weights for %zu classes: ReferenceClass takes one row less than classes", nw, k);
	else if (nw && k == 2 && enc == 1 && nw != 1)
		add(r, CHECK_ERROR, pp, "%zu rows of weights for 2 classes: OneVsRest takes one row for two classes",
		    nw);
	else if (nw && k && k != 2 && enc == 1 && nw != k)
		add(r, CHECK_ERROR, pp, "%zu rows of weights for %zu classes: OneVsRest takes one row a class", nw, k);
	if (k > 2 && tr == 1)
		add(r, CHECK_ERROR, pp, "Probit with %zu classes: Core ML takes it for two classes only", k);
	if (nw && !len)
		add(r, CHECK_ERROR, pp, "rows of weights without values");
	else if (ragged)
		add(r, CHECK_ERROR, pp, "rows of weights of different lengths");
	return 0;
}

/* a kernel Core ML knows, with gamma and degree not negative */
static void check_kernel(struct mt_node *p, const char *pp, struct check_report *r)
{
	static const char *const kinds[] = { "linearKernel", "rbfKernel", "polyKernel", "sigmoidKernel" };
	struct mt_node *kern = mt_get_named(p, "kernel");
	int which = kern ? oneof_case(kern, kinds, 4) : -1;
	char *kp = join(pp, "kernel");
	if (which < 0) {
		add(r, CHECK_ERROR, kp, "no kernel (linear, rbf, poly or sigmoid)");
	} else if (which > 0) {
		struct mt_node *k = mt_get_named(kern, kinds[which]);
		double gamma = dbl(k, "gamma", 0);
		if (gamma < 0)
			add(r, CHECK_ERROR, kp, "%s with gamma %g: Core ML takes zero or more", kinds[which], gamma);
		int64_t degree = which == 2 ? mt_get_int_named(k, "degree", 0) : 0;
		if (degree < 0)
			add(r, CHECK_ERROR, kp, "polyKernel of degree %lld: Core ML takes zero or more",
			    (long long)degree);
	}
	free(kp);
}

/* the support vectors, dense or sparse: their count in *n; -1 when neither is set */
static int support_vectors(struct mt_node *p, const char *pp, size_t *n, struct check_report *r)
{
	static const char *const kinds[] = { "sparseSupportVectors", "denseSupportVectors" };
	int which = oneof_case(p, kinds, 2);
	*n = 0;
	if (which < 0) {
		add(r, CHECK_ERROR, pp, "no support vectors (dense or sparse)");
		return -1;
	}
	*n = mt_count_named(mt_get_named(p, kinds[which]), "vectors");
	return 0;
}

static int check_svr(const struct model_ref *ref, struct mt_node *p, const struct io_group *g, const char *pp,
		     struct check_report *r)
{
	vector_inputs(ref, g, r);
	regressor(ref, g, 0, r);
	check_kernel(p, pp, r);
	size_t nsv;
	if (support_vectors(p, pp, &nsv, r) < 0)
		return 0;
	size_t na = mt_count_named(mt_get_named(p, "coefficients"), "alpha");
	if (na != nsv)
		add(r, CHECK_ERROR, pp, "%zu coefficients for %zu support vectors: one a vector", na, nsv);
	return 0;
}

static int check_svc(const struct model_ref *ref, struct mt_node *p, const struct io_group *g, const char *pp,
		     struct check_report *r)
{
	size_t k;
	if (ck_labels_and_class(ref, g, &k, r) < 0)
		return -1;
	vector_inputs(ref, g, r);
	check_kernel(p, pp, r);
	if (!k)
		return 0; /* no classes: check_classifier says so */
	size_t nrows = mt_count_named(p, "coefficients");
	if (nrows != k - 1)
		add(r, CHECK_ERROR, pp, "%zu rows of coefficients for %zu classes: one row less than classes", nrows,
		    k);
	size_t nsv;
	if (support_vectors(p, pp, &nsv, r) < 0)
		return 0;
	uint32_t num = mt_number(p, "numberOfSupportVectorsPerClass");
	size_t nper = 0;
	int64_t sum = 0;
	for (long i = mt_find(p, num, 0); i >= 0; i = mt_find(p, num, (size_t)i + 1)) {
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&p->f[i], &pos, &u) == 1) {
			nper++;
			sum += mt_raw_int(p->f[i].fd, u);
		}
	}
	if (nper != k)
		add(r, CHECK_ERROR, pp, "numberOfSupportVectorsPerClass has %zu entries for %zu classes: one a class",
		    nper, k);
	else if (sum != (int64_t)nsv)
		add(r, CHECK_ERROR, pp,
		    "numberOfSupportVectorsPerClass adds up to %lld, but there are %zu support vectors", (long long)sum,
		    nsv);
	long i = -1;
	int rc;
	struct mt_node *row;
	for (size_t q = 0; (rc = next_child(p, mt_number(p, "coefficients"), &i, &row)) == 1; q++) {
		size_t na = mt_count_named(row, "alpha");
		if (na != nsv) {
			add(r, CHECK_ERROR, pp,
			    "coefficients[%zu] has %zu alphas for %zu support vectors: one a vector", q, na, nsv);
			break;
		}
	}
	if (rc < 0)
		return -1;
	size_t na = mt_count_named(p, "probA"), nb = mt_count_named(p, "probB"), pairs = k * (k - 1) / 2;
	if (na != nb)
		add(r, CHECK_ERROR, pp, "%zu probA and %zu probB values: they go in pairs", na, nb);
	else if (na && na != pairs)
		add(r, CHECK_ERROR, pp, "%zu probA values for %zu classes: one a pair of classes (%zu)", na, k, pairs);
	return 0;
}

/* every input an int32 multi-array of rank 1 or 2 */
static void check_bpr(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	for (size_t i = 0; i < g->in.n; i++) {
		const struct ft_info *t = &g->in.v[i].type;
		char *p = join(ref->path, "description.input[%zu]", i);
		if (t->kind != FT_ARRAY)
			add(r, CHECK_ERROR, p, "input '%s' is %s: a Bayesian probit regressor takes int32 multi-arrays",
			    g->in.v[i].name, ck_kind_word(t->kind));
		else if (!t->dtype || strcmp(t->dtype, "int32"))
			add(r, CHECK_ERROR, p,
			    "input '%s' is a %s multi-array: a Bayesian probit regressor takes int32", g->in.v[i].name,
			    t->dtype ? t->dtype : "untyped");
		else if (t->shape.rank < 1 || t->shape.rank > 2)
			add(r, CHECK_ERROR, p, "input '%s' has rank %zu: a Bayesian probit regressor takes 1 or 2",
			    g->in.v[i].name, t->shape.rank);
		free(p);
	}
}

/* the values of FloatVector field name of curve c: their count, and 1 in
 * *bad when one is negative, NaN or infinite */
static size_t curve_values(struct mt_node *c, const char *name, int *bad)
{
	struct mt_node *fv = mt_get_named(c, name);
	uint32_t num = fv ? mt_number(fv, "vector") : 0;
	size_t n = 0;
	*bad = 0;
	for (long i = num ? mt_find(fv, num, 0) : -1; i >= 0; i = mt_find(fv, num, (size_t)i + 1)) {
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&fv->f[i], &pos, &u) == 1) {
			double x = mt_raw_double(fv->f[i].fd, u);
			n++;
			*bad |= !isfinite(x) || x < 0;
		}
	}
	return n;
}

/* precision-recall curves: at least one; in each, as many values as
 * thresholds (and some), none negative, NaN or infinite */
static int check_cct(struct mt_node *p, const char *pp, struct check_report *r)
{
	static const char *const parts[] = { "precisionValues", "precisionConfidenceThresholds", "recallValues",
					     "recallConfidenceThresholds" };
	uint32_t num = mt_number(p, "precisionRecallCurves");
	long i = -1;
	int rc;
	size_t k = 0;
	struct mt_node *c;
	while ((rc = next_child(p, num, &i, &c)) == 1) {
		char *cp = join(pp, "precisionRecallCurves[%zu]", k++);
		size_t n[4];
		int bad[4];
		for (int q = 0; q < 4; q++) {
			n[q] = curve_values(c, parts[q], &bad[q]);
			if (bad[q])
				add(r, CHECK_ERROR, cp, "%s holds a negative, NaN or infinite number", parts[q]);
		}
		for (int q = 0; q < 4; q += 2)
			if (!n[q] || n[q] != n[q + 1])
				add(r, CHECK_ERROR, cp, "%zu %s for %zu %s: as many, and at least one", n[q], parts[q],
				    n[q + 1], parts[q + 1]);
		free(cp);
	}
	if (rc < 0)
		return -1;
	if (!k)
		add(r, CHECK_ERROR, pp, "no precisionRecallCurves");
	return 0;
}

int check_linear(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	static const char *const kinds[] = { "glmRegressor",
					     "glmClassifier",
					     "supportVectorRegressor",
					     "supportVectorClassifier",
					     "bayesianProbitRegressor",
					     "classConfidenceThresholding" };
	int which = -1;
	for (int k = 0; ref->type && k < 6; k++)
		if (!strcmp(ref->type, kinds[k]))
			which = k;
	if (which < 0)
		return 0;
	long tf = model_type_field(ref->node);
	struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
	if (!p || mt_parse(p) < 0)
		return -1;
	char *pp = join(ref->path, "%s", ref->type);
	int rc = 0;
	switch (which) {
	case 0: rc = check_glm_regressor(ref, p, g, pp, r); break;
	case 1: rc = check_glm_classifier(ref, p, g, pp, r); break;
	case 2: rc = check_svr(ref, p, g, pp, r); break;
	case 3: rc = check_svc(ref, p, g, pp, r); break;
	case 4: check_bpr(ref, g, r); break;
	default: rc = check_cct(p, pp, r); break;
	}
	free(pp);
	return rc;
}
