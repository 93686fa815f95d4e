/* check-desc: the rules of a description that need the spec itself, not
 * only the features io_read gives (check-features.c has those): where
 * functions may stand, what a state may be, flexible shapes that are set
 * but empty, the type and range of default values.  As Core ML's validator
 * reads a description: a model with functions (or a default function
 * name) keeps its features in its functions, and only those are read;
 * otherwise the model's own lists are. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "spec/fields.h"
#include <stdlib.h>
#include <string.h>

enum role { ROLE_INPUT, ROLE_OUTPUT, ROLE_STATE };

/* 1 when field a of n is set and no later b (the other member of its
 * oneof) overrides it */
static int oneof_is(struct mt_node *n, uint32_t a, uint32_t b)
{
	if (!n || mt_parse(n) < 0)
		return 0;
	long ia = mt_find_last(n, a), ib = mt_find_last(n, b);
	return ia >= 0 && ia > ib;
}

static int flexible(struct mt_node *array)
{
	return oneof_is(array, F_ArrayFeatureType_enumeratedShapes, F_ArrayFeatureType_shapeRange) ||
	       oneof_is(array, F_ArrayFeatureType_shapeRange, F_ArrayFeatureType_enumeratedShapes);
}

/* a state: a FLOAT16 or INT8 array of a fixed shape, never optional,
 * without a default value */
static void check_state(const char *nm, const struct ft_info *t, struct mt_node *array, const char *p,
			struct check_report *r)
{
	if (t->optional)
		add(r, CHECK_ERROR, p, "state '%s' is optional: a state never is", nm);
	if (!t->shape.rank)
		add(r, CHECK_ERROR, p, "state '%s' has no shape", nm);
	for (size_t i = 0; i < t->shape.rank; i++)
		if (t->shape.dim[i] < 0) {
			add(r, CHECK_ERROR, p, "state '%s': dimension %zu of its shape is negative (%lld)", nm, i,
			    (long long)t->shape.dim[i]);
			break;
		}
	if (!t->dtype || (strcmp(t->dtype, "float16") && strcmp(t->dtype, "int8")))
		add(r, CHECK_ERROR, p, "state '%s' holds %s values: Core ML takes float16 (or int8) states", nm,
		    t->dtype ? t->dtype : "untyped");
	if (flexible(array))
		add(r, CHECK_ERROR, p, "state '%s' has flexible shapes: a state's shape is fixed", nm);
	if (t->has_default)
		add(r, CHECK_ERROR, p, "state '%s' has a default value, which a state cannot have", nm);
}

/* a multi-array: its flexible shapes and its default value */
static void check_array(const char *nm, const struct ft_info *t, struct mt_node *a, enum role role, int version,
			const char *p, struct check_report *r)
{
	int flex = version >= 3 && flexible(a);
	if (version >= 3 && oneof_is(a, F_ArrayFeatureType_enumeratedShapes, F_ArrayFeatureType_shapeRange)) {
		if (!t->nshapes)
			add(r, CHECK_ERROR, p, "multi-array '%s': its list of enumerated shapes is empty", nm);
		for (size_t k = 0; k < t->nshapes; k++)
			if (!t->shapes[k].rank) {
				add(r, CHECK_ERROR, p, "multi-array '%s': enumerated shape %zu has no dimensions", nm,
				    k);
				break;
			}
	}
	if (version >= 3 && t->shape.rank && !t->nranges &&
	    oneof_is(a, F_ArrayFeatureType_shapeRange, F_ArrayFeatureType_enumeratedShapes))
		add(r, CHECK_ERROR, p, "multi-array '%s': a %zu-dimensional shape with an empty shape range", nm,
		    t->shape.rank);
	if (role == ROLE_INPUT && !t->shape.rank && !flex)
		add(r, CHECK_ERROR, p, "multi-array input '%s' has no shape", nm);
	if (!t->has_default || !t->dtype)
		return;
	const char *k = t->dflt_kind, *dt = t->dtype;
	int fits = !strcmp(k, "double")  ? !strcmp(dt, "double")
		   : !strcmp(k, "float") ? !strcmp(dt, "float32") || !strcmp(dt, "float16")
					 : !strcmp(dt, "int32") || !strcmp(dt, "int8");
	if (!fits) {
		add(r, CHECK_ERROR, p, "%s '%s': a %s default value for a %s multi-array (Core ML takes %s one)",
		    role == ROLE_INPUT    ? "input"
		    : role == ROLE_OUTPUT ? "output"
					  : "feature",
		    nm, k, dt,
		    !strcmp(dt, "double")                            ? "a double"
		    : strcmp(dt, "float32") && strcmp(dt, "float16") ? "an int"
								     : "a float");
	} else if (!strcmp(k, "int") && !strcmp(dt, "int8")) {
		int64_t v = mt_get_int(a, F_ArrayFeatureType_intDefaultValue, 0);
		if (v < -128 || v > 127)
			add(r, CHECK_ERROR, p, "multi-array '%s': default value %lld does not fit in an int8", nm,
			    (long long)v);
	}
}

static void check_one_feature(struct mt_node *fd, enum role role, int version, const char *p, struct check_report *r)
{
	struct mt_node *type = mt_get(fd, F_FeatureDescription_type);
	struct ft_info t;
	if (!type || ft_read(type, &t) < 0) {
		if (type)
			ft_release(&t);
		return;
	}
	char *nm = field_str(fd, F_FeatureDescription_name);
	if (t.kind == FT_STATE && role == ROLE_OUTPUT)
		add(r, CHECK_ERROR, p, "state '%s' is an output: states belong in the description's states", nm);
	else if (t.kind != FT_STATE && t.kind != FT_NONE && role == ROLE_STATE)
		add(r, CHECK_ERROR, p, "'%s' is among the states but is not of the state type", nm);
	if (t.kind == FT_STATE) {
		struct mt_node *st = mt_get(type, F_FeatureType_stateType);
		check_state(nm, &t, st ? mt_get(st, F_StateFeatureType_arrayType) : NULL, p, r);
	} else if (t.kind == FT_ARRAY) {
		check_array(nm, &t, mt_get(type, F_FeatureType_multiArrayType), role, version, p, r);
	} else if (t.kind == FT_IMAGE && version >= 3 && !t.nsizes &&
		   oneof_is(mt_get(type, F_FeatureType_imageType), F_ImageFeatureType_enumeratedSizes,
			    F_ImageFeatureType_imageSizeRange)) {
		add(r, CHECK_ERROR, p, "image '%s': its list of enumerated sizes is empty", nm);
	}
	free(nm);
	ft_release(&t);
}

static int check_list(struct mt_node *owner, uint32_t num, enum role role, const char *dp, const char *what,
		      int version, struct check_report *r)
{
	long i = -1;
	int rc;
	size_t k = 0;
	struct mt_node *fd;
	while ((rc = next_child(owner, num, &i, &fd)) == 1) {
		char *p = join(dp, "%s[%zu]", what, k++);
		check_one_feature(fd, role, version, p, r);
		free(p);
	}
	return rc;
}

/* the inputs, outputs and states of a description or of a function */
static int check_lists(struct mt_node *owner, const uint32_t num[3], const char *dp, int version,
		       struct check_report *r)
{
	int rc = check_list(owner, num[0], ROLE_INPUT, dp, "input", version, r);
	if (rc == 0)
		rc = check_list(owner, num[1], ROLE_OUTPUT, dp, "output", version, r);
	if (rc == 0)
		rc = check_list(owner, num[2], ROLE_STATE, dp, "state", version, r);
	return rc;
}

/* A model with functions: only an ML program has them, and its own lists
 * and names stay empty. */
static void check_functions_syntax(const struct model_ref *ref, struct mt_node *d, const char *dp,
				   struct check_report *r)
{
	static const struct {
		uint32_t num;
		const char *what;
	} top[] = {
		{ F_ModelDescription_input, "inputs" },
		{ F_ModelDescription_output, "outputs" },
		{ F_ModelDescription_state, "states" },
		{ F_ModelDescription_trainingInput, "training inputs" },
		{ F_ModelDescription_predictedFeatureName, "predictedFeatureName" },
		{ F_ModelDescription_predictedProbabilitiesName, "predictedProbabilitiesName" },
	};
	if (!ref->type || strcmp(ref->type, "mlProgram"))
		add(r, CHECK_ERROR, dp,
		    "functions (or a default function name) in a model of type %s: only ML programs have functions",
		    ref->type ? ref->type : "(none)");
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		long f = mt_find_last(d, top[i].num);
		if (f >= 0 && d->f[f].vlen)
			add(r, CHECK_ERROR, dp,
			    "the description has functions, so its own %s must stay empty (each function has its "
			    "own)",
			    top[i].what);
	}
}

int check_desc(const struct model_ref *ref, struct check_report *r)
{
	struct mt_node *d = mt_get(ref->node, F_Model_description);
	if (!d || mt_parse(d) < 0)
		return 0;
	char *dp = join(ref->path, "description");
	int rc = 0, v = ref->version;
	long df = mt_find_last(d, F_ModelDescription_defaultFunctionName);
	if (mt_find(d, F_ModelDescription_functions, 0) >= 0 || (df >= 0 && d->f[df].vlen)) {
		check_functions_syntax(ref, d, dp, r);
		long i = -1;
		size_t k = 0;
		struct mt_node *fn;
		while (rc == 0 && (rc = next_child(d, F_ModelDescription_functions, &i, &fn)) == 1) {
			static const uint32_t fnum[3] = { F_FunctionDescription_input, F_FunctionDescription_output,
							  F_FunctionDescription_state };
			char *fp = join(dp, "functions[%zu]", k++);
			rc = check_lists(fn, fnum, fp, v, r);
			free(fp);
		}
	} else {
		static const uint32_t num[3] = { F_ModelDescription_input, F_ModelDescription_output,
						 F_ModelDescription_state };
		rc = check_lists(d, num, dp, v, r);
	}
	free(dp);
	return rc < 0 ? -1 : 0;
}
