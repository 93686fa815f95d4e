/* test-labels: a classifier's class labels (src/edit/labels.h), read and
 * replaced in place: mkmodel's neural-network classifier, and classifiers
 * built byte by byte here (GLM with int64 labels packed and unpacked, kNN,
 * a pipeline classifier, ML programs whose classify op holds its classes
 * as a literal or through a const op, in strings, int64 or int32).  A
 * refused replacement (count, duplicates, empty, not UTF-8, not an integer,
 * out of range, kNN) must give EXIT_USAGE and leave every byte as it was;
 * a model without labels gives 0 / EXIT_NOTFOUND; one that does not decode
 * EXIT_INVALID. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "unit.h"
#include "edit/labels.h"
#include "spec/tree.h"
#include "spec/wire.h"
#include "Model.pb-c.h"

static char *cls_path, *nn_path, *pipe_path;

/* ---- specs built byte by byte ----------------------------------------------------------------- */

static void add_len(struct strbuf *sb, uint32_t num, const void *p, size_t n)
{
	size_t el;
	uint8_t *e = mt_encode_len(num, p, n, &el);
	sb_add(sb, e, el);
	free(e);
}

static void add_str(struct strbuf *sb, uint32_t num, const char *s)
{
	add_len(sb, num, s, strlen(s));
}

/* field num holding message inner (released) */
static void add_msg(struct strbuf *sb, uint32_t num, struct strbuf *inner)
{
	add_len(sb, num, inner->buf ? inner->buf : "", inner->len);
	sb_release(inner);
}

static void add_varint(struct strbuf *sb, uint32_t num, uint64_t v)
{
	uint8_t b[20];
	size_t n = wire_put_varint(b, wire_tag(num, WT_VARINT));
	n += wire_put_varint(b + n, v);
	sb_add(sb, b, n);
}

/* integers in field num: packed (one LEN field) or one varint field each */
static void add_ints(struct strbuf *sb, uint32_t num, const int64_t *v, size_t n, int packed)
{
	if (!packed) {
		for (size_t i = 0; i < n; i++)
			add_varint(sb, num, (uint64_t)v[i]);
		return;
	}
	struct strbuf p = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		uint8_t b[10];
		sb_add(&p, b, wire_put_varint(b, (uint64_t)v[i]));
	}
	add_msg(sb, num, &p);
}

/* a map entry { key, value message } in field num */
static void add_entry(struct strbuf *sb, uint32_t num, const char *key, struct strbuf *value)
{
	struct strbuf e = STRBUF_INIT;
	add_str(&e, 1, key);
	add_msg(&e, 2, value);
	add_msg(sb, num, &e);
}

struct spec {
	uint8_t *bytes;
	size_t len;
	struct mt_node *root;
};

static void spec_from(struct spec *s, struct strbuf *sb)
{
	s->bytes = (uint8_t *)sb_detach(sb, &s->len);
	s->root = mt_root_new(&core_ml__specification__model__descriptor, s->bytes, s->len, "hand.mlmodel");
}

static void spec_load(struct spec *s, const char *path)
{
	s->bytes = (uint8_t *)unit_slurp(path, &s->len);
	assert_non_null(s->bytes);
	s->root = mt_root_new(&core_ml__specification__model__descriptor, s->bytes, s->len, path);
}

static void spec_free(struct spec *s)
{
	mt_free(s->root);
	free(s->bytes);
}

/* the tree written out is still the bytes it was read from */
static void assert_unchanged(struct spec *s)
{
	size_t n;
	uint8_t *out = mt_serialize(s->root, &n);
	assert_int_equal(n, s->len);
	assert_memory_equal(out, s->bytes, n);
	free(out);
}

/* Model { specificationVersion 1, <type num> { <labels field lf> { vector... } } } */
static void classifier(struct strbuf *sb, uint32_t type, uint32_t lf, const char *const *sv, const int64_t *iv,
		       size_t n, int packed)
{
	struct strbuf vec = STRBUF_INIT, cls = STRBUF_INIT;
	if (sv)
		for (size_t i = 0; i < n; i++)
			add_str(&vec, 1, sv[i]);
	else
		add_ints(&vec, 1, iv, n, packed);
	add_msg(&cls, lf, &vec);
	add_varint(sb, 1, 1);
	add_msg(sb, type, &cls);
}

/* TensorValue holding labels: strings (4), int32 (ints 2) or int64 (longInts 5) */
static void tensor(struct strbuf *t, int which, const char *const *sv, const int64_t *iv, size_t n, int packed)
{
	struct strbuf r = STRBUF_INIT;
	if (which == 4)
		for (size_t i = 0; i < n; i++)
			add_str(&r, 1, sv[i]);
	else
		add_ints(&r, 1, iv, n, packed);
	add_msg(t, (uint32_t)which, &r);
}

/* Value { immediateValue { tensor } } */
static void value_of(struct strbuf *v, struct strbuf *t)
{
	struct strbuf imm = STRBUF_INIT;
	add_msg(&imm, 1, t);
	add_msg(v, 3, &imm);
}

/* an ML program whose classify op takes its classes as a literal
 * (via_const 0) or from a const op named "labels" (via_const 1) */
static void program(struct strbuf *sb, int which, const char *const *sv, const int64_t *iv, size_t n, int packed,
		    int via_const)
{
	struct strbuf t = STRBUF_INIT, val = STRBUF_INIT, block = STRBUF_INIT, bind = STRBUF_INIT;
	tensor(&t, which, sv, iv, n, packed);
	value_of(&val, &t);
	if (via_const) {
		struct strbuf op = STRBUF_INIT, out = STRBUF_INIT;
		add_str(&op, 1, "const");
		add_str(&out, 1, "labels");
		add_msg(&op, 3, &out);
		add_entry(&op, 5, "val", &val);
		add_msg(&block, 3, &op);
		add_str(&bind, 1, "labels");
	} else {
		add_msg(&bind, 2, &val);
	}
	struct strbuf arg = STRBUF_INIT, op = STRBUF_INIT, pbind = STRBUF_INIT, parg = STRBUF_INIT;
	add_msg(&arg, 1, &bind);
	add_str(&op, 1, "classify");
	add_str(&pbind, 1, "probs");
	add_msg(&parg, 1, &pbind);
	add_entry(&op, 2, "probabilities", &parg);
	add_entry(&op, 2, "classes", &arg);
	add_msg(&block, 3, &op);
	struct strbuf fn = STRBUF_INIT, prog = STRBUF_INIT;
	add_str(&fn, 2, "CoreML5");
	add_entry(&fn, 3, "CoreML5", &block);
	add_varint(&prog, 1, 1);
	add_entry(&prog, 2, "main", &fn);
	add_varint(sb, 1, 6);
	add_msg(sb, 502, &prog);
}

/* ---- helpers ------------------------------------------------------------------------------------ */

static void assert_labels(struct mt_node *root, enum iface_label_kind kind, const char *const *want, size_t n)
{
	struct iface_labels l;
	int rc = -1;
	EXPECT_CLASS(EXIT_OK, rc = iface_labels_get(root, &l));
	assert_int_equal(rc, 1);
	assert_int_equal(l.kind, kind);
	assert_int_equal(l.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l.v[i], want[i]);
	assert_non_null(l.where);
	iface_labels_release(&l);
	assert_null(l.v);
	assert_null(l.where);
	assert_int_equal(l.n, 0);
}

static int set(struct mt_node *root, const char *const *v, size_t n)
{
	return iface_labels_set(root, (char *const *)v, n);
}

/* a replacement refused with EXIT_USAGE, leaving every byte */
static void refused(struct spec *s, const char *const *v, size_t n)
{
	int rc = 0;
	EXPECT_CLASS(EXIT_USAGE, rc = set(s->root, v, n));
	assert_int_equal(rc, -1);
	assert_unchanged(s);
}

/* ---- string labels --------------------------------------------------------------------------------- */

static void nn_classifier(void **state)
{
	(void)state;
	struct spec s;
	spec_load(&s, cls_path);
	const char *orig[] = { "cat", "dog", "bird" };
	assert_labels(s.root, LABELS_STRING, orig, 3);
	struct iface_labels l;
	assert_int_equal(iface_labels_get(s.root, &l), 1);
	assert_non_null(strstr(l.where, "neuralNetworkClassifier"));
	assert_int_equal(l.per_example, 0);
	iface_labels_release(&l);
	/* the same labels: no change */
	assert_int_equal(set(s.root, orig, 3), 0);
	assert_unchanged(&s);
	/* refusals leave every byte */
	const char *two[] = { "a", "b" };
	const char *four[] = { "a", "b", "c", "d" };
	const char *dup[] = { "a", "b", "a" };
	const char *empty[] = { "a", "", "c" };
	const char *badutf[] = { "a", "b\xff", "c" };
	refused(&s, two, 2);
	refused(&s, four, 4);
	refused(&s, four, 0);
	refused(&s, dup, 3);
	refused(&s, empty, 3);
	refused(&s, badutf, 3);
	/* a replacement: longer, shorter, not ASCII */
	const char *next[] = { "kitten", "\xc3\xa9l\xc3\xa9phant", "b" };
	assert_int_equal(set(s.root, next, 3), 1);
	assert_labels(s.root, LABELS_STRING, next, 3);
	size_t n;
	uint8_t *out = mt_serialize(s.root, &n);
	CoreML__Specification__Model *pm = core_ml__specification__model__unpack(NULL, n, out);
	free(out);
	assert_non_null(pm);
	CoreML__Specification__NeuralNetworkClassifier *nc = pm->neuralnetworkclassifier;
	assert_int_equal(nc->class_labels_case,
			 CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__CLASS_LABELS_STRING_CLASS_LABELS);
	assert_int_equal(nc->stringclasslabels->n_vector, 3);
	assert_string_equal(nc->stringclasslabels->vector[0], "kitten");
	assert_int_equal(nc->n_layers, 5);
	assert_string_equal(nc->labelprobabilitylayername, "probabilities");
	core_ml__specification__model__free_unpacked(pm, NULL);
	/* and back: the original bytes */
	assert_int_equal(set(s.root, orig, 3), 1);
	assert_unchanged(&s);
	spec_free(&s);
}

/* models without labels */
static void not_a_classifier(void **state)
{
	(void)state;
	const char *paths[] = { nn_path, pipe_path };
	const char *one[] = { "x" };
	for (size_t k = 0; k < 2; k++) {
		struct spec s;
		spec_load(&s, paths[k]);
		struct iface_labels l;
		int rc = -1;
		EXPECT_CLASS(EXIT_OK, rc = iface_labels_get(s.root, &l));
		assert_int_equal(rc, 0);
		assert_int_equal(l.n, 0);
		assert_null(l.v);
		iface_labels_release(&l);
		EXPECT_CLASS(EXIT_NOTFOUND, rc = set(s.root, one, 1));
		assert_int_equal(rc, -1);
		assert_unchanged(&s);
		spec_free(&s);
	}
	/* an empty spec, and a classifier without labels */
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, "\x08\x01", 2);
	struct spec s;
	spec_from(&s, &sb);
	struct iface_labels l;
	assert_int_equal(iface_labels_get(s.root, &l), 0);
	spec_free(&s);
	struct strbuf glm = STRBUF_INIT;
	add_varint(&glm, 3, 1); /* postEvaluationTransform, no labels */
	add_varint(&sb, 1, 1);
	add_msg(&sb, 400, &glm);
	spec_from(&s, &sb);
	assert_int_equal(iface_labels_get(s.root, &l), 0);
	spec_free(&s);
}

/* ---- integer labels ----------------------------------------------------------------------------------- */

static void int64_labels(void **state)
{
	(void)state;
	const int64_t iv[] = { 0, 1, -5 };
	const char *as_text[] = { "0", "1", "-5" };
	for (int packed = 0; packed < 2; packed++) {
		struct strbuf sb = STRBUF_INIT;
		classifier(&sb, 400, 101, NULL, iv, 3, packed);
		struct spec s;
		spec_from(&s, &sb);
		assert_labels(s.root, LABELS_INT64, as_text, 3);
		assert_int_equal(set(s.root, as_text, 3), 0);
		assert_unchanged(&s);
		const char *notint[] = { "0", "x", "2" };
		const char *plus[] = { "0", "+1", "2" };
		const char *space[] = { "0", " 1", "2" };
		const char *frac[] = { "0", "1.0", "2" };
		const char *big[] = { "0", "99999999999999999999", "2" };
		const char *trail[] = { "0", "1 ", "2" };
		refused(&s, notint, 3);
		refused(&s, plus, 3);
		refused(&s, space, 3);
		refused(&s, frac, 3);
		refused(&s, big, 3);
		refused(&s, trail, 3);
		const char *next[] = { "10", "-9223372036854775808", "9223372036854775807" };
		assert_int_equal(set(s.root, next, 3), 1);
		assert_labels(s.root, LABELS_INT64, next, 3);
		size_t n;
		uint8_t *out = mt_serialize(s.root, &n);
		CoreML__Specification__Model *pm = core_ml__specification__model__unpack(NULL, n, out);
		assert_non_null(pm);
		CoreML__Specification__Int64Vector *v = pm->glmclassifier->int64classlabels;
		assert_int_equal(v->n_vector, 3);
		assert_int_equal(v->vector[0], 10);
		assert_true(v->vector[1] == INT64_MIN);
		assert_true(v->vector[2] == INT64_MAX);
		core_ml__specification__model__free_unpacked(pm, NULL);
		/* the encoding is kept: packed stays one field, unpacked one a value */
		struct mt_node *vec = s.root;
		assert_int_equal(mt_parse(vec), 0);
		vec = mt_get(mt_get(s.root, 400), 101);
		assert_non_null(vec);
		assert_int_equal(mt_parse(vec), 0);
		assert_int_equal(vec->n, packed ? 1 : 3);
		free(out);
		assert_int_equal(set(s.root, as_text, 3), 1);
		assert_unchanged(&s);
		spec_free(&s);
	}
}

/* nearest neighbors keep one label per example: listed, never replaced */
static void knn(void **state)
{
	(void)state;
	const char *sv[] = { "a", "b", "a", "c" };
	struct strbuf sb = STRBUF_INIT;
	classifier(&sb, 404, 100, sv, NULL, 4, 0);
	struct spec s;
	spec_from(&s, &sb);
	struct iface_labels l;
	assert_int_equal(iface_labels_get(s.root, &l), 1);
	assert_int_equal(l.per_example, 1);
	assert_int_equal(l.n, 4);
	iface_labels_release(&l);
	const char *next[] = { "w", "x", "y", "z" };
	refused(&s, next, 4);
	spec_free(&s);
}

/* a pipeline classifier: the labels of its last member that has some */
static void pipeline_classifier(void **state)
{
	(void)state;
	const char *first[] = { "no", "yes" };
	const char *last[] = { "p", "q", "r" };
	struct strbuf m1 = STRBUF_INIT, m2 = STRBUF_INIT, m3 = STRBUF_INIT, pipe = STRBUF_INIT, pc = STRBUF_INIT,
		      sb = STRBUF_INIT;
	classifier(&m1, 400, 100, first, NULL, 2, 0);
	classifier(&m2, 402, 100, last, NULL, 3, 0);
	add_varint(&m3, 1, 1); /* a member without labels, last */
	add_msg(&pipe, 1, &m1);
	add_msg(&pipe, 1, &m2);
	add_msg(&pipe, 1, &m3);
	add_msg(&pc, 1, &pipe);
	add_varint(&sb, 1, 1);
	add_msg(&sb, 200, &pc);
	struct spec s;
	spec_from(&s, &sb);
	assert_labels(s.root, LABELS_STRING, last, 3);
	struct iface_labels l;
	assert_int_equal(iface_labels_get(s.root, &l), 1);
	assert_non_null(strstr(l.where, "pipeline"));
	iface_labels_release(&l);
	const char *next[] = { "x", "y", "z" };
	assert_int_equal(set(s.root, next, 3), 1);
	assert_labels(s.root, LABELS_STRING, next, 3);
	assert_int_equal(set(s.root, last, 3), 1);
	assert_unchanged(&s);
	spec_free(&s);
}

/* ---- ML programs ---------------------------------------------------------------------------------------- */

static void ml_program_strings(void **state)
{
	(void)state;
	const char *sv[] = { "background", "person", "cat" };
	for (int via_const = 0; via_const < 2; via_const++) {
		struct strbuf sb = STRBUF_INIT;
		program(&sb, 4, sv, NULL, 3, 0, via_const);
		struct spec s;
		spec_from(&s, &sb);
		assert_labels(s.root, LABELS_STRING, sv, 3);
		struct iface_labels l;
		assert_int_equal(iface_labels_get(s.root, &l), 1);
		assert_non_null(strstr(l.where, "mlProgram"));
		iface_labels_release(&l);
		const char *next[] = { "bg", "human", "feline" };
		const char *few[] = { "bg" };
		refused(&s, few, 1);
		assert_int_equal(set(s.root, next, 3), 1);
		assert_labels(s.root, LABELS_STRING, next, 3);
		assert_int_equal(set(s.root, sv, 3), 1);
		assert_unchanged(&s);
		spec_free(&s);
	}
}

static void ml_program_ints(void **state)
{
	(void)state;
	const int64_t iv[] = { 7, 8 };
	const char *as_text[] = { "7", "8" };
	const char *next[] = { "-1", "2147483647" };
	const char *too_big[] = { "1", "2147483648" };
	const char *too_small[] = { "1", "-2147483649" };
	/* int64 (longInts) and int32 (ints), packed */
	const int which[] = { 5, 2 };
	for (int k = 0; k < 2; k++) {
		struct strbuf sb = STRBUF_INIT;
		program(&sb, which[k], NULL, iv, 2, 1, k);
		struct spec s;
		spec_from(&s, &sb);
		assert_labels(s.root, LABELS_INT64, as_text, 2);
		if (which[k] == 2) {
			refused(&s, too_big, 2);
			refused(&s, too_small, 2);
		} else {
			assert_int_equal(set(s.root, too_big, 2), 1);
			assert_labels(s.root, LABELS_INT64, too_big, 2);
		}
		assert_int_equal(set(s.root, next, 2), 1);
		assert_labels(s.root, LABELS_INT64, next, 2);
		assert_int_equal(set(s.root, as_text, 2), 1);
		assert_unchanged(&s);
		spec_free(&s);
	}
}

/* int32 labels written one field a value: a value out of range anywhere
 * refuses the whole list, leaving every byte */
static void int32_unpacked_refused_whole(void **state)
{
	(void)state;
	const int64_t iv[] = { 5, 6 };
	struct strbuf sb = STRBUF_INIT;
	program(&sb, 2, NULL, iv, 2, 0, 0);
	struct spec s;
	spec_from(&s, &sb);
	const char *as_text[] = { "5", "6" };
	assert_labels(s.root, LABELS_INT64, as_text, 2);
	const char *too_big[] = { "1", "2147483648" };
	refused(&s, too_big, 2);
	assert_labels(s.root, LABELS_INT64, as_text, 2);
	spec_free(&s);
}

/* ---- malformed ---------------------------------------------------------------------------------------------- */

static void invalid_trees(void **state)
{
	(void)state;
	/* a classifier whose labels vector does not decode */
	struct strbuf cls = STRBUF_INIT, sb = STRBUF_INIT;
	add_len(&cls, 100, "\x0a\x09x", 3);
	add_varint(&sb, 1, 1);
	add_msg(&sb, 400, &cls);
	struct spec s;
	spec_from(&s, &sb);
	struct iface_labels l;
	int rc = 0;
	EXPECT_CLASS(EXIT_INVALID, rc = iface_labels_get(s.root, &l));
	assert_int_equal(rc, -1);
	assert_null(l.v);
	spec_free(&s);
	add_len(&cls, 100, "\x0a\x09x", 3);
	add_varint(&sb, 1, 1);
	add_msg(&sb, 400, &cls);
	spec_from(&s, &sb);
	const char *one[] = { "a" };
	EXPECT_CLASS(EXIT_INVALID, rc = set(s.root, one, 1));
	assert_int_equal(rc, -1);
	spec_free(&s);
	/* a classifier message that does not decode */
	add_varint(&sb, 1, 1);
	add_len(&sb, 403, "\xff\xff", 2);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = iface_labels_get(s.root, &l));
	assert_int_equal(rc, -1);
	spec_free(&s);
	/* an ML program whose function does not decode */
	struct strbuf fn = STRBUF_INIT, prog = STRBUF_INIT;
	sb_add(&fn, "\x1a\x30", 2);
	add_entry(&prog, 2, "main", &fn);
	add_varint(&sb, 1, 6);
	add_msg(&sb, 502, &prog);
	spec_from(&s, &sb);
	EXPECT_CLASS(EXIT_INVALID, rc = iface_labels_get(s.root, &l));
	assert_int_equal(rc, -1);
	spec_free(&s);
}

/* ---- parsing a labels file ------------------------------------------------------------------------------------ */

static void parse_lines(void **state)
{
	(void)state;
	const struct {
		const char *text;
		size_t n;
		const char *want[4];
	} t[] = {
		{ "", 0, { NULL } },
		{ "a", 1, { "a" } },
		{ "a\n", 1, { "a" } },
		{ "a\nb", 2, { "a", "b" } },
		{ "a\nb\n", 2, { "a", "b" } },
		{ "a\r\nb\r\n", 2, { "a", "b" } },
		{ "\n", 1, { "" } },
		{ "a\n\nb", 3, { "a", "", "b" } },
		{ " a \n\tb", 2, { " a ", "\tb" } },
		{ "a\rb\n", 1, { "a\rb" } },
		{ "a\n\n", 2, { "a", "" } },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char **v;
		size_t n;
		iface_labels_parse(t[i].text, strlen(t[i].text), &v, &n);
		assert_int_equal(n, t[i].n);
		for (size_t k = 0; k < n; k++)
			assert_string_equal(v[k], t[i].want[k]);
		for (size_t k = 0; k < n; k++)
			free(v[k]);
		free(v);
	}
	/* only len bytes are read */
	char **v;
	size_t n;
	iface_labels_parse("a\nb\nc", 3, &v, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[1], "b");
	free(v[0]);
	free(v[1]);
	free(v);
}

/* ---- real models ---------------------------------------------------------------------------------------------- */

static void fixture_classifier_labels(void **state)
{
	(void)state;
	const char *names[] = {
		"ph1ps-MNIST.mlmodel",        "createml-ChestXray.mlmodel",           "improveai-dummy_v6.mlmodel",
		"createml-carwatson.mlmodel", "mlt-HealthySnacks-turicreate.mlmodel", "asl-HandPoseClassifier.mlmodel"
	};
	int ran = 0;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		char *p = unit_fixture(names[k]);
		if (!p)
			continue;
		ran++;
		struct spec s;
		spec_load(&s, p);
		struct iface_labels l;
		assert_int_equal(iface_labels_get(s.root, &l), 1);
		assert_true(l.n > 0);
		/* reversed, then back: the original bytes */
		char **rev = xcalloc(l.n, sizeof(*rev));
		for (size_t i = 0; i < l.n; i++)
			rev[i] = l.v[l.n - 1 - i];
		int rc = iface_labels_set(s.root, rev, l.n);
		assert_int_equal(rc, l.n > 1 ? 1 : 0);
		assert_int_equal(iface_labels_set(s.root, l.v, l.n), l.n > 1 ? 1 : 0);
		assert_unchanged(&s);
		free(rev);
		iface_labels_release(&l);
		spec_free(&s);
		free(p);
	}
	if (!ran)
		skip();
}

static int setup(void **state)
{
	if (unit_setup(state) < 0)
		return -1;
	cls_path = unit_mkmodel("nnclassifier", "cls.mlmodel");
	nn_path = unit_mkmodel("nn", "nn.mlmodel");
	pipe_path = unit_mkmodel("pipeline", "pipe.mlmodel");
	return cls_path && nn_path && pipe_path ? 0 : -1;
}

static int teardown(void **state)
{
	free(cls_path);
	free(nn_path);
	free(pipe_path);
	return unit_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nn_classifier),
		cmocka_unit_test(not_a_classifier),
		cmocka_unit_test(int64_labels),
		cmocka_unit_test(knn),
		cmocka_unit_test(pipeline_classifier),
		cmocka_unit_test(ml_program_strings),
		cmocka_unit_test(ml_program_ints),
		cmocka_unit_test(int32_unpacked_refused_whole),
		cmocka_unit_test(invalid_trees),
		cmocka_unit_test(parse_lines),
		cmocka_unit_test(fixture_classifier_labels),
	};
	return cmocka_run_group_tests_name("labels", tests, setup, teardown);
}
