/* test-hash: the one hash function and hash table (base/hash.h): known
 * FNV-1a values, insert and lookup, replacing a value, growth past many
 * doublings, keys that share a slot, strings with equal prefixes, binary
 * keys with NULs (pointers), iteration and the set helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/hash.h"
#include "base/xalloc.h"

/* the values of FNV-1a's step (prime 1099511628211) from the program's own
 * seed, HASH_INIT (see hash.h) */
static void test_fnv(void **state)
{
	(void)state;
	assert_true(hash_str("") == HASH_INIT);
	assert_true(hash_str("a") == 0x44bd8ad473cd9906ull);
	assert_true(hash_str("foobar") == 0x88fad7c0a8ff07f2ull);
	/* advancing in two steps is the same as in one */
	assert_true(hash_bytes("bar", 3, hash_bytes("foo", 3, HASH_INIT)) == hash_str("foobar"));
}

static void test_insert_lookup(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	assert_null(hmap_get(&m, "x"));
	assert_false(hset_has(&m, "x"));
	assert_null(hmap_put(&m, "x", "one"));
	assert_null(hmap_put(&m, "y", "two"));
	assert_string_equal(hmap_get(&m, "x"), "one");
	assert_string_equal(hmap_get(&m, "y"), "two");
	assert_null(hmap_get(&m, "z"));
	/* replacing gives back the old value and keeps one entry */
	assert_string_equal(hmap_put(&m, "x", "uno"), "one");
	assert_string_equal(hmap_get(&m, "x"), "uno");
	assert_int_equal(m.n, 2);
	int added = -1;
	struct hmap_ent *e = hmap_insert(&m, "y", 1, &added);
	assert_int_equal(added, 0);
	assert_string_equal(e->val, "two");
	assert_string_equal(e->key, "y");
	hmap_release(&m, NULL);
	assert_int_equal(m.n, 0);
	assert_null(hmap_get(&m, "x"));
}

static void test_growth(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	char k[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		assert_null(hmap_put(&m, k, xasprintf("v%d", i)));
		assert_true(m.n * 2 <= m.cap);
	}
	assert_int_equal(m.n, 5000);
	for (int i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "key%d", i);
		char want[32];
		snprintf(want, sizeof(want), "v%d", i);
		assert_string_equal(hmap_get(&m, k), want);
	}
	assert_null(hmap_get(&m, "key5000"));
	/* iteration sees each entry once */
	size_t i = 0, seen = 0;
	struct hmap_ent *e;
	while ((e = hmap_next(&m, &i)))
		seen++;
	assert_int_equal(seen, 5000);
	hmap_release(&m, free);
}

static void test_collisions(void **state)
{
	(void)state;
	/* keys whose hashes share the low bits: one home slot in a small table */
	char keys[6][16];
	int nk = 0;
	uint64_t want = hash_str("k0") & 15;
	for (int i = 0; nk < 6 && i < 100000; i++) {
		snprintf(keys[nk], sizeof(keys[nk]), "k%d", i);
		if ((hash_str(keys[nk]) & 15) == want)
			nk++;
	}
	assert_int_equal(nk, 6);
	struct hmap m = HMAP_INIT;
	for (int i = 0; i < 6; i++)
		assert_int_equal(hset_add(&m, keys[i]), 1);
	assert_int_equal(m.cap, 16);
	for (int i = 0; i < 6; i++) {
		assert_true(hset_has(&m, keys[i]));
		assert_int_equal(hset_add(&m, keys[i]), 0);
	}
	assert_int_equal(m.n, 6);
	assert_false(hset_has(&m, "k-1"));
	hmap_release(&m, NULL);
}

static void test_prefixes(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	const char *k[] = { "", "a", "ab", "abc", "abcd", "main/x", "main/xy", "main/" };
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		assert_int_equal(hset_add(&m, k[i]), 1);
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		assert_true(hset_has(&m, k[i]));
	assert_false(hset_has(&m, "abcde"));
	assert_false(hset_has(&m, "main"));
	assert_int_equal(m.n, sizeof(k) / sizeof(k[0]));
	/* a key with a NUL inside is not its prefix */
	assert_null(hmap_find(&m, "ab\0c", 4));
	assert_non_null(hmap_insert(&m, "ab\0c", 4, NULL));
	assert_non_null(hmap_find(&m, "ab\0c", 4));
	assert_non_null(hmap_find(&m, "ab", 2));
	hmap_release(&m, NULL);

	/* a longer key in the slot a shorter one starts from */
	char longer[32];
	int i = 0;
	do
		snprintf(longer, sizeof(longer), "pre%d", i++);
	while ((hash_str(longer) & 15) != (hash_str("pre") & 15));
	assert_int_equal(hset_add(&m, longer), 1);
	assert_false(hset_has(&m, "pre"));
	assert_int_equal(hset_add(&m, "pre"), 1);
	assert_int_equal(m.n, 2);
	hmap_release(&m, NULL);
}

static void test_pointer_keys(void **state)
{
	(void)state;
	struct hmap m = HMAP_INIT;
	int objs[100];
	for (int i = 0; i < 100; i++) {
		const int *p = &objs[i];
		int added;
		struct hmap_ent *e = hmap_insert(&m, &p, sizeof(p), &added);
		assert_int_equal(added, 1);
		e->val = &objs[i];
	}
	for (int i = 99; i >= 0; i--) {
		const int *p = &objs[i];
		struct hmap_ent *e = hmap_find(&m, &p, sizeof(p));
		assert_non_null(e);
		assert_ptr_equal(e->val, &objs[i]);
	}
	hmap_release(&m, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fnv),      cmocka_unit_test(test_insert_lookup),
		cmocka_unit_test(test_growth),   cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_prefixes), cmocka_unit_test(test_pointer_keys),
	};
	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
