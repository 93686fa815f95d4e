/* graph: a model's data flow as nodes, edges and nested clusters, and its
 * rendering as Graphviz DOT or Mermaid (mlpkg graph).  Building reads the
 * model through inspect.h; nothing is printed until graph_write.
 *
 * Node ids say what a node is: n<k> a layer or operation (walk order, as
 * mlpkg layers lists them), in<k> a model or function input (or state),
 * out<k> an output, m<k> a model without layers or operations (pipeline
 * members such as a scaler), v<k> a nested block's input.  Edges carrying a
 * binding are plain; an edge with class "feature" joins pipeline members
 * through a feature, class "result" takes a nested block's result to the op
 * that owns the block. */
#ifndef MLPKG_GRAPH_H
#define MLPKG_GRAPH_H
#include <stddef.h>
#include <stdio.h>
#include <regex.h>
#include "query/inspect.h"
#include "spec/tree.h"

enum gn_kind { GN_IN, GN_OUT, GN_LAYER, GN_OP, GN_MODEL, GN_VAR };

struct gnode {
	char *id;
	enum gn_kind kind;
	char *what; /* layer kind, op type, model type, "input" */
	char *name;
	struct strlist extra; /* further label lines: folded consts, weights, type */
	size_t cluster;       /* index into clusters, or GRAPH_TOP */
	int shown;
};
struct gedge {
	size_t from, to;
	char *label;     /* type or feature, or NULL */
	char *value;     /* the name of the value it carries (a blob, a variable) */
	const char *cls; /* NULL, "feature", "result" */
};
struct gcluster {
	char *label;
	size_t parent; /* or GRAPH_TOP */
	int shown;
};
#define GRAPH_TOP ((size_t)-1)

struct graph {
	struct gnode *n;
	size_t nn, ncap;
	struct gedge *e;
	size_t ne, ecap;
	struct gcluster *c;
	size_t nc, ccap;
	size_t nops, nins, nouts, nmodels, nvars; /* id counters */
	int consts;                               /* const ops as nodes */
	char *title;
};

/* Builds the graph of a model (pipelines, NN, ML programs); -1 on error (reported). */
int graph_build(struct graph *g, struct mt_node *root);
void graph_release(struct graph *g);
/* Marks what to draw: everything (re and around NULL), the layers and ops
 * whose name or kind matches re, or those within depth edges of the one
 * named around.  Inputs, outputs and models next to a drawn node are drawn.
 * Returns 0, or -1 when around names nothing. */
int graph_select(struct graph *g, regex_t *re, const char *around, int depth);

enum graph_format { GRAPH_DOT, GRAPH_MERMAID };
void graph_write(const struct graph *g, enum graph_format f, FILE *fp);
#endif
