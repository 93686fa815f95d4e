/* wire: the protobuf wire format, bounds-checked, over byte spans. */
#ifndef MLPKG_WIRE_H
#define MLPKG_WIRE_H
#include <stddef.h>
#include <stdint.h>

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_SGROUP = 3, WT_EGROUP = 4, WT_I32 = 5 };

/* One field occurrence as it stands in the bytes. */
struct wire_field {
	uint32_t number;
	int wt;
	const uint8_t *start; /* first byte of the tag */
	const uint8_t *val;   /* value: varint bytes, fixed bytes, LEN payload, group body */
	size_t vlen;
	const uint8_t *end; /* one past the field */
	uint64_t u;         /* varint or fixed value (LEN: payload length) */
};

/* Reads a varint at *p (advancing it); 0 on success, -1 if truncated or overlong. */
int wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *out);
/* Reads the next field at *p; 1 when one was read, 0 at the end, -1 when
 * malformed (*why says how, a static string). */
int wire_next(const uint8_t **p, const uint8_t *end, struct wire_field *f, const char **why);
size_t wire_varint_size(uint64_t v);
/* Encodes v into buf (at least 10 bytes); returns the length. */
size_t wire_put_varint(uint8_t *buf, uint64_t v);
static inline uint64_t wire_tag(uint32_t number, int wt)
{
	return ((uint64_t)number << 3) | (unsigned)wt;
}
static inline int64_t wire_zigzag64(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}
static inline int32_t wire_zigzag32(uint32_t v)
{
	return (int32_t)(v >> 1) ^ -(int32_t)(v & 1);
}
uint32_t wire_le32(const uint8_t *p);
uint64_t wire_le64(const uint8_t *p);
/* 1 when the bytes are valid UTF-8 (as protobuf requires of proto3 strings). */
int wire_utf8_valid(const uint8_t *p, size_t n);
#endif
