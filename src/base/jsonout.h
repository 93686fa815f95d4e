/* jsonout: a streaming JSON writer (pretty, 2-space indent) for --json
 * output and dump --json, and text escaping for terminals. */
#ifndef MLPKG_JSONOUT_H
#define MLPKG_JSONOUT_H
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#define JW_MAX_DEPTH 256

struct jw {
	FILE *fp;
	int depth;
	int count[JW_MAX_DEPTH]; /* items written at each level */
	int after_key;
	/* a key waiting for its value: written with it, dropped with a null
	 * (absent is omitted); a longer key is written at once */
	char key[240];
	size_t keylen;
	int key_pending;
	/* dump_json's 64-bit protobuf integers as JSON numbers where exact
	 * (|v| <= 2^53), else decimal strings; 0 (the protobuf JSON mapping):
	 * always strings */
	int int64_numbers;
};

void jw_init(struct jw *w, FILE *fp);
/* A value written apart, then put in place or dropped: jw_fork makes sub
 * write to fp as w would at its position (same depth, separators,
 * indentation); jw_join appends what sub wrote (buf, len) to w's stream
 * and takes sub's position.  Not joined, it leaves w as it was: a model
 * that fails half-way leaves nothing in the output. */
void jw_fork(struct jw *sub, const struct jw *w, FILE *fp);
void jw_join(struct jw *w, const struct jw *sub, const char *buf, size_t len);
/* jw_fork onto a memory stream of its own (*buf, *len once it is closed);
 * exits (EXIT_FAIL) when there is no memory for one */
FILE *jw_fork_mem(struct jw *sub, const struct jw *w, char **buf, size_t *len);
void jw_obj(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_double(struct jw *w, double v); /* NaN/Infinity as strings */
void jw_float(struct jw *w, float v);   /* shortest float32 form */
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
void jw_base64(struct jw *w, const uint8_t *p, size_t n);
/* ends the document with a newline */
void jw_end(struct jw *w);
/* the version of the --json contract (docs/json/README.md), bumped on an
 * incompatible change */
#define JSON_CONTRACT_VERSION 1
/* every per-model --json output is {"version": 1, "models": [...]}:
 * jw_models_begin opens it, jw_models_end closes it and ends the document */
void jw_models_begin(struct jw *w);
void jw_models_end(struct jw *w);
/* convenience: key + value */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kbool(struct jw *w, const char *k, int v);

/* writes s (n bytes) with control characters escaped as \xNN, \n, \t... */
void fput_escaped(FILE *fp, const char *s, size_t n);
/* the shortest decimal forms that read back exactly */
void fmt_float(char *buf, size_t n, float v);
void fmt_double(char *buf, size_t n, double v);
#endif
