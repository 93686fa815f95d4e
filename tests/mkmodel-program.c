/* mkmodel-program: the ML program kinds, .mlpackage folders: segmentation (with voc, its labels),
 * multifunction, and compressed / compresseddense (palettized and int8 weights, and the same
 * program before compression). */
#include "mkmodel.h"

/* ---- 1. segmentation: a DeepLab-like ML program package ------------------------------------- */
void make_segmentation(const char *out)
{
	struct package pkg;
	package_begin(&pkg, out, "C2B3D7E4-1A5F-4E8B-9D26-7F3A0B5C8E11", "5E9A4F06-3C2D-4B71-A8E5-D0F1B2C3A4E7");
	struct blobfile w;
	blobfile_init(&w);

	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "Input image to be segmented",
			      ft_image(512, 512, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d, feature("semanticPredictions", "Per-class scores for every pixel (21 classes)",
			       ft_array(AT_FLOAT32, ISHAPE(1, 21, 512, 512))));
	Metadata *md = metadata(d, "mlpkg examples",
				"DeepLabV3-style semantic segmentation with synthetic weights (21 PASCAL VOC classes)",
				"1.0", "MIT");
	meta_user(md, "com.github.apple.coremltools.source", "torch==2.1.0");
	meta_user(md, "com.github.apple.coremltools.version", "7.1");

	MBlock *b = block_new();
	MOp *op;
	const char *dtype16 = mil_const(b, "image_to_fp16_dtype_0", val_string("fp16"));
	op = op_new("cast", "cast_1");
	op_in(op, "dtype", dtype16);
	op_in(op, "x", "image");
	op_out(op, "image_to_fp16", vt_tensor(DT_FP16, SHAPE(1, 3, 512, 512)));
	block_op(b, op);

	const char *w1 = mil_weight(b, &w, "backbone_conv1_weight_to_fp16", DT_FP16, SHAPE(16, 3, 3, 3), 0.2f);
	const char *b1 = mil_weight(b, &w, "backbone_conv1_bias_to_fp16", DT_FP16, SHAPE(16), 0.05f);
	const char *s1 = mil_const(b, "input_1_strides_0", val_ints(2, (int32_t[]){ 2, 2 }));
	const char *pad = mil_const(b, "input_1_pad_type_0", val_string("same"));
	op = op_new("conv", "input_1_cast_fp16");
	op_in(op, "bias", b1);
	op_in(op, "pad_type", pad);
	op_in(op, "strides", s1);
	op_in(op, "weight", w1);
	op_in(op, "x", "image_to_fp16");
	op_out(op, "input_1_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 16, 256, 256)));
	block_op(b, op);

	op = op_new("relu", "input_3_cast_fp16");
	op_in(op, "x", "input_1_cast_fp16");
	op_out(op, "input_3_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 16, 256, 256)));
	block_op(b, op);

	const char *w2 = mil_weight(b, &w, "classifier_weight_to_fp16", DT_FP16, SHAPE(21, 16, 1, 1), 0.2f);
	const char *b2 = mil_weight(b, &w, "classifier_bias_to_fp16", DT_FP16, SHAPE(21), 0.05f);
	const char *s2 = mil_const(b, "logits_strides_0", val_ints(2, (int32_t[]){ 1, 1 }));
	op = op_new("conv", "logits_cast_fp16");
	op_in(op, "bias", b2);
	op_in(op, "pad_type", pad);
	op_in(op, "strides", s2);
	op_in(op, "weight", w2);
	op_in(op, "x", "input_3_cast_fp16");
	op_out(op, "logits_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 21, 256, 256)));
	block_op(b, op);

	const char *scale = mil_const(b, "upsampled_scale_factor_0", val_float(2.0f));
	op = op_new("upsample_bilinear", "upsampled_cast_fp16");
	op_in(op, "scale_factor_height", scale);
	op_in(op, "scale_factor_width", scale);
	op_in(op, "x", "logits_cast_fp16");
	op_out(op, "upsampled_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 21, 512, 512)));
	block_op(b, op);

	const char *dtype32 = mil_const(b, "upsampled_to_fp32_dtype_0", val_string("fp32"));
	op = op_new("cast", "cast_2");
	op_in(op, "dtype", dtype32);
	op_in(op, "x", "upsampled_cast_fp16");
	op_out(op, "upsampled", vt_tensor(DT_FP32, SHAPE(1, 21, 512, 512)));
	block_op(b, op);

	const char *prior = mil_weight(b, &w, "class_prior", DT_FP32, SHAPE(1, 21, 1, 1), 0.1f);
	const char *use = mil_const(b, "use_prior", val_bool(1));

	/* cond with two nested blocks: add the prior, or pass the scores through */
	MBlock *yes = block_new();
	op = op_new("add", "prior_added");
	op_in(op, "x", "upsampled");
	op_in(op, "y", prior);
	op_out(op, "prior_added", vt_tensor(DT_FP32, SHAPE(1, 21, 512, 512)));
	block_op(yes, op);
	block_out(yes, "prior_added");
	MBlock *no = block_new();
	op = op_new("identity", "prior_skipped");
	op_in(op, "x", "upsampled");
	op_out(op, "prior_skipped", vt_tensor(DT_FP32, SHAPE(1, 21, 512, 512)));
	block_op(no, op);
	block_out(no, "prior_skipped");
	op = op_new("cond", "semanticPredictions");
	op_in(op, "pred", use);
	op_out(op, "semanticPredictions", vt_tensor(DT_FP32, SHAPE(1, 21, 512, 512)));
	op_block(op, yes);
	op_block(op, no);
	block_op(b, op);
	block_out(b, "semanticPredictions");

	MFunction *fn = function_new("CoreML6", b);
	function_input(fn, "image", vt_tensor(DT_FP32, SHAPE(1, 3, 512, 512)));
	MProgram *prog = program_new("2.1.0", "7.1");
	program_function(prog, "main", fn);
	Model *m = model_new(7, d);
	model_set_program(m, prog);

	write_model(m, pkg.spec_path);
	blobfile_write(&w, pkg.weight_bin);
	package_manifest(&pkg);
}

/* ---- voc: the 21 PASCAL VOC class names the segmentation example scores, one a line ---------- */
static const char *const voc_labels[21] = {
	"background", "aeroplane", "bicycle",     "bird",  "boat",        "bottle", "bus",
	"car",        "cat",       "chair",       "cow",   "diningtable", "dog",    "horse",
	"motorbike",  "person",    "pottedplant", "sheep", "sofa",        "train",  "tvmonitor",
};

void make_voc(const char *out)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < 21; i++) {
		sb_adds(&sb, voc_labels[i]);
		sb_addc(&sb, '\n');
	}
	write_file(out, sb.buf, sb.len);
	sb_release(&sb);
}

/* ---- 5. multifunction: two functions, one with a state (spec 9) ----------------------------- */
void make_multifunction(const char *out)
{
	struct package pkg;
	package_begin(&pkg, out, "7D1E5A93-B4C6-4F28-8E0A-19C3D5F7B2A4", "A0B1C2D3-E4F5-4A6B-8C7D-8E9F0A1B2C3D");
	struct blobfile w;
	blobfile_init(&w);

	ModelDesc *d = desc_new();
	FuncDesc *fmain = NEWMSG(FuncDesc, CORE_ML__SPECIFICATION__FUNCTION_DESCRIPTION__INIT);
	fmain->name = astr("main");
	PUSH(fmain->n_input, fmain->input, feature("x", "Input vector", ft_array(AT_FLOAT16, ISHAPE(1, 4))));
	PUSH(fmain->n_output, fmain->output,
	     feature("y", "Running sum after this step", ft_array(AT_FLOAT16, ISHAPE(1, 4))));
	PUSH(fmain->n_state, fmain->state,
	     feature("accumulator", "Running sum kept between predictions", ft_state(AT_FLOAT16, ISHAPE(1, 4))));
	PUSH(d->n_functions, d->functions, fmain);
	FuncDesc *fsec = NEWMSG(FuncDesc, CORE_ML__SPECIFICATION__FUNCTION_DESCRIPTION__INIT);
	fsec->name = astr("second");
	PUSH(fsec->n_input, fsec->input, feature("x", "Input vector", ft_array(AT_FLOAT16, ISHAPE(1, 4))));
	PUSH(fsec->n_output, fsec->output, feature("z", "Projected features", ft_array(AT_FLOAT16, ISHAPE(1, 8))));
	PUSH(d->n_functions, d->functions, fsec);
	d->defaultfunctionname = astr("main");
	Metadata *md = metadata(d, "mlpkg examples", "Two functions sharing one weight file; main keeps a state", "1.0",
				"MIT");
	meta_user(md, "com.github.apple.coremltools.source", "torch==2.3.0");
	meta_user(md, "com.github.apple.coremltools.version", "8.0");

	/* main: y = accumulator += linear(x) */
	MBlock *b = block_new();
	MOp *op;
	const char *wm = mil_weight(b, &w, "linear_0_weight_to_fp16", DT_FP16, SHAPE(4, 4), 0.5f);
	const char *bm = mil_weight(b, &w, "linear_0_bias_to_fp16", DT_FP16, SHAPE(4), 0.1f);
	op = op_new("linear", "linear_0_cast_fp16");
	op_in(op, "bias", bm);
	op_in(op, "weight", wm);
	op_in(op, "x", "x");
	op_out(op, "linear_0_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 4)));
	block_op(b, op);
	op = op_new("read_state", "read_state_0");
	op_in(op, "input", "accumulator");
	op_out(op, "read_state_0", vt_tensor(DT_FP16, SHAPE(1, 4)));
	block_op(b, op);
	op = op_new("add", "add_0_cast_fp16");
	op_in(op, "x", "read_state_0");
	op_in(op, "y", "linear_0_cast_fp16");
	op_out(op, "add_0_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 4)));
	block_op(b, op);
	op = op_new("coreml_update_state", "coreml_update_state_0");
	op_in(op, "state", "accumulator");
	op_in(op, "value", "add_0_cast_fp16");
	op_out(op, "y", vt_tensor(DT_FP16, SHAPE(1, 4)));
	block_op(b, op);
	block_out(b, "y");
	MFunction *fn1 = function_new("CoreML8", b);
	function_input(fn1, "x", vt_tensor(DT_FP16, SHAPE(1, 4)));
	function_input(fn1, "accumulator", vt_state(vt_tensor(DT_FP16, SHAPE(1, 4))));

	/* second: z = relu(linear(x)) */
	b = block_new();
	const char *ws = mil_weight(b, &w, "linear_1_weight_to_fp16", DT_FP16, SHAPE(8, 4), 0.5f);
	const char *bs = mil_weight(b, &w, "linear_1_bias_to_fp16", DT_FP16, SHAPE(8), 0.1f);
	op = op_new("linear", "linear_1_cast_fp16");
	op_in(op, "bias", bs);
	op_in(op, "weight", ws);
	op_in(op, "x", "x");
	op_out(op, "linear_1_cast_fp16", vt_tensor(DT_FP16, SHAPE(1, 8)));
	block_op(b, op);
	op = op_new("relu", "z");
	op_in(op, "x", "linear_1_cast_fp16");
	op_out(op, "z", vt_tensor(DT_FP16, SHAPE(1, 8)));
	block_op(b, op);
	block_out(b, "z");
	MFunction *fn2 = function_new("CoreML8", b);
	function_input(fn2, "x", vt_tensor(DT_FP16, SHAPE(1, 4)));

	MProgram *prog = program_new("2.3.0", "8.0");
	program_function(prog, "main", fn1);
	program_function(prog, "second", fn2);
	Model *m = model_new(9, d);
	model_set_program(m, prog);

	write_model(m, pkg.spec_path);
	blobfile_write(&w, pkg.weight_bin);
	package_manifest(&pkg);
}

/* ---- compressed: palettized and quantized weights ------------------------------------------ */

/* An ML program whose two weights are stored compressed, in the iOS 16
 * forms coremltools writes:
 * - w1 [16, 32], palettized 4-bit: lut[k] = k / 8 - 1 (float16), element i
 *   takes index i % 16 (constexpr_lut_to_dense: lut, indices packed into
 *   uint8 least-significant bits first, shape);
 * - w2 [10, 16], affine int8 along axis 0: row r's element j stores
 *   (16r + j) % 17 - 8, zero point r % 3 - 1 and scale (r + 1) / 4
 *   (constexpr_affine_dequantize: quantized_data, zero_point, scale, axis).
 * Tests check the dequantized statistics against these definitions.
 * dense: the same program before compression, as diff compares them: w1 a
 * const of the same values (float16), w2 a const "w2_dense" (float32) of
 * w2's values, its first one 0.01 higher. */
void make_compressed(const char *out, int dense)
{
	struct package pkg;
	package_begin(&pkg, out, "3F2A1B0C-9D8E-4F7A-B6C5-D4E3F2A1B0C9", "8E7D6C5B-4A39-4281-9F0E-1D2C3B4A5968");
	struct blobfile w;
	blobfile_init(&w);
	ModelDesc *d = desc_new();
	desc_input(d, feature("x", "Input vector", ft_array(AT_FLOAT16, ISHAPE(1, 32))));
	desc_output(d, feature("y", "Scores", ft_array(AT_FLOAT16, ISHAPE(1, 10))));
	metadata(d, "mlpkg examples", "Palettized and int8-quantized weights (synthetic)", "1.0", "MIT");

	uint16_t lut[16];
	for (int k = 0; k < 16; k++)
		lut[k] = f2h((float)k / 8.0f - 1.0f);
	uint8_t idx[16 * 32 / 2];
	for (size_t i = 0; i < sizeof idx; i++)
		idx[i] = (uint8_t)(((2 * i) % 16) | (((2 * i + 1) % 16) << 4));
	uint32_t shape[2] = { 16, 32 };
	uint8_t shape_le[8];
	for (int k = 0; k < 8; k++)
		shape_le[k] = (uint8_t)(shape[k / 4] >> (8 * (k % 4)));
	int8_t q[10 * 16], zp[10];
	uint16_t sc[10];
	for (size_t i = 0; i < sizeof q; i++)
		q[i] = (int8_t)((int)(i % 17) - 8);
	for (int r = 0; r < 10; r++) {
		zp[r] = (int8_t)(r % 3 - 1);
		sc[r] = f2h((float)(r + 1) / 4.0f);
	}

	uint16_t w1[16 * 32];
	float w2[10 * 16];
	for (size_t i = 0; i < 16 * 32; i++)
		w1[i] = lut[i % 16];
	for (size_t i = 0; i < 10 * 16; i++)
		w2[i] = (float)(q[i] - zp[i / 16]) * ((float)(i / 16 + 1) / 4.0f) + (i ? 0.0f : 0.01f);
	uint64_t o_lut, o_idx = 0, o_shape = 0, o_q, o_zp = 0, o_sc = 0;
	if (dense) {
		o_lut = blob_add(&w, BLOB_FLOAT16, w1, sizeof w1);
		o_q = blob_add(&w, BLOB_FLOAT32, w2, sizeof w2);
	} else {
		o_lut = blob_add(&w, BLOB_FLOAT16, lut, sizeof lut);
		o_idx = blob_add(&w, 3, idx, sizeof idx);
		o_shape = blob_add(&w, 15, shape_le, sizeof shape_le);
		o_q = blob_add(&w, 4, q, sizeof q);
		o_zp = blob_add(&w, 4, zp, sizeof zp);
		o_sc = blob_add(&w, BLOB_FLOAT16, sc, sizeof sc);
	}

	MBlock *b = block_new();
	MOp *op;
	if (dense) {
		op = op_new("const", "w1");
		op_attr(op, "val", val_blob(o_lut, vt_tensor(DT_FP16, SHAPE(16, 32))));
	} else {
		op = op_new("constexpr_lut_to_dense", "w1");
		op_attr(op, "lut", val_blob(o_lut, vt_tensor(DT_FP16, SHAPE(16))));
		op_attr(op, "indices",
			val_blob(o_idx, vt_tensor(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__UINT8, SHAPE(256))));
		op_attr(op, "shape",
			val_blob(o_shape, vt_tensor(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__UINT32, SHAPE(2))));
	}
	op_out(op, "w1", vt_tensor(DT_FP16, SHAPE(16, 32)));
	block_op(b, op);
	op = op_new("linear", "h");
	op_in(op, "weight", "w1");
	op_in(op, "x", "x");
	op_out(op, "h", vt_tensor(DT_FP16, SHAPE(1, 16)));
	block_op(b, op);
	if (dense) {
		op = op_new("const", "w2_dense");
		op_attr(op, "val", val_blob(o_q, vt_tensor(DT_FP32, SHAPE(10, 16))));
		op_out(op, "w2_dense", vt_tensor(DT_FP32, SHAPE(10, 16)));
	} else {
		op = op_new("constexpr_affine_dequantize", "w2");
		op_attr(op, "quantized_data",
			val_blob(o_q, vt_tensor(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__INT8, SHAPE(10, 16))));
		op_attr(op, "zero_point",
			val_blob(o_zp, vt_tensor(CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__INT8, SHAPE(10))));
		op_attr(op, "scale", val_blob(o_sc, vt_tensor(DT_FP16, SHAPE(10))));
		op_attr(op, "axis", val_int(0));
		op_out(op, "w2", vt_tensor(DT_FP16, SHAPE(10, 16)));
	}
	block_op(b, op);
	op = op_new("linear", "y");
	op_in(op, "weight", dense ? "w2_dense" : "w2");
	op_in(op, "x", "h");
	op_out(op, "y", vt_tensor(DT_FP16, SHAPE(1, 10)));
	block_op(b, op);
	block_out(b, "y");
	MFunction *fn = function_new("CoreML6", b);
	function_input(fn, "x", vt_tensor(DT_FP16, SHAPE(1, 32)));
	MProgram *prog = program_new("2.1.0", "7.1");
	program_function(prog, "main", fn);
	Model *m = model_new(7, d);
	model_set_program(m, prog);
	write_model(m, pkg.spec_path);
	blobfile_write(&w, pkg.weight_bin);
	package_manifest(&pkg);
}
