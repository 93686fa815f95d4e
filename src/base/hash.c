/* hash: FNV-1a and an open-addressing map (see hash.h). */
#include "base/hash.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>

uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

uint64_t hash_str(const char *s)
{
	return hash_bytes(s, strlen(s), HASH_INIT);
}

/* the slot holding key, or the empty slot where it would go (cap > 0) */
static struct hmap_ent *probe(const struct hmap *m, const void *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct hmap_ent *e = &m->v[i];
		if (!e->key || (e->hash == h && e->len == len && !memcmp(e->key, key, len)))
			return e;
	}
}

static void grow(struct hmap *m)
{
	struct hmap o = *m;
	m->cap = o.cap ? o.cap * 2 : 16;
	m->v = xcalloc(m->cap, sizeof(*m->v));
	for (size_t i = 0; i < o.cap; i++)
		if (o.v[i].key)
			*probe(m, o.v[i].key, o.v[i].len, o.v[i].hash) = o.v[i];
	free(o.v);
}

struct hmap_ent *hmap_find(const struct hmap *m, const void *key, size_t len)
{
	if (!m->cap)
		return NULL;
	struct hmap_ent *e = probe(m, key, len, hash_bytes(key, len, HASH_INIT));
	return e->key ? e : NULL;
}

struct hmap_ent *hmap_insert(struct hmap *m, const void *key, size_t len, int *added)
{
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = hash_bytes(key, len, HASH_INIT);
	struct hmap_ent *e = probe(m, key, len, h);
	if (added)
		*added = !e->key;
	if (!e->key) {
		e->key = xmalloc(len + 1);
		memcpy(e->key, key, len);
		e->key[len] = '\0';
		e->len = len;
		e->hash = h;
		e->val = NULL;
		m->n++;
	}
	return e;
}

struct hmap_ent *hmap_next(const struct hmap *m, size_t *i)
{
	for (; *i < m->cap; (*i)++)
		if (m->v[*i].key)
			return &m->v[(*i)++];
	return NULL;
}

void hmap_release(struct hmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key) {
			free(m->v[i].key);
			if (free_val)
				free_val(m->v[i].val);
		}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void *hmap_get(const struct hmap *m, const char *key)
{
	struct hmap_ent *e = hmap_find(m, key, strlen(key));
	return e ? e->val : NULL;
}

void *hmap_put(struct hmap *m, const char *key, void *val)
{
	struct hmap_ent *e = hmap_insert(m, key, strlen(key), NULL);
	void *old = e->val;
	e->val = val;
	return old;
}

int hset_add(struct hmap *m, const char *key)
{
	int added;
	hmap_insert(m, key, strlen(key), &added);
	return added;
}

int hset_has(const struct hmap *m, const char *key)
{
	return hmap_find(m, key, strlen(key)) != NULL;
}
