/* mkmodel.h: what the parts of mkmodel share.  Short names for the generated Core ML types, then
 * mkmodel-common.c (failing, the arena every message lives in, deterministic numbers, files, the
 * .mlpackage folder and its in-memory weight.bin), mkmodel-build.c (builders of Model and MIL
 * messages), and the kinds each part writes: mkmodel-program.c (ML programs), mkmodel-nn.c
 * (neural networks and other .mlmodel kinds), mkmodel-big.c (streamed big models) and
 * mkmodel-compiled.c (.mlmodelc folders); mkmodel.c picks one by name. */
#ifndef MLPKG_TESTS_MKMODEL_H
#define MLPKG_TESTS_MKMODEL_H
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/xalloc.h"
#include "Model.pb-c.h"

/* ---- short names for the generated types ---------------------------------------------------- */
typedef CoreML__Specification__Model Model;
typedef CoreML__Specification__ModelDescription ModelDesc;
typedef CoreML__Specification__FunctionDescription FuncDesc;
typedef CoreML__Specification__FeatureDescription FeatDesc;
typedef CoreML__Specification__FeatureType FeatType;
typedef CoreML__Specification__ArrayFeatureType ArrayType;
typedef CoreML__Specification__Metadata Metadata;
typedef CoreML__Specification__Metadata__UserDefinedEntry MetaEntry;
typedef CoreML__Specification__NeuralNetworkLayer Layer;
typedef CoreML__Specification__WeightParams Weights;

typedef CoreML__Specification__MILSpec__Program MProgram;
typedef CoreML__Specification__MILSpec__Function MFunction;
typedef CoreML__Specification__MILSpec__Block MBlock;
typedef CoreML__Specification__MILSpec__Operation MOp;
typedef CoreML__Specification__MILSpec__Argument MArg;
typedef CoreML__Specification__MILSpec__Argument__Binding MBinding;
typedef CoreML__Specification__MILSpec__NamedValueType MNamed;
typedef CoreML__Specification__MILSpec__ValueType MValueType;
typedef CoreML__Specification__MILSpec__TensorType MTensorType;
typedef CoreML__Specification__MILSpec__Dimension MDim;
typedef CoreML__Specification__MILSpec__Value MValue;
typedef CoreML__Specification__MILSpec__TensorValue MTensorValue;
typedef CoreML__Specification__MILSpec__DataType MDataType;

#define DT_BOOL CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__BOOL
#define DT_STRING CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__STRING
#define DT_FP16 CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT16
#define DT_FP32 CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32
#define DT_INT32 CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__INT32

#define AT_FLOAT16 CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT16
#define AT_FLOAT32 CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32
#define AT_DOUBLE CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__DOUBLE

/* MIL blob storage (weight.bin) */
#define BLOB_ALIGN 64
#define BLOB_SENTINEL 0xDEADBEEFu
#define BLOB_FLOAT16 1u
#define BLOB_FLOAT32 2u
#define WEIGHT_FILE "@model_path/weights/weight.bin"

/* a shape as (rank, array) arguments: SHAPE for MIL (uint64_t), ISHAPE for features (int64_t) */
#define SHAPE(...) (sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)), ((uint64_t[]){ __VA_ARGS__ })
#define ISHAPE(...) (sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t)), ((int64_t[]){ __VA_ARGS__ })

/* ---- mkmodel-common.c ----------------------------------------------------------------------- */
extern const char *progname;
extern const char *out_path; /* what we are writing: removed again when we fail */
extern uint64_t rng_state;   /* the PRNG's state, seeded with --seed */

/* "mkmodel: MESSAGE", OUT removed, exit 1 (not base/error.h's die, which is linked in too) */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* the arena: zeroed blocks freed all at once by arena_free */
void *anew(size_t n);
void arena_free(void);
void *adup(const void *src, size_t n);
char *astr(const char *s);
char *astrf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *apush(void *arr, size_t n, size_t el);

/* a new message initialised from the generated INIT macro */
#define NEWMSG(T, INIT) ((T *)adup(&(T)INIT, sizeof(T)))
/* appends item to the arena array arr of n elements */
#define PUSH(n, arr, item)                                                                                             \
	do {                                                                                                           \
		(arr) = apush((arr), (n), sizeof *(arr));                                                              \
		(arr)[(n)++] = (item);                                                                                 \
	} while (0)

uint64_t rng_next(void);
float rng_float(float scale);
uint16_t f2h(float f);
void put_u16le(uint8_t *p, uint16_t v);
void put_f32le(uint8_t *p, float f);
float *rand_floats(size_t n, float scale);
uint8_t *rand_halves(size_t n, float scale);
uint8_t *rand_f32_bytes(size_t n, float scale);
float *floats_const(size_t n, float v);

FILE *open_out(const char *path);
void close_out(FILE *f, const char *path);
void xwrite(FILE *f, const void *p, size_t n, const char *path);
void write_file(const char *path, const void *p, size_t n);
void make_dir(const char *path);
void remove_existing(const char *path);
void write_model(const Model *m, const char *path);

/* the .mlpackage folder: Data/com.apple.CoreML/{model.mlmodel,weights/weight.bin}, Manifest.json */
struct package {
	const char *root;
	char *data_dir, *spec_path, *weights_dir, *weight_bin;
	const char *spec_id, *weights_id;
};
void package_begin(struct package *p, const char *root, const char *spec_id, const char *weights_id);
void package_manifest(const struct package *p);

/* weight.bin built in memory (small packages) */
struct blobfile {
	struct strbuf sb;
	uint32_t count;
};
void blobfile_init(struct blobfile *w);
uint64_t align_up(uint64_t n, uint64_t a);
void blob_record(uint8_t rec[64], uint32_t dtype, uint64_t size, uint64_t data_off);
void blob_header(uint8_t hdr[64], uint32_t count);
uint64_t blob_add(struct blobfile *w, uint32_t dtype, const void *data, size_t n);
void blobfile_write(struct blobfile *w, const char *path);

/* ---- mkmodel-build.c: Model-level messages ---------------------------------------------------- */
FeatType *ft_image(int64_t w, int64_t h, CoreML__Specification__ImageFeatureType__ColorSpace cs);
FeatType *ft_array(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank, const int64_t *shape);
FeatType *ft_state(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank, const int64_t *shape);
FeatType *ft_double(void);
FeatType *ft_string(void);
FeatType *ft_dict_string_keys(void);
FeatDesc *feature(const char *name, const char *desc, FeatType *t);
ModelDesc *desc_new(void);
void desc_input(ModelDesc *d, FeatDesc *f);
void desc_output(ModelDesc *d, FeatDesc *f);
Metadata *metadata(ModelDesc *d, const char *author, const char *short_desc, const char *version, const char *license);
void meta_user(Metadata *m, const char *key, const char *value);
Model *model_new(int32_t version, ModelDesc *d);

/* ---- mkmodel-build.c: MIL messages ------------------------------------------------------------ */
MValueType *vt_tensor(MDataType dt, size_t rank, const uint64_t *shape);
MValueType *vt_state(MValueType *wrapped);
MValue *val_string(const char *s);
MValue *val_bool(int b);
MValue *val_float(float f);
MValue *val_int(int32_t v);
MValue *val_ints(size_t n, const int32_t *v);
MValue *val_blob(uint64_t offset, MValueType *type);
void op_attr(MOp *op, const char *key, MValue *v);
MOp *op_new(const char *type, const char *name);
void op_in(MOp *op, const char *param, const char *var);
void op_out(MOp *op, const char *name, MValueType *t);
MBlock *block_new(void);
void block_op(MBlock *b, MOp *op);
void block_out(MBlock *b, const char *name);
void op_block(MOp *op, MBlock *b);
const char *mil_const(MBlock *b, const char *name, MValue *v);
const char *mil_const_blob(MBlock *b, const char *name, MDataType dt, size_t rank, const uint64_t *shape, uint64_t off);
const char *mil_weight(MBlock *b, struct blobfile *w, const char *name, MDataType dt, size_t rank,
		       const uint64_t *shape, float scale);
MFunction *function_new(const char *opset, MBlock *body);
void function_input(MFunction *f, const char *name, MValueType *t);
MProgram *program_new(const char *torch_version, const char *coremltools_version);
void program_function(MProgram *p, const char *name, MFunction *f);
void model_set_program(Model *m, MProgram *p);

/* ---- the kinds: each writes OUT ---------------------------------------------------------------- */
/* mkmodel-program.c */
void make_segmentation(const char *out);
void make_voc(const char *out);
void make_multifunction(const char *out);
void make_compressed(const char *out, int dense);
/* mkmodel-nn.c */
void make_nn(const char *out);
void make_nnclassifier(const char *out);
void make_detector(const char *out);
void make_pipeline(const char *out);
void make_control(const char *out);
void make_mobilenet(const char *out);
void make_nnlut(const char *out);
/* mkmodel-big.c */
void make_bignn(const char *out, uint64_t size, uint64_t seed);
void make_bigpkg(const char *out, uint64_t size, uint64_t seed);
/* mkmodel-compiled.c */
void make_compiled(const char *out, int program);
void make_compiled_pipeline(const char *out);

#endif
