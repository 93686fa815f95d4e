/* tree-edit: edits of the spec tree and its writing, the bytes of what
 * did not change kept as read (see tree.h). */
#include "spec/tree.h"
#include "spec/tree-internal.h"
#include "base/error.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- edits ---------------------------------------------------------------- */

void mt_mark_dirty(struct mt_node *n)
{
	for (; n; n = n->parent)
		n->dirty = 1;
}

static void set_field(struct mt_node *n, struct mt_field *f, const uint8_t *enc, size_t len)
{
	uint8_t *own = xmalloc(len);
	memcpy(own, enc, len);
	const uint8_t *p = own;
	struct wire_field w;
	const char *why = NULL;
	if (wire_next(&p, own + len, &w, &why) != 1 || p != own + len)
		die(EXIT_FAIL, "internal error: bad field encoding in edit");
	if (f->child)
		mt_node_free(f->child);
	free(f->own);
	if (mt_classify(n, f, &w, &why) < 0)
		die(EXIT_FAIL, "internal error: %s in edit", why);
	f->own = own;
}

/* the occurrences kept aside that merge into field i are dropped with it */
static void ghosts_gone(struct mt_node *n, size_t i)
{
	if (!(n->f[i].flags & MT_F_MERGED) || !n->merge)
		return;
	for (size_t q = 0; q < n->merge->ng; q++)
		if (n->merge->g[q].head == i)
			n->merge->g[q].gone = 1;
}

void mt_replace(struct mt_node *n, size_t i, const uint8_t *enc, size_t len)
{
	ghosts_gone(n, i);
	set_field(n, &n->f[i], enc, len);
	mt_mark_dirty(n);
}

void mt_insert(struct mt_node *n, size_t pos, const uint8_t *enc, size_t len)
{
	xgrow((void **)&n->f, &n->cap, n->n + 1, sizeof(*n->f));
	memmove(&n->f[pos + 1], &n->f[pos], (n->n - pos) * sizeof(*n->f));
	memset(&n->f[pos], 0, sizeof(*n->f));
	n->n++;
	set_field(n, &n->f[pos], enc, len);
	for (size_t q = 0; n->merge && q < n->merge->ng; q++) {
		struct mt_ghost *g = &n->merge->g[q];
		g->before += g->before >= pos;
		g->head += g->head >= pos;
	}
	mt_mark_dirty(n);
}

void mt_remove(struct mt_node *n, size_t i)
{
	ghosts_gone(n, i);
	for (size_t q = 0; n->merge && q < n->merge->ng; q++) {
		struct mt_ghost *g = &n->merge->g[q];
		g->before -= g->before > i;
		g->head -= g->head > i;
	}
	if (n->f[i].child)
		mt_node_free(n->f[i].child);
	free(n->f[i].own);
	memmove(&n->f[i], &n->f[i + 1], (n->n - i - 1) * sizeof(*n->f));
	n->n--;
	mt_mark_dirty(n);
}

size_t mt_remove_if(struct mt_node *n, int (*drop)(struct mt_node *n, size_t i, void *ctx), void *ctx)
{
	/* decide first (drop may open children: indices must hold), then
	 * compact once: linear, where removing one at a time is quadratic */
	uint8_t *gone = xcalloc(n->n ? n->n : 1, 1);
	size_t k = 0, removed = 0;
	for (size_t i = 0; i < n->n; i++)
		gone[i] = drop(n, i, ctx) ? 1 : 0;
	if (n->merge && n->merge->ng) {
		/* the new index of every field (of the next one kept, for a removed one) */
		size_t *to = xmalloc((n->n + 1) * sizeof(*to)), kept = 0;
		for (size_t i = 0; i < n->n; i++) {
			to[i] = kept;
			kept += !gone[i];
		}
		to[n->n] = kept;
		for (size_t q = 0; q < n->merge->ng; q++) {
			struct mt_ghost *g = &n->merge->g[q];
			if (gone[g->head])
				g->gone = 1;
			g->head = to[g->head];
			g->before = to[g->before < n->n ? g->before : n->n];
		}
		free(to);
	}
	for (size_t i = 0; i < n->n; i++) {
		if (!gone[i]) {
			if (k != i)
				n->f[k] = n->f[i];
			k++;
			continue;
		}
		if (n->f[i].child)
			mt_node_free(n->f[i].child);
		free(n->f[i].own);
		removed++;
	}
	free(gone);
	n->n = k;
	if (removed)
		mt_mark_dirty(n);
	return removed;
}

size_t mt_insert_pos(struct mt_node *n, uint32_t num)
{
	size_t pos = n->n;
	for (size_t i = n->n; i-- > 0;) {
		if (n->f[i].number <= num)
			return i + 1;
		pos = i;
	}
	return pos;
}

uint8_t *mt_encode_len(uint32_t num, const void *p, size_t len, size_t *outlen)
{
	uint8_t *b = xmalloc(len + 20);
	size_t k = wire_put_varint(b, wire_tag(num, WT_LEN));
	k += wire_put_varint(b + k, len);
	if (len)
		memcpy(b + k, p, len);
	*outlen = k + len;
	return b;
}

void mt_set_bytes(struct mt_node *n, uint32_t num, const void *p, size_t len)
{
	long last = mt_find_last(n, num);
	for (long i = last - 1; i >= 0; i--)
		if (n->f[i].number == num) {
			mt_remove(n, (size_t)i);
			last--;
		}
	if (!p) {
		if (last >= 0)
			mt_remove(n, (size_t)last);
		return;
	}
	size_t el;
	uint8_t *enc = mt_encode_len(num, p, len, &el);
	if (last >= 0)
		mt_replace(n, (size_t)last, enc, el);
	else
		mt_insert(n, mt_insert_pos(n, num), enc, el);
	free(enc);
}

struct mt_node *mt_ensure(struct mt_node *n, uint32_t num)
{
	long i = mt_find_last(n, num);
	if (mt_parse(n) < 0)
		return NULL;
	if (i < 0) {
		size_t el;
		uint8_t *enc = mt_encode_len(num, "", 0, &el);
		i = (long)mt_insert_pos(n, num);
		mt_insert(n, (size_t)i, enc, el);
		free(enc);
	}
	return mt_child(n, (size_t)i);
}

/* ---- writing ---------------------------------------------------------------- */

static int child_dirty(const struct mt_field *f)
{
	return f->child && f->child->dirty;
}

/* 1 when occurrence g kept aside is written: its head is neither gone nor
 * rewritten as a whole (a changed merged node goes out once, at its head) */
static int ghost_written(const struct mt_node *n, const struct mt_ghost *g)
{
	return !g->gone && !(g->head < n->n && child_dirty(&n->f[g->head]));
}

uint64_t mt_size(struct mt_node *n)
{
	if (!n->dirty && !mt_is_merged(n))
		return n->len;
	uint64_t s = 0;
	for (size_t q = 0; n->merge && q < n->merge->ng; q++)
		if (ghost_written(n, &n->merge->g[q]))
			s += n->merge->g[q].rawlen;
	for (size_t i = 0; i < n->n; i++) {
		struct mt_field *f = &n->f[i];
		if (child_dirty(f)) {
			uint64_t cs = mt_size(f->child);
			s += wire_varint_size(wire_tag(f->number, WT_LEN)) + wire_varint_size(cs) + cs;
		} else {
			s += f->rawlen;
		}
	}
	n->size_cache = s;
	return s;
}

static int emit(struct mt_node *n, struct mt_sink *s)
{
	if (!n->dirty && !mt_is_merged(n))
		return n->len ? s->write(s->ctx, n->data, n->len) : 0;
	/* runs of untouched fields that are adjacent in the source go out as one span */
	const uint8_t *run = NULL;
	size_t runlen = 0, q = 0, ng = n->merge ? n->merge->ng : 0;
	for (size_t i = 0; i <= n->n; i++) {
		/* the occurrences kept aside that were just before field i */
		for (; q < ng && n->merge->g[q].before <= i; q++) {
			const struct mt_ghost *g = &n->merge->g[q];
			if (!ghost_written(n, g))
				continue;
			if (run && run + runlen == g->raw) {
				runlen += g->rawlen;
			} else {
				if (run && s->write(s->ctx, run, runlen) < 0)
					return -1;
				run = g->raw;
				runlen = g->rawlen;
			}
		}
		if (i == n->n)
			break;
		struct mt_field *f = &n->f[i];
		if (!child_dirty(f)) {
			if (run && run + runlen == f->raw && !f->own) {
				runlen += f->rawlen;
			} else {
				if (run && s->write(s->ctx, run, runlen) < 0)
					return -1;
				run = f->raw;
				runlen = f->rawlen;
			}
			continue;
		}
		if (run && s->write(s->ctx, run, runlen) < 0)
			return -1;
		run = NULL;
		uint8_t hdr[20];
		size_t k = wire_put_varint(hdr, wire_tag(f->number, WT_LEN));
		k += wire_put_varint(hdr + k, f->child->size_cache ? f->child->size_cache : mt_size(f->child));
		if (s->write(s->ctx, hdr, k) < 0 || emit(f->child, s) < 0)
			return -1;
	}
	if (run && s->write(s->ctx, run, runlen) < 0)
		return -1;
	return 0;
}

int mt_write(struct mt_node *n, struct mt_sink *s)
{
	mt_size(n);
	return emit(n, s);
}

static int mem_write(void *ctx, const void *p, size_t len)
{
	sb_add(ctx, p, len);
	return 0;
}

uint8_t *mt_serialize(struct mt_node *n, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	struct mt_sink s = { mem_write, &sb };
	mt_write(n, &s);
	return (uint8_t *)sb_detach(&sb, len);
}
