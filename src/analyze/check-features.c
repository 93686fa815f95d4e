/* check-features: the descriptions of a model: names, types, shapes. */
#include "analyze/check-internal.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void unique_names(const struct io_list *l, const char *prefix, const char *what, struct check_report *r)
{
	struct sset s = { 0 };
	for (size_t i = 0; i < l->n; i++)
		if (!sset_add(&s, l->v[i].name)) {
			char *p = join(prefix, "%s[%zu]", what, i);
			add(r, CHECK_ERROR, p, "the name '%s' is used twice", l->v[i].name);
			free(p);
		}
	sset_free(&s);
}

int in_list(const struct io_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return 1;
	return 0;
}

/* a dimension's range, as Core ML reads it: an upper bound below 0 is
 * no bound */
static int in_range(int64_t v, const struct ft_range *rg)
{
	return v >= 0 && (uint64_t)v >= rg->lo && (rg->hi < 0 || v <= rg->hi);
}

/* a range whose lower bound is above its upper; Core ML reads an upper
 * bound of 0 as no bound here (but not when it places a default size) */
static int bad_range(const struct ft_range *rg)
{
	return rg->hi > 0 && rg->lo > (uint64_t)rg->hi;
}

/* The type of one feature, as Core ML's validator reads it: a multi-array
 * has a data type (an input's shape, which needs to know whether flexible
 * shapes are set at all, is check-desc.c's); a default
 * shape or image size lies within what the flexible ones allow; an image
 * has a size and a colour space; a dictionary its key type, a sequence its
 * element type.  Flexible shapes count from version 3 on, as in Core ML. */
static void check_type(const struct feature *f, const char *fp, int version, struct check_report *r)
{
	const struct ft_info *t = &f->type;
	const char *nm = f->name;
	int flex = version >= 3;
	if (t->kind == FT_ARRAY) {
		if (!t->dtype)
			add(r, CHECK_ERROR, fp,
			    "multi-array '%s' has no data type (Core ML needs DOUBLE, FLOAT32, FLOAT16 or INT32)", nm);
		for (size_t i = 0; i < t->shape.rank; i++)
			if (t->shape.dim[i] < 0) {
				add(r, CHECK_ERROR, fp,
				    "multi-array '%s': dimension %zu of its shape is negative (%lld)", nm, i,
				    (long long)t->shape.dim[i]);
				break;
			}
		if (flex && t->nranges) {
			int bad = 0;
			for (size_t i = 0; i < t->nranges && !bad; i++)
				if (bad_range(&t->ranges[i])) {
					add(r, CHECK_ERROR, fp,
					    "multi-array '%s': the range of dimension %zu has its lower bound above "
					    "its upper",
					    nm, i);
					bad = 1;
				}
			if (!bad && t->shape.rank && t->shape.rank != t->nranges)
				add(r, CHECK_ERROR, fp,
				    "multi-array '%s': a %zu-dimensional shape with a %zu-dimensional shape range", nm,
				    t->shape.rank, t->nranges);
			else if (!bad && t->shape.rank)
				for (size_t i = 0; i < t->nranges; i++)
					if (!in_range(t->shape.dim[i], &t->ranges[i])) {
						add(r, CHECK_ERROR, fp,
						    "multi-array '%s': its shape lies outside its shape range "
						    "(dimension %zu)",
						    nm, i);
						break;
					}
		} else if (flex && t->nshapes && t->shape.rank) {
			int found = 0;
			for (size_t k = 0; k < t->nshapes && !found; k++) {
				const struct ft_shape *e = &t->shapes[k];
				found = e->rank == t->shape.rank;
				for (size_t i = 0; found && i < e->rank; i++)
					found = e->dim[i] == t->shape.dim[i];
			}
			if (!found)
				add(r, CHECK_ERROR, fp, "multi-array '%s': its shape is none of its enumerated shapes",
				    nm);
		}
	} else if (t->kind == FT_IMAGE) {
		int64_t w = t->width, h = t->height;
		int has = w > 0 && h > 0;
		if (flex && t->nsizes) {
			int found = !has;
			for (size_t k = 0; k < t->nsizes && !found; k++)
				found = (uint64_t)w == t->sizes[k][0] && (uint64_t)h == t->sizes[k][1];
			if (!found)
				add(r, CHECK_ERROR, fp,
				    "image '%s': its size %lldx%lld is none of its enumerated sizes", nm, (long long)w,
				    (long long)h);
			if (!has)
				w = (int64_t)t->sizes[0][0], h = (int64_t)t->sizes[0][1];
		} else if (flex && t->has_range) {
			if (bad_range(&t->wrange) || bad_range(&t->hrange))
				add(r, CHECK_ERROR, fp, "image '%s': a size range has its lower bound above its upper",
				    nm);
			else if (has && (!in_range(w, &t->wrange) || !in_range(h, &t->hrange)))
				add(r, CHECK_ERROR, fp, "image '%s': its size %lldx%lld lies outside its size range",
				    nm, (long long)w, (long long)h);
			if (!has)
				w = (int64_t)t->wrange.lo, h = (int64_t)t->hrange.lo;
		}
		if (w <= 0 || h <= 0)
			add(r, CHECK_ERROR, fp, "image '%s' has no %s (%lld)", nm, w <= 0 ? "width" : "height",
			    (long long)(w <= 0 ? t->width : t->height));
		if (!t->color)
			add(r, CHECK_ERROR, fp, "image '%s' has no colour space (Core ML needs RGB, BGR or GRAYSCALE)",
			    nm);
	} else if (t->kind == FT_DICT && !t->key) {
		add(r, CHECK_ERROR, fp, "dictionary '%s' has no key type (int64 or string)", nm);
	} else if (t->kind == FT_SEQUENCE) {
		if (!t->elem)
			add(r, CHECK_ERROR, fp, "sequence '%s' has no element type (int64 or string)", nm);
		if (t->has_range && bad_range(&t->len))
			add(r, CHECK_ERROR, fp, "sequence '%s': its length range has its lower bound above its upper",
			    nm);
	}
}

/* model types whose description may list no input (Core ML 8 on) */
static int may_have_no_input(const char *type)
{
	static const char *const ok[] = { "neuralNetwork", "neuralNetworkRegressor", "neuralNetworkClassifier",
					  "pipeline",      "pipelineRegressor",      "pipelineClassifier",
					  "mlProgram" };
	for (size_t i = 0; type && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(type, ok[i]))
			return 1;
	return 0;
}

/* The version gates Core ML's validator puts on a description's types:
 * errors, where a stored version below what other features need is only
 * a warning (check.c). */
static void version_gates(const struct feature *f, const char *fp, int version, struct check_report *r)
{
	const struct ft_info *t = &f->type;
	const char *what = NULL;
	int need = 0;
	/* a state's data type has no gate of its own: states came with 9 */
	if (t->kind == FT_STATE)
		what = "a state", need = 9;
	else if (t->dtype && !strcmp(t->dtype, "float16"))
		what = "a float16 multi-array", need = 7;
	else if (t->dtype && !strcmp(t->dtype, "int8"))
		what = "an int8 multi-array", need = 10;
	else if (t->color && !strcmp(t->color, "GRAYSCALE_FLOAT16"))
		what = "a GRAYSCALE_FLOAT16 image", need = 7;
	else if (t->kind == FT_SEQUENCE)
		what = "a sequence", need = 3;
	if (need && version > 0 && version < need)
		gate(r, fp, "'%s' is %s, which needs specification version %d (this model has %d)", f->name, what, need,
		     version);
}

static void check_features(const struct io_list *l, const char *dp, const char *what, int version, const char *type,
			   struct check_report *r)
{
	for (size_t i = 0; i < l->n; i++) {
		char *p = join(dp, "%s[%zu]", what, i);
		version_gates(&l->v[i], p, version, r);
		if (!*l->v[i].name)
			add(r, CHECK_ERROR, p, "%s %zu has no name", what, i);
		if (l->v[i].type.kind == FT_NONE)
			add(r, CHECK_ERROR, p, "%s '%s' has no type", what, l->v[i].name);
		else
			check_type(&l->v[i], p, version, r);
		free(p);
	}
}

static int type_in(const char *type, const char *const *t, size_t n)
{
	for (size_t i = 0; type && i < n; i++)
		if (!strcmp(type, t[i]))
			return 1;
	return 0;
}
#define TYPE_IN(type, t) type_in(type, t, sizeof(t) / sizeof(t[0]))

/* Optional features, as Core ML allows them: never an output; inputs of
 * networks and programs, but not all of them, with a default value (of
 * the array's data type) only there; any input of trees, imputers,
 * recommenders, identities and pipelines (whose members say); no optional
 * input elsewhere. */
static void check_optional(const struct io_group *gr, const char *dp, const char *type, int version,
			   struct check_report *r)
{
	static const char *const nets[] = { "neuralNetwork", "neuralNetworkRegressor", "neuralNetworkClassifier",
					    "serializedModel", "mlProgram" };
	static const char *const any[] = {
		"imputer",           "treeEnsembleRegressor", "treeEnsembleClassifier",    "pipeline",
		"pipelineRegressor", "pipelineClassifier",    "itemSimilarityRecommender", "identity"
	};
	if (!type)
		return;
	int net = TYPE_IN(type, nets), free_ok = TYPE_IN(type, any), required = 0;
	for (size_t i = 0; i < gr->in.n; i++) {
		const struct feature *f = &gr->in.v[i];
		const struct ft_info *t = &f->type;
		char *p = join(dp, "input[%zu]", i);
		required |= !t->optional || t->kind == FT_STATE;
		if (t->optional && !net && !free_ok)
			add(r, CHECK_ERROR, p, "input '%s' is optional, which a %s does not allow", f->name, type);
		/* the default value's type: check-desc.c */
		if (t->optional && t->has_default && t->kind == FT_ARRAY) {
			if (!net)
				add(r, CHECK_ERROR, p,
				    "input '%s' has a default value, which only networks and programs may have",
				    f->name);
			else if (version > 0 && version < 5)
				gate(r, p,
				     "input '%s' has a default value, which needs specification version 5 (this model "
				     "has %d)",
				     f->name, version);
		}
		free(p);
	}
	if (net && gr->in.n && !required)
		add(r, CHECK_ERROR, dp, "every input is optional: a network needs at least one that is not");
	for (size_t i = 0; i < gr->out.n; i++)
		if (gr->out.v[i].type.optional) {
			char *p = join(dp, "output[%zu]", i);
			add(r, CHECK_ERROR, p, "output '%s' is optional: outputs cannot be", gr->out.v[i].name);
			free(p);
		}
}

/* 1 when Core ML looks up the output that predictedFeatureName (or, with
 * probs, predictedProbabilitiesName) names: on the classifiers and
 * regressors it validates as such, in the model's own description; the
 * other types ignore the names, so that a dangling one is only a warning */
static int names_checked(const char *type, int probs, size_t group)
{
	static const char *const cls[] = { "glmClassifier", "supportVectorClassifier", "kNearestNeighborsClassifier",
					   "neuralNetworkClassifier" };
	static const char *const reg[] = { "glmRegressor", "supportVectorRegressor", "neuralNetworkRegressor" };
	return group == 0 && (TYPE_IN(type, cls) || (!probs && TYPE_IN(type, reg)));
}

void check_description(const struct model_io *io, const char *prefix, const char *type, int version,
		       struct check_report *r)
{
	/* a multi-function model's own lists are empty: its functions have them */
	size_t first = io->n > 1 ? 1 : 0;
	if ((io->n > 1 || (io->default_fn && *io->default_fn)) && version > 0 && version < 9) {
		char *dp = join(prefix, "description.functions");
		gate(r, dp, "functions, which need specification version 9 (this model has %d)", version);
		free(dp);
	}
	if (io->n > 1 || (io->default_fn && *io->default_fn)) {
		int found = 0;
		for (size_t g = 1; g < io->n; g++)
			found |= io->default_fn && !strcmp(io->g[g].function, io->default_fn);
		if (!found) {
			char *dp = join(prefix, "description.defaultFunctionName");
			add(r, CHECK_ERROR, dp, "the default function '%s' is not one of the functions",
			    io->default_fn ? io->default_fn : "");
			free(dp);
		}
	}
	for (size_t g = 0; g < io->n; g++) {
		const struct io_group *gr = &io->g[g];
		char *dp =
			gr->function ? join(prefix, "description.functions[%zu]", g - 1) : join(prefix, "description");
		unique_names(&gr->in, dp, "input", r);
		unique_names(&gr->out, dp, "output", r);
		unique_names(&gr->state, dp, "state", r);
		if (gr->predicted && *gr->predicted && !in_list(&gr->out, gr->predicted))
			add(r, names_checked(type, 0, g) ? CHECK_ERROR : CHECK_WARNING, dp,
			    "predictedFeatureName '%s' is not an output", gr->predicted);
		if (gr->probabilities && *gr->probabilities && !in_list(&gr->out, gr->probabilities))
			add(r, names_checked(type, 1, g) ? CHECK_ERROR : CHECK_WARNING, dp,
			    "predictedProbabilitiesName '%s' is not an output", gr->probabilities);
		if (g >= first && type) {
			if (!gr->in.n && !may_have_no_input(type))
				add(r, CHECK_ERROR, dp, "no inputs: a %s needs at least one", type);
			else if (!gr->in.n && version > 0 && version < 9)
				gate(r, dp, "no inputs, which needs specification version 9 (this model has %d)",
				     version);
			if (!gr->out.n)
				add(r, CHECK_ERROR, dp, "no outputs");
		}
		check_features(&gr->in, dp, "input", version, type, r);
		/* as Core ML: the model's own lists only, not its functions' */
		if (g == 0)
			check_optional(gr, dp, type, version, r);
		check_features(&gr->out, dp, "output", version, type, r);
		for (size_t i = 0; i < gr->state.n; i++) {
			char *p = join(dp, "state[%zu]", i);
			version_gates(&gr->state.v[i], p, version, r);
			free(p);
		}
		free(dp);
	}
}
