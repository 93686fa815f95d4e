/* mkmodel-compiled: compiled model folders (.mlmodelc) as Xcode lays them out: compiledprogram,
 * compilednn and compiledpipeline. */
#include "mkmodel.h"
#include <string.h>
#include <unistd.h>

/* ---- compiled folders (.mlmodelc) ------------------------------------------ */

/* writes text into DIR/REL */
static void write_text_in(const char *dir, const char *rel, const char *text)
{
	write_file(astrf("%s/%s", dir, rel), text, strlen(text));
}

/* The layout Xcode gives a compiled model: metadata.json (an array of one
 * object), coremldata.bin (undocumented: some opaque bytes here), and the
 * program (model.mil, weights/weight.bin) or the network
 * (model.espresso.net/.shape/.weights, model/coremldata.bin). */
void make_compiled(const char *out, int program)
{
	static const uint8_t opaque[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c };
	char sub[4096];
	make_dir(out);
	snprintf(sub, sizeof sub, "%s/coremldata.bin", out);
	write_file(sub, opaque, sizeof opaque);
	snprintf(sub, sizeof sub, "%s/analytics", out);
	make_dir(sub);
	write_text_in(sub, "coremldata.bin", "analytics");
	const char *common = "    \"shortDescription\" : \"Finds test patterns\",\n"
			     "    \"author\" : \"mlpkg tests\",\n"
			     "    \"license\" : \"CC0\",\n"
			     "    \"version\" : \"2.1\",\n"
			     "    \"userDefinedMetadata\" : {\n"
			     "      \"com.github.apple.coremltools.version\" : \"7.2\",\n"
			     "      \"trainedOn\" : \"synthetic\"\n"
			     "    },\n"
			     "    \"inputSchema\" : [\n"
			     "      {\n"
			     "        \"name\" : \"image\",\n"
			     "        \"type\" : \"Image\",\n"
			     "        \"formattedType\" : \"Image (Color 64 × 64)\",\n"
			     "        \"isOptional\" : \"0\",\n"
			     "        \"shortDescription\" : \"the picture\"\n"
			     "      },\n"
			     "      {\n"
			     "        \"name\" : \"threshold\",\n"
			     "        \"type\" : \"Double\",\n"
			     "        \"formattedType\" : \"Double?\",\n"
			     "        \"isOptional\" : \"1\",\n"
			     "        \"shortDescription\" : \"\"\n"
			     "      }\n"
			     "    ],\n"
			     "    \"outputSchema\" : [\n"
			     "      {\n"
			     "        \"name\" : \"scores\",\n"
			     "        \"type\" : \"MultiArray\",\n"
			     "        \"formattedType\" : \"MultiArray (Float32 1 × 10)\",\n"
			     "        \"shape\" : \"[1, 10]\",\n"
			     "        \"dataType\" : \"Float32\",\n"
			     "        \"isOptional\" : \"0\",\n"
			     "        \"shortDescription\" : \"\"\n"
			     "      }\n"
			     "    ],\n"
			     "    \"availability\" : {\n"
			     "      \"macOS\" : \"13.0\",\n"
			     "      \"iOS\" : \"16.0\",\n"
			     "      \"tvOS\" : \"16.0\"\n"
			     "    },\n"
			     "    \"generatedClassName\" : \"Patterns\",\n"
			     "    \"method\" : \"predict\"\n";
	char json[8192];
	if (program) {
		snprintf(json, sizeof json,
			 "[\n  {\n    \"modelType\" : {\n      \"name\" : \"MLModelType_mlProgram\"\n    },\n"
			 "    \"specificationVersion\" : 7,\n    \"computePrecision\" : \"Mixed (Float16, Float32)\",\n"
			 "    \"storagePrecision\" : \"Float16\",\n    \"isUpdatable\" : \"0\",\n"
			 "    \"mlProgramOperationTypeHistogram\" : {\n      \"Ios16.cast\" : 2,\n"
			 "      \"Ios16.conv\" : 1,\n      \"Ios16.relu\" : 1,\n      \"Ios16.reduceMean\" : 1,\n"
			 "      \"Ios16.linear\" : 1,\n      \"Ios16.constexprAffineDequantize\" : 1\n    },\n%s  "
			 "}\n]\n",
			 common);
		/* the program as Core ML's compiler writes it, its weights in
		 * weights/weight.bin: a float16 convolution with bias, an int8
		 * quantized linear layer */
		struct blobfile bf;
		blobfile_init(&bf);
		uint16_t cw[8 * 3 * 3 * 3], cb[8];
		int8_t fq[10 * 8];
		for (size_t i = 0; i < sizeof cw / sizeof cw[0]; i++)
			cw[i] = f2h((float)((int)(i % 9) - 4) / 8.0f);
		for (size_t i = 0; i < 8; i++)
			cb[i] = f2h(i == 3 ? 0.0f : (float)i / 4.0f);
		for (size_t i = 0; i < sizeof fq; i++)
			fq[i] = (int8_t)((int)(i * 7 % 255) - 127);
		uint64_t o_cw = blob_add(&bf, 1, cw, sizeof cw), o_cb = blob_add(&bf, 1, cb, sizeof cb);
		uint64_t o_fq = blob_add(&bf, 4, fq, sizeof fq);
		snprintf(sub, sizeof sub, "%s/weights", out);
		make_dir(sub);
		snprintf(sub, sizeof sub, "%s/weights/weight.bin", out);
		blobfile_write(&bf, sub);
		const char *wb = "BLOBFILE(path = string(\"@model_path/weights/weight.bin\")";
		char mil[8192];
		snprintf(
			mil, sizeof mil,
			"program(1.3)\n"
			"[buildInfo = dict<string, string>({{\"coremlc-component-MIL\", \"3402.3.1\"}, "
			"{\"coremlc-version\", \"3402.4.1\"}})]\n"
			"{\n"
			"    func main<ios16>(tensor<fp32, [1, 3, 64, 64]> image) {\n"
			"        string cast_dtype = const()[name = string(\"cast_dtype\"), val = string(\"fp16\")];\n"
			"        tensor<fp16, [1, 3, 64, 64]> image_fp16 = cast(dtype = cast_dtype, x = image)"
			"[name = string(\"cast_0\")];\n"
			"        tensor<int32, [2]> var_12 = const()[name = string(\"op_12\"), "
			"val = tensor<int32, [2]>([2, 2])];\n"
			"        string conv_pad_type = const()[name = string(\"conv_pad_type\"), val = "
			"string(\"valid\")];\n"
			"        tensor<fp16, [8, 3, 3, 3]> conv_w = const()[name = string(\"conv_w\"), "
			"val = tensor<fp16, [8, 3, 3, 3]>(%s, offset = uint64(%llu)))];\n"
			"        tensor<fp16, [8]> conv_b = const()[name = string(\"conv_b\"), "
			"val = tensor<fp16, [8]>(%s, offset = uint64(%llu)))];\n"
			"        tensor<fp16, [1, 8, 31, 31]> conv_out = conv(bias = conv_b, pad_type = conv_pad_type, "
			"strides = var_12, weight = conv_w, x = image_fp16)[name = string(\"conv\")];\n"
			"        tensor<fp16, [1, 8, 31, 31]> relu_out = relu(x = conv_out)[name = string(\"relu\")];\n"
			"        tensor<int32, [2]> axes = const()[name = string(\"axes\"), val = tensor<int32, "
			"[2]>([2, 3])];\n"
			"        bool keep = const()[name = string(\"keep\"), val = bool(false)];\n"
			"        tensor<fp16, [1, 8]> pooled = reduce_mean(axes = axes, keep_dims = keep, x = relu_out)"
			"[name = string(\"pool\")];\n"
			"        tensor<fp16, [10, 8]> fc_w = constexpr_affine_dequantize()[axis = int32(0), "
			"name = string(\"fc_w\"), quantized_data = tensor<int8, [10, 8]>(%s, offset = uint64(%llu))), "
			"scale = fp16(0x1p-4), zero_point = int8(0)];\n"
			"        tensor<fp16, [1, 10]> logits = linear(weight = fc_w, x = pooled)[name = "
			"string(\"fc\")];\n"
			"        string out_dtype = const()[name = string(\"out_dtype\"), val = string(\"fp32\")];\n"
			"        tensor<fp32, [1, 10]> scores = cast(dtype = out_dtype, x = logits)[name = "
			"string(\"cast_1\")];\n"
			"    } -> (scores);\n"
			"}\n",
			wb, (unsigned long long)o_cw, wb, (unsigned long long)o_cb, wb, (unsigned long long)o_fq);
		write_text_in(out, "model.mil", mil);
	} else {
		snprintf(json, sizeof json,
			 "[\n  {\n    \"modelType\" : {\n      \"name\" : \"MLModelType_neuralNetwork\"\n    },\n"
			 "    \"specificationVersion\" : 4,\n    \"isUpdatable\" : \"0\",\n"
			 "    \"neuralNetworkLayerTypeHistogram\" : {\n      \"Convolution\" : 3,\n"
			 "      \"ActivationReLU\" : 3,\n      \"InnerProduct\" : 1\n    },\n%s  }\n]\n",
			 common);
		write_text_in(
			out, "model.espresso.net",
			"{\n  \"storage\" : \"model.espresso.weights\",\n  \"properties\" : {\n\n  },\n"
			"  \"format_version\" : 200,\n  \"layers\" : [\n"
			"    {\n      \"pad_r\" : 0,\n      \"fused_relu\" : 1,\n      \"debug_info\" : \"conv1\",\n"
			"      \"top\" : \"conv1_relu\",\n      \"blob_weights\" : 3,\n      \"K\" : 3,\n"
			"      \"blob_biases\" : 1,\n      \"name\" : \"conv1\",\n      \"type\" : \"convolution\",\n"
			"      \"n_groups\" : 1,\n      \"has_biases\" : 1,\n      \"C\" : 16,\n"
			"      \"bottom\" : \"image\",\n      \"weights\" : {\n\n      },\n      \"Nx\" : 3,\n"
			"      \"Ny\" : 3,\n      \"stride_x\" : 2,\n      \"stride_y\" : 2\n    },\n"
			"    {\n      \"name\" : \"pool\",\n      \"type\" : \"pool\",\n"
			"      \"bottom\" : \"conv1_relu\",\n      \"top\" : \"pool\",\n      \"avg_or_max\" : 0,\n"
			"      \"global\" : 1\n    },\n"
			"    {\n      \"name\" : \"fc\",\n      \"type\" : \"inner_product\",\n"
			"      \"bottom\" : \"pool\",\n      \"top\" : \"fc\",\n      \"nB\" : 16,\n"
			"      \"nC\" : 10,\n      \"has_biases\" : 1,\n      \"blob_weights\" : 5,\n"
			"      \"blob_biases\" : 7\n    },\n"
			"    {\n      \"name\" : \"prob\",\n      \"type\" : \"softmax\",\n"
			"      \"bottom\" : \"fc\",\n      \"top\" : \"scores\"\n    }\n  ]\n}\n");
		write_text_in(out, "model.espresso.shape", "{\"layer_shapes\":{}}\n");
		write_text_in(out, "model.espresso.weights", "0000");
		snprintf(sub, sizeof sub, "%s/model", out);
		make_dir(sub);
		write_text_in(sub, "coremldata.bin", "opaque");
	}
	write_text_in(out, "metadata.json", json);
}

/* A compiled pipeline as Create ML and Xcode lay one out: the pipeline's
 * metadata.json (modelType.structure naming the members' types) and a
 * folder per member, model0 ... model2, each with its coremldata.bin; only
 * the network (model1) holds a file mlpkg can read, and members carry no
 * metadata.json of their own. */
void make_compiled_pipeline(const char *out)
{
	char sub[4096];
	make_dir(out);
	write_text_in(out, "coremldata.bin", "pipeline");
	snprintf(sub, sizeof sub, "%s/analytics", out);
	make_dir(sub);
	write_text_in(sub, "coremldata.bin", "analytics");
	static const char *const opaque_members[] = { "model0", "model2" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(sub, sizeof sub, "%s/%s", out, opaque_members[i]);
		make_dir(sub);
		write_text_in(sub, "coremldata.bin", "member");
	}
	snprintf(sub, sizeof sub, "%s/model1", out);
	make_compiled(sub, 0);
	snprintf(sub, sizeof sub, "%s/model1/metadata.json", out);
	unlink(sub);
	write_text_in(out, "metadata.json",
		      "[\n  {\n    \"modelType\" : {\n      \"name\" : \"MLModelType_pipeline\",\n"
		      "      \"structure\" : [\n        {\n          \"name\" : \"MLModelType_visionFeaturePrint\"\n"
		      "        },\n        {\n          \"name\" : \"MLModelType_neuralNetwork\"\n        },\n"
		      "        {\n          \"name\" : \"MLModelType_nonMaximumSuppression\"\n        }\n      ]\n"
		      "    },\n    \"specificationVersion\" : 5,\n    \"author\" : \"mlpkg tests\",\n"
		      "    \"shortDescription\" : \"Finds watches\",\n"
		      "    \"neuralNetworkLayerTypeHistogram\" : {\n      \"Convolution\" : 1,\n"
		      "      \"Softmax\" : 1\n    },\n"
		      "    \"inputSchema\" : [\n      {\n        \"name\" : \"image\",\n        \"type\" : \"Image\",\n"
		      "        \"formattedType\" : \"Image (Color 64 × 64)\",\n        \"isOptional\" : \"0\"\n      "
		      "}\n    ],\n"
		      "    \"outputSchema\" : [\n      {\n        \"name\" : \"confidence\",\n"
		      "        \"type\" : \"MultiArray\",\n        \"formattedType\" : \"MultiArray (Double 0 × 1)\",\n"
		      "        \"isOptional\" : \"0\"\n      }\n    ],\n"
		      "    \"availability\" : {\n      \"macOS\" : \"11.0\",\n      \"iOS\" : \"14.0\"\n    },\n"
		      "    \"method\" : \"predict\"\n  }\n]\n");
}
