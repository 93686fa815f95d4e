/* tree: lazy exact spec tree over spans (see tree.h). */
#include "spec/tree.h"
#include "spec/tree-internal.h"
#include "base/error.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

static void merge_free(struct mt_merge *m)
{
	if (!m)
		return;
	free(m->g);
	free(m->s);
	free(m);
}

struct mt_merge *mt_merge_of(struct mt_node *n)
{
	if (!n->merge)
		n->merge = xcalloc(1, sizeof(*n->merge));
	return n->merge;
}

/* 1 when n is a merged node (over several occurrences) */
int mt_is_merged(const struct mt_node *n)
{
	return n->merge && n->merge->ns > 1;
}

struct mt_node *mt_root_new(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, const char *label)
{
	struct mt_node *n = xcalloc(1, sizeof(*n));
	n->desc = d;
	n->data = data;
	n->len = len;
	n->label = xstrdup(label ? label : "-");
	return n;
}

void mt_node_free(struct mt_node *n)
{
	for (size_t i = 0; i < n->n; i++) {
		if (n->f[i].child)
			mt_node_free(n->f[i].child);
		free(n->f[i].own);
	}
	free(n->f);
	free(n->own);
	merge_free(n->merge);
	free(n);
}

static void file_free(struct mt_file *fl);

void mt_free(struct mt_node *n)
{
	if (!n)
		return;
	struct mt_file *fl = n->parent ? NULL : n->file;
	if (!n->parent)
		free((char *)n->label);
	mt_node_free(n);
	file_free(fl);
}

static int expected_wt(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_BOOL:
	case PROTOBUF_C_TYPE_ENUM: return WT_VARINT;
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE: return WT_I64;
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT: return WT_I32;
	default: return WT_LEN;
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

/* 1 when an invalid node of n's tree was reported already (a caller that
 * goes on past one must not print a second message for the same file);
 * else notes that one is about to be */
static int reported(struct mt_node *n)
{
	while (n->parent)
		n = n->parent;
	if (n->reported)
		return error_code_silent(EXIT_INVALID), 1;
	if (!error_dropping())
		n->reported = 1;
	return 0;
}

static int bad(struct mt_node *n, const char *why)
{
	n->state = MT_BAD;
	if (reported(n))
		return -1;
	char *p = mt_path(n);
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
int mt_classify(struct mt_node *n, struct mt_field *f, const struct wire_field *w, const char **why)
{
	memset(f, 0, sizeof(*f));
	f->number = w->number;
	f->wt = (uint8_t)w->wt;
	f->raw = w->start;
	f->rawlen = (size_t)(w->end - w->start);
	f->val = w->val;
	f->vlen = w->vlen;
	f->u = w->u;
	const ProtobufCFieldDescriptor *fd =
		n->desc ? protobuf_c_message_descriptor_get_field(n->desc, w->number) : NULL;
	if (!fd)
		return 0;
	int r = judge(fd, w, &f->flags, why);
	if (r < 0)
		return -1;
	if (r == 0)
		f->fd = fd;
	return 0;
}

/* ---- big nodes over a mapped file ------------------------------------------
 * A node bigger than SPARSE_NODE whose bytes lie in the mapped file is listed
 * by reading its field headers with pread through a small window, skipping
 * the payloads of big fields: those stay spans of the mapping, never touched
 * unless someone reads them.  Fields up to COPY_MAX (a node's skeleton: names,
 * numbers, small messages) are copied into chunks owned by the root.  A node
 * that turns out to be dense (mostly small fields) is left to the mapping,
 * as is anything unusual (groups, malformed bytes, a failed read): the
 * in-memory parser then decides, and reports, exactly as before. */
#define SPARSE_NODE ((size_t)1 << 10)
#define COPY_MAX SPARSE_NODE
#define WINDOW ((size_t)4 << 10)
#define CHUNK ((size_t)64 << 10)

struct mt_chunk {
	struct mt_chunk *prev;
	size_t used, cap;
	uint8_t data[];
};

/* a window holds len bytes of the file from offset off */
struct mt_window {
	size_t off, len;
	uint8_t b[WINDOW];
};

/* values smaller than this are not worth a system call to release */
#define RELEASE_MIN (64u << 10)

struct mt_file {
	int fd;
	const uint8_t *base; /* offset 0 of fd in the mapping */
	size_t len;
	struct mt_chunk *chunks; /* copies of small fields, newest first */
	/* two windows shared by all scans, the older one reused first: a child
	 * node usually starts in its parent's window, and a parent's next field
	 * is often far away (after a big payload) */
	struct mt_window win[2];
	int last;
};

void mt_root_set_file(struct mt_node *root, int fd, const uint8_t *base, size_t len)
{
	if (root->parent || root->file || fd < 0 || !base || !len)
		return;
	struct mt_file *fl = xcalloc(1, sizeof(*fl));
	fl->fd = fd;
	fl->base = base;
	fl->len = len;
	root->file = fl;
}

static void file_free(struct mt_file *fl)
{
	if (!fl)
		return;
	while (fl->chunks) {
		struct mt_chunk *p = fl->chunks->prev;
		free(fl->chunks);
		fl->chunks = p;
	}
	free(fl);
}

/* 1 when the node is in a mapped file and its span [data, data + len) is big
 * and lies in it */
static int from_file(const struct mt_node *n, const uint8_t *data, size_t len)
{
	const struct mt_file *fl = n->file;
	if (!fl || len <= SPARSE_NODE)
		return 0;
	uintptr_t b = (uintptr_t)fl->base, d = (uintptr_t)data;
	return d >= b && d - b <= fl->len && len <= fl->len - (d - b);
}

static uint8_t *chunk_alloc(struct mt_file *fl, size_t n)
{
	struct mt_chunk *c = fl->chunks;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK ? n : CHUNK;
		c = xmalloc(sizeof(*c) + cap);
		c->prev = fl->chunks;
		c->used = 0;
		c->cap = cap;
		fl->chunks = c;
	}
	uint8_t *p = c->data + c->used;
	c->used += n;
	return p;
}

/* n bytes of the file at off into dst; 0, or -1 (failed or short) */
static int file_read(const struct mt_file *fl, void *dst, size_t n, size_t off)
{
	uint8_t *d = dst;
	while (n) {
		ssize_t r = pread(fl->fd, d, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		d += r;
		n -= (size_t)r;
		off += (size_t)r;
	}
	return 0;
}

struct scan {
	struct mt_file *fl;
	size_t off, end; /* file offsets: the next field, the end of the node */
};

/* The window holding bytes [off, off + n) of the file, or NULL. */
static struct mt_window *window_with(struct mt_file *fl, size_t off, size_t n)
{
	for (int i = 0; i < 2; i++) {
		struct mt_window *w = &fl->win[i];
		if (off >= w->off && off + n <= w->off + w->len) {
			fl->last = i;
			return w;
		}
	}
	return NULL;
}

/* Decodes the next field's header from the window.  *w gets the number, wire
 * type and value, its pointers lead into the mapping (nothing is read there).
 * 1, 0 at the end, -1 when the in-memory parser must decide. */
static int scan_next(struct scan *s, struct wire_field *w)
{
	if (s->off >= s->end)
		return 0;
	struct mt_file *fl = s->fl;
	size_t left = s->end - s->off, need = left < 32 ? left : 32;
	struct mt_window *win = window_with(fl, s->off, need);
	if (!win) {
		fl->last = !fl->last;
		win = &fl->win[fl->last];
		win->len = 0;
		size_t n = left < WINDOW ? left : WINDOW;
		if (file_read(fl, win->b, n, s->off) < 0)
			return -1;
		win->off = s->off;
		win->len = n;
	}
	/* the window may run past this node: decode within the node only */
	size_t avail = win->off + win->len - s->off;
	const uint8_t *p = win->b + (s->off - win->off), *e = p + (avail < left ? avail : left), *q = p;
	const uint8_t *m = s->fl->base + s->off;
	uint64_t tag, len;
	if (wire_varint(&q, e, &tag) < 0 || (tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
		return -1;
	if ((tag & 7) == WT_LEN) {
		if (wire_varint(&q, e, &len) < 0 || len > left - (size_t)(q - p))
			return -1;
		w->number = (uint32_t)(tag >> 3);
		w->wt = WT_LEN;
		w->start = m;
		w->val = m + (q - p);
		w->vlen = (size_t)len;
		w->u = len;
		w->end = w->val + len;
	} else if ((tag & 7) == WT_VARINT || (tag & 7) == WT_I64 || (tag & 7) == WT_I32) {
		const char *why = NULL;
		q = p;
		if (wire_next(&q, e, w, &why) != 1)
			return -1;
		w->start = m;
		w->val = m + (w->val - p);
		w->end = m + (q - p);
	} else {
		return -1;
	}
	s->off += (size_t)(w->end - w->start);
	return 1;
}

/* The field *w (pointers into the mapping) as bytes in memory: in the window
 * when it is there, else read into a new buffer (*tofree). NULL on failure. */
static const uint8_t *scan_bytes(struct scan *s, const struct wire_field *w, uint8_t **tofree)
{
	struct mt_file *fl = s->fl;
	size_t off = (size_t)(w->start - fl->base), n = (size_t)(w->end - w->start);
	struct mt_window *win = window_with(fl, off, n);
	*tofree = NULL;
	if (win)
		return win->b + (off - win->off);
	uint8_t *b = xmalloc(n ? n : 1);
	if (file_read(s->fl, b, n, off) < 0) {
		free(b);
		return NULL;
	}
	return *tofree = b;
}

/* parse_span for a big span in the file: 0, or 1 when the in-memory parser
 * must do it */
static int parse_file(struct mt_node *n, const uint8_t *data, size_t len)
{
	struct mt_file *fl = n->file;
	size_t start = (size_t)(data - fl->base), n0 = n->n;
	struct scan s = { fl, start, start + len };
	struct mt_chunk *mark = fl->chunks;
	size_t mark_used = mark ? mark->used : 0, copied = 0;
	struct wire_field w;
	const char *why = NULL;
	int r;
	while ((r = scan_next(&s, &w)) == 1) {
		size_t flen = (size_t)(w.end - w.start);
		if (flen <= COPY_MAX) {
			copied += flen;
			/* mostly small fields: the mapping serves them better than copies */
			if (copied > SPARSE_NODE && copied > (s.off - start) / 2) {
				r = -1;
				break;
			}
			uint8_t *tofree, *c = chunk_alloc(fl, flen);
			const uint8_t *b = scan_bytes(&s, &w, &tofree), *p = c;
			if (!b) {
				r = -1;
				break;
			}
			memcpy(c, b, flen);
			free(tofree);
			if (wire_next(&p, c + flen, &w, &why) != 1) {
				r = -1;
				break;
			}
		}
		xgrow((void **)&n->f, &n->cap, n->n + 1, sizeof(*n->f));
		if (mt_classify(n, &n->f[n->n], &w, &why) < 0) {
			r = -1;
			break;
		}
		n->n++;
	}
	if (r < 0) {
		n->n = n0;
		while (fl->chunks != mark) {
			struct mt_chunk *p = fl->chunks->prev;
			free(fl->chunks);
			fl->chunks = p;
		}
		if (mark)
			mark->used = mark_used;
		return 1;
	}
	return 0;
}

static int check_span(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n, int depth, const char **why);

/* check_span over a big span of the file, read with pread: 0, -1 invalid
 * (*why), 1 when the in-memory walk must decide */
static int check_file(struct mt_file *fl, const ProtobufCMessageDescriptor *d, size_t off, size_t len, int depth,
		      const char **why)
{
	if (depth > MT_MAX_DEPTH)
		return *why = "messages nested too deeply", -1;
	struct scan s = { fl, off, off + len };
	struct wire_field w;
	int r;
	while ((r = scan_next(&s, &w)) == 1) {
		const ProtobufCFieldDescriptor *fd = d ? protobuf_c_message_descriptor_get_field(d, w.number) : NULL;
		uint8_t flags = 0;
		if (!fd)
			continue;
		if (w.wt == WT_LEN && w.vlen > SPARSE_NODE) {
			int j = judge(fd, &w, &flags, why);
			if (j < 0)
				return -1;
			if (j == 0 && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
				int c = check_file(fl, fd->descriptor, (size_t)(w.val - fl->base), w.vlen, depth + 1,
						   why);
				if (c)
					return c;
			}
			continue;
		}
		/* a small field: checked in memory, from the window or a copy */
		uint8_t *tofree;
		const uint8_t *b = scan_bytes(&s, &w, &tofree), *p = b;
		struct wire_field v;
		int c = 0;
		if (!b || wire_next(&p, b + (w.end - w.start), &v, why) != 1) {
			c = 1;
		} else {
			int j = judge(fd, &v, &flags, why);
			if (j < 0)
				c = -1;
			else if (j == 0 && fd->type == PROTOBUF_C_TYPE_MESSAGE)
				c = check_span(fd->descriptor, v.val, v.vlen, depth + 1, why);
		}
		free(tofree);
		if (c)
			return c;
	}
	return r < 0 ? 1 : 0;
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
	struct mt_span one = { n->data, n->len };
	const struct mt_span *sp = mt_is_merged(n) ? n->merge->s : &one;
	size_t ns = mt_is_merged(n) ? n->merge->ns : 1;
	int r = 0;
	for (size_t i = 0; i < ns && r == 0; i++) {
		r = from_file(n, sp[i].data, sp[i].len)
			    ? check_file(n->file, n->desc, (size_t)(sp[i].data - n->file->base), sp[i].len, n->depth,
					 &why)
			    : 1;
		if (r == 1)
			r = check_span(n->desc, sp[i].data, sp[i].len, n->depth, &why);
	}
	if (r == 0)
		return 0;
	/* walk again with the tree to report where */
	if (mt_validate(n) < 0)
		return -1;
	return error_code(EXIT_INVALID, "'%s': not a valid Core ML spec: %s", n->label, why ? why : "?");
}

/* Appends the fields of span [p, p + len) to n's list: 0, or -1 (reported) */
static int parse_span(struct mt_node *n, const uint8_t *p, size_t len)
{
	if (from_file(n, p, len) && parse_file(n, p, len) == 0)
		return 0;
	const uint8_t *end = p + len;
	struct wire_field w;
	const char *why = NULL;
	int r;
	/* the field list sized exactly: nodes are many and mostly small, and
	 * growing each from 8 entries touched several times the memory */
	size_t count = n->n;
	for (const uint8_t *q = p; wire_next(&q, end, &w, &why) == 1;)
		count++;
	if (count > n->cap) {
		n->f = xrealloc(n->f, count * sizeof(*n->f));
		n->cap = count;
	}
	while ((r = wire_next(&p, end, &w, &why)) == 1) {
		xgrow((void **)&n->f, &n->cap, n->n + 1, sizeof(*n->f));
		if (mt_classify(n, &n->f[n->n], &w, &why) < 0) {
			n->state = MT_BAD;
			if (reported(n))
				return -1;
			char *path = mt_path(n);
			/* classify keeps fd only for fields it accepts: name the refused one */
			const ProtobufCFieldDescriptor *bfd =
				n->desc ? protobuf_c_message_descriptor_get_field(n->desc, w.number) : NULL;
			if (bfd)
				error_code(EXIT_INVALID, "'%s': not a valid Core ML spec: %s in %s.%s", n->label, why,
					   path, bfd->name);
			else
				error_code(EXIT_INVALID, "'%s': not a valid Core ML spec: %s in %s.%u", n->label, why,
					   path, w.number);
			free(path);
			return -1;
		}
		n->n++;
	}
	if (r < 0)
		return bad(n, why);
	return 0;
}

static int singular_message(const struct mt_field *f)
{
	return f->fd && f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->fd->label != PROTOBUF_C_LABEL_REPEATED &&
	       f->wt == WT_LEN;
}

static int same_oneof(const ProtobufCFieldDescriptor *a, const ProtobufCFieldDescriptor *b)
{
	return (a->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && (b->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
	       a->quantifier_offset == b->quantifier_offset;
}

/* Takes the earlier occurrences of singular message fields out of the list
 * (see "Merging" in tree.h) and flags the occurrences they merge into. */
static void set_ghosts_aside(struct mt_node *n)
{
	struct seen {
		const ProtobufCFieldDescriptor *fd;
		size_t head;
	} *seen = NULL;
	size_t ns = 0, scap = 0, nghost = 0;
	size_t *head = NULL; /* per field: the index of its head, or SIZE_MAX */
	for (size_t i = n->n; i-- > 0;) {
		const struct mt_field *f = &n->f[i];
		const ProtobufCFieldDescriptor *fd = f->fd;
		if (!fd)
			continue;
		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			for (size_t j = 0; j < ns;) {
				if (seen[j].fd != fd && same_oneof(seen[j].fd, fd))
					seen[j] = seen[--ns];
				else
					j++;
			}
		if (!singular_message(f))
			continue;
		size_t j = 0;
		while (j < ns && seen[j].fd != fd)
			j++;
		if (j == ns) {
			xgrow((void **)&seen, &scap, ns + 1, sizeof(*seen));
			seen[ns++] = (struct seen){ fd, i };
			continue;
		}
		if (!head) {
			head = xmalloc(n->n * sizeof(*head));
			for (size_t q = 0; q < n->n; q++)
				head[q] = SIZE_MAX;
		}
		head[i] = seen[j].head;
		nghost++;
	}
	free(seen);
	if (!nghost)
		return;
	struct mt_merge *m = mt_merge_of(n);
	m->g = xcalloc(nghost, sizeof(*m->g));
	size_t *newidx = xmalloc(n->n * sizeof(*newidx)), k = 0;
	for (size_t i = 0; i < n->n; i++) {
		struct mt_field *f = &n->f[i];
		if (head[i] == SIZE_MAX) {
			newidx[i] = k;
			n->f[k++] = *f;
			continue;
		}
		m->g[m->ng++] = (struct mt_ghost){ f->raw, f->val, f->rawlen, f->vlen, k, head[i], 0 };
	}
	for (size_t q = 0; q < m->ng; q++) {
		m->g[q].head = newidx[m->g[q].head];
		n->f[m->g[q].head].flags |= MT_F_MERGED;
	}
	n->n = k;
	free(newidx);
	free(head);
}

int mt_parse(struct mt_node *n)
{
	if (n->state == MT_PARSED)
		return 0;
	if (n->state == MT_BAD)
		return error_code_silent(EXIT_INVALID);
	if (n->depth > MT_MAX_DEPTH)
		return bad(n, "messages nested too deeply");
	if (mt_is_merged(n)) {
		for (size_t i = 0; i < n->merge->ns; i++)
			if (parse_span(n, n->merge->s[i].data, n->merge->s[i].len) < 0)
				return -1;
	} else if (parse_span(n, n->data, n->len) < 0) {
		return -1;
	}
	set_ghosts_aside(n);
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
		c->file = n->file;
		if ((f->flags & MT_F_MERGED) && n->merge) {
			struct mt_merge *m = mt_merge_of(c);
			size_t k = 1;
			for (size_t q = 0; q < n->merge->ng; q++)
				k += n->merge->g[q].head == i && !n->merge->g[q].gone;
			m->s = xmalloc(k * sizeof(*m->s));
			for (size_t q = 0; q < n->merge->ng; q++) {
				const struct mt_ghost *g = &n->merge->g[q];
				if (g->head == i && !g->gone)
					m->s[m->ns++] = (struct mt_span){ g->val, g->vlen };
			}
			m->s[m->ns++] = (struct mt_span){ f->val, f->vlen };
		}
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
	const ProtobufCFieldDescriptor *fd =
		n->desc ? protobuf_c_message_descriptor_get_field_by_name(n->desc, name) : NULL;
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
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_ENUM: return (int32_t)(uint32_t)u;
	case PROTOBUF_C_TYPE_SFIXED32: return (int32_t)(uint32_t)u;
	case PROTOBUF_C_TYPE_SINT32: return wire_zigzag32((uint32_t)u);
	case PROTOBUF_C_TYPE_SINT64: return wire_zigzag64(u);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: return (uint32_t)u;
	case PROTOBUF_C_TYPE_BOOL: return u != 0;
	default: return (int64_t)u;
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

void mt_release_value(const struct mt_node *n, const struct mt_field *f)
{
#ifdef MADV_DONTNEED
	const struct mt_file *fl = n->file;
	if (!fl || f->vlen < RELEASE_MIN || f->val < fl->base || f->vlen > fl->len ||
	    (size_t)(f->val - fl->base) > fl->len - f->vlen)
		return;
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0)
		return;
	uintptr_t a = ((uintptr_t)f->val + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);
	uintptr_t b = ((uintptr_t)f->val + f->vlen) & ~(uintptr_t)(pg - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
#else
	(void)n, (void)f;
#endif
}

struct mt_node *mt_get_named(struct mt_node *n, const char *name)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	return num ? mt_get(n, num) : NULL;
}

int64_t mt_get_int_named(struct mt_node *n, const char *name, int64_t dflt)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	return num ? mt_get_int(n, num, dflt) : dflt;
}

size_t mt_count_named(struct mt_node *n, const char *name)
{
	uint32_t num = n ? mt_number(n, name) : 0;
	size_t k = 0;
	for (size_t i = 0; num && i < n->n; i++) {
		if (n->f[i].number != num || !n->f[i].fd)
			continue;
		if (n->f[i].fd->type == PROTOBUF_C_TYPE_MESSAGE || n->f[i].fd->type == PROTOBUF_C_TYPE_STRING ||
		    n->f[i].fd->type == PROTOBUF_C_TYPE_BYTES) {
			k++;
			continue;
		}
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&n->f[i], &pos, &u))
			k++;
	}
	return k;
}
