/* graph: the data flow of a model as nodes, edges and clusters, and its
 * rendering as Graphviz DOT or Mermaid.  See graph.h. */
#include "analyze/graph.h"
#include "query/nnshape.h"
#include "base/error.h"
#include "query/mil.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- building ------------------------------------------------------------ */

/* what a name refers to while walking: the node producing it, or a folded const */
struct sym {
	const char *name; /* borrowed from the node or op it came from */
	char *type;       /* edge label (owned) */
	size_t node;      /* GRAPH_TOP for a folded const */
	char *folded;     /* const: "type = value" (owned) */
	const char *cls;  /* edge class of its uses */
};
struct scope {
	struct sym *v;
	size_t n, cap;
	struct scope *up;     /* looked up when a name is not here */
	struct strlist names; /* names owned by the scope */
	int is_ext;           /* the features between pipeline members */
};

static void scope_free(struct scope *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].type);
		free(s->v[i].folded);
	}
	free(s->v);
	sl_free(&s->names);
}

static void scope_add(struct scope *s, const char *name, size_t node, const char *type, const char *folded)
{
	xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	sl_push(&s->names, xstrdup(name));
	struct sym *y = &s->v[s->n++];
	y->name = s->names.v[s->names.n - 1];
	y->node = node;
	y->type = type ? xstrdup(type) : NULL;
	y->folded = folded ? xstrdup(folded) : NULL;
	y->cls = NULL;
}

/* the latest definition of name, here or further up; *ext set when it is a feature */
static const struct sym *scope_find2(const struct scope *s, const char *name, int *ext)
{
	for (; s; s = s->up)
		for (size_t i = s->n; i-- > 0;)
			if (!strcmp(s->v[i].name, name)) {
				if (ext)
					*ext = s->is_ext;
				return &s->v[i];
			}
	return NULL;
}

static const struct sym *scope_find(const struct scope *s, const char *name)
{
	return scope_find2(s, name, NULL);
}

static int is_item(const struct gnode *n)
{
	return n->kind == GN_LAYER || n->kind == GN_OP;
}

static size_t add_node(struct graph *g, enum gn_kind k, const char *what, const char *name, size_t cluster)
{
	xgrow((void **)&g->n, &g->ncap, g->nn + 1, sizeof(*g->n));
	struct gnode *n = &g->n[g->nn];
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->what = xstrdup(what ? what : "");
	n->name = xstrdup(name ? name : "");
	n->cluster = cluster;
	n->shown = 1;
	switch (k) {
	case GN_IN: n->id = xasprintf("in%zu", g->nins++); break;
	case GN_OUT: n->id = xasprintf("out%zu", g->nouts++); break;
	case GN_LAYER:
	case GN_OP: n->id = xasprintf("n%zu", g->nops++); break;
	case GN_MODEL: n->id = xasprintf("m%zu", g->nmodels++); break;
	case GN_VAR: n->id = xasprintf("v%zu", g->nvars++); break;
	}
	return g->nn++;
}

static void add_edge(struct graph *g, size_t from, size_t to, const char *label, const char *cls, const char *value)
{
	/* one edge per producer and consumer: a consumer's edges are added together */
	for (size_t i = g->ne; i-- > 0 && g->e[i].to == to;)
		if (g->e[i].from == from)
			return;
	xgrow((void **)&g->e, &g->ecap, g->ne + 1, sizeof(*g->e));
	struct gedge *e = &g->e[g->ne++];
	e->from = from;
	e->to = to;
	e->label = label ? xstrdup(label) : NULL;
	e->value = value ? xstrdup(value) : NULL;
	e->cls = cls;
}

static size_t add_cluster(struct graph *g, const char *label, size_t parent)
{
	xgrow((void **)&g->c, &g->ccap, g->nc + 1, sizeof(*g->c));
	struct gcluster *c = &g->c[g->nc];
	c->label = xstrdup(label);
	c->parent = parent;
	c->shown = 1;
	return g->nc++;
}

/* binds name to consumer: an edge from its producer, or a folded const line */
static void use(struct graph *g, const struct scope *s, const char *name, const char *param, size_t consumer,
		const char *cls)
{
	int ext = 0;
	const struct sym *y = scope_find2(s, name, &ext);
	if (!y)
		return;
	if (y->node == GRAPH_TOP) {
		if (param)
			sl_pushf(&g->n[consumer].extra, "%s: %s", param, y->folded);
		return;
	}
	if (!cls)
		cls = y->cls;
	if (!cls && ext && (is_item(&g->n[y->node]) || g->n[y->node].kind == GN_MODEL))
		cls = "feature";
	add_edge(g, y->node, consumer, y->type, cls, name);
}

/* the walk of one program: the function's scope, and per block depth its
 * cluster and the node of the op it holds (GRAPH_TOP: a folded const) */
struct pwalk {
	struct graph *g;
	size_t cluster; /* the model's */
	struct scope *ext;
	const struct model_io *io;
	struct scope s;
	int have_s;
	size_t fc; /* the function's cluster */
	int dflt;
	struct {
		size_t cluster, owner, node;
	} at[MT_MAX_DEPTH + 2];
};

static int on_op(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	struct graph *g = p->g;
	const struct mil_op *o = &w->b->o;
	size_t cluster = p->at[w->b->depth].cluster;
	struct scope *s = &p->s;
	int is_const = !strcmp(o->type, "const");
	p->at[w->b->depth].node = GRAPH_TOP;
	if (is_const && !g->consts) {
		for (size_t i = 0; i < o->nout; i++) {
			char *f = mil_const_text(o->out[i].type, o->value);
			scope_add(s, o->out[i].name, GRAPH_TOP, NULL, f);
			free(f);
		}
		return MIL_WALK_SKIP;
	}
	size_t k = add_node(g, GN_OP, o->type, o->name, cluster);
	p->at[w->b->depth].node = k;
	if (is_const && o->nout) {
		sl_push(&g->n[k].extra, mil_const_text(o->out[0].type, o->value));
	}
	for (size_t i = 0; i < o->nin; i++)
		for (size_t j = 0; j < o->in[i].nb; j++)
			if (o->in[i].b[j].name)
				use(g, s, o->in[i].b[j].name, o->in[i].param, k, NULL);
			else if (o->in[i].b[j].value) {
				char *v = mil_const_text(NULL, o->in[i].b[j].value);
				sl_pushf(&g->n[k].extra, "%s = %s", o->in[i].param, v);
				free(v);
			}
	return 0;
}

/* after its nested blocks: the op's outputs are defined */
static int on_op_leave(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	const struct mil_op *o = &w->b->o;
	size_t k = p->at[w->b->depth].node;
	if (k != GRAPH_TOP)
		for (size_t i = 0; i < o->nout; i++)
			scope_add(&p->s, o->out[i].name, k, o->out[i].type, NULL);
	return 0;
}

/* A Block: inputs (NamedValueType), outputs, operations.  A nested
 * block is a cluster, its inputs small nodes; its results go to the op
 * holding it (class "result"). */
static int on_block(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	struct graph *g = p->g;
	const struct mil_block *b = w->b;
	size_t cluster = p->fc, owner = GRAPH_TOP;
	if (b->up) {
		const struct mil_op *o = &b->up->o;
		char *lab = xasprintf("%s %s: block %zu", o->type, o->name, b->index);
		cluster = add_cluster(g, lab, p->at[b->up->depth].cluster);
		free(lab);
		owner = p->at[b->up->depth].node;
	}
	p->at[b->depth].cluster = cluster;
	p->at[b->depth].owner = owner;
	long i = -1;
	int r;
	struct mt_node *x;
	while ((r = next_child(b->node, F_MILSpec_Block_inputs, &i, &x)) == 1) {
		char *n = field_str(x, F_MILSpec_NamedValueType_name),
		     *t = mil_type_format(mt_get(x, F_MILSpec_NamedValueType_type));
		size_t k = add_node(g, GN_VAR, "block input", n, cluster);
		scope_add(&p->s, n, k, t, NULL);
		free(n);
		free(t);
	}
	return r < 0 ? -1 : 0;
}

static int on_block_leave(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	struct mt_node *block = w->b->node;
	size_t owner = p->at[w->b->depth].owner;
	if (owner != GRAPH_TOP)
		for (size_t k = 0; k < block->n; k++)
			if (block->f[k].number == F_MILSpec_Block_outputs && block->f[k].wt == WT_LEN) {
				char *n = xstrndup((const char *)block->f[k].val, block->f[k].vlen);
				use(p->g, &p->s, n, NULL, owner, "result");
				free(n);
			}
	return 0;
}

static char *ft_string(const struct ft_info *t)
{
	return t->kind == FT_NONE ? NULL : ft_format(t);
}

/* a model drawn into cluster; ext holds the features it can read (the
 * model's inputs); its outputs are added to ext */
static int walk_model(struct graph *g, struct model_ref *refs, size_t nrefs, size_t ri, size_t cluster,
		      struct scope *ext);

struct nn_draw {
	struct graph *g;
	struct scope *s;
	size_t cluster[NN_MAX_NESTING + 2]; /* the cluster of each nesting depth */
	size_t holder[NN_MAX_NESTING + 2];  /* the last layer drawn at each depth */
	struct nn_shapes *shapes;           /* the top-level layers' inferred output shapes (edge labels) */
};

/* a layer, or (layer NULL) a branch's or loop's network: a cluster inside
 * the one of the layer holding it.  One scope for all: after a branch, a
 * name is the last layer's that made it. */
static int draw_layer(const struct nn_visit *v, void *ctx)
{
	struct nn_draw *d = ctx;
	struct graph *g = d->g;
	if (!v->layer) {
		const struct gnode *h = &g->n[d->holder[v->depth - 1]];
		char *lab = xasprintf("%s %s: %s", h->what, h->name, v->net);
		d->cluster[v->depth] = add_cluster(g, lab, d->cluster[v->depth - 1]);
		free(lab);
		return 0;
	}
	struct nn_layer l;
	if (nn_layer_read(v->layer, v->pos, &l) < 0)
		return -1;
	size_t k = add_node(g, GN_LAYER, l.kind, l.name, d->cluster[v->depth]);
	d->holder[v->depth] = k;
	/* up to three weight fields with their shapes; the rest counted */
	for (size_t w = 0; w < l.nw && w < 3; w++) {
		char *shape = nn_weight_shape_str(&l, &l.w[w]);
		sl_pushf(&g->n[k].extra, "%s: %s%s", l.w[w].field, l.w[w].type, shape);
		free(shape);
	}
	if (l.nw > 3)
		sl_pushf(&g->n[k].extra, "(%zu more weight%s)", l.nw - 3, l.nw - 3 == 1 ? "" : "s");
	for (size_t j = 0; j < l.in.n; j++)
		use(g, d->s, l.in.v[j], NULL, k, NULL);
	for (size_t j = 0; j < l.out.n; j++) {
		const struct nn_shape *sh = v->depth ? NULL : nn_shapes_get(d->shapes, l.out.v[j]);
		char *t = sh ? nn_shape_str(sh) : NULL;
		scope_add(d->s, l.out.v[j], k, t, NULL);
		free(t);
	}
	nn_layer_release(&l);
	return 0;
}

static int walk_nn(struct graph *g, struct mt_node *model, struct mt_node *nn, size_t cluster, struct scope *s)
{
	struct nn_draw d = { .g = g, .s = s };
	d.cluster[0] = cluster;
	d.shapes = nn_shapes_infer(model);
	int r = nn_walk(nn, "", NN_WALK_NETS, draw_layer, &d) < 0 ? -1 : 0;
	nn_shapes_free(d.shapes);
	return r;
}

static int is_default_fn(const struct model_io *io, const struct mil_function *f, size_t nf)
{
	if (nf == 1)
		return 1;
	if (io->default_fn && *io->default_fn)
		return !strcmp(io->default_fn, f->name);
	return !strcmp(f->name, "main");
}

static int on_function(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	struct graph *g = p->g;
	const struct mil_function *f = w->fn;
	p->dflt = is_default_fn(p->io, f, w->nfn);
	char *lab = xasprintf("function %s", f->name);
	p->fc = add_cluster(g, lab, p->cluster);
	free(lab);
	memset(&p->s, 0, sizeof(p->s));
	p->have_s = 1;
	struct scope *s = &p->s;
	long i = -1;
	int r;
	struct mt_node *nv;
	while ((r = next_child(f->fn, F_MILSpec_Function_inputs, &i, &nv)) == 1) {
		char *n = field_str(nv, F_MILSpec_NamedValueType_name),
		     *t = mil_type_format(mt_get(nv, F_MILSpec_NamedValueType_type));
		const struct sym *y = p->dflt ? scope_find(p->ext, n) : NULL;
		if (y && y->node != GRAPH_TOP) {
			scope_add(s, n, y->node, t, NULL);
			if (is_item(&g->n[y->node]) || g->n[y->node].kind == GN_MODEL)
				s->v[s->n - 1].cls = "feature";
		} else {
			size_t in = add_node(g, GN_IN, "input", n, p->fc);
			sl_push(&g->n[in].extra, xstrdup(t));
			scope_add(s, n, in, t, NULL);
		}
		free(n);
		free(t);
	}
	return r < 0 ? -1 : 0;
}

/* the function's outputs: to the model's features, or output nodes */
static int on_function_leave(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	struct graph *g = p->g;
	const struct mil_function *f = w->fn;
	const struct io_group *d = &p->io->g[0];
	for (size_t q = 0; f->block && q < f->block->n; q++) {
		const struct mt_field *fl = &f->block->f[q];
		if (fl->number != F_MILSpec_Block_outputs || fl->wt != WT_LEN)
			continue;
		char *n = xstrndup((const char *)fl->val, fl->vlen);
		const struct sym *y = scope_find(&p->s, n);
		int listed = 0;
		for (size_t q2 = 0; q2 < d->out.n; q2++)
			listed |= !strcmp(d->out.v[q2].name, n);
		if (p->dflt && listed) {
			if (y && y->node != GRAPH_TOP)
				scope_add(p->ext, n, y->node, y->type, NULL);
		} else {
			size_t out = add_node(g, GN_OUT, "output", n, p->fc);
			if (y && y->type)
				sl_push(&g->n[out].extra, xstrdup(y->type));
			use(g, &p->s, n, NULL, out, NULL);
		}
		free(n);
	}
	scope_free(&p->s);
	p->have_s = 0;
	return 0;
}

static const struct mil_visitor graph_visitor = {
	.function = on_function,
	.function_leave = on_function_leave,
	.block = on_block,
	.block_leave = on_block_leave,
	.op = on_op,
	.op_leave = on_op_leave,
	.read_ops = 1,
	.op_flags = MIL_OP_FULL,
};

static int walk_program(struct graph *g, struct mt_node *prog, size_t cluster, struct scope *ext,
			const struct model_io *io)
{
	struct pwalk *p = xcalloc(1, sizeof(*p));
	p->g = g;
	p->cluster = cluster;
	p->ext = ext;
	p->io = io;
	int rc = mil_walk(prog, "", &graph_visitor, p);
	if (p->have_s)
		scope_free(&p->s);
	free(p);
	return rc;
}

static int walk_model(struct graph *g, struct model_ref *refs, size_t nrefs, size_t ri, size_t cluster,
		      struct scope *ext)
{
	struct model_ref *r = &refs[ri];
	struct model_io io;
	memset(&io, 0, sizeof(io));
	if (io_read(r->node, &io) < 0) {
		io_release(&io);
		return -1;
	}
	int rc = 0;
	const struct io_group *d = &io.g[0];
	struct mt_node *nn = nn_network(r->node);
	if (model_pipeline(r->node)) {
		for (size_t j = ri + 1; j < nrefs && refs[j].depth > r->depth && rc == 0; j++) {
			if (refs[j].depth != r->depth + 1)
				continue;
			char *lab = refs[j].name ? xasprintf("%s (%s)", refs[j].name, refs[j].type ? refs[j].type : "?")
						 : xasprintf("%s", refs[j].type ? refs[j].type : "model");
			size_t mc = add_cluster(g, lab, cluster);
			free(lab);
			rc = walk_model(g, refs, nrefs, j, mc, ext);
		}
	} else if (nn) {
		struct scope s = { 0 };
		s.up = ext;
		rc = walk_nn(g, r->node, nn, cluster, &s);
		for (size_t i = 0; rc == 0 && i < d->out.n; i++) {
			const struct sym *y = scope_find(&s, d->out.v[i].name);
			if (y && y->node != GRAPH_TOP) {
				char *t = ft_string(&d->out.v[i].type);
				scope_add(ext, d->out.v[i].name, y->node, t, NULL);
				free(t);
			}
		}
		scope_free(&s);
	} else if (r->type && !strcmp(r->type, "mlProgram")) {
		long t = model_type_field(r->node);
		struct mt_node *prog = t >= 0 ? mt_child(r->node, (size_t)t) : NULL;
		rc = prog ? walk_program(g, prog, cluster, ext, &io) : -1;
	} else {
		/* a model without layers or operations: one node */
		size_t k = add_node(g, GN_MODEL, r->type ? r->type : "model", r->name ? r->name : "", cluster);
		for (size_t i = 0; i < d->in.n; i++)
			use(g, ext, d->in.v[i].name, NULL, k, NULL);
		for (size_t i = 0; i < d->out.n; i++) {
			char *t = ft_string(&d->out.v[i].type);
			scope_add(ext, d->out.v[i].name, k, t, NULL);
			free(t);
		}
	}
	io_release(&io);
	return rc;
}

int graph_build(struct graph *g, struct mt_node *root)
{
	struct model_ref *refs;
	size_t nrefs;
	if (model_list(root, &refs, &nrefs) < 0)
		return -1;
	struct model_io io;
	memset(&io, 0, sizeof(io));
	if (io_read(root, &io) < 0) {
		io_release(&io);
		model_list_free(refs, nrefs);
		return -1;
	}
	struct scope ext = { 0 };
	ext.is_ext = 1;
	const struct io_group *d = &io.g[0];
	for (int pass = 0; pass < 2; pass++) {
		const struct io_list *l = pass ? &d->state : &d->in;
		for (size_t i = 0; i < l->n; i++) {
			size_t k = add_node(g, GN_IN, pass ? "state" : "input", l->v[i].name, GRAPH_TOP);
			char *t = ft_string(&l->v[i].type);
			if (t)
				sl_push(&g->n[k].extra, xstrdup(t));
			scope_add(&ext, l->v[i].name, k, t, NULL);
			free(t);
		}
	}
	int rc = walk_model(g, refs, nrefs, 0, GRAPH_TOP, &ext);
	for (size_t i = 0; rc == 0 && i < d->out.n; i++) {
		size_t k = add_node(g, GN_OUT, "output", d->out.v[i].name, GRAPH_TOP);
		char *t = ft_string(&d->out.v[i].type);
		if (t)
			sl_push(&g->n[k].extra, t);
		const struct sym *y = scope_find(&ext, d->out.v[i].name);
		if (y && y->node != GRAPH_TOP)
			add_edge(g, y->node, k, y->type, NULL, d->out.v[i].name);
	}
	scope_free(&ext);
	io_release(&io);
	model_list_free(refs, nrefs);
	return rc;
}

void graph_release(struct graph *g)
{
	for (size_t i = 0; i < g->nn; i++) {
		free(g->n[i].id);
		free(g->n[i].what);
		free(g->n[i].name);
		sl_free(&g->n[i].extra);
	}
	for (size_t i = 0; i < g->ne; i++) {
		free(g->e[i].label);
		free(g->e[i].value);
	}
	for (size_t i = 0; i < g->nc; i++)
		free(g->c[i].label);
	free(g->n);
	free(g->e);
	free(g->c);
	free(g->title);
	memset(g, 0, sizeof(*g));
}

/* ---- selecting ------------------------------------------------------------ */

int graph_select(struct graph *g, regex_t *re, const char *around, int depth)
{
	if (!re && !around)
		return 0;
	for (size_t i = 0; i < g->nn; i++)
		g->n[i].shown = 0;
	if (re) {
		for (size_t i = 0; i < g->nn; i++)
			if (is_item(&g->n[i]) &&
			    (regexec(re, g->n[i].name, 0, NULL, 0) == 0 || regexec(re, g->n[i].what, 0, NULL, 0) == 0))
				g->n[i].shown = 1;
	} else {
		int *dist = xmalloc(g->nn * sizeof(*dist));
		int found = 0;
		for (size_t i = 0; i < g->nn; i++) {
			dist[i] = -1;
			if (g->n[i].kind != GN_VAR && !strcmp(g->n[i].name, around)) {
				dist[i] = 0;
				found = 1;
			}
		}
		/* else a value's name (a blob, a variable): its producer and consumers */
		int by_node = found;
		for (size_t k = 0; !by_node && k < g->ne; k++)
			if (g->e[k].value && !strcmp(g->e[k].value, around)) {
				dist[g->e[k].from] = dist[g->e[k].to] = 0;
				found = 1;
			}
		if (!found) {
			free(dist);
			return -1;
		}
		for (int d = 0; d < depth; d++)
			for (size_t k = 0; k < g->ne; k++) {
				size_t a = g->e[k].from, b = g->e[k].to;
				if (dist[a] == d && dist[b] < 0)
					dist[b] = d + 1;
				if (dist[b] == d && dist[a] < 0)
					dist[a] = d + 1;
			}
		for (size_t i = 0; i < g->nn; i++)
			g->n[i].shown = dist[i] >= 0;
		free(dist);
	}
	/* inputs, outputs, models and block inputs next to a drawn node */
	for (size_t k = 0; k < g->ne; k++) {
		struct gnode *a = &g->n[g->e[k].from], *b = &g->n[g->e[k].to];
		if (is_item(a) && a->shown && !is_item(b))
			b->shown = 2;
		if (is_item(b) && b->shown && !is_item(a))
			a->shown = 2;
	}
	return 0;
}

/* ---- writing -------------------------------------------------------------- */

/* length of a valid UTF-8 sequence at s (0: invalid) */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

/* text inside a quoted DOT string or Mermaid label: control characters and
 * invalid UTF-8 shown as \xNN, quotes and backslashes escaped */
static void put_text(FILE *fp, const char *s, enum graph_format f)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, fp);
			p += n;
			continue;
		}
		unsigned c = *p++;
		if (!n || c < 0x20 || c == 0x7f) {
			if (c == '\n')
				fputs(f == GRAPH_DOT ? "\\\\n" : "\\n", fp);
			else
				fprintf(fp, f == GRAPH_DOT ? "\\\\x%02x" : "\\x%02x", c);
			continue;
		}
		if (f == GRAPH_DOT) {
			if (c == '"' || c == '\\')
				fputc('\\', fp);
			fputc((int)c, fp);
		} else {
			switch (c) {
			case '"': fputs("#quot;", fp); break;
			case '#': fputs("#35;", fp); break;
			case '<': fputs("#lt;", fp); break;
			case '>': fputs("#gt;", fp); break;
			case '&': fputs("#amp;", fp); break;
			case '`': fputs("#96;", fp); break;
			default: fputc((int)c, fp);
			}
		}
	}
}

static void put_label(FILE *fp, const struct gnode *n, enum graph_format f)
{
	const char *br = f == GRAPH_DOT ? "\\n" : "<br>";
	int any = 0;
	if (n->kind == GN_LAYER || n->kind == GN_OP || n->kind == GN_MODEL) {
		put_text(fp, n->what, f);
		any = 1;
	}
	if (*n->name) {
		if (any)
			fputs(br, fp);
		put_text(fp, n->name, f);
		any = 1;
	}
	for (size_t i = 0; i < n->extra.n; i++) {
		if (any)
			fputs(br, fp);
		put_text(fp, n->extra.v[i], f);
		any = 1;
	}
}

static const char *dot_style(enum gn_kind k)
{
	switch (k) {
	case GN_IN: return "shape=ellipse, fillcolor=\"#d8f0d8\"";
	case GN_OUT: return "shape=ellipse, fillcolor=\"#f8e0c8\"";
	case GN_MODEL: return "shape=box3d, fillcolor=\"#e8e0f8\"";
	case GN_VAR: return "shape=ellipse, fillcolor=\"#f0f0f0\", fontsize=8";
	default: return "";
	}
}

static int cluster_has(const struct graph *g, size_t c)
{
	for (size_t i = 0; i < g->nn; i++)
		if (g->n[i].shown)
			for (size_t p = g->n[i].cluster; p != GRAPH_TOP; p = g->c[p].parent)
				if (p == c)
					return 1;
	return 0;
}

static void indent(FILE *fp, int d)
{
	for (int i = 0; i < d; i++)
		fputs("  ", fp);
}

static void write_node(const struct gnode *n, enum graph_format f, FILE *fp, int d)
{
	indent(fp, d);
	if (f == GRAPH_DOT) {
		fprintf(fp, "%s [label=\"", n->id);
		put_label(fp, n, f);
		const char *st = dot_style(n->kind);
		fprintf(fp, "\"%s%s];\n", *st ? ", " : "", st);
	} else {
		const char *open = "[\"", *close = "\"]";
		if (n->kind == GN_IN || n->kind == GN_OUT || n->kind == GN_VAR)
			open = "([\"", close = "\"])";
		fprintf(fp, "%s%s", n->id, open);
		put_label(fp, n, f);
		fprintf(fp, "%s\n", close);
	}
}

static void write_scope(const struct graph *g, enum graph_format f, FILE *fp, size_t c, int d)
{
	for (size_t i = 0; i < g->nn; i++)
		if (g->n[i].shown && g->n[i].cluster == c)
			write_node(&g->n[i], f, fp, d);
	for (size_t k = 0; k < g->nc; k++) {
		if (g->c[k].parent != c || !cluster_has(g, k))
			continue;
		indent(fp, d);
		if (f == GRAPH_DOT) {
			fprintf(fp, "subgraph cluster_%zu {\n", k);
			indent(fp, d + 1);
			fputs("label=\"", fp);
			put_text(fp, g->c[k].label, f);
			fputs("\";\n", fp);
		} else {
			fprintf(fp, "subgraph cluster_%zu [\"", k);
			put_text(fp, g->c[k].label, f);
			fputs("\"]\n", fp);
		}
		write_scope(g, f, fp, k, d + 1);
		indent(fp, d);
		fputs(f == GRAPH_DOT ? "}\n" : "end\n", fp);
	}
}

void graph_write(const struct graph *g, enum graph_format f, FILE *fp)
{
	if (f == GRAPH_DOT) {
		fputs("digraph model {\n", fp);
		fputs("  graph [fontname=\"Helvetica\", fontsize=11, labeljust=l, label=\"", fp);
		put_text(fp, g->title ? g->title : "", f);
		fputs("\", labelloc=t];\n", fp);
		fputs("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#e4ecf8\", fontname=\"Helvetica\", "
		      "fontsize=10];\n",
		      fp);
		fputs("  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\"];\n", fp);
	} else {
		fputs("flowchart TB\n", fp);
	}
	write_scope(g, f, fp, GRAPH_TOP, 1);
	for (size_t k = 0; k < g->ne; k++) {
		const struct gedge *e = &g->e[k];
		if (!g->n[e->from].shown || !g->n[e->to].shown)
			continue;
		if (f == GRAPH_DOT) {
			fprintf(fp, "  %s -> %s", g->n[e->from].id, g->n[e->to].id);
			int attrs = e->label || e->cls;
			if (attrs)
				fputs(" [", fp);
			if (e->label) {
				fputs("label=\"", fp);
				put_text(fp, e->label, f);
				fputc('"', fp);
			}
			if (e->cls)
				fprintf(fp, "%sclass=\"%s\"%s", e->label ? ", " : "", e->cls,
					!strcmp(e->cls, "result") ? ", style=dashed" : ", penwidth=2");
			fputs(attrs ? "];\n" : ";\n", fp);
		} else {
			const char *arrow = e->cls && !strcmp(e->cls, "result") ? "-.->" : e->cls ? "==>" : "-->";
			fprintf(fp, "  %s %s", g->n[e->from].id, arrow);
			if (e->label) {
				fputs("|\"", fp);
				put_text(fp, e->label, f);
				fputs("\"|", fp);
			}
			fprintf(fp, " %s\n", g->n[e->to].id);
		}
	}
	if (f == GRAPH_DOT)
		fputs("}\n", fp);
}
