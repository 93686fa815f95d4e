/* test-meta: model metadata over the spec tree: the reads and checks of
 * src/query/meta.h (canonical keys and aliases, listing in file order with
 * the last duplicate winning, get, the checks of preview.type and
 * preview.params) and the edits of src/edit/meta-edit.h (set and rm on a
 * tree: only the bytes asked for change, duplicates folded, empty messages
 * pruned).  Models come from mkmodel and from specs built byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "unit.h"
#include "edit/meta-edit.h"
#include "query/meta.h"
#include "spec/tree.h"
#include "Model.pb-c.h"

static char *nn_path, *cls_path;

/* ---- specs ---------------------------------------------------------------------------- */

struct spec {
	uint8_t *bytes;
	size_t len;
	struct mt_node *root;
};

static void spec_load(struct spec *s, const char *path)
{
	s->bytes = (uint8_t *)unit_slurp(path, &s->len);
	assert_non_null(s->bytes);
	s->root = mt_root_new(&core_ml__specification__model__descriptor, s->bytes, s->len, path);
	assert_non_null(s->root);
}

static void spec_from(struct spec *s, const struct strbuf *sb)
{
	s->len = sb->len;
	s->bytes = xmalloc(sb->len + 1);
	memcpy(s->bytes, sb->buf, sb->len);
	s->root = mt_root_new(&core_ml__specification__model__descriptor, s->bytes, s->len, "hand.mlmodel");
}

static void spec_free(struct spec *s)
{
	mt_free(s->root);
	free(s->bytes);
}

/* the tree written out: caller frees */
static uint8_t *written(struct spec *s, size_t *len)
{
	uint8_t *out = mt_serialize(s->root, len);
	assert_non_null(out);
	return out;
}

/* the tree as protobuf-c reads it back */
static CoreML__Specification__Model *reread(struct spec *s)
{
	size_t n;
	uint8_t *out = written(s, &n);
	CoreML__Specification__Model *m = core_ml__specification__model__unpack(NULL, n, out);
	free(out);
	assert_non_null(m);
	return m;
}

static void add_len(struct strbuf *sb, uint32_t num, const void *p, size_t n)
{
	size_t el;
	uint8_t *e = mt_encode_len(num, p, n, &el);
	sb_add(sb, e, el);
	free(e);
}

static void add_entry(struct strbuf *sb, const char *k, const char *v)
{
	struct strbuf e = STRBUF_INIT;
	add_len(&e, 1, k, strlen(k));
	if (v)
		add_len(&e, 2, v, strlen(v));
	add_len(sb, 100, e.buf ? e.buf : "", e.len);
	sb_release(&e);
}

/* Model { specificationVersion 1, description { metadata { md } } } */
static void wrap_metadata(struct strbuf *out, const struct strbuf *md)
{
	struct strbuf d = STRBUF_INIT;
	add_len(&d, 100, md->buf ? md->buf : "", md->len);
	sb_add(out, "\x08\x01", 2);
	add_len(out, 2, d.buf, d.len);
	sb_release(&d);
}

static char *get(struct mt_node *root, const char *key)
{
	char *v = NULL;
	size_t len = 0;
	int r = meta_get(root, key, &v, &len);
	if (r != 1) {
		assert_null(v);
		return NULL;
	}
	assert_int_equal(strlen(v), len);
	return v;
}

static void assert_get(struct mt_node *root, const char *key, const char *want)
{
	char *v = get(root, key);
	if (!v)
		print_error("%s: absent, not '%s'\n", key, want);
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

/* ---- keys ------------------------------------------------------------------------------ */

static void canonical_keys(void **state)
{
	(void)state;
	const struct {
		const char *key, *canon;
		int std;
	} t[] = {
		{ "description", "description", 1 },
		{ "shortDescription", "description", 1 },
		{ "version", "version", 2 },
		{ "versionString", "version", 2 },
		{ "author", "author", 3 },
		{ "license", "license", 4 },
		{ "preview.type", PREVIEW_TYPE_KEY, 0 },
		{ "preview.params", PREVIEW_PARAMS_KEY, 0 },
		{ "preview.parameters", PREVIEW_PARAMS_KEY, 0 },
		{ PREVIEW_TYPE_KEY, PREVIEW_TYPE_KEY, 0 },
		{ "Author", "Author", 0 }, /* keys are case sensitive */
		{ "preview.Type", "preview.Type", 0 },
		{ "com.github.apple.coremltools.source", "com.github.apple.coremltools.source", 0 },
		{ "", "", 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int std = -1;
		const char *c = meta_canonical(t[i].key, &std);
		assert_string_equal(c, t[i].canon);
		assert_int_equal(std, t[i].std);
	}
	/* a userDefined key is given back as it is */
	const char *k = "my.key";
	int std;
	assert_ptr_equal(meta_canonical(k, &std), k);
	/* the preview types Xcode knows */
	int n = 0, seg = 0, pose = 0;
	for (const char *const *p = preview_types; *p; p++, n++) {
		seg += !strcmp(*p, "imageSegmenter");
		pose += !strcmp(*p, "poseEstimation");
	}
	assert_true(n >= 5);
	assert_int_equal(seg, 1);
	assert_int_equal(pose, 1);
}

/* ---- reads ------------------------------------------------------------------------------- */

static void list_and_get(void **state)
{
	(void)state;
	struct spec s;
	spec_load(&s, nn_path);
	struct meta_entry *e;
	size_t n;
	assert_int_equal(meta_list(s.root, &e, &n), 0);
	/* file order: the standard fields by number, then userDefined */
	const char *keys[] = { "description", "version", "author", "license", "training_dataset" };
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(e[i].key, keys[i]);
		assert_int_equal(e[i].standard, i < 4);
		assert_int_equal(e[i].len, strlen(e[i].value));
	}
	assert_string_equal(e[2].value, "mlpkg examples");
	assert_string_equal(e[4].value, "synthetic-8x8");
	meta_entries_free(e, n);
	assert_get(s.root, "author", "mlpkg examples");
	assert_get(s.root, "version", "1.0");
	assert_get(s.root, "versionString", "1.0");
	assert_get(s.root, "license", "MIT");
	assert_get(s.root, "shortDescription", "A tiny convolutional network with synthetic weights");
	assert_get(s.root, "training_dataset", "synthetic-8x8");
	assert_null(get(s.root, "nope"));
	assert_null(get(s.root, "preview.type"));
	assert_null(get(s.root, "Author"));
	/* the nodes the edits use */
	struct mt_node *m;
	assert_int_equal(meta_node(s.root, &m), 1);
	long i = meta_find_user(m, "training_dataset");
	assert_true(i >= 0);
	assert_int_equal(meta_entry_is(m, (size_t)i, "training_dataset"), 1);
	assert_int_equal(meta_entry_is(m, (size_t)i, "training"), 0);
	assert_int_equal(meta_entry_is(m, 0, "training_dataset"), 0);
	assert_int_equal(meta_find_user(m, "nope"), -1);
	spec_free(&s);

	spec_load(&s, cls_path);
	assert_get(s.root, "preview.type", "imageClassifier");
	assert_get(s.root, PREVIEW_TYPE_KEY, "imageClassifier");
	spec_free(&s);
}

/* a model without metadata (or without a description) has none */
static void no_metadata(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "\x08\x04", 2);
	struct spec s;
	spec_from(&s, &sb);
	struct meta_entry *e = (void *)1;
	size_t n = 99;
	assert_int_equal(meta_list(s.root, &e, &n), 0);
	assert_int_equal(n, 0);
	assert_null(e);
	assert_null(get(s.root, "author"));
	struct mt_node *m;
	assert_int_equal(meta_node(s.root, &m), 0);
	assert_null(m);
	assert_int_equal(meta_rm(s.root, "author"), 0);
	assert_int_equal(meta_rm(s.root, "k"), 0);
	size_t len;
	uint8_t *out = written(&s, &len);
	assert_int_equal(len, 2);
	assert_memory_equal(out, "\x08\x04", 2);
	free(out);
	spec_free(&s);
	sb_release(&sb);
}

/* repeated fields and keys: the last one counts, listed once */
static void duplicates_read(void **state)
{
	(void)state;
	struct strbuf md = STRBUF_INIT, sb = STRBUF_INIT;
	add_len(&md, 3, "first", 5);
	add_entry(&md, "dup", "one");
	add_entry(&md, "solo", "s");
	add_len(&md, 3, "second", 6);
	add_entry(&md, "dup", "two");
	add_entry(&md, "novalue", NULL);
	wrap_metadata(&sb, &md);
	struct spec s;
	spec_from(&s, &sb);
	assert_get(s.root, "author", "second");
	assert_get(s.root, "dup", "two");
	assert_get(s.root, "novalue", "");
	struct meta_entry *e;
	size_t n;
	assert_int_equal(meta_list(s.root, &e, &n), 0);
	assert_int_equal(n, 4);
	assert_string_equal(e[0].key, "solo");
	assert_string_equal(e[1].key, "author");
	assert_string_equal(e[1].value, "second");
	assert_string_equal(e[2].key, "dup");
	assert_string_equal(e[2].value, "two");
	assert_string_equal(e[3].key, "novalue");
	assert_int_equal(e[3].len, 0);
	meta_entries_free(e, n);
	spec_free(&s);
	sb_release(&sb);
	sb_release(&md);
}

/* metadata that does not decode: -1 with EXIT_INVALID from every call */
static void invalid_metadata(void **state)
{
	(void)state;
	struct strbuf md = STRBUF_INIT, sb = STRBUF_INIT;
	sb_add(&md, "\x1a\x40x", 3); /* author: 64 bytes said, 1 there */
	wrap_metadata(&sb, &md);
	struct meta_entry *e = NULL;
	size_t n = 0;
	char *v = NULL;
	size_t len;
	int rc = 0;
	struct spec s;
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_list(s.root, &e, &n));
	assert_int_equal(rc, -1);
	assert_null(e);
	spec_free(&s);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_get(s.root, "author", &v, &len));
	assert_int_equal(rc, -1);
	assert_null(v);
	spec_free(&s);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_set(s.root, "author", "x", 1));
	assert_int_equal(rc, -1);
	spec_free(&s);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_rm(s.root, "author"));
	assert_int_equal(rc, -1);
	spec_free(&s);
	sb_release(&sb);
	/* a userDefined entry that does not decode */
	sb_reset(&md);
	add_len(&md, 3, "a", 1);
	add_len(&md, 100, "\x0a\x09k", 3);
	wrap_metadata(&sb, &md);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_get(s.root, "k", &v, &len));
	assert_int_equal(rc, -1);
	spec_free(&s);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_set(s.root, "k", "v", 1));
	assert_int_equal(rc, -1);
	spec_free(&s);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_rm(s.root, "k"));
	assert_int_equal(rc, -1);
	spec_free(&s);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_list(s.root, &e, &n));
	assert_int_equal(rc, -1);
	spec_free(&s);
	/* a description that does not decode */
	sb_reset(&sb);
	sb_add(&sb, "\x12\x03\x0a\x7f", 4);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = meta_get(s.root, "author", &v, &len));
	assert_int_equal(rc, -1);
	spec_free(&s);
	sb_release(&sb);
	sb_release(&md);
}

/* ---- edits ---------------------------------------------------------------------------------- */

static void set_values(void **state)
{
	(void)state;
	struct spec s;
	spec_load(&s, nn_path);
	size_t n0;
	uint8_t *orig = written(&s, &n0);
	assert_int_equal(n0, s.len);
	assert_memory_equal(orig, s.bytes, n0);
	/* the same value: no change */
	assert_int_equal(meta_set(s.root, "author", "mlpkg examples", 14), 0);
	assert_int_equal(meta_set(s.root, "training_dataset", "synthetic-8x8", 13), 0);
	assert_int_equal(s.root->dirty, 0);
	/* standard fields, by any of their names */
	assert_int_equal(meta_set(s.root, "author", "Ann", 3), 1);
	assert_int_equal(meta_set(s.root, "versionString", "2.0", 3), 1);
	assert_int_equal(meta_set(s.root, "description", "", 0), 1);
	/* userDefined: replaced in place, added, aliased */
	assert_int_equal(meta_set(s.root, "training_dataset", "real", 4), 1);
	assert_int_equal(meta_set(s.root, "new.key", "v", 1), 1);
	assert_int_equal(meta_set(s.root, "preview.type", "imageSegmenter", 14), 1);
	assert_int_equal(meta_set(s.root, "preview.type", "imageSegmenter", 14), 0);
	/* values are bytes: len counts, not a NUL */
	assert_int_equal(meta_set(s.root, "cut", "abcdef", 3), 1);
	assert_get(s.root, "author", "Ann");
	assert_get(s.root, "version", "2.0");
	assert_get(s.root, "description", "");
	assert_get(s.root, "training_dataset", "real");
	assert_get(s.root, "cut", "abc");
	assert_get(s.root, PREVIEW_TYPE_KEY, "imageSegmenter");
	CoreML__Specification__Model *pm = reread(&s);
	CoreML__Specification__Metadata *md = pm->description->metadata;
	assert_string_equal(md->author, "Ann");
	assert_string_equal(md->versionstring, "2.0");
	assert_string_equal(md->license, "MIT");
	assert_int_equal(md->n_userdefined, 4);
	assert_string_equal(md->userdefined[0]->key, "training_dataset"); /* kept its place */
	assert_string_equal(md->userdefined[0]->value, "real");
	assert_string_equal(md->userdefined[1]->key, "new.key");
	assert_string_equal(md->userdefined[2]->key, PREVIEW_TYPE_KEY);
	/* the rest of the model is untouched */
	assert_int_equal(pm->neuralnetwork->n_layers, 6);
	assert_string_equal(pm->description->input[0]->name, "input");
	core_ml__specification__model__free_unpacked(pm, NULL);
	/* putting the old values back and removing the new keys gives the
	 * original bytes */
	assert_int_equal(meta_set(s.root, "author", "mlpkg examples", 14), 1);
	assert_int_equal(meta_set(s.root, "version", "1.0", 3), 1);
	const char *d = "A tiny convolutional network with synthetic weights";
	assert_int_equal(meta_set(s.root, "shortDescription", d, strlen(d)), 1);
	assert_int_equal(meta_set(s.root, "training_dataset", "synthetic-8x8", 13), 1);
	assert_int_equal(meta_rm(s.root, "new.key"), 1);
	assert_int_equal(meta_rm(s.root, "preview.type"), 1);
	assert_int_equal(meta_rm(s.root, "cut"), 1);
	size_t n1;
	uint8_t *back = written(&s, &n1);
	assert_int_equal(n1, n0);
	assert_memory_equal(back, orig, n0);
	free(back);
	free(orig);
	/* an empty key is refused */
	int rc = 0;
	EXPECT_CLASS(EXIT_USAGE, rc = meta_set(s.root, "", "x", 1));
	assert_int_equal(rc, -1);
	spec_free(&s);
}

/* setting on a model without a description makes one; removing the last
 * key removes what it made */
static void set_creates_rm_prunes(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "\x08\x04", 2);
	struct spec s;
	spec_from(&s, &sb);
	assert_int_equal(meta_set(s.root, "author", "Me", 2), 1);
	assert_int_equal(meta_set(s.root, "k", "v", 1), 1);
	assert_get(s.root, "author", "Me");
	CoreML__Specification__Model *pm = reread(&s);
	assert_int_equal(pm->specificationversion, 4);
	assert_string_equal(pm->description->metadata->author, "Me");
	assert_int_equal(pm->description->metadata->n_userdefined, 1);
	core_ml__specification__model__free_unpacked(pm, NULL);
	assert_int_equal(meta_rm(s.root, "author"), 1);
	assert_int_equal(meta_rm(s.root, "author"), 0);
	assert_int_equal(meta_rm(s.root, "k"), 1);
	size_t n;
	uint8_t *out = written(&s, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x08\x04", 2);
	free(out);
	spec_free(&s);
	/* a description with other fields stays when its metadata goes */
	spec_load(&s, nn_path);
	const char *keys[] = { "author", "license", "version", "description", "training_dataset" };
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(meta_rm(s.root, keys[i]), 1);
	pm = reread(&s);
	assert_non_null(pm->description);
	assert_null(pm->description->metadata);
	assert_int_equal(pm->description->n_input, 1);
	core_ml__specification__model__free_unpacked(pm, NULL);
	struct meta_entry *e;
	size_t k;
	assert_int_equal(meta_list(s.root, &e, &k), 0);
	assert_int_equal(k, 0);
	meta_entries_free(e, k);
	spec_free(&s);
	sb_release(&sb);
}

/* duplicates: set keeps one entry (where the last was), rm removes all */
static void duplicates_edit(void **state)
{
	(void)state;
	struct strbuf md = STRBUF_INIT, sb = STRBUF_INIT;
	add_len(&md, 3, "first", 5);
	add_entry(&md, "dup", "one");
	add_entry(&md, "solo", "s");
	add_len(&md, 3, "second", 6);
	add_entry(&md, "dup", "two");
	wrap_metadata(&sb, &md);
	struct spec s;
	spec_from(&s, &sb);
	assert_int_equal(meta_set(s.root, "dup", "three", 5), 1);
	CoreML__Specification__Model *pm = reread(&s);
	CoreML__Specification__Metadata *m = pm->description->metadata;
	assert_int_equal(m->n_userdefined, 2);
	assert_string_equal(m->userdefined[0]->key, "solo");
	assert_string_equal(m->userdefined[1]->key, "dup");
	assert_string_equal(m->userdefined[1]->value, "three");
	core_ml__specification__model__free_unpacked(pm, NULL);
	spec_free(&s);
	/* rm of a key given twice, and of a standard field given twice */
	spec_from(&s, &sb);
	assert_int_equal(meta_rm(s.root, "dup"), 1);
	assert_null(get(s.root, "dup"));
	assert_int_equal(meta_rm(s.root, "author"), 1);
	assert_null(get(s.root, "author"));
	pm = reread(&s);
	m = pm->description->metadata;
	assert_int_equal(m->n_userdefined, 1);
	assert_string_equal(m->userdefined[0]->key, "solo");
	assert_string_equal(m->author, "");
	core_ml__specification__model__free_unpacked(pm, NULL);
	size_t n;
	uint8_t *out = written(&s, &n);
	/* only the solo entry is left inside */
	struct strbuf want = STRBUF_INIT, wmd = STRBUF_INIT;
	add_entry(&wmd, "solo", "s");
	wrap_metadata(&want, &wmd);
	assert_int_equal(n, want.len);
	assert_memory_equal(out, want.buf, n);
	free(out);
	sb_release(&want);
	sb_release(&wmd);
	spec_free(&s);
	sb_release(&sb);
	sb_release(&md);
}

/* ---- checks of a value --------------------------------------------------------------------- */

static int check(const char *label, const char *key, const char *val, const char *ptype)
{
	int rc = 0;
	EXPECT_CLASS(EXIT_OK, rc = meta_check(label, key, val, strlen(val), ptype));
	return rc;
}

static void refuse(const char *label, const char *key, const char *val, size_t len, const char *ptype)
{
	int rc = 0;
	EXPECT_CLASS(EXIT_USAGE, rc = meta_check(label, key, val, len, ptype));
	if (rc != -1)
		print_error("accepted %s=%.*s (%s)\n", key, (int)len, val, ptype ? ptype : "-");
	assert_int_equal(rc, -1);
}

#define REFUSE(key, val, ptype) refuse(NULL, key, val, strlen(val), ptype)

static void checks(void **state)
{
	(void)state;
	assert_int_equal(check(NULL, "author", "Ann \xc3\xa9", NULL), 0);
	assert_int_equal(check(NULL, "k", "", NULL), 0);
	assert_int_equal(check("m", "preview.type", "imageSegmenter", NULL), 0);
	/* NUL bytes: not in a standard field */
	refuse(NULL, "author", "a\0b", 3, NULL);
	refuse(NULL, "version", "\0", 1, NULL);
	/* invalid UTF-8 in a value or a key */
	REFUSE("author", "\xff", NULL);
	REFUSE("k", "\xc3", NULL);
	REFUSE("k", "\xed\xa0\x80", NULL); /* a surrogate */
	REFUSE("\xc3\x28", "v", NULL);
	/* preview.params: JSON, of the shape the preview type takes */
	const char *ok[][2] = {
		{ "{\"labels\": [\"bg\", \"person\"]}", "imageSegmenter" },
		{ "{\"labels\": []}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": [\"#00ff00\"]}", "imageSegmenter" },
		{ " {\"labels\": [\"a\"], \"colors\": [\"#AbCdEf\", \"#000000\"]}\n", "imageSegmenter" },
		{ "{\"width_multiplier\": 1.0, \"output_stride\": 16}", "poseEstimation" },
		{ "[1, 2]", NULL },
		{ "\"text\"", NULL },
		{ "{\"anything\": true}", "bertQA" },
		{ "{}", "depthEstimation" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int rc = check(NULL, "preview.params", ok[i][0], ok[i][1]);
		if (rc)
			print_error("refused %s (%s)\n", ok[i][0], ok[i][1] ? ok[i][1] : "-");
		assert_int_equal(rc, 0);
		char *why = meta_params_problem(ok[i][0], strlen(ok[i][0]), ok[i][1]);
		assert_null(why);
	}
	const char *bad[][2] = {
		{ "", NULL },
		{ "{", NULL },
		{ "{\"a\": 1} x", NULL },
		{ "{\"a\": 1}{}", NULL },
		{ "not json", "imageSegmenter" },
		{ "[\"a\"]", "imageSegmenter" },
		{ "{}", "imageSegmenter" },
		{ "{\"labels\": \"a\"}", "imageSegmenter" },
		{ "{\"labels\": [\"a\", 1]}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": \"#000000\"}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": [\"red\"]}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": [\"#00000\"]}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": [\"#0000000\"]}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": [\"#00000g\"]}", "imageSegmenter" },
		{ "{\"labels\": [\"a\"], \"colors\": [7]}", "imageSegmenter" },
		{ "{\"width_multiplier\": 1.0}", "poseEstimation" },
		{ "{\"width_multiplier\": \"1\", \"output_stride\": 16}", "poseEstimation" },
		{ "[]", "poseEstimation" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		REFUSE("preview.params", bad[i][0], bad[i][1]);
		REFUSE(PREVIEW_PARAMS_KEY, bad[i][0], bad[i][1]);
		char *why = meta_params_problem(bad[i][0], strlen(bad[i][0]), bad[i][1]);
		assert_non_null(why);
		assert_true(strlen(why) > 0);
		free(why);
	}
	/* params checked only under their key */
	assert_int_equal(check(NULL, "preview.type", "{", NULL), 0);
	/* the message: one line, naming the model and saying it is unchanged */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	meta_check("DeepLab.mlpackage", "preview.params", "{", 1, NULL);
	meta_check(NULL, "preview.params", "{", 1, NULL);
	error_capture_end(&cap);
	assert_int_equal(cap.errors, 2);
	assert_non_null(cap.msgs);
	assert_non_null(strstr(cap.msgs->text, "DeepLab.mlpackage"));
	assert_non_null(strstr(cap.msgs->text, "unchanged"));
	assert_null(strchr(cap.msgs->text, '\n'));
	assert_non_null(cap.msgs->next);
	assert_null(strstr(cap.msgs->next->text, "unchanged"));
	error_capture_release(&cap);
}

/* unknown preview types are set, with a warning naming the nearest known one */
static void preview_type_warnings(void **state)
{
	(void)state;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	int r1 = meta_check(NULL, "preview.type", "imageSegmentr", 13, NULL);
	int r2 = meta_check(NULL, "preview.type", "somethingElseEntirely", 21, NULL);
	int r3 = meta_check(NULL, "preview.type", "poseEstimation", 14, NULL);
	int r4 = meta_check(NULL, "preview.type", "", 0, NULL);
	error_capture_end(&cap);
	assert_int_equal(r1, 0);
	assert_int_equal(r2, 0);
	assert_int_equal(r3, 0);
	assert_int_equal(r4, 0);
	assert_int_equal(cap.errors, 0);
	int n = 0;
	for (struct error_msg *m = cap.msgs; m; m = m->next, n++)
		assert_true(m->is_warning);
	assert_int_equal(n, 3);
	assert_non_null(strstr(cap.msgs->text, "imageSegmentr"));
	assert_non_null(strstr(cap.msgs->text, "'imageSegmenter'"));
	assert_non_null(strstr(cap.msgs->next->text, "somethingElseEntirely"));
	error_capture_release(&cap);
}

/* ---- a real model ----------------------------------------------------------------------------- */

static void fixture_bodyfat_metadata(void **state)
{
	(void)state;
	char *p = unit_fixture("bodyfat-BodyFatModelExtended.mlmodel");
	if (!p)
		skip();
	struct spec s;
	spec_load(&s, p);
	assert_get(s.root, "preview.type", "tabularRegressor");
	struct meta_entry *e;
	size_t n;
	assert_int_equal(meta_list(s.root, &e, &n), 0);
	size_t user = 0;
	for (size_t i = 0; i < n; i++)
		user += !e[i].standard;
	assert_int_equal(user, 4);
	meta_entries_free(e, n);
	/* an edit and its undoing give back every byte */
	char *old = get(s.root, "preview.type");
	assert_int_equal(meta_set(s.root, "preview.type", "tabularClassifier", 17), 1);
	assert_int_equal(meta_set(s.root, "added", "x", 1), 1);
	assert_int_equal(meta_set(s.root, "preview.type", old, strlen(old)), 1);
	assert_int_equal(meta_rm(s.root, "added"), 1);
	size_t len;
	uint8_t *out = written(&s, &len);
	assert_int_equal(len, s.len);
	assert_memory_equal(out, s.bytes, len);
	free(out);
	free(old);
	spec_free(&s);
	free(p);
}

static int setup(void **state)
{
	if (unit_setup(state) < 0)
		return -1;
	nn_path = unit_mkmodel("nn", "nn.mlmodel");
	cls_path = unit_mkmodel("nnclassifier", "cls.mlmodel");
	return nn_path && cls_path ? 0 : -1;
}

static int teardown(void **state)
{
	free(nn_path);
	free(cls_path);
	return unit_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_keys),
		cmocka_unit_test(list_and_get),
		cmocka_unit_test(no_metadata),
		cmocka_unit_test(duplicates_read),
		cmocka_unit_test(invalid_metadata),
		cmocka_unit_test(set_values),
		cmocka_unit_test(set_creates_rm_prunes),
		cmocka_unit_test(duplicates_edit),
		cmocka_unit_test(checks),
		cmocka_unit_test(preview_type_warnings),
		cmocka_unit_test(fixture_bodyfat_metadata),
	};
	return cmocka_run_group_tests_name("meta", tests, setup, teardown);
}
