/* test-fmtfloat: fmt_float (base/jsonout.h), the float32 form that dumps
 * print, against its definition: the %.*g text at the least precision that
 * strtof reads back to the same float.  fmt_float computes it by integer
 * arithmetic where it can; the two must agree on every float, so this
 * compares them on a spread of bit patterns and on the hard cases: powers
 * of two (a narrower gap below), values whose short forms are exact ties,
 * the edges of the integer path's range, zeros, subnormals and extremes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include "base/jsonout.h"

static void by_definition(char *buf, size_t n, float v)
{
	for (int p = 1; p <= 9; p++) {
		snprintf(buf, n, "%.*g", p, (double)v);
		if (strtof(buf, NULL) == v)
			return;
	}
}

static int agree(float v)
{
	char a[40], b[40];
	fmt_float(a, sizeof(a), v);
	by_definition(b, sizeof(b), v);
	if (strcmp(a, b)) {
		print_error("%a: fmt_float %s, %%.*g %s\n", (double)v, a, b);
		return 0;
	}
	return 1;
}

static float from_bits(uint32_t u)
{
	float v;
	memcpy(&v, &u, 4);
	return v;
}

static void test_spread(void **state)
{
	(void)state;
	size_t bad = 0;
	/* a prime step visits every exponent with varied mantissas */
	for (uint64_t u = 0; u <= 0xffffffffu; u += 4099) {
		float v = from_bits((uint32_t)u);
		if (!isnan(v) && !agree(v) && ++bad > 10)
			break;
	}
	assert_int_equal(bad, 0);
}

static void test_hard_cases(void **state)
{
	(void)state;
	size_t bad = 0;
	/* powers of two, each with its neighbours */
	for (int e = -149; e <= 127; e++)
		for (int s = -1; s <= 1; s += 2) {
			float v = s * ldexpf(1.0f, e);
			bad += !agree(v) + !agree(nextafterf(v, 0)) + !agree(nextafterf(v, 2 * v));
		}
	/* short decimals and halves, exact ties at some precision among them */
	for (int k = -2000; k <= 2000; k++) {
		bad += !agree((float)k / 8) + !agree((float)k * 0.001f) + !agree((float)k * 1e6f) +
		       !agree((float)k * 1e-6f);
		bad += !agree((float)k + 0.5f) + !agree((float)k * 125.0f);
	}
	/* every float of the binades at the ends of the integer path (2^-20..2^-18,
	 * 2^119..2^121), sampled */
	for (uint32_t be = 106; be <= 110; be++)
		for (uint32_t f = 0; f < 0x800000; f += 389)
			bad += !agree(from_bits(be << 23 | f));
	for (uint32_t be = 245; be <= 249; be++)
		for (uint32_t f = 0; f < 0x800000; f += 389)
			bad += !agree(from_bits(be << 23 | f));
	float odd[] = { 0.0f,       -0.0f,       1.0f, -1.0f, 100.0f,        1e-5f,          1e-4f,           123456.0f,
			1234567.0f, 16777216.0f, 0.1f, 0.3f,  3.4028235e38f, -3.4028235e38f, 1.17549435e-38f, 1e-45f,
			2.5f,       0.25f,       9.5f, 99.5f, 999999.5f };
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		bad += !agree(odd[i]);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_hard_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
