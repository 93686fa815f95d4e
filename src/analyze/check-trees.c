/* check-trees: what Core ML asks of a tree ensemble (treeEnsembleClassifier,
 * treeEnsembleRegressor).  Its validator builds the trees and refuses what
 * it cannot build: no prediction dimensions; a node given twice (the same
 * tree and node id); a branch whose child is not declared, is the node
 * itself, or already has a parent; a tree with several roots; nodes that
 * no root reaches (a cycle); a node behaviour it does not know; a leaf with
 * no evaluation values, or one for a dimension out of range or twice; base
 * prediction values that are neither absent nor one a dimension; and, for
 * a classifier, class labels that do not fit the dimensions (one dimension
 * takes two labels, n dimensions n labels; no labels at all stand for
 * 0..n-1).  It looks at nothing of the interface, so what a classifier
 * names is only warned about here.  The rules follow Apple's tree code
 * (apple/coremltools mlmodel/src, TreeEnsembleCommon), the messages are
 * ours; fields are read by their names in the schema. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "edit/labels.h"
#include "spec/schema.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LEAF 6          /* TreeNodeBehavior LeafNode; 0..5 are the branches */
#define MAX_PROBLEMS 20 /* said one by one; the rest counted */
#define NONE ((size_t)-1)

/* one node of the ensemble, as read */
struct tnode {
	uint64_t tree, id, tchild, fchild;
	size_t idx;      /* its place in nodes[] */
	size_t parent;   /* a position in the sorted array, or NONE */
	size_t kid[2];   /* the false and true children's positions, or NONE */
	int branch, dup; /* a branch (not a leaf, nor unknown); given before */
	int reached;
};

struct tctx {
	struct check_report *r;
	const char *ep; /* the treeEnsemble's path */
	size_t said, more;
};

/* 1 when one more problem is said; past MAX_PROBLEMS it is only counted */
static int room(struct tctx *c)
{
	if (c->said >= MAX_PROBLEMS) {
		c->more++;
		return 0;
	}
	c->said++;
	return 1;
}

/* the ensemble's path, or its node idx's; caller frees */
static char *tpath(const struct tctx *c, size_t idx)
{
	return idx == NONE ? xstrdup(c->ep) : join(c->ep, "nodes[%zu]", idx);
}

/* an error at node idx (NONE: the ensemble) */
#define problem(c, idx, ...)                                                                                           \
	do {                                                                                                           \
		if (room(c)) {                                                                                         \
			char *p_ = tpath((c), (idx));                                                                  \
			add((c)->r, CHECK_ERROR, p_, __VA_ARGS__);                                                     \
			free(p_);                                                                                      \
		}                                                                                                      \
	} while (0)

static int by_index(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* A leaf's evaluation values: at least one, each for a dimension below
 * dims, no dimension twice. */
static int check_leaf(struct mt_node *node, size_t idx, uint64_t dims, struct tctx *c)
{
	uint32_t num = mt_number(node, "evaluationInfo");
	uint64_t *v = NULL;
	size_t n = 0, cap = 0;
	long i = -1;
	int rc;
	struct mt_node *ei;
	while ((rc = next_child(node, num, &i, &ei)) == 1) {
		xgrow((void **)&v, &cap, n + 1, sizeof(*v));
		v[n++] = (uint64_t)mt_get_int_named(ei, "evaluationIndex", 0);
	}
	if (rc < 0) {
		free(v);
		return -1;
	}
	if (!n)
		problem(c, idx, "a leaf without evaluation values");
	if (n)
		qsort(v, n, sizeof(*v), by_index);
	for (size_t k = 0; k < n; k++) {
		if (v[k] >= dims)
			problem(c, idx, "a leaf value for dimension %" PRIu64 ": the ensemble predicts %" PRIu64, v[k],
				dims);
		if (k && v[k] == v[k - 1])
			problem(c, idx, "a leaf with two values for dimension %" PRIu64, v[k]);
	}
	free(v);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct tnode *x = a, *y = b;
	if (x->tree != y->tree)
		return x->tree < y->tree ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* the position of the first node (tree, id) in the sorted array, or NONE */
static size_t find(const struct tnode *v, size_t n, uint64_t tree, uint64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].tree < tree || (v[mid].tree == tree && v[mid].id < id))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].tree == tree && v[lo].id == id ? lo : NONE;
}

/* Links branch k to its child (false first, then true, as Core ML does);
 * -1 when that child cannot be its child. */
static int link(struct tnode *v, size_t n, size_t k, int which, struct tctx *c)
{
	static const char *const side[] = { "false", "true" };
	uint64_t id = which ? v[k].tchild : v[k].fchild;
	size_t ch = find(v, n, v[k].tree, id);
	if (ch == NONE) {
		problem(c, v[k].idx, "its %s child, node %" PRIu64 " of tree %" PRIu64 ", is not in the ensemble",
			side[which], id, v[k].tree);
		return -1;
	}
	if (ch == k) {
		problem(c, v[k].idx, "node %" PRIu64 " of tree %" PRIu64 " is its own %s child", v[k].id, v[k].tree,
			side[which]);
		return -1;
	}
	if (v[ch].parent != NONE) {
		problem(c, v[k].idx,
			"its %s child, node %" PRIu64 " of tree %" PRIu64 ", is already a child of node %" PRIu64,
			side[which], id, v[k].tree, v[v[ch].parent].id);
		return -1;
	}
	v[ch].parent = k;
	v[k].kid[which] = ch;
	return 0;
}

/* Each tree one root, every node reached from it: with no node given
 * two parents, a node no root reaches lies on a cycle. */
static void check_roots(struct tnode *v, size_t n, struct tctx *c)
{
	size_t *stack = xcalloc(n ? n : 1, sizeof(*stack));
	for (size_t k = 0; k < n;) {
		size_t end = k, roots = 0, first = NONE;
		while (end < n && v[end].tree == v[k].tree)
			end++;
		for (size_t q = k; q < end; q++) {
			if (v[q].dup || v[q].parent != NONE)
				continue;
			if (roots++ == 0)
				first = q;
			else
				problem(c, v[q].idx,
					"tree %" PRIu64 " has a second root, node %" PRIu64
					" (the first is node %" PRIu64 ")",
					v[q].tree, v[q].id, v[first].id);
			size_t top = 0;
			stack[top++] = q;
			while (top) {
				size_t s = stack[--top];
				if (v[s].reached)
					continue;
				v[s].reached = 1;
				for (int w = 0; w < 2; w++)
					if (v[s].kid[w] != NONE)
						stack[top++] = v[s].kid[w];
			}
		}
		for (size_t q = k; q < end; q++)
			if (!v[q].dup && !v[q].reached)
				problem(c, v[q].idx,
					"node %" PRIu64 " of tree %" PRIu64
					" is reached from no root (its branches form a cycle)",
					v[q].id, v[q].tree);
		k = end;
	}
	free(stack);
}

/* the nodes of ensemble te: each read, leaves checked; NULL with *n 0 when there are none */
static int read_nodes(struct mt_node *te, uint64_t dims, struct tctx *c, struct tnode **out, size_t *count)
{
	uint32_t num = mt_number(te, "nodes");
	struct tnode *v = NULL;
	size_t n = 0, cap = 0;
	long i = -1;
	int rc;
	struct mt_node *node;
	while ((rc = next_child(te, num, &i, &node)) == 1) {
		xgrow((void **)&v, &cap, n + 1, sizeof(*v));
		struct tnode *t = &v[n];
		memset(t, 0, sizeof(*t));
		t->idx = n++;
		t->tree = (uint64_t)mt_get_int_named(node, "treeId", 0);
		t->id = (uint64_t)mt_get_int_named(node, "nodeId", 0);
		t->tchild = (uint64_t)mt_get_int_named(node, "trueChildNodeId", 0);
		t->fchild = (uint64_t)mt_get_int_named(node, "falseChildNodeId", 0);
		t->parent = t->kid[0] = t->kid[1] = NONE;
		int64_t b = mt_get_int_named(node, "nodeBehavior", 0);
		if (b == LEAF)
			rc = check_leaf(node, t->idx, dims, c);
		else if (b >= 0 && b < LEAF)
			t->branch = 1;
		else
			problem(c, t->idx, "a node behaviour of %" PRId64 ", which Core ML does not know", b);
		if (rc < 0)
			break;
	}
	*out = v;
	*count = n;
	return rc < 0 ? -1 : 0;
}

/* The structure of the trees: nodes given once, branches linked to
 * children of their own, one root a tree reaching every node. */
static int check_structure(struct mt_node *te, uint64_t dims, struct tctx *c)
{
	struct tnode *v;
	size_t n;
	if (read_nodes(te, dims, c, &v, &n) < 0) {
		free(v);
		return -1;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_key);
	for (size_t k = 1; k < n; k++)
		if (v[k].tree == v[k - 1].tree && v[k].id == v[k - 1].id) {
			v[k].dup = 1;
			problem(c, v[k].idx, "node %" PRIu64 " of tree %" PRIu64 " is given a second time", v[k].id,
				v[k].tree);
		}
	int bad = 0;
	for (size_t k = 0; k < n; k++)
		if (!v[k].dup && v[k].branch && (link(v, n, k, 0, c) < 0 || link(v, n, k, 1, c) < 0))
			bad = 1;
	if (!bad)
		check_roots(v, n, c);
	free(v);
	return 0;
}

/* A tree classifier's labels against its dimensions, and (warnings: Core
 * ML's validator does not look) the outputs it names. */
static int check_tree_labels(const struct model_ref *ref, const struct io_group *g, uint64_t dims, struct tctx *c)
{
	struct iface_labels l;
	memset(&l, 0, sizeof(l));
	int got = iface_labels_get(ref->node, &l);
	if (got < 0) {
		iface_labels_release(&l);
		return -1;
	}
	size_t n = got ? l.n : 0;
	if (n && !(dims == 1 && n == 2) && !(dims >= 2 && n == dims))
		problem(c, NONE, "%zu class labels for %" PRIu64 " prediction dimension%s: %s", n, dims,
			dims == 1 ? "" : "s",
			dims == 1 ? "one dimension takes two labels" : "each dimension is a class, with one label");
	char *dp = join(ref->path, "description");
	if (!g->predicted || !*g->predicted) {
		add(c->r, CHECK_WARNING, dp, "a classifier without predictedFeatureName: no output gives its class");
	} else {
		const struct feature *f = NULL;
		for (size_t i = 0; i < g->out.n && !f; i++)
			if (!strcmp(g->out.v[i].name, g->predicted))
				f = &g->out.v[i];
		enum ft_kind want = n && l.kind == LABELS_STRING ? FT_STRING : FT_INT64;
		if (f && f->type.kind != want)
			add(c->r, CHECK_WARNING, dp, "the predicted class '%s' is not %s, as the class labels are",
			    g->predicted, want == FT_STRING ? "a string" : "an int64");
	}
	free(dp);
	iface_labels_release(&l);
	return 0;
}

int check_trees(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	const char *t = ref->type;
	int cls = t && !strcmp(t, "treeEnsembleClassifier");
	if (!cls && !(t && !strcmp(t, "treeEnsembleRegressor")))
		return 0;
	long tf = model_type_field(ref->node);
	struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
	if (!p || mt_parse(p) < 0)
		return -1;
	struct mt_node *te = mt_get_named(p, "treeEnsemble");
	char *ep = join(ref->path, "%s.treeEnsemble", t);
	struct tctx c = { r, ep, 0, 0 };
	uint64_t dims = te ? (uint64_t)mt_get_int_named(te, "numPredictionDimensions", 0) : 0;
	int rc = 0;
	if (!dims) {
		problem(&c, NONE, "no prediction dimensions (numPredictionDimensions 0)");
	} else {
		rc = check_structure(te, dims, &c);
		size_t nb = mt_count_named(te, "basePredictionValue");
		if (rc == 0 && nb && nb != dims)
			problem(&c, NONE,
				"%zu base prediction values for %" PRIu64 " dimension%s: none or one a dimension", nb,
				dims, dims == 1 ? "" : "s");
		if (rc == 0 && cls)
			rc = check_tree_labels(ref, g, dims, &c);
	}
	if (c.more)
		add(r, CHECK_ERROR, ep, "and %zu more problems in the trees", c.more);
	free(ep);
	return rc;
}
