/* test-miltext: the reader of model.mil (MIL text in compiled folders) on
 * programs written the ways Core ML's compiler writes them (older
 * "tensor<string, []>" scalars and newer "string" ones, BLOBFILE values in
 * arguments and attributes, multiple outputs, nested blocks), and on text
 * cut short or malformed: it stops at the line at fault and keeps what it
 * read whole before. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "query/miltext.h"

static int read_str(const char *text, struct miltext *p)
{
	return miltext_read(text, strlen(text), p);
}

static const char *find_arg(const struct mil_op *o, const char *param, size_t j)
{
	for (size_t i = 0; i < o->nin; i++)
		if (!strcmp(o->in[i].param, param) && j < o->in[i].nb)
			return o->in[i].b[j].name ? o->in[i].b[j].name : o->in[i].b[j].value;
	return NULL;
}

static const char prog_new[] =
	"program(1.3)\n"
	"[buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"3520.4.1\"}, {\"coremlc-version\", "
	"\"3520.5.1\"}})]\n"
	"{\n"
	"    func main<ios18>(tensor<fp16, [1, 3, 64, 64]> image, int32 k) {\n"
	"        tensor<int32, [2]> var_20 = const()[name = string(\"op_20\"), val = tensor<int32, [2]>([2, 2])];\n"
	"        tensor<fp16, [8, 3, 3, 3]> w = const()[name = string(\"conv_w\"), val = tensor<fp16, [8, 3, 3, "
	"3]>(BLOBFILE(path = string(\"@model_path/weights/weight.bin\"), offset = uint64(64)))];\n"
	"        string pt = const()[name = string(\"pt\"), val = string(\"valid\")];\n"
	"        tensor<fp16, [1, 8, 31, 31]> y = conv(pad_type = pt, strides = var_20, weight = w, x = image)[name = "
	"string(\"conv\")];\n"
	"        tensor<fp16, [1, 4, 31, 31]> a, tensor<fp16, [1, 4, 31, 31]> b = split(num_splits = int32(2), x = "
	"y)[name = string(\"split\")];\n"
	"        tensor<fp16, [1, 8, 31, 31]> c = concat(axis = int32(1), values = (a, b))[name = string(\"cat\")];\n"
	"        tensor<fp16, [16, 8]> q = constexpr_affine_dequantize()[axis = int32(0), name = string(\"q\"), "
	"quantized_data = tensor<int8, [16, 8]>(BLOBFILE(path = string(\"@model_path/weights/weight.bin\"), offset = "
	"uint64(1152))), scale = fp16(0x1p-3), zero_point = int8(0)];\n"
	"    } -> (c, q);\n"
	"    func second<ios18>() {\n"
	"        fp32 one = const()[name = string(\"one\"), val = fp32(0x1p+0)];\n"
	"    } -> (one);\n"
	"}\n";

static void test_program(void **state)
{
	(void)state;
	struct miltext p;
	assert_int_equal(read_str(prog_new, &p), 0);
	assert_string_equal(p.version, "1.3");
	assert_int_equal(p.nfn, 2);
	assert_string_equal(p.fn[0].name, "main");
	assert_string_equal(p.fn[0].opset, "ios18");
	assert_int_equal(p.fn[0].ins.n, 2);
	assert_string_equal(p.fn[0].ins.v[0], "image: fp16[1,3,64,64]");
	assert_string_equal(p.fn[0].ins.v[1], "k: int32");
	assert_int_equal(p.fn[0].outs.n, 2);
	assert_string_equal(p.fn[0].outs.v[1], "q");
	assert_int_equal(p.nop, 8);

	const struct mil_op *c0 = &p.op[0].o;
	assert_string_equal(c0->type, "const");
	assert_string_equal(c0->name, "op_20");
	assert_string_equal(c0->out[0].name, "var_20");
	assert_string_equal(c0->out[0].type, "int32[2]");
	assert_string_equal(c0->value, "[2, 2]");
	assert_int_equal(p.op[0].line, 5);

	const struct mil_op *w = &p.op[1].o;
	assert_string_equal(w->value, "weight.bin@64");
	assert_int_equal(w->nw, 1);
	assert_string_equal(w->w[0].key, "val");
	assert_string_equal(w->w[0].file, "@model_path/weights/weight.bin");
	assert_int_equal(w->w[0].offset, 64);
	assert_non_null(w->w[0].dtype);
	assert_string_equal(w->w[0].dtype->name, "fp16");
	assert_int_equal(w->w[0].rank, 4);
	assert_int_equal(w->w[0].count, 8 * 3 * 3 * 3);
	assert_string_equal(p.op[2].o.value, "\"valid\"");

	const struct mil_op *conv = &p.op[3].o;
	assert_string_equal(conv->type, "conv");
	assert_string_equal(conv->name, "conv");
	assert_int_equal(conv->nin, 4);
	assert_string_equal(find_arg(conv, "strides", 0), "var_20");
	assert_string_equal(find_arg(conv, "x", 0), "image");
	assert_int_equal(conv->nw, 0);

	const struct mil_op *split = &p.op[4].o;
	assert_int_equal(split->nout, 2);
	assert_string_equal(split->out[1].name, "b");
	assert_string_equal(find_arg(split, "num_splits", 0), "2");
	assert_null(split->in[0].b[0].name);

	const struct mil_op *cat = &p.op[5].o;
	assert_string_equal(find_arg(cat, "values", 0), "a");
	assert_string_equal(find_arg(cat, "values", 1), "b");

	const struct mil_op *q = &p.op[6].o;
	assert_string_equal(q->type, "constexpr_affine_dequantize");
	assert_string_equal(q->name, "q");
	assert_int_equal(q->nw, 1);
	assert_string_equal(q->w[0].key, "quantized_data");
	assert_string_equal(q->w[0].dtype->name, "int8");
	assert_int_equal(q->w[0].offset, 1152);
	assert_int_equal(q->w[0].count, 128);

	assert_int_equal(p.op[7].fn, 1);
	assert_string_equal(p.op[7].index, "0");
	assert_string_equal(p.op[7].o.out[0].type, "fp32");
	miltext_release(&p);
}

/* the older form: scalars as rank-0 tensors, opset names like CoreML5 */
static void test_old_form(void **state)
{
	(void)state;
	const char *t =
		"program(1.0)\n"
		"[buildInfo = dict<tensor<string, []>, tensor<string, []>>({{\"coremlc-version\", \"1436.100.10\"}})]\n"
		"{\n"
		"  func main<ios15>(tensor<fp32, [1, ?]> x) {\n"
		"      tensor<string, []> dt = const()[name = tensor<string, []>(\"dt\"), val = tensor<string, "
		"[]>(\"fp16\")];\n"
		"      tensor<fp16, [1, ?]> x16 = cast(dtype = dt, x = x)[name = tensor<string, []>(\"cast_0\")];\n"
		"  } -> (x16);\n"
		"}\n";
	struct miltext p;
	assert_int_equal(read_str(t, &p), 0);
	assert_string_equal(p.fn[0].ins.v[0], "x: fp32[1,?]");
	assert_int_equal(p.nop, 2);
	assert_string_equal(p.op[0].o.out[0].type, "string");
	assert_string_equal(p.op[0].o.value, "\"fp16\"");
	assert_string_equal(p.op[1].o.name, "cast_0");
	assert_string_equal(p.op[1].o.out[0].name, "x16");
	miltext_release(&p);
}

/* an operation with nested blocks: each block a header entry, its
 * operations indexed under it */
static void test_nested(void **state)
{
	(void)state;
	const char *t = "program(1.3)\n{\n  func main<ios17>(tensor<bool, []> p, tensor<fp32, [2]> x) {\n"
			"    tensor<fp32, [2]> y = cond(pred = p)[name = string(\"if\")] {\n"
			"      tensor<fp32, [2]> t = relu(x = x)[name = string(\"t\")];\n"
			"    } -> (t), {\n"
			"      tensor<fp32, [2]> f = sigmoid(x = x)[name = string(\"f\")];\n"
			"      tensor<fp32, [2]> g = tanh(x = f)[name = string(\"g\")];\n"
			"    } -> (g);\n"
			"  } -> (y);\n}\n";
	struct miltext p;
	assert_int_equal(read_str(t, &p), 0);
	assert_int_equal(p.nop, 6);
	assert_string_equal(p.op[0].o.type, "cond");
	assert_int_equal(p.op[0].o.nblocks, 2);
	assert_true(p.op[1].is_block);
	assert_string_equal(p.op[1].index, "0.0");
	assert_string_equal(p.op[1].outs.v[0], "t");
	assert_string_equal(p.op[2].index, "0.0.0");
	assert_int_equal(p.op[2].depth, 1);
	assert_true(p.op[3].is_block);
	assert_string_equal(p.op[3].index, "0.1");
	assert_string_equal(p.op[5].index, "0.1.1");
	assert_string_equal(p.op[5].o.name, "g");
	miltext_release(&p);
}

/* text it cannot read: it stops at the line, keeps what came before */
static void test_stops(void **state)
{
	(void)state;
	struct miltext p;
	const char *cut = "program(1.3)\n{\n  func main<ios18>(tensor<fp16, [1]> x) {\n"
			  "    tensor<fp16, [1]> y = relu(x = x)[name = string(\"y\")];\n"
			  "    tensor<fp16, [1]> z = sigmoid(x = y)[name = string(\"z";
	assert_int_equal(read_str(cut, &p), 1);
	assert_int_equal(p.nop, 1);
	assert_string_equal(p.op[0].o.name, "y");
	assert_int_equal(p.stop_line, 5);
	assert_non_null(strstr(p.stop_why, "string"));
	miltext_release(&p);

	assert_int_equal(read_str("{\"layers\": []}", &p), 1);
	assert_int_equal(p.stop_line, 1);
	assert_non_null(strstr(p.stop_why, "'program'"));
	miltext_release(&p);

	const char *nosemi = "program(1.3)\n{\n  func main<ios18>(tensor<fp16, [1]> x) {\n"
			     "    tensor<fp16, [1]> y = relu(x = x)[name = string(\"y\")]\n"
			     "  } -> (y);\n}\n";
	assert_int_equal(read_str(nosemi, &p), 1);
	assert_int_equal(p.nop, 0);
	assert_int_equal(p.stop_line, 5);
	miltext_release(&p);

	const char *blob = "program(1.3)\n{\n  func main<ios18>() {\n"
			   "    tensor<fp16, [4]> w = const()[name = string(\"w\"), val = tensor<fp16, "
			   "[4]>(BLOBFILE(path = string(\"w.bin\")))];\n"
			   "  } -> (w);\n}\n";
	assert_int_equal(read_str(blob, &p), 1);
	assert_non_null(strstr(p.stop_why, "BLOBFILE"));
	miltext_release(&p);

	/* nothing but brackets opened: no recursion, no reading past the end */
	char deep[4096];
	memset(deep, '(', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	assert_int_equal(read_str(deep, &p), 1);
	miltext_release(&p);
	char *nest = malloc(200 * 40 + 200);
	strcpy(nest, "program(1)\n{\n func main<x>() {\n");
	for (int i = 0; i < 100; i++)
		strcat(nest, " fp32 a = cond(pred = p) {\n");
	assert_int_equal(read_str(nest, &p), 1);
	assert_non_null(strstr(p.stop_why, "nested"));
	miltext_release(&p);
	free(nest);
}

static void test_type(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "tensor<fp16, [1, 3, ?, ?]>", "fp16[1,3,?,?]" },
		{ "tensor<int32, []>", "int32" },
		{ "bool", "bool" },
		{ "list<tensor<fp16, [?]>, ?>", "list<tensor<fp16,[?]>,?>" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t = miltext_type(cases[i][0], strlen(cases[i][0]));
		assert_string_equal(t, cases[i][1]);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program), cmocka_unit_test(test_old_form), cmocka_unit_test(test_nested),
		cmocka_unit_test(test_stops),   cmocka_unit_test(test_type),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
