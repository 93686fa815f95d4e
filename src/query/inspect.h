/* inspect: what a model holds, read lazily from the spec tree, for the
 * inspection commands (info, io, layers, weights) and any other front end.
 * Nothing here prints: functions fill structures and return 0, or -1 with
 * the error reported (exit class set).
 *
 * Cost: only what is asked for is opened.  Neural-network weights are
 * measured by the length of their fields (WeightParams is listed, its
 * values are never read); ML-program weights by their declared type. */
#ifndef MLPKG_INSPECT_H
#define MLPKG_INSPECT_H
#include <stddef.h>
#include <stdint.h>
#include "query/blob.h"
#include "base/jsonout.h"
#include "spec/tree.h"

struct mlpkg_model;

/* ---- small helpers ----------------------------------------------------- */
struct strlist {
	char **v;
	size_t n, cap;
};
void sl_push(struct strlist *l, char *s); /* takes s */
void sl_pushf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sl_free(struct strlist *l);

/* Iterates the child messages numbered num: *i starts at -1; 1 and the child,
 * 0 at the end, -1 on an invalid node (reported). */
int next_child(struct mt_node *n, uint32_t num, long *i, struct mt_node **out);
/* The string of field num of a map entry / message as a new C string ("" when absent) */
char *field_str(struct mt_node *n, uint32_t num);

/* ---- feature types (FeatureTypes.proto) -------------------------------- */
enum ft_kind { FT_NONE, FT_INT64, FT_DOUBLE, FT_STRING, FT_IMAGE, FT_ARRAY, FT_DICT, FT_SEQUENCE, FT_STATE };

struct ft_range {
	uint64_t lo;
	int64_t hi; /* < 0: unbounded */
};
struct ft_shape {
	size_t rank;
	int64_t *dim;
};

struct ft_info {
	enum ft_kind kind;
	int optional;
	/* image */
	const char *color; /* RGB, BGR, GRAYSCALE, GRAYSCALE_FLOAT16, or NULL */
	int64_t width, height;
	uint64_t (*sizes)[2]; /* enumerated sizes, (width, height) */
	size_t nsizes;
	int has_range; /* image: wrange/hrange; sequence: len */
	struct ft_range wrange, hrange, len;
	/* multi-array, state */
	const char *dtype; /* float32, float16, double, int32, int8, or NULL */
	struct ft_shape shape;
	struct ft_shape *shapes; /* enumerated shapes */
	size_t nshapes;
	struct ft_range *ranges; /* shape range, one per dimension */
	size_t nranges;
	int has_default;
	double dflt;
	const char *dflt_kind; /* int, float or double: the field the default is in */
	/* dictionary key, sequence element */
	const char *key; /* int64, string */
	const char *elem;
};

/* Reads a FeatureType message (NULL: no type, FT_NONE). */
int ft_read(struct mt_node *type, struct ft_info *t);
void ft_release(struct ft_info *t);
/* The type as people read it: image<RGB,224x224>, float32[1,3,512,512],
 * dict<string,double>, sequence<string>, state<float16[1,4]>; flexible sizes
 * and shapes follow in braces: float32[1,3,H,W] {...}.  Caller frees. */
char *ft_format(const struct ft_info *t);
/* Writes the type's keys ("type", "kind", details) into the open JSON object. */
void ft_json(struct jw *w, const struct ft_info *t);

struct feature {
	char *name;
	char *desc;
	struct ft_info type;
};
struct io_list {
	struct feature *v;
	size_t n;
};
/* one interface: the model's own description, or one function's */
struct io_group {
	char *function; /* NULL for the model's own description */
	int is_default;
	struct io_list in, out, state, training;
	char *predicted, *probabilities;
};
struct model_io {
	struct io_group *g; /* g[0] is the model's own; then one per function */
	size_t n;
	char *default_fn;
};
int io_read(struct mt_node *model, struct model_io *io);
void io_release(struct model_io *io);

/* ---- models and pipelines --------------------------------------------- */
struct model_ref {
	struct mt_node *node; /* a Model message */
	char *path;           /* in get's path language: "" for the root, "pipeline.models[0]" */
	char *name;           /* the pipeline's name for it, or NULL */
	int depth;            /* 0 root, 1 pipeline member, ... */
	int version;          /* its specificationVersion */
	const char *type;     /* model_type_name, or NULL when unset */
};
/* The root and, depth first, every pipeline member.  On failure (-1,
 * reported) *v is NULL and *n 0. */
int model_list(struct mt_node *root, struct model_ref **v, size_t *n);
void model_list_free(struct model_ref *v, size_t n);
/* The Pipeline message of a pipeline, pipelineClassifier or pipelineRegressor model. */
struct mt_node *model_pipeline(struct mt_node *model);

/* ---- neural networks ----------------------------------------------------- */
/* The NeuralNetwork / NeuralNetworkClassifier / NeuralNetworkRegressor message, or NULL. */
struct mt_node *nn_network(struct mt_node *model);

struct nn_weight {
	char *field;                  /* "weights", "bias", "weightParams.inputGateWeightMatrix", "weights[1]" */
	const char *type;             /* float32, float16, int8, quantized (linear), lut, raw */
	int bits;                     /* element size */
	uint64_t count;               /* elements */
	uint64_t bytes;               /* stored bytes (the fields' lengths) */
	struct mt_node *node;         /* the WeightParams message */
	const struct mt_field *value; /* the field holding the values (NULL when spread out) */
};
struct nn_layer {
	size_t index;
	char *name;
	const char *kind; /* the layer oneof's field name: convolution, innerProduct... */
	struct strlist in, out;
	struct mt_node *node, *params;
	struct strlist keys; /* key parameters: "outputChannels=32", "kernelSize=3x3", "same" */
	struct nn_weight *w;
	size_t nw;
};
/* Reads a layer into l; on failure (-1, reported) l holds nothing to free. */
int nn_layer_read(struct mt_node *layer, size_t index, struct nn_layer *l);
/* One WeightParams message read as a weight (field left NULL): 0, 1 when it
 * holds no values, -1 on an invalid node (reported). */
int nn_weight_read(struct mt_node *wp, struct nn_weight *w);
void nn_layer_release(struct nn_layer *l);
/* 1 when a field holds a NeuralNetwork (a branch's or a loop's network):
 * its layers are listed as layers, not as parameters or weights of the
 * layer holding them */
int nn_is_network_field(const ProtobufCFieldDescriptor *fd);
/* 1 when a message holds WeightParams (a few levels down; depth starts at 0) */
int nn_has_weights(struct mt_node *n, int depth);
/* The values of a WeightParams field that is stored as separate (unpacked)
 * floats, gathered as little-endian bytes; caller frees. */
uint8_t *nn_weight_gather(const struct nn_weight *w, size_t *len);
/* The shape the layer's parameters give its weight field (as Core ML lays
 * it out: innerProduct [out, in], convolution [out, kernelChannels, kh, kw]
 * or, deconvolution, [kernelChannels, out / nGroups, kh, kw], embedding
 * [out, inputDim], embeddingND [embeddingSize, vocabSize], batchedMatmul
 * [first, second], batchnorm [channels], loadConstant / scale / bias their
 * shape fields): its rank (0 when unknown) with dims, and in how (when not
 * NULL) the parameters it comes from, in words. */
size_t nn_weight_shape(const struct nn_layer *l, const char *field, uint64_t *dims, size_t max, char *how,
		       size_t howlen);
/* nn_weight_shape of w, when the values it holds are as many as the shape
 * says (its rank, 0 otherwise) */
size_t nn_weight_dims(const struct nn_layer *l, const struct nn_weight *w, uint64_t *dims, size_t max);
/* "[d0,d1,...]": that shape when the field's count agrees with it, else
 * "[count]"; caller frees */
char *nn_weight_shape_str(const struct nn_layer *l, const struct nn_weight *w);

/* The networks a branch layer (ifBranch, elseBranch) or a loop layer
 * (conditionNetwork, bodyNetwork) holds, at most 2, into out: how many, or
 * -1 (reported).  Their get path: the layer's, then .KIND.NAME */
struct nn_subnet {
	struct mt_node *net;
	const char *name;
};
int nn_layer_networks(const struct nn_layer *l, struct nn_subnet *out);
/* Every layer of a network, nested ones included: a branch layer's
 * ifBranch and elseBranch, a loop layer's conditionNetwork and bodyNetwork
 * (the layers of each after the layer that holds them, depth first). */
#define NN_MAX_NESTING 32
struct nn_visit {
	struct mt_node *layer;   /* NULL: the start of a nested network (NN_WALK_NETS) */
	struct mt_node *network; /* the NeuralNetwork message holding it (or starting) */
	const char *path;  /* get path: BASE.layers[3].branch.ifBranch.layers[0] (a network: without .layers[0]) */
	const char *index; /* "3", "3.ifBranch.0" (a network: "3.ifBranch.") */
	size_t pos;        /* its index in its own network (a network: its layer's) */
	int depth;         /* 0 for the top level */
	const char *net;   /* "" at the top level, else ifBranch, elseBranch, conditionNetwork, bodyNetwork */
	const char *scope; /* the layers holding it by name, with their networks: "br.ifBranch", "" at the top */
};
/* The visitor returns 0 to go on, 1 to skip the networks of this layer, a
 * negative value to stop (nn_walk returns it). */
typedef int (*nn_visitor)(const struct nn_visit *v, void *ctx);
enum { NN_WALK_NETS = 1 }; /* also visit the start of each nested network */
/* Walks the layers of network nn, whose get path is base ("neuralNetwork",
 * "pipeline.models[1].neuralNetworkClassifier"); 0, -1 on an invalid node or
 * networks nested more than NN_MAX_NESTING deep (reported), or the
 * visitor's negative value. */
int nn_walk(struct mt_node *nn, const char *base, int flags, nn_visitor fn, void *ctx);
/* The first layer named name, nested ones included: 1 with *layer and (when
 * path is not NULL) its get path (caller frees), 0 when there is none, -1. */
int nn_find_layer(struct mt_node *nn, const char *base, const char *name, struct mt_node **layer, char **path);

/* ---- ML programs ------------------------------------------------------- */
struct mil_function {
	char *name;
	struct mt_node *fn;
	char *opset;
	char *block_key;       /* the specialization used: the one keyed by opset, else the last */
	struct mt_node *block; /* NULL when there is none */
	size_t nspecs;
};
int mil_functions(struct mt_node *program, struct mil_function **v, size_t *n);
/* The get path of a function's block: MPATH.mlProgram.functions["F"].block_specializations["K"]
 * (mpath is the model's path, "" for the root); caller frees. */
char *mil_block_path(const char *mpath, const struct mil_function *f);
void mil_functions_free(struct mil_function *v, size_t n);

struct mil_binding {
	char *name;  /* a variable, or NULL */
	char *value; /* a literal's summary, or NULL */
};
struct mil_input {
	char *param;
	struct mil_binding *b;
	size_t nb;
};
struct mil_var {
	char *name;
	char *type;
};
struct mil_weight_ref {
	char *key;                     /* attribute or input holding it: val, lut, indices... */
	char *file;                    /* blobFileValue.fileName */
	uint64_t offset;               /* of the blob's metadata record */
	int dtype_mil;                 /* MILSpec.DataType of the declared type */
	const struct mil_dtype *dtype; /* NULL when unknown */
	size_t rank;
	int64_t *shape; /* -1 for unknown dimensions */
	uint64_t count; /* elements, when every dimension is known */
	int known;
};
struct mil_op {
	char *type;
	char *name; /* attributes["name"], else the first output's name */
	struct mil_input *in;
	size_t nin;
	struct mil_var *out;
	size_t nout;
	char *value; /* const: its value summarised */
	struct mil_weight_ref *w;
	size_t nw;
	size_t nblocks;
	struct mt_node *node;
};
enum { MIL_OP_FULL = 1 }; /* also format inputs, outputs and values */
/* Reads an operation into o; on failure (-1, reported) o holds nothing to free. */
int mil_op_read(struct mt_node *op, struct mil_op *o, int flags);
void mil_op_release(struct mil_op *o);
/* "fp16[1,3,224,224]", "fp32", "string", "list<fp16[?]>", "state<fp16[1,4]>"; caller frees */
char *mil_type_format(struct mt_node *valuetype);
/* a Value summarised: 1.5, [1, 2, 3], "fp16", <4096 bytes>, @weight.bin+1152; caller frees */
char *mil_value_format(struct mt_node *value);

/* ---- files ------------------------------------------------------------- */
/* Bytes on disk: the file (.mlmodel, zip), or every file of a package folder. */
int64_t model_disk_size(struct mlpkg_model *m);
/* A weight file a spec names ("@model_path/weights/weight.bin") relative to
 * the package folder ("Data/com.apple.CoreML/weights/weight.bin"); caller frees. */
char *weight_file_rel(struct mlpkg_model *m, const char *name);

/* ---- counts and notes ---------------------------------------------------- */
struct model_counts {
	uint64_t models; /* models, pipeline members included */
	uint64_t layers; /* neural-network layers */
	uint64_t ops;    /* ML-program operations (active specializations, nested blocks included) */
	uint64_t functions;
	uint64_t weights;      /* weight tensors: NN weight fields, ML-program blob-file values */
	uint64_t params;       /* their elements */
	uint64_t weight_bytes; /* their bytes */
	int has_nn, has_mil;
	struct strlist files; /* weight files referenced */
	/* the other kinds of model: tree ensembles, GLMs, SVMs, nearest neighbors */
	uint64_t trees, tree_nodes, tree_leaves;
	uint64_t coefficients; /* GLM weights and offsets, SVM coefficients (alpha) */
	uint64_t support_vectors;
	uint64_t examples; /* a nearest-neighbors classifier's samples */
	int has_tree, has_glm, has_svm, has_knn;
};
/* Adds the counts of model and its pipeline members into c. */
int model_count(struct mt_node *model, struct model_counts *c);
void model_counts_release(struct model_counts *c);
/* "400 trees, 76980 nodes (38690 leaves)", "7 support vectors, 7
 * coefficients"...: what c counts of the other kinds of model, or NULL */
char *classic_summary(const struct model_counts *c);

/* The lowest spec version the model's features need (pipelines included),
 * with what needs it ("mlProgram", "function descriptions"...) and where. */
int spec_need(struct mt_node *model, int *need, char **why);
/* The version a layer's type and options need (1: nothing newer than the
 * first release); 4 or more means Core ML counts it as newer than iOS 12.
 * *why (static) says what, or NULL. */
int nn_layer_needs(const struct nn_layer *l, const char **why);

/* Anything odd about the model, one sentence each: metadata overlays,
 * unknown fields, an unset model type, a spec version lower than its
 * features need, members newer than their pipeline. */
int model_notes(struct mlpkg_model *m, struct strlist *notes);
#endif
