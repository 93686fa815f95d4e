/* ui-weights: every weight tensor as mlpkg weights lists it (the query
 * layer's weight list: neural-network weight fields, ML-program blob-file
 * values, a compiled folder's model.mil) with dtype, shape and bytes; the
 * detail pane adds min, max, mean, std, zeros, NaN and Inf counts, the
 * distinct values and a histogram, of the values of a float tensor or of
 * what a compressed one stands for once dequantized (with its bits per
 * weight), computed only for the row shown. */
#include "ui/browse.h"
#include "ui/frame.h"
#include <curses.h>
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

/* a row: its entry in the list, and its statistics once computed */
struct wp {
	size_t i;
	char *stats;
};

struct wv {
	struct weight_list L;
	int read;
};

static void wp_free(void *p)
{
	struct wp *x = p;
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
	sb_addf(&sb, "zeros %llu (%.1f%%), NaN %llu, Inf %llu, unique %s%llu\n", (unsigned long long)st->zeros,
		100.0 * (double)st->zeros / (double)st->count, (unsigned long long)st->nan, (unsigned long long)st->inf,
		st->unique_capped ? ">" : "", (unsigned long long)st->unique);
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

/* a big tensor's statistics under way, on the status line */
struct stats_ui {
	struct ui *u;
	const char *name;
	int last;
};

static void stats_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct stats_ui *s = ctx;
	int pct = total ? (int)(done * 100 / total) : 100;
	if (pct == s->last)
		return;
	s->last = pct;
	char line[160];
	snprintf(line, sizeof(line), "statistics of %s: %d%%", s->name, pct);
	ui_draw_status(s->u, line, A_BOLD);
	refresh();
}

/* the values of entry i: its own, or those it stands for once dequantized */
static char *values_text(struct view *v, const struct weight_list *L, size_t i)
{
	struct stats_ui prog = { v->ui, L->v[i].name, -1 };
	weight_stats_progress(stats_progress, &prog);
	struct weight_stats st;
	struct weight_dequant dq;
	char *why = NULL, *dwhy = NULL;
	char *text;
	if (weight_values(L, i, &st, &why) == 0) {
		text = stats_text(&st);
	} else if (weight_compressed(&L->v[i]) && weight_dequant(L, i, &dq, &dwhy) == 0) {
		char *s = stats_text(&dq.st);
		text = xasprintf("%s, %.2f bits/weight, dequantized:\n%s", dq.scheme,
				 (double)dq.stored_bits / (double)dq.dense, s);
		free(s);
	} else {
		text = xstrdup(dwhy ? dwhy : why ? why : "no statistics");
	}
	weight_stats_progress(NULL, NULL);
	free(why);
	free(dwhy);
	return text;
}

static void detail(struct view *v, struct unode *u, struct strlist *out)
{
	struct wp *x = u->p;
	struct wv *wv = v->priv;
	const struct weight_entry *e = &wv->L.v[x->i];
	char b[32], shape[64];
	weight_shape_str(shape, sizeof(shape), e);
	human_size(b, sizeof(b), weight_bytes(e));
	if (e->is_nn) {
		sl_pushf(out, "layer %s, field %s", e->layer, e->field);
		sl_pushf(out, "dtype %s (%d bits), shape %s, %llu elements, %s (%llu bytes)", e->w.type, e->w.bits,
			 shape, (unsigned long long)e->w.count, b, (unsigned long long)e->w.bytes);
	} else {
		sl_pushf(out, "%s %s, dtype %s, shape %s, %llu elements, %s", e->optype, e->key, weight_dtype(e), shape,
			 (unsigned long long)weight_count(e), b);
		sl_pushf(out, "blob %s at offset %llu", e->file, (unsigned long long)e->offset);
	}
	if (!x->stats)
		x->stats = values_text(v, &wv->L, x->i);
	push_lines(out, x->stats);
	if (u->path)
		sl_pushf(out, "path: %s", u->path);
}

/* a row per tensor, under a header per pipeline member when there are several */
/* the length of an ML-program entry's operation name (its name less ".KEY") */
static int op_len(const struct weight_entry *e)
{
	size_t nl = strlen(e->name), kl = strlen(e->key);
	int keyed = nl > kl + 1 && e->name[nl - kl - 1] == '.' && !strcmp(e->name + nl - kl, e->key);
	return (int)(keyed ? nl - kl - 1 : nl);
}

static int capped(size_t n, int cap)
{
	return n > (size_t)cap ? cap : (int)n;
}

static void rows(struct view *v, struct weight_list *L)
{
	size_t model = (size_t)-1;
	/* aligned columns: the widest of each, within reason */
	int wname = 8, wkey = 3, wtype = 4, wshape = 5;
	for (size_t i = 0; i < L->n; i++) {
		const struct weight_entry *e = &L->v[i];
		char shape[64];
		weight_shape_str(shape, sizeof(shape), e);
		int n = e->is_nn ? (int)strlen(e->name) : op_len(e);
		int t = (int)strlen(e->is_nn ? e->w.type : weight_dtype(e));
		if (capped((size_t)n, 40) > wname)
			wname = capped((size_t)n, 40);
		if (!e->is_nn && capped(strlen(e->key), 16) > wkey)
			wkey = capped(strlen(e->key), 16);
		if (t > wtype)
			wtype = capped((size_t)t, 12);
		if (capped(strlen(shape), 24) > wshape)
			wshape = capped(strlen(shape), 24);
	}
	for (size_t i = 0; i < L->n; i++) {
		const struct weight_entry *e = &L->v[i];
		if (L->nrefs > 1 && e->model != model) {
			const struct model_ref *r = &L->refs[e->model];
			un_add(v->root, "%s %s", *r->path ? r->path : "(root)", r->type ? r->type : "no model type")
				->attr = UA_HEAD;
			model = e->model;
		}
		char b[32], shape[64];
		human_size(b, sizeof(b), weight_bytes(e));
		weight_shape_str(shape, sizeof(shape), e);
		struct unode *c;
		if (e->is_nn) {
			c = un_add(v->root, "%-*s %-*s %-*s %8s", wname + wkey + 1, e->name, wtype, e->w.type, wshape,
				   shape, b);
			c->name = xstrdup(e->layer);
			c->kind = xstrdup(e->field);
		} else {
			c = un_add(v->root, "%-*.*s %-*s %-*s %-*s %8s", wname, op_len(e), e->name, wkey, e->key, wtype,
				   weight_dtype(e), wshape, shape, b);
			c->name = xstrdup(e->name);
			c->kind = xstrdup(e->optype);
		}
		struct wp *x = xcalloc(1, sizeof(*x));
		x->i = i;
		c->p = x;
		c->free_p = wp_free;
		c->detail = detail;
		c->path = xstrdup(e->path);
	}
}

static int weights_init(struct view *v)
{
	struct wv *wv = xcalloc(1, sizeof(*wv));
	v->priv = wv;
	struct weight_list *L = &wv->L;
	/* the tensors as the spec declares them; records read when a row's values are */
	L->names_only = 1;
	struct compiled *c = ui_compiled(v);
	int r;
	char *stop = NULL;
	if (c) {
		L->store = blob_store_new_dir(c->path);
		r = weight_list_read_compiled(L, c, &stop);
	} else {
		L->m = ui_model(v);
		L->store = blob_store_new(L->m);
		r = weight_list_read(L);
	}
	wv->read = 1;
	if (r == 0)
		rows(v, L);
	if (stop)
		un_add(v->root, "(%s; the weights after it are not listed)", stop)->attr = UA_WARN;
	free(stop);
	if (c && L->espresso)
		un_add(v->root, "model.espresso.weights is not read: its layout is not published")->attr = UA_DIM;
	if (!v->root->nkid)
		un_add(v->root, "no weights")->attr = UA_DIM;
	return r;
}

static void weights_release(struct view *v)
{
	struct wv *wv = v->priv;
	if (wv && wv->read)
		weight_list_release(&wv->L); /* the store too */
	free(wv);
}

const struct view_ops weights_ops = {
	.name = "weights",
	.init = weights_init,
	.release = weights_release,
};
