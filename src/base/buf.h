/* buf: bytes that know how to release themselves: read into the heap or
 * mapped from a file.  Whoever gets one calls buf_release when done, and
 * need not know which it was. */
#ifndef MLPKG_BUF_H
#define MLPKG_BUF_H
#include <stddef.h>
#include <stdint.h>

enum buf_kind {
	BUF_NONE, /* nothing held (p may still point at bytes someone else owns) */
	BUF_HEAP, /* base was malloc'd: free(base) */
	BUF_MMAP, /* base is a mapping of maplen bytes: munmap(base, maplen) */
};

struct buf {
	const uint8_t *p; /* the bytes */
	size_t len;
	enum buf_kind kind;
	void *base;    /* what to free or unmap */
	size_t maplen; /* the mapping's length (BUF_MMAP) */
};
#define BUF_INIT                                                                                                       \
	{                                                                                                              \
		NULL, 0, BUF_NONE, NULL, 0                                                                             \
	}

/* b takes over p (from malloc; len bytes of it are the data) */
void buf_own_heap(struct buf *b, void *p, size_t len);
/* b maps the first len bytes of fd read-only (len > 0); -1 with errno set
 * and b empty when the system refuses */
int buf_map(struct buf *b, int fd, size_t len);
/* frees or unmaps what b holds; b is then empty (released twice is fine) */
void buf_release(struct buf *b);
#endif
