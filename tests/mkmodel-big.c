/* mkmodel-big: the big kinds, bignn (a legacy network) and bigpkg (an ML program package), whose
 * weights are streamed with a small hand-written protobuf encoder so that a model of any size
 * needs only a few buffers of memory. */
#include "mkmodel.h"
#include <inttypes.h>
#include <string.h>

/* ---- streaming: a pattern of weights written over and over ---------------------------------- */
#define PATTERN_BYTES (1u << 16)
#define IO_BUFFER (1u << 20)

struct pattern {
	uint8_t bytes[PATTERN_BYTES];
};

/* PATTERN_BYTES of float32 (elsize 4) or float16 (elsize 2) values */
static struct pattern *pattern_new(size_t elsize, float scale)
{
	struct pattern *p = anew(sizeof *p);
	for (size_t i = 0; i < PATTERN_BYTES; i += elsize) {
		if (elsize == 4)
			put_f32le(p->bytes + i, rng_float(scale));
		else
			put_u16le(p->bytes + i, f2h(rng_float(scale)));
	}
	return p;
}

/* writes n bytes of the pattern, starting at a position that depends on salt (kept element-aligned) */
static void pattern_write(FILE *f, const struct pattern *p, uint64_t n, uint64_t salt, const char *path)
{
	size_t pos = (size_t)((salt * 2654435761u) % PATTERN_BYTES) & ~(size_t)3;
	while (n) {
		size_t chunk = PATTERN_BYTES - pos;
		if (chunk > n)
			chunk = (size_t)n;
		xwrite(f, p->bytes + pos, chunk, path);
		n -= chunk;
		pos = 0;
	}
}

static void zeros_write(FILE *f, uint64_t n, const char *path)
{
	static const uint8_t zeros[BLOB_ALIGN];
	while (n) {
		size_t chunk = n > sizeof zeros ? sizeof zeros : (size_t)n;
		xwrite(f, zeros, chunk, path);
		n -= chunk;
	}
}

/* ---- protobuf wire encoding for the streamed parts ------------------------------------------ */
static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void sb_varint(struct strbuf *sb, uint64_t v)
{
	while (v >= 0x80) {
		sb_addc(sb, (int)((v & 0x7f) | 0x80));
		v >>= 7;
	}
	sb_addc(sb, (int)v);
}

enum { WT_VARINT = 0, WT_LEN = 2 };

static void sb_tag(struct strbuf *sb, uint32_t field, int wt)
{
	sb_varint(sb, ((uint64_t)field << 3) | (uint64_t)wt);
}

static size_t tag_len(uint32_t field)
{
	return varint_len((uint64_t)field << 3);
}

/* size of a length-delimited field holding n bytes */
static uint64_t len_field(uint32_t field, uint64_t n)
{
	return tag_len(field) + varint_len(n) + n;
}

static void sb_string_field(struct strbuf *sb, uint32_t field, const char *s)
{
	sb_tag(sb, field, WT_LEN);
	sb_varint(sb, strlen(s));
	sb_adds(sb, s);
}

/* ---- 6. bignn: a big legacy network, streamed ----------------------------------------------- */
#define BIGNN_LAYERS 256

/* field numbers (NeuralNetwork.proto, Model.proto) */
enum {
	F_MODEL_VERSION = 1,
	F_MODEL_DESCRIPTION = 2,
	F_MODEL_NEURALNETWORK = 500,
	F_NN_LAYERS = 1,
	F_LAYER_NAME = 1,
	F_LAYER_INPUT = 2,
	F_LAYER_OUTPUT = 3,
	F_LAYER_INNERPRODUCT = 140,
	F_IP_INPUTCHANNELS = 1,
	F_IP_OUTPUTCHANNELS = 2,
	F_IP_HASBIAS = 10,
	F_IP_WEIGHTS = 20,
	F_IP_BIAS = 21,
	F_W_FLOAT = 1,
	F_W_FLOAT16 = 2,
};

struct biglayer {
	char name[32], input[32], output[32];
	int half;            /* weights as float16Value, else floatValue */
	uint64_t wpayload;   /* weight bytes */
	uint64_t wmsg, bmsg; /* WeightParams sizes */
	uint64_t ip, layer;  /* InnerProductLayerParams and NeuralNetworkLayer sizes */
};

static void biglayer_plan(struct biglayer *l, int i, int n, uint64_t dim)
{
	snprintf(l->name, sizeof l->name, "dense_%d", i);
	if (i == 0)
		snprintf(l->input, sizeof l->input, "input");
	else
		snprintf(l->input, sizeof l->input, "dense_%d_output", i - 1);
	if (i == n - 1)
		snprintf(l->output, sizeof l->output, "output");
	else
		snprintf(l->output, sizeof l->output, "dense_%d_output", i);
	l->half = i & 1;
	l->wpayload = dim * dim * (l->half ? 2 : 4);
	l->wmsg = len_field(l->half ? F_W_FLOAT16 : F_W_FLOAT, l->wpayload);
	l->bmsg = l->half ? len_field(F_W_FLOAT16, dim * 2) : len_field(F_W_FLOAT, dim * 4); /* bias as the weights */
	l->ip = tag_len(F_IP_INPUTCHANNELS) + varint_len(dim) + tag_len(F_IP_OUTPUTCHANNELS) + varint_len(dim) +
		tag_len(F_IP_HASBIAS) + 1 + len_field(F_IP_WEIGHTS, l->wmsg) + len_field(F_IP_BIAS, l->bmsg);
	l->layer = len_field(F_LAYER_NAME, strlen(l->name)) + len_field(F_LAYER_INPUT, strlen(l->input)) +
		   len_field(F_LAYER_OUTPUT, strlen(l->output)) + len_field(F_LAYER_INNERPRODUCT, l->ip);
}

void make_bignn(const char *out, uint64_t size, uint64_t seed)
{
	/* alternate float32 and float16 layers of dim x dim weights (each bias in its layer's precision):
	 * 256 * dim^2 * 3 bytes in all */
	const int n = BIGNN_LAYERS;
	uint64_t dim = 1;
	while ((dim + 1) * (dim + 1) * 3 * (uint64_t)n <= size)
		dim++;

	ModelDesc *d = desc_new();
	desc_input(d, feature("input", "Input vector", ft_array(AT_FLOAT32, ISHAPE((int64_t)dim))));
	desc_output(d, feature("output", "Output vector", ft_array(AT_FLOAT32, ISHAPE((int64_t)dim))));
	Metadata *md = metadata(d, "mlpkg benchmarks", "A large synthetic network for benchmarks", "1.0", "MIT");
	meta_user(md, "mlpkg.benchmark.size", astrf("%" PRIu64, size));
	meta_user(md, "mlpkg.benchmark.seed", astrf("%" PRIu64, seed));
	size_t dlen = core_ml__specification__model_description__get_packed_size(d);
	uint8_t *dbuf = anew(dlen);
	core_ml__specification__model_description__pack(d, dbuf);

	struct biglayer *layers = anew((size_t)n * sizeof *layers);
	uint64_t nn = 0;
	for (int i = 0; i < n; i++) {
		biglayer_plan(&layers[i], i, n, dim);
		nn += len_field(F_NN_LAYERS, layers[i].layer);
	}

	struct pattern *pf = pattern_new(4, 0.05f), *ph = pattern_new(2, 0.05f);
	uint8_t *bias = rand_f32_bytes((size_t)dim, 0.05f), *hbias = rand_halves((size_t)dim, 0.05f);

	FILE *f = open_out(out);
	setvbuf(f, NULL, _IOFBF, IO_BUFFER);
	struct strbuf sb = STRBUF_INIT;
	sb_tag(&sb, F_MODEL_VERSION, WT_VARINT);
	sb_varint(&sb, 4);
	sb_tag(&sb, F_MODEL_DESCRIPTION, WT_LEN);
	sb_varint(&sb, dlen);
	sb_add(&sb, dbuf, dlen);
	sb_tag(&sb, F_MODEL_NEURALNETWORK, WT_LEN);
	sb_varint(&sb, nn);
	xwrite(f, sb.buf, sb.len, out);
	for (int i = 0; i < n; i++) {
		const struct biglayer *l = &layers[i];
		sb_reset(&sb);
		sb_tag(&sb, F_NN_LAYERS, WT_LEN);
		sb_varint(&sb, l->layer);
		sb_string_field(&sb, F_LAYER_NAME, l->name);
		sb_string_field(&sb, F_LAYER_INPUT, l->input);
		sb_string_field(&sb, F_LAYER_OUTPUT, l->output);
		sb_tag(&sb, F_LAYER_INNERPRODUCT, WT_LEN);
		sb_varint(&sb, l->ip);
		sb_tag(&sb, F_IP_INPUTCHANNELS, WT_VARINT);
		sb_varint(&sb, dim);
		sb_tag(&sb, F_IP_OUTPUTCHANNELS, WT_VARINT);
		sb_varint(&sb, dim);
		sb_tag(&sb, F_IP_HASBIAS, WT_VARINT);
		sb_varint(&sb, 1);
		sb_tag(&sb, F_IP_WEIGHTS, WT_LEN);
		sb_varint(&sb, l->wmsg);
		sb_tag(&sb, l->half ? F_W_FLOAT16 : F_W_FLOAT, WT_LEN);
		sb_varint(&sb, l->wpayload);
		xwrite(f, sb.buf, sb.len, out);
		pattern_write(f, l->half ? ph : pf, l->wpayload, (uint64_t)i, out);
		sb_reset(&sb);
		sb_tag(&sb, F_IP_BIAS, WT_LEN);
		sb_varint(&sb, l->bmsg);
		sb_tag(&sb, l->half ? F_W_FLOAT16 : F_W_FLOAT, WT_LEN);
		sb_varint(&sb, dim * (l->half ? 2 : 4));
		sb_add(&sb, l->half ? hbias : bias, (size_t)dim * (l->half ? 2 : 4));
		xwrite(f, sb.buf, sb.len, out);
	}
	sb_release(&sb);
	close_out(f, out);
}

/* ---- 7. bigpkg: an ML program package with a big weight.bin, streamed ---------------------- */
#define BIGPKG_LAYERS 64

void make_bigpkg(const char *out, uint64_t size, uint64_t seed)
{
	struct package pkg;
	package_begin(&pkg, out, "3F6B9C2D-8E1A-4D57-B0C4-E6A2F8D1C935", "E8D7C6B5-A4F3-4E21-9D0C-B1A2F3E4D5C6");
	const int n = BIGPKG_LAYERS;
	uint64_t dim = 1;
	while ((dim + 1) * (dim + 1) * 2 * (uint64_t)n <= size)
		dim++;
	uint64_t blob_bytes = dim * dim * 2;

	/* blob layout: header, then per blob a record and its data, each record 64-aligned */
	uint64_t *rec = anew((size_t)n * sizeof *rec);
	uint64_t end = 64;
	for (int i = 0; i < n; i++) {
		rec[i] = align_up(end, BLOB_ALIGN);
		end = rec[i] + 64 + blob_bytes;
	}

	ModelDesc *d = desc_new();
	desc_input(d, feature("x", "Input vector", ft_array(AT_FLOAT32, ISHAPE(1, (int64_t)dim))));
	desc_output(d, feature("y", "Output vector", ft_array(AT_FLOAT32, ISHAPE(1, (int64_t)dim))));
	Metadata *md = metadata(d, "mlpkg benchmarks", "A large synthetic ML program for benchmarks", "1.0", "MIT");
	meta_user(md, "com.github.apple.coremltools.source", "torch==2.1.0");
	meta_user(md, "com.github.apple.coremltools.version", "7.1");
	meta_user(md, "mlpkg.benchmark.size", astrf("%" PRIu64, size));
	meta_user(md, "mlpkg.benchmark.seed", astrf("%" PRIu64, seed));

	MBlock *b = block_new();
	MOp *op;
	const char *dtype16 = mil_const(b, "x_to_fp16_dtype_0", val_string("fp16"));
	op = op_new("cast", "cast_0");
	op_in(op, "dtype", dtype16);
	op_in(op, "x", "x");
	op_out(op, "x_to_fp16", vt_tensor(DT_FP16, SHAPE(1, dim)));
	block_op(b, op);
	const char *prev = "x_to_fp16";
	for (int i = 0; i < n; i++) {
		const char *wname = astrf("layers_%d_weight_to_fp16", i);
		mil_const_blob(b, wname, DT_FP16, SHAPE(dim, dim), rec[i]);
		const char *oname = astrf("linear_%d_cast_fp16", i);
		op = op_new("linear", oname);
		op_in(op, "weight", wname);
		op_in(op, "x", prev);
		op_out(op, oname, vt_tensor(DT_FP16, SHAPE(1, dim)));
		block_op(b, op);
		prev = oname;
	}
	const char *dtype32 = mil_const(b, "y_to_fp32_dtype_0", val_string("fp32"));
	op = op_new("cast", "cast_1");
	op_in(op, "dtype", dtype32);
	op_in(op, "x", prev);
	op_out(op, "y", vt_tensor(DT_FP32, SHAPE(1, dim)));
	block_op(b, op);
	block_out(b, "y");

	MFunction *fn = function_new("CoreML6", b);
	function_input(fn, "x", vt_tensor(DT_FP32, SHAPE(1, dim)));
	MProgram *prog = program_new("2.1.0", "7.1");
	program_function(prog, "main", fn);
	Model *m = model_new(7, d);
	model_set_program(m, prog);
	write_model(m, pkg.spec_path);

	struct pattern *ph = pattern_new(2, 0.05f);
	FILE *f = open_out(pkg.weight_bin);
	setvbuf(f, NULL, _IOFBF, IO_BUFFER);
	uint8_t hdr[64];
	blob_header(hdr, (uint32_t)n);
	xwrite(f, hdr, sizeof hdr, pkg.weight_bin);
	uint64_t pos = 64;
	for (int i = 0; i < n; i++) {
		zeros_write(f, rec[i] - pos, pkg.weight_bin);
		uint8_t r[64];
		blob_record(r, BLOB_FLOAT16, blob_bytes, rec[i] + 64);
		xwrite(f, r, sizeof r, pkg.weight_bin);
		pattern_write(f, ph, blob_bytes, (uint64_t)i, pkg.weight_bin);
		pos = rec[i] + 64 + blob_bytes;
	}
	close_out(f, pkg.weight_bin);
	package_manifest(&pkg);
}
