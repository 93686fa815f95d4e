/* test-pathq: the path language of `mlpkg get` (src/query/pathq.h) on
 * mkmodel's neural network and ML-program package and on specs built byte
 * by byte here: fields, indexes from either end, map keys quoted or bare,
 * FIELD=VALUE selection (an ML-program op by its name or its outputs),
 * nested blocks, packed repeated scalars, every kind of result, and the
 * errors: EXIT_USAGE for a malformed path or a selector that does not fit
 * the field, EXIT_NOTFOUND for what the model lacks, EXIT_INVALID for a
 * node that does not decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "unit.h"
#include "model/model.h"
#include "query/meta.h"
#include "query/pathq.h"
#include "spec/tree.h"
#include "Model.pb-c.h"

static char *nn_path, *seg_path;

/* ---- results as text ------------------------------------------------------------------ */

/* the value a PQ_FIELD or PQ_ELEMENT result reads, as text (caller frees) */
static char *value_text(const struct pq_result *r)
{
	const struct mt_field *f = &r->node->f[r->field];
	if (r->kind == PQ_ELEMENT)
		return xasprintf("%lld", (long long)mt_raw_int(f->fd, r->elem));
	assert_int_equal(r->kind, PQ_FIELD);
	if (f->fd->type == PROTOBUF_C_TYPE_STRING || f->fd->type == PROTOBUF_C_TYPE_BYTES) {
		size_t len;
		const char *s = mt_str(f, &len);
		return xstrndup(s, len);
	}
	if (f->fd->type == PROTOBUF_C_TYPE_FLOAT || f->fd->type == PROTOBUF_C_TYPE_DOUBLE)
		return xasprintf("%g", mt_double(f));
	return xasprintf("%lld", (long long)mt_int(f));
}

/* evaluates path, which must give a scalar reading want */
static void want_value(struct mt_node *root, const char *path, const char *want)
{
	struct pq_result r;
	int rc = -1;
	EXPECT_CLASS(EXIT_OK, rc = pathq_eval(root, path, &r));
	if (rc != 0)
		print_error("path %s failed\n", path);
	assert_int_equal(rc, 0);
	char *v = value_text(&r);
	if (strcmp(v, want))
		print_error("path %s: '%s', not '%s'\n", path, v, want);
	assert_string_equal(v, want);
	free(v);
}

/* evaluates path, which must fail with exit class code */
static void want_error(struct mt_node *root, const char *path, int code)
{
	struct pq_result r;
	int rc = 0;
	EXPECT_CLASS(code, rc = pathq_eval(root, path, &r));
	if (rc != -1)
		print_error("path %s did not fail\n", path);
	assert_int_equal(rc, -1);
}

static struct mlpkg_model *open_model(const char *p)
{
	struct mlpkg_model *m = NULL;
	assert_non_null(p);
	assert_int_equal(mlpkg_open(p, 0, &m), 0);
	return m;
}

/* ---- a neural network ------------------------------------------------------------------ */

static void fields_and_indexes(void **state)
{
	(void)state;
	struct mlpkg_model *m = open_model(nn_path);
	struct mt_node *root = m->root;
	want_value(root, "specificationVersion", "4");
	want_value(root, "description.metadata.author", "mlpkg examples");
	want_value(root, ".description.metadata.author", "mlpkg examples");
	want_value(root, "description.metadata.versionString", "1.0");
	want_value(root, "description.input[0].name", "input");
	want_value(root, "description.output[-1].name", "output");
	want_value(root, "neuralNetwork.layers[0].name", "conv1");
	want_value(root, "neuralNetwork.layers[5].name", "softmax");
	want_value(root, "neuralNetwork.layers[-1].name", "softmax");
	want_value(root, "neuralNetwork.layers[-6].name", "conv1");
	want_value(root, "neuralNetwork.layers[1].input[0]", "conv1_output");
	want_value(root, "neuralNetwork.layers[1].output[-1]", "bn1_output");
	want_value(root, "neuralNetwork.layers[0].convolution.outputChannels", "4");
	want_value(root, "neuralNetwork.layers[1].batchnorm.channels", "4");
	/* an enum field, as its number */
	want_value(root, "description.input[0].type.multiArrayType.dataType", "65600");
	/* packed repeated scalars: one element */
	want_value(root, "description.input[0].type.multiArrayType.shape[0]", "3");
	want_value(root, "description.input[0].type.multiArrayType.shape[2]", "8");
	want_value(root, "description.input[0].type.multiArrayType.shape[-3]", "3");
	struct pq_result r;
	assert_int_equal(pathq_eval(root, "description.input[0].type.multiArrayType.shape[1]", &r), 0);
	assert_int_equal(r.kind, PQ_ELEMENT);
	assert_string_equal(r.fd->name, "shape");
	/* the root itself */
	assert_int_equal(pathq_eval(root, "", &r), 0);
	assert_int_equal(r.kind, PQ_NODE);
	assert_ptr_equal(r.node, root);
	assert_null(r.fd);
	assert_int_equal(pathq_eval(root, ".", &r), 0);
	assert_ptr_equal(r.node, root);
	/* a message */
	assert_int_equal(pathq_eval(root, "neuralNetwork.layers[2]", &r), 0);
	assert_int_equal(r.kind, PQ_NODE);
	assert_string_equal(r.fd->name, "layers");
	assert_string_equal(r.node->desc->short_name, "NeuralNetworkLayer");
	assert_int_equal(pathq_eval(root, "description.metadata", &r), 0);
	assert_int_equal(r.kind, PQ_NODE);
	assert_string_equal(r.node->desc->short_name, "Metadata");
	/* a whole repeated field */
	assert_int_equal(pathq_eval(root, "neuralNetwork.layers", &r), 0);
	assert_int_equal(r.kind, PQ_REPEATED);
	assert_string_equal(r.node->desc->short_name, "NeuralNetwork");
	assert_string_equal(r.fd->name, "layers");
	assert_int_equal(r.node->f[r.field].fd, r.fd);
	assert_int_equal(pathq_eval(root, "description.input[0].type.multiArrayType.shape", &r), 0);
	assert_int_equal(r.kind, PQ_REPEATED);
	mlpkg_close(m);
}

static void selectors(void **state)
{
	(void)state;
	struct mlpkg_model *m = open_model(nn_path);
	struct mt_node *root = m->root;
	want_value(root, "neuralNetwork.layers[name=\"fc1\"].input[0]", "flatten1_output");
	want_value(root, "neuralNetwork.layers[name='fc1'].output[0]", "fc1_output");
	want_value(root, "neuralNetwork.layers[ name = \"fc1\" ].name", "fc1");
	want_value(root, "neuralNetwork.layers[name=relu1].input[0]", "bn1_output");
	want_value(root, "neuralNetwork.layers[name = relu1 ].input[0]", "bn1_output");
	/* a repeated string field matches on any of its values */
	want_value(root, "neuralNetwork.layers[output=\"flatten1_output\"].name", "flatten1");
	want_value(root, "neuralNetwork.layers[input=flatten1_output].name", "fc1");
	want_value(root, "description.input[name=input].type.multiArrayType.shape[0]", "3");
	want_value(root, "neuralNetwork.layers[0].convolution.kernelSize[0]", "3");
	/* map keys: quoted, bare, or the Nth entry */
	want_value(root, "description.metadata.userDefined[\"training_dataset\"]", "synthetic-8x8");
	want_value(root, "description.metadata.userDefined['training_dataset']", "synthetic-8x8");
	want_value(root, "description.metadata.userDefined[training_dataset]", "synthetic-8x8");
	struct pq_result r;
	assert_int_equal(pathq_eval(root, "description.metadata.userDefined[0]", &r), 0);
	assert_int_equal(r.kind, PQ_NODE);
	want_value(root, "description.metadata.userDefined[0].key", "training_dataset");
	want_value(root, "description.metadata.userDefined[-1].value", "synthetic-8x8");
	mlpkg_close(m);
}

static void not_found(void **state)
{
	(void)state;
	struct mlpkg_model *m = open_model(nn_path);
	struct mt_node *root = m->root;
	want_error(root, "nosuch", EXIT_NOTFOUND);
	want_error(root, "description.nosuch", EXIT_NOTFOUND);
	want_error(root, "pipeline", EXIT_NOTFOUND); /* not set in this model */
	want_error(root, "pipeline.models[0]", EXIT_NOTFOUND);
	want_error(root, "description.metadata.license.x", EXIT_NOTFOUND); /* not a message */
	want_error(root, "description.predictedFeatureName", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.layers[6]", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.layers[-7]", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.layers[99999999999999999999]", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.layers[-99999999999999999999]", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.layers[name=\"zzz\"]", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.layers[name=\"fc\"]", EXIT_NOTFOUND); /* no prefix match */
	want_error(root, "neuralNetwork.layers[nosuch=1]", EXIT_NOTFOUND);
	want_error(root, "neuralNetwork.preprocessing", EXIT_NOTFOUND); /* none */
	want_error(root, "neuralNetwork.layers[0].input[1]", EXIT_NOTFOUND);
	want_error(root, "description.input[0].type.multiArrayType.shape[3]", EXIT_NOTFOUND);
	want_error(root, "description.input[0].type.multiArrayType.shape[-4]", EXIT_NOTFOUND);
	want_error(root, "description.input[0].type.multiArrayType.shape[0].x", EXIT_NOTFOUND);
	want_error(root, "description.metadata.userDefined[\"nope\"]", EXIT_NOTFOUND);
	want_error(root, "description.metadata.userDefined[\"training_dataset\"].x", EXIT_NOTFOUND);
	want_error(root, "description.metadata.userDefined[1]", EXIT_NOTFOUND);
	/* the message names the model and the part that is missing */
	struct error_capture cap;
	struct pq_result r;
	error_capture_begin(&cap, ERRCAP_KEEP);
	int rc = pathq_eval(root, "neuralNetwork.layers[name=\"zzz\"].name", &r);
	error_capture_end(&cap);
	assert_int_equal(rc, -1);
	assert_non_null(cap.msgs);
	assert_non_null(strstr(cap.msgs->text, "zzz"));
	assert_non_null(strstr(cap.msgs->text, "neuralNetwork.layers"));
	assert_null(cap.msgs->next);
	error_capture_release(&cap);
	mlpkg_close(m);
}

static void malformed_paths(void **state)
{
	(void)state;
	struct mlpkg_model *m = open_model(nn_path);
	struct mt_node *root = m->root;
	const char *bad[] = {
		"..",
		"description.",
		"description..metadata",
		".description.",
		"a b",
		"description metadata",
		"description/metadata",
		"-1",
		"[0]",
		"neuralNetwork.[0]",
		"neuralNetwork.layers[",
		"neuralNetwork.layers[0",
		"neuralNetwork.layers[]",
		"neuralNetwork.layers[ ]",
		"neuralNetwork.layers[=x]",
		"neuralNetwork.layers[\"unterminated]",
		"neuralNetwork.layers[name=\"x]",
		"neuralNetwork.layers[0][1]",
		"neuralNetwork.layers[0]x",
		"description.metadata.userDefined['k]",
		"neuralNetwork.layers[0].",
		"description\xc3\xa9",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		want_error(root, bad[i], EXIT_USAGE);
	/* selectors that do not fit the field */
	want_error(root, "description.metadata.author[0]", EXIT_USAGE); /* not repeated */
	want_error(root, "description[0]", EXIT_USAGE);
	want_error(root, "neuralNetwork.layers.name", EXIT_USAGE);       /* pick one first */
	want_error(root, "neuralNetwork.layers[\"conv1\"]", EXIT_USAGE); /* not a map */
	want_error(root, "neuralNetwork.layers[conv1]", EXIT_USAGE);
	want_error(root, "neuralNetwork.layers[convolution=x]", EXIT_USAGE); /* a message */
	want_error(root, "description.input[0].type.multiArrayType.shape[name=x]", EXIT_USAGE);
	mlpkg_close(m);
}

/* ---- an ML program ------------------------------------------------------------------------ */

static void ml_program(void **state)
{
	(void)state;
	struct mlpkg_model *m = open_model(seg_path);
	struct mt_node *root = m->root;
	const char *fn = "mlProgram.functions[\"main\"]";
	char *p;
#define AT(suffix) (free(p), p = xasprintf("%s%s", fn, suffix))
	p = NULL;
	want_value(root, AT(".opset"), "CoreML6");
	want_value(root, "mlProgram.functions[main].opset", "CoreML6");
	want_value(root, AT(".block_specializations[\"CoreML6\"].operations[0].type"), "const");
	want_value(root, AT(".block_specializations[CoreML6].operations[1].type"), "cast");
	/* an op by its name attribute, or by the name of an output */
	want_value(root, AT(".block_specializations[\"CoreML6\"].operations[name=\"input_1_cast_fp16\"].type"), "conv");
	want_value(root, AT(".block_specializations[\"CoreML6\"].operations[name=\"image_to_fp16\"].type"), "cast");
	want_value(root, AT(".block_specializations[\"CoreML6\"].operations[type=relu].outputs[0].name"),
		   "input_3_cast_fp16");
	/* nested blocks of a cond */
	want_value(root,
		   AT(".block_specializations[\"CoreML6\"].operations[name=\"semanticPredictions\"].blocks[0]"
		      ".operations[0].type"),
		   "add");
	want_value(root, AT(".block_specializations[\"CoreML6\"].operations[type=cond].blocks[-1].outputs[0]"),
		   "prior_skipped");
	want_value(root, AT(".block_specializations[\"CoreML6\"].operations[-1].type"), "cond");
	want_value(root, "description.metadata.userDefined[\"com.github.apple.coremltools.version\"]", "7.1");
	want_error(root, "mlProgram.functions[\"nope\"]", EXIT_NOTFOUND);
	want_error(root, AT(".block_specializations[\"CoreML5\"]"), EXIT_NOTFOUND);
	want_error(root, AT(".block_specializations[\"CoreML6\"].operations[name=\"nope\"]"), EXIT_NOTFOUND);
	want_error(root, AT(".block_specializations[\"CoreML6\"].operations[nosuch=1]"), EXIT_NOTFOUND);
	want_error(root, AT(".block_specializations[\"CoreML6\"].operations[type=cond].blocks[2]"), EXIT_NOTFOUND);
	want_error(root, "mlProgram.functions.x", EXIT_USAGE);
	free(p);
#undef AT
	mlpkg_close(m);
}

/* ---- specs made byte by byte ---------------------------------------------------------------- */

/* field num holding the bytes p[0..n) (caller frees) */
static uint8_t *len_field(uint32_t num, const void *p, size_t n, size_t *outlen)
{
	return mt_encode_len(num, p, n, outlen);
}

/* Model { description { metadata { BODY } } } */
static uint8_t *model_with_metadata(const uint8_t *body, size_t n, size_t *len)
{
	size_t ml, dl;
	uint8_t *md = len_field(100, body, n, &ml);
	uint8_t *d = len_field(2, md, ml, &dl);
	free(md);
	*len = dl;
	return d;
}

static uint8_t *cat(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, size_t *len)
{
	uint8_t *r = xmalloc(al + bl + 1);
	memcpy(r, a, al);
	memcpy(r + al, b, bl);
	*len = al + bl;
	return r;
}

/* a field given twice reads as its last occurrence; a map entry without a
 * value gives PQ_EMPTY; a duplicated map key gives the last entry */
static void repeated_occurrences(void **state)
{
	(void)state;
	size_t l1, l2, l3, l4, bl, n;
	uint8_t *a1 = len_field(3, "first", 5, &l1);
	uint8_t *a2 = len_field(3, "second", 6, &l2);
	uint8_t *k = len_field(1, "k", 1, &l3);
	uint8_t *e1 = len_field(100, k, l3, &l4); /* userDefined { key "k" } */
	uint8_t *t = cat(a1, l1, a2, l2, &bl);
	uint8_t *body = cat(t, bl, e1, l4, &bl);
	free(t);
	/* and a second entry for "dup" twice */
	size_t x1, x2, y1, y2, z;
	uint8_t *dk = len_field(1, "dup", 3, &x1);
	uint8_t *v1 = len_field(2, "one", 3, &x2);
	uint8_t *ent = cat(dk, x1, v1, x2, &z);
	uint8_t *f1 = len_field(100, ent, z, &y1);
	free(v1);
	free(ent);
	v1 = len_field(2, "two", 3, &x2);
	ent = cat(dk, x1, v1, x2, &z);
	uint8_t *f2 = len_field(100, ent, z, &y2);
	free(ent);
	t = cat(body, bl, f1, y1, &bl);
	free(body);
	body = cat(t, bl, f2, y2, &bl);
	free(t);
	uint8_t *spec = model_with_metadata(body, bl, &n);
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, spec, n, "hand.mlmodel");
	want_value(root, "description.metadata.author", "second");
	struct pq_result r;
	assert_int_equal(pathq_eval(root, "description.metadata.userDefined[\"k\"]", &r), 0);
	assert_int_equal(r.kind, PQ_EMPTY);
	assert_string_equal(r.fd->name, "value");
	want_error(root, "description.metadata.userDefined[\"k\"].x", EXIT_NOTFOUND);
	want_value(root, "description.metadata.userDefined[\"dup\"]", "two");
	want_value(root, "description.metadata.userDefined[1].value", "one");
	/* a map key that is an empty string */
	want_error(root, "description.metadata.userDefined[\"\"]", EXIT_NOTFOUND);
	mt_free(root);
	free(spec);
	free(body);
	free(f1);
	free(f2);
	free(v1);
	free(dk);
	free(e1);
	free(k);
	free(a1);
	free(a2);
}

/* a node on the way that does not decode: EXIT_INVALID, not a crash */
static void invalid_nodes(void **state)
{
	(void)state;
	/* description { metadata { <a length running past the end> } } */
	const uint8_t bad_md[] = { 0x1a, 0x40, 'x' };
	size_t n;
	uint8_t *spec = model_with_metadata(bad_md, sizeof(bad_md), &n);
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, spec, n, "bad.mlmodel");
	want_error(root, "description.metadata.author", EXIT_INVALID);
	mt_free(root);
	free(spec);
	/* a truncated top level */
	const uint8_t trunc[] = { 0x12, 0x10, 0x01 };
	uint8_t *copy = xmalloc(sizeof(trunc));
	memcpy(copy, trunc, sizeof(trunc));
	root = mt_root_new(&core_ml__specification__model__descriptor, copy, sizeof(trunc), "trunc.mlmodel");
	want_error(root, "description", EXIT_INVALID);
	mt_free(root);
	free(copy);
	/* an empty spec: everything is absent */
	root = mt_root_new(&core_ml__specification__model__descriptor, (const uint8_t *)"", 0, "empty.mlmodel");
	want_error(root, "description", EXIT_NOTFOUND);
	want_error(root, "specificationVersion", EXIT_NOTFOUND);
	struct pq_result r;
	assert_int_equal(pathq_eval(root, "", &r), 0);
	assert_ptr_equal(r.node, root);
	mt_free(root);
}

/* a real model, when the fixtures are there */
static void fixture_handpose_paths(void **state)
{
	(void)state;
	char *p = unit_fixture("asl-HandPoseClassifier.mlmodel");
	if (!p)
		skip();
	struct mlpkg_model *m = open_model(p);
	want_value(m->root, "description.metadata.userDefined[\"" PREVIEW_TYPE_KEY "\"]", "handPoseClassifier");
	want_value(m->root, "specificationVersion", "4");
	want_error(m->root, "neuralNetworkClassifier.layers[name=\"no such layer\"]", EXIT_NOTFOUND);
	struct pq_result r;
	assert_int_equal(pathq_eval(m->root, "neuralNetworkClassifier.layers[-1]", &r), 0);
	assert_int_equal(r.kind, PQ_NODE);
	mlpkg_close(m);
	free(p);
}

static int setup(void **state)
{
	if (unit_setup(state) < 0)
		return -1;
	nn_path = unit_mkmodel("nn", "nn.mlmodel");
	seg_path = unit_mkmodel("segmentation", "Seg.mlpackage");
	return nn_path && seg_path ? 0 : -1;
}

static int teardown(void **state)
{
	free(nn_path);
	free(seg_path);
	return unit_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_and_indexes), cmocka_unit_test(selectors),
		cmocka_unit_test(not_found),          cmocka_unit_test(malformed_paths),
		cmocka_unit_test(ml_program),         cmocka_unit_test(repeated_occurrences),
		cmocka_unit_test(invalid_nodes),      cmocka_unit_test(fixture_handpose_paths),
	};
	return cmocka_run_group_tests_name("pathq", tests, setup, teardown);
}
