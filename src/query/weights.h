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
	char *name;            /* what --extract takes */
	char *path;            /* get path of the op or of the WeightParams */
	size_t model;          /* index into the model list */
	char *function;        /* ML program */
	int is_nn;
	/* ML programs */
	char *optype, *key, *file;
	uint64_t offset;
	const struct mil_dtype *dtype;
	size_t rank;
	int64_t *shape;
	uint64_t count;        /* from the declared type (0 when unknown) */
	int known;
	const struct blob_file *bf;
	struct blob_rec rec;
	int have_rec;
	/* neural networks */
	char *layer, *field;
	struct nn_weight w;    /* field is not owned here */
};

struct weight_list {
	struct weight_entry *v;
	size_t n, cap;
	struct model_ref *refs;
	size_t nrefs;
	struct blob_store *store;
	struct mlpkg_model *m;
	int nofile_warned;
	int unreadable; /* the exit status of a weight file that could not be read (said once) */
	int names_only; /* set before reading: the tensors as the spec declares
	                 * them, no weight file opened (records not read nor
	                 * checked; store may be NULL): for completions */
};

/* Fills L (zeroed, with m and store set) from the model and its pipeline
 * members; with L->names_only no weight file is opened.  A weight file that cannot be read is said once and its exit
 * status kept in L->unreadable; the tensors are still listed. */
int weight_list_read(struct weight_list *L);
void weight_list_release(struct weight_list *L);

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
/* "min M, max X, mean A" of a float tensor, or why there are none (not a
 * float type, over 16M elements, unreadable); caller frees.  The blob form
 * reads the record at offset of file from store. */
char *weight_stats_nn(const struct nn_weight *w);
char *weight_stats_blob(struct blob_store *store, const char *file, uint64_t offset, const struct mil_dtype *dtype,
			uint64_t count);
#endif
