/* test-manifest: Manifest.json of an .mlpackage (src/model/manifest.h):
 * parsing what coremltools writes, the validation that refuses a manifest
 * different readers would read differently (duplicated keys, paths leading
 * out of the package, newer format versions, a root naming no item),
 * path_is_contained, and manifest_format writing what Apple's tools write.
 * The manifests are written here (FORMAT.md section 2); one comes from
 * mkmodel and one from the real-model fixtures when they are there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "unit.h"
#include "model/manifest.h"

#define ID_SPEC "C2B3D7E4-1A5F-4E8B-9D26-7F3A0B5C8E11"
#define ID_W "5E9A4F06-3C2D-4B71-A8E5-D0F1B2C3A4E7"

/* a manifest as coremltools writes it: 4-space indent, sorted keys */
static const char canonical[] = "{\n"
				"    \"fileFormatVersion\": \"1.0.0\",\n"
				"    \"itemInfoEntries\": {\n"
				"        \"" ID_W "\": {\n"
				"            \"author\": \"com.apple.CoreML\",\n"
				"            \"description\": \"CoreML Model Weights\",\n"
				"            \"name\": \"weights\",\n"
				"            \"path\": \"com.apple.CoreML/weights\"\n"
				"        },\n"
				"        \"" ID_SPEC "\": {\n"
				"            \"author\": \"com.apple.CoreML\",\n"
				"            \"description\": \"CoreML Model Specification\",\n"
				"            \"name\": \"model.mlmodel\",\n"
				"            \"path\": \"com.apple.CoreML/model.mlmodel\"\n"
				"        }\n"
				"    },\n"
				"    \"rootModelIdentifier\": \"" ID_SPEC "\"\n"
				"}";

static struct manifest *parse(const char *text)
{
	return manifest_parse(text, strlen(text), "Manifest.json");
}

/* parses text expecting a refusal with EXIT_INVALID */
static void refused(const char *text)
{
	struct manifest *m = NULL;
	EXPECT_CLASS(EXIT_INVALID, m = parse(text));
	if (m)
		print_error("accepted: %s\n", text);
	assert_null(m);
	manifest_free(m);
}

/* a manifest of one item (the root) with the given member texts */
static char *one_item(const char *version, const char *item, const char *root)
{
	return xasprintf("{\"fileFormatVersion\": %s, \"itemInfoEntries\": {\"A\": {%s}}, \"rootModelIdentifier\": %s}",
			 version, item, root);
}

#define GOOD_ITEM "\"author\": \"a\", \"name\": \"n\", \"path\": \"com.apple.CoreML/model.mlmodel\""

/* ---- parsing -------------------------------------------------------------------------- */

static void parse_coremltools(void **state)
{
	(void)state;
	struct manifest *m = NULL;
	EXPECT_CLASS(EXIT_OK, m = parse(canonical));
	assert_non_null(m);
	assert_string_equal(m->version, "1.0.0");
	assert_string_equal(m->root_id, ID_SPEC);
	assert_int_equal(m->n, 2);
	assert_true(m->root < m->n);
	const struct manifest_item *r = &m->items[m->root];
	assert_string_equal(r->id, ID_SPEC);
	assert_string_equal(r->path, "com.apple.CoreML/model.mlmodel");
	assert_string_equal(r->name, "model.mlmodel");
	assert_string_equal(r->author, "com.apple.CoreML");
	assert_string_equal(r->description, "CoreML Model Specification");
	/* the other item is the weights folder */
	const struct manifest_item *w = &m->items[1 - m->root];
	assert_string_equal(w->id, ID_W);
	assert_string_equal(w->path, "com.apple.CoreML/weights");
	manifest_free(m);
	manifest_free(NULL);
}

/* other writers: compact JSON, the root not first, no description, another
 * author, a third item, a version without minor numbers */
static void parse_variants(void **state)
{
	(void)state;
	const char *t = "{\"rootModelIdentifier\":\"r\",\"itemInfoEntries\":{"
			"\"x\":{\"author\":\"org.example\",\"name\":\"extra\",\"path\":\"org.example/extra.bin\"},"
			"\"r\":{\"author\":\"org.example\",\"name\":\"m\",\"path\":\"org.example/m.mlmodel\"},"
			"\"y\":{\"author\":\"z\",\"name\":\"y\",\"path\":\"y\",\"description\":\"\\u00e9t\\u00e9\"}},"
			"\"fileFormatVersion\":\"1\",\"unknownMember\":[1,2,3]}";
	struct manifest *m = parse(t);
	assert_non_null(m);
	assert_int_equal(m->n, 3);
	assert_int_equal(m->root, 1);
	assert_string_equal(m->items[m->root].path, "org.example/m.mlmodel");
	assert_null(m->items[0].description);
	assert_string_equal(m->items[2].description, "\xc3\xa9t\xc3\xa9");
	manifest_free(m);
	/* versions up to 1.0.0 are read */
	const char *ok[] = { "\"1.0.0\"", "\"1.0\"", "\"1\"", "\"0.9.9\"", "\"0\"", "\"1.0.0-final\"" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *s = one_item(ok[i], GOOD_ITEM, "\"A\"");
		m = parse(s);
		if (!m)
			print_error("refused version %s\n", ok[i]);
		assert_non_null(m);
		manifest_free(m);
		free(s);
	}
}

/* only len bytes are read: what follows is not part of the manifest */
static void parse_respects_length(void **state)
{
	(void)state;
	size_t n = strlen(canonical);
	/* an exact-size copy without a NUL: ASan would see a read past it */
	char *buf = xmalloc(n);
	memcpy(buf, canonical, n);
	struct manifest *m = manifest_parse(buf, n, "M");
	assert_non_null(m);
	manifest_free(m);
	/* followed by more than the manifest: len ends it.  (Text after the
	 * object within len is accepted today, as cJSON does by default.) */
	char *more = xasprintf("%s}garbage", canonical);
	m = manifest_parse(more, n, "M");
	assert_non_null(m);
	manifest_free(m);
	free(more);
	/* cut short: not JSON */
	EXPECT_CLASS(EXIT_INVALID, m = manifest_parse(buf, n - 2, "M"));
	assert_null(m);
	EXPECT_CLASS(EXIT_INVALID, m = manifest_parse(buf, 0, "M"));
	assert_null(m);
	free(buf);
}

static void refuses_malformed(void **state)
{
	(void)state;
	refused("");
	refused("   ");
	refused("{");
	refused("not json");
	refused("[]");
	refused("\"1.0.0\"");
	refused("null");
	refused("{}");
	/* members missing or of the wrong kind */
	refused("{\"fileFormatVersion\": \"1.0.0\", \"rootModelIdentifier\": \"A\"}");
	refused("{\"fileFormatVersion\": \"1.0.0\", \"itemInfoEntries\": [], \"rootModelIdentifier\": \"A\"}");
	refused("{\"fileFormatVersion\": \"1.0.0\", \"itemInfoEntries\": {\"A\": {" GOOD_ITEM "}}}");
	refused("{\"itemInfoEntries\": {\"A\": {" GOOD_ITEM "}}, \"rootModelIdentifier\": \"A\"}");
	char *s;
	const char *bad[][3] = {
		/* version, item, root */
		{ "1", GOOD_ITEM, "\"A\"" }, /* version not a string */
		{ "\"\"", GOOD_ITEM, "\"A\"" },
		{ "\"v1\"", GOOD_ITEM, "\"A\"" },
		{ "\"1.0.1\"", GOOD_ITEM, "\"A\"" }, /* newer than 1.0.0 */
		{ "\"1.1\"", GOOD_ITEM, "\"A\"" },
		{ "\"2.0.0\"", GOOD_ITEM, "\"A\"" },
		{ "\"10\"", GOOD_ITEM, "\"A\"" },
		{ "\"99999999999999999999999.0\"", GOOD_ITEM, "\"A\"" },
		{ "\"1.0.0\"", GOOD_ITEM, "\"B\"" }, /* root names no item */
		{ "\"1.0.0\"", GOOD_ITEM, "\"a\"" }, /* identifiers are case sensitive */
		{ "\"1.0.0\"", GOOD_ITEM, "1" },
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\"", "\"A\"" }, /* no path */
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\", \"path\": 7", "\"A\"" },
		{ "\"1.0.0\"", "\"author\": \"a\", \"path\": \"p\"", "\"A\"" }, /* no name */
		{ "\"1.0.0\"", "\"name\": \"n\", \"path\": \"p\"", "\"A\"" },   /* no author */
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\", \"path\": \"../x\"", "\"A\"" },
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\", \"path\": \"/etc/passwd\"", "\"A\"" },
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\", \"path\": \"a/../../b\"", "\"A\"" },
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\", \"path\": \"a\\\\..\\\\b\"", "\"A\"" },
		{ "\"1.0.0\"", "\"author\": \"a\", \"name\": \"n\", \"path\": \"\"", "\"A\"" },
		/* a key given twice in an item: readers disagree on which counts */
		{ "\"1.0.0\"", GOOD_ITEM ", \"path\": \"other\"", "\"A\"" },
		{ "\"1.0.0\"", GOOD_ITEM ", \"name\": \"n\"", "\"A\"" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = one_item(bad[i][0], bad[i][1], bad[i][2]);
		refused(s);
		free(s);
	}
	/* an item that is not an object */
	refused("{\"fileFormatVersion\": \"1.0.0\", \"itemInfoEntries\": {\"A\": \"x\"}, \"rootModelIdentifier\": "
		"\"A\"}");
	/* a duplicated identifier, and a duplicated top-level member */
	refused("{\"fileFormatVersion\": \"1.0.0\", \"itemInfoEntries\": {\"A\": {" GOOD_ITEM "}, \"A\": {" GOOD_ITEM
		"}}, \"rootModelIdentifier\": \"A\"}");
	refused("{\"fileFormatVersion\": \"1.0.0\", \"itemInfoEntries\": {\"A\": {" GOOD_ITEM
		"}}, \"rootModelIdentifier\": \"A\", \"rootModelIdentifier\": \"B\"}");
	refused("{\"fileFormatVersion\": \"1.0.0\", \"fileFormatVersion\": \"9.0.0\", \"itemInfoEntries\": {\"A\": "
		"{" GOOD_ITEM "}}, \"rootModelIdentifier\": \"A\"}");
}

/* the message names the file and says what is wrong, in one line */
static void message_names_file(void **state)
{
	(void)state;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	struct manifest *m = manifest_parse("{}", 2, "Pkg.mlpackage/Manifest.json");
	error_capture_end(&cap);
	assert_null(m);
	assert_int_equal(cap.errors, 1);
	assert_int_equal(cap.worst, EXIT_INVALID);
	assert_non_null(cap.msgs);
	assert_non_null(strstr(cap.msgs->text, "Pkg.mlpackage/Manifest.json"));
	assert_non_null(strstr(cap.msgs->text, "fileFormatVersion"));
	assert_null(strchr(cap.msgs->text, '\n'));
	error_capture_release(&cap);
}

/* ---- paths ------------------------------------------------------------------------------ */

static void contained_paths(void **state)
{
	(void)state;
	const char *in[] = { "a",   "a/b",   "com.apple.CoreML/model.mlmodel",
			     "./a", "a/./b", "...",
			     "..a", "a..",   "a/..b/c",
			     "a/",  "a//b",  "." };
	const char *out[] = { "",     "/",      "/a",           "..",   "../",   "../a",
			      "a/..", "a/../b", "a/b/../../..", "a\\b", "..\\a", "//a" };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		if (!path_is_contained(in[i]))
			print_error("refused %s\n", in[i]);
		assert_true(path_is_contained(in[i]));
	}
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
		if (path_is_contained(out[i]))
			print_error("accepted %s\n", out[i]);
		assert_false(path_is_contained(out[i]));
	}
	assert_false(path_is_contained(NULL));
}

/* ---- writing ------------------------------------------------------------------------------ */

/* what coremltools writes comes back byte for byte */
static void format_canonical(void **state)
{
	(void)state;
	struct manifest *m = parse(canonical);
	assert_non_null(m);
	char *t = manifest_format(m);
	assert_string_equal(t, canonical);
	free(t);
	manifest_free(m);
}

/* items sorted by identifier, members sorted, strings escaped, missing
 * members written empty; the result parses back to the same manifest */
static void format_sorted_and_escaped(void **state)
{
	(void)state;
	struct manifest_item items[] = {
		{ .id = "Z", .author = "a", .name = "n\"q", .path = "p/\xc3\xa9", .description = NULL },
		{ .id = "B",
		  .author = "b\\",
		  .name = "m",
		  .path = "com.apple.CoreML/model.mlmodel",
		  .description = "d\n" },
	};
	struct manifest m = { .version = NULL, .items = items, .n = 2, .root_id = "B", .root = 1 };
	char *t = manifest_format(&m);
	assert_non_null(t);
	/* version defaults to 1.0.0; B before Z; escapes */
	assert_non_null(strstr(t, "\"fileFormatVersion\": \"1.0.0\""));
	char *b = strstr(t, "\"B\": {"), *z = strstr(t, "\"Z\": {");
	assert_non_null(b);
	assert_non_null(z);
	assert_true(b < z);
	assert_non_null(strstr(t, "\"name\": \"n\\\"q\""));
	assert_non_null(strstr(t, "\"author\": \"b\\\\\""));
	assert_non_null(strstr(t, "\"description\": \"d\\n\""));
	assert_non_null(strstr(t, "\"description\": \"\""));
	struct manifest *back = manifest_parse(t, strlen(t), "t");
	assert_non_null(back);
	assert_int_equal(back->n, 2);
	assert_string_equal(back->root_id, "B");
	assert_string_equal(back->items[back->root].id, "B");
	assert_string_equal(back->items[back->root].description, "d\n");
	assert_string_equal(back->items[1 - back->root].name, "n\"q");
	assert_string_equal(back->items[1 - back->root].path, "p/\xc3\xa9");
	/* formatting again gives the same bytes; the caller's items stay in order */
	char *t2 = manifest_format(back);
	assert_string_equal(t, t2);
	assert_string_equal(items[0].id, "Z");
	free(t2);
	manifest_free(back);
	free(t);
}

/* ---- manifests on disk ----------------------------------------------------------------------- */

static void check_file(const char *path, size_t want_items)
{
	size_t len;
	char *text = unit_slurp(path, &len);
	assert_non_null(text);
	struct manifest *m = manifest_parse(text, len, path);
	assert_non_null(m);
	assert_int_equal(m->n, want_items);
	assert_string_equal(m->items[m->root].name, "model.mlmodel");
	assert_string_equal(m->items[m->root].path, "com.apple.CoreML/model.mlmodel");
	/* formatted again: the same text (but for a final newline) */
	char *t = manifest_format(m);
	size_t tl = strlen(t);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	assert_int_equal(tl, len);
	assert_memory_equal(t, text, len);
	free(t);
	manifest_free(m);
	free(text);
}

static void mkmodel_manifest(void **state)
{
	(void)state;
	char *p = unit_mkmodel("segmentation", "S.mlpackage");
	assert_non_null(p);
	char *f = xasprintf("%s/Manifest.json", p);
	check_file(f, 2);
	free(f);
	free(p);
}

static void fixture_yolov8n_manifest(void **state)
{
	(void)state;
	char *p = unit_fixture("catfeeder-yolov8n.mlpackage/Manifest.json");
	if (!p)
		skip();
	check_file(p, 2);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_coremltools),     cmocka_unit_test(parse_variants),
		cmocka_unit_test(parse_respects_length), cmocka_unit_test(refuses_malformed),
		cmocka_unit_test(message_names_file),    cmocka_unit_test(contained_paths),
		cmocka_unit_test(format_canonical),      cmocka_unit_test(format_sorted_and_escaped),
		cmocka_unit_test(mkmodel_manifest),      cmocka_unit_test(fixture_yolov8n_manifest),
	};
	return cmocka_run_group_tests_name("manifest", tests, unit_setup, unit_teardown);
}
