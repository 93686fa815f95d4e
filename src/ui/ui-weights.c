/* ui-weights: every weight tensor (neural-network weight fields, ML-program
 * blob-file values) with dtype, shape and bytes; the detail pane adds min,
 * max, mean, std, zeros, NaN and Inf counts and a histogram for float
 * tensors of reasonable size, computed only for the row shown. */
#include "ui/browse.h"
#include "query/blob.h"
#include "query/mil.h"
#include "query/weights.h"
#include "query/compiled.h"
#include "query/miltext.h"
#include "base/error.h"
#include "spec/schema.h"
#include "base/xalloc.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wp {
	int nn;
	struct mt_node *layer; /* NN: the layer, and which weight of it */
	size_t li, wi;
	char *file; /* MIL */
	uint64_t offset;
	const struct mil_dtype *dtype;
	char *shape;
	uint64_t count;
	char *stats; /* computed on demand */
};

struct wv {
	struct blob_store *store;
};

static void wp_free(void *p)
{
	struct wp *x = p;
	free(x->file);
	free(x->shape);
	free(x->stats);
	free(x);
}

static void push_lines(struct strlist *out, const char *text)
{
	for (const char *p = text; *p;) {
		size_t l = strcspn(p, "\n");
		sl_push(out, xstrndup(p, l));
		p += l + (p[l] ? 1 : 0);
	}
}

/* the statistics as lines: the moments, the counts, and a histogram of
 * WEIGHT_BINS columns over [min, max] in block characters */
static char *stats_text(const struct weight_stats *st)
{
	if (!st->n)
		return xasprintf("no finite values (%llu NaN, %llu Inf)", (unsigned long long)st->nan,
				 (unsigned long long)st->inf);
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "min %g, max %g, mean %g, std %g\n", st->min, st->max, st->mean, st->std);
	sb_addf(&sb, "zeros %llu (%.1f%%), NaN %llu, Inf %llu\n", (unsigned long long)st->zeros,
		100.0 * (double)st->zeros / (double)st->count, (unsigned long long)st->nan,
		(unsigned long long)st->inf);
	uint64_t top = 0;
	for (int i = 0; i < WEIGHT_BINS; i++)
		if (st->bins[i] > top)
			top = st->bins[i];
	static const char *const blocks[] = { " ",
					      "\xe2\x96\x81",
					      "\xe2\x96\x82",
					      "\xe2\x96\x83",
					      "\xe2\x96\x84",
					      "\xe2\x96\x85",
					      "\xe2\x96\x86",
					      "\xe2\x96\x87",
					      "\xe2\x96\x88" };
	static const char ascii[] = " .:-=+*#@";
	int uni = ui_unicode();
	sb_adds(&sb, "histogram |");
	for (int i = 0; i < WEIGHT_BINS; i++) {
		/* any value at all shows at least the lowest block */
		int h = !top || !st->bins[i] ? 0 : 1 + (int)((st->bins[i] * 7 + top - 1) / top);
		if (h > 8)
			h = 8;
		if (uni)
			sb_adds(&sb, blocks[h]);
		else
			sb_add(&sb, &ascii[h], 1);
	}
	sb_addf(&sb, "| %g .. %g", st->min, st->max);
	return sb_detach(&sb, NULL);
}

static void detail(struct view *v, struct unode *u, struct strlist *out)
{
	struct wp *x = u->p;
	struct wv *wv = v->priv;
	char b[32];
	if (x->nn) {
		struct nn_layer l;
		if (nn_layer_read(x->layer, x->li, &l) < 0)
			return;
		if (x->wi < l.nw) {
			const struct nn_weight *w = &l.w[x->wi];
			human_size(b, sizeof(b), w->bytes);
			sl_pushf(out, "layer %s (%s), field %s", l.name, l.kind, w->field);
			char *shape = nn_weight_shape_str(&l, w);
			sl_pushf(out, "dtype %s (%d bits), shape %s, %llu elements, %s (%llu bytes)", w->type, w->bits,
				 shape, (unsigned long long)w->count, b, (unsigned long long)w->bytes);
			free(shape);
			if (!x->stats) {
				struct weight_stats st;
				char *why;
				x->stats = weight_stats_nn(w, &st, &why) < 0 ? why : stats_text(&st);
			}
			push_lines(out, x->stats);
		}
		nn_layer_release(&l);
	} else {
		uint64_t bytes = x->dtype && x->dtype->bits ? (x->count * (uint64_t)x->dtype->bits + 7) / 8 : 0;
		human_size(b, sizeof(b), bytes);
		sl_pushf(out, "dtype %s, shape [%s], %llu elements, %s", x->dtype ? x->dtype->name : "?", x->shape,
			 (unsigned long long)x->count, b);
		sl_pushf(out, "blob %s at offset %llu", x->file, (unsigned long long)x->offset);
		if (!x->stats) {
			if (!wv->store)
				wv->store = ui_compiled(v) ? blob_store_new_dir(ui_compiled(v)->path)
							   : blob_store_new(ui_model(v));
			struct weight_stats st;
			char *why;
			x->stats = weight_stats_blob(wv->store, x->file, x->offset, x->dtype, x->count, &st, &why) < 0
					   ? why
					   : stats_text(&st);
		}
		push_lines(out, x->stats);
	}
	if (u->path)
		sl_pushf(out, "path: %s", u->path);
}

/* one blob-file value's row: its operation (op, oplen bytes), key, dtype,
 * shape and bytes; the record is read when the row is shown */
struct blob_row {
	const char *op;
	int oplen;
	const char *key, *name, *kind, *path, *file;
	const struct mil_dtype *dtype;
	size_t rank;
	const int64_t *shape;
	uint64_t count, offset;
};

static void blob_row(struct view *v, const struct blob_row *r)
{
	struct strbuf sh = STRBUF_INIT;
	for (size_t d = 0; d < r->rank; d++)
		sb_addf(&sh, "%s%lld", d ? "," : "", (long long)r->shape[d]);
	char b[32];
	uint64_t bytes = r->dtype && r->dtype->bits ? (r->count * (uint64_t)r->dtype->bits + 7) / 8 : 0;
	human_size(b, sizeof(b), bytes);
	struct unode *c = un_add(v->root, "%-28.*s %-6s %-5s [%s] %s", r->oplen, r->op, r->key,
				 r->dtype ? r->dtype->name : "?", sh.buf ? sh.buf : "", b);
	struct wp *x = xcalloc(1, sizeof(*x));
	x->file = xstrdup(r->file);
	x->offset = r->offset;
	x->dtype = r->dtype;
	x->shape = sb_detach(&sh, NULL);
	x->count = r->count;
	c->p = x;
	c->free_p = wp_free;
	c->detail = detail;
	c->name = xstrdup(r->name);
	c->kind = xstrdup(r->kind);
	c->path = xstrdup(r->path);
}

/* the rows of an operation's blob-file values */
static void op_rows(struct view *v, const struct mil_op *o, const char *path)
{
	const char *op = o->name ? o->name : "?";
	for (size_t j = 0; j < o->nw; j++) {
		const struct mil_weight_ref *w = &o->w[j];
		struct blob_row r = { op,       (int)strlen(op),
				      w->key,   o->name ? o->name : "",
				      o->type,  path,
				      w->file,  w->dtype,
				      w->rank,  w->shape,
				      w->count, w->offset };
		blob_row(v, &r);
	}
}

static int on_op(struct mil_walk *mw, void *ctx)
{
	char *path = mil_op_path(mw->b);
	op_rows(ctx, &mw->b->o, path);
	free(path);
	return 0;
}

/* a compiled folder: the blob-file values model.mil declares */
static int compiled_rows(struct view *v, struct compiled *c)
{
	if (c->mil_size < 0 && c->espresso_size >= 0) {
		un_add(v->root, "model.espresso.weights is not read: its layout is not published")->attr = UA_DIM;
		return 0;
	}
	/* the tensors as mlpkg weights lists them; records read on demand */
	struct weight_list L;
	memset(&L, 0, sizeof(L));
	L.names_only = 1;
	char *stop = NULL;
	int r = weight_list_read_compiled(&L, c, &stop);
	for (size_t i = 0; r == 0 && i < L.n; i++) {
		const struct weight_entry *e = &L.v[i];
		/* the operation's name: the entry's, less ".KEY" */
		size_t nl = strlen(e->name), kl = strlen(e->key);
		int keyed = nl > kl + 1 && e->name[nl - kl - 1] == '.' && !strcmp(e->name + nl - kl, e->key);
		struct blob_row br = { e->name,   (int)(keyed ? nl - kl - 1 : nl),
				       e->key,    e->name,
				       e->optype, e->path,
				       e->file,   e->dtype,
				       e->rank,   e->shape,
				       e->count,  e->offset };
		blob_row(v, &br);
	}
	weight_list_release(&L);
	if (stop)
		un_add(v->root, "(%s; the weights after it are not listed)", stop)->attr = UA_WARN;
	free(stop);
	return r;
}

/* the weight fields of a layer, nested ones included (named by path: br.ifBranch.fc_if.weights) */
static int nn_row(const struct nn_visit *vi, void *ctx)
{
	struct view *v = ctx;
	struct nn_layer l;
	if (nn_layer_read(vi->layer, vi->pos, &l) < 0)
		return -1;
	for (size_t j = 0; j < l.nw; j++) {
		const struct nn_weight *w = &l.w[j];
		char b[32];
		human_size(b, sizeof(b), w->bytes);
		char *label = xasprintf("%s%s%s.%s", vi->scope, *vi->scope ? "." : "", l.name, w->field);
		char *shape = nn_weight_shape_str(&l, w);
		struct unode *c = un_add(v->root, "%-34s %-9s %s %s", label, w->type, shape, b);
		free(shape);
		free(label);
		struct wp *x = xcalloc(1, sizeof(*x));
		x->nn = 1;
		x->layer = vi->layer;
		x->li = vi->pos;
		x->wi = j;
		c->p = x;
		c->free_p = wp_free;
		c->detail = detail;
		c->name = xstrdup(l.name);
		c->kind = xstrdup(l.kind);
		c->path = xstrdup(vi->path);
	}
	nn_layer_release(&l);
	return 0;
}

static const struct mil_visitor weight_visitor = {
	.op = on_op,
	.read_ops = 1,
};

static int weights_init(struct view *v)
{
	v->priv = xcalloc(1, sizeof(struct wv));
	if (ui_compiled(v)) {
		int r = compiled_rows(v, ui_compiled(v));
		if (!v->root->nkid)
			un_add(v->root, "no weights")->attr = UA_DIM;
		return r;
	}
	struct model_ref *refs;
	size_t n;
	if (model_list(ui_model(v)->root, &refs, &n) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct model_ref *r = &refs[i];
		if (n > 1)
			un_add(v->root, "%s %s", *r->path ? r->path : "(root)", r->type ? r->type : "no model type")
				->attr = UA_HEAD;
		struct mt_node *nn = nn_network(r->node);
		if (nn) {
			char *base = xasprintf("%s%s%s", r->path, *r->path ? "." : "", r->type);
			if (nn_walk(nn, base, 0, nn_row, v) < 0)
				rc = -1;
			free(base);
		} else if (r->type && !strcmp(r->type, "mlProgram")) {
			long t = model_type_field(r->node);
			struct mt_node *prog = t >= 0 ? mt_child(r->node, (size_t)t) : NULL;
			if (!prog || mil_walk(prog, r->path, &weight_visitor, v) < 0)
				rc = -1;
		}
	}
	model_list_free(refs, n);
	if (!v->root->nkid)
		un_add(v->root, "no weights")->attr = UA_DIM;
	return rc;
}

static void weights_release(struct view *v)
{
	struct wv *wv = v->priv;
	if (wv && wv->store)
		blob_store_free(wv->store);
	free(wv);
}

const struct view_ops weights_ops = {
	.name = "weights",
	.init = weights_init,
	.release = weights_release,
};
