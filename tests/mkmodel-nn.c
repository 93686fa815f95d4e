/* mkmodel-nn: the .mlmodel kinds built from legacy neural network layers, and the pipelines: nn,
 * nnclassifier, detector, pipeline, control, mobilenet, nnlut. */
#include "mkmodel.h"

/* ---- legacy neural network helpers ---------------------------------------------------------- */
static Weights *weights_floats(size_t n, float scale)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	wp->n_floatvalue = n;
	wp->floatvalue = rand_floats(n, scale);
	return wp;
}

static Weights *weights_fill(size_t n, float v)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	wp->n_floatvalue = n;
	wp->floatvalue = floats_const(n, v);
	return wp;
}

static Weights *weights_halves(size_t n, float scale)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	wp->float16value.len = n * 2;
	wp->float16value.data = rand_halves(n, scale);
	return wp;
}

/* 8-bit linear quantization: w = scale[c] * q + bias[c], one scale/bias per output channel */
static Weights *weights_quant8(size_t out_ch, size_t in_ch, float scale)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	size_t n = out_ch * in_ch;
	uint8_t *q = anew(n);
	for (size_t i = 0; i < n; i++)
		q[i] = (uint8_t)(rng_next() >> 56);
	wp->rawvalue.len = n;
	wp->rawvalue.data = q;
	CoreML__Specification__LinearQuantizationParams *lq =
		NEWMSG(CoreML__Specification__LinearQuantizationParams,
		       CORE_ML__SPECIFICATION__LINEAR_QUANTIZATION_PARAMS__INIT);
	lq->n_scale = out_ch;
	lq->scale = floats_const(out_ch, 2.0f * scale / 255.0f);
	lq->n_bias = out_ch;
	lq->bias = floats_const(out_ch, -scale);
	CoreML__Specification__QuantizationParams *qp =
		NEWMSG(CoreML__Specification__QuantizationParams, CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__INIT);
	qp->numberofbits = 8;
	qp->quantization_type_case = CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LINEAR_QUANTIZATION;
	qp->linearquantization = lq;
	wp->quantization = qp;
	return wp;
}

static Layer *layer_new(const char *name, const char *in, const char *out)
{
	Layer *l = NEWMSG(Layer, CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__INIT);
	l->name = astr(name);
	PUSH(l->n_input, l->input, astr(in));
	PUSH(l->n_output, l->output, astr(out));
	return l;
}

static Layer *layer_conv(const char *name, const char *in, const char *out, uint64_t in_ch, uint64_t out_ch, uint64_t k,
			 uint64_t stride)
{
	CoreML__Specification__ConvolutionLayerParams *c = NEWMSG(
		CoreML__Specification__ConvolutionLayerParams, CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__INIT);
	c->outputchannels = out_ch;
	c->kernelchannels = in_ch;
	c->ngroups = 1;
	c->n_kernelsize = 2;
	c->kernelsize = adup((uint64_t[]){ k, k }, 2 * sizeof(uint64_t));
	c->n_stride = 2;
	c->stride = adup((uint64_t[]){ stride, stride }, 2 * sizeof(uint64_t));
	c->n_dilationfactor = 2;
	c->dilationfactor = adup((uint64_t[]){ 1, 1 }, 2 * sizeof(uint64_t));
	c->convolution_padding_type_case =
		CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__CONVOLUTION_PADDING_TYPE_SAME;
	c->same = NEWMSG(CoreML__Specification__SamePadding, CORE_ML__SPECIFICATION__SAME_PADDING__INIT);
	c->hasbias = 1;
	c->weights = weights_floats(out_ch * in_ch * k * k, 0.3f);
	c->bias = weights_floats(out_ch, 0.05f);
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONVOLUTION;
	l->convolution = c;
	return l;
}

static Layer *layer_relu(const char *name, const char *in, const char *out)
{
	CoreML__Specification__ActivationParams *a =
		NEWMSG(CoreML__Specification__ActivationParams, CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__INIT);
	a->nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_RE_LU;
	a->relu = NEWMSG(CoreML__Specification__ActivationReLU, CORE_ML__SPECIFICATION__ACTIVATION_RE_LU__INIT);
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ACTIVATION;
	l->activation = a;
	return l;
}

static Layer *layer_flatten(const char *name, const char *in, const char *out)
{
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_FLATTEN;
	l->flatten =
		NEWMSG(CoreML__Specification__FlattenLayerParams, CORE_ML__SPECIFICATION__FLATTEN_LAYER_PARAMS__INIT);
	return l;
}

static Layer *layer_inner(const char *name, const char *in, const char *out, uint64_t in_ch, uint64_t out_ch,
			  Weights *weights)
{
	CoreML__Specification__InnerProductLayerParams *ip =
		NEWMSG(CoreML__Specification__InnerProductLayerParams,
		       CORE_ML__SPECIFICATION__INNER_PRODUCT_LAYER_PARAMS__INIT);
	ip->inputchannels = in_ch;
	ip->outputchannels = out_ch;
	ip->hasbias = 1;
	ip->weights = weights;
	/* Core ML refuses float16 weights with a float32 bias (or the other
	 * way round): the bias is stored in the weights' precision */
	ip->bias = weights->float16value.len ? weights_halves(out_ch, 0.05f) : weights_floats(out_ch, 0.05f);
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_INNER_PRODUCT;
	l->innerproduct = ip;
	return l;
}

static Layer *layer_softmax(const char *name, const char *in, const char *out)
{
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SOFTMAX;
	l->softmax =
		NEWMSG(CoreML__Specification__SoftmaxLayerParams, CORE_ML__SPECIFICATION__SOFTMAX_LAYER_PARAMS__INIT);
	return l;
}

/* ---- 2. nn: a small legacy neural network --------------------------------------------------- */
void make_nn(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("input", "A 3x8x8 input volume", ft_array(AT_DOUBLE, ISHAPE(3, 8, 8))));
	desc_output(d, feature("output", "Scores for 10 classes", ft_array(AT_DOUBLE, ISHAPE(10))));
	Metadata *md =
		metadata(d, "mlpkg examples", "A tiny convolutional network with synthetic weights", "1.0", "MIT");
	meta_user(md, "training_dataset", "synthetic-8x8");

	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
	PUSH(nn->n_layers, nn->layers, layer_conv("conv1", "input", "conv1_output", 3, 4, 3, 1));

	CoreML__Specification__BatchnormLayerParams *bn = NEWMSG(CoreML__Specification__BatchnormLayerParams,
								 CORE_ML__SPECIFICATION__BATCHNORM_LAYER_PARAMS__INIT);
	bn->channels = 4;
	bn->epsilon = 1e-5f;
	bn->gamma = weights_fill(4, 1.0f);
	bn->beta = weights_floats(4, 0.1f);
	bn->mean = weights_floats(4, 0.1f);
	bn->variance = weights_fill(4, 1.0f);
	Layer *l = layer_new("bn1", "conv1_output", "bn1_output");
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BATCHNORM;
	l->batchnorm = bn;
	PUSH(nn->n_layers, nn->layers, l);

	PUSH(nn->n_layers, nn->layers, layer_relu("relu1", "bn1_output", "relu1_output"));
	PUSH(nn->n_layers, nn->layers, layer_flatten("flatten1", "relu1_output", "flatten1_output"));
	PUSH(nn->n_layers, nn->layers,
	     layer_inner("fc1", "flatten1_output", "fc1_output", 256, 10, weights_halves(256 * 10, 0.1f)));
	PUSH(nn->n_layers, nn->layers, layer_softmax("softmax", "fc1_output", "output"));

	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- 3. nnclassifier: an image classifier with a quantized layer ---------------------------- */
void make_nnclassifier(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "A 32x32 colour image",
			      ft_image(32, 32, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d, feature("classLabel", "Most likely class", ft_string()));
	desc_output(d, feature("classLabelProbs", "Probability of each class", ft_dict_string_keys()));
	d->predictedfeaturename = astr("classLabel");
	d->predictedprobabilitiesname = astr("classLabelProbs");
	Metadata *md =
		metadata(d, "mlpkg examples", "Tells cats, dogs and birds apart (synthetic weights)", "1.0", "MIT");
	meta_user(md, "com.apple.coreml.model.preview.type", "imageClassifier");

	CoreML__Specification__NeuralNetworkClassifier *nc =
		NEWMSG(CoreML__Specification__NeuralNetworkClassifier,
		       CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__INIT);
	PUSH(nc->n_layers, nc->layers, layer_conv("conv1", "image", "conv1_output", 3, 8, 3, 2));
	PUSH(nc->n_layers, nc->layers, layer_relu("relu1", "conv1_output", "relu1_output"));
	PUSH(nc->n_layers, nc->layers, layer_flatten("flatten1", "relu1_output", "flatten1_output"));
	PUSH(nc->n_layers, nc->layers,
	     layer_inner("fc1", "flatten1_output", "fc1_output", 8 * 16 * 16, 3,
			 weights_quant8(3, 8 * 16 * 16, 0.05f)));
	PUSH(nc->n_layers, nc->layers, layer_softmax("softmax", "fc1_output", "probabilities"));
	nc->labelprobabilitylayername = astr("probabilities");

	CoreML__Specification__NeuralNetworkImageScaler *sc =
		NEWMSG(CoreML__Specification__NeuralNetworkImageScaler,
		       CORE_ML__SPECIFICATION__NEURAL_NETWORK_IMAGE_SCALER__INIT);
	sc->channelscale = 1.0f / 255.0f;
	sc->redbias = -0.485f;
	sc->greenbias = -0.456f;
	sc->bluebias = -0.406f;
	CoreML__Specification__NeuralNetworkPreprocessing *pp =
		NEWMSG(CoreML__Specification__NeuralNetworkPreprocessing,
		       CORE_ML__SPECIFICATION__NEURAL_NETWORK_PREPROCESSING__INIT);
	pp->featurename = astr("image");
	pp->preprocessor_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_PREPROCESSING__PREPROCESSOR_SCALER;
	pp->scaler = sc;
	PUSH(nc->n_preprocessing, nc->preprocessing, pp);

	CoreML__Specification__StringVector *labels =
		NEWMSG(CoreML__Specification__StringVector, CORE_ML__SPECIFICATION__STRING_VECTOR__INIT);
	PUSH(labels->n_vector, labels->vector, astr("cat"));
	PUSH(labels->n_vector, labels->vector, astr("dog"));
	PUSH(labels->n_vector, labels->vector, astr("bird"));
	nc->class_labels_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__CLASS_LABELS_STRING_CLASS_LABELS;
	nc->stringclasslabels = labels;

	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK_CLASSIFIER;
	m->neuralnetworkclassifier = nc;
	write_model(m, out);
}

/* ---- detector: a network then non-maximum suppression holding 80 COCO labels ----------------- */
static const char *const coco_labels[80] = {
	"person",        "bicycle",      "car",
	"motorcycle",    "airplane",     "bus",
	"train",         "truck",        "boat",
	"traffic light", "fire hydrant", "stop sign",
	"parking meter", "bench",        "bird",
	"cat",           "dog",          "horse",
	"sheep",         "cow",          "elephant",
	"bear",          "zebra",        "giraffe",
	"backpack",      "umbrella",     "handbag",
	"tie",           "suitcase",     "frisbee",
	"skis",          "snowboard",    "sports ball",
	"kite",          "baseball bat", "baseball glove",
	"skateboard",    "surfboard",    "tennis racket",
	"bottle",        "wine glass",   "cup",
	"fork",          "knife",        "spoon",
	"bowl",          "banana",       "apple",
	"sandwich",      "orange",       "broccoli",
	"carrot",        "hot dog",      "pizza",
	"donut",         "cake",         "chair",
	"couch",         "potted plant", "bed",
	"dining table",  "toilet",       "tv",
	"laptop",        "mouse",        "remote",
	"keyboard",      "cell phone",   "microwave",
	"oven",          "toaster",      "sink",
	"refrigerator",  "book",         "clock",
	"vase",          "scissors",     "teddy bear",
	"hair drier",    "toothbrush",
};

void make_detector(const char *out)
{
	/* stage 1: image -> raw_confidence [1, 80], raw_coordinates [1, 4] */
	ModelDesc *d1 = desc_new();
	desc_input(d1, feature("image", NULL,
			       ft_image(32, 32, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d1, feature("raw_confidence", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_output(d1, feature("raw_coordinates", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
	PUSH(nn->n_layers, nn->layers, layer_conv("conv1", "image", "conv1_output", 3, 8, 3, 2));
	PUSH(nn->n_layers, nn->layers, layer_relu("relu1", "conv1_output", "relu1_output"));
	PUSH(nn->n_layers, nn->layers, layer_flatten("flatten1", "relu1_output", "flatten1_output"));
	PUSH(nn->n_layers, nn->layers,
	     layer_inner("scores", "flatten1_output", "raw_confidence", 8 * 16 * 16, 80,
			 weights_quant8(80, 8 * 16 * 16, 0.05f)));
	PUSH(nn->n_layers, nn->layers,
	     layer_inner("boxes", "flatten1_output", "raw_coordinates", 8 * 16 * 16, 4,
			 weights_quant8(4, 8 * 16 * 16, 0.05f)));
	Model *m1 = model_new(3, d1);
	m1->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m1->neuralnetwork = nn;

	/* stage 2: non-maximum suppression, which holds the class labels */
	ModelDesc *d2 = desc_new();
	desc_input(d2, feature("raw_confidence", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_input(d2, feature("raw_coordinates", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	desc_input(d2, feature("iouThreshold", NULL, ft_double()));
	desc_input(d2, feature("confidenceThreshold", NULL, ft_double()));
	desc_output(d2, feature("confidence", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_output(d2, feature("coordinates", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	CoreML__Specification__NonMaximumSuppression *nms = NEWMSG(
		CoreML__Specification__NonMaximumSuppression, CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__INIT);
	CoreML__Specification__NonMaximumSuppression__PickTop *top =
		NEWMSG(CoreML__Specification__NonMaximumSuppression__PickTop,
		       CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__PICK_TOP__INIT);
	nms->suppression_method_case = CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__SUPPRESSION_METHOD_PICK_TOP;
	nms->picktop = top;
	CoreML__Specification__StringVector *labels =
		NEWMSG(CoreML__Specification__StringVector, CORE_ML__SPECIFICATION__STRING_VECTOR__INIT);
	for (size_t i = 0; i < 80; i++)
		PUSH(labels->n_vector, labels->vector, astr(coco_labels[i]));
	nms->class_labels_case = CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__CLASS_LABELS_STRING_CLASS_LABELS;
	nms->stringclasslabels = labels;
	nms->iouthreshold = 0.45;
	nms->confidencethreshold = 0.25;
	nms->confidenceinputfeaturename = astr("raw_confidence");
	nms->coordinatesinputfeaturename = astr("raw_coordinates");
	nms->iouthresholdinputfeaturename = astr("iouThreshold");
	nms->confidencethresholdinputfeaturename = astr("confidenceThreshold");
	nms->confidenceoutputfeaturename = astr("confidence");
	nms->coordinatesoutputfeaturename = astr("coordinates");
	Model *m2 = model_new(3, d2);
	m2->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NON_MAXIMUM_SUPPRESSION;
	m2->nonmaximumsuppression = nms;

	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "A 32x32 colour image",
			      ft_image(32, 32, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_input(d, feature("iouThreshold", "Overlap above which boxes are merged", ft_double()));
	desc_input(d, feature("confidenceThreshold", "Score below which boxes are dropped", ft_double()));
	desc_output(d, feature("confidence", "Per-class scores of each box", ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_output(d, feature("coordinates", "Each box: x, y, width, height", ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	metadata(d, "mlpkg examples", "Finds the 80 COCO classes (synthetic weights)", "1.0", "MIT");
	CoreML__Specification__Pipeline *p =
		NEWMSG(CoreML__Specification__Pipeline, CORE_ML__SPECIFICATION__PIPELINE__INIT);
	PUSH(p->n_models, p->models, m1);
	PUSH(p->n_models, p->models, m2);
	PUSH(p->n_names, p->names, astr("detector"));
	PUSH(p->n_names, p->names, astr("nms"));
	Model *m = model_new(3, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE;
	m->pipeline = p;
	write_model(m, out);
}

/* ---- 4. pipeline: scaler then linear regressor ---------------------------------------------- */
void make_pipeline(const char *out)
{
	/* stage 1: scaler x -> x_scaled */
	ModelDesc *d1 = desc_new();
	desc_input(d1, feature("x", NULL, ft_array(AT_DOUBLE, ISHAPE(3))));
	desc_output(d1, feature("x_scaled", NULL, ft_array(AT_DOUBLE, ISHAPE(3))));
	CoreML__Specification__Scaler *sc = NEWMSG(CoreML__Specification__Scaler, CORE_ML__SPECIFICATION__SCALER__INIT);
	static const double shift[3] = { -1.0, -20.0, -300.0 }, scale[3] = { 1.0, 0.1, 0.01 };
	sc->n_shiftvalue = 3;
	sc->shiftvalue = adup(shift, sizeof shift);
	sc->n_scalevalue = 3;
	sc->scalevalue = adup(scale, sizeof scale);
	Model *m1 = model_new(1, d1);
	m1->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_SCALER;
	m1->scaler = sc;

	/* stage 2: GLM regressor x_scaled -> y */
	ModelDesc *d2 = desc_new();
	desc_input(d2, feature("x_scaled", NULL, ft_array(AT_DOUBLE, ISHAPE(3))));
	desc_output(d2, feature("y", NULL, ft_double()));
	d2->predictedfeaturename = astr("y");
	CoreML__Specification__GLMRegressor *glm =
		NEWMSG(CoreML__Specification__GLMRegressor, CORE_ML__SPECIFICATION__GLMREGRESSOR__INIT);
	CoreML__Specification__GLMRegressor__DoubleArray *wa =
		NEWMSG(CoreML__Specification__GLMRegressor__DoubleArray,
		       CORE_ML__SPECIFICATION__GLMREGRESSOR__DOUBLE_ARRAY__INIT);
	for (int i = 0; i < 3; i++)
		PUSH(wa->n_value, wa->value, (double)rng_float(1.0f));
	PUSH(glm->n_weights, glm->weights, wa);
	PUSH(glm->n_offset, glm->offset, 0.5);
	Model *m2 = model_new(1, d2);
	m2->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_GLM_REGRESSOR;
	m2->glmregressor = glm;

	ModelDesc *d = desc_new();
	desc_input(d, feature("x", "Three raw measurements", ft_array(AT_DOUBLE, ISHAPE(3))));
	desc_output(d, feature("y", "Predicted value", ft_double()));
	d->predictedfeaturename = astr("y");
	Metadata *md = metadata(d, "mlpkg examples", "Standardises three measurements, then fits a line", "1.0", "MIT");
	meta_user(md, "com.github.apple.coremltools.version", "7.1");
	CoreML__Specification__Pipeline *p =
		NEWMSG(CoreML__Specification__Pipeline, CORE_ML__SPECIFICATION__PIPELINE__INIT);
	PUSH(p->n_models, p->models, m1);
	PUSH(p->n_models, p->models, m2);
	PUSH(p->n_names, p->names, astr("scaler"));
	PUSH(p->n_names, p->names, astr("regressor"));
	Model *m = model_new(1, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE;
	m->pipeline = p;
	write_model(m, out);
}

/* ---- 8. control: a network with branch and loop layers -------------------------------------- */
static Layer *layer_gt(const char *name, const char *in, const char *out)
{
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_GREATER_THAN;
	l->greaterthan = NEWMSG(CoreML__Specification__GreaterThanLayerParams,
				CORE_ML__SPECIFICATION__GREATER_THAN_LAYER_PARAMS__INIT);
	return l;
}

static CoreML__Specification__NeuralNetwork *network_new(void)
{
	return NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
}

/* x -> gt -> branch (ifBranch: fc_if; elseBranch: fc_else, fc_else2, with
 * float16 weights) -> loop (conditionNetwork: cn; bodyNetwork: fc_body, cp)
 * -> out: 10 layers, 4 of them at the top level, 8 weight fields, all nested */
void make_control(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("x", "A vector of 4", ft_array(AT_FLOAT32, ISHAPE(4))));
	desc_output(d, feature("y", "The result", ft_array(AT_FLOAT32, ISHAPE(4))));
	metadata(d, "mlpkg tests", "Branch and loop layers with weights inside", "1.0", "MIT");
	CoreML__Specification__NeuralNetwork *nn = network_new();
	nn->arrayinputshapemapping =
		CORE_ML__SPECIFICATION__NEURAL_NETWORK_MULTI_ARRAY_SHAPE_MAPPING__EXACT_ARRAY_MAPPING;
	PUSH(nn->n_layers, nn->layers, layer_gt("gt", "x", "cond"));

	CoreML__Specification__BranchLayerParams *br =
		NEWMSG(CoreML__Specification__BranchLayerParams, CORE_ML__SPECIFICATION__BRANCH_LAYER_PARAMS__INIT);
	br->ifbranch = network_new();
	PUSH(br->ifbranch->n_layers, br->ifbranch->layers,
	     layer_inner("fc_if", "x", "z", 4, 4, weights_floats(16, 0.2f)));
	br->elsebranch = network_new();
	PUSH(br->elsebranch->n_layers, br->elsebranch->layers,
	     layer_inner("fc_else", "x", "h", 4, 8, weights_halves(32, 0.2f)));
	PUSH(br->elsebranch->n_layers, br->elsebranch->layers,
	     layer_inner("fc_else2", "h", "z", 8, 4, weights_halves(32, 0.2f)));
	Layer *l = layer_new("br", "cond", "br_done");
	l->n_output = 0;
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BRANCH;
	l->branch = br;
	PUSH(nn->n_layers, nn->layers, l);

	CoreML__Specification__LoopLayerParams *lp =
		NEWMSG(CoreML__Specification__LoopLayerParams, CORE_ML__SPECIFICATION__LOOP_LAYER_PARAMS__INIT);
	lp->maxloopiterations = 3;
	lp->conditionvar = astr("go");
	lp->conditionnetwork = network_new();
	PUSH(lp->conditionnetwork->n_layers, lp->conditionnetwork->layers, layer_gt("cn", "z", "go"));
	lp->bodynetwork = network_new();
	PUSH(lp->bodynetwork->n_layers, lp->bodynetwork->layers,
	     layer_inner("fc_body", "z", "z2", 4, 4, weights_floats(16, 0.2f)));
	Layer *cp = layer_new("cp", "z2", "z");
	cp->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_COPY;
	cp->copy = NEWMSG(CoreML__Specification__CopyLayerParams, CORE_ML__SPECIFICATION__COPY_LAYER_PARAMS__INIT);
	PUSH(lp->bodynetwork->n_layers, lp->bodynetwork->layers, cp);
	l = layer_new("lp", "z", "lp_done");
	l->n_input = l->n_output = 0;
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_LOOP;
	l->loop = lp;
	PUSH(nn->n_layers, nn->layers, l);
	PUSH(nn->n_layers, nn->layers, layer_relu("out", "z", "y"));

	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- mobilenet: shapes known layer by layer ------------------------------------------------- */

/* a depthwise (groups = channels) convolution, same padding */
static Layer *layer_dw(const char *name, const char *in, const char *out, uint64_t ch, uint64_t stride)
{
	Layer *l = layer_conv(name, in, out, 1, ch, 3, stride);
	l->convolution->ngroups = ch;
	return l;
}

/* valid padding with explicit borders (top, bottom, left, right) */
static void conv_valid(Layer *l, uint64_t t, uint64_t b, uint64_t le, uint64_t r)
{
	CoreML__Specification__ConvolutionLayerParams *c = l->convolution;
	CoreML__Specification__ValidPadding *v =
		NEWMSG(CoreML__Specification__ValidPadding, CORE_ML__SPECIFICATION__VALID_PADDING__INIT);
	CoreML__Specification__BorderAmounts *ba =
		NEWMSG(CoreML__Specification__BorderAmounts, CORE_ML__SPECIFICATION__BORDER_AMOUNTS__INIT);
	uint64_t e[2][2] = { { t, b }, { le, r } };
	for (int k = 0; k < 2; k++) {
		CoreML__Specification__BorderAmounts__EdgeSizes *es =
			NEWMSG(CoreML__Specification__BorderAmounts__EdgeSizes,
			       CORE_ML__SPECIFICATION__BORDER_AMOUNTS__EDGE_SIZES__INIT);
		es->startedgesize = e[k][0];
		es->endedgesize = e[k][1];
		PUSH(ba->n_borderamounts, ba->borderamounts, es);
	}
	v->paddingamounts = ba;
	c->convolution_padding_type_case =
		CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__CONVOLUTION_PADDING_TYPE_VALID;
	c->valid = v;
}

static Layer *layer_pool(const char *name, const char *in, const char *out, uint64_t k, uint64_t stride, int global)
{
	CoreML__Specification__PoolingLayerParams *p =
		NEWMSG(CoreML__Specification__PoolingLayerParams, CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__INIT);
	p->type = global ? CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__AVERAGE
			 : CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__MAX;
	p->n_kernelsize = 2;
	p->kernelsize = adup((uint64_t[]){ k, k }, 2 * sizeof(uint64_t));
	p->n_stride = 2;
	p->stride = adup((uint64_t[]){ stride, stride }, 2 * sizeof(uint64_t));
	p->pooling_padding_type_case = CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_PADDING_TYPE_VALID;
	p->valid = NEWMSG(CoreML__Specification__ValidPadding, CORE_ML__SPECIFICATION__VALID_PADDING__INIT);
	p->globalpooling = global;
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_POOLING;
	l->pooling = p;
	return l;
}

/* a layer of two inputs */
static Layer *layer_new2(const char *name, const char *a, const char *b, const char *out)
{
	Layer *l = layer_new(name, a, out);
	PUSH(l->n_input, l->input, astr(b));
	return l;
}

static Layer *layer_add2(const char *name, const char *a, const char *b, const char *out)
{
	Layer *l = layer_new2(name, a, b, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ADD;
	l->add = NEWMSG(CoreML__Specification__AddLayerParams, CORE_ML__SPECIFICATION__ADD_LAYER_PARAMS__INIT);
	return l;
}

static Layer *layer_concat2(const char *name, const char *a, const char *b, const char *out)
{
	Layer *l = layer_new2(name, a, b, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONCAT;
	l->concat = NEWMSG(CoreML__Specification__ConcatLayerParams, CORE_ML__SPECIFICATION__CONCAT_LAYER_PARAMS__INIT);
	return l;
}

static Layer *layer_upsample(const char *name, const char *in, const char *out, uint64_t f)
{
	CoreML__Specification__UpsampleLayerParams *u =
		NEWMSG(CoreML__Specification__UpsampleLayerParams, CORE_ML__SPECIFICATION__UPSAMPLE_LAYER_PARAMS__INIT);
	u->n_scalingfactor = 2;
	u->scalingfactor = adup((uint64_t[]){ f, f }, 2 * sizeof(uint64_t));
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UPSAMPLE;
	l->upsample = u;
	return l;
}

/* A MobileNet-like network on a 224x224 RGB image, its shapes known from
 * the layers' definitions (tests/t-layers.sh lists them): a stride-2
 * convolution, depthwise and pointwise pairs, a valid-padded convolution
 * with borders, a max pool, a residual add, an upsample and a concat, a
 * global average pool, a classifier head. */
void make_mobilenet(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "A 224x224 colour image",
			      ft_image(224, 224, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d, feature("scores", "Scores for 1000 classes", ft_array(AT_DOUBLE, ISHAPE(1000))));
	metadata(d, "mlpkg examples", "A MobileNet-like network (synthetic weights)", "1.0", "MIT");
	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
#define L(x) PUSH(nn->n_layers, nn->layers, (x))
	L(layer_conv("conv1", "image", "c1", 3, 32, 3, 2)); /* [32,112,112] */
	L(layer_relu("relu1", "c1", "r1"));                 /* [32,112,112] */
	L(layer_dw("dw1", "r1", "d1", 32, 1));              /* [32,112,112] */
	L(layer_conv("pw1", "d1", "p1", 32, 64, 1, 1));     /* [64,112,112] */
	L(layer_dw("dw2", "p1", "d2", 64, 2));              /* [64,56,56] */
	L(layer_conv("pw2", "d2", "p2", 64, 128, 1, 1));    /* [128,56,56] */
	L(layer_dw("dw3", "p2", "d3", 128, 1));             /* [128,56,56] */
	L(layer_add2("res3", "d3", "p2", "a3"));            /* [128,56,56] */
	Layer *v = layer_conv("valid4", "a3", "v4", 128, 128, 3, 2);
	conv_valid(v, 1, 0, 1, 0);                   /* (56 + 1 - 3) / 2 + 1 = 28 */
	L(v);                                        /* [128,28,28] */
	L(layer_pool("pool5", "v4", "m5", 2, 2, 0)); /* [128,14,14] */
	L(layer_upsample("up6", "m5", "u6", 2));     /* [128,28,28] */
	L(layer_concat2("cat7", "u6", "v4", "k7"));  /* [256,28,28] */
	L(layer_pool("gap8", "k7", "g8", 1, 1, 1));  /* [256,1,1] */
	L(layer_flatten("flat9", "g8", "f9"));       /* [256,1,1] */
	L(layer_inner("fc10", "f9", "fc", 256, 1000, weights_floats(256 * 1000, 0.05f))); /* [1000,1,1] */
	L(layer_softmax("prob", "fc", "scores"));                                         /* [1000,1,1] */
#undef L
	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- nnlut: a palettized inner product ---------------------------------------------------- */

/* A neural network with a 4-bit lookup-table weight: fc [4, 8], element i
 * takes code i % 16 (packed most-significant bit first), table[k] =
 * k / 10 - 0.75. */
void make_nnlut(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("input", "A vector of 8", ft_array(AT_DOUBLE, ISHAPE(8))));
	desc_output(d, feature("output", "Four scores", ft_array(AT_DOUBLE, ISHAPE(4))));
	metadata(d, "mlpkg examples", "A palettized inner product (synthetic)", "1.0", "MIT");
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	uint8_t *codes = anew(16);
	for (size_t i = 0; i < 16; i++)
		codes[i] = (uint8_t)((((2 * i) % 16) << 4) | ((2 * i + 1) % 16));
	wp->rawvalue.len = 16;
	wp->rawvalue.data = codes;
	CoreML__Specification__LookUpTableQuantizationParams *lt =
		NEWMSG(CoreML__Specification__LookUpTableQuantizationParams,
		       CORE_ML__SPECIFICATION__LOOK_UP_TABLE_QUANTIZATION_PARAMS__INIT);
	lt->n_floatvalue = 16;
	lt->floatvalue = anew(16 * sizeof(float));
	for (int k = 0; k < 16; k++)
		lt->floatvalue[k] = (float)k / 10.0f - 0.75f;
	CoreML__Specification__QuantizationParams *qp =
		NEWMSG(CoreML__Specification__QuantizationParams, CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__INIT);
	qp->numberofbits = 4;
	qp->quantization_type_case =
		CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LOOKUP_TABLE_QUANTIZATION;
	qp->lookuptablequantization = lt;
	wp->quantization = qp;
	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
	PUSH(nn->n_layers, nn->layers, layer_inner("fc", "input", "output", 8, 4, wp));
	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}
