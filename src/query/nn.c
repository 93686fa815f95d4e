/* nn: neural-network layers, their parameters and weight fields. */
#include "query/inspect.h"
#include "query/internal.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/dump.h"
#include "MIL.pb-c.h"
#include "NeuralNetwork.pb-c.h"
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- neural networks ---------------------------------------------------------------- */

struct mt_node *nn_network(struct mt_node *model)
{
	long t = model_type_field(model);
	if (t < 0)
		return NULL;
	uint32_t num = model->f[t].number;
	if (num != F_Model_neuralNetwork && num != F_Model_neuralNetworkClassifier &&
	    num != F_Model_neuralNetworkRegressor)
		return NULL;
	return mt_child(model, (size_t)t);
}

int nn_is_network_field(const ProtobufCFieldDescriptor *fd)
{
	return fd && fd->type == PROTOBUF_C_TYPE_MESSAGE &&
	       fd->descriptor == &core_ml__specification__neural_network__descriptor;
}

int is_weight_params(const ProtobufCFieldDescriptor *fd)
{
	return fd && fd->type == PROTOBUF_C_TYPE_MESSAGE &&
	       fd->descriptor == &core_ml__specification__weight_params__descriptor;
}

/* WeightParams: floatValue, else float16Value, rawValue or int8RawValue; a
 * rawValue with its quantization (numberOfBits; linear or a lookup table) */
static int read_weight(struct mt_node *wp, struct nn_weight *w)
{
	if (mt_parse(wp) < 0)
		return -1;
	uint64_t nf = 0;
	size_t nocc = 0;
	const struct mt_field *packed = NULL;
	for (size_t i = 0; i < wp->n; i++) {
		const struct mt_field *f = &wp->f[i];
		if (f->number != F_WeightParams_floatValue || !f->fd)
			continue;
		nocc++;
		if (f->flags & MT_F_PACKED) {
			nf += f->vlen / 4;
			packed = f;
		} else {
			nf++;
		}
	}
	w->node = wp;
	if (nf) {
		w->type = "float32";
		w->bits = 32;
		w->count = nf;
		w->bytes = nf * 4;
		w->value = nocc == 1 && packed ? packed : NULL;
		return 0;
	}
	static const uint32_t order[] = { F_WeightParams_float16Value, F_WeightParams_rawValue,
					  F_WeightParams_int8RawValue };
	for (size_t k = 0; k < 3; k++) {
		long i = mt_find_last(wp, order[k]);
		if (i < 0 || wp->f[i].wt != WT_LEN || !wp->f[i].vlen)
			continue;
		const struct mt_field *f = &wp->f[i];
		w->value = f;
		w->bytes = f->vlen;
		if (order[k] == F_WeightParams_float16Value) {
			w->type = "float16";
			w->bits = 16;
		} else if (order[k] == F_WeightParams_int8RawValue) {
			w->type = "int8";
			w->bits = 8;
		} else {
			struct mt_node *q = mt_get(wp, F_WeightParams_quantization);
			int bits = q ? (int)mt_get_int(q, F_QuantizationParams_numberOfBits, 0) : 0;
			if (q && mt_parse(q) == 0 && bits > 0 && bits <= 16) {
				long m = set_member(q);
				w->type = m >= 0 && q->f[m].number == F_QuantizationParams_lookupTableQuantization
						  ? "lut"
						  : "quantized";
				w->bits = bits;
			} else {
				w->type = "raw";
				w->bits = 8;
			}
		}
		w->count = w->bytes * 8 / (uint64_t)w->bits;
		return 0;
	}
	return 1; /* empty */
}

int nn_weight_read(struct mt_node *wp, struct nn_weight *w)
{
	memset(w, 0, sizeof(*w));
	return read_weight(wp, w);
}

/* finds WeightParams fields below params (depth-limited), naming them by path */
static int find_weights(struct mt_node *n, const char *prefix, int depth, struct nn_layer *l, size_t *cap)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || f->wt != WT_LEN || nn_is_network_field(f->fd))
			continue; /* a branch's or loop's network: its layers are layers of their own */
		char *name;
		if (f->fd->label == PROTOBUF_C_LABEL_REPEATED && count_num(n, f->number) > 1) {
			size_t idx = 0;
			for (size_t q = 0; q < i; q++)
				idx += n->f[q].number == f->number;
			name = xasprintf("%s%s%s[%zu]", prefix, *prefix ? "." : "", f->fd->name, idx);
		} else {
			name = xasprintf("%s%s%s", prefix, *prefix ? "." : "", f->fd->name);
		}
		struct mt_node *c = mt_child(n, i);
		if (!c) {
			free(name);
			return -1;
		}
		if (is_weight_params(f->fd)) {
			struct nn_weight w = { 0 };
			int r = read_weight(c, &w);
			if (r < 0) {
				free(name);
				return -1;
			}
			if (r == 0) {
				w.field = name;
				xgrow((void **)&l->w, cap, l->nw + 1, sizeof(*l->w));
				l->w[l->nw++] = w;
				continue;
			}
			free(name);
			continue;
		}
		if (depth < 4 && !is_map_entry(f->fd->descriptor) && find_weights(c, name, depth + 1, l, cap) < 0) {
			free(name);
			return -1;
		}
		free(name);
	}
	return 0;
}

/* a scalar field occurrence run as text: 32, true, RGB, [3,3], "s" */
void sb_scalar(struct strbuf *sb, const ProtobufCFieldDescriptor *fd, uint64_t u)
{
	char b[40];
	switch (fd->type) {
	case PROTOBUF_C_TYPE_FLOAT:
		fmt_float(b, sizeof(b), (float)mt_raw_double(fd, u));
		sb_adds(sb, b);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		fmt_double(b, sizeof(b), mt_raw_double(fd, u));
		sb_adds(sb, b);
		break;
	case PROTOBUF_C_TYPE_BOOL: sb_adds(sb, u ? "true" : "false"); break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)mt_raw_int(fd, u));
		if (ev)
			sb_adds(sb, ev->name);
		else
			sb_addf(sb, "%lld", (long long)mt_raw_int(fd, u));
		break;
	}
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: sb_addf(sb, "%llu", (unsigned long long)u); break;
	default: sb_addf(sb, "%lld", (long long)mt_raw_int(fd, u));
	}
}

#define KEY_MAX_VALUES 8

/* the scalar fields of n as "k=v" items; returns how many were added */
static size_t scalar_keys(struct mt_node *n, struct strlist *out, const char *sep_kv)
{
	size_t added = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		const ProtobufCFieldDescriptor *fd = f->fd;
		if (!fd || fd->type == PROTOBUF_C_TYPE_MESSAGE || fd->type == PROTOBUF_C_TYPE_BYTES)
			continue;
		/* only the first occurrence of a repeated field starts an item */
		int first = 1;
		for (size_t q = 0; q < i; q++)
			if (n->f[q].number == f->number)
				first = 0;
		if (!first)
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s%s", fd->name, sep_kv);
		if (fd->type == PROTOBUF_C_TYPE_STRING) {
			long last = mt_find_last(n, f->number);
			if (fd->label == PROTOBUF_C_LABEL_REPEATED)
				sb_addf(&sb, "[%zu strings]", count_num(n, f->number));
			else
				sb_add_quoted(&sb, (const char *)n->f[last].val, n->f[last].vlen);
		} else if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t count = 0;
			for (size_t j = i; j < n->n; j++) {
				size_t pos = 0;
				uint64_t u;
				if (n->f[j].number == f->number && n->f[j].fd)
					while (mt_scalar_next(&n->f[j], &pos, &u))
						count++;
			}
			if (count > KEY_MAX_VALUES) {
				sb_addf(&sb, "[%zu values]", count);
			} else {
				sb_addc(&sb, '[');
				size_t k = 0;
				for (size_t j = i; j < n->n; j++) {
					size_t pos = 0;
					uint64_t u;
					if (n->f[j].number == f->number && n->f[j].fd)
						while (mt_scalar_next(&n->f[j], &pos, &u)) {
							if (k++)
								sb_addc(&sb, ',');
							sb_scalar(&sb, fd, u);
						}
				}
				sb_addc(&sb, ']');
			}
		} else {
			long last = mt_find_last(n, f->number);
			sb_scalar(&sb, fd, n->f[last].u);
		}
		sl_push(out, sb_detach(&sb, NULL));
		added++;
	}
	return added;
}

int nn_has_weights(struct mt_node *n, int depth)
{
	if (depth > 4 || mt_parse(n) < 0)
		return 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || nn_is_network_field(f->fd))
			continue;
		if (is_weight_params(f->fd))
			return 1;
		struct mt_node *c = mt_child(n, i);
		if (c && nn_has_weights(c, depth + 1))
			return 1;
	}
	return 0;
}

/* key parameters of a layer's params message */
static int layer_keys(struct mt_node *p, struct strlist *keys)
{
	scalar_keys(p, keys, "=");
	for (size_t i = 0; i < p->n; i++) {
		const struct mt_field *f = &p->f[i];
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || is_weight_params(f->fd) ||
		    nn_is_network_field(f->fd))
			continue;
		struct mt_node *c = mt_child(p, i);
		if (!c)
			return -1;
		int oneof = (f->fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0;
		if (!oneof && (f->vlen > 64 || nn_has_weights(c, 0)))
			continue;
		if (f->fd->label == PROTOBUF_C_LABEL_REPEATED) {
			/* one item for all occurrences: the kind each one sets */
			if (mt_find(p, f->number, 0) != (long)i)
				continue;
			struct strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "%s=[", f->fd->name);
			size_t k = 0;
			for (size_t j = i; j < p->n; j++) {
				if (p->f[j].number != f->number || !p->f[j].fd)
					continue;
				struct mt_node *e = mt_child(p, j);
				if (!e) {
					sb_release(&sb);
					return -1;
				}
				long m = set_member(e);
				sb_addf(&sb, "%s%s", k++ ? "," : "", m >= 0 ? e->f[m].fd->name : "{}");
			}
			sb_addc(&sb, ']');
			sl_push(keys, sb_detach(&sb, NULL));
			continue;
		}
		struct strlist sub = { 0 };
		scalar_keys(c, &sub, "=");
		struct strbuf sb = STRBUF_INIT;
		sb_adds(&sb, f->fd->name);
		if (sub.n) {
			sb_addc(&sb, '(');
			for (size_t k = 0; k < sub.n; k++)
				sb_addf(&sb, "%s%s", k ? "," : "", sub.v[k]);
			sb_addc(&sb, ')');
		}
		sl_free(&sub);
		sl_push(keys, sb_detach(&sb, NULL));
	}
	return 0;
}

int nn_layer_read(struct mt_node *layer, size_t index, struct nn_layer *l)
{
	memset(l, 0, sizeof(*l));
	l->index = index;
	l->node = layer;
	if (mt_parse(layer) < 0)
		return -1;
	l->name = field_str(layer, F_NeuralNetworkLayer_name);
	for (size_t i = 0; i < layer->n; i++) {
		const struct mt_field *f = &layer->f[i];
		if ((f->number == F_NeuralNetworkLayer_input || f->number == F_NeuralNetworkLayer_output) && f->fd &&
		    f->wt == WT_LEN)
			sl_push(f->number == F_NeuralNetworkLayer_input ? &l->in : &l->out,
				xstrndup((const char *)f->val, f->vlen));
	}
	long k = set_member(layer);
	l->kind = k >= 0 ? layer->f[k].fd->name : "?";
	if (k < 0)
		return 0;
	l->params = mt_child(layer, (size_t)k);
	size_t cap = 0;
	if (!l->params || layer_keys(l->params, &l->keys) < 0 || find_weights(l->params, "", 0, l, &cap) < 0) {
		nn_layer_release(l); /* nothing for the caller to free */
		return -1;
	}
	return 0;
}

void nn_layer_release(struct nn_layer *l)
{
	free(l->name);
	sl_free(&l->in);
	sl_free(&l->out);
	sl_free(&l->keys);
	for (size_t i = 0; i < l->nw; i++)
		free(l->w[i].field);
	free(l->w);
	memset(l, 0, sizeof(*l));
}

/* the values of a repeated integer field (packed or not), at most max */
static size_t rep_uints(struct mt_node *n, uint32_t num, uint64_t *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n; i++) {
		size_t pos = 0;
		uint64_t u;
		if (n->f[i].number == num && n->f[i].fd)
			while (mt_scalar_next(&n->f[i], &pos, &u))
				if (k++ < max)
					out[k - 1] = u;
	}
	return k;
}

static size_t dims_of(uint64_t *dims, size_t max, size_t rank, const uint64_t *v)
{
	if (rank > max)
		return 0;
	for (size_t i = 0; i < rank; i++)
		if (!v[i])
			return 0;
	memcpy(dims, v, rank * sizeof(*v));
	return rank;
}

size_t nn_weight_shape(const struct nn_layer *l, const char *field, uint64_t *dims, size_t max, char *how,
		       size_t howlen)
{
	char tmp[160];
	if (!how) {
		how = tmp;
		howlen = sizeof(tmp);
	}
	how[0] = 0;
	if (!l->kind || !l->params || mt_parse(l->params) < 0)
		return 0;
	struct mt_node *p = l->params;
	const char *k = l->kind;
	int is_w = !strcmp(field, "weights"), is_b = !strcmp(field, "bias");
	typedef unsigned long long ull;
	/* an embedding's inputDim and outputChannels are numbered as these (spec/fields.h) */
	if (!strcmp(k, "innerProduct") || !strcmp(k, "embedding")) {
		uint64_t in = (uint64_t)mt_get_int(p, F_InnerProductLayerParams_inputChannels, 0),
			 out = (uint64_t)mt_get_int(p, F_InnerProductLayerParams_outputChannels, 0);
		snprintf(how, howlen, "%s %llu x outputChannels %llu", k[0] == 'i' ? "inputChannels" : "inputDim",
			 (ull)in, (ull)out);
		uint64_t v[2] = { out, in };
		return is_w ? dims_of(dims, max, 2, v) : is_b ? dims_of(dims, max, 1, v) : 0;
	}
	if (!strcmp(k, "embeddingND")) {
		uint64_t vocab = (uint64_t)mt_get_int(p, F_EmbeddingNDLayerParams_vocabSize, 0),
			 emb = (uint64_t)mt_get_int(p, F_EmbeddingNDLayerParams_embeddingSize, 0);
		snprintf(how, howlen, "embeddingSize %llu x vocabSize %llu", (ull)emb, (ull)vocab);
		uint64_t v[2] = { emb, vocab };
		return is_w ? dims_of(dims, max, 2, v) : is_b ? dims_of(dims, max, 1, v) : 0;
	}
	if (!strcmp(k, "batchedMatmul")) {
		uint64_t a = (uint64_t)mt_get_int(p, F_BatchedMatMulLayerParams_weightMatrixFirstDimension, 0),
			 b = (uint64_t)mt_get_int(p, F_BatchedMatMulLayerParams_weightMatrixSecondDimension, 0);
		snprintf(how, howlen, "weightMatrixFirstDimension %llu x weightMatrixSecondDimension %llu", (ull)a,
			 (ull)b);
		uint64_t v[2] = { a, b };
		return is_w ? dims_of(dims, max, 2, v) : is_b ? dims_of(dims, max, 1, v + 1) : 0;
	}
	if (!strcmp(k, "convolution")) {
		uint64_t oc = (uint64_t)mt_get_int(p, F_ConvolutionLayerParams_outputChannels, 0),
			 kc = (uint64_t)mt_get_int(p, F_ConvolutionLayerParams_kernelChannels, 0);
		uint64_t g = (uint64_t)mt_get_int(p, F_ConvolutionLayerParams_nGroups, 0), ks[2] = { 3, 3 };
		/* a kernel size left out is 3, as Core ML takes it (one value: its width is 3) */
		size_t nks = rep_uints(p, F_ConvolutionLayerParams_kernelSize, ks, 2);
		if (nks > 2)
			return 0;
		if (!g)
			g = 1;
		if (is_b)
			return dims_of(dims, max, 1, &oc);
		if (!is_w)
			return 0;
		if (mt_get_int(p, F_ConvolutionLayerParams_isDeconvolution, 0)) {
			if (oc % g)
				return 0;
			snprintf(how, howlen,
				 "kernelChannels %llu x outputChannels %llu / nGroups %llu x kernel %llux%llu", (ull)kc,
				 (ull)oc, (ull)g, (ull)ks[0], (ull)ks[1]);
			uint64_t v[4] = { kc, oc / g, ks[0], ks[1] };
			return dims_of(dims, max, 4, v);
		}
		snprintf(how, howlen, "outputChannels %llu x kernelChannels %llu x kernel %llux%llu", (ull)oc, (ull)kc,
			 (ull)ks[0], (ull)ks[1]);
		uint64_t v[4] = { oc, kc, ks[0], ks[1] };
		return dims_of(dims, max, 4, v);
	}
	if (!strcmp(k, "batchnorm")) {
		uint64_t c = (uint64_t)mt_get_int(p, F_BatchnormLayerParams_channels, 0);
		snprintf(how, howlen, "channels %llu", (ull)c);
		int each = !strcmp(field, "gamma") || !strcmp(field, "beta") || !strcmp(field, "mean") ||
			   !strcmp(field, "variance");
		return each ? dims_of(dims, max, 1, &c) : 0;
	}
	/* a shape field: loadConstant data, bias bias, scale scale and bias */
	uint32_t sf = !strcmp(k, "loadConstant") && !strcmp(field, "data") ? F_LoadConstantLayerParams_shape
		      : !strcmp(k, "bias") && is_b                         ? F_BiasLayerParams_shape
		      : !strcmp(k, "scale") && !strcmp(field, "scale")     ? F_ScaleLayerParams_shapeScale
		      : !strcmp(k, "scale") && is_b                        ? F_ScaleLayerParams_shapeBias
									   : 0;
	if (!sf)
		return 0;
	uint64_t sh[8];
	size_t ns = rep_uints(p, sf, sh, 8);
	if (!ns || ns > 8)
		return 0;
	size_t at = (size_t)snprintf(how, howlen, "shape ");
	for (size_t i = 0; i < ns && at < howlen; i++)
		at += (size_t)snprintf(how + at, howlen - at, "%s%llu", i ? "x" : "", (ull)sh[i]);
	return dims_of(dims, max, ns, sh);
}

size_t nn_weight_dims(const struct nn_layer *l, const struct nn_weight *w, uint64_t *dims, size_t max)
{
	uint64_t prod = 1;
	size_t rank = nn_weight_shape(l, w->field, dims, max, NULL, 0);
	int over = 0;
	for (size_t d = 0; d < rank; d++)
		over |= __builtin_mul_overflow(prod, dims[d], &prod);
	return rank && !over && prod == w->count ? rank : 0;
}

char *nn_weight_shape_str(const struct nn_layer *l, const struct nn_weight *w)
{
	uint64_t dims[8];
	size_t rank = nn_weight_dims(l, w, dims, 8);
	if (!rank)
		return xasprintf("[%llu]", (unsigned long long)w->count);
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '[');
	for (size_t d = 0; d < rank; d++)
		sb_addf(&sb, "%s%llu", d ? "," : "", (unsigned long long)dims[d]);
	sb_addc(&sb, ']');
	return sb_detach(&sb, NULL);
}

uint8_t *nn_weight_gather(const struct nn_weight *w, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	struct mt_node *n = w->node;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (f->number != F_WeightParams_floatValue || !f->fd)
			continue;
		if (f->flags & MT_F_PACKED) {
			sb_add(&sb, f->val, f->vlen);
		} else {
			uint8_t b[4] = { (uint8_t)f->u, (uint8_t)(f->u >> 8), (uint8_t)(f->u >> 16),
					 (uint8_t)(f->u >> 24) };
			sb_add(&sb, b, 4);
		}
	}
	return (uint8_t *)sb_detach(&sb, len);
}

/* ---- nested networks ------------------------------------------------------ */

/* the networks a branch or loop layer holds */
static const struct {
	const char *kind, *net;
	uint32_t num;
} nn_subnets[] = { { "branch", "ifBranch", F_BranchLayerParams_ifBranch },
		   { "branch", "elseBranch", F_BranchLayerParams_elseBranch },
		   { "loop", "conditionNetwork", F_LoopLayerParams_conditionNetwork },
		   { "loop", "bodyNetwork", F_LoopLayerParams_bodyNetwork } };

static int walk_net(struct mt_node *net, const char *base, const char *prefix, const char *scope, int depth,
		    const char *netname, int flags, nn_visitor fn, void *ctx)
{
	if (depth > NN_MAX_NESTING)
		return error_code(EXIT_INVALID, "'%s': networks nested more than %d deep", base, NN_MAX_NESTING);
	long i = -1;
	int r;
	struct mt_node *layer;
	size_t k = 0;
	while ((r = next_child(net, F_NeuralNetwork_layers, &i, &layer)) == 1) {
		char *path = xasprintf("%s.layers[%zu]", base, k);
		char *index = xasprintf("%s%zu", prefix, k);
		struct nn_visit v = { .layer = layer,
				      .network = net,
				      .path = path,
				      .index = index,
				      .pos = k,
				      .depth = depth,
				      .net = netname,
				      .scope = scope };
		int vr = fn(&v, ctx);
		long m = vr == 0 ? set_member(layer) : -1;
		const char *kind = m >= 0 && layer->f[m].fd ? layer->f[m].fd->name : NULL;
		struct mt_node *params = kind ? mt_child(layer, (size_t)m) : NULL;
		if (kind && !params)
			vr = -1;
		for (size_t s = 0; vr == 0 && params && s < sizeof(nn_subnets) / sizeof(nn_subnets[0]); s++) {
			if (strcmp(kind, nn_subnets[s].kind))
				continue;
			struct mt_node *sub;
			int c = child_of(params, nn_subnets[s].num, &sub);
			if (c < 0) {
				vr = -1;
				break;
			}
			if (!c)
				continue;
			char *spath = xasprintf("%s.%s.%s", path, kind, nn_subnets[s].net);
			char *sprefix = xasprintf("%s.%s.", index, nn_subnets[s].net);
			char *name = field_str(layer, F_NeuralNetworkLayer_name);
			char *sscope = xasprintf("%s%s%s.%s", scope, *scope ? "." : "", *name ? name : index,
						 nn_subnets[s].net);
			free(name);
			if (flags & NN_WALK_NETS) {
				struct nn_visit nv = { .layer = NULL,
						       .network = sub,
						       .path = spath,
						       .index = sprefix,
						       .pos = k,
						       .depth = depth + 1,
						       .net = nn_subnets[s].net,
						       .scope = sscope };
				vr = fn(&nv, ctx);
			}
			if (vr == 0)
				vr = walk_net(sub, spath, sprefix, sscope, depth + 1, nn_subnets[s].net, flags, fn,
					      ctx);
			free(spath);
			free(sprefix);
			free(sscope);
		}
		free(path);
		free(index);
		k++;
		if (vr == 1)
			vr = 0;
		if (vr < 0)
			return vr;
	}
	return r < 0 ? -1 : 0;
}

int nn_layer_networks(const struct nn_layer *l, struct nn_subnet *out)
{
	size_t n = 0;
	for (size_t s = 0; l->kind && l->params && s < sizeof(nn_subnets) / sizeof(nn_subnets[0]); s++) {
		if (strcmp(l->kind, nn_subnets[s].kind))
			continue;
		struct mt_node *sub;
		int c = child_of(l->params, nn_subnets[s].num, &sub);
		if (c < 0)
			return -1;
		if (c) {
			out[n].net = sub;
			out[n].name = nn_subnets[s].net;
			n++;
		}
	}
	return (int)n;
}

int nn_walk(struct mt_node *nn, const char *base, int flags, nn_visitor fn, void *ctx)
{
	return walk_net(nn, base, "", "", 0, "", flags, fn, ctx);
}

struct find_ctx {
	const char *name;
	struct mt_node *layer;
	char *path;
};

static int find_visit(const struct nn_visit *v, void *ctx)
{
	struct find_ctx *f = ctx;
	char *name = field_str(v->layer, F_NeuralNetworkLayer_name);
	int hit = !strcmp(name, f->name);
	free(name);
	if (!hit)
		return 0;
	f->layer = v->layer;
	f->path = xstrdup(v->path);
	return -2;
}

int nn_find_layer(struct mt_node *nn, const char *base, const char *name, struct mt_node **layer, char **path)
{
	struct find_ctx f = { .name = name };
	int r = nn_walk(nn, base, 0, find_visit, &f);
	*layer = f.layer;
	if (path)
		*path = f.path;
	else
		free(f.path);
	return r == -2 ? 1 : r < 0 ? -1 : 0;
}
