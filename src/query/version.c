/* version: the specification version the features of a model need. */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/dump.h"
#include "MIL.pb-c.h"
#include "NeuralNetwork.pb-c.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- spec versions ----------------------------------------------------------------- */

struct need {
	int v;
	char *why;
};

static void needs(struct need *nd, int v, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void needs(struct need *nd, int v, const char *path, const char *fmt, ...)
{
	if (v <= nd->v)
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (*path)
		sb_addf(&sb, " in %s", path);
	free(nd->why);
	nd->v = v;
	nd->why = sb_detach(&sb, NULL);
}

/* Flexible shapes as Core ML counts them: the flexibility of a multi-array
 * or an image is set, even when it lists nothing (a state's does not
 * count).  From the spec, where an empty message still shows. */
static int flex_list(struct need *nd, struct mt_node *owner, uint32_t num, const char *path)
{
	long i = -1;
	int rc;
	struct mt_node *fd;
	while ((rc = next_child(owner, num, &i, &fd)) == 1) {
		struct mt_node *type = mt_get(fd, F_FeatureDescription_type);
		long m = type && mt_parse(type) == 0 ? set_member(type) : -1;
		struct mt_node *c = m >= 0 ? mt_child(type, (size_t)m) : NULL;
		if (!c)
			continue;
		uint32_t tn = type->f[m].number;
		int flex =
			tn == F_FeatureType_multiArrayType ? mt_find(c, F_ArrayFeatureType_enumeratedShapes, 0) >= 0 ||
								     mt_find(c, F_ArrayFeatureType_shapeRange, 0) >= 0
			: tn == F_FeatureType_imageType ? mt_find(c, F_ImageFeatureType_enumeratedSizes, 0) >= 0 ||
								  mt_find(c, F_ImageFeatureType_imageSizeRange, 0) >= 0
							: 0;
		if (flex) {
			char *nm = field_str(fd, F_FeatureDescription_name);
			needs(nd, 3, path, "flexible shapes ('%s')", nm);
			free(nm);
		}
	}
	return rc;
}

static int flex_needs(struct need *nd, struct mt_node *model, const char *path)
{
	struct mt_node *d = mt_get(model, F_Model_description), *fn;
	if (!d)
		return 0;
	int rc = 0;
	static const uint32_t own[] = { F_ModelDescription_input, F_ModelDescription_output, F_ModelDescription_state,
					F_ModelDescription_trainingInput },
			      fns[] = { F_FunctionDescription_input, F_FunctionDescription_output,
					F_FunctionDescription_state };
	for (size_t k = 0; rc == 0 && k < sizeof(own) / sizeof(own[0]); k++)
		rc = flex_list(nd, d, own[k], path);
	long i = -1;
	while (rc == 0 && (rc = next_child(d, F_ModelDescription_functions, &i, &fn)) == 1) {
		rc = 0;
		for (size_t k = 0; rc == 0 && k < sizeof(fns) / sizeof(fns[0]); k++)
			rc = flex_list(nd, fn, fns[k], path);
	}
	return rc < 0 ? -1 : 0;
}

static void feature_needs(struct need *nd, const struct io_list *l, const char *path, const char *nmtype)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ft_info *t = &l->v[i].type;
		const char *nm = l->v[i].name;
		/* a state's data type has no version of its own: states came with 9 */
		if (t->kind == FT_STATE) {
			needs(nd, 9, path, "a state ('%s')", nm);
			continue;
		}
		if (t->kind == FT_SEQUENCE)
			needs(nd, 3, path, "a sequence feature ('%s')", nm);
		if (t->dtype && !strcmp(t->dtype, "float16"))
			needs(nd, 7, path, "a float16 multi-array ('%s')", nm);
		if (t->color && !strcmp(t->color, "GRAYSCALE_FLOAT16"))
			needs(nd, 7, path, "a GRAYSCALE_FLOAT16 image ('%s')", nm);
		if (t->dtype && !strcmp(t->dtype, "int8"))
			needs(nd, 10, path, "an int8 multi-array ('%s')", nm);
		if (t->kind == FT_ARRAY && t->optional && t->has_default)
			needs(nd, 5, path, "a default value for the optional input '%s'", nm);
		if (nmtype && !strcmp(nmtype, "nonMaximumSuppression") && t->dtype && !strcmp(t->dtype, "float32"))
			needs(nd, 5, path, "float32 non-maximum suppression ('%s')", nm);
	}
}

/* ---- neural networks: what each release added ---------------------------- */

static int in_table(const char *kind, const char *const *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kind, t[i]))
			return 1;
	return 0;
}
#define IN(kind, t) in_table(kind, t, sizeof(t) / sizeof(t[0]))

/* The layer types of iOS 12 (specification 3) and before; a layer of any
 * other type came with iOS 13 (4).  Some of them with a newer option set
 * count as new too: see layer_needs. */
static const char *const ios12_layers[] = {
	"convolution",
	"innerProduct",
	"batchnorm",
	"activation",
	"pooling",
	"padding",
	"concat",
	"lrn",
	"softmax",
	"split",
	"add",
	"multiply",
	"unary",
	"upsample",
	"bias",
	"l2normalize",
	"reshape",
	"flatten",
	"permute",
	"reduce",
	"loadConstant",
	"scale",
	"simpleRecurrent",
	"gru",
	"uniDirectionalLSTM",
	"biDirectionalLSTM",
	"crop",
	"average",
	"max",
	"min",
	"dot",
	"mvn",
	"embedding",
	"sequenceRepeat",
	"reorganizeData",
	"slice",
	"custom",
	"resizeBilinear",
	"cropResize",
};
/* layer types that came with iOS 14 (specification 5) */
static const char *const ios14_layers[] = {
	"cumSum", "oneHot", "clampedReLU", "argSort", "pooling3d", "globalPooling3d", "sliceBySize", "convolution3d",
};

/* the version a layer needs by its type and options (1 when nothing new) */
int nn_layer_needs(const struct nn_layer *l, const char **why)
{
	const char *k = l->kind;
	struct mt_node *p = l->params;
	int v = 1;
	*why = NULL;
#define AT_LEAST(n, w)                                                                                                 \
	do {                                                                                                           \
		if ((n) > v) {                                                                                         \
			v = (n);                                                                                       \
			*why = (w);                                                                                    \
		}                                                                                                      \
	} while (0)
	if (!k || !strcmp(k, "?")) {
		/* Core ML counts a layer of no known type as newer than iOS 12 */
		*why = "a layer of no known type";
		return 4;
	}
	if (!IN(k, ios12_layers))
		AT_LEAST(4, "a layer type of iOS 13");
	if (IN(k, ios14_layers))
		AT_LEAST(5, "a layer type of iOS 14");
	if (!strcmp(k, "resizeBilinear") || !strcmp(k, "cropResize"))
		AT_LEAST(3, "a layer type of iOS 12");
	if (!strcmp(k, "custom"))
		AT_LEAST(2, "a custom layer");
	if (!strcmp(k, "convolution") && l->in.n != 1)
		AT_LEAST(4, "a convolution with its weights as an input");
	if (p && !strcmp(k, "innerProduct") && mt_get_int(p, F_InnerProductLayerParams_int8DynamicQuantize, 0))
		AT_LEAST(5, "int8 dynamic quantization");
	if (p && !strcmp(k, "batchedMatmul") && mt_get_int(p, F_BatchedMatMulLayerParams_int8DynamicQuantize, 0))
		AT_LEAST(5, "int8 dynamic quantization");
	if (p && !strcmp(k, "upsample") &&
	    (mt_get_int(p, F_UpsampleLayerParams_linearUpsampleMode, 0) ||
	     (mt_parse(p) == 0 && mt_find(p, F_UpsampleLayerParams_fractionalScalingFactor, 0) >= 0)))
		AT_LEAST(5, "linear or fractional upsampling");
	if (p && !strcmp(k, "reorganizeData") && mt_get_int(p, F_ReorganizeDataLayerParams_mode, 0) == 2)
		AT_LEAST(5, "PIXEL_SHUFFLE reorganization");
	if (p && !strcmp(k, "sliceDynamic") &&
	    (l->in.n == 7 || (mt_parse(p) == 0 && mt_find(p, F_SliceDynamicLayerParams_squeezeMasks, 0) >= 0)))
		AT_LEAST(5, "a dynamic slice with squeeze masks or seven inputs");
	if (p && !strcmp(k, "concatND") && mt_get_int(p, F_ConcatNDLayerParams_interleave, 0))
		AT_LEAST(5, "an interleaving concatND");
#undef AT_LEAST
	return v;
}

/* The features of a network (its top-level layers, as Core ML counts):
 * layer types and options, weights, the shape mappings of iOS 13. */
static int nn_needs(struct mt_node *nn, const char *path, struct need *nd)
{
	if (mt_get_int(nn, F_NeuralNetwork_arrayInputShapeMapping, 0))
		needs(nd, 4, path, "a multi-array shape mapping other than RANK5");
	if (mt_get_int(nn, F_NeuralNetwork_imageInputShapeMapping, 0))
		needs(nd, 4, path, "an image shape mapping other than RANK5");
	long i = -1;
	int r;
	struct mt_node *layer;
	size_t idx = 0;
	while ((r = next_child(nn, F_NeuralNetwork_layers, &i, &layer)) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, idx++, &l) < 0) {
			nn_layer_release(&l);
			return -1;
		}
		const char *why;
		int v = nn_layer_needs(&l, &why);
		if (v > 1)
			needs(nd, v, path, "%s ('%s', %s)", why, l.name, l.kind);
		for (size_t k = 0; k < l.nw; k++) {
			if (!strcmp(l.w[k].type, "float16"))
				needs(nd, 2, path, "float16 weights ('%s')", l.name);
			if (!strcmp(l.w[k].type, "quantized") || !strcmp(l.w[k].type, "lut"))
				needs(nd, 3, path, "quantized weights ('%s')", l.name);
		}
		nn_layer_release(&l);
	}
	return r < 0 ? -1 : 0;
}

/* revisions and variants of Apple's own model types */
static void kind_needs(struct mt_node *model, const char *type, const char *path, struct need *nd)
{
	long tf = model_type_field(model);
	struct mt_node *p = tf >= 0 ? mt_child(model, (size_t)tf) : NULL;
	if (!p || !type || mt_parse(p) < 0)
		return;
	int rev = (int)mt_get_int(p, F_CoreMLModels_TextClassifier_revision, 0);
	if (!strcmp(type, "textClassifier") || !strcmp(type, "wordTagger") || !strcmp(type, "gazetteer") ||
	    !strcmp(type, "wordEmbedding")) {
		int tagger = !strcmp(type, "wordTagger"), nlp = tagger || !strcmp(type, "textClassifier");
		int v = rev == 2 && !tagger  ? 4
			: rev == 3 && tagger ? 5
			: nlp && rev == 4    ? 8
			: nlp && rev == 5    ? 9
					     : 0;
		if (v)
			needs(nd, v, path, "%s revision %d", type, rev);
	} else if (!strcmp(type, "visionFeaturePrint")) {
		struct mt_node *scene = mt_get(p, F_CoreMLModels_VisionFeaturePrint_scene);
		if (scene && mt_get_int(scene, F_CoreMLModels_VisionFeaturePrint_Scene_version, 0) == 2)
			needs(nd, 8, path, "a scene print of version 2");
		if (mt_find(p, F_CoreMLModels_VisionFeaturePrint_objects, 0) >= 0)
			needs(nd, 5, path, "an object print");
	} else if (!strcmp(type, "audioFeaturePrint")) {
		if (mt_find(p, F_CoreMLModels_AudioFeaturePrint_sound, 0) >= 0)
			needs(nd, 6, path, "a sound print");
	}
}

static int one_need(struct mt_node *model, const char *path, struct need *nd)
{
	static const struct {
		const char *type;
		int v;
	} by_type[] = {
		{ "customModel", 3 },
		{ "textClassifier", 3 },
		{ "wordTagger", 3 },
		{ "visionFeaturePrint", 3 },
		{ "nonMaximumSuppression", 3 },
		{ "bayesianProbitRegressor", 3 },
		{ "kNearestNeighborsClassifier", 4 },
		{ "linkedModel", 4 },
		{ "itemSimilarityRecommender", 4 },
		{ "soundAnalysisPreprocessing", 4 },
		{ "serializedModel", 5 },
		{ "mlProgram", 6 },
		{ "classConfidenceThresholding", 8 },
	};
	const char *type = model_type_name(model);
	for (size_t i = 0; type && i < sizeof(by_type) / sizeof(by_type[0]); i++)
		if (!strcmp(type, by_type[i].type))
			needs(nd, by_type[i].v, path, "%s", type);
	if (mt_get_int(model, F_Model_isUpdatable, 0))
		needs(nd, 4, path, "an updatable model");
	struct model_io io;
	if (io_read(model, &io) < 0) {
		io_release(&io);
		return -1;
	}
	if (flex_needs(nd, model, path) < 0) {
		io_release(&io);
		return -1;
	}
	for (size_t g = 0; g < io.n; g++) {
		feature_needs(nd, &io.g[g].in, path, type);
		feature_needs(nd, &io.g[g].out, path, type);
		feature_needs(nd, &io.g[g].state, path, type);
		feature_needs(nd, &io.g[g].training, path, type);
	}
	if (io.n > 1 || (io.default_fn && *io.default_fn))
		needs(nd, 9, path, "function descriptions");
	for (size_t g = io.n > 1 ? 1 : 0; g < io.n; g++)
		if (!io.g[g].in.n)
			needs(nd, 9, path, "a %s without inputs", io.g[g].function ? "function" : "model");
	io_release(&io);
	struct mt_node *nn = nn_network(model);
	if (nn && nn_needs(nn, path, nd) < 0)
		return -1;
	kind_needs(model, type, path, nd);
	long t = model_type_field(model);
	if (t >= 0 && model->f[t].number == F_Model_mlProgram) {
		struct mt_node *prog = mt_child(model, (size_t)t);
		struct mil_function *fv = NULL;
		size_t nf = 0;
		if (!prog || mil_functions(prog, &fv, &nf) < 0) {
			mil_functions_free(fv, nf);
			return -1;
		}
		for (size_t k = 0; k < nf; k++) {
			int ver = 0;
			if (fv[k].opset && !strncmp(fv[k].opset, "CoreML", 6))
				ver = atoi(fv[k].opset + 6);
			if (ver >= 6)
				needs(nd, ver + 1, path, "opset %s", fv[k].opset);
		}
		mil_functions_free(fv, nf);
	}
	return 0;
}

int spec_need(struct mt_node *model, int *need, char **why)
{
	struct need nd = { 1, NULL };
	struct model_ref *v;
	size_t n;
	int rc = model_list(model, &v, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = one_need(v[i].node, v[i].path, &nd);
	model_list_free(v, n);
	*need = nd.v;
	if (!nd.why)
		nd.why = xstrdup("the basic model types");
	*why = nd.why;
	return rc;
}
