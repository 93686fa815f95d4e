/* jsonout: streaming JSON output and escaping (see jsonout.h). */
#include "base/jsonout.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jw *w, FILE *fp)
{
	memset(w, 0, sizeof(*w));
	w->fp = fp;
}

static void indent(struct jw *w)
{
	fputc('\n', w->fp);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->fp);
}

/* separator and indentation before a value or key */
static void pre(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (w->count[w->depth])
			fputc(',', w->fp);
		indent(w);
	}
	if (w->depth < JW_MAX_DEPTH)
		w->count[w->depth]++;
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
	pre(w);
	put_str(w->fp, k, strlen(k));
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

void fmt_float(char *buf, size_t n, float v)
{
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
	pre(w);
	fputs("null", w->fp);
}

void jw_base64(struct jw *w, const uint8_t *p, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];
	pre(w);
	fputc('"', w->fp);
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[0] = t[v >> 18], out[1] = t[(v >> 12) & 63], out[2] = t[(v >> 6) & 63], out[3] = t[v & 63];
		fwrite(out, 1, 4, w->fp);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[0] = t[v >> 18], out[1] = t[(v >> 12) & 63], out[2] = '=', out[3] = '=';
		fwrite(out, 1, 4, w->fp);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[0] = t[v >> 18], out[1] = t[(v >> 12) & 63], out[2] = t[(v >> 6) & 63], out[3] = '=';
		fwrite(out, 1, 4, w->fp);
	}
	fputc('"', w->fp);
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
