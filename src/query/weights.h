/* weights: the weight tensors of a model, one record each: neural-network
 * weight fields (WeightParams) and ML-program blob-file values with their
 * weight.bin records; totals, the weight files' blobs.  Used by mlpkg
 * weights; nothing here prints (warnings go through the error routine). */
#ifndef MLPKG_WEIGHTS_H
#define MLPKG_WEIGHTS_H
#include <stddef.h>
#include <stdint.h>
#include "query/blob.h"
#include "query/inspect.h"

struct weight_entry {
	char *name;     /* what --extract takes */
	char *path;     /* get path of the op or of the WeightParams */
	size_t model;   /* index into the model list */
	char *function; /* ML program */
	int is_nn;
	/* ML programs */
	char *optype, *key, *file;
	uint64_t offset;
	const struct mil_dtype *dtype;
	size_t rank;
	int64_t *shape;
	uint64_t count; /* from the declared type (0 when unknown) */
	int known;
	const struct blob_file *bf;
	struct blob_rec rec;
	int have_rec;
	struct mt_node *op; /* the operation holding it (NULL in a compiled folder's model.mil) */
	uint64_t op_count;  /* elements of the operation's output (a constexpr's dense tensor; 0 when unknown) */
	char *op_type;      /* that output's type: "fp16[10,8]" */
	/* neural networks */
	char *layer, *field;
	struct nn_weight w; /* field is not owned here */
};

struct weight_list {
	struct weight_entry *v;
	size_t n, cap;
	struct model_ref *refs;
	size_t nrefs;
	struct blob_store *store;
	struct mlpkg_model *m; /* NULL for a compiled folder */
	const char *label;     /* the model in messages (m->path when not set) */
	int nofile_warned;
	int unreadable;      /* the exit status of a weight file that is there and bad (said once) */
	int absent;          /* the exit status of one that is not there (absent, a Git LFS pointer) */
	char *absent_msg;    /* what is said about it: not yet said to anyone */
	struct strlist keep; /* strings the model list points into (a compiled folder's member types) */
	int espresso;        /* a compiled folder: a network among its parts (its weights are not read) */
	int names_only;      /* set before reading: the tensors as the spec declares
			      * them, no weight file opened (records not read nor
			      * checked; store may be NULL): for completions */
};

/* Fills L (zeroed, with m and store set) from the model and its pipeline
 * members; the tensors are listed as the spec declares them whatever
 * their weight files hold.  A weight file that is there and bad is said
 * once and its exit status kept in L->unreadable; one that is not there
 * (the package lacks it, or a Git LFS pointer stands in its place) is not
 * said: its status and message are kept in L->absent and absent_msg for
 * the caller (a listing warns, an extraction fails).  With L->names_only
 * no weight file is opened. */
int weight_list_read(struct weight_list *L);
void weight_list_release(struct weight_list *L);
/* The same for a compiled folder: the tensors its model.mil declares (one
 * model), or each member's (a compiled pipeline: the folder, then each
 * member by its folder); each entry's path is the line that declares it
 * (model.mil:12, model0/model.mil:12), its file named from the compiled
 * folder; L->store (from blob_store_new_dir) reads the records.  When a
 * model.mil stops its reader, *partial says where (caller frees; the
 * tensors before it are listed). */
struct compiled;
int weight_list_read_compiled(struct weight_list *L, const struct compiled *c, char **partial);

/* "[16,3,3,3]", "[?,8]", an NN field without a layer shape: "[count]" */
void weight_shape_str(char *buf, size_t n, const struct weight_entry *e);
/* 1 for a tensor whose values are codes standing for others (quantized,
 * palettized, a constexpr operation's part) */
int weight_compressed(const struct weight_entry *e);

/* an entry's bytes, elements and dtype name: from its blob record when read */
uint64_t weight_bytes(const struct weight_entry *e);
uint64_t weight_count(const struct weight_entry *e);
const char *weight_dtype(const struct weight_entry *e);
/* 1 when an earlier entry names the same blob (functions sharing weights) */
int weight_duplicate(const struct weight_list *L, size_t i);

struct weight_totals {
	uint64_t tensors, distinct, params, bytes;
};
void weight_totals(const struct weight_list *L, struct weight_totals *t);

/* The weights by how they are stored: float32, fp16, int8, linear 8-bit,
 * lut 4-bit, palettized 4-bit, affine int8, sparse... (a constexpr
 * operation counts once, with the bytes of all its parts), and what they
 * would weigh unpacked (dense, in the type they are computed in: an ML
 * program's constexpr output type, float32 for quantized NN weights).
 * From the declared types and records already read: no value is read. */
#define WEIGHT_KINDS 24
struct weight_kind {
	char name[32];
	uint64_t tensors, bytes, elements;
};
struct weight_storage {
	struct weight_kind k[WEIGHT_KINDS]; /* in order of bytes, most first */
	size_t n;
	uint64_t bytes, unpacked;
};
void weight_storage(const struct weight_list *L, struct weight_storage *s);

/* a weight file's blobs: how many, their bytes, and how many no spec value names */
struct weight_file {
	const char *file;
	const struct blob_file *bf;
	uint64_t blobs, bytes, unref, unref_bytes;
};
/* the weight files of L's entries; caller frees *out */
int weight_files(const struct weight_list *L, struct weight_file **out, size_t *n);

/* an IEEE half-precision value (fp16 bits) as a float */
float weight_half(uint16_t h);
/* Statistics of a float tensor's values (two passes, nothing kept). */
#define WEIGHT_BINS 16
struct weight_stats {
	uint64_t count; /* values read */
	uint64_t n;     /* of them finite: min, max, mean, std are over these */
	double min, max, mean, std;
	uint64_t zeros, nan, inf;
	uint64_t bins[WEIGHT_BINS]; /* the finite values in WEIGHT_BINS equal parts of [min, max] */
	uint64_t unique;            /* distinct values, counted up to WEIGHT_UNIQUE_MAX */
	int unique_capped;          /* more than that */
};
#define WEIGHT_UNIQUE_MAX 4096

/* What a compressed tensor stands for: its dense values, dequantized, and
 * what storing it costs.  NN weights: linear quantization (scale and bias
 * per channel), lookup tables, int8 with linear quantization; ML programs:
 * constexpr_affine_dequantize and constexpr_lut_to_dense as iOS 16 writes
 * them (attributes).  Other forms are said plainly, not guessed. */
struct weight_dequant {
	char scheme[64];      /* "linear 8-bit", "lut 4-bit", "affine int8", "palettized 4-bit" */
	int bits;             /* bits of each stored code */
	uint64_t dense;       /* elements of the dense tensor */
	uint64_t stored_bits; /* every part stored: codes, table, scales, zero points */
	struct weight_stats st;
};
/* 0 and dq filled for entry i of L; -1 and *why (caller frees) when it is
 * not a compressed tensor mlpkg dequantizes (why says which), too big
 * (over 16M elements) or unreadable */
int weight_dequant(const struct weight_list *L, size_t i, struct weight_dequant *dq, char **why);
/* 0 and st filled for a float tensor; -1 and *why (caller frees) when
 * there are none (not a float type, unreadable).  The blob form reads the
 * record at offset of file from store, in one pass for float16 (a count of
 * each of the 65536 values, every statistic exact from it) and two for
 * float32, 16 MiB at a time, letting go of the pages of a mapped weight
 * file once read (memory stays flat, whatever the tensor's size). */
int weight_stats_nn(const struct nn_weight *w, struct weight_stats *st, char **why);
/* Called as the values of a big tensor are read (done and total bytes;
 * total 0: done); NULL for none.  For a progress line: nothing here prints. */
void weight_stats_progress(void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx);
int weight_stats_blob(struct blob_store *store, const char *file, uint64_t offset, const struct mil_dtype *dtype,
		      uint64_t count, struct weight_stats *st, char **why);
/* The values of a tensor as doubles (caller frees *out), dequantized for
 * an NN weight, as stored for an fp16 or fp32 blob: 0, or -1 and *why
 * (caller frees) when they cannot be had (over 16M elements, another
 * type, unreadable).  For comparing two tensors (diff). */
int weight_nn_doubles(const struct nn_weight *w, double **out, uint64_t *n, char **why);
/* the values of a const operation's val, or the dense tensor of a
 * constexpr_lut_to_dense / constexpr_affine_dequantize operation (scheme:
 * "palettized 4-bit", "affine int8", "" for a const); -1 and *why when it
 * cannot be read */
int weight_op_doubles(struct blob_store *store, struct mt_node *op, double **out, uint64_t *n, char *scheme,
		      size_t scheme_size, char **why);
int weight_blob_doubles(struct blob_store *store, const char *file, uint64_t offset, double **out, uint64_t *n,
			char **why);
/* the same for entry i of L: an NN field, or a blob read through L->store */
int weight_values(const struct weight_list *L, size_t i, struct weight_stats *st, char **why);
#endif
