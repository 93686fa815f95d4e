/* buf: see buf.h. */
#include "base/buf.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void buf_own_heap(struct buf *b, void *p, size_t len)
{
	b->p = p;
	b->len = len;
	b->kind = BUF_HEAP;
	b->base = p;
	b->maplen = 0;
}

int buf_map(struct buf *b, int fd, size_t len)
{
	memset(b, 0, sizeof(*b));
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	b->p = p;
	b->len = len;
	b->kind = BUF_MMAP;
	b->base = p;
	b->maplen = len;
	return 0;
}

void buf_release(struct buf *b)
{
	if (b->kind == BUF_HEAP)
		free(b->base);
	else if (b->kind == BUF_MMAP)
		munmap(b->base, b->maplen);
	memset(b, 0, sizeof(*b));
}
