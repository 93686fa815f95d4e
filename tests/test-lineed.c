/* test-lineed: the browser's line editor without a terminal (ui/lineed.h):
 * typing in the middle, the cursor moves, word moves, the deletions and
 * kills, UTF-8 (wide characters, bytes that are not UTF-8) kept, and the
 * horizontal scrolling of a value wider than its field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <cmocka.h>
#include "ui/lineed.h"

static void type(struct lineed *e, const char *ascii)
{
	for (const char *p = ascii; *p; p++)
		le_key(e, (unsigned char)*p);
}

static void assert_text(const struct lineed *e, const char *want)
{
	char *t = le_text(e);
	assert_string_equal(t, want);
	free(t);
}

static void test_moves_and_typing(void **state)
{
	(void)state;
	struct lineed e;
	le_init(&e, "cat,dog,bird");
	assert_int_equal(e.cur, 12);
	le_key(&e, LE_HOME);
	for (int i = 0; i < 4; i++)
		le_key(&e, LE_RIGHT);
	type(&e, "big ");
	assert_text(&e, "cat,big dog,bird");
	le_key(&e, LE_END);
	type(&e, "!");
	assert_text(&e, "cat,big dog,bird!");
	le_key(&e, LE_HOME);
	le_key(&e, LE_LEFT); /* at the start: nothing */
	le_key(&e, LE_BACKSPACE);
	assert_int_equal(e.cur, 0);
	le_key(&e, LE_DELETE);
	assert_text(&e, "at,big dog,bird!");
	le_key(&e, LE_END);
	le_key(&e, LE_RIGHT); /* at the end: nothing */
	le_key(&e, LE_DELETE);
	le_key(&e, LE_BACKSPACE);
	assert_text(&e, "at,big dog,bird");
	assert_int_equal(le_key(&e, 3), 0); /* a control character is not typed */
	le_free(&e);
}

static void test_words_and_kills(void **state)
{
	(void)state;
	struct lineed e;
	le_init(&e, "one two_2 three");
	le_key(&e, LE_WORD_LEFT);
	assert_int_equal(e.cur, 10);
	le_key(&e, LE_WORD_LEFT);
	assert_int_equal(e.cur, 4);
	le_key(&e, LE_WORD_RIGHT);
	assert_int_equal(e.cur, 9);
	le_key(&e, LE_KILL_END);
	assert_text(&e, "one two_2");
	le_key(&e, LE_KILL_WORD);
	assert_text(&e, "one ");
	le_key(&e, LE_LEFT);
	le_key(&e, LE_KILL_START);
	assert_text(&e, " ");
	assert_int_equal(e.cur, 0);
	le_set(&e, "a b");
	le_key(&e, LE_HOME);
	le_key(&e, LE_KILL_WORD); /* nothing before the cursor */
	assert_text(&e, "a b");
	le_free(&e);
}

static void test_utf8(void **state)
{
	(void)state;
	struct lineed e;
	le_init(&e, "Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac");
	assert_int_equal(e.len, 6);
	le_key(&e, LE_HOME);
	le_key(&e, LE_RIGHT);
	le_key(&e, LE_RIGHT);
	le_key(&e, LE_DELETE); /* the ë, whole */
	assert_text(&e, "Zo \xe6\x97\xa5\xe6\x9c\xac");
	le_key(&e, 0xe9);
	assert_text(&e, "Zo\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	/* a byte that is not UTF-8 comes back as it was */
	le_set(&e, "a\xff"
		   "b");
	assert_int_equal(e.len, 3);
	assert_text(&e, "a\xff"
			"b");
	le_free(&e);
}

static void test_scroll(void **state)
{
	(void)state;
	struct lineed e;
	le_init(&e, "abcdefghijklmnopqrstuvwxyz");
	/* a field of 10 columns: the cursor at the end is shown, in the field */
	int at = le_scroll(&e, 10);
	assert_true(at < 10);
	char *v = le_visible(&e, 10);
	assert_true(strlen(v) <= 10);
	assert_int_equal(v[strlen(v) - 1], 'z');
	free(v);
	/* Home: back to the start */
	le_key(&e, LE_HOME);
	at = le_scroll(&e, 10);
	assert_int_equal(at, 0);
	assert_int_equal(e.first, 0);
	v = le_visible(&e, 10);
	assert_string_equal(v, "abcdefghij");
	free(v);
	/* wide characters count two columns */
	le_set(&e, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5");
	at = le_scroll(&e, 7);
	assert_true(at <= 6);
	v = le_visible(&e, 7);
	assert_int_equal(strlen(v), 9); /* three of them: 6 columns */
	free(v);
	le_free(&e);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moves_and_typing),
		cmocka_unit_test(test_words_and_kills),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_scroll),
	};
	return cmocka_run_group_tests_name("lineed", tests, NULL, NULL);
}
