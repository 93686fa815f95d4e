/* ui-layers: neural-network layers and ML-program operations, one section
 * per model (pipeline members nested), ML programs per function and block,
 * nested blocks foldable.  Rows are read a chunk at a time as they are
 * shown, with the same readers `mlpkg layers` uses (nn_layer_read,
 * mil_op_read). */
#include "ui/browse.h"
#include "query/nnshape.h"
#include "spec/dump.h"
#include "base/error.h"
#include "base/hash.h"
#include "query/mil.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lp_kind { LP_MODEL, LP_FUNC, LP_BLOCK, LP_LAYER, LP_OP, LP_NET };

struct lp {
	enum lp_kind kind;
	struct mt_node *n;    /* model, function block, block, layer, op */
	struct mt_node *cont; /* the network (model sections, a branch's or loop's networks) */
	char *prefix;         /* index prefix of the operations below */
	char *fname;          /* function */
	const char *type;     /* model type */
	struct strlist ins, outs;
	struct nn_layer l;
	struct mil_op o;
	int have_l, have_o;
};

/* the back stack of < and > (b pops it); rows, freed with the view's */
struct trail {
	struct unode **v;
	size_t n, cap;
};

/* the view's own state: the variable types seen so far ("function/name"
 * -> type), for op inputs, and the trail of < and > */
struct vmap {
	struct hmap h;
	struct trail trail;
	/* the inferred shapes of each model's network, inferred when first shown */
	struct {
		struct mt_node *model;
		struct nn_shapes *s;
	} * sh;
	size_t nsh, capsh;
};

static void vmap_put(struct vmap *m, const char *fn, const char *name, const char *type)
{
	char *key = xasprintf("%s/%s", fn ? fn : "", name);
	free(hmap_put(&m->h, key, xstrdup(type)));
	free(key);
}

static const char *vmap_get(const struct vmap *m, const char *fn, const char *name)
{
	if (!m->h.n)
		return NULL;
	char *key = xasprintf("%s/%s", fn ? fn : "", name);
	const char *r = hmap_get(&m->h, key);
	free(key);
	return r;
}

static void vmap_free(void *p)
{
	struct vmap *m = p;
	if (!m)
		return;
	hmap_release(&m->h, free);
	free(m->trail.v);
	for (size_t i = 0; i < m->nsh; i++)
		nn_shapes_free(m->sh[i].s);
	free(m->sh);
	free(m);
}

static struct vmap *vars(struct view *v)
{
	if (!v->priv)
		v->priv = xcalloc(1, sizeof(struct vmap));
	return v->priv;
}

static void lp_free(void *p)
{
	struct lp *x = p;
	if (!x)
		return;
	free(x->prefix);
	free(x->fname);
	sl_free(&x->ins);
	sl_free(&x->outs);
	if (x->have_l)
		nn_layer_release(&x->l);
	if (x->have_o)
		mil_op_release(&x->o);
	free(x);
}

static struct lp *lp_new(struct unode *u, enum lp_kind k)
{
	struct lp *x = xcalloc(1, sizeof(*x));
	x->kind = k;
	u->p = x;
	u->free_p = lp_free;
	return x;
}

static void expandable(struct unode *u, int (*more)(struct view *, struct unode *, size_t))
{
	u->leaf = 0;
	u->done = 0;
	u->more = more;
	u->it = -1;
}

static void join_list(struct strbuf *sb, const struct strlist *l, const char *sep)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? sep : "", l->v[i]);
}

/* ---- details ------------------------------------------------------------------------------ */

/* the parameters of a model that is neither a network, a program nor a
 * pipeline (non-maximum suppression, GLM, trees, a feature extractor...):
 * its type's message as dump prints it, up to MODEL_PARAM_LINES lines */
#define MODEL_PARAM_LINES 200
#define MODEL_PARAM_ITEMS 5
static void model_params(const struct lp *x, struct strlist *out)
{
	if (!x->type || x->cont || !strcmp(x->type, "mlProgram") || !strncmp(x->type, "pipeline", 8))
		return;
	long t = model_type_field(x->n);
	struct mt_node *m = t >= 0 ? mt_child(x->n, (size_t)t) : NULL;
	if (!m)
		return;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	if (!fp)
		return;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	int r = dump_text(fp, m, 1);
	error_capture_end(&cap);
	fclose(fp);
	if (r == 0 && text) {
		sl_pushf(out, "%s:", x->type);
		size_t n = 0, run = 0;
		for (char *p = text; *p && n < MODEL_PARAM_LINES;) {
			char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);
			/* a long list (80 class labels) shows its first few and a count,
			 * so that the thresholds and names after it are seen */
			int item = strstr(p, "vector: ") && (size_t)(strstr(p, "vector: ") - p) < l;
			run = item ? run + 1 : 0;
			if (run <= MODEL_PARAM_ITEMS) {
				sl_push(out, xstrndup(p, l));
				n++;
			} else if (!nl || !strstr(nl + 1, "vector: ") ||
				   strchr(nl + 1, '\n') < strstr(nl + 1, "vector: ")) {
				sl_pushf(out, "%*s... %zu more", (int)strspn(p, " "), "", run - MODEL_PARAM_ITEMS);
				n++;
			}
			p += l + (nl ? 1 : 0);
		}
		if (n == MODEL_PARAM_LINES)
			sl_pushf(out, "  ... (mlpkg get %s shows the rest)", x->type);
	}
	free(text);
}

/* the shapes of the network of the model holding layer row u (a top-level layer), NULL otherwise */
static struct nn_shapes *layer_shapes(struct view *v, struct unode *u)
{
	struct unode *p = u->parent;
	struct lp *px = p ? p->p : NULL;
	if (!px || px->kind != LP_MODEL)
		return NULL;
	struct vmap *m = vars(v);
	for (size_t i = 0; i < m->nsh; i++)
		if (m->sh[i].model == px->n)
			return m->sh[i].s;
	xgrow((void **)&m->sh, &m->capsh, m->nsh + 1, sizeof(*m->sh));
	m->sh[m->nsh].model = px->n;
	m->sh[m->nsh].s = nn_shapes_infer(px->n);
	return m->sh[m->nsh++].s;
}

static void detail(struct view *v, struct unode *u, struct strlist *out)
{
	struct lp *x = u->p;
	struct strbuf sb = STRBUF_INIT;
	if (x->kind == LP_LAYER && !x->have_l) {
		sl_pushf(out, "layer %zu does not decode (the error is on the status line and is", x->l.index);
		sl_pushf(out, "printed when the browser ends); mlpkg check names the field");
	} else if (x->kind == LP_LAYER) {
		const struct nn_layer *l = &x->l;
		sl_pushf(out, "layer %zu  %s  %s", l->index, l->kind, l->name);
		join_list(&sb, &l->in, ", ");
		sl_pushf(out, "inputs:  %s", sb.buf ? sb.buf : "none");
		sb_reset(&sb);
		struct nn_shapes *shapes = layer_shapes(v, u);
		for (size_t i = 0; i < l->out.n; i++) {
			sb_addf(&sb, "%s%s", i ? ", " : "", l->out.v[i]);
			if (shapes) { /* inferred from the inputs' shapes */
				char *s = nn_shape_str(nn_shapes_get(shapes, l->out.v[i]));
				sb_addf(&sb, " %s", s);
				free(s);
			}
		}
		sl_pushf(out, "outputs: %s", sb.buf ? sb.buf : "none");
		sb_reset(&sb);
		if (l->keys.n) {
			join_list(&sb, &l->keys, ", ");
			sl_pushf(out, "params:  %s", sb.buf);
			sb_reset(&sb);
		}
		for (size_t i = 0; i < l->nw; i++) {
			char b[32];
			human_size(b, sizeof(b), l->w[i].bytes);
			char *shape = nn_weight_shape_str(l, &l->w[i]);
			sl_pushf(out, "weight:  %s %s/%d bits %s %s", l->w[i].field, l->w[i].type, l->w[i].bits, shape,
				 b);
			free(shape);
		}
	} else if (x->kind == LP_OP && !x->have_o) {
		sl_pushf(out, "op %s does not decode (the error is on the status line and is", x->prefix);
		sl_pushf(out, "printed when the browser ends); mlpkg check names the field");
	} else if (x->kind == LP_OP) {
		const struct mil_op *o = &x->o;
		sl_pushf(out, "op %s  %s  %s", u->aux ? x->prefix : "", o->type, o->name);
		for (size_t i = 0; i < o->nin; i++) {
			sb_reset(&sb);
			sb_addf(&sb, "  in  %s = ", o->in[i].param);
			for (size_t j = 0; j < o->in[i].nb; j++) {
				const struct mil_binding *b = &o->in[i].b[j];
				if (j)
					sb_adds(&sb, ", ");
				if (b->name) {
					const char *t = vmap_get(vars(v), x->fname, b->name);
					sb_addf(&sb, "%s%s%s", b->name, t ? ": " : "", t ? t : "");
				} else {
					sb_adds(&sb, b->value ? b->value : "?");
				}
			}
			sl_pushf(out, "%s", sb.buf);
		}
		for (size_t i = 0; i < o->nout; i++)
			sl_pushf(out, "  out %s: %s", o->out[i].name, o->out[i].type);
		if (o->value)
			sl_pushf(out, "  value %s", o->value);
		for (size_t i = 0; i < o->nw; i++) {
			const struct mil_weight_ref *w = &o->w[i];
			sb_reset(&sb);
			for (size_t d = 0; d < w->rank; d++)
				sb_addf(&sb, "%s%lld", d ? "," : "", (long long)w->shape[d]);
			sl_pushf(out, "  weight %s: %s[%s] %s@%llu", w->key, w->dtype ? w->dtype->name : "?",
				 sb.buf ? sb.buf : "", w->file, (unsigned long long)w->offset);
		}
		if (o->nblocks)
			sl_pushf(out, "  %zu nested block%s", o->nblocks, o->nblocks == 1 ? "" : "s");
	} else if (x->kind == LP_FUNC || x->kind == LP_BLOCK) {
		sl_pushf(out, "%s", u->text);
		join_list(&sb, &x->ins, ", ");
		sl_pushf(out, "inputs:  %s", sb.buf ? sb.buf : "none");
		sb_reset(&sb);
		join_list(&sb, &x->outs, ", ");
		sl_pushf(out, "outputs: %s", sb.buf ? sb.buf : "none");
	} else if (x->kind == LP_MODEL) {
		sl_pushf(out, "%s", u->text);
		model_params(x, out);
	} else {
		sl_pushf(out, "%s", u->text);
	}
	if (u->path)
		sl_pushf(out, "path: %s", *u->path ? u->path : "(the root model)");
	sb_release(&sb);
}

/* ---- building ------------------------------------------------------------------------------ */

static int more_block(struct view *v, struct unode *u, size_t max);

/* a block's interface into ins and outs; its inputs' types remembered */
static int block_io(struct view *v, const char *fn, struct mt_node *b, struct strlist *ins, struct strlist *outs)
{
	struct mil_var *iv;
	size_t n;
	if (mil_inputs(b, &iv, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (ins)
			sl_pushf(ins, "%s: %s", iv[i].name, iv[i].type);
		vmap_put(vars(v), fn, iv[i].name, iv[i].type);
	}
	mil_vars_free(iv, n);
	return mil_block_io(b, NULL, outs);
}

/* kind in a column width wide: padded, or cut with an ellipsis */
static void add_kind(struct strbuf *sb, const char *kind, int width)
{
	int l = (int)strlen(kind);
	if (l <= width)
		sb_addf(sb, "%-*s", width, kind);
	else
		sb_addf(sb, "%.*s%s", width - 1, kind, ui_unicode() ? "\xe2\x80\xa6" : "~");
}

/* ---- following the data ---------------------------------------------------------------- */

/* the values row u reads (ins) or makes (outs): a layer's inputs and
 * outputs, an operation's bound variables and outputs */
static void row_values(struct unode *u, int outs, struct strlist *vals)
{
	struct lp *x = u->p;
	if (!x)
		return;
	if (x->kind == LP_LAYER && x->have_l) {
		const struct strlist *l = outs ? &x->l.out : &x->l.in;
		for (size_t i = 0; i < l->n; i++)
			sl_push(vals, xstrdup(l->v[i]));
	} else if (x->kind == LP_OP && x->have_o) {
		const struct mil_op *o = &x->o;
		if (outs)
			for (size_t i = 0; i < o->nout; i++)
				sl_push(vals, xstrdup(o->out[i].name));
		else
			for (size_t i = 0; i < o->nin; i++)
				for (size_t j = 0; j < o->in[i].nb; j++)
					if (o->in[i].b[j].name)
						sl_push(vals, xstrdup(o->in[i].b[j].name));
	}
}

static int has_value(const struct strlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], name))
			return 1;
	return 0;
}

/* the model or function a row belongs to: names are its own */
static struct unode *scope_of(struct unode *u)
{
	for (struct unode *p = u->parent; p; p = p->parent) {
		struct lp *x = p->p;
		if (x && (x->kind == LP_FUNC || x->kind == LP_MODEL))
			return p;
	}
	return NULL;
}

static void collect(struct unode *n, struct unode ***v, size_t *k, size_t *cap)
{
	for (size_t i = 0; i < n->nkid; i++) {
		xgrow((void **)v, cap, *k + 1, sizeof(**v));
		(*v)[(*k)++] = n->kid[i];
		collect(n->kid[i], v, k, cap);
	}
}

static struct trail *trail_of(struct view *v)
{
	return &vars(v)->trail;
}

/* < (dir 0): to the row that makes a value the current row reads; >
 * (dir 1): to a row that reads a value it makes.  Several: a list to
 * pick from; none: said (a model or function input, or an output). */
static int follow(struct view *v, int dir)
{
	struct unode *u = ui_current(v);
	struct lp *x = u ? u->p : NULL;
	if (!x || (x->kind != LP_LAYER && x->kind != LP_OP)) {
		ui_msg(v, "%s works on a layer or an operation", dir ? ">" : "<");
		return RP_STATUS;
	}
	struct unode *scope = scope_of(u);
	if (!scope)
		return RP_NONE;
	ui_build_all(v, scope, 1);
	struct strlist mine = { 0 };
	row_values(u, dir, &mine);
	struct unode **all = NULL;
	size_t n = 0, cap = 0;
	collect(scope, &all, &n, &cap);
	struct unode **hit = NULL;
	size_t nh = 0, hcap = 0;
	struct strlist labels = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (all[i] == u)
			continue;
		struct strlist theirs = { 0 };
		row_values(all[i], !dir, &theirs);
		for (size_t j = 0; j < mine.n; j++)
			if (has_value(&theirs, mine.v[j])) {
				xgrow((void **)&hit, &hcap, nh + 1, sizeof(*hit));
				hit[nh++] = all[i];
				sl_pushf(&labels, "%s %s (%s)", dir ? "read by" : "made by",
					 all[i]->name ? all[i]->name : "?", mine.v[j]);
				break;
			}
		sl_free(&theirs);
	}
	int rp = RP_ALL;
	if (!nh) {
		ui_msg(v, dir ? "nothing here reads what %s makes (an output)" : "%s reads only inputs",
		       u->name ? u->name : "this row");
		rp = RP_STATUS;
	} else {
		int pick = 0;
		if (nh > 1) {
			xgrow((void **)&labels.v, &labels.cap, labels.n + 1, sizeof(*labels.v));
			labels.v[labels.n] = NULL;
			pick = ui_choose(
				v, dir ? "> read by: Enter picks, Esc cancels" : "< made by: Enter picks, Esc cancels",
				(const char *const *)labels.v, 0);
		}
		if (pick >= 0) {
			struct trail *t = trail_of(v);
			xgrow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v));
			t->v[t->n++] = u;
			ui_jump_to(v, hit[pick]);
			ui_msg(v, "%s (b goes back)", labels.v[pick]);
		}
		rp = RP_ALL | RP_REBUILD;
	}
	sl_free(&labels);
	sl_free(&mine);
	free(hit);
	free(all);
	return rp;
}

static int back(struct view *v)
{
	struct trail *t = trail_of(v);
	if (!t->n) {
		ui_msg(v, "nothing to go back to");
		return RP_STATUS;
	}
	ui_jump_to(v, t->v[--t->n]);
	return RP_ALL | RP_REBUILD;
}

/* c shows or hides the const operations of ML programs (hidden at first:
 * they are most of the rows and rarely what one looks for); < > follow
 * the data, b goes back */
static int layers_key(struct view *v, int k)
{
	if (k == '<' || k == '>')
		return follow(v, k == '>');
	if (k == 'b')
		return back(v);
	if (k != 'c')
		return -1;
	v->show_optional = !v->show_optional;
	ui_msg(v,
	       v->show_optional ? "const operations shown (c hides them)" : "const operations hidden (c shows them)");
	return RP_ALL | RP_REBUILD;
}

static const struct keydef layers_keys[] = {
	{ "c", "show or hide the const operations of ML programs" },
	{ "< >", "to the layer or op making an input, reading an output" },
	{ "b", "back to where < or > came from" },
	{ NULL, NULL },
};

/* the nested blocks of an operation */
static int more_op(struct view *v, struct unode *u, size_t max)
{
	struct lp *x = u->p;
	struct mt_node *b;
	int r = 0;
	while (max && (r = next_child(x->n, F_MILSpec_Operation_blocks, &u->it, &b)) == 1) {
		max--;
		size_t bi = u->count++;
		struct unode *c = un_add(u, "block %s.%zu", x->prefix, bi);
		struct lp *y = lp_new(c, LP_BLOCK);
		y->n = b;
		y->fname = xstrdup(x->fname);
		y->prefix = xasprintf("%s.%zu.", x->prefix, bi);
		c->path = xasprintf("%s.blocks[%zu]", u->path, bi);
		c->detail = detail;
		c->attr = UA_DIM;
		if (block_io(v, x->fname, b, &y->ins, &y->outs) < 0)
			return -1;
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "block %s.%zu (", x->prefix, bi);
		join_list(&sb, &y->ins, ", ");
		sb_adds(&sb, ") -> ");
		join_list(&sb, &y->outs, ", ");
		free(c->text);
		c->text = sb_detach(&sb, NULL);
		expandable(c, more_block);
		c->open = 1;
	}
	if (r < 0)
		return -1;
	return r == 1 ? 1 : 0;
}

/* the operations of a block (or a function's block) */
static int more_block(struct view *v, struct unode *u, size_t max)
{
	struct lp *x = u->p;
	struct mt_node *op;
	int r = 0;
	while (max && (r = next_child(x->n, F_MILSpec_Block_operations, &u->it, &op)) == 1) {
		max--;
		size_t k = u->count++;
		struct unode *c = un_add(u, "%s", "");
		struct lp *y = lp_new(c, LP_OP);
		y->n = op;
		y->fname = xstrdup(x->fname);
		y->prefix = xasprintf("%s%zu", x->prefix ? x->prefix : "", k);
		c->aux = 1;
		c->path = xasprintf("%s.operations[%zu]", u->path, k);
		c->detail = detail;
		if (mil_op_read(op, &y->o, MIL_OP_FULL) < 0) {
			free(c->text);
			c->text = xasprintf("%5s (does not decode)", y->prefix);
			return -1;
		}
		y->have_o = 1;
		const struct mil_op *o = &y->o;
		for (size_t i = 0; i < o->nout; i++) {
			/* a const's value resolved where it is an input, as mlpkg layers shows it */
			char *t = !strcmp(o->type, "const") ? mil_const_text(o->out[i].type, o->value)
							    : xstrdup(o->out[i].type);
			vmap_put(vars(v), x->fname, o->out[i].name, t);
			free(t);
		}
		c->name = xstrdup(o->name);
		c->kind = xstrdup(o->type);
		c->optional = !strcmp(o->type, "const");
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%5s ", y->prefix);
		add_kind(&sb, o->type, 14);
		sb_addf(&sb, " %s", o->name);
		if (o->nout == 1)
			sb_addf(&sb, ": %s", o->out[0].type);
		else if (o->nout)
			sb_addf(&sb, " -> %zu outputs", o->nout);
		if (o->value)
			sb_addf(&sb, " = %s", o->value);
		free(c->text);
		c->text = sb_detach(&sb, NULL);
		if (o->nblocks) {
			expandable(c, more_op);
			c->open = 1;
		}
	}
	if (r < 0)
		return -1;
	return r == 1 ? 1 : 0;
}

static int more_layers(struct view *v, struct unode *u, size_t max);

/* the networks of a branch or loop layer, each with its layers */
static int more_nets(struct view *v, struct unode *u, size_t max)
{
	(void)v;
	(void)max;
	struct lp *x = u->p;
	struct nn_subnet sn[2];
	int n = nn_layer_networks(&x->l, sn);
	for (int i = 0; i < n; i++) {
		struct unode *c = un_add(u, "%s", sn[i].name);
		struct lp *y = lp_new(c, LP_NET);
		y->cont = sn[i].net;
		c->path = xasprintf("%s.%s.%s", u->path, x->l.kind, sn[i].name);
		c->detail = detail;
		c->attr = UA_DIM;
		expandable(c, more_layers);
		c->open = 1;
	}
	return n < 0 ? -1 : 0;
}

static int more_layers(struct view *v, struct unode *u, size_t max)
{
	(void)v;
	struct lp *x = u->p;
	struct mt_node *layer;
	int r = 0;
	/* a model's network, or a network of a branch or loop layer (u->path is its own) */
	char *lpath = x->kind == LP_NET ? xstrdup(u->path) : xasprintf("%s%s%s", u->path, *u->path ? "." : "", x->type);
	while (max && (r = next_child(x->cont, F_NeuralNetwork_layers, &u->it, &layer)) == 1) {
		max--;
		size_t k = u->count++;
		struct unode *c = un_add(u, "%s", "");
		struct lp *y = lp_new(c, LP_LAYER);
		y->n = layer;
		c->path = xasprintf("%s.layers[%zu]", lpath, k);
		c->detail = detail;
		if (nn_layer_read(layer, k, &y->l) < 0) {
			y->l.index = k;
			free(c->text);
			c->text = xasprintf("%4zu (does not decode)", k);
			free(lpath);
			return -1;
		}
		y->have_l = 1;
		const struct nn_layer *l = &y->l;
		c->name = xstrdup(l->name);
		c->kind = xstrdup(l->kind);
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%4zu ", k);
		add_kind(&sb, l->kind, 15);
		sb_addf(&sb, " %s  ", l->name);
		join_list(&sb, &l->in, ",");
		sb_adds(&sb, " -> ");
		join_list(&sb, &l->out, ",");
		/* the key parameters: an activation's kind (ReLU, sigmoid),
		 * a convolution's channels and kernel, for the eye and for / */
		if (l->keys.n) {
			sb_adds(&sb, "  ");
			join_list(&sb, &l->keys, ", ");
		}
		free(c->text);
		c->text = sb_detach(&sb, NULL);
		if (!strcmp(l->kind, "branch") || !strcmp(l->kind, "loop")) {
			expandable(c, more_nets);
			c->open = 1;
		}
	}
	free(lpath);
	if (r < 0)
		return -1;
	return r == 1 ? 1 : 0;
}

static int more_functions(struct view *v, struct unode *u, size_t max)
{
	(void)max;
	struct lp *x = u->p;
	long t = model_type_field(x->n);
	struct mt_node *prog = t >= 0 ? mt_child(x->n, (size_t)t) : NULL;
	struct mil_function *fv = NULL;
	size_t nf = 0;
	if (!prog || mil_functions(prog, &fv, &nf) < 0) {
		mil_functions_free(fv, nf);
		return -1;
	}
	for (size_t k = 0; k < nf; k++) {
		struct mil_function *f = &fv[k];
		struct unode *c = un_add(u, "function %s (opset %s%s%s)", f->name, *f->opset ? f->opset : "none",
					 f->block_key && strcmp(f->block_key, f->opset) ? ", block " : "",
					 f->block_key && strcmp(f->block_key, f->opset) ? f->block_key : "");
		struct lp *y = lp_new(c, LP_FUNC);
		y->fname = xstrdup(f->name);
		y->n = f->block;
		c->path = mil_block_path(u->path, f);
		c->detail = detail;
		c->attr = UA_HEAD;
		c->name = xstrdup(f->name);
		c->kind = xstrdup("function");
		int r = block_io(v, f->name, f->fn, &y->ins, NULL);
		if (r == 0 && f->block && block_io(v, f->name, f->block, NULL, &y->outs) < 0)
			r = -1;
		if (r < 0) {
			mil_functions_free(fv, nf);
			return -1;
		}
		if (f->block) {
			expandable(c, more_block);
			c->open = k == 0;
		}
	}
	mil_functions_free(fv, nf);
	return 0;
}

static int layers_init(struct view *v)
{
	struct mt_node *root = ui_model(v)->root;
	struct model_ref *refs;
	size_t n;
	if (model_list(root, &refs, &n) < 0)
		return -1;
	struct unode **at = xcalloc(n + 1, sizeof(*at));
	for (size_t i = 0; i < n; i++) {
		const struct model_ref *r = &refs[i];
		struct unode *parent = v->root;
		for (size_t j = i; j-- > 0;)
			if (refs[j].depth == r->depth - 1) {
				parent = at[j];
				break;
			}
		struct strbuf sb = STRBUF_INIT;
		if (*r->path)
			sb_addf(&sb, "%s ", r->path);
		sb_addf(&sb, "%s", r->type ? r->type : "no model type");
		if (r->name)
			sb_addf(&sb, " \"%s\"", r->name);
		sb_addf(&sb, " (spec %d)", r->version);
		struct unode *c = un_add(parent, "%s", sb.buf);
		sb_release(&sb);
		at[i] = c;
		struct lp *x = lp_new(c, LP_MODEL);
		x->n = r->node;
		x->type = r->type;
		c->path = xstrdup(r->path);
		c->attr = UA_HEAD;
		c->kind = xstrdup(r->type ? r->type : "");
		c->detail = detail;
		c->open = 1;
		struct mt_node *nn = nn_network(r->node);
		if (nn) {
			x->cont = nn;
			expandable(c, more_layers);
			c->open = 1;
		} else if (r->type && !strcmp(r->type, "mlProgram")) {
			expandable(c, more_functions);
		}
	}
	free(at);
	model_list_free(refs, n);
	if (!v->root->nkid)
		un_add(v->root, "no layers or operations")->attr = UA_DIM;
	return 0;
}

static void layers_release(struct view *v)
{
	vmap_free(v->priv);
}

const struct view_ops layers_ops = {
	.name = "layers",
	.init = layers_init,
	.search_builds_all = 1,
	.key = layers_key,
	.keys = layers_keys,
	.release = layers_release,
};
