/* features: feature types (ft_*) and the interface of a model (io_*):
 * inputs, outputs, states, training inputs, per function. */
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

/* ---- feature types ---------------------------------------------------------------- */

static void read_range(struct mt_node *r, struct ft_range *out)
{
	/* an absent range reads as the protobuf defaults */
	out->lo = r ? (uint64_t)mt_get_int(r, F_SizeRange_lowerBound, 0) : 0;
	out->hi = r ? mt_get_int(r, F_SizeRange_upperBound, 0) : 0;
}

static const char *array_dtype(struct mt_node *a)
{
	const char *e = enum_name(a, F_ArrayFeatureType_dataType);
	if (!e)
		return NULL;
	if (!strcmp(e, "FLOAT32"))
		return "float32";
	if (!strcmp(e, "DOUBLE"))
		return "double";
	if (!strcmp(e, "INT32"))
		return "int32";
	if (!strcmp(e, "INT8"))
		return "int8";
	if (!strcmp(e, "FLOAT16"))
		return "float16";
	return NULL;
}

static int read_array(struct mt_node *a, struct ft_info *t)
{
	t->dtype = array_dtype(a);
	t->shape.dim = int_list(a, F_ArrayFeatureType_shape, &t->shape.rank);
	struct mt_node *es = mt_get(a, F_ArrayFeatureType_enumeratedShapes),
		       *sr = mt_get(a, F_ArrayFeatureType_shapeRange), *c;
	long i = -1;
	int r;
	if (es) {
		size_t cap = 0;
		i = -1;
		while ((r = next_child(es, F_ArrayFeatureType_EnumeratedShapes_shapes, &i, &c)) == 1) {
			xgrow((void **)&t->shapes, &cap, t->nshapes + 1, sizeof(*t->shapes));
			struct ft_shape *s = &t->shapes[t->nshapes++];
			s->dim = int_list(c, F_ArrayFeatureType_Shape_shape, &s->rank);
		}
		if (r < 0)
			return -1;
	}
	if (sr) {
		size_t cap = 0;
		i = -1;
		while ((r = next_child(sr, F_ArrayFeatureType_ShapeRange_sizeRanges, &i, &c)) == 1) {
			xgrow((void **)&t->ranges, &cap, t->nranges + 1, sizeof(*t->ranges));
			read_range(c, &t->ranges[t->nranges++]);
		}
		if (r < 0)
			return -1;
	}
	long d;
	if ((d = mt_find_last(a, F_ArrayFeatureType_intDefaultValue)) >= 0 ||
	    (d = mt_find_last(a, F_ArrayFeatureType_floatDefaultValue)) >= 0 ||
	    (d = mt_find_last(a, F_ArrayFeatureType_doubleDefaultValue)) >= 0) {
		if (a->f[d].fd) {
			t->has_default = 1;
			t->dflt = mt_double(&a->f[d]);
			t->dflt_kind = a->f[d].number == F_ArrayFeatureType_intDefaultValue     ? "int"
				       : a->f[d].number == F_ArrayFeatureType_floatDefaultValue ? "float"
												: "double";
		}
	}
	return 0;
}

int ft_read(struct mt_node *type, struct ft_info *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = FT_NONE;
	if (!type)
		return 0;
	if (mt_parse(type) < 0)
		return -1;
	t->optional = mt_get_int(type, F_FeatureType_isOptional, 0) != 0;
	long m = set_member(type);
	if (m < 0)
		return 0;
	struct mt_node *c = mt_child(type, (size_t)m);
	if (!c)
		return -1;
	switch (type->f[m].number) {
	case F_FeatureType_int64Type: t->kind = FT_INT64; break;
	case F_FeatureType_doubleType: t->kind = FT_DOUBLE; break;
	case F_FeatureType_stringType: t->kind = FT_STRING; break;
	case F_FeatureType_imageType: {
		t->kind = FT_IMAGE;
		t->width = mt_get_int(c, F_ImageFeatureType_width, 0);
		t->height = mt_get_int(c, F_ImageFeatureType_height, 0);
		t->color = enum_name(c, F_ImageFeatureType_colorSpace);
		if (t->color && !strcmp(t->color, "INVALID_COLOR_SPACE"))
			t->color = NULL;
		struct mt_node *es = mt_get(c, F_ImageFeatureType_enumeratedSizes),
			       *rg = mt_get(c, F_ImageFeatureType_imageSizeRange), *s;
		if (es) {
			long i = -1;
			int r;
			size_t cap = 0;
			while ((r = next_child(es, F_ImageFeatureType_EnumeratedImageSizes_sizes, &i, &s)) == 1) {
				xgrow((void **)&t->sizes, &cap, t->nsizes + 1, sizeof(*t->sizes));
				t->sizes[t->nsizes][0] = (uint64_t)mt_get_int(s, F_ImageFeatureType_ImageSize_width, 0);
				t->sizes[t->nsizes][1] =
					(uint64_t)mt_get_int(s, F_ImageFeatureType_ImageSize_height, 0);
				t->nsizes++;
			}
			if (r < 0)
				return -1;
		}
		if (rg) {
			t->has_range = 1;
			read_range(mt_get(rg, F_ImageFeatureType_ImageSizeRange_widthRange), &t->wrange);
			read_range(mt_get(rg, F_ImageFeatureType_ImageSizeRange_heightRange), &t->hrange);
		}
		break;
	}
	case F_FeatureType_multiArrayType: t->kind = FT_ARRAY; return read_array(c, t);
	case F_FeatureType_dictionaryType: {
		t->kind = FT_DICT;
		long k = set_member(c);
		t->key = k < 0 ? NULL : c->f[k].number == F_DictionaryFeatureType_int64KeyType ? "int64" : "string";
		break;
	}
	case F_FeatureType_sequenceType: {
		t->kind = FT_SEQUENCE;
		long k = set_member(c);
		t->elem = k < 0 ? NULL : c->f[k].number == F_SequenceFeatureType_int64Type ? "int64" : "string";
		struct mt_node *r = mt_get(c, F_SequenceFeatureType_sizeRange);
		if (r) {
			t->has_range = 1;
			read_range(r, &t->len);
		}
		break;
	}
	case F_FeatureType_stateType: {
		t->kind = FT_STATE;
		struct mt_node *a = mt_get(c, F_StateFeatureType_arrayType);
		if (a)
			return read_array(a, t);
		break;
	}
	}
	return 0;
}

void ft_release(struct ft_info *t)
{
	free(t->sizes);
	free(t->shape.dim);
	for (size_t i = 0; i < t->nshapes; i++)
		free(t->shapes[i].dim);
	free(t->shapes);
	free(t->ranges);
	memset(t, 0, sizeof(*t));
}

static void sb_dims(struct strbuf *sb, const struct ft_shape *s)
{
	sb_addc(sb, '[');
	for (size_t i = 0; i < s->rank; i++)
		sb_addf(sb, "%s%lld", i ? "," : "", (long long)s->dim[i]);
	sb_addc(sb, ']');
}

static void sb_range(struct strbuf *sb, const struct ft_range *r)
{
	if (r->hi >= 0 && (uint64_t)r->hi == r->lo)
		sb_addf(sb, "%llu", (unsigned long long)r->lo);
	else if (r->hi < 0)
		sb_addf(sb, "%llu..*", (unsigned long long)r->lo);
	else
		sb_addf(sb, "%llu..%lld", (unsigned long long)r->lo, (long long)r->hi);
}

static void sb_array(struct strbuf *sb, const struct ft_info *t)
{
	sb_adds(sb, t->dtype ? t->dtype : "array");
	sb_dims(sb, &t->shape);
	if (t->nshapes) {
		sb_adds(sb, " in {");
		for (size_t i = 0; i < t->nshapes; i++) {
			if (i)
				sb_addc(sb, ',');
			sb_dims(sb, &t->shapes[i]);
		}
		sb_addc(sb, '}');
	}
	if (t->nranges) {
		sb_adds(sb, " in [");
		for (size_t i = 0; i < t->nranges; i++) {
			if (i)
				sb_addc(sb, ',');
			sb_range(sb, &t->ranges[i]);
		}
		sb_addc(sb, ']');
	}
}

char *ft_format(const struct ft_info *t)
{
	struct strbuf sb = STRBUF_INIT;
	switch (t->kind) {
	case FT_NONE: sb_adds(&sb, "none"); break;
	case FT_INT64: sb_adds(&sb, "int64"); break;
	case FT_DOUBLE: sb_adds(&sb, "double"); break;
	case FT_STRING: sb_adds(&sb, "string"); break;
	case FT_IMAGE:
		sb_addf(&sb, "image<%s,%lldx%lld>", t->color ? t->color : "?", (long long)t->width,
			(long long)t->height);
		if (t->nsizes) {
			sb_adds(&sb, " in {");
			for (size_t i = 0; i < t->nsizes; i++)
				sb_addf(&sb, "%s%llux%llu", i ? "," : "", (unsigned long long)t->sizes[i][0],
					(unsigned long long)t->sizes[i][1]);
			sb_addc(&sb, '}');
		}
		if (t->has_range) {
			sb_adds(&sb, " in [");
			sb_range(&sb, &t->wrange);
			sb_adds(&sb, "]x[");
			sb_range(&sb, &t->hrange);
			sb_addc(&sb, ']');
		}
		break;
	case FT_ARRAY: sb_array(&sb, t); break;
	case FT_DICT: sb_addf(&sb, "dict<%s,double>", t->key ? t->key : "?"); break;
	case FT_SEQUENCE:
		sb_addf(&sb, "sequence<%s>", t->elem ? t->elem : "?");
		if (t->has_range) {
			sb_adds(&sb, " length ");
			sb_range(&sb, &t->len);
		}
		break;
	case FT_STATE:
		sb_adds(&sb, "state<");
		sb_array(&sb, t);
		sb_addc(&sb, '>');
		break;
	}
	if (t->has_default) {
		char b[40];
		fmt_double(b, sizeof(b), t->dflt);
		sb_addf(&sb, " default %s", b);
	}
	return sb_detach(&sb, NULL);
}

static const char *ft_kind_name(enum ft_kind k)
{
	static const char *const names[] = { "none",       "int64",      "double",   "string", "image",
					     "multiArray", "dictionary", "sequence", "state" };
	return names[k];
}

static void json_range(struct jw *w, const struct ft_range *r)
{
	jw_arr(w);
	jw_uint(w, r->lo);
	if (r->hi < 0)
		jw_null(w);
	else
		jw_int(w, r->hi);
	jw_arr_end(w);
}

static void json_dims(struct jw *w, const struct ft_shape *s)
{
	jw_arr(w);
	for (size_t i = 0; i < s->rank; i++)
		jw_int(w, s->dim[i]);
	jw_arr_end(w);
}

void ft_json(struct jw *w, const struct ft_info *t)
{
	char *s = ft_format(t);
	jw_kstr(w, "type", s);
	free(s);
	jw_kstr(w, "kind", ft_kind_name(t->kind));
	jw_kbool(w, "optional", t->optional);
	switch (t->kind) {
	case FT_IMAGE:
		jw_key(w, "colorSpace");
		if (t->color)
			jw_str(w, t->color);
		else
			jw_null(w);
		jw_kint(w, "width", t->width);
		jw_kint(w, "height", t->height);
		if (t->nsizes) {
			jw_key(w, "sizes");
			jw_arr(w);
			for (size_t i = 0; i < t->nsizes; i++) {
				jw_arr(w);
				jw_uint(w, t->sizes[i][0]);
				jw_uint(w, t->sizes[i][1]);
				jw_arr_end(w);
			}
			jw_arr_end(w);
		}
		if (t->has_range) {
			jw_key(w, "widthRange");
			json_range(w, &t->wrange);
			jw_key(w, "heightRange");
			json_range(w, &t->hrange);
		}
		break;
	case FT_ARRAY:
	case FT_STATE:
		jw_key(w, "dataType");
		if (t->dtype)
			jw_str(w, t->dtype);
		else
			jw_null(w);
		jw_key(w, "shape");
		json_dims(w, &t->shape);
		if (t->nshapes) {
			jw_key(w, "shapes");
			jw_arr(w);
			for (size_t i = 0; i < t->nshapes; i++)
				json_dims(w, &t->shapes[i]);
			jw_arr_end(w);
		}
		if (t->nranges) {
			jw_key(w, "shapeRange");
			jw_arr(w);
			for (size_t i = 0; i < t->nranges; i++)
				json_range(w, &t->ranges[i]);
			jw_arr_end(w);
		}
		if (t->has_default) {
			jw_key(w, "default");
			jw_double(w, t->dflt);
		}
		break;
	case FT_DICT:
		jw_key(w, "keyType");
		if (t->key)
			jw_str(w, t->key);
		else
			jw_null(w);
		break;
	case FT_SEQUENCE:
		jw_key(w, "elementType");
		if (t->elem)
			jw_str(w, t->elem);
		else
			jw_null(w);
		if (t->has_range) {
			jw_key(w, "lengthRange");
			json_range(w, &t->len);
		}
		break;
	default: break;
	}
}

/* ---- interfaces -------------------------------------------------------------------- */

static int read_features(struct mt_node *d, uint32_t num, struct io_list *l)
{
	long i = -1;
	int r;
	struct mt_node *f;
	size_t cap = 0;
	while ((r = next_child(d, num, &i, &f)) == 1) {
		xgrow((void **)&l->v, &cap, l->n + 1, sizeof(*l->v));
		struct feature *x = &l->v[l->n];
		memset(x, 0, sizeof(*x));
		x->name = field_str(f, F_FeatureDescription_name);
		x->desc = field_str(f, F_FeatureDescription_shortDescription);
		l->n++;
		if (ft_read(mt_get(f, F_FeatureDescription_type), &x->type) < 0)
			return -1;
	}
	return r;
}

static int read_group(struct mt_node *d, struct io_group *g, uint32_t in, uint32_t out, uint32_t state,
		      uint32_t training, uint32_t pred, uint32_t prob)
{
	if (read_features(d, in, &g->in) < 0 || read_features(d, out, &g->out) < 0 ||
	    read_features(d, state, &g->state) < 0 || (training && read_features(d, training, &g->training) < 0))
		return -1;
	g->predicted = mt_get_str(d, pred);
	g->probabilities = mt_get_str(d, prob);
	return 0;
}

int io_read(struct mt_node *model, struct model_io *io)
{
	memset(io, 0, sizeof(*io));
	io->g = xcalloc(1, sizeof(*io->g));
	io->n = 1;
	if (mt_parse(model) < 0)
		return -1;
	struct mt_node *d;
	int r0 = child_of(model, F_Model_description, &d);
	if (r0 <= 0)
		return r0;
	if (read_group(d, &io->g[0], F_ModelDescription_input, F_ModelDescription_output, F_ModelDescription_state,
		       F_ModelDescription_trainingInput, F_ModelDescription_predictedFeatureName,
		       F_ModelDescription_predictedProbabilitiesName) < 0)
		return -1;
	io->default_fn = mt_get_str(d, F_ModelDescription_defaultFunctionName);
	long i = -1;
	int r;
	struct mt_node *f;
	size_t cap = 1;
	while ((r = next_child(d, F_ModelDescription_functions, &i, &f)) == 1) {
		xgrow((void **)&io->g, &cap, io->n + 1, sizeof(*io->g));
		struct io_group *g = &io->g[io->n++];
		memset(g, 0, sizeof(*g));
		g->function = field_str(f, F_FunctionDescription_name);
		g->is_default = io->default_fn && !strcmp(io->default_fn, g->function);
		/* a FunctionDescription has no trainingInput (0) */
		if (read_group(f, g, F_FunctionDescription_input, F_FunctionDescription_output,
			       F_FunctionDescription_state, 0, F_FunctionDescription_predictedFeatureName,
			       F_FunctionDescription_predictedProbabilitiesName) < 0)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

static void io_list_release(struct io_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].desc);
		ft_release(&l->v[i].type);
	}
	free(l->v);
}

void io_release(struct model_io *io)
{
	for (size_t i = 0; i < io->n; i++) {
		struct io_group *g = &io->g[i];
		io_list_release(&g->in);
		io_list_release(&g->out);
		io_list_release(&g->state);
		io_list_release(&g->training);
		free(g->function);
		free(g->predicted);
		free(g->probabilities);
	}
	free(io->g);
	free(io->default_fn);
	memset(io, 0, sizeof(*io));
}
