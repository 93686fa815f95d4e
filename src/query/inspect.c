/* inspect: small helpers over the spec tree the query modules share
 * (string lists, children, fields); see inspect.h. */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/dump.h"
#include "MIL.pb-c.h"
#include "NeuralNetwork.pb-c.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- small helpers ---------------------------------------------------------- */

void sl_push(struct strlist *l, char *s)
{
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

void sl_pushf(struct strlist *l, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sl_push(l, sb_detach(&sb, NULL));
}

void sl_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int sl_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

int next_child(struct mt_node *n, uint32_t num, long *i, struct mt_node **out)
{
	if (mt_parse(n) < 0)
		return -1;
	for (;;) {
		long k = mt_find(n, num, (size_t)(*i + 1));
		*i = k;
		if (k < 0)
			return 0;
		const struct mt_field *f = &n->f[k];
		/* occurrences the schema cannot read (another wire type) are skipped */
		if (f->fd && f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->wt == WT_LEN)
			break;
	}
	*out = mt_child(n, (size_t)*i);
	return *out ? 1 : -1;
}

/* the child message numbered num (last occurrence): 1 and *out, 0 when
 * absent or not readable as that message (another wire type), -1 when it
 * is invalid (reported) */
int child_of(struct mt_node *n, uint32_t num, struct mt_node **out)
{
	*out = NULL;
	if (mt_parse(n) < 0)
		return -1;
	long i = mt_find_last(n, num);
	if (i < 0)
		return 0;
	const struct mt_field *f = &n->f[i];
	if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || f->wt != WT_LEN)
		return 0;
	*out = mt_child(n, (size_t)i);
	return *out ? 1 : -1;
}

char *field_str(struct mt_node *n, uint32_t num)
{
	char *s = mt_get_str(n, num);
	return s ? s : xstrdup("");
}

/* the name of an enum field's value, NULL when absent or unknown */
const char *enum_name(struct mt_node *n, uint32_t num)
{
	long i = mt_find_last(n, num);
	if (i < 0 || !n->f[i].fd || n->f[i].fd->type != PROTOBUF_C_TYPE_ENUM)
		return NULL;
	const ProtobufCEnumValue *ev =
		protobuf_c_enum_descriptor_get_value(n->f[i].fd->descriptor, (int)mt_int(&n->f[i]));
	return ev ? ev->name : NULL;
}

/* the set member of a oneof-style message: the last known message field */
long set_member(struct mt_node *n)
{
	long found = -1;
	for (size_t i = 0; i < n->n; i++)
		if (n->f[i].fd && n->f[i].fd->type == PROTOBUF_C_TYPE_MESSAGE &&
		    (n->f[i].fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			found = (long)i;
	return found;
}

/* every element of a repeated integer field, all occurrences */
int64_t *int_list(struct mt_node *n, uint32_t num, size_t *count)
{
	int64_t *v = NULL;
	size_t k = 0, cap = 0;
	for (size_t i = 0; i < n->n; i++) {
		if (n->f[i].number != num || !n->f[i].fd)
			continue;
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&n->f[i], &pos, &u)) {
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			v[k++] = mt_raw_int(n->f[i].fd, u);
		}
	}
	*count = k;
	return v;
}

size_t count_num(struct mt_node *n, uint32_t num)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n; i++)
		k += n->f[i].number == num && n->f[i].fd;
	return k;
}

void lower_into(char *dst, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		dst[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	dst[i] = 0;
}

/* appends s with control characters and quotes escaped */
void sb_add_quoted(struct strbuf *sb, const char *s, size_t n)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c == '\n')
			sb_adds(sb, "\\n");
		else if (c == '\t')
			sb_adds(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_addf(sb, "\\x%02x", c);
		else
			sb_addc(sb, (char)c);
	}
	sb_addc(sb, '"');
}
