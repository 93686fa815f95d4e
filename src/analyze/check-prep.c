/* check-prep: the feature-engineering models (scaler, imputer, normalizer,
 * one-hot encoder, dictionary vectorizer, feature vectorizer, array feature
 * extractor, categorical mapping) and the member names of a pipeline, as
 * Core ML's validator has them: the feature types each kind reads and
 * gives, and the parameters it needs set and consistent with them.  Fields
 * are read by name (mt_*_named), so nothing here needs spec/fields.h. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K(k) (1u << (k))

/* ---- helpers ------------------------------------------------------------- */

/* "an int64, a double or a multi-array": the kinds in mask */
static char *kinds_words(unsigned mask)
{
	size_t n = 0, k = 0;
	for (size_t i = FT_INT64; i <= FT_STATE; i++)
		n += (mask & K(i)) != 0;
	char *s = xstrdup("");
	for (size_t i = FT_INT64; i <= FT_STATE; i++) {
		if (!(mask & K(i)))
			continue;
		char *t = xasprintf("%s%s%s", s,
				    k == 0       ? ""
				    : k + 1 == n ? " or "
						 : ", ",
				    ck_kind_word((enum ft_kind)i));
		free(s);
		s = t;
		k++;
	}
	return s;
}

/* The member of a oneof that is set: of the names given, the one whose
 * field comes last in the message (the last one written wins); -1 for none. */
static int which(struct mt_node *n, const char *const *names, size_t k)
{
	int best = -1;
	long at = -1;
	for (size_t i = 0; i < k; i++) {
		uint32_t num = mt_number(n, names[i]);
		long j = num ? mt_find_last(n, num) : -1;
		if (j > at) {
			at = j;
			best = (int)i;
		}
	}
	return best;
}

/* The kind's parameters (the Type oneof's message), NULL when unreadable */
static struct mt_node *params(const struct model_ref *ref)
{
	long tf = model_type_field(ref->node);
	struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
	return p && mt_parse(p) == 0 ? p : NULL;
}

/* Every feature of l is of a kind in mask (the untyped are said elsewhere);
 * 1 when they all are. */
static int kinds_ok(const struct io_list *l, int out, unsigned mask, const char *model, const char *prefix,
		    struct check_report *r)
{
	int ok = 1;
	for (size_t i = 0; i < l->n; i++) {
		const struct feature *f = &l->v[i];
		if (f->type.kind == FT_NONE || (mask & K(f->type.kind)))
			continue;
		char *p = join(prefix, "description.%s[%zu]", out ? "output" : "input", i);
		char *t = ft_format(&f->type), *w = kinds_words(mask);
		add(r, CHECK_ERROR, p, "%s '%s' is %s: %s %s %s", out ? "output" : "input", f->name, t, model,
		    out ? "gives" : "takes", w);
		free(t);
		free(w);
		free(p);
		ok = 0;
	}
	return ok;
}

/* the first input and output, NULL when there is none */
static const struct feature *first(const struct io_list *l)
{
	return l->n ? &l->v[0] : NULL;
}

/* A one-dimensional multi-array in, the same out: what a scaler or an
 * imputer of arrays needs; 1 when the input is one-dimensional. */
static int one_dim(const struct feature *in, const struct feature *out, const char *model, const char *prefix,
		   struct check_report *r)
{
	int ok = 1;
	if (in->type.shape.rank != 1) {
		char *p = join(prefix, "description.input[0]");
		add(r, CHECK_ERROR, p, "input '%s' has %zu dimensions: %s takes a one-dimensional multi-array",
		    in->name, in->type.shape.rank, model);
		free(p);
		ok = 0;
	}
	if (out->type.shape.rank != 1 || (ok && out->type.shape.dim[0] != in->type.shape.dim[0])) {
		char *p = join(prefix, "description.output[0]");
		char *a = ft_format(&out->type), *b = ft_format(&in->type);
		if (ok)
			add(r, CHECK_ERROR, p, "output '%s' is %s: %s gives its input's shape, %s", out->name, a, model,
			    b);
		else
			add(r, CHECK_ERROR, p, "output '%s' is %s: %s gives a one-dimensional multi-array", out->name,
			    a, model);
		free(a);
		free(b);
		free(p);
	}
	return ok;
}

/* Input and output of one kind (an int64 scaler may give a double) */
static int same_kind(const struct feature *in, const struct feature *out, const char *model, const char *prefix,
		     struct check_report *r)
{
	if (in->type.kind == out->type.kind)
		return 1;
	int widen = !strcmp(model, "a scaler") && in->type.kind == FT_INT64;
	if (widen && out->type.kind == FT_DOUBLE)
		return 1;
	char *p = join(prefix, "description.output[0]");
	char *a = ft_format(&out->type), *b = ft_format(&in->type);
	if (widen)
		add(r, CHECK_ERROR, p, "output '%s' is %s: a scaler of an int64 gives an int64 or a double", out->name,
		    a);
	else
		add(r, CHECK_ERROR, p, "output '%s' is %s: %s gives what it takes, here %s", out->name, a, model, b);
	free(a);
	free(b);
	free(p);
	return 0;
}

/* ---- scaler ----------------------------------------------------------------- */

/* shift and scale: none, one for all, or (for an array) one an element */
static void scaler_counts(struct mt_node *p, const char *pp, int64_t len, struct check_report *r)
{
	static const char *const fields[] = { "shiftValue", "scaleValue" };
	for (size_t i = 0; i < 2; i++) {
		size_t n = mt_count_named(p, fields[i]);
		if (n <= 1 || (len >= 0 && (int64_t)n == len))
			continue;
		if (len >= 0)
			add(r, CHECK_ERROR, pp,
			    "%zu values in %s for a multi-array of %lld: Core ML takes none, one, or one an element", n,
			    fields[i], (long long)len);
		else
			add(r, CHECK_ERROR, pp, "%zu values in %s for a single number: Core ML takes none or one", n,
			    fields[i]);
	}
}

static void check_scaler(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
			 struct check_report *r)
{
	const unsigned ok = K(FT_INT64) | K(FT_DOUBLE) | K(FT_ARRAY);
	int good = kinds_ok(&g->in, 0, ok, "a scaler", prefix, r);
	good &= kinds_ok(&g->out, 1, ok, "a scaler", prefix, r);
	const struct feature *in = first(&g->in), *out = first(&g->out);
	if (!good || !in || !out || in->type.kind == FT_NONE || out->type.kind == FT_NONE)
		return;
	if (!same_kind(in, out, "a scaler", prefix, r))
		return;
	if (in->type.kind != FT_ARRAY)
		scaler_counts(p, pp, -1, r);
	else if (one_dim(in, out, "a scaler", prefix, r))
		scaler_counts(p, pp, in->type.shape.dim[0], r);
}

/* ---- imputer ---------------------------------------------------------------- */

static const char *const imputed_names[] = { "imputedDoubleValue",    "imputedInt64Value", "imputedStringValue",
					     "imputedDoubleArray",    "imputedInt64Array", "imputedStringDictionary",
					     "imputedInt64Dictionary" };
static const char *const replace_names[] = { "replaceDoubleValue", "replaceInt64Value", "replaceStringValue" };
/* per imputed value: the input kinds it fills, the replace value it goes
 * with (-1: none), whether it is an array to match the input's length */
static const struct {
	unsigned kinds;
	int replace, array;
} imputed_rules[] = {
	{ K(FT_DOUBLE) | K(FT_ARRAY), 0, 0 },
	{ K(FT_INT64), 1, 0 },
	{ K(FT_STRING), 2, 0 },
	{ K(FT_ARRAY), 0, 1 },
	{ K(FT_ARRAY), 1, 1 },
	{ K(FT_DICT), -1, 0 },
	{ K(FT_DICT), -1, 0 },
};

static void check_imputer(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
			  struct check_report *r)
{
	const unsigned ok = K(FT_INT64) | K(FT_DOUBLE) | K(FT_ARRAY) | K(FT_STRING) | K(FT_DICT);
	int good = kinds_ok(&g->in, 0, ok, "an imputer", prefix, r);
	good &= kinds_ok(&g->out, 1, ok, "an imputer", prefix, r);
	const struct feature *in = first(&g->in), *out = first(&g->out);
	if (good && in && out && in->type.kind != FT_NONE && out->type.kind != FT_NONE &&
	    same_kind(in, out, "an imputer", prefix, r) && in->type.kind == FT_ARRAY)
		one_dim(in, out, "an imputer", prefix, r);
	int v = which(p, imputed_names, sizeof(imputed_names) / sizeof(imputed_names[0]));
	if (v < 0) {
		add(r, CHECK_ERROR, pp,
		    "no imputed value (imputedDoubleValue, imputedStringValue, ...): Core ML needs one");
		return;
	}
	if (!in || in->type.kind == FT_NONE || !good)
		return;
	if (!(imputed_rules[v].kinds & K(in->type.kind))) {
		char *t = ft_format(&in->type), *w = kinds_words(imputed_rules[v].kinds);
		add(r, CHECK_ERROR, pp, "%s does not fit input '%s', %s: it fills %s", imputed_names[v], in->name, t,
		    w);
		free(t);
		free(w);
		return;
	}
	int rp = which(p, replace_names, sizeof(replace_names) / sizeof(replace_names[0]));
	if (rp >= 0 && imputed_rules[v].replace < 0)
		add(r, CHECK_ERROR, pp, "%s with a dictionary imputed value: Core ML takes no value to replace there",
		    replace_names[rp]);
	else if (rp >= 0 && rp != imputed_rules[v].replace)
		add(r, CHECK_ERROR, pp, "%s with %s: the value replaced goes in %s", replace_names[rp],
		    imputed_names[v], replace_names[imputed_rules[v].replace]);
	if (imputed_rules[v].array && in->type.shape.rank == 1) {
		struct mt_node *a = mt_get_named(p, imputed_names[v]);
		size_t n = a ? mt_count_named(a, "vector") : 0;
		if ((int64_t)n != in->type.shape.dim[0])
			add(r, CHECK_ERROR, pp, "%s has %zu values for input '%s' of length %lld", imputed_names[v], n,
			    in->name, (long long)in->type.shape.dim[0]);
	}
}

/* ---- the others ------------------------------------------------------------- */

static void check_normalizer(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
			     struct check_report *r)
{
	kinds_ok(&g->in, 0, K(FT_ARRAY), "a normalizer", prefix, r);
	kinds_ok(&g->out, 1, K(FT_ARRAY), "a normalizer", prefix, r);
	int64_t norm = mt_get_int_named(p, "normType", 0);
	if (norm < 0 || norm > 2)
		add(r, CHECK_ERROR, pp, "normType %lld: Core ML knows LMax (0), L1 (1) and L2 (2)", (long long)norm);
}

static void check_one_hot(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
			  struct check_report *r)
{
	kinds_ok(&g->in, 0, K(FT_INT64) | K(FT_STRING), "a one-hot encoder", prefix, r);
	int sparse = mt_get_int_named(p, "outputSparse", 0) != 0;
	kinds_ok(&g->out, 1, K(sparse ? FT_DICT : FT_ARRAY),
		 sparse ? "a one-hot encoder with outputSparse" : "a one-hot encoder without outputSparse", prefix, r);
	static const char *const cats[] = { "stringCategories", "int64Categories" };
	if (which(p, cats, 2) < 0)
		add(r, CHECK_ERROR, pp, "no categories (stringCategories or int64Categories)");
}

static void check_dict_vectorizer(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
				  struct check_report *r)
{
	kinds_ok(&g->in, 0, K(FT_DICT), "a dictionary vectorizer", prefix, r);
	/* so Core ML's validator has it, though the runtime gives an array */
	kinds_ok(&g->out, 1, K(FT_DICT), "a dictionary vectorizer", prefix, r);
	static const char *const maps[] = { "stringToIndex", "int64ToIndex" };
	if (which(p, maps, 2) < 0)
		add(r, CHECK_ERROR, pp, "no index map (stringToIndex or int64ToIndex)");
}

static int check_feature_vectorizer(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
				    struct check_report *r)
{
	kinds_ok(&g->in, 0, K(FT_INT64) | K(FT_DOUBLE) | K(FT_ARRAY) | K(FT_DICT), "a feature vectorizer", prefix, r);
	kinds_ok(&g->out, 1, K(FT_ARRAY), "a feature vectorizer", prefix, r);
	uint32_t num = mt_number(p, "inputList");
	long i = -1;
	int rc;
	size_t k = 0;
	struct mt_node *c;
	while (num && (rc = next_child(p, num, &i, &c)) == 1) {
		if (mt_get_int_named(c, "inputDimensions", 0) == 0) {
			char *cp = xasprintf("%s.inputList[%zu]", pp, k);
			char *col = field_str(c, mt_number(c, "inputColumn"));
			add(r, CHECK_ERROR, cp, "column '%s' has inputDimensions 0: each column needs one or more",
			    col);
			free(col);
			free(cp);
		}
		k++;
	}
	return num && rc < 0 ? -1 : 0;
}

static void check_extractor(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
			    struct check_report *r)
{
	kinds_ok(&g->in, 0, K(FT_ARRAY), "an array feature extractor", prefix, r);
	kinds_ok(&g->out, 1, K(FT_DOUBLE) | K(FT_INT64) | K(FT_ARRAY), "an array feature extractor", prefix, r);
	const struct feature *out = first(&g->out);
	size_t n = mt_count_named(p, "extractIndex");
	if (out && out->type.kind == FT_DOUBLE && n != 1)
		add(r, CHECK_ERROR, pp, "%zu extractIndex values for output '%s', a double: it takes exactly one", n,
		    out->name);
}

static void check_categorical(struct mt_node *p, const char *pp, const struct io_group *g, const char *prefix,
			      struct check_report *r)
{
	static const char *const maps[] = { "stringToInt64Map", "int64ToStringMap" };
	static const char *const dflt[] = { "strValue", "int64Value" };
	int m = which(p, maps, 2);
	if (m < 0) {
		add(r, CHECK_ERROR, pp, "no mapping (stringToInt64Map or int64ToStringMap)");
		return;
	}
	/* m 0: strings to int64s; 1: int64s to strings */
	enum ft_kind from = m == 0 ? FT_STRING : FT_INT64, to = m == 0 ? FT_INT64 : FT_STRING;
	const char *fw = m == 0 ? "string" : "int64", *tw = m == 0 ? "int64" : "string";
	const char *mw = m == 0 ? "a mapping of strings to int64s" : "a mapping of int64s to strings";
	int d = which(p, dflt, 2);
	if (d == m)
		add(r, CHECK_ERROR, pp, "%s for unknown values of a mapping that gives %ss: it takes %s", dflt[d], tw,
		    dflt[1 - d]);
	int good = kinds_ok(&g->in, 0, K(from) | K(FT_SEQUENCE), mw, prefix, r);
	good &= kinds_ok(&g->out, 1, K(to) | K(FT_SEQUENCE), mw, prefix, r);
	const struct feature *in = first(&g->in), *out = first(&g->out);
	if (!good || !in || !out || in->type.kind != FT_SEQUENCE)
		return;
	if (!in->type.elem || strcmp(in->type.elem, fw)) {
		char *ip = join(prefix, "description.input[0]"), *t = ft_format(&in->type);
		add(r, CHECK_ERROR, ip, "input '%s' is %s: %s reads a sequence of %ss", in->name, t, mw, fw);
		free(t);
		free(ip);
	} else if (out->type.kind != FT_NONE &&
		   (out->type.kind != FT_SEQUENCE || !out->type.elem || strcmp(out->type.elem, tw))) {
		char *op = join(prefix, "description.output[0]"), *t = ft_format(&out->type);
		add(r, CHECK_ERROR, op, "output '%s' is %s: given a sequence, %s gives a sequence of %ss", out->name, t,
		    mw, tw);
		free(t);
		free(op);
	}
}

/* ---- pipelines -------------------------------------------------------------- */

/* A pipeline's names, when it has any: one a member, each its own. */
static void check_pipeline_names(const struct model_ref *ref, struct check_report *r)
{
	struct mt_node *pl = model_pipeline(ref->node);
	uint32_t num = pl ? mt_number(pl, "names") : 0;
	if (!num)
		return;
	size_t nnames = mt_count_named(pl, "names"), nmodels = mt_count_named(pl, "models");
	if (!nnames)
		return;
	char *pp = mt_path(pl), *np = xasprintf("%s.names", pp);
	if (nnames != nmodels)
		add(r, CHECK_ERROR, np, "%zu name%s for %zu member%s: a pipeline names all its members or none", nnames,
		    nnames == 1 ? "" : "s", nmodels, nmodels == 1 ? "" : "s");
	struct sset seen = { 0 };
	size_t k = 0;
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->f[i].number != num || pl->f[i].wt != WT_LEN)
			continue;
		size_t len;
		const char *s = mt_str(&pl->f[i], &len);
		char *name = xstrndup(s ? s : "", s ? len : 0);
		if (!sset_add(&seen, name)) {
			char *ep = xasprintf("%s[%zu]", np, k);
			add(r, CHECK_ERROR, ep, "the name '%s' is given to an earlier member too", name);
			free(ep);
		}
		free(name);
		k++;
	}
	sset_free(&seen);
	free(np);
	free(pp);
}

int check_prep(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	const char *t = ref->type;
	if (!t)
		return 0;
	if (!strcmp(t, "pipeline") || !strcmp(t, "pipelineClassifier") || !strcmp(t, "pipelineRegressor")) {
		check_pipeline_names(ref, r);
		return 0;
	}
	static const char *const kinds[] = { "scaler",
					     "imputer",
					     "normalizer",
					     "oneHotEncoder",
					     "dictVectorizer",
					     "featureVectorizer",
					     "arrayFeatureExtractor",
					     "categoricalMapping" };
	size_t k = 0;
	while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(t, kinds[k]))
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	struct mt_node *p = params(ref);
	if (!p)
		return -1;
	char *pp = join(ref->path, "%s", t);
	const char *pre = ref->path;
	int rc = 0;
	switch (k) {
	case 0: check_scaler(p, pp, g, pre, r); break;
	case 1: check_imputer(p, pp, g, pre, r); break;
	case 2: check_normalizer(p, pp, g, pre, r); break;
	case 3: check_one_hot(p, pp, g, pre, r); break;
	case 4: check_dict_vectorizer(p, pp, g, pre, r); break;
	case 5: rc = check_feature_vectorizer(p, pp, g, pre, r); break;
	case 6: check_extractor(p, pp, g, pre, r); break;
	default: check_categorical(p, pp, g, pre, r); break;
	}
	free(pp);
	return rc;
}
