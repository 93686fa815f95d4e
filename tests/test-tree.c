/* test-tree: the lazy exact tree: decoding, re-encoding, unknown fields,
 * packed and unpacked repeated fields, nested edits that grow and shrink,
 * maps, invalid input, deep nesting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/error.h"
#include "query/meta.h"
#include "edit/meta-edit.h"
#include "spec/tree.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "Model.pb-c.h"

typedef CoreML__Specification__Model Model;
typedef CoreML__Specification__Metadata Metadata;
typedef CoreML__Specification__ModelDescription Desc;

/* a model with a description, metadata (author + 2 userDefined keys in a
 * non-sorted order), and an input with a multi-array shape */
static uint8_t *sample(size_t *len)
{
	Model m = CORE_ML__SPECIFICATION__MODEL__INIT;
	Desc d = CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT;
	Metadata md = CORE_ML__SPECIFICATION__METADATA__INIT;
	CoreML__Specification__Metadata__UserDefinedEntry e1 =
		CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT;
	CoreML__Specification__Metadata__UserDefinedEntry e2 =
		CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT;
	CoreML__Specification__Metadata__UserDefinedEntry *ents[] = { &e1, &e2 };
	CoreML__Specification__FeatureDescription in = CORE_ML__SPECIFICATION__FEATURE_DESCRIPTION__INIT;
	CoreML__Specification__FeatureDescription *ins[] = { &in };
	CoreML__Specification__FeatureType ft = CORE_ML__SPECIFICATION__FEATURE_TYPE__INIT;
	CoreML__Specification__ArrayFeatureType at = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__INIT;
	int64_t shape[] = { 1, 3, 224, 224 };
	e1.key = "zeta";
	e1.value = "1";
	e2.key = "alpha";
	e2.value = "2";
	md.author = "someone";
	md.n_userdefined = 2;
	md.userdefined = ents;
	at.n_shape = 4;
	at.shape = shape;
	at.datatype = CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32;
	ft.type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
	ft.multiarraytype = &at;
	in.name = "input";
	in.type = &ft;
	d.n_input = 1;
	d.input = ins;
	d.metadata = &md;
	m.specificationversion = 4;
	m.description = &d;
	*len = protobuf_c_message_get_packed_size(&m.base);
	uint8_t *b = xmalloc(*len);
	protobuf_c_message_pack(&m.base, b);
	return b;
}

static Model *unpack(const uint8_t *b, size_t n)
{
	Model *m = core_ml__specification__model__unpack(NULL, n, b);
	assert_non_null(m);
	return m;
}

static void untouched_is_identical(void **state)
{
	size_t n, m;
	uint8_t *b = sample(&n);
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, b, n, "t");
	assert_int_equal(mt_validate(root), 0);
	uint8_t *out = mt_serialize(root, &m);
	assert_int_equal(m, n);
	assert_memory_equal(out, b, n);
	free(out);
	mt_free(root);
	free(b);
}

static void nested_edit_grows_and_shrinks(void **state)
{
	size_t n, m;
	uint8_t *b = sample(&n);
	const char *vals[] = { "x", "a much longer author name that needs more bytes than before", "", "someone" };
	for (size_t k = 0; k < 4; k++) {
		struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, b, n, "t");
		struct mt_node *md = mt_get_path(root, "description.metadata");
		assert_non_null(md);
		mt_set_bytes(md, 3, vals[k], strlen(vals[k]));
		uint8_t *out = mt_serialize(root, &m);
		Model *pm = unpack(out, m);
		assert_string_equal(pm->description->metadata->author, vals[k]);
		assert_int_equal(pm->description->metadata->n_userdefined, 2);
		assert_string_equal(pm->description->metadata->userdefined[0]->key, "zeta");
		assert_int_equal(pm->description->input[0]->type->multiarraytype->shape[3], 224);
		assert_int_equal(pm->specificationversion, 4);
		if (k == 3) { /* back to the original value: the original bytes */
			assert_int_equal(m, n);
			assert_memory_equal(out, b, n);
		}
		core_ml__specification__model__free_unpacked(pm, NULL);
		free(out);
		mt_free(root);
	}
	free(b);
}

/* lengths crossing the one-byte varint boundary re-encode correctly */
static void length_boundary(void **state)
{
	size_t n, m;
	uint8_t *b = sample(&n);
	char big[300];
	for (size_t len = 100; len < 300; len += 7) {
		memset(big, 'q', len);
		struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, b, n, "t");
		struct mt_node *md = mt_get_path(root, "description.metadata");
		mt_set_bytes(md, 1, big, len);
		uint8_t *out = mt_serialize(root, &m);
		assert_int_equal(m, mt_size(root));
		Model *pm = unpack(out, m);
		assert_int_equal(strlen(pm->description->metadata->shortdescription), len);
		core_ml__specification__model__free_unpacked(pm, NULL);
		free(out);
		mt_free(root);
	}
	free(b);
}

static void unknown_fields_survive(void **state)
{
	size_t n, m;
	uint8_t *b = sample(&n);
	/* append unknown field 7777 (varint) at the top, and a fixed32 field 999 */
	uint8_t extra[32];
	size_t k = wire_put_varint(extra, wire_tag(7777, WT_VARINT));
	k += wire_put_varint(extra + k, 42);
	k += wire_put_varint(extra + k, wire_tag(999, WT_I32));
	memcpy(extra + k, "\x01\x02\x03\x04", 4);
	k += 4;
	uint8_t *in = xmalloc(n + k);
	memcpy(in, b, n);
	memcpy(in + n, extra, k);
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, in, n + k, "t");
	assert_int_equal(mt_count_unknown(root), 2);
	struct mt_node *md = mt_get_path(root, "description.metadata");
	mt_set_bytes(md, 4, "MIT", 3);
	uint8_t *out = mt_serialize(root, &m);
	/* the unknown fields are still there, at the end, byte for byte */
	assert_memory_equal(out + m - k, extra, k);
	Model *pm = unpack(out, m);
	assert_string_equal(pm->description->metadata->license, "MIT");
	core_ml__specification__model__free_unpacked(pm, NULL);
	free(out);
	mt_free(root);
	free(in);
	free(b);
}

static void wire_type_mismatch_is_unknown(void **state)
{
	/* specificationVersion (1, int32) sent as a LEN field */
	uint8_t in[] = { 0x0a, 0x02, 'h', 'i', 0x08, 0x05 };
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, in, sizeof(in), "t");
	assert_int_equal(mt_parse(root), 0);
	assert_null(root->f[0].fd);
	assert_true(root->f[0].flags & MT_F_MISMATCH);
	assert_int_equal(mt_get_int(root, 1, -1), 5);
	mt_free(root);
}

static void packed_and_unpacked(void **state)
{
	/* ArrayFeatureType.shape (1, repeated int64): packed [1,2,300] then unpacked 7, 8 */
	uint8_t in[] = { 0x0a, 0x04, 0x01, 0x02, 0xac, 0x02, 0x08, 0x07, 0x08, 0x08 };
	struct mt_node *n = mt_root_new(&core_ml__specification__array_feature_type__descriptor, in, sizeof(in), "t");
	assert_int_equal(mt_parse(n), 0);
	assert_int_equal(n->n, 3);
	assert_true(n->f[0].flags & MT_F_PACKED);
	int64_t want[] = { 1, 2, 300, 7, 8 }, got[5];
	size_t k = 0;
	for (size_t i = 0; i < n->n; i++) {
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&n->f[i], &pos, &u))
			got[k++] = mt_raw_int(n->f[i].fd, u);
	}
	assert_int_equal(k, 5);
	assert_memory_equal(got, want, sizeof(want));
	mt_free(n);
	/* packed floats with a length that is not a multiple of 4 are invalid */
	uint8_t badf[] = { 0x0a, 0x03, 0, 0, 0 };
	n = mt_root_new(&core_ml__specification__weight_params__descriptor, badf, sizeof(badf), "t");
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	assert_int_equal(mt_parse(n), -1);
	error_capture_end(&cap);
	mt_free(n);
}

static void map_edits_keep_order(void **state)
{
	size_t n, m;
	uint8_t *b = sample(&n);
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, b, n, "t");
	assert_int_equal(meta_set(root, "zeta", "changed", 7), 1);
	assert_int_equal(meta_set(root, "new", "3", 1), 1);
	assert_int_equal(meta_set(root, "alpha", "2", 1), 0); /* same value: no change */
	uint8_t *out = mt_serialize(root, &m);
	Model *pm = unpack(out, m);
	Metadata *md = pm->description->metadata;
	assert_int_equal(md->n_userdefined, 3);
	assert_string_equal(md->userdefined[0]->key, "zeta");
	assert_string_equal(md->userdefined[0]->value, "changed");
	assert_string_equal(md->userdefined[1]->key, "alpha");
	assert_string_equal(md->userdefined[2]->key, "new");
	core_ml__specification__model__free_unpacked(pm, NULL);
	free(out);
	/* removing and restoring gives the original bytes back */
	assert_int_equal(meta_rm(root, "new"), 1);
	assert_int_equal(meta_set(root, "zeta", "1", 1), 1);
	assert_int_equal(meta_rm(root, "absent"), 0);
	out = mt_serialize(root, &m);
	assert_int_equal(m, n);
	assert_memory_equal(out, b, n);
	free(out);
	mt_free(root);
	free(b);
}

static void metadata_created_then_removed(void **state)
{
	uint8_t in[] = { 0x08, 0x04 }; /* only specificationVersion */
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, in, sizeof(in), "t");
	assert_int_equal(meta_set(root, "preview.type", "imageSegmenter", 14), 1);
	char *v;
	size_t l;
	assert_int_equal(meta_get(root, PREVIEW_TYPE_KEY, &v, &l), 1);
	assert_string_equal(v, "imageSegmenter");
	free(v);
	assert_int_equal(meta_rm(root, "preview.type"), 1);
	size_t m;
	uint8_t *out = mt_serialize(root, &m);
	assert_int_equal(m, sizeof(in));
	assert_memory_equal(out, in, sizeof(in));
	free(out);
	mt_free(root);
}

static void invalid_found_lazily(void **state)
{
	/* description (2) holds a LEN field whose length runs past its message */
	uint8_t in[] = { 0x08, 0x04, 0x12, 0x03, 0x0a, 0x05, 'x' };
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, in, sizeof(in), "t");
	assert_int_equal(mt_parse(root), 0); /* the top level is fine */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	assert_null(mt_get(root, 2));
	assert_int_equal(mt_validate(root), -1);
	assert_int_equal(error_capture_end(&cap), EXIT_INVALID);
	mt_free(root);
	/* a string field with invalid UTF-8 */
	uint8_t bad[] = { 0x12, 0x06, 0xa2, 0x06, 0x03, 0x1a, 0x01, 0xff };
	root = mt_root_new(&core_ml__specification__model__descriptor, bad, sizeof(bad), "t");
	error_capture_begin(&cap, ERRCAP_DROP);
	assert_int_equal(mt_validate(root), -1);
	error_capture_end(&cap);
	mt_free(root);
}

static void deep_nesting_is_an_error(void **state)
{
	/* pipeline (202) { models (1) { pipeline { models { ... } } } }, 300 deep */
	size_t depth = 300;
	uint8_t *buf = xmalloc(16);
	size_t len = 0;
	for (size_t i = 0; i < depth; i++) {
		size_t l1, l2;
		uint8_t *inner = mt_encode_len(1, buf, len, &l1);    /* Pipeline.models */
		uint8_t *outer = mt_encode_len(202, inner, l1, &l2); /* Model.pipeline */
		free(inner);
		free(buf);
		buf = outer;
		len = l2;
	}
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, buf, len, "t");
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	assert_int_equal(mt_validate(root), -1);
	assert_int_equal(error_capture_end(&cap), EXIT_INVALID);
	mt_free(root);
	free(buf);
}

static void every_scalar_type(void **state)
{
	/* Int64Range min=-5 (int64 varint), max=7 */
	uint8_t r[] = { 0x08, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x10, 0x07 };
	struct mt_node *n = mt_root_new(&core_ml__specification__int64_range__descriptor, r, sizeof(r), "t");
	assert_int_equal(mt_get_int(n, 1, 0), -5);
	assert_int_equal(mt_get_int(n, 2, 0), 7);
	mt_free(n);
	/* DoubleRange (doubles, fixed64) */
	CoreML__Specification__DoubleRange dr = CORE_ML__SPECIFICATION__DOUBLE_RANGE__INIT;
	dr.minvalue = -1.5;
	dr.maxvalue = 2.25;
	uint8_t db[32];
	size_t dl = protobuf_c_message_pack(&dr.base, db);
	n = mt_root_new(&core_ml__specification__double_range__descriptor, db, dl, "t");
	assert_int_equal(mt_parse(n), 0);
	assert_true(mt_double(&n->f[0]) == -1.5);
	assert_true(mt_double(&n->f[1]) == 2.25);
	mt_free(n);
}

/* a field (number num, LEN) holding p, appended to b at *k */
static void put_len(uint8_t *b, size_t *k, uint32_t num, const void *p, size_t len)
{
	size_t el;
	uint8_t *e = mt_encode_len(num, p, len, &el);
	memcpy(b + *k, e, el);
	*k += el;
	free(e);
}

/* description twice, metadata twice in the first: the tree shows the
 * merged view, writes untouched bytes as they were, and an edit writes the
 * merged description once, at its last occurrence */
static void singular_messages_merge(void **state)
{
	uint8_t md1[64], md2[64], d1[160], d2[96], b[512];
	size_t k1 = 0, k2 = 0, kd1 = 0, kd2 = 0, n = 0;
	put_len(md1, &k1, 3, "first", 5);
	put_len(md1, &k1, 4, "MIT", 3);
	put_len(md2, &k2, 3, "second", 6);
	put_len(d1, &kd1, 100, md1, k1);
	put_len(d1, &kd1, 100, md2, k2);
	uint8_t md3[32];
	size_t k3 = 0;
	put_len(md3, &k3, 1, "short", 5);
	put_len(d2, &kd2, 100, md3, k3);
	b[n++] = 0x08; /* specificationVersion 4 */
	b[n++] = 4;
	put_len(b, &n, 2, d1, kd1);
	put_len(b, &n, 2, d2, kd2);
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, b, n, "t");
	assert_int_equal(mt_validate(root), 0);
	assert_int_equal(root->n, 2); /* the first description is merged into the second */
	struct mt_node *m = mt_get_path(root, "description.metadata");
	assert_non_null(m);
	char *a = mt_get_str(m, 3), *l = mt_get_str(m, 4), *sd = mt_get_str(m, 1);
	assert_string_equal(a, "second");
	assert_string_equal(l, "MIT");
	assert_string_equal(sd, "short");
	free(a);
	free(l);
	free(sd);
	size_t len;
	uint8_t *out = mt_serialize(root, &len);
	assert_int_equal(len, n);
	assert_memory_equal(out, b, n);
	free(out);
	/* an edit: what python3-protobuf reads is the merged view, edited */
	mt_set_bytes(m, 3, NULL, 0);
	out = mt_serialize(root, &len);
	assert_int_equal(len, mt_size(root));
	Model *pm = unpack(out, len);
	assert_non_null(pm->description);
	assert_non_null(pm->description->metadata);
	assert_string_equal(pm->description->metadata->author, "");
	assert_string_equal(pm->description->metadata->license, "MIT");
	assert_string_equal(pm->description->metadata->shortdescription, "short");
	core_ml__specification__model__free_unpacked(pm, NULL);
	/* one description holding one metadata */
	struct mt_node *r2 = mt_root_new(&core_ml__specification__model__descriptor, out, len, "t2");
	assert_int_equal(mt_validate(r2), 0);
	assert_int_equal(mt_find(r2, 2, 0), mt_find_last(r2, 2));
	assert_null(mt_get(r2, 2)->merge);
	mt_free(r2);
	free(out);
	/* removing the merged field removes every occurrence */
	mt_remove(root, (size_t)mt_find_last(root, 2));
	out = mt_serialize(root, &len);
	assert_int_equal(len, 2);
	free(out);
	mt_free(root);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(untouched_is_identical),
		cmocka_unit_test(nested_edit_grows_and_shrinks),
		cmocka_unit_test(length_boundary),
		cmocka_unit_test(unknown_fields_survive),
		cmocka_unit_test(wire_type_mismatch_is_unknown),
		cmocka_unit_test(packed_and_unpacked),
		cmocka_unit_test(map_edits_keep_order),
		cmocka_unit_test(metadata_created_then_removed),
		cmocka_unit_test(invalid_found_lazily),
		cmocka_unit_test(deep_nesting_is_an_error),
		cmocka_unit_test(every_scalar_type),
		cmocka_unit_test(singular_messages_merge),
	};
	return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
