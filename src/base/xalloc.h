/* xalloc: allocation that never returns NULL, and a growable string buffer. */
#ifndef MLPKG_XALLOC_H
#define MLPKG_XALLOC_H
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* grows *p (of *cap elements of size) to hold at least want elements */
void xgrow(void **p, size_t *cap, size_t want, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* formatted allocation; caller frees */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* a growable byte/text buffer; buf is always NUL-terminated */
struct strbuf {
	char *buf;
	size_t len, alloc;
};
#define STRBUF_INIT                                                                                                    \
	{                                                                                                              \
		NULL, 0, 0                                                                                             \
	}
void sb_grow(struct strbuf *sb, size_t extra);
void sb_add(struct strbuf *sb, const void *p, size_t n);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, int c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void sb_reset(struct strbuf *sb);
/* hands the buffer to the caller (who frees it) and empties sb */
char *sb_detach(struct strbuf *sb, size_t *len);
void sb_release(struct strbuf *sb);
/* a byte count for people: "512 B", "3.4 KiB", "1.2 MiB", "2.0 GiB" */
void human_size(char *buf, size_t n, uint64_t bytes);

#endif
