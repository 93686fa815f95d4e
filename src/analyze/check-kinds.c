/* check-kinds: pipelines, classifiers, updatable models: the rules that
 * depend on the type of a model, as Core ML's validator has them. */
#include "analyze/check-internal.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "edit/iface.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pipelines ------------------------------------------------------------ */

static size_t rank_of(const struct ft_info *t)
{
	if (t->nshapes)
		return t->shapes[0].rank;
	if (t->nranges)
		return t->nranges;
	return t->shape.rank;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Two feature types that Core ML takes for the same where a pipeline hands
 * a value on: kind, data type, rank, and the shape when neither is
 * flexible; an image's size and colour space; a dictionary's key, a
 * sequence's element.  Optional or not does not count. */
static int same_type(const struct ft_info *a, const struct ft_info *b)
{
	if (a->kind != b->kind)
		return 0;
	switch (a->kind) {
	case FT_ARRAY:
	case FT_STATE:
		if (!same_str(a->dtype, b->dtype) || rank_of(a) != rank_of(b))
			return 0;
		if (a->kind == FT_ARRAY && (a->nshapes || a->nranges || b->nshapes || b->nranges))
			return 1;
		for (size_t i = 0; i < a->shape.rank && i < b->shape.rank; i++)
			if (a->shape.dim[i] != b->shape.dim[i])
				return 0;
		return 1;
	case FT_IMAGE: return a->width == b->width && a->height == b->height && same_str(a->color, b->color);
	case FT_DICT: return same_str(a->key, b->key);
	case FT_SEQUENCE: return same_str(a->elem, b->elem);
	default: return 1;
	}
}

/* the type a name has at this point of a pipeline */
struct typed {
	const char *name;
	const struct ft_info *t;
};
struct types {
	struct typed *v;
	size_t n, cap;
};

static const struct ft_info *types_find(const struct types *ty, const char *name)
{
	for (size_t i = ty->n; i-- > 0;)
		if (!strcmp(ty->v[i].name, name))
			return ty->v[i].t;
	return NULL;
}

static void types_add(struct types *ty, const struct io_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		xgrow((void **)&ty->v, &ty->cap, ty->n + 1, sizeof(*ty->v));
		ty->v[ty->n++] = (struct typed){ l->v[i].name, &l->v[i].type };
	}
}

int check_pipeline(struct mt_node *model, const char *prefix, const struct io_group *g, struct check_report *r)
{
	struct mt_node *pl = model_pipeline(model);
	if (!pl)
		return 0;
	char *pp = mt_path(pl);
	struct types ty = { 0 };
	types_add(&ty, &g->in);
	struct model_io *ios = NULL;
	size_t nio = 0, cap = 0;
	long i = -1;
	int rc;
	struct mt_node *mem;
	size_t k = 0, nupd = 0, last_upd = 0;
	while ((rc = next_child(pl, F_Pipeline_models, &i, &mem)) == 1) {
		xgrow((void **)&ios, &cap, nio + 1, sizeof(*ios));
		struct model_io *io = &ios[nio];
		if (io_read(mem, io) < 0) {
			io_release(io);
			rc = -1;
			break;
		}
		nio++;
		char *mp = xasprintf("%s.models[%zu]", pp, k);
		for (size_t q = 0; q < io->g[0].in.n; q++) {
			const struct feature *f = &io->g[0].in.v[q];
			const struct ft_info *had = types_find(&ty, f->name);
			if (!had)
				add(r, CHECK_ERROR, mp,
				    "input '%s' is neither a pipeline input nor an output of an earlier member",
				    f->name);
			else if (!same_type(had, &f->type)) {
				char *a = ft_format(had), *b = ft_format(&f->type);
				add(r, CHECK_ERROR, mp, "input '%s' is %s, but what the pipeline hands it is %s",
				    f->name, b, a);
				free(a);
				free(b);
			}
		}
		types_add(&ty, &io->g[0].out);
		if (mt_get_int(mem, F_Model_isUpdatable, 0)) {
			nupd++;
			last_upd = k;
		}
		free(mp);
		k++;
	}
	if (rc >= 0) {
		if (!k)
			add(r, CHECK_ERROR, pp, "a pipeline without models");
		for (size_t q = 0; q < g->out.n; q++) {
			const struct feature *f = &g->out.v[q];
			const struct ft_info *had = types_find(&ty, f->name);
			char *p = join(prefix, "description.output[%zu]", q);
			if (!had)
				add(r, CHECK_ERROR, p, "output '%s' is produced by no member of the pipeline", f->name);
			else if (!same_type(had, &f->type)) {
				char *a = ft_format(had), *b = ft_format(&f->type);
				add(r, CHECK_ERROR, p, "output '%s' is %s, but the pipeline makes it %s", f->name, b,
				    a);
				free(a);
				free(b);
			}
			free(p);
		}
		int updatable = mt_get_int(model, F_Model_isUpdatable, 0) != 0;
		if (updatable && k && (nupd != 1 || last_upd != k - 1))
			add(r, CHECK_ERROR, pp,
			    "an updatable pipeline: its last model, and only that, must be updatable");
		else if (!updatable && nupd)
			add(r, CHECK_ERROR, pp, "pipeline member %zu is updatable, but the pipeline is not", last_upd);
	}
	for (size_t q = 0; q < nio; q++)
		io_release(&ios[q]);
	free(ios);
	free(ty.v);
	free(pp);
	return rc < 0 ? -1 : 0;
}

/* ---- classifiers ------------------------------------------------------------ */

int is_classifier(const char *t)
{
	static const char *const c[] = { "neuralNetworkClassifier",     "glmClassifier",
					 "supportVectorClassifier",     "treeEnsembleClassifier",
					 "kNearestNeighborsClassifier", "pipelineClassifier" };
	for (size_t i = 0; t && i < sizeof(c) / sizeof(c[0]); i++)
		if (!strcmp(t, c[i]))
			return 1;
	return 0;
}

static const struct feature *find_out(const struct io_group *g, const char *name)
{
	for (size_t i = 0; i < g->out.n; i++)
		if (!strcmp(g->out.v[i].name, name))
			return &g->out.v[i];
	return NULL;
}

/* Class labels, and the outputs a classifier names: predictedFeatureName
 * an output (a string or an int64), predictedProbabilitiesName, when set,
 * a dictionary or multi-array output.  A k-nearest-neighbours classifier
 * may start with no labels (it learns them on the device) when it has a
 * default label. */
static int check_classifier(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	const char *t = ref->type;
	if (!strcmp(t, "pipelineClassifier"))
		return 0; /* Core ML asks nothing of its labels or its outputs */
	struct iface_labels l;
	memset(&l, 0, sizeof(l));
	int got = iface_labels_get(ref->node, &l);
	size_t nlabels = l.n;
	iface_labels_release(&l);
	if (got < 0)
		return -1;
	int knn = !strcmp(t, "kNearestNeighborsClassifier");
	int has_default = 0;
	if (knn) {
		long tf = model_type_field(ref->node);
		struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
		has_default = p && mt_parse(p) == 0 &&
			      (mt_find(p, F_KNearestNeighborsClassifier_defaultStringLabel, 0) >= 0 ||
			       mt_find(p, F_KNearestNeighborsClassifier_defaultInt64Label, 0) >= 0);
	}
	if ((!got || !nlabels) && !has_default) {
		char *p = join(ref->path, "%s", t);
		add(r, CHECK_ERROR, p,
		    knn ? "a classifier without class labels or a default label" : "a classifier without class labels");
		free(p);
	}
	char *dp = join(ref->path, "description");
	if (!g->predicted || !*g->predicted) {
		add(r, CHECK_ERROR, dp, "a classifier without predictedFeatureName");
	} else {
		const struct feature *f = find_out(g, g->predicted);
		if (f && f->type.kind != FT_STRING && f->type.kind != FT_INT64)
			add(r, CHECK_ERROR, dp, "the predicted class '%s' is neither a string nor an int64",
			    g->predicted);
	}
	if (g->probabilities && *g->probabilities) {
		const struct feature *f = find_out(g, g->probabilities);
		if (f && f->type.kind != FT_DICT && f->type.kind != FT_ARRAY)
			add(r, CHECK_ERROR, dp, "the probabilities '%s' are neither a dictionary nor a multi-array",
			    g->probabilities);
	}
	free(dp);
	return 0;
}

/* ---- updatable models ------------------------------------------------------- */

static int updatable_type(const char *t)
{
	static const char *const ok[] = {
		"neuralNetwork", "neuralNetworkRegressor", "neuralNetworkClassifier", "kNearestNeighborsClassifier",
		"pipeline",      "pipelineRegressor",      "pipelineClassifier"
	};
	for (size_t i = 0; t && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(t, ok[i]))
			return 1;
	return 0;
}

/* An updatable model: a type Core ML can update, and a network with
 * updatable layers and its update parameters (loss, optimizer, epochs). */
static int check_updatable(const struct model_ref *ref, struct check_report *r)
{
	if (!mt_get_int(ref->node, F_Model_isUpdatable, 0))
		return 0;
	char *p = join(ref->path, "isUpdatable");
	if (!updatable_type(ref->type))
		add(r, CHECK_ERROR, p, "a %s cannot be updated on the device", ref->type ? ref->type : "model");
	else if (ref->version > 0 && ref->version < 4)
		gate(r, p, "an updatable model needs specification version 4 (this one has %d)", ref->version);
	struct mt_node *nn = nn_network(ref->node);
	if (nn) {
		long i = -1;
		int rc, any = 0;
		struct mt_node *layer;
		while ((rc = next_child(nn, F_NeuralNetwork_layers, &i, &layer)) == 1)
			any |= mt_get_int(layer, F_NeuralNetworkLayer_isUpdatable, 0) != 0;
		if (rc < 0) {
			free(p);
			return -1;
		}
		if (!any)
			add(r, CHECK_ERROR, p, "an updatable network with no updatable layer");
		if (!mt_get(nn, F_NeuralNetwork_updateParams))
			add(r, CHECK_ERROR, p, "an updatable network without updateParams (loss, optimizer, epochs)");
		check_update_nn(ref, nn, r);
	}
	free(p);
	return 0;
}

/* ---- how many features a model type takes ---------------------------------- */

/* The model types Core ML gives one input and one output (at most; 0: no
 * limit); a vision feature print's objects give two outputs. */
static void check_counts(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	static const struct {
		const char *type;
		size_t in, out;
	} k[] = {
		{ "scaler", 1, 1 },
		{ "imputer", 1, 1 },
		{ "normalizer", 1, 1 },
		{ "oneHotEncoder", 1, 1 },
		{ "dictVectorizer", 1, 1 },
		{ "featureVectorizer", 0, 1 },
		{ "arrayFeatureExtractor", 1, 1 },
		{ "categoricalMapping", 1, 1 },
		{ "textClassifier", 1, 1 },
		{ "gazetteer", 1, 1 },
		{ "wordEmbedding", 1, 1 },
		{ "visionFeaturePrint", 1, 1 },
		{ "audioFeaturePrint", 1, 1 },
	};
	const char *t = ref->type;
	for (size_t i = 0; t && i < sizeof(k) / sizeof(k[0]); i++) {
		if (strcmp(t, k[i].type))
			continue;
		size_t out = k[i].out;
		if (!strcmp(t, "visionFeaturePrint")) {
			long tf = model_type_field(ref->node);
			struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
			if (p && mt_parse(p) == 0 && mt_find(p, F_CoreMLModels_VisionFeaturePrint_objects, 0) >= 0)
				out = 2;
		}
		char *dp = join(ref->path, "description");
		if (k[i].in && g->in.n > k[i].in)
			add(r, CHECK_ERROR, dp, "%zu inputs: a %s takes %zu", g->in.n, t, k[i].in);
		if (out && g->out.n > out)
			add(r, CHECK_ERROR, dp, "%zu outputs: a %s gives %zu", g->out.n, t, out);
		free(dp);
	}
}

/* ---- k-nearest neighbours ---------------------------------------------------- */

/* the elements of every occurrence of repeated scalar field num */
static size_t count_scalars(struct mt_node *n, uint32_t num)
{
	size_t c = 0;
	for (long i = mt_find(n, num, 0); i >= 0; i = mt_find(n, num, (size_t)i + 1)) {
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&n->f[i], &pos, &u) == 1)
			c++;
	}
	return c;
}

/* A k-NN classifier as Core ML's validator wants it: a positive number of
 * neighbours within what it allows, a weighting scheme, a default label of
 * the labels' type, one example a label, each as long as the index's
 * dimensions, an index type (a k-d tree's leaves of positive size) and a
 * distance. */
static int check_knn(const struct model_ref *ref, struct check_report *r)
{
	long tf = model_type_field(ref->node);
	struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
	if (!p || mt_parse(p) < 0)
		return -1;
	char *pp = join(ref->path, "kNearestNeighborsClassifier");
	struct mt_node *k = mt_get(p, F_KNearestNeighborsClassifier_numberOfNeighbors);
	int64_t dflt = k ? mt_get_int(k, F_Int64Parameter_defaultValue, 0) : 0;
	if (dflt <= 0)
		add(r, CHECK_ERROR, pp, "numberOfNeighbors: a default of %lld, not a positive number", (long long)dflt);
	struct mt_node *range = k ? mt_get(k, F_Int64Parameter_range) : NULL,
		       *set = k ? mt_get(k, F_Int64Parameter_set) : NULL;
	if (k && mt_find(k, F_Int64Parameter_set, 0) >= 0 && set) {
		int found = 0;
		for (long i = mt_find(set, F_Int64Set_values, 0); i >= 0;
		     i = mt_find(set, F_Int64Set_values, (size_t)i + 1)) {
			size_t pos = 0;
			uint64_t u;
			while (mt_scalar_next(&set->f[i], &pos, &u) == 1)
				found |= (int64_t)u == dflt;
		}
		if (!found)
			add(r, CHECK_ERROR, pp, "numberOfNeighbors: the default %lld is not in the allowed set",
			    (long long)dflt);
	} else if (k && mt_find(k, F_Int64Parameter_range, 0) >= 0 && range) {
		int64_t lo = mt_get_int(range, F_Int64Range_minValue, 0),
			hi = mt_get_int(range, F_Int64Range_maxValue, 0);
		if (lo <= 0 || hi <= 0 || lo > hi || dflt < lo || dflt > hi)
			add(r, CHECK_ERROR, pp,
			    "numberOfNeighbors: the default %lld is not in the allowed range %lld..%lld",
			    (long long)dflt, (long long)lo, (long long)hi);
	}
	if (mt_find(p, F_KNearestNeighborsClassifier_uniformWeighting, 0) < 0 &&
	    mt_find(p, F_KNearestNeighborsClassifier_inverseDistanceWeighting, 0) < 0)
		add(r, CHECK_ERROR, pp, "no weighting scheme (uniformWeighting or inverseDistanceWeighting)");
	int str_labels = mt_find(p, F_KNearestNeighborsClassifier_stringClassLabels, 0) >= 0,
	    int_labels = mt_find(p, F_KNearestNeighborsClassifier_int64ClassLabels, 0) >= 0;
	if ((mt_find(p, F_KNearestNeighborsClassifier_defaultStringLabel, 0) >= 0 && int_labels) ||
	    (mt_find(p, F_KNearestNeighborsClassifier_defaultInt64Label, 0) >= 0 && str_labels))
		add(r, CHECK_ERROR, pp, "the default label and the class labels are of different types");
	/* StringVector: one string a field; Int64Vector: packed or not */
	size_t nlabels = 0;
	struct mt_node *lv = str_labels || int_labels
				     ? mt_get(p, str_labels ? F_KNearestNeighborsClassifier_stringClassLabels
							    : F_KNearestNeighborsClassifier_int64ClassLabels)
				     : NULL;
	if (lv && mt_parse(lv) == 0) {
		if (int_labels)
			nlabels = count_scalars(lv, F_Int64Vector_vector);
		else
			for (long i = mt_find(lv, F_StringVector_vector, 0); i >= 0;
			     i = mt_find(lv, F_StringVector_vector, (size_t)i + 1))
				nlabels++;
	}
	struct mt_node *ix = mt_get(p, F_KNearestNeighborsClassifier_nearestNeighborsIndex);
	size_t nsamples = 0;
	if (ix && mt_parse(ix) == 0) {
		int64_t dims = mt_get_int(ix, F_NearestNeighborsIndex_numberOfDimensions, 0);
		long i = -1;
		int rc;
		struct mt_node *fv;
		while ((rc = next_child(ix, F_NearestNeighborsIndex_floatSamples, &i, &fv)) == 1) {
			size_t len = mt_parse(fv) == 0 ? count_scalars(fv, F_FloatVector_vector) : 0;
			if ((int64_t)len != dims) {
				add(r, CHECK_ERROR, pp, "example %zu has %zu values, the index %lld dimensions",
				    nsamples, len, (long long)dims);
				dims = (int64_t)len; /* said once */
			}
			nsamples++;
		}
		if (rc < 0) {
			free(pp);
			return -1;
		}
		struct mt_node *kd = mt_get(ix, F_NearestNeighborsIndex_singleKdTreeIndex);
		if (mt_find(ix, F_NearestNeighborsIndex_linearIndex, 0) < 0 &&
		    mt_find(ix, F_NearestNeighborsIndex_singleKdTreeIndex, 0) < 0)
			add(r, CHECK_ERROR, pp, "the index has no type (linearIndex or singleKdTreeIndex)");
		else if (mt_find(ix, F_NearestNeighborsIndex_singleKdTreeIndex, 0) >= 0 &&
			 (!kd || mt_get_int(kd, F_SingleKdTreeIndex_leafSize, 0) <= 0))
			add(r, CHECK_ERROR, pp, "a k-d tree index whose leaf size is not positive");
		if (mt_find(ix, F_NearestNeighborsIndex_squaredEuclideanDistance, 0) < 0)
			add(r, CHECK_ERROR, pp, "the index has no distance function");
	} else {
		add(r, CHECK_ERROR, pp, "no nearestNeighborsIndex");
	}
	if (nsamples != nlabels)
		add(r, CHECK_ERROR, pp, "%zu example%s for %zu class label%s", nsamples, nsamples == 1 ? "" : "s",
		    nlabels, nlabels == 1 ? "" : "s");
	free(pp);
	return 0;
}

/* ---- Apple's feature extractors ------------------------------------------- */

/* A vision feature print is a scene print (version 1 or 2) or an object
 * print (version 1) naming its two outputs, which are the model's. */
static int check_vision_print(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	long tf = model_type_field(ref->node);
	struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
	if (!p || mt_parse(p) < 0)
		return -1;
	char *pp = join(ref->path, "visionFeaturePrint");
	struct mt_node *scene = mt_get(p, F_CoreMLModels_VisionFeaturePrint_scene),
		       *obj = mt_get(p, F_CoreMLModels_VisionFeaturePrint_objects);
	if (mt_find(p, F_CoreMLModels_VisionFeaturePrint_objects, 0) >= 0 && obj) {
		int64_t v = mt_get_int(obj, F_CoreMLModels_VisionFeaturePrint_Objects_version, 0);
		struct strlist names = { 0 };
		long i = -1;
		while ((i = mt_find(obj, F_CoreMLModels_VisionFeaturePrint_Objects_output, (size_t)(i + 1))) >= 0) {
			size_t len;
			const char *str = mt_str(&obj->f[i], &len);
			sl_push(&names, xstrndup(str ? str : "", str ? len : 0));
		}
		if (v != 1)
			add(r, CHECK_ERROR, pp, "an object print of version %lld (Core ML knows version 1)",
			    (long long)v);
		else if (names.n != 2)
			add(r, CHECK_ERROR, pp, "an object print naming %zu output%s: it gives two", names.n,
			    names.n == 1 ? "" : "s");
		else
			for (size_t k = 0; k < g->out.n; k++) {
				int found = 0;
				for (size_t q = 0; q < names.n; q++)
					found |= !strcmp(names.v[q], g->out.v[k].name);
				if (!found)
					add(r, CHECK_ERROR, pp, "output '%s' is not one the object print names",
					    g->out.v[k].name);
			}
		sl_free(&names);
	} else if (mt_find(p, F_CoreMLModels_VisionFeaturePrint_scene, 0) >= 0) {
		int64_t v = scene ? mt_get_int(scene, F_CoreMLModels_VisionFeaturePrint_Scene_version, 0) : 0;
		if (v != 1 && v != 2)
			add(r, CHECK_ERROR, pp, "a scene print of version %lld (Core ML knows versions 1 and 2)",
			    (long long)v);
	} else {
		add(r, CHECK_ERROR, pp, "neither a scene print nor an object print");
	}
	free(pp);
	return 0;
}

int check_kind(const struct model_ref *ref, const struct model_io *io, struct check_report *r)
{
	if (check_desc(ref, r) < 0)
		return -1;
	size_t nlabels;
	if (ref->type && !strcmp(ref->type, "kNearestNeighborsClassifier") &&
	    (check_knn(ref, r) < 0 || ck_labels_and_class(ref, &io->g[0], &nlabels, r) < 0))
		return -1;
	if (ref->type && !strcmp(ref->type, "visionFeaturePrint") && check_vision_print(ref, &io->g[0], r) < 0)
		return -1;
	if (ref->type && !strcmp(ref->type, "nonMaximumSuppression") && check_nms(ref, &io->g[0], r) < 0)
		return -1;
	if (check_misc_kind(ref, &io->g[0], r) < 0)
		return -1;
	if (check_trees(ref, &io->g[0], r) < 0 || check_linear(ref, &io->g[0], r) < 0)
		return -1;
	check_counts(ref, &io->g[0], r);
	if (check_prep(ref, &io->g[0], r) < 0)
		return -1;
	if (check_updatable(ref, r) < 0)
		return -1;
	/* a tree classifier's interface: check_trees (Core ML does not check it) */
	if (is_classifier(ref->type) && strcmp(ref->type, "treeEnsembleClassifier") &&
	    check_classifier(ref, &io->g[0], r) < 0)
		return -1;
	return 0;
}
