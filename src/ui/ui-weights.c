/* ui-weights: every weight tensor (neural-network weight fields, ML-program
 * blob-file values) with dtype, shape and bytes; the detail pane adds min,
 * max and mean for float tensors of reasonable size, computed only for the
 * row shown. */
#include "ui/browse.h"
#include "query/blob.h"
#include "base/error.h"
#include "spec/schema.h"
#include "base/xalloc.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATS_MAX (16u << 20)   /* elements */

struct wp {
	int nn;
	struct mt_node *layer;  /* NN: the layer, and which weight of it */
	size_t li, wi;
	char *file;             /* MIL */
	uint64_t offset;
	const struct mil_dtype *dtype;
	char *shape;
	uint64_t count;
	char *stats;            /* computed on demand */
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

static float half(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
	return (h & 0x8000) ? -v : v;
}

struct acc {
	double min, max, sum;
	uint64_t n, nan;
};

static void acc_add(struct acc *a, double x)
{
	if (isnan(x)) {
		a->nan++;
		return;
	}
	if (!a->n || x < a->min)
		a->min = x;
	if (!a->n || x > a->max)
		a->max = x;
	a->sum += x;
	a->n++;
}

static void acc_bytes(struct acc *a, const uint8_t *p, size_t len, int bits)
{
	if (bits == 32)
		for (size_t i = 0; i + 4 <= len; i += 4) {
			uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
			float f;
			memcpy(&f, &u, 4);
			acc_add(a, f);
		}
	else
		for (size_t i = 0; i + 2 <= len; i += 2)
			acc_add(a, half((uint16_t)(p[i] | p[i + 1] << 8)));
}

static char *acc_text(const struct acc *a)
{
	if (!a->n)
		return xasprintf("no finite values%s", a->nan ? " (all NaN)" : "");
	return xasprintf("min %g, max %g, mean %g%s", a->min, a->max, a->sum / (double)a->n, a->nan ? " (NaNs left out)" : "");
}

static char *nn_stats(const struct nn_weight *w)
{
	struct acc a = { 0 };
	if (w->count > STATS_MAX)
		return xasprintf("too big for statistics (%llu elements)", (unsigned long long)w->count);
	if (!strcmp(w->type, "float32")) {
		if (w->value) {
			size_t pos = 0;
			uint64_t u;
			while (mt_scalar_next(w->value, &pos, &u))
				acc_add(&a, mt_raw_double(w->value->fd, u));
		} else {
			size_t len;
			uint8_t *b = nn_weight_gather(w, &len);
			acc_bytes(&a, b, len, 32);
			free(b);
		}
	} else if (!strcmp(w->type, "float16") && w->value) {
		acc_bytes(&a, w->value->val, w->value->vlen, 16);
	} else {
		return xasprintf("no statistics for %s values", w->type);
	}
	return acc_text(&a);
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
			if (!x->stats)
				x->stats = nn_stats(w);
			sl_pushf(out, "%s", x->stats);
		}
		nn_layer_release(&l);
	} else {
		uint64_t bytes = x->dtype && x->dtype->bits ? (x->count * (uint64_t)x->dtype->bits + 7) / 8 : 0;
		human_size(b, sizeof(b), bytes);
		sl_pushf(out, "dtype %s, shape [%s], %llu elements, %s", x->dtype ? x->dtype->name : "?", x->shape,
			 (unsigned long long)x->count, b);
		sl_pushf(out, "blob %s at offset %llu", x->file, (unsigned long long)x->offset);
		if (!x->stats) {
			const char *dn = x->dtype ? x->dtype->name : "";
			if (strcmp(dn, "fp32") && strcmp(dn, "fp16")) {
				x->stats = xasprintf("no statistics for %s values", *dn ? dn : "unknown");
			} else if (x->count > STATS_MAX) {
				x->stats = xasprintf("too big for statistics (%llu elements)", (unsigned long long)x->count);
			} else {
				if (!wv->store)
					wv->store = blob_store_new(ui_model(v));
				const struct blob_file *bf = blob_store_get(wv->store, x->file);
				struct blob_rec r;
				if (bf && blob_read(bf, x->offset, &r) == 0) {
					struct acc a = { 0 };
					int bits = !strcmp(dn, "fp32") ? 32 : 16;
					acc_bytes(&a, bf->data + r.data, (size_t)r.size, bits);
					x->stats = acc_text(&a);
				} else {
					x->stats = xstrdup("the blob cannot be read");
				}
			}
		}
		sl_pushf(out, "%s", x->stats);
	}
	if (u->path)
		sl_pushf(out, "path: %s", u->path);
}

static int walk_block(struct view *v, struct mt_node *block, const char *path, int depth)
{
	if (depth > MT_MAX_DEPTH)
		return -1;
	long i = -1;
	int r;
	struct mt_node *op;
	size_t k = 0;
	while ((r = next_child(block, 3, &i, &op)) == 1) {
		char *opath = xasprintf("%s.operations[%zu]", path, k++);
		struct mil_op o;
		if (mil_op_read(op, &o, 0) < 0) {
			free(opath);
			return -1;
		}
		for (size_t j = 0; j < o.nw; j++) {
			const struct mil_weight_ref *w = &o.w[j];
			struct strbuf sh = STRBUF_INIT;
			for (size_t d = 0; d < w->rank; d++)
				sb_addf(&sh, "%s%lld", d ? "," : "", (long long)w->shape[d]);
			char b[32];
			uint64_t bytes = w->dtype && w->dtype->bits ? (w->count * (uint64_t)w->dtype->bits + 7) / 8 : 0;
			human_size(b, sizeof(b), bytes);
			struct unode *c = un_add(v->root, "%-28s %-6s %-5s [%s] %s", o.name ? o.name : "?", w->key,
						 w->dtype ? w->dtype->name : "?", sh.buf ? sh.buf : "", b);
			struct wp *x = xcalloc(1, sizeof(*x));
			x->file = xstrdup(w->file);
			x->offset = w->offset;
			x->dtype = w->dtype;
			x->shape = sb_detach(&sh, NULL);
			x->count = w->count;
			c->p = x;
			c->free_p = wp_free;
			c->detail = detail;
			c->name = xstrdup(o.name ? o.name : "");
			c->kind = xstrdup(o.type);
			c->path = xstrdup(opath);
		}
		long bi = -1;
		struct mt_node *b;
		size_t nb = 0;
		int r2;
		while ((r2 = next_child(op, 4, &bi, &b)) == 1) {
			char *bpath = xasprintf("%s.blocks[%zu]", opath, nb++);
			r2 = walk_block(v, b, bpath, depth + 1);
			free(bpath);
			if (r2 < 0)
				break;
		}
		mil_op_release(&o);
		free(opath);
		if (r2 < 0)
			return -1;
	}
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

static int weights_init(struct view *v)
{
	v->priv = xcalloc(1, sizeof(struct wv));
	struct model_ref *refs;
	size_t n;
	if (model_list(ui_model(v)->root, &refs, &n) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct model_ref *r = &refs[i];
		if (n > 1)
			un_add(v->root, "%s %s", *r->path ? r->path : "(root)", r->type ? r->type : "no model type")->attr = UA_HEAD;
		struct mt_node *nn = nn_network(r->node);
		if (nn) {
			char *base = xasprintf("%s%s%s", r->path, *r->path ? "." : "", r->type);
			if (nn_walk(nn, base, 0, nn_row, v) < 0)
				rc = -1;
			free(base);
		} else if (r->type && !strcmp(r->type, "mlProgram")) {
			long t = model_type_field(r->node);
			struct mt_node *prog = t >= 0 ? mt_child(r->node, (size_t)t) : NULL;
			struct mil_function *fv = NULL;
			size_t nf = 0;
			if (!prog || mil_functions(prog, &fv, &nf) < 0)
				rc = -1;
			for (size_t f = 0; rc == 0 && f < nf; f++) {
				if (!fv[f].block)
					continue;
				char *bp = mil_block_path(r->path, &fv[f]);
				if (walk_block(v, fv[f].block, bp, 0) < 0)
					rc = -1;
				free(bp);
			}
			mil_functions_free(fv, nf);
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
