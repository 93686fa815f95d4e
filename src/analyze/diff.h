/* diff: a semantic comparison of two models of any format.
 *
 * Each model becomes a list of facts (a path and a value): spec version,
 * model types, metadata, features, functions, neural-network layers and
 * their fields, ML-program operations with their bindings, outputs and
 * attributes, weights by the content of their blobs.  Manifest identifiers,
 * field order and weight.bin layout do not enter the facts. */
#ifndef MLPKG_DIFF_H
#define MLPKG_DIFF_H
#include <stddef.h>

struct mlpkg_model;

/* DIFF_RENAMED: an entity (feature, layer, operation) whose facts are all
 * the same but its name; path and from are its key in A, to its key in B */
enum diff_kind { DIFF_ADDED, DIFF_REMOVED, DIFF_CHANGED, DIFF_RENAMED };

struct diff_change {
	enum diff_kind kind;
	char *path;
	char *from, *to;   /* NULL when added / removed; the keys when renamed */
	char *group;       /* the part of the model it is in (a message shown field by
			    * field, a classifier's labels) whose lines a listing bounds
			    * together, or NULL */
	char *ent;         /* the layer, op or feature it belongs to, or NULL */
	int weight;        /* it compares weight values (a blob, WeightParams) */
	size_t wfrom, wto; /* their bytes in A and in B */
};

struct diff_result {
	struct diff_change *v;
	size_t n, cap;
	/* the bytes of weight values in A and in B */
	unsigned long long wbytes_a, wbytes_b;
};

/* Compares a and b into r.  0, or -1 reported (exit class set). */
int diff_models(struct mlpkg_model *a, struct mlpkg_model *b, struct diff_result *r);
void diff_result_release(struct diff_result *r);
#endif
