/* tree-internal: what tree.c (reading) and tree-edit.c (edits and
 * writing) share about a node's merged occurrences; not for other files. */
#ifndef MLPKG_TREE_INTERNAL_H
#define MLPKG_TREE_INTERNAL_H
#include "spec/tree.h"

/* An earlier occurrence of a singular message field, merged into a later
 * one (the head, a listed field flagged MT_F_MERGED), kept out of the list. */
struct mt_ghost {
	const uint8_t *raw, *val;
	size_t rawlen, vlen;
	size_t before; /* listed field it was just before (n: at the end) */
	size_t head;   /* listed field it merges into */
	int gone;      /* its head was replaced or removed: never written */
};

struct mt_span {
	const uint8_t *data;
	size_t len;
};

struct mt_merge {
	struct mt_ghost *g; /* in order */
	size_t ng;
	struct mt_span *s; /* a merged node: the payloads it lists, in order */
	size_t ns;
};

/* the node's merge record, made when first asked for */
struct mt_merge *mt_merge_of(struct mt_node *n);
/* 1 when the node merges several occurrences */
int mt_is_merged(const struct mt_node *n);
/* frees a node and what it owns */
void mt_node_free(struct mt_node *n);
/* fills field f of n from a wire field, classifying it against the schema;
 * -1 with *why when it does not fit */
struct wire_field;
int mt_classify(struct mt_node *n, struct mt_field *f, const struct wire_field *w, const char **why);
#endif
