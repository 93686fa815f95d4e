/* tree: lazy exact spec tree over spans (see tree.h). */
#include "tree.h"
#include "error.h"
#include "wire.h"
#include "xalloc.h"
#include <stdlib.h>
#include <string.h>

struct mt_node *mt_root_new(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, const char *label)
{
	struct mt_node *n = xcalloc(1, sizeof(*n));
	n->desc = d;
	n->data = data;
	n->len = len;
	n->label = xstrdup(label ? label : "-");
	return n;
}

static void node_free(struct mt_node *n)
{
	for (size_t i = 0; i < n->n; i++) {
		if (n->f[i].child)
			node_free(n->f[i].child);
		free(n->f[i].own);
	}
	free(n->f);
	free(n->own);
	free(n);
}

void mt_free(struct mt_node *n)
{
	if (!n)
		return;
	if (!n->parent)
		free((char *)n->label);
	node_free(n);
}

static int expected_wt(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_BOOL: case PROTOBUF_C_TYPE_ENUM:
		return WT_VARINT;
	case PROTOBUF_C_TYPE_FIXED64: case PROTOBUF_C_TYPE_SFIXED64: case PROTOBUF_C_TYPE_DOUBLE:
		return WT_I64;
	case PROTOBUF_C_TYPE_FIXED32: case PROTOBUF_C_TYPE_SFIXED32: case PROTOBUF_C_TYPE_FLOAT:
		return WT_I32;
	default:
		return WT_LEN;
	}
}

char *mt_path(const struct mt_node *n)
{
	const struct mt_node *chain[MT_MAX_DEPTH + 2];
	int k = 0;
	struct strbuf sb = STRBUF_INIT;
	for (const struct mt_node *p = n; p && k < MT_MAX_DEPTH + 2; p = p->parent)
		chain[k++] = p;
	for (int j = k - 2; j >= 0; j--) {
		const struct mt_node *par = chain[j + 1], *c = chain[j];
		for (size_t i = 0; i < par->n; i++) {
			if (par->f[i].child != c)
				continue;
			const struct mt_field *f = &par->f[i];
			if (sb.len)
				sb_addc(&sb, '.');
			if (f->fd)
				sb_adds(&sb, f->fd->name);
			else
				sb_addf(&sb, "%u", f->number);
			if (f->fd && f->fd->label == PROTOBUF_C_LABEL_REPEATED) {
				size_t idx = 0;
				for (size_t q = 0; q < i; q++)
					idx += par->f[q].number == f->number;
				sb_addf(&sb, "[%zu]", idx);
			}
			break;
		}
	}
	if (!sb.len)
		sb_adds(&sb, "(root)");
	return sb_detach(&sb, NULL);
}

static int bad(struct mt_node *n, const char *why)
{
	char *p = mt_path(n);
	n->state = MT_BAD;
	error_code(EXIT_INVALID, "'%s': not a valid Core ML spec: %s at %s", n->label, why, p);
	free(p);
	return -1;
}

/* How a wire field stands against the schema field fd: 0 known (flags may
 * say packed), 1 unknown (wire type mismatch), -1 invalid (*why). */
static int judge(const ProtobufCFieldDescriptor *fd, const struct wire_field *w, uint8_t *flags, const char **why)
{
	int ew = expected_wt(fd);
	if (ew != w->wt) {
		if (!(w->wt == WT_LEN && fd->label == PROTOBUF_C_LABEL_REPEATED && ew != WT_LEN)) {
			*flags |= MT_F_MISMATCH;
			return 1;
		}
		*flags |= MT_F_PACKED;
		size_t unit = ew == WT_I64 ? 8 : ew == WT_I32 ? 4 : 0;
		if (unit && w->vlen % unit)
			return *why = "packed field length is not a multiple of its element size", -1;
		if (!unit) {
			const uint8_t *p = w->val, *e = w->val + w->vlen;
			uint64_t v;
			while (p < e)
				if (wire_varint(&p, e, &v) < 0)
					return *why = "truncated packed varint", -1;
		}
		return 0;
	}
	if (fd->type == PROTOBUF_C_TYPE_STRING && !wire_utf8_valid(w->val, w->vlen))
		return *why = "string field holds invalid UTF-8", -1;
	return 0;
}

/* fills field f from a wire field, classifying it against the schema */
static int classify(struct mt_node *n, struct mt_field *f, const struct wire_field *w, const char **why)
{
	memset(f, 0, sizeof(*f));
	f->number = w->number;
	f->wt = (uint8_t)w->wt;
	f->raw = w->start;
	f->rawlen = (size_t)(w->end - w->start);
	f->val = w->val;
	f->vlen = w->vlen;
	f->u = w->u;
	const ProtobufCFieldDescriptor *fd = n->desc ? protobuf_c_message_descriptor_get_field(n->desc, w->number) : NULL;
	if (!fd)
		return 0;
	int r = judge(fd, w, &f->flags, why);
	if (r < 0)
		return -1;
	if (r == 0)
		f->fd = fd;
	return 0;
}

/* validates a span as message d, recursively, keeping nothing */
static int check_span(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, int depth, const char **why)
{
	if (depth > MT_MAX_DEPTH)
		return *why = "messages nested too deeply", -1;
	const uint8_t *end = p + n;
	struct wire_field w;
	int r;
	while ((r = wire_next(&p, end, &w, why)) == 1) {
		const ProtobufCFieldDescriptor *fd = d ? protobuf_c_message_descriptor_get_field(d, w.number) : NULL;
		uint8_t flags = 0;
		if (!fd)
			continue;
		int j = judge(fd, &w, &flags, why);
		if (j < 0)
			return -1;
		if (j == 0 && fd->type == PROTOBUF_C_TYPE_MESSAGE &&
		    check_span(fd->descriptor, w.val, w.vlen, depth + 1, why) < 0)
			return -1;
	}
	return r;
}

int mt_check(struct mt_node *n)
{
	const char *why = NULL;
	if (check_span(n->desc, n->data, n->len, n->depth, &why) == 0)
		return 0;
	/* walk again with the tree to report where */
	if (mt_validate(n) < 0)
		return -1;
	return error_code(EXIT_INVALID, "'%s': not a valid Core ML spec: %s", n->label, why ? why : "?");
}

int mt_parse(struct mt_node *n)
{
	if (n->state == MT_PARSED)
		return 0;
	if (n->state == MT_BAD)
		return set_error_code(EXIT_INVALID), -1;
	if (n->depth > MT_MAX_DEPTH)
		return bad(n, "messages nested too deeply");
	const uint8_t *p = n->data, *end = n->data + n->len;
	struct wire_field w;
	const char *why = NULL;
	int r;
	while ((r = wire_next(&p, end, &w, &why)) == 1) {
		xgrow((void **)&n->f, &n->cap, n->n + 1, sizeof(*n->f));
		if (classify(n, &n->f[n->n], &w, &why) < 0) {
			n->state = MT_BAD;
			char *path = mt_path(n);
			const char *fname = n->f[n->n].fd ? n->f[n->n].fd->name : "?";
			error_code(EXIT_INVALID, "'%s': not a valid Core ML spec: %s in %s.%s", n->label, why, path, fname);
			free(path);
			return -1;
		}
		n->n++;
	}
	if (r < 0)
		return bad(n, why);
	n->state = MT_PARSED;
	return 0;
}

struct mt_node *mt_child(struct mt_node *n, size_t i)
{
	if (mt_parse(n) < 0 || i >= n->n)
		return NULL;
	struct mt_field *f = &n->f[i];
	if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || f->wt != WT_LEN)
		return NULL;
	if (!f->child) {
		struct mt_node *c = xcalloc(1, sizeof(*c));
		c->desc = f->fd->descriptor;
		c->data = f->val;
		c->len = f->vlen;
		c->parent = n;
		c->label = n->label;
		c->depth = n->depth + 1;
		f->child = c;
	}
	if (mt_parse(f->child) < 0)
		return NULL;
	return f->child;
}

long mt_find(struct mt_node *n, uint32_t num, size_t from)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = from; i < n->n; i++)
		if (n->f[i].number == num)
			return (long)i;
	return -1;
}

long mt_find_last(struct mt_node *n, uint32_t num)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = n->n; i-- > 0;)
		if (n->f[i].number == num)
			return (long)i;
	return -1;
}

struct mt_node *mt_get(struct mt_node *n, uint32_t num)
{
	long i = mt_find_last(n, num);
	return i < 0 ? NULL : mt_child(n, (size_t)i);
}

uint32_t mt_number(const struct mt_node *n, const char *name)
{
	const ProtobufCFieldDescriptor *fd = n->desc ? protobuf_c_message_descriptor_get_field_by_name(n->desc, name) : NULL;
	return fd ? fd->id : 0;
}

struct mt_node *mt_get_path(struct mt_node *n, const char *path)
{
	char buf[256];
	while (n && *path) {
		const char *dot = strchr(path, '.');
		size_t l = dot ? (size_t)(dot - path) : strlen(path);
		if (l >= sizeof(buf))
			return NULL;
		memcpy(buf, path, l);
		buf[l] = 0;
		uint32_t num = mt_number(n, buf);
		if (!num)
			return NULL;
		n = mt_get(n, num);
		path += l + (dot ? 1 : 0);
	}
	return n;
}

int mt_validate(struct mt_node *n)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		struct mt_field *f = &n->f[i];
		if (f->fd && f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->wt == WT_LEN) {
			struct mt_node *c = mt_child(n, i);
			if (!c || mt_validate(c) < 0)
				return -1;
		}
	}
	return 0;
}

size_t mt_count_unknown(struct mt_node *n)
{
	size_t k = 0;
	if (mt_parse(n) < 0)
		return 0;
	for (size_t i = 0; i < n->n; i++) {
		if (!n->f[i].fd)
			k++;
		else if (n->f[i].fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			struct mt_node *c = mt_child(n, i);
			if (c)
				k += mt_count_unknown(c);
		}
	}
	return k;
}

const char *mt_str(const struct mt_field *f, size_t *len)
{
	*len = f->vlen;
	return (const char *)f->val;
}

int64_t mt_raw_int(const ProtobufCFieldDescriptor *fd, uint64_t u)
{
	switch (fd ? fd->type : PROTOBUF_C_TYPE_UINT64) {
	case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_ENUM:
		return (int32_t)(uint32_t)u;
	case PROTOBUF_C_TYPE_SFIXED32:
		return (int32_t)(uint32_t)u;
	case PROTOBUF_C_TYPE_SINT32:
		return wire_zigzag32((uint32_t)u);
	case PROTOBUF_C_TYPE_SINT64:
		return wire_zigzag64(u);
	case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
		return (uint32_t)u;
	case PROTOBUF_C_TYPE_BOOL:
		return u != 0;
	default:
		return (int64_t)u;
	}
}

double mt_raw_double(const ProtobufCFieldDescriptor *fd, uint64_t u)
{
	if (fd && fd->type == PROTOBUF_C_TYPE_FLOAT) {
		float x;
		uint32_t v = (uint32_t)u;
		memcpy(&x, &v, 4);
		return x;
	}
	if (fd && fd->type == PROTOBUF_C_TYPE_DOUBLE) {
		double x;
		memcpy(&x, &u, 8);
		return x;
	}
	return (double)mt_raw_int(fd, u);
}

int64_t mt_int(const struct mt_field *f)
{
	return mt_raw_int(f->fd, f->u);
}

double mt_double(const struct mt_field *f)
{
	return mt_raw_double(f->fd, f->u);
}

char *mt_get_str(struct mt_node *n, uint32_t num)
{
	long i = mt_find_last(n, num);
	if (i < 0 || n->f[i].wt != WT_LEN)
		return NULL;
	return xstrndup((const char *)n->f[i].val, n->f[i].vlen);
}

int64_t mt_get_int(struct mt_node *n, uint32_t num, int64_t dflt)
{
	long i = mt_find_last(n, num);
	if (i < 0 || !n->f[i].fd || (n->f[i].flags & MT_F_PACKED))
		return dflt;
	return mt_int(&n->f[i]);
}

int mt_scalar_next(const struct mt_field *f, size_t *pos, uint64_t *u)
{
	if (!(f->flags & MT_F_PACKED)) {
		if (*pos)
			return 0;
		*pos = 1;
		*u = f->u;
		return 1;
	}
	if (*pos >= f->vlen)
		return 0;
	int ew = f->fd ? expected_wt(f->fd) : WT_VARINT;
	const uint8_t *p = f->val + *pos, *e = f->val + f->vlen;
	if (ew == WT_I32) {
		*u = wire_le32(p);
		*pos += 4;
	} else if (ew == WT_I64) {
		*u = wire_le64(p);
		*pos += 8;
	} else {
		if (wire_varint(&p, e, u) < 0)
			return 0;
		*pos = (size_t)(p - f->val);
	}
	return 1;
}

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
		node_free(f->child);
	free(f->own);
	if (classify(n, f, &w, &why) < 0)
		die(EXIT_FAIL, "internal error: %s in edit", why);
	f->own = own;
}

void mt_replace(struct mt_node *n, size_t i, const uint8_t *enc, size_t len)
{
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
	mt_mark_dirty(n);
}

void mt_remove(struct mt_node *n, size_t i)
{
	if (n->f[i].child)
		node_free(n->f[i].child);
	free(n->f[i].own);
	memmove(&n->f[i], &n->f[i + 1], (n->n - i - 1) * sizeof(*n->f));
	n->n--;
	mt_mark_dirty(n);
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

uint64_t mt_size(struct mt_node *n)
{
	if (!n->dirty)
		return n->len;
	uint64_t s = 0;
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
	if (!n->dirty)
		return n->len ? s->write(s->ctx, n->data, n->len) : 0;
	/* runs of untouched fields that are adjacent in the source go out as one span */
	const uint8_t *run = NULL;
	size_t runlen = 0;
	for (size_t i = 0; i < n->n; i++) {
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
