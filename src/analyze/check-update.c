/* check-update: what Core ML asks of an updatable neural network beyond its
 * flag: layers it can train (convolution, innerProduct, uniDirectionalLSTM)
 * whose weights are marked updatable and not quantized, names unique among
 * layers and loss layers, one loss layer it knows fed as it expects, an
 * optimizer with its parameters, epochs, and training inputs holding a
 * model input and the loss's target.  The rules follow Apple's validator
 * (apple/coremltools mlmodel/src, UpdatableNeuralNetworkValidator), the
 * messages are ours; fields are read by their names in the schema. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "spec/wire.h"
#include <stdlib.h>
#include <string.h>

/* the children of repeated message field name, one by one (see next_child) */
static int each(struct mt_node *n, const char *name, long *i, struct mt_node **out)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	return num ? next_child(n, num, i, out) : 0;
}

static char *str(struct mt_node *n, const char *name)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	return num ? field_str(n, num) : xstrdup("");
}

/* a WeightParams of an updatable layer: marked updatable, not quantized */
static int weights_ok(struct mt_node *wp, const char *lp, const char *lname, const char *what, struct check_report *r)
{
	if (wp && mt_get_named(wp, "quantization")) {
		ck_add(r, CHECK_ERROR, lp, "the updatable layer '%s' has quantized %s: Core ML updates float ones only",
		       lname, what);
		return -1;
	}
	if (!wp || !mt_get_int_named(wp, "isUpdatable", 0)) {
		ck_add(r, CHECK_ERROR, lp, "the updatable layer '%s' has %s not marked isUpdatable", lname, what);
		return -1;
	}
	return 0;
}

static void check_layers(struct mt_node *nn, const char *np, struct sset *names, struct check_report *r)
{
	long i = -1;
	struct mt_node *layer;
	size_t idx = 0;
	while (each(nn, "layers", &i, &layer) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, idx, &l) < 0)
			return;
		int dup = !sset_add(names, l.name);
		char *lp = *l.name && !dup ? join(np, "layers[name=\"%s\"]", l.name) : join(np, "layers[%zu]", idx);
		idx++;
		if (dup)
			ck_add(r, CHECK_ERROR, lp, "an updatable network with two layers named '%s'", l.name);
		if (mt_get_int_named(layer, "isUpdatable", 0) && l.kind) {
			if (!strcmp(l.kind, "convolution") || !strcmp(l.kind, "innerProduct")) {
				if (weights_ok(mt_get_named(l.params, "weights"), lp, l.name, "weights", r) == 0 &&
				    mt_get_int_named(l.params, "hasBias", 0))
					weights_ok(mt_get_named(l.params, "bias"), lp, l.name, "a bias", r);
			} else if (strcmp(l.kind, "uniDirectionalLSTM")) {
				ck_add(r, CHECK_ERROR, lp,
				       "the layer '%s' is marked updatable, but Core ML updates convolution and "
				       "innerProduct layers only, not %s",
				       l.name, l.kind);
			}
		}
		free(lp);
		nn_layer_release(&l);
	}
}

/* the layer making blob, or NULL (its kind in *kind, its first output in *first) */
static int made_by(struct mt_node *nn, const char *blob, const char **kind, char **first)
{
	long i = -1;
	struct mt_node *layer;
	size_t idx = 0;
	int found = 0;
	while (!found && each(nn, "layers", &i, &layer) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, idx++, &l) < 0)
			return 0;
		for (size_t q = 0; q < l.out.n && !found; q++)
			if (!strcmp(l.out.v[q], blob)) {
				found = 1;
				*kind = l.kind;
				*first = xstrdup(l.out.v[0]);
			}
		nn_layer_release(&l);
	}
	return found;
}

static void check_loss(struct mt_node *nn, struct mt_node *up, const char *up_path, struct sset *names, char **target,
		       struct check_report *r)
{
	long i = -1;
	struct mt_node *loss;
	size_t n = 0;
	while (each(up, "lossLayers", &i, &loss) == 1) {
		char *lp = join(up_path, "lossLayers[%zu]", n);
		char *name = str(loss, "name");
		if (!sset_add(names, name))
			ck_add(r, CHECK_ERROR, lp, "the loss layer's name '%s' is taken by another layer or loss layer",
			       name);
		struct mt_node *cce = mt_get_named(loss, "categoricalCrossEntropyLossLayer");
		struct mt_node *mse = mt_get_named(loss, "meanSquaredErrorLossLayer");
		struct mt_node *how = cce ? cce : mse;
		if (!how) {
			ck_add(r, CHECK_ERROR, lp,
			       "a loss layer of no kind Core ML knows: it takes categoricalCrossEntropyLossLayer or "
			       "meanSquaredErrorLossLayer");
		} else {
			char *in = str(how, "input"), *tg = str(how, "target"), *first = NULL;
			const char *kind = NULL;
			int made = made_by(nn, in, &kind, &first);
			if (cce && (!made || !kind || strcmp(kind, "softmax") || strcmp(first, in)))
				ck_add(r, CHECK_ERROR, lp,
				       "a categorical cross-entropy loss whose input '%s' is not a softmax layer's "
				       "output",
				       in);
			else if (mse && !made)
				ck_add(r, CHECK_ERROR, lp,
				       "a mean squared error loss whose input '%s' no layer of the network makes", in);
			free(first);
			first = NULL;
			if (made_by(nn, tg, &kind, &first))
				ck_add(r, CHECK_ERROR, lp, "a loss whose target '%s' a layer of the network makes", tg);
			free(first);
			if (!n) {
				free(*target);
				*target = tg;
				tg = NULL;
			}
			free(in);
			free(tg);
		}
		free(name);
		free(lp);
		n++;
	}
	if (n > 1)
		ck_add(r, CHECK_ERROR, up_path, "%zu loss layers: Core ML trains with one", n);
}

static double dval(struct mt_node *n, const char *name)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	long i = num ? mt_find_last(n, num) : -1;
	return i >= 0 ? mt_double(&n->f[i]) : 0;
}

/* an Int64Parameter's default within what it allows (positive when it must be) */
static void int64_param(struct mt_node *prm, const char *name, int positive, const char *p, struct check_report *r)
{
	int64_t dflt = mt_get_int_named(prm, "defaultValue", 0);
	struct mt_node *set = mt_get_named(prm, "set"), *range = mt_get_named(prm, "range");
	if (positive && dflt <= 0) {
		ck_add(r, CHECK_ERROR, p, "%s defaults to %lld: Core ML takes a positive value", name, (long long)dflt);
	} else if (set) {
		uint32_t num = mt_number(set, "values");
		int found = 0;
		for (size_t i = 0; !found && num && i < set->n; i++) {
			size_t pos = 0;
			uint64_t u;
			while (!found && set->f[i].number == num && set->f[i].fd &&
			       mt_scalar_next(&set->f[i], &pos, &u)) {
				if ((int64_t)u == dflt) {
					found = 1;
				} else if (positive && (int64_t)u <= 0) {
					ck_add(r, CHECK_ERROR, p, "%s allows %lld: Core ML takes positive values only",
					       name, (long long)(int64_t)u);
					return;
				}
			}
		}
		if (!found)
			ck_add(r, CHECK_ERROR, p, "%s defaults to %lld, which is not among the values it allows", name,
			       (long long)dflt);
	} else if (range) {
		int64_t lo = mt_get_int_named(range, "minValue", 0), hi = mt_get_int_named(range, "maxValue", 0);
		if (positive && (lo <= 0 || hi <= 0))
			ck_add(r, CHECK_ERROR, p, "%s ranges over %lld..%lld: Core ML takes positive values only", name,
			       (long long)lo, (long long)hi);
		else if (dflt < lo || dflt > hi)
			ck_add(r, CHECK_ERROR, p, "%s defaults to %lld, outside the range %lld..%lld it allows", name,
			       (long long)dflt, (long long)lo, (long long)hi);
	}
}

/* a DoubleParameter's default within its range */
static void double_param(struct mt_node *prm, const char *name, const char *p, struct check_report *r)
{
	struct mt_node *range = mt_get_named(prm, "range");
	double dflt = dval(prm, "defaultValue");
	if (range && (dflt < dval(range, "minValue") || dflt > dval(range, "maxValue")))
		ck_add(r, CHECK_ERROR, p, "%s defaults to %g, outside the range %g..%g it allows", name, dflt,
		       dval(range, "minValue"), dval(range, "maxValue"));
}

static void check_optimizer(struct mt_node *up, const char *up_path, struct check_report *r)
{
	struct mt_node *opt = mt_get_named(up, "optimizer");
	struct mt_node *sgd = opt ? mt_get_named(opt, "sgdOptimizer") : NULL;
	struct mt_node *adam = opt ? mt_get_named(opt, "adamOptimizer") : NULL;
	char *p = join(up_path, "optimizer");
	if (!sgd && !adam) {
		ck_add(r, CHECK_ERROR, p, "no optimizer Core ML knows: it takes sgdOptimizer or adamOptimizer");
	} else {
		static const char *const need[] = { "learningRate", "miniBatchSize", "beta1", "beta2", "eps" };
		size_t nneed = sgd ? 2 : 5;
		for (size_t k = 0; k < nneed; k++) {
			struct mt_node *prm = mt_get_named(sgd ? sgd : adam, need[k]);
			if (!prm) {
				ck_add(r, CHECK_ERROR, p, "%s optimizer without its %s", sgd ? "an SGD" : "an Adam",
				       need[k]);
				break;
			}
			if (k == 1)
				int64_param(prm, need[k], 1, p, r);
			else
				double_param(prm, need[k], p, r);
		}
	}
	free(p);
	struct mt_node *epochs = mt_get_named(up, "epochs"), *seed = mt_get_named(up, "seed");
	if (!epochs)
		ck_add(r, CHECK_ERROR, up_path, "update parameters without epochs");
	else
		int64_param(epochs, "epochs", 1, up_path, r);
	if (seed)
		int64_param(seed, "seed", 0, up_path, r);
}

/* Specification::isEquivalent of two FeatureDescriptions: name and type */
static int same_feature(struct mt_node *a, struct mt_node *b)
{
	char *na = str(a, "name"), *nb = str(b, "name");
	int same = !strcmp(na, nb);
	free(na);
	free(nb);
	if (!same)
		return 0;
	struct mt_node *ta = mt_get_named(a, "type"), *tb = mt_get_named(b, "type");
	if (!ta || !tb)
		return !ta && !tb;
	return ta->len == tb->len && !memcmp(ta->data, tb->data, ta->len);
}

static void check_training_inputs(const struct model_ref *ref, const char *target, struct check_report *r)
{
	struct mt_node *d = mt_get_named(ref->node, "description");
	char *p = join(ref->path, "description.trainingInput");
	long i = -1;
	struct mt_node *t;
	size_t n = 0, own = 0, shared = 0;
	int classifier = ref->type && !strcmp(ref->type, "neuralNetworkClassifier"), met = 0, bad_type = 0;
	char *predicted = str(d, "predictedFeatureName");
	while (each(d, "trainingInput", &i, &t) == 1) {
		n++;
		long j = -1;
		struct mt_node *in;
		int is_input = 0;
		while (!is_input && each(d, "input", &j, &in) == 1)
			is_input = same_feature(t, in);
		if (is_input) {
			shared++;
			continue;
		}
		own++;
		char *name = str(t, "name");
		if (classifier && !strcmp(name, predicted)) {
			long k = -1;
			struct mt_node *out;
			while (each(d, "output", &k, &out) == 1) {
				char *on = str(out, "name");
				int hit = !strcmp(on, name);
				free(on);
				if (!hit)
					continue;
				struct mt_node *ta = mt_get_named(t, "type"), *tb = mt_get_named(out, "type");
				if (ta && tb && ta->len == tb->len && !memcmp(ta->data, tb->data, ta->len))
					met = 1;
				else if (!bad_type++)
					ck_add(r, CHECK_ERROR, p,
					       "the training input '%s' is not of the type of the classifier's output",
					       name);
				break;
			}
		}
		if (target && !strcmp(name, target))
			met = 1;
		free(name);
	}
	if (n <= 1)
		ck_add(r, CHECK_ERROR, p,
		       "%zu training inputs: an updatable network needs its input and the loss's target", n);
	else if (!own)
		ck_add(r, CHECK_ERROR, p,
		       "training inputs that are all prediction inputs: the loss's target is missing");
	else if (!shared)
		ck_add(r, CHECK_ERROR, p,
		       "training inputs with none of the model's inputs: Core ML needs at least one (same name and "
		       "type)");
	else if (!met && !bad_type) {
		if (classifier)
			ck_add(r, CHECK_ERROR, p, "the training inputs leave out the classifier's target '%s'",
			       predicted);
		else
			ck_add(r, CHECK_ERROR, p, "the training inputs leave out the loss's target '%s'",
			       target ? target : "");
	}
	free(predicted);
	free(p);
}

void check_update_nn(const struct model_ref *ref, struct mt_node *nn, struct check_report *r)
{
	char *np = join(ref->path, "%s", ref->type ? ref->type : "neuralNetwork");
	struct sset names = { 0 };
	check_layers(nn, np, &names, r);
	struct mt_node *up = mt_get_named(nn, "updateParams");
	char *target = NULL;
	if (up) {
		char *upp = join(np, "updateParams");
		check_loss(nn, up, upp, &names, &target, r);
		check_optimizer(up, upp, r);
		free(upp);
		check_training_inputs(ref, target, r);
	}
	free(target);
	sset_free(&names);
	free(np);
}
