/* dump: walk the lazy tree and print it (see dump.h). */
#include "spec/dump.h"
#include "base/error.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

#define SHOW_BYTES 32  /* bytes fields longer than this are summarised */
#define SHOW_VALUES 16 /* repeated scalars beyond this are summarised */

int is_map_entry(const ProtobufCMessageDescriptor *d)
{
	if (!d || d->n_fields != 2)
		return 0;
	size_t l = strlen(d->name);
	return l > 5 && !strcmp(d->name + l - 5, "Entry") && d->fields[0].id == 1 && d->fields[1].id == 2 &&
	       !strcmp(d->fields[0].name, "key") && !strcmp(d->fields[1].name, "value");
}

static void pad(FILE *fp, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', fp);
}

/* the length of the well-formed UTF-8 sequence at p[0..n) (no overlong
 * forms, surrogates or values past U+10FFFF), 0 when there is none */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (p[k] < 0x80 || p[k] > 0xbf)
			return 0;
	return len;
}

/* p[0..n) quoted as protobuf's text format does: control characters, and
 * bytes that are not text, as octal escapes, so that the dump is valid
 * UTF-8 whatever the field holds.  A string field's well-formed UTF-8 is
 * kept as it is; a bytes field (text is true only for strings) escapes
 * every byte >= 0x80. */
static void text_quoted(FILE *fp, const uint8_t *p, size_t n, int text)
{
	fputc('"', fp);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		size_t u;
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\%03o", c);
		else if (c < 0x80)
			fputc(c, fp);
		else if (text && (u = utf8_len(p + i, n - i)) > 0) {
			fwrite(p + i, 1, u, fp);
			i += u - 1;
		} else
			fprintf(fp, "\\%03o", c);
	}
	fputc('"', fp);
}

static void text_value(FILE *fp, const ProtobufCFieldDescriptor *fd, uint64_t u)
{
	char b[40];
	switch (fd->type) {
	case PROTOBUF_C_TYPE_FLOAT:
		fmt_float(b, sizeof(b), (float)mt_raw_double(fd, u));
		fputs(b, fp);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		fmt_double(b, sizeof(b), mt_raw_double(fd, u));
		fputs(b, fp);
		break;
	case PROTOBUF_C_TYPE_BOOL: fputs(u ? "true" : "false", fp); break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)mt_raw_int(fd, u));
		if (ev)
			fputs(ev->name, fp);
		else
			fprintf(fp, "%lld", (long long)mt_raw_int(fd, u));
		break;
	}
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: fprintf(fp, "%llu", (unsigned long long)u); break;
	default: fprintf(fp, "%lld", (long long)mt_raw_int(fd, u));
	}
}

void print_scalar_raw(FILE *fp, const struct mt_field *f)
{
	if (f->wt == WT_LEN &&
	    (!f->fd || f->fd->type == PROTOBUF_C_TYPE_STRING || f->fd->type == PROTOBUF_C_TYPE_BYTES))
		fwrite(f->val, 1, f->vlen, fp);
	else if (f->fd && !(f->flags & MT_F_PACKED))
		text_value(fp, f->fd, f->u);
	else if (f->fd) {
		size_t pos = 0;
		uint64_t u;
		int first = 1;
		while (mt_scalar_next(f, &pos, &u)) {
			if (!first)
				fputc(' ', fp);
			first = 0;
			text_value(fp, f->fd, u);
		}
	} else {
		fprintf(fp, "%llu", (unsigned long long)f->u);
	}
}

static void text_unknown(FILE *fp, const struct mt_field *f)
{
	fprintf(fp, "%u: ", f->number);
	switch (f->wt) {
	case WT_VARINT: fprintf(fp, "%llu", (unsigned long long)f->u); break;
	case WT_I32: fprintf(fp, "0x%08llx", (unsigned long long)f->u); break;
	case WT_I64: fprintf(fp, "0x%016llx", (unsigned long long)f->u); break;
	case WT_LEN:
		if (f->vlen <= SHOW_BYTES)
			text_quoted(fp, f->val, f->vlen, 0);
		else
			fprintf(fp, "<%zu bytes>", f->vlen);
		break;
	default: fprintf(fp, "<group, %zu bytes>", f->vlen);
	}
	fprintf(fp, "  # unknown field%s\n", f->flags & MT_F_MISMATCH ? " (wire type differs from the schema)" : "");
}

/* how many elements a repeated scalar field occurrence holds: packed fixed
 * width ones from their length alone, so that a dump never reads the values
 * it does not show (a weight's millions of floats) */
static size_t scalar_count(const struct mt_field *f)
{
	if (!(f->flags & MT_F_PACKED))
		return 1;
	switch (f->fd->type) {
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32: return f->vlen / 4;
	case PROTOBUF_C_TYPE_DOUBLE:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64: return f->vlen / 8;
	default: {
		/* varints: one ends at each byte below 0x80 (judge checked the run) */
		size_t k = 0;
		for (size_t b = 0; b < f->vlen; b++)
			k += f->val[b] < 0x80;
		return k;
	}
	}
}

/* a run of occurrences of one repeated scalar field from i: prints them as a
 * list and returns how many fields it consumed */
static size_t text_scalar_list(FILE *fp, struct mt_node *n, size_t i, int ind)
{
	const ProtobufCFieldDescriptor *fd = n->f[i].fd;
	size_t j = i, count = 0;
	for (; j < n->n && n->f[j].number == n->f[i].number && n->f[j].fd; j++)
		count += scalar_count(&n->f[j]);
	pad(fp, ind);
	fprintf(fp, "%s: [", fd->name);
	if (count > SHOW_VALUES)
		fprintf(fp, "%zu values: ", count);
	size_t shown = 0;
	for (size_t k = i; k < j && shown < SHOW_VALUES; k++) {
		size_t pos = 0;
		uint64_t u;
		while (shown < SHOW_VALUES && mt_scalar_next(&n->f[k], &pos, &u)) {
			if (shown++)
				fputs(", ", fp);
			text_value(fp, fd, u);
		}
	}
	fputs(count > SHOW_VALUES ? ", ...]\n" : "]\n", fp);
	return j - i;
}

int dump_text(FILE *fp, struct mt_node *n, int ind)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		struct mt_field *f = &n->f[i];
		if (!f->fd) {
			pad(fp, ind);
			text_unknown(fp, f);
			continue;
		}
		const ProtobufCFieldDescriptor *fd = f->fd;
		if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			struct mt_node *c = mt_child(n, i);
			if (!c)
				return -1;
			pad(fp, ind);
			if (is_map_entry(fd->descriptor) && c->n <= 2 &&
			    (c->n == 0 || c->f[c->n - 1].fd == NULL ||
			     c->f[c->n - 1].fd->type != PROTOBUF_C_TYPE_MESSAGE)) {
				fprintf(fp, "%s {", fd->name);
				for (size_t k = 0; k < c->n; k++) {
					struct mt_field *e = &c->f[k];
					if (!e->fd) {
						fprintf(fp, " %u: ...", e->number);
						continue;
					}
					fprintf(fp, " %s: ", e->fd->name);
					if (e->wt == WT_LEN)
						text_quoted(fp, e->val, e->vlen, e->fd->type == PROTOBUF_C_TYPE_STRING);
					else
						text_value(fp, e->fd, e->u);
				}
				fputs(" }\n", fp);
				continue;
			}
			fprintf(fp, "%s {\n", fd->name);
			if (dump_text(fp, c, ind + 2) < 0)
				return -1;
			pad(fp, ind);
			fputs("}\n", fp);
		} else if (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_BYTES) {
			pad(fp, ind);
			fprintf(fp, "%s: ", fd->name);
			if (fd->type == PROTOBUF_C_TYPE_BYTES && f->vlen > SHOW_BYTES)
				fprintf(fp, "<%zu bytes>\n", f->vlen);
			else {
				text_quoted(fp, f->val, f->vlen, fd->type == PROTOBUF_C_TYPE_STRING);
				fputc('\n', fp);
			}
		} else if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			i += text_scalar_list(fp, n, i, ind) - 1;
		} else {
			pad(fp, ind);
			fprintf(fp, "%s: ", fd->name);
			text_value(fp, fd, f->u);
			fputc('\n', fp);
		}
	}
	return 0;
}

/* ---- JSON -------------------------------------------------------------------- */

/* 2^53: the largest integer every JSON reader holds exactly */
#define JSON_EXACT_INT ((int64_t)1 << 53)

static void json_scalar(struct jw *w, const ProtobufCFieldDescriptor *fd, uint64_t u)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_FLOAT: jw_float(w, (float)mt_raw_double(fd, u)); break;
	case PROTOBUF_C_TYPE_DOUBLE: jw_double(w, mt_raw_double(fd, u)); break;
	case PROTOBUF_C_TYPE_BOOL: jw_bool(w, u != 0); break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)mt_raw_int(fd, u));
		if (ev)
			jw_str(w, ev->name);
		else
			jw_int(w, mt_raw_int(fd, u));
		break;
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64: {
		int64_t v = mt_raw_int(fd, u);
		if (w->int64_numbers && v >= -JSON_EXACT_INT && v <= JSON_EXACT_INT) {
			jw_int(w, v);
			break;
		}
		char b[32];
		snprintf(b, sizeof(b), "%lld", (long long)mt_raw_int(fd, u));
		jw_str(w, b);
		break;
	}
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: {
		if (w->int64_numbers && u <= (uint64_t)JSON_EXACT_INT) {
			jw_uint(w, u);
			break;
		}
		char b[32];
		snprintf(b, sizeof(b), "%llu", (unsigned long long)u);
		jw_str(w, b);
		break;
	}
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: jw_uint(w, (uint32_t)u); break;
	default: jw_int(w, mt_raw_int(fd, u));
	}
}

static int json_value(struct jw *w, struct mt_node *n, size_t i)
{
	struct mt_field *f = &n->f[i];
	const ProtobufCFieldDescriptor *fd = f->fd;
	switch (fd->type) {
	case PROTOBUF_C_TYPE_MESSAGE: {
		struct mt_node *c = mt_child(n, i);
		return c ? dump_json(w, c) : -1;
	}
	case PROTOBUF_C_TYPE_STRING: jw_strn(w, (const char *)f->val, f->vlen); return 0;
	case PROTOBUF_C_TYPE_BYTES:
		jw_base64(w, f->val, f->vlen);
		mt_release_value(n, f);
		return 0;
	default: json_scalar(w, fd, f->u); return 0;
	}
}

static int is_default(const struct mt_field *f)
{
	const ProtobufCFieldDescriptor *fd = f->fd;
	if (fd->label == PROTOBUF_C_LABEL_REPEATED || (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
	    fd->label == PROTOBUF_C_LABEL_OPTIONAL || fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	if (fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_BYTES)
		return f->vlen == 0;
	if (fd->type == PROTOBUF_C_TYPE_FLOAT || fd->type == PROTOBUF_C_TYPE_DOUBLE)
		return f->u == 0; /* +0.0 only: -0.0 is not the default */
	return mt_raw_int(fd, f->u) == 0;
}

/* a map entry's key as a JSON object key */
static char *map_key(struct mt_node *e)
{
	long k = mt_find_last(e, 1);
	if (k < 0) {
		const ProtobufCFieldDescriptor *kd = e->desc->fields[0].id == 1 ? &e->desc->fields[0] : NULL;
		return xstrdup(kd && kd->type == PROTOBUF_C_TYPE_STRING ? ""
			       : kd && kd->type == PROTOBUF_C_TYPE_BOOL ? "false"
									: "0");
	}
	struct mt_field *f = &e->f[k];
	if (!f->fd || f->wt == WT_LEN)
		return xstrndup((const char *)f->val, f->vlen);
	if (f->fd->type == PROTOBUF_C_TYPE_BOOL)
		return xstrdup(f->u ? "true" : "false");
	if (f->fd->type == PROTOBUF_C_TYPE_UINT64 || f->fd->type == PROTOBUF_C_TYPE_FIXED64)
		return xasprintf("%llu", (unsigned long long)f->u);
	return xasprintf("%lld", (long long)mt_raw_int(f->fd, f->u));
}

/* a map entry: its key, its field, whether the key occurs again later */
struct map_key {
	char *key;
	size_t field;
	int later;
};

/* by key, then by position */
static int cmp_map_key(const void *a, const void *b)
{
	const struct map_key *x = *(const struct map_key *const *)a, *y = *(const struct map_key *const *)b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->field > y->field) - (x->field < y->field);
}

static int json_map_value(struct jw *w, struct mt_node *e)
{
	long v = mt_find_last(e, 2);
	const ProtobufCFieldDescriptor *vd = protobuf_c_message_descriptor_get_field(e->desc, 2);
	if (v < 0 || !e->f[v].fd) {
		switch (vd->type) {
		case PROTOBUF_C_TYPE_MESSAGE:
			jw_obj(w);
			jw_obj_end(w);
			break;
		case PROTOBUF_C_TYPE_STRING:
		case PROTOBUF_C_TYPE_BYTES: jw_str(w, ""); break;
		case PROTOBUF_C_TYPE_BOOL: jw_bool(w, 0); break;
		case PROTOBUF_C_TYPE_ENUM: json_scalar(w, vd, 0); break;
		default: json_scalar(w, vd, 0);
		}
		return 0;
	}
	return json_value(w, e, (size_t)v);
}

/* the last occurrence of num that the schema knows */
static size_t last_known(struct mt_node *n, uint32_t num)
{
	size_t last = 0;
	for (size_t i = 0; i < n->n; i++)
		if (n->f[i].number == num && n->f[i].fd)
			last = i;
	return last;
}

int dump_json_field(struct jw *w, struct mt_node *n, size_t i)
{
	struct mt_field *f = &n->f[i];
	const ProtobufCFieldDescriptor *fd = f->fd;
	uint32_t num = f->number;
	if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
		/* the last occurrence wins */
		return json_value(w, n, last_known(n, num));
	}
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE && is_map_entry(fd->descriptor)) {
		/* a key that occurs again later is left out: the last entry wins,
		 * as in a protobuf parser, and a JSON object has each key once */
		struct map_key *keys = NULL;
		size_t nk = 0, kcap = 0;
		int rc = 0;
		for (size_t j = i; j < n->n; j++) {
			if (n->f[j].number != num || !n->f[j].fd)
				continue;
			struct mt_node *e = mt_child(n, j);
			if (!e) {
				rc = -1;
				break;
			}
			xgrow((void **)&keys, &kcap, nk + 1, sizeof(*keys));
			keys[nk] = (struct map_key){ map_key(e), j, 0 };
			nk++;
		}
		if (rc == 0) {
			struct map_key **by = xmalloc((nk ? nk : 1) * sizeof(*by));
			for (size_t q = 0; q < nk; q++)
				by[q] = &keys[q];
			qsort(by, nk, sizeof(*by), cmp_map_key);
			for (size_t q = 0; q + 1 < nk; q++)
				if (!strcmp(by[q]->key, by[q + 1]->key))
					by[q]->later = 1;
			free(by);
			jw_obj(w);
			for (size_t q = 0; q < nk && rc == 0; q++) {
				if (keys[q].later)
					continue;
				jw_key(w, keys[q].key);
				rc = json_map_value(w, mt_child(n, keys[q].field));
			}
			jw_obj_end(w);
		}
		for (size_t q = 0; q < nk; q++)
			free(keys[q].key);
		free(keys);
		return rc;
	}
	jw_arr(w);
	for (size_t j = i; j < n->n; j++) {
		if (n->f[j].number != num || !n->f[j].fd)
			continue;
		if (n->f[j].flags & MT_F_PACKED) {
			size_t pos = 0;
			uint64_t u;
			while (mt_scalar_next(&n->f[j], &pos, &u))
				json_scalar(w, fd, u);
			mt_release_value(n, &n->f[j]);
		} else if (json_value(w, n, j) < 0) {
			return -1;
		}
	}
	jw_arr_end(w);
	return 0;
}

int dump_json(struct jw *w, struct mt_node *n)
{
	if (mt_parse(n) < 0)
		return -1;
	uint32_t *seen = NULL;
	size_t nseen = 0, cap = 0;
	/* the member of each oneof that a parser keeps: the last one set */
	struct {
		unsigned off;
		uint32_t num;
	} *oneof = NULL;
	size_t no = 0, ocap = 0;
	for (size_t i = n->n; i-- > 0;) {
		const ProtobufCFieldDescriptor *fd = n->f[i].fd;
		if (!fd || !(fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			continue;
		size_t k = 0;
		while (k < no && oneof[k].off != fd->quantifier_offset)
			k++;
		if (k < no)
			continue;
		xgrow((void **)&oneof, &ocap, no + 1, sizeof(*oneof));
		oneof[no].off = fd->quantifier_offset;
		oneof[no++].num = fd->id;
	}
	jw_obj(w);
	for (size_t i = 0; i < n->n; i++) {
		struct mt_field *f = &n->f[i];
		if (!f->fd)
			continue;
		int dup = 0;
		if (f->fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			for (size_t k = 0; k < no; k++)
				if (oneof[k].off == f->fd->quantifier_offset && oneof[k].num != f->number)
					dup = 1; /* reset by a later member of its oneof */
		for (size_t k = 0; k < nseen; k++)
			if (seen[k] == f->number) {
				dup = 1;
				break;
			}
		if (dup)
			continue;
		xgrow((void **)&seen, &cap, nseen + 1, sizeof(*seen));
		seen[nseen++] = f->number;
		if (f->fd->label != PROTOBUF_C_LABEL_REPEATED) {
			if (is_default(&n->f[last_known(n, f->number)]))
				continue;
		}
		jw_key(w, f->fd->name);
		if (dump_json_field(w, n, i) < 0) {
			free(seen);
			free(oneof);
			return -1;
		}
	}
	jw_obj_end(w);
	free(seen);
	free(oneof);
	return 0;
}
