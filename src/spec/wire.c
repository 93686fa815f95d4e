/* wire: decoding and encoding of protobuf wire primitives, never reading
 * past the span it is given. */
#include "spec/wire.h"
#include <string.h>

int wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	for (int shift = 0; shift < 70; shift += 7) {
		if (q >= end)
			return -1;
		uint8_t b = *q++;
		if (shift == 63 && (b & 0x7e))
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*p = q;
			*out = v;
			return 0;
		}
	}
	return -1;
}

static int skip_group(const uint8_t **p, const uint8_t *end, uint32_t number, int depth, const char **why);

static int read_value(const uint8_t **p, const uint8_t *end, struct wire_field *f, int depth, const char **why)
{
	const uint8_t *q = *p;
	switch (f->wt) {
	case WT_VARINT:
		f->val = q;
		if (wire_varint(&q, end, &f->u) < 0)
			return *why = "truncated varint", -1;
		f->vlen = (size_t)(q - f->val);
		break;
	case WT_I64:
		if ((size_t)(end - q) < 8)
			return *why = "truncated fixed64", -1;
		f->val = q;
		f->vlen = 8;
		f->u = wire_le64(q);
		q += 8;
		break;
	case WT_I32:
		if ((size_t)(end - q) < 4)
			return *why = "truncated fixed32", -1;
		f->val = q;
		f->vlen = 4;
		f->u = wire_le32(q);
		q += 4;
		break;
	case WT_LEN: {
		uint64_t n;
		if (wire_varint(&q, end, &n) < 0)
			return *why = "truncated length", -1;
		if (n > (uint64_t)(end - q))
			return *why = "length runs past the end of its message", -1;
		f->val = q;
		f->vlen = (size_t)n;
		f->u = n;
		q += n;
		break;
	}
	case WT_SGROUP:
		f->val = q;
		if (skip_group(&q, end, f->number, depth + 1, why) < 0)
			return -1;
		f->vlen = (size_t)(q - f->val);
		break;
	default: return *why = "invalid wire type", -1;
	}
	*p = q;
	return 0;
}

/* skips a group body up to and including its end tag */
static int skip_group(const uint8_t **p, const uint8_t *end, uint32_t number, int depth, const char **why)
{
	if (depth > 64)
		return *why = "groups nested too deeply", -1;
	for (;;) {
		uint64_t tag;
		const uint8_t *q = *p;
		if (wire_varint(&q, end, &tag) < 0)
			return *why = "unterminated group", -1;
		struct wire_field g = { .number = (uint32_t)(tag >> 3), .wt = (int)(tag & 7) };
		if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
			return *why = "invalid field number", -1;
		if (g.wt == WT_EGROUP) {
			if (g.number != number)
				return *why = "mismatched end of group", -1;
			*p = q;
			return 0;
		}
		if (read_value(&q, end, &g, depth, why) < 0)
			return -1;
		*p = q;
	}
}

int wire_next(const uint8_t **p, const uint8_t *end, struct wire_field *f, const char **why)
{
	const uint8_t *q = *p;
	uint64_t tag;
	if (q >= end)
		return 0;
	f->start = q;
	if (wire_varint(&q, end, &tag) < 0)
		return *why = "truncated tag", -1;
	if ((tag >> 3) == 0 || (tag >> 3) > 0x1fffffff)
		return *why = "invalid field number", -1;
	f->number = (uint32_t)(tag >> 3);
	f->wt = (int)(tag & 7);
	if (f->wt == WT_EGROUP)
		return *why = "end of group without a start", -1;
	if (read_value(&q, end, f, 0, why) < 0)
		return -1;
	f->end = q;
	*p = q;
	return 1;
}

size_t wire_varint_size(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

size_t wire_put_varint(uint8_t *buf, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		buf[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	buf[n++] = (uint8_t)v;
	return n;
}

uint32_t wire_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t wire_le64(const uint8_t *p)
{
	return (uint64_t)wire_le32(p) | (uint64_t)wire_le32(p + 4) << 32;
}

int wire_utf8_valid(const uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}
