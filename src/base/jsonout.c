/* jsonout: streaming JSON output and escaping (see jsonout.h). */
#include "base/jsonout.h"
#include "base/error.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, FILE *fp)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
}

void jw_fork(struct jw *sub, const struct jw *w, FILE *fp)
{
	*sub = *w;
	sub->fp = fp;
}

FILE *jw_fork_mem(struct jw *sub, const struct jw *w, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	FILE *mem = open_memstream(buf, len);
	if (!mem)
		die(EXIT_FAIL, "out of memory");
	jw_fork(sub, w, mem);
	return mem;
}

void jw_join(struct jw *w, const struct jw *sub, const char *buf, size_t len)
{
	FILE *fp = w->fp;
	fwrite(buf, 1, len, fp);
	*w = *sub;
	w->fp = fp;
}

static void indent(struct jw *w)
{
	static const char sp[] = "\n                                                                ";
	size_t n = 1 + 2 * (size_t)w->depth;
	if (n <= sizeof(sp) - 1) {
		fwrite(sp, 1, n, w->fp);
		return;
	}
	fputc('\n', w->fp);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->fp);
}

static void put_str(FILE *fp, const char *s, size_t n);

/* separator and indentation before a value or key (and the key waiting
 * for this value) */
static void pre(struct jw *w)
{
	if (w->after_key && !w->key_pending) {
		w->after_key = 0;
		return;
	}
	w->after_key = 0;
	if (w->depth > 0) {
		if (w->count[w->depth])
			fputc(',', w->fp);
		indent(w);
	}
	if (w->depth < JW_MAX_DEPTH)
		w->count[w->depth]++;
	if (w->key_pending) {
		w->key_pending = 0;
		put_str(w->fp, w->key, w->keylen);
		fputs(": ", w->fp);
	}
}

static void open_(struct jw *w, char c)
{
	pre(w);
	fputc(c, w->fp);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->count[w->depth] = 0;
}

static void close_(struct jw *w, char c)
{
	int had = w->count[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (had)
		indent(w);
	fputc(c, w->fp);
}

void jw_obj(struct jw *w)
{
	open_(w, '{');
}
void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}
void jw_arr(struct jw *w)
{
	open_(w, '[');
}
void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

static void put_str(FILE *fp, const char *s, size_t n)
{
	fputc('"', fp);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\b': fputs("\\b", fp); break;
		case '\f': fputs("\\f", fp); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(fp, "\\u%04x", c);
			else
				fputc(c, fp);
		}
	}
	fputc('"', fp);
}

void jw_key(struct jw *w, const char *k)
{
	size_t n = strlen(k);
	if (n < sizeof(w->key)) {
		memcpy(w->key, k, n);
		w->keylen = n;
		w->key_pending = 1;
		return;
	}
	pre(w);
	put_str(w->fp, k, n);
	fputs(": ", w->fp);
	w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	pre(w);
	put_str(w->fp, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	pre(w);
	fprintf(w->fp, "%lld", (long long)v);
}

void jw_uint(struct jw *w, uint64_t v)
{
	pre(w);
	fprintf(w->fp, "%llu", (unsigned long long)v);
}

#if defined(__SIZEOF_INT128__)
typedef unsigned __int128 u128;

/* 10^k for k <= 38 and 5^k for k <= 42, filled on first use */
static u128 p10[39], p5[43];

static void fill_powers(void)
{
	p10[0] = p5[0] = 1;
	for (int k = 1; k < 39; k++)
		p10[k] = p10[k - 1] * 10;
	for (int k = 1; k < 43; k++)
		p5[k] = p5[k - 1] * 5;
}

/* The %.*g text of d * 10^x (d has p digits, the first not 0) into buf, as
 * glibc prints it: fixed when -4 <= x < p, else d.ddde+XX; trailing zeros of
 * the fraction and a bare point dropped. */
static void put_g(char *buf, size_t n, int neg, uint64_t d, int p, int x)
{
	char dig[24], out[64];
	int nd = 0, o = 0;
	for (int k = p - 1; k >= 0; k--, d /= 10)
		dig[k] = (char)('0' + d % 10);
	nd = p;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		out[o++] = '-';
	if (x >= -4 && x < p) {
		if (x < 0) {
			out[o++] = '0';
			out[o++] = '.';
			for (int k = -1; k > x; k--)
				out[o++] = '0';
			for (int k = 0; k < nd; k++)
				out[o++] = dig[k];
		} else {
			for (int k = 0; k <= x; k++)
				out[o++] = k < nd ? dig[k] : '0';
			if (nd > x + 1) {
				out[o++] = '.';
				for (int k = x + 1; k < nd; k++)
					out[o++] = dig[k];
			}
		}
	} else {
		out[o++] = dig[0];
		if (nd > 1) {
			out[o++] = '.';
			for (int k = 1; k < nd; k++)
				out[o++] = dig[k];
		}
		out[o++] = 'e';
		out[o++] = x < 0 ? '-' : '+';
		int ax = x < 0 ? -x : x;
		if (ax >= 100)
			out[o++] = (char)('0' + ax / 100);
		out[o++] = (char)('0' + ax / 10 % 10);
		out[o++] = (char)('0' + ax % 10);
	}
	out[o] = 0;
	if ((size_t)o < n)
		memcpy(buf, out, (size_t)o + 1);
	else if (n)
		snprintf(buf, n, "%s", out);
}

/* fmt_float's answer by exact integer arithmetic, for the normal floats
 * whose exact decimal fits 128 bits (|v| from about 2e-6 to 1e36, weights'
 * usual range): 1 when done, 0 when the caller must take the slow path (a
 * tie to round, or a value outside that range).  The float is m * 2^e; its
 * exact value is N * 10^e with N = m * 5^-e (e < 0) or N = m * 2^e (e >= 0,
 * scale 10^0).  For each precision p from 1, N rounded to p digits (ties
 * left to the slow path, where glibc's rule decides) is kept when it lies
 * inside the interval of reals that round to v, which is what strtof
 * reading it back equal to v means; so the result is the loop's. */
static int fmt_float_fast(char *buf, size_t n, float v)
{
	uint32_t bits;
	memcpy(&bits, &v, 4);
	int neg = (int)(bits >> 31), be = (int)(bits >> 23 & 0xff);
	uint32_t frac = bits & 0x7fffff;
	if (be == 0 || be == 0xff)
		return 0; /* zero, subnormal, inf, NaN */
	uint64_t m = frac | 0x800000;
	int e = be - 150;
	u128 N, F; /* v = N * 10^s, an ulp = F * 10^s */
	int s;
	if (!p10[1])
		fill_powers();
	if (e < 0) {
		if (-e > 42)
			return 0;
		N = (u128)m * p5[-e];
		F = p5[-e];
		s = e;
	} else {
		if (e > 96)
			return 0;
		N = (u128)m << e;
		F = (u128)1 << e;
		s = 0;
	}
	/* in units of 10^s / 4: v is 4N, the midpoints to its neighbours 4N - 2F
	 * (4N - F when m is a power of two: the gap below is half) and 4N + 2F */
	u128 lo_gap = (m == 0x800000 && be > 1) ? F : 2 * F, hi_gap = 2 * F, V4 = 4 * N;
	int even = !(m & 1);
	int nd = 1; /* digits of N */
	while (nd < 39 && N >= p10[nd])
		nd++;
	if (nd > 38)
		return 0;
	/* N's first (up to) 10 digits in 64 bits, and whether any digit after them is not 0 */
	int cut = nd > 10 ? nd - 10 : 0, top = nd - cut;
	uint64_t head = (uint64_t)(N / p10[cut]);
	int sticky = cut && N % p10[cut] != 0;
	uint64_t pw[11] = { 1 };
	for (int k = 1; k < 11; k++)
		pw[k] = pw[k - 1] * 10;
	for (int p = 1; p <= 9; p++) {
		uint64_t d, q;
		int x = nd - 1 + s;
		u128 C4;
		if (p >= top) {
			/* all of N's digits (only when N has at most 9: no cut) */
			d = head * pw[p - top];
			C4 = V4;
		} else {
			uint64_t unit = pw[top - p], r = head % unit;
			q = head / unit;
			if (2 * r == unit && !sticky)
				return 0; /* an exact tie */
			if (2 * r > unit || (2 * r == unit && sticky))
				q++;
			if (q == pw[p]) { /* 9.99 rounded up to 10.0 */
				q /= 10;
				x++;
				C4 = 4 * (u128)q * p10[top - p + cut + 1];
			} else {
				C4 = 4 * (u128)q * p10[top - p + cut];
			}
			d = q;
		}
		int in;
		if (C4 >= V4)
			in = C4 - V4 < hi_gap || (C4 - V4 == hi_gap && even);
		else
			in = V4 - C4 < lo_gap || (V4 - C4 == lo_gap && even);
		if (in) {
			put_g(buf, n, neg, d, p, x);
			return 1;
		}
	}
	return 0;
}
#else
static int fmt_float_fast(char *buf, size_t n, float v)
{
	(void)buf, (void)n, (void)v;
	return 0;
}
#endif

void fmt_float(char *buf, size_t n, float v)
{
	if (fmt_float_fast(buf, n, v))
		return;
	for (int p = 1; p <= 9; p++) {
		snprintf(buf, n, "%.*g", p, (double)v);
		if (strtof(buf, NULL) == v)
			return;
	}
}

void fmt_double(char *buf, size_t n, double v)
{
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static int special(struct jw *w, double v)
{
	if (isnan(v)) {
		jw_str(w, "NaN");
		return 1;
	}
	if (isinf(v)) {
		jw_str(w, v > 0 ? "Infinity" : "-Infinity");
		return 1;
	}
	return 0;
}

void jw_double(struct jw *w, double v)
{
	char b[40];
	if (special(w, v))
		return;
	pre(w);
	fmt_double(b, sizeof(b), v);
	fputs(b, w->fp);
}

void jw_float(struct jw *w, float v)
{
	char b[40];
	if (special(w, v))
		return;
	pre(w);
	fmt_float(b, sizeof(b), v);
	fputs(b, w->fp);
}

void jw_bool(struct jw *w, int v)
{
	pre(w);
	fputs(v ? "true" : "false", w->fp);
}

void jw_null(struct jw *w)
{
	if (w->key_pending) { /* absent is omitted */
		w->key_pending = 0;
		return;
	}
	pre(w);
	fputs("null", w->fp);
}

void jw_base64(struct jw *w, const uint8_t *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4096]; /* encoded in blocks, one write each */
	size_t o = 0;
	pre(w);
	out[o++] = '"';
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o] = t[v >> 18], out[o + 1] = t[(v >> 12) & 63], out[o + 2] = t[(v >> 6) & 63],
		out[o + 3] = t[v & 63];
		o += 4;
		if (o > sizeof(out) - 8) {
			fwrite(out, 1, o, w->fp);
			o = 0;
		}
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[o] = t[v >> 18], out[o + 1] = t[(v >> 12) & 63], out[o + 2] = '=', out[o + 3] = '=';
		o += 4;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o] = t[v >> 18], out[o + 1] = t[(v >> 12) & 63], out[o + 2] = t[(v >> 6) & 63], out[o + 3] = '=';
		o += 4;
	}
	out[o++] = '"';
	fwrite(out, 1, o, w->fp);
}

void jw_end(struct jw *w)
{
	fputc('\n', w->fp);
}

void jw_models_begin(struct jw *w)
{
	jw_obj(w);
	jw_kint(w, "version", JSON_CONTRACT_VERSION);
	jw_key(w, "models");
	jw_arr(w);
}

void jw_models_end(struct jw *w)
{
	jw_arr_end(w);
	jw_obj_end(w);
	jw_end(w);
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *k, int v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

void fput_escaped(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c == '\r')
			fputs("\\r", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
}
