/* hash: the one hash function (64-bit FNV-1a) and the one hash table of the
 * program, a map from byte-string keys to pointers that also serves as a set.
 *
 * Keys are copied (with a NUL after them, so a string key reads as a C
 * string); values are the caller's.  Open addressing with linear probing,
 * a power-of-two capacity, grown to keep the table at most half full.  A
 * pointer is a key too: pass &p and sizeof(p). */
#ifndef MLPKG_HASH_H
#define MLPKG_HASH_H
#include <stddef.h>
#include <stdint.h>

/* The seed.  It is not FNV's published offset basis (14695981039346656037,
 * one digit longer): the program has always started from this one, and
 * mlpkg diff prints hashes, so it stays. */
#define HASH_INIT 1469598103934665603ull
/* h advanced over n bytes at p; start from HASH_INIT */
uint64_t hash_bytes(const void *p, size_t n, uint64_t h);
uint64_t hash_str(const char *s);

struct hmap_ent {
	char *key; /* NULL: an empty slot */
	size_t len;
	uint64_t hash;
	void *val;
};
struct hmap {
	struct hmap_ent *v;
	size_t cap, n;
};
#define HMAP_INIT                                                                                                      \
	{                                                                                                              \
		NULL, 0, 0                                                                                             \
	}

/* the entry of key, or NULL */
struct hmap_ent *hmap_find(const struct hmap *m, const void *key, size_t len);
/* the entry of key, added (value NULL, *added 1) when it was not there;
 * valid until the next insertion.  added may be NULL. */
struct hmap_ent *hmap_insert(struct hmap *m, const void *key, size_t len, int *added);
/* iterates the entries in no particular order: *i starts at 0 */
struct hmap_ent *hmap_next(const struct hmap *m, size_t *i);
/* frees the keys, and the values with free_val when not NULL; m is empty after */
void hmap_release(struct hmap *m, void (*free_val)(void *));

/* string keys */
void *hmap_get(const struct hmap *m, const char *key); /* NULL when absent */
/* sets key to val; returns the value it replaces (NULL when it was new) */
void *hmap_put(struct hmap *m, const char *key, void *val);
/* as a set: 1 when key was added, 0 when it was there */
int hset_add(struct hmap *m, const char *key);
int hset_has(const struct hmap *m, const char *key);
#endif
