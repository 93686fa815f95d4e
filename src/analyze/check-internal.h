/* check-internal: what the parts of check (check.c, check-features.c,
 * check-nn.c, check-kinds.c) share: the report, paths, a set of strings. */
#ifndef MLPKG_CHECK_INTERNAL_H
#define MLPKG_CHECK_INTERNAL_H
#include "base/hash.h"
#include "analyze/check.h"
#include "query/inspect.h"
#include "spec/tree.h"
#include <stddef.h>
#include <stdint.h>

/* one problem at path (a node's get path, "" for the root) */
void ck_add(struct check_report *r, enum check_level lv, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "PREFIX.rest" or "rest"; caller frees */
char *ck_join(const char *prefix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* an error from one of Core ML's hard version gates: a feature its
 * validator refuses below some specification version */
#define gate(r, ...) ((r)->gates++, ck_add((r), CHECK_ERROR, __VA_ARGS__))
/* the short names the check sources use */
#define add(...) ck_add(__VA_ARGS__)
#define join(...) ck_join(__VA_ARGS__)

/* a set of strings (copies) */
struct sset {
	char **v;
	size_t cap, n;
};
int sset_has(const struct sset *s, const char *k);
int sset_add(struct sset *s, const char *k); /* 1 when added, 0 when it was there */
void sset_union(struct sset *dst, const struct sset *src);
void sset_free(struct sset *s);

/* 1 when a feature of that name is in l */
int in_list(const struct io_list *l, const char *name);

/* check-nnlayer.c: what Core ML asks of one neural-network layer on its
 * own (inputs and outputs counted, parameters set and in range) */
void check_nn_layer_params(const struct nn_layer *l, const char *lp, struct check_report *r);
/* check-update: the rules of an updatable network nn of model ref */
void check_update_nn(const struct model_ref *ref, struct mt_node *nn, struct check_report *r);
/* check-nnrank: the ranks of an N-dimensional network's blobs (see there) */
struct nn_ranks {
	struct hmap io, blobs; /* blob -> rank + 1: the model's, and all known */
};
/* 1 when Core ML reads network nn N-dimensional (the input shape mappings
 * amap, imap; layers newer than iOS 12) */
int nn_ranks_nd(struct mt_node *nn, int64_t amap, int64_t imap);
void nn_ranks_begin(struct nn_ranks *k, const struct io_group *g, int64_t amap, int64_t imap);
void nn_ranks_layer(struct nn_ranks *k, const struct nn_layer *l, const char *lp, struct check_report *r);
void nn_ranks_end(struct nn_ranks *k);

/* check-features.c: the descriptions (names, types, shapes) of one model;
 * type is the model's type (NULL when unset), version its spec version */
void check_description(const struct model_io *io, const char *prefix, const char *type, int version,
		       struct check_report *r);

/* check-desc.c: what a description holds, read from the spec: functions
 * only on ML programs, states, empty flexible shapes, default values */
int check_desc(const struct model_ref *ref, struct check_report *r);

/* check-nn.c: a neural network's layers against its description */
int check_nn(struct mt_node *nn, const char *npath, const char *prefix, const struct io_group *g, int classifier,
	     struct check_report *r);

/* check-kinds.c: pipelines, classifiers and the rules of each model type */
int is_classifier(const char *t);
int check_pipeline(struct mt_node *model, const char *prefix, const struct io_group *g, struct check_report *r);
int check_kind(const struct model_ref *ref, const struct model_io *io, struct check_report *r);
/* check-prep.c: the feature-engineering kinds (scaler, imputer, normalizer,
 * one-hot encoder, dictionary and feature vectorizers, array feature
 * extractor, categorical mapping) and a pipeline's member names */
int check_prep(const struct model_ref *ref, const struct io_group *g, struct check_report *r);

/* check-misc.c: the type message of model ref, parsed (NULL: reported);
 * a float or double field of n by name (0 when absent) */
struct mt_node *ck_params(const struct model_ref *ref);
double ck_double(struct mt_node *n, const char *name);
/* a feature kind in words: "an int64", "a multi-array" (check-misc.c) */
const char *ck_kind_word(enum ft_kind k);
/* the rules of the language models, the item-similarity recommender, the
 * sound, audio and vision feature extractors, custom and linked models */
int check_misc_kind(const struct model_ref *ref, const struct io_group *g, struct check_report *r);
/* check-nms.c: a non-maximum suppression model */
int check_nms(const struct model_ref *ref, const struct io_group *g, struct check_report *r);

/* check-trees.c: a tree ensemble's nodes, dimensions and class labels (0
 * for any other model type) */
int check_trees(const struct model_ref *ref, const struct io_group *g, struct check_report *r);
/* check-linear.c: GLMs, support vector machines, a Bayesian probit
 * regressor, class confidence thresholding (0 for any other model type) */
int check_linear(const struct model_ref *ref, const struct io_group *g, struct check_report *r);
/* the class labels of classifier ref (count in *n) and its predicted class
 * of their type: a string for string labels, an int64 for int64 ones */
int ck_labels_and_class(const struct model_ref *ref, const struct io_group *g, size_t *n, struct check_report *r);
#endif
