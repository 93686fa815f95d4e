/* diff-internal: what the parts of diff (diff.c, diff-fields.c, diff-mil.c)
 * share: a model's facts, putting one, and the gatherers each part gives. */
#ifndef MLPKG_DIFF_INTERNAL_H
#define MLPKG_DIFF_INTERNAL_H
#include "base/hash.h"
#include <stddef.h>
#include <stdint.h>

struct mt_node;
struct blob_store;
struct mlpkg_model;
struct model_ref;

struct fact {
	char *key;
	char *ent; /* the entity it belongs to (a layer, an op, a feature), or NULL */
	char *val;
	char *grp; /* the part of the model whose lines are bounded together, or NULL */
	size_t order;
	int weight;    /* its value stands for weight values */
	size_t wbytes; /* their bytes */
	/* a tensor it stands for, to compare by values: an NN WeightParams, or
	 * a blob of a weight file (of the store bs) */
	struct mt_node *wp;
	char *bfile;
	uint64_t boff;
	struct blob_store *bs;
	char *wdesc;         /* the tensor in words: float32[216], fp16[16,3,3,3] */
	struct mt_node *wop; /* or an ML program's const / constexpr operation (of the store bs) */
};
struct facts {
	struct fact *v;
	size_t n, cap;
	struct mlpkg_model *m;
	struct blob_store *bs;
	struct model_ref *ov; /* the other model's models, or NULL */
	size_t onv;
	const char *grp; /* the group of the facts being put */
	/* weight values digested for the next fact put (value_digest) */
	int pend_w;
	size_t pend_b;
	struct mt_node *pend_wp;
	char *pend_bfile, *pend_wdesc;
	uint64_t pend_boff;
	struct mt_node *pend_wop;
	struct hmap tensors;       /* an ML program's variable -> the const / constexpr operation making it */
	unsigned long long wbytes; /* all weight bytes seen */
};

/* the fact key = val of entity ent (NULL: none) and the group f->grp, with
 * the weight values digested for it; takes key and val */
void df_put(struct facts *f, const char *ent, char *key, char *val);
void df_putf(struct facts *f, const char *ent, char *key, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* the short names the diff sources use */
#define put(...) df_put(__VA_ARGS__)
#define putf(...) df_putf(__VA_ARGS__)

/* diff-fields.c: a message's fields below path kp, one fact each (skipping
 * the field numbers in skip); o: the node of the other model at the same
 * place, or NULL */
int df_add_fields(struct facts *f, struct mt_node *n, struct mt_node *o, const char *ent, const char *kp,
		  const uint32_t *skip, size_t nskip);

/* diff-mil.c: an ML program's attributes (below path pp), and its functions,
 * blocks and operations (below the model's path prefix) */
int df_add_prog_attributes(struct facts *f, struct mt_node *prog, const char *pp);
int df_add_mil(struct facts *f, struct mt_node *prog, const char *prefix);
#endif
