/* test-jsonedit: exact JSON splices, in Xcode's overlay layout and others. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/jsonedit.h"

/* the layout Foundation's JSON writer gives an overlay: two-space indent,
 * " : ", escaped slashes, no final newline */
static const char *xcode = "{\n"
			   "  \"MLModelVersionStringKey\" : \"1.0\",\n"
			   "  \"MLModelCreatorDefinedKey\" : {\n"
			   "    \"docs\" : \"https:\\/\\/example.org\",\n"
			   "    \"task\" : \"detect\"\n"
			   "  },\n"
			   "  \"Empty\" : {\n"
			   "\n"
			   "  },\n"
			   "  \"MLModelAuthorKey\" : \"Someone\"\n"
			   "}";

static struct jdoc scan(const char *t)
{
	struct jdoc d;
	assert_int_equal(jdoc_scan(t, strlen(t), &d), 0);
	return d;
}

static void members_and_spans(void **state)
{
	(void)state;
	struct jdoc d = scan(xcode);
	assert_int_equal(d.n, 6);
	long v = jdoc_find(&d, 0, "MLModelVersionStringKey");
	assert_int_equal(v, 0);
	assert_string_equal(d.m[v].str, "1.0");
	long c = jdoc_find(&d, 0, "MLModelCreatorDefinedKey");
	assert_true(c >= 0 && d.m[c].child > 0 && d.m[c].type == JT_OBJECT);
	long docs = jdoc_find(&d, d.m[c].child, "docs");
	assert_string_equal(d.m[docs].str, "https://example.org");
	assert_int_equal(jdoc_find(&d, 0, "docs"), -1);
	assert_true(d.slash);
	jdoc_free(&d);
}

static void set_changes_only_the_value(void **state)
{
	(void)state;
	struct jdoc d = scan(xcode);
	char *t = jedit_set_string(&d, (size_t)jdoc_find(&d, 0, "MLModelAuthorKey"), "Me/You \"x\"\n", 11);
	const char *want = "  \"MLModelAuthorKey\" : \"Me\\/You \\\"x\\\"\\n\"\n}";
	size_t tl = strlen(t), wl = strlen(want);
	assert_true(tl > wl);
	assert_string_equal(t + tl - wl, want);
	/* everything before the value is the original's */
	const char *at = strstr(xcode, "\"Someone\"");
	assert_memory_equal(t, xcode, (size_t)(at - xcode));
	jdoc_free(&d);
	free(t);
}

static void rename_key(void **state)
{
	(void)state;
	struct jdoc d = scan(xcode);
	long c = jdoc_find(&d, 0, "MLModelCreatorDefinedKey");
	char *t = jedit_rename_key(&d, (size_t)jdoc_find(&d, d.m[c].child, "task"), "job");
	assert_non_null(strstr(t, "    \"job\" : \"detect\"\n"));
	assert_int_equal(strlen(t), strlen(xcode) - 1);
	jdoc_free(&d);
	free(t);
}

static void remove_first_middle_last_only(void **state)
{
	(void)state;
	struct jdoc d = scan("{\n  \"a\" : 1,\n  \"b\" : [1, {\"x\": 2}],\n  \"c\" : \"z\"\n}");
	char *t = jedit_remove(&d, (size_t)jdoc_find(&d, 0, "a"));
	assert_string_equal(t, "{\n  \"b\" : [1, {\"x\": 2}],\n  \"c\" : \"z\"\n}");
	free(t);
	t = jedit_remove(&d, (size_t)jdoc_find(&d, 0, "b"));
	assert_string_equal(t, "{\n  \"a\" : 1,\n  \"c\" : \"z\"\n}");
	free(t);
	t = jedit_remove(&d, (size_t)jdoc_find(&d, 0, "c"));
	assert_string_equal(t, "{\n  \"a\" : 1,\n  \"b\" : [1, {\"x\": 2}]\n}");
	free(t);
	/* the object inside the array has its own id; its member is found there */
	long x = -1;
	for (size_t i = 0; i < d.n; i++)
		if (!strcmp(d.m[i].key, "x"))
			x = (long)i;
	assert_true(x >= 0 && d.m[x].obj != 0);
	jdoc_free(&d);
	d = scan("{\"only\": true}");
	t = jedit_remove(&d, 0);
	assert_string_equal(t, "{}");
	free(t);
	jdoc_free(&d);
}

static void add_in_the_layout_found(void **state)
{
	(void)state;
	struct jdoc d = scan(xcode);
	/* after the last member, written like it */
	long c = jdoc_find(&d, 0, "MLModelCreatorDefinedKey");
	char *t = jedit_add(&d, d.m[c].child, "new/key", NULL, "v/w", 3);
	assert_non_null(strstr(t, "    \"task\" : \"detect\",\n    \"new\\/key\" : \"v\\/w\"\n  },"));
	free(t);
	/* an empty object: one level deeper than its owner */
	long e = jdoc_find(&d, 0, "Empty");
	t = jedit_add(&d, d.m[e].child, "in", "MLFeatureShortDescription", "d", 1);
	assert_non_null(
		strstr(t, "  \"Empty\" : {\n    \"in\" : {\n      \"MLFeatureShortDescription\" : \"d\"\n    }\n  },"));
	free(t);
	/* the outermost object */
	t = jedit_add(&d, 0, "MLModelLicenseKey", NULL, "MIT", 3);
	assert_non_null(strstr(t, "  \"MLModelAuthorKey\" : \"Someone\",\n  \"MLModelLicenseKey\" : \"MIT\"\n}"));
	free(t);
	assert_null(jedit_add(&d, 99, "k", NULL, "v", 1));
	jdoc_free(&d);
	/* compact text stays compact */
	d = scan("{\"a\":\"b\"}");
	t = jedit_add(&d, 0, "c", NULL, "d/e", 3);
	assert_string_equal(t, "{\"a\":\"b\",\"c\":\"d/e\"}");
	free(t);
	jdoc_free(&d);
	d = scan("{}");
	t = jedit_add(&d, 0, "k", NULL, "v", 1);
	assert_string_equal(t, "{\n  \"k\" : \"v\"\n}");
	free(t);
	jdoc_free(&d);
}

static void slash_style(void **state)
{
	(void)state;
	/* Foundation's layout without any slash yet: escaped like Foundation */
	struct jdoc d = scan("{\n  \"a\" : \"b\"\n}");
	assert_true(d.slash);
	jdoc_free(&d);
	/* a plain slash written as it is: kept that way */
	d = scan("{\n  \"a\" : \"b/c\"\n}");
	assert_false(d.slash);
	jdoc_free(&d);
	d = scan("{\"a\": \"b\"}");
	assert_false(d.slash);
	jdoc_free(&d);
}

static void escapes_decoded(void **state)
{
	(void)state;
	struct jdoc d = scan("{\"k\\u00e9\": \"\\ud83d\\ude00 \\t\\\"\"}");
	assert_string_equal(d.m[0].key, "k\xc3\xa9");
	assert_string_equal(d.m[0].str, "\xf0\x9f\x98\x80 \t\"");
	jdoc_free(&d);
}

static void not_json(void **state)
{
	(void)state;
	const char *bad[] = { "",
			      "{",
			      "{\"a\" 1}",
			      "{\"a\": 1,}",
			      "{\"a\": 1} x",
			      "{\"a\": \"\\q\"}",
			      "{\"a\": \"\x01\"}",
			      "{\"a\": -}",
			      "{\"a\": 1.}",
			      "{\"a\": tru}",
			      "[1, 2",
			      "{\"a\": \"\\u12\"}",
			      "{1: 2}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jdoc d;
		assert_int_equal(jdoc_scan(bad[i], strlen(bad[i]), &d), -1);
		assert_int_equal(d.n, 0);
	}
	/* nesting past the bound is refused, not recursed into */
	size_t n = 100000;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = 0;
	struct jdoc d;
	assert_int_equal(jdoc_scan(deep, 2 * n, &d), -1);
	free(deep);
	/* values of every kind are scanned */
	d = scan(" {\"n\": -1.5e+3, \"t\": true, \"f\": false, \"z\": null, \"a\": [], \"o\": {}} ");
	assert_int_equal(d.n, 6);
	assert_int_equal(d.m[5].type, JT_OBJECT);
	assert_int_equal(d.m[0].type, JT_OTHER);
	jdoc_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(members_and_spans),
		cmocka_unit_test(set_changes_only_the_value),
		cmocka_unit_test(rename_key),
		cmocka_unit_test(remove_first_middle_last_only),
		cmocka_unit_test(add_in_the_layout_found),
		cmocka_unit_test(slash_style),
		cmocka_unit_test(escapes_decoded),
		cmocka_unit_test(not_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
