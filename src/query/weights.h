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
/* Statistics of a float tensor's values (two passes, nothing kept). */
#define WEIGHT_BINS 16
struct weight_stats {
	uint64_t count; /* values read */
	uint64_t n;     /* of them finite: min, max, mean, std are over these */
	double min, max, mean, std;
	uint64_t zeros, nan, inf;
	uint64_t bins[WEIGHT_BINS]; /* the finite values in WEIGHT_BINS equal parts of [min, max] */
};
/* 0 and st filled for a float tensor; -1 and *why (caller frees) when
 * there are none (not a float type, over 16M elements, unreadable).  The
 * blob form reads the record at offset of file from store. */
int weight_stats_nn(const struct nn_weight *w, struct weight_stats *st, char **why);
int weight_stats_blob(struct blob_store *store, const char *file, uint64_t offset, const struct mil_dtype *dtype,
		      uint64_t count, struct weight_stats *st, char **why);
#endif
