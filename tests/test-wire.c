/* test-wire: the wire primitives, every wire type, bounds, UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "spec/wire.h"

static void varint_roundtrip(void **state)
{
	uint64_t vals[] = { 0, 1, 127, 128, 300, 16383, 16384, UINT32_MAX, (uint64_t)1 << 63, UINT64_MAX };
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		uint8_t buf[10];
		size_t n = wire_put_varint(buf, vals[i]);
		assert_int_equal(n, wire_varint_size(vals[i]));
		const uint8_t *p = buf;
		uint64_t v;
		assert_int_equal(wire_varint(&p, buf + n, &v), 0);
		assert_true(v == vals[i]);
		assert_ptr_equal(p, buf + n);
	}
}

static void varint_bad(void **state)
{
	uint8_t trunc[] = { 0x80, 0x80 };
	const uint8_t *p = trunc;
	uint64_t v;
	assert_int_equal(wire_varint(&p, trunc + 2, &v), -1);
	uint8_t overlong[11];
	memset(overlong, 0xff, sizeof(overlong));
	p = overlong;
	assert_int_equal(wire_varint(&p, overlong + 11, &v), -1);
	/* 10th byte may only carry one bit */
	uint8_t big[10] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	p = big;
	assert_int_equal(wire_varint(&p, big + 10, &v), -1);
}

static void every_wire_type(void **state)
{
	/* 1: varint 150; 2: fixed64; 3: len "hi"; 4: group{5: varint 1}; 6: fixed32 */
	uint8_t b[] = { 0x08, 0x96, 0x01, 0x11, 1,    2,    3,    4,    5, 6, 7, 8, 0x1a,
			0x02, 'h',  'i',  0x23, 0x28, 0x01, 0x24, 0x35, 9, 0, 0, 0 };
	const uint8_t *p = b, *end = b + sizeof(b);
	struct wire_field f;
	const char *why;
	assert_int_equal(wire_next(&p, end, &f, &why), 1);
	assert_int_equal(f.number, 1);
	assert_int_equal(f.wt, WT_VARINT);
	assert_int_equal(f.u, 150);
	assert_int_equal(wire_next(&p, end, &f, &why), 1);
	assert_int_equal(f.wt, WT_I64);
	assert_true(f.u == 0x0807060504030201ull);
	assert_int_equal(wire_next(&p, end, &f, &why), 1);
	assert_int_equal(f.wt, WT_LEN);
	assert_int_equal(f.vlen, 2);
	assert_memory_equal(f.val, "hi", 2);
	assert_int_equal(wire_next(&p, end, &f, &why), 1);
	assert_int_equal(f.number, 4);
	assert_int_equal(f.wt, WT_SGROUP);
	assert_int_equal(wire_next(&p, end, &f, &why), 1);
	assert_int_equal(f.number, 6);
	assert_int_equal(f.wt, WT_I32);
	assert_int_equal(f.u, 9);
	assert_int_equal(wire_next(&p, end, &f, &why), 0);
}

static void malformed(void **state)
{
	struct wire_field f;
	const char *why;
	uint8_t len_past[] = { 0x0a, 0x05, 'a' };
	const uint8_t *p = len_past;
	assert_int_equal(wire_next(&p, len_past + sizeof(len_past), &f, &why), -1);
	uint8_t field0[] = { 0x00, 0x01 };
	p = field0;
	assert_int_equal(wire_next(&p, field0 + 2, &f, &why), -1);
	uint8_t wt7[] = { 0x0f, 0x01 };
	p = wt7;
	assert_int_equal(wire_next(&p, wt7 + 2, &f, &why), -1);
	uint8_t lone_end[] = { 0x0c };
	p = lone_end;
	assert_int_equal(wire_next(&p, lone_end + 1, &f, &why), -1);
	uint8_t open_group[] = { 0x0b, 0x10, 0x01 };
	p = open_group;
	assert_int_equal(wire_next(&p, open_group + 3, &f, &why), -1);
	uint8_t short_fixed[] = { 0x0d, 1, 2 };
	p = short_fixed;
	assert_int_equal(wire_next(&p, short_fixed + 3, &f, &why), -1);
}

static void utf8(void **state)
{
	assert_true(wire_utf8_valid((const uint8_t *)"plain", 5));
	assert_true(wire_utf8_valid((const uint8_t *)"\xc3\xa9t\xc3\xa9", 6));
	assert_true(wire_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
	assert_false(wire_utf8_valid((const uint8_t *)"\xff", 1));
	assert_false(wire_utf8_valid((const uint8_t *)"\xc0\xaf", 2));     /* overlong */
	assert_false(wire_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* surrogate */
	assert_false(wire_utf8_valid((const uint8_t *)"\xe2\x82", 2));     /* truncated */
}

static void zigzag(void **state)
{
	assert_int_equal(wire_zigzag64(0), 0);
	assert_int_equal(wire_zigzag64(1), -1);
	assert_int_equal(wire_zigzag64(2), 1);
	assert_int_equal(wire_zigzag32(3), -2);
	assert_int_equal(wire_zigzag32(UINT32_MAX), INT32_MIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(varint_roundtrip), cmocka_unit_test(varint_bad), cmocka_unit_test(every_wire_type),
		cmocka_unit_test(malformed),        cmocka_unit_test(utf8),       cmocka_unit_test(zigzag),
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
