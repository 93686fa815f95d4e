/* inspect: feature types, pipelines, neural-network layers, ML-program
 * functions and operations, counts and notes (see inspect.h). */
#include "query/inspect.h"
#include "query/overlay.h"
#include "query/meta.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/schema.h"
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

/* ---- small helpers ---------------------------------------------------------- */

void sl_push(struct strlist *l, char *s)
{
	xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

void sl_pushf(struct strlist *l, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sl_push(l, sb_detach(&sb, NULL));
}

void sl_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int sl_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

int next_child(struct mt_node *n, uint32_t num, long *i, struct mt_node **out)
{
	if (mt_parse(n) < 0)
		return -1;
	for (;;) {
		long k = mt_find(n, num, (size_t)(*i + 1));
		*i = k;
		if (k < 0)
			return 0;
		const struct mt_field *f = &n->f[k];
		/* occurrences the schema cannot read (another wire type) are skipped */
		if (f->fd && f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->wt == WT_LEN)
			break;
	}
	*out = mt_child(n, (size_t)*i);
	return *out ? 1 : -1;
}

/* the child message numbered num (last occurrence): 1 and *out, 0 when
 * absent or not readable as that message (another wire type), -1 when it
 * is invalid (reported) */
static int child_of(struct mt_node *n, uint32_t num, struct mt_node **out)
{
	*out = NULL;
	if (mt_parse(n) < 0)
		return -1;
	long i = mt_find_last(n, num);
	if (i < 0)
		return 0;
	const struct mt_field *f = &n->f[i];
	if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || f->wt != WT_LEN)
		return 0;
	*out = mt_child(n, (size_t)i);
	return *out ? 1 : -1;
}

char *field_str(struct mt_node *n, uint32_t num)
{
	char *s = mt_get_str(n, num);
	return s ? s : xstrdup("");
}

/* the name of an enum field's value, NULL when absent or unknown */
static const char *enum_name(struct mt_node *n, uint32_t num)
{
	long i = mt_find_last(n, num);
	if (i < 0 || !n->f[i].fd || n->f[i].fd->type != PROTOBUF_C_TYPE_ENUM)
		return NULL;
	const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(n->f[i].fd->descriptor, (int)mt_int(&n->f[i]));
	return ev ? ev->name : NULL;
}

/* the set member of a oneof-style message: the last known message field */
static long set_member(struct mt_node *n)
{
	long found = -1;
	for (size_t i = 0; i < n->n; i++)
		if (n->f[i].fd && n->f[i].fd->type == PROTOBUF_C_TYPE_MESSAGE && (n->f[i].fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			found = (long)i;
	return found;
}

/* every element of a repeated integer field, all occurrences */
static int64_t *int_list(struct mt_node *n, uint32_t num, size_t *count)
{
	int64_t *v = NULL;
	size_t k = 0, cap = 0;
	for (size_t i = 0; i < n->n; i++) {
		if (n->f[i].number != num || !n->f[i].fd)
			continue;
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&n->f[i], &pos, &u)) {
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			v[k++] = mt_raw_int(n->f[i].fd, u);
		}
	}
	*count = k;
	return v;
}

static size_t count_num(struct mt_node *n, uint32_t num)
{
	size_t k = 0;
	for (size_t i = 0; i < n->n; i++)
		k += n->f[i].number == num && n->f[i].fd;
	return k;
}

static void lower_into(char *dst, size_t n, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < n; i++)
		dst[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	dst[i] = 0;
}

/* appends s with control characters and quotes escaped */
static void sb_add_quoted(struct strbuf *sb, const char *s, size_t n)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c == '\n')
			sb_adds(sb, "\\n");
		else if (c == '\t')
			sb_adds(sb, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_addf(sb, "\\x%02x", c);
		else
			sb_addc(sb, (char)c);
	}
	sb_addc(sb, '"');
}

/* ---- feature types ---------------------------------------------------------------- */

enum {
	FT_F_INT64 = 1, FT_F_DOUBLE = 2, FT_F_STRING = 3, FT_F_IMAGE = 4, FT_F_ARRAY = 5, FT_F_DICT = 6,
	FT_F_SEQUENCE = 7, FT_F_STATE = 8, FT_F_OPTIONAL = 1000,
};

static void read_range(struct mt_node *r, struct ft_range *out)
{
	/* an absent range reads as the protobuf defaults */
	out->lo = r ? (uint64_t)mt_get_int(r, 1, 0) : 0;
	out->hi = r ? mt_get_int(r, 2, 0) : 0;
}

static const char *array_dtype(struct mt_node *a)
{
	const char *e = enum_name(a, 2);
	if (!e)
		return NULL;
	if (!strcmp(e, "FLOAT32")) return "float32";
	if (!strcmp(e, "DOUBLE")) return "double";
	if (!strcmp(e, "INT32")) return "int32";
	if (!strcmp(e, "INT8")) return "int8";
	if (!strcmp(e, "FLOAT16")) return "float16";
	return NULL;
}

static int read_array(struct mt_node *a, struct ft_info *t)
{
	t->dtype = array_dtype(a);
	t->shape.dim = int_list(a, 1, &t->shape.rank);
	struct mt_node *es = mt_get(a, 21), *sr = mt_get(a, 31), *c;
	long i = -1;
	int r;
	if (es) {
		size_t cap = 0;
		i = -1;
		while ((r = next_child(es, 1, &i, &c)) == 1) {
			xgrow((void **)&t->shapes, &cap, t->nshapes + 1, sizeof(*t->shapes));
			struct ft_shape *s = &t->shapes[t->nshapes++];
			s->dim = int_list(c, 1, &s->rank);
		}
		if (r < 0)
			return -1;
	}
	if (sr) {
		size_t cap = 0;
		i = -1;
		while ((r = next_child(sr, 1, &i, &c)) == 1) {
			xgrow((void **)&t->ranges, &cap, t->nranges + 1, sizeof(*t->ranges));
			read_range(c, &t->ranges[t->nranges++]);
		}
		if (r < 0)
			return -1;
	}
	long d;
	if ((d = mt_find_last(a, 41)) >= 0 || (d = mt_find_last(a, 51)) >= 0 || (d = mt_find_last(a, 61)) >= 0) {
		if (a->f[d].fd) {
			t->has_default = 1;
			t->dflt = mt_double(&a->f[d]);
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
	t->optional = mt_get_int(type, FT_F_OPTIONAL, 0) != 0;
	long m = set_member(type);
	if (m < 0)
		return 0;
	struct mt_node *c = mt_child(type, (size_t)m);
	if (!c)
		return -1;
	switch (type->f[m].number) {
	case FT_F_INT64: t->kind = FT_INT64; break;
	case FT_F_DOUBLE: t->kind = FT_DOUBLE; break;
	case FT_F_STRING: t->kind = FT_STRING; break;
	case FT_F_IMAGE: {
		t->kind = FT_IMAGE;
		t->width = mt_get_int(c, 1, 0);
		t->height = mt_get_int(c, 2, 0);
		t->color = enum_name(c, 3);
		if (t->color && !strcmp(t->color, "INVALID_COLOR_SPACE"))
			t->color = NULL;
		struct mt_node *es = mt_get(c, 21), *rg = mt_get(c, 31), *s;
		if (es) {
			long i = -1;
			int r;
			size_t cap = 0;
			while ((r = next_child(es, 1, &i, &s)) == 1) {
				xgrow((void **)&t->sizes, &cap, t->nsizes + 1, sizeof(*t->sizes));
				t->sizes[t->nsizes][0] = (uint64_t)mt_get_int(s, 1, 0);
				t->sizes[t->nsizes][1] = (uint64_t)mt_get_int(s, 2, 0);
				t->nsizes++;
			}
			if (r < 0)
				return -1;
		}
		if (rg) {
			t->has_range = 1;
			read_range(mt_get(rg, 1), &t->wrange);
			read_range(mt_get(rg, 2), &t->hrange);
		}
		break;
	}
	case FT_F_ARRAY:
		t->kind = FT_ARRAY;
		return read_array(c, t);
	case FT_F_DICT: {
		t->kind = FT_DICT;
		long k = set_member(c);
		t->key = k < 0 ? NULL : c->f[k].number == 1 ? "int64" : "string";
		break;
	}
	case FT_F_SEQUENCE: {
		t->kind = FT_SEQUENCE;
		long k = set_member(c);
		t->elem = k < 0 ? NULL : c->f[k].number == 1 ? "int64" : "string";
		struct mt_node *r = mt_get(c, 101);
		if (r) {
			t->has_range = 1;
			read_range(r, &t->len);
		}
		break;
	}
	case FT_F_STATE: {
		t->kind = FT_STATE;
		struct mt_node *a = mt_get(c, 1);
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
		sb_addf(&sb, "image<%s,%lldx%lld>", t->color ? t->color : "?", (long long)t->width, (long long)t->height);
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
	case FT_ARRAY:
		sb_array(&sb, t);
		break;
	case FT_DICT:
		sb_addf(&sb, "dict<%s,double>", t->key ? t->key : "?");
		break;
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
	static const char *const names[] = { "none", "int64", "double", "string", "image", "multiArray",
					      "dictionary", "sequence", "state" };
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
	case FT_ARRAY: case FT_STATE:
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
	default:
		break;
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
		x->name = field_str(f, 1);
		x->desc = field_str(f, 2);
		l->n++;
		if (ft_read(mt_get(f, 3), &x->type) < 0)
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
	int r0 = child_of(model, 2, &d);
	if (r0 <= 0)
		return r0;
	/* ModelDescription: input 1, output 10, state 13, trainingInput 50,
	 * predictedFeatureName 11, predictedProbabilitiesName 12, functions 20,
	 * defaultFunctionName 21 */
	if (read_group(d, &io->g[0], 1, 10, 13, 50, 11, 12) < 0)
		return -1;
	io->default_fn = mt_get_str(d, 21);
	long i = -1;
	int r;
	struct mt_node *f;
	size_t cap = 1;
	while ((r = next_child(d, 20, &i, &f)) == 1) {
		xgrow((void **)&io->g, &cap, io->n + 1, sizeof(*io->g));
		struct io_group *g = &io->g[io->n++];
		memset(g, 0, sizeof(*g));
		g->function = field_str(f, 1);
		g->is_default = io->default_fn && !strcmp(io->default_fn, g->function);
		/* FunctionDescription: input 2, output 3, state 6, predicted 4, probabilities 5 */
		if (read_group(f, g, 2, 3, 6, 0, 4, 5) < 0)
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

/* ---- models and pipelines ---------------------------------------------------------- */

enum { M_PIPELINE_CLASSIFIER = 200, M_PIPELINE_REGRESSOR = 201, M_PIPELINE = 202, M_NN_REGRESSOR = 303,
       M_NN_CLASSIFIER = 403, M_NN = 500, M_MLPROGRAM = 502 };

struct mt_node *model_pipeline(struct mt_node *model)
{
	long t = model_type_field(model);
	if (t < 0)
		return NULL;
	uint32_t num = model->f[t].number;
	struct mt_node *c = mt_child(model, (size_t)t);
	if (!c)
		return NULL;
	if (num == M_PIPELINE)
		return c;
	if (num == M_PIPELINE_CLASSIFIER || num == M_PIPELINE_REGRESSOR)
		return mt_get(c, 1);
	return NULL;
}

static int list_models(struct mt_node *m, const char *path, char *name, int depth, struct model_ref **v, size_t *n,
		       size_t *cap)
{
	if (mt_parse(m) < 0) {
		free(name);
		return -1;
	}
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	struct model_ref *r = &(*v)[(*n)++];
	r->node = m;
	r->path = xstrdup(path);
	r->name = name;
	r->depth = depth;
	r->version = (int)mt_get_int(m, 1, 0);
	r->type = model_type_name(m);
	long t = model_type_field(m);
	if (t < 0)
		return 0;
	struct mt_node *p = model_pipeline(m);
	if (!p)
		return mt_child(m, (size_t)t) ? 0 : -1;
	const char *tn = m->f[t].fd->name;
	/* names (2) are parallel to models (1) */
	struct strlist names = { 0 };
	for (size_t i = 0; i < p->n; i++)
		if (p->f[i].number == 2 && p->f[i].wt == WT_LEN)
			sl_push(&names, xstrndup((const char *)p->f[i].val, p->f[i].vlen));
	long i = -1;
	int r2;
	size_t k = 0;
	struct mt_node *c;
	while ((r2 = next_child(p, 1, &i, &c)) == 1) {
		char *sub = m->f[t].number == M_PIPELINE ? xasprintf("%s%s%s.models[%zu]", path, *path ? "." : "", tn, k)
							   : xasprintf("%s%s%s.pipeline.models[%zu]", path, *path ? "." : "", tn, k);
		char *nm = k < names.n ? xstrdup(names.v[k]) : NULL;
		int rr = list_models(c, sub, nm, depth + 1, v, n, cap);
		free(sub);
		k++;
		if (rr < 0) {
			sl_free(&names);
			return -1;
		}
	}
	sl_free(&names);
	return r2;
}

int model_list(struct mt_node *root, struct model_ref **v, size_t *n)
{
	size_t cap = 0;
	*v = NULL;
	*n = 0;
	int r = list_models(root, "", NULL, 0, v, n, &cap);
	if (r < 0) {
		/* nothing for the caller to free (not every caller did) */
		model_list_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return r;
}

void model_list_free(struct model_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].name);
	}
	free(v);
}

/* ---- neural networks ---------------------------------------------------------------- */

struct mt_node *nn_network(struct mt_node *model)
{
	long t = model_type_field(model);
	if (t < 0)
		return NULL;
	uint32_t num = model->f[t].number;
	if (num != M_NN && num != M_NN_CLASSIFIER && num != M_NN_REGRESSOR)
		return NULL;
	return mt_child(model, (size_t)t);
}

static int is_weight_params(const ProtobufCFieldDescriptor *fd)
{
	return fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->descriptor == &core_ml__specification__weight_params__descriptor;
}

/* WeightParams: floatValue 1, float16Value 2, rawValue 30, int8RawValue 31,
 * quantization 40 (numberOfBits 1, linearQuantization 101, lookupTableQuantization 102) */
static int read_weight(struct mt_node *wp, struct nn_weight *w)
{
	if (mt_parse(wp) < 0)
		return -1;
	uint64_t nf = 0;
	size_t nocc = 0;
	const struct mt_field *packed = NULL;
	for (size_t i = 0; i < wp->n; i++) {
		const struct mt_field *f = &wp->f[i];
		if (f->number != 1 || !f->fd)
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
	static const uint32_t order[] = { 2, 30, 31 };
	for (size_t k = 0; k < 3; k++) {
		long i = mt_find_last(wp, order[k]);
		if (i < 0 || wp->f[i].wt != WT_LEN || !wp->f[i].vlen)
			continue;
		const struct mt_field *f = &wp->f[i];
		w->value = f;
		w->bytes = f->vlen;
		if (order[k] == 2) {
			w->type = "float16";
			w->bits = 16;
		} else if (order[k] == 31) {
			w->type = "int8";
			w->bits = 8;
		} else {
			struct mt_node *q = mt_get(wp, 40);
			int bits = q ? (int)mt_get_int(q, 1, 0) : 0;
			if (q && mt_parse(q) == 0 && bits > 0 && bits <= 16) {
				long m = set_member(q);
				w->type = m >= 0 && q->f[m].number == 102 ? "lut" : "quantized";
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

/* finds WeightParams fields below params (depth-limited), naming them by path */
static int find_weights(struct mt_node *n, const char *prefix, int depth, struct nn_layer *l, size_t *cap)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || f->wt != WT_LEN)
			continue;
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
static void sb_scalar(struct strbuf *sb, const ProtobufCFieldDescriptor *fd, uint64_t u)
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
	case PROTOBUF_C_TYPE_BOOL:
		sb_adds(sb, u ? "true" : "false");
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)mt_raw_int(fd, u));
		if (ev)
			sb_adds(sb, ev->name);
		else
			sb_addf(sb, "%lld", (long long)mt_raw_int(fd, u));
		break;
	}
	case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
		sb_addf(sb, "%llu", (unsigned long long)u);
		break;
	default:
		sb_addf(sb, "%lld", (long long)mt_raw_int(fd, u));
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
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE)
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
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || is_weight_params(f->fd))
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
	l->name = field_str(layer, 1);
	for (size_t i = 0; i < layer->n; i++) {
		const struct mt_field *f = &layer->f[i];
		if ((f->number == 2 || f->number == 3) && f->fd && f->wt == WT_LEN)
			sl_push(f->number == 2 ? &l->in : &l->out, xstrndup((const char *)f->val, f->vlen));
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
	if (!strcmp(k, "innerProduct") || !strcmp(k, "embedding")) {
		uint64_t in = (uint64_t)mt_get_int(p, 1, 0), out = (uint64_t)mt_get_int(p, 2, 0);
		snprintf(how, howlen, "%s %llu x outputChannels %llu", k[0] == 'i' ? "inputChannels" : "inputDim",
			 (ull)in, (ull)out);
		uint64_t v[2] = { out, in };
		return is_w ? dims_of(dims, max, 2, v) : is_b ? dims_of(dims, max, 1, v) : 0;
	}
	if (!strcmp(k, "embeddingND")) {
		uint64_t vocab = (uint64_t)mt_get_int(p, 1, 0), emb = (uint64_t)mt_get_int(p, 2, 0);
		snprintf(how, howlen, "embeddingSize %llu x vocabSize %llu", (ull)emb, (ull)vocab);
		uint64_t v[2] = { emb, vocab };
		return is_w ? dims_of(dims, max, 2, v) : is_b ? dims_of(dims, max, 1, v) : 0;
	}
	if (!strcmp(k, "batchedMatmul")) {
		uint64_t a = (uint64_t)mt_get_int(p, 5, 0), b = (uint64_t)mt_get_int(p, 6, 0);
		snprintf(how, howlen, "weightMatrixFirstDimension %llu x weightMatrixSecondDimension %llu", (ull)a, (ull)b);
		uint64_t v[2] = { a, b };
		return is_w ? dims_of(dims, max, 2, v) : is_b ? dims_of(dims, max, 1, v + 1) : 0;
	}
	if (!strcmp(k, "convolution")) {
		uint64_t oc = (uint64_t)mt_get_int(p, 1, 0), kc = (uint64_t)mt_get_int(p, 2, 0);
		uint64_t g = (uint64_t)mt_get_int(p, 10, 0), ks[2] = { 3, 3 };
		size_t nks = rep_uints(p, 20, ks, 2);
		if (nks != 0 && nks != 2)
			return 0;
		if (!g)
			g = 1;
		if (is_b)
			return dims_of(dims, max, 1, &oc);
		if (!is_w)
			return 0;
		if (mt_get_int(p, 60, 0)) {
			if (oc % g)
				return 0;
			snprintf(how, howlen, "kernelChannels %llu x outputChannels %llu / nGroups %llu x kernel %llux%llu",
				 (ull)kc, (ull)oc, (ull)g, (ull)ks[0], (ull)ks[1]);
			uint64_t v[4] = { kc, oc / g, ks[0], ks[1] };
			return dims_of(dims, max, 4, v);
		}
		snprintf(how, howlen, "outputChannels %llu x kernelChannels %llu x kernel %llux%llu", (ull)oc, (ull)kc,
			 (ull)ks[0], (ull)ks[1]);
		uint64_t v[4] = { oc, kc, ks[0], ks[1] };
		return dims_of(dims, max, 4, v);
	}
	if (!strcmp(k, "batchnorm")) {
		uint64_t c = (uint64_t)mt_get_int(p, 1, 0);
		snprintf(how, howlen, "channels %llu", (ull)c);
		int each = !strcmp(field, "gamma") || !strcmp(field, "beta") || !strcmp(field, "mean") ||
			   !strcmp(field, "variance");
		return each ? dims_of(dims, max, 1, &c) : 0;
	}
	/* a shape field: loadConstant data (1), bias bias (1), scale scale (1) and bias (4) */
	uint32_t sf = !strcmp(k, "loadConstant") && !strcmp(field, "data") ? 1
		      : !strcmp(k, "bias") && is_b			    ? 1
		      : !strcmp(k, "scale") && !strcmp(field, "scale")	    ? 1
		      : !strcmp(k, "scale") && is_b			    ? 4 : 0;
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
		if (f->number != 1 || !f->fd)
			continue;
		if (f->flags & MT_F_PACKED) {
			sb_add(&sb, f->val, f->vlen);
		} else {
			uint8_t b[4] = { (uint8_t)f->u, (uint8_t)(f->u >> 8), (uint8_t)(f->u >> 16), (uint8_t)(f->u >> 24) };
			sb_add(&sb, b, 4);
		}
	}
	return (uint8_t *)sb_detach(&sb, len);
}

/* ---- ML programs -------------------------------------------------------------------- */

/* map entry helpers: key 1, value 2 */
static char *entry_key(struct mt_node *e)
{
	return field_str(e, 1);
}

int mil_functions(struct mt_node *program, struct mil_function **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	size_t cap = 0;
	long i = -1;
	int r;
	struct mt_node *e;
	while ((r = next_child(program, 2, &i, &e)) == 1) {
		xgrow((void **)v, &cap, *n + 1, sizeof(**v));
		struct mil_function *f = &(*v)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->name = entry_key(e);
		if (child_of(e, 2, &f->fn) < 0)
			return -1;
		if (!f->fn) {
			f->opset = xstrdup("");
			continue;
		}
		f->opset = field_str(f->fn, 2);
		long j = -1;
		int r2;
		struct mt_node *s, *match = NULL, *last = NULL, *chosen;
		char *match_key = NULL, *last_key = NULL;
		while ((r2 = next_child(f->fn, 3, &j, &s)) == 1) {
			f->nspecs++;
			char *k = entry_key(s);
			if (!match && !strcmp(k, f->opset)) {
				match = s;
				match_key = k;
			} else {
				free(last_key);
				last_key = k;
				last = s;
			}
		}
		/* the specialization keyed by the opset, else the last one */
		chosen = match ? match : last;
		f->block_key = match ? match_key : last_key;
		free(match ? last_key : NULL);
		if (r2 < 0)
			return -1;
		if (chosen && child_of(chosen, 2, &f->block) < 0)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

static void sb_key(struct strbuf *sb, const char *k)
{
	sb_addc(sb, '"');
	for (; *k; k++) {
		if (*k == '"' || *k == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *k);
	}
	sb_addc(sb, '"');
}

char *mil_block_path(const char *mpath, const struct mil_function *f)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addf(&sb, "%s%smlProgram.functions[", mpath, *mpath ? "." : "");
	sb_key(&sb, f->name);
	sb_adds(&sb, "]");
	if (f->block_key) {
		sb_adds(&sb, ".block_specializations[");
		sb_key(&sb, f->block_key);
		sb_adds(&sb, "]");
	}
	return sb_detach(&sb, NULL);
}

void mil_functions_free(struct mil_function *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].opset);
		free(v[i].block_key);
	}
	free(v);
}

static const char *dtype_name(int mil, char *buf, size_t n)
{
	const struct mil_dtype *d = mil_dtype(mil);
	if (d)
		return d->name;
	const ProtobufCEnumValue *ev =
		protobuf_c_enum_descriptor_get_value(&core_ml__specification__milspec__data_type__descriptor, mil);
	if (ev) {
		lower_into(buf, n, ev->name);
		return buf;
	}
	snprintf(buf, n, "dtype%d", mil);
	return buf;
}

/* ValueType: tensorType 1, listType 2, tupleType 3, dictionaryType 4, stateType 5 */
static void sb_type(struct strbuf *sb, struct mt_node *vt, int depth)
{
	if (!vt || depth > 16 || mt_parse(vt) < 0) {
		sb_addc(sb, '?');
		return;
	}
	long m = set_member(vt);
	struct mt_node *c = m >= 0 ? mt_child(vt, (size_t)m) : NULL;
	if (!c) {
		sb_addc(sb, '?');
		return;
	}
	char b[32];
	switch (vt->f[m].number) {
	case 1: {
		/* TensorType: dataType 1, rank 2, dimensions 3 (constant 1 {size 1}, unknown 2 {variadic 1}) */
		sb_adds(sb, dtype_name((int)mt_get_int(c, 1, 0), b, sizeof(b)));
		int64_t rank = mt_get_int(c, 2, 0);
		size_t nd = count_num(c, 3);
		if (rank == 0 && nd == 0)
			break;
		sb_addc(sb, '[');
		long i = -1;
		struct mt_node *d;
		size_t k = 0;
		while (next_child(c, 3, &i, &d) == 1) {
			if (k++)
				sb_addc(sb, ',');
			struct mt_node *dc = mt_get(d, 1), *du = mt_get(d, 2);
			if (dc)
				sb_addf(sb, "%llu", (unsigned long long)mt_get_int(dc, 1, 0));
			else if (du && mt_get_int(du, 1, 0))
				sb_addc(sb, '*');
			else
				sb_addc(sb, '?');
		}
		if (!nd)
			sb_addf(sb, "rank %lld", (long long)rank);
		sb_addc(sb, ']');
		break;
	}
	case 2: {
		sb_adds(sb, "list<");
		sb_type(sb, mt_get(c, 1), depth + 1);
		struct mt_node *len = mt_get(c, 2), *lc = len ? mt_get(len, 1) : NULL;
		if (lc)
			sb_addf(sb, ",%llu", (unsigned long long)mt_get_int(lc, 1, 0));
		sb_addc(sb, '>');
		break;
	}
	case 3: {
		sb_adds(sb, "tuple<");
		long i = -1;
		struct mt_node *t;
		size_t k = 0;
		while (next_child(c, 1, &i, &t) == 1) {
			if (k++)
				sb_addc(sb, ',');
			sb_type(sb, t, depth + 1);
		}
		sb_addc(sb, '>');
		break;
	}
	case 4:
		sb_adds(sb, "dict<");
		sb_type(sb, mt_get(c, 1), depth + 1);
		sb_addc(sb, ',');
		sb_type(sb, mt_get(c, 2), depth + 1);
		sb_addc(sb, '>');
		break;
	case 5:
		sb_adds(sb, "state<");
		sb_type(sb, mt_get(c, 1), depth + 1);
		sb_addc(sb, '>');
		break;
	default:
		sb_addc(sb, '?');
	}
}

char *mil_type_format(struct mt_node *vt)
{
	struct strbuf sb = STRBUF_INIT;
	sb_type(&sb, vt, 0);
	return sb_detach(&sb, NULL);
}

#define VALUE_MAX 6

static const char *file_base(const char *name)
{
	const char *s = strrchr(name, '/');
	return s ? s + 1 : name;
}

/* TensorValue: floats 1, ints 2, bools 3, strings 4, longInts 5, doubles 6, bytes 7; values field 1 */
static void sb_tensor(struct strbuf *sb, struct mt_node *tv, int scalar)
{
	long m = set_member(tv);
	struct mt_node *c = m >= 0 ? mt_child(tv, (size_t)m) : NULL;
	if (!c) {
		sb_adds(sb, "[]");
		return;
	}
	uint32_t kind = tv->f[m].number;
	if (kind == 7) {
		long b = mt_find_last(c, 1);
		sb_addf(sb, "<%zu bytes>", b >= 0 ? c->f[b].vlen : (size_t)0);
		return;
	}
	size_t count = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->f[i].number != 1 || !c->f[i].fd)
			continue;
		if (kind == 4) {
			count++;
			continue;
		}
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(&c->f[i], &pos, &u))
			count++;
	}
	int brackets = !(scalar && count == 1);
	if (brackets)
		sb_addc(sb, '[');
	size_t k = 0;
	for (size_t i = 0; i < c->n && k < VALUE_MAX; i++) {
		const struct mt_field *f = &c->f[i];
		if (f->number != 1 || !f->fd)
			continue;
		if (kind == 4) {
			if (k++)
				sb_adds(sb, ", ");
			sb_add_quoted(sb, (const char *)f->val, f->vlen < 64 ? f->vlen : 64);
			continue;
		}
		size_t pos = 0;
		uint64_t u;
		while (k < VALUE_MAX && mt_scalar_next(f, &pos, &u)) {
			if (k++)
				sb_adds(sb, ", ");
			sb_scalar(sb, f->fd, u);
		}
	}
	if (count > VALUE_MAX)
		sb_addf(sb, ", ... %zu values", count);
	if (brackets)
		sb_addc(sb, ']');
}

/* Value: docString 1, type 2, immediateValue 3 (tensor 1, tuple 2, list 3, dictionary 4), blobFileValue 5 */
char *mil_value_format(struct mt_node *v)
{
	struct strbuf sb = STRBUF_INIT;
	if (!v || mt_parse(v) < 0) {
		sb_addc(&sb, '?');
		return sb_detach(&sb, NULL);
	}
	struct mt_node *blob = mt_get(v, 5), *imm = mt_get(v, 3);
	if (blob) {
		char *fn = field_str(blob, 1);
		sb_addf(&sb, "%s@%llu", file_base(fn), (unsigned long long)mt_get_int(blob, 2, 0));
		free(fn);
	} else if (imm) {
		long m = set_member(imm);
		struct mt_node *c = m >= 0 ? mt_child(imm, (size_t)m) : NULL;
		if (!c) {
			sb_addc(&sb, '?');
		} else if (imm->f[m].number == 1) {
			struct mt_node *t = mt_get(v, 2), *tt = t ? mt_get(t, 1) : NULL;
			int scalar = tt && mt_get_int(tt, 2, 0) == 0;
			sb_tensor(&sb, c, scalar);
		} else {
			static const char *const what[] = { "", "", "tuple", "list", "dict" };
			sb_addf(&sb, "<%s of %zu>", what[imm->f[m].number], count_num(c, 1));
		}
	} else {
		sb_addc(&sb, '?');
	}
	return sb_detach(&sb, NULL);
}

/* the string of attributes["name"]: Value.immediateValue.tensor.strings.values[0] */
static char *value_string(struct mt_node *v)
{
	struct mt_node *imm = mt_get(v, 3), *t = imm ? mt_get(imm, 1) : NULL, *s = t ? mt_get(t, 4) : NULL;
	long i = s ? mt_find(s, 1, 0) : -1;
	if (i < 0 || s->f[i].wt != WT_LEN)
		return NULL;
	return xstrndup((const char *)s->f[i].val, s->f[i].vlen);
}

static int add_ref(struct mil_op *o, size_t *cap, const char *key, struct mt_node *v)
{
	struct mt_node *blob = mt_get(v, 5);
	if (!blob)
		return 0;
	xgrow((void **)&o->w, cap, o->nw + 1, sizeof(*o->w));
	struct mil_weight_ref *w = &o->w[o->nw++];
	memset(w, 0, sizeof(*w));
	w->key = xstrdup(key);
	w->file = field_str(blob, 1);
	w->offset = (uint64_t)mt_get_int(blob, 2, 0);
	struct mt_node *t = mt_get(v, 2), *tt = t ? mt_get(t, 1) : NULL;
	if (!tt)
		return 0;
	w->dtype_mil = (int)mt_get_int(tt, 1, 0);
	w->dtype = mil_dtype(w->dtype_mil);
	w->known = 1;
	w->count = 1;
	long i = -1;
	struct mt_node *d;
	size_t cap2 = 0;
	int r;
	while ((r = next_child(tt, 3, &i, &d)) == 1) {
		struct mt_node *dc = mt_get(d, 1);
		int64_t size = dc ? mt_get_int(dc, 1, 0) : -1;
		xgrow((void **)&w->shape, &cap2, w->rank + 1, sizeof(*w->shape));
		w->shape[w->rank++] = size;
		if (size < 0)
			w->known = 0;
		else
			w->count *= (uint64_t)size;
	}
	if (r < 0)
		return -1;
	if (!w->known)
		w->count = 0;
	return 0;
}

static int op_read(struct mt_node *op, struct mil_op *o, int flags)
{
	o->node = op;
	if (mt_parse(op) < 0)
		return -1;
	o->type = field_str(op, 1);
	o->nblocks = count_num(op, 4);
	size_t wcap = 0, icap = 0;
	long i = -1;
	int r;
	struct mt_node *e;
	/* attributes 5: name, val, and any blob-file values */
	while ((r = next_child(op, 5, &i, &e)) == 1) {
		char *k = entry_key(e);
		struct mt_node *v = mt_get(e, 2);
		if (v) {
			if (!strcmp(k, "name") && !o->name)
				o->name = value_string(v);
			else if (!strcmp(k, "val") && (flags & MIL_OP_FULL) && !o->value)
				o->value = mil_value_format(v);
			if (add_ref(o, &wcap, k, v) < 0) {
				free(k);
				return -1;
			}
		}
		free(k);
	}
	if (r < 0)
		return -1;
	/* inputs 2: param -> Argument { arguments 1: Binding { name 1 | value 2 } } */
	i = -1;
	while ((r = next_child(op, 2, &i, &e)) == 1) {
		char *k = entry_key(e);
		struct mt_node *arg = mt_get(e, 2), *b;
		struct mil_input in = { k, NULL, 0 };
		size_t bcap = 0;
		long j = -1;
		int r2 = 0;
		while (arg && (r2 = next_child(arg, 1, &j, &b)) == 1) {
			struct mt_node *val = mt_get(b, 2);
			if (val && add_ref(o, &wcap, k, val) < 0) {
				r2 = -1;
				break;
			}
			if (!(flags & MIL_OP_FULL))
				continue;
			xgrow((void **)&in.b, &bcap, in.nb + 1, sizeof(*in.b));
			struct mil_binding *bd = &in.b[in.nb++];
			bd->name = mt_get_str(b, 1);
			bd->value = val ? mil_value_format(val) : bd->name ? NULL : xstrdup("?");
		}
		if (flags & MIL_OP_FULL) {
			xgrow((void **)&o->in, &icap, o->nin + 1, sizeof(*o->in));
			o->in[o->nin++] = in;
		} else {
			free(k);
		}
		if (r2 < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	/* outputs 3: NamedValueType { name 1, type 2 } */
	i = -1;
	size_t ocap = 0;
	while ((r = next_child(op, 3, &i, &e)) == 1) {
		if (!o->name && !(flags & MIL_OP_FULL)) {
			o->name = field_str(e, 1);
			break;
		}
		if (!(flags & MIL_OP_FULL))
			break;
		xgrow((void **)&o->out, &ocap, o->nout + 1, sizeof(*o->out));
		struct mil_var *x = &o->out[o->nout++];
		x->name = field_str(e, 1);
		x->type = mil_type_format(mt_get(e, 2));
	}
	if (r < 0)
		return -1;
	if (!o->name)
		o->name = xstrdup(o->nout ? o->out[0].name : "");
	return 0;
}

int mil_op_read(struct mt_node *op, struct mil_op *o, int flags)
{
	memset(o, 0, sizeof(*o));
	if (op_read(op, o, flags) < 0) {
		mil_op_release(o); /* nothing for the caller to free */
		return -1;
	}
	return 0;
}

void mil_op_release(struct mil_op *o)
{
	free(o->type);
	free(o->name);
	for (size_t i = 0; i < o->nin; i++) {
		for (size_t j = 0; j < o->in[i].nb; j++) {
			free(o->in[i].b[j].name);
			free(o->in[i].b[j].value);
		}
		free(o->in[i].b);
		free(o->in[i].param);
	}
	free(o->in);
	for (size_t i = 0; i < o->nout; i++) {
		free(o->out[i].name);
		free(o->out[i].type);
	}
	free(o->out);
	free(o->value);
	for (size_t i = 0; i < o->nw; i++) {
		free(o->w[i].key);
		free(o->w[i].file);
		free(o->w[i].shape);
	}
	free(o->w);
	memset(o, 0, sizeof(*o));
}

/* ---- counts -------------------------------------------------------------------------- */

static int count_block(struct mt_node *block, struct model_counts *c, int depth)
{
	if (depth > MT_MAX_DEPTH)
		return error_code(EXIT_INVALID, "'%s': blocks nested too deeply", block->label);
	long i = -1;
	int r;
	struct mt_node *op;
	while ((r = next_child(block, 3, &i, &op)) == 1) {
		struct mil_op o;
		if (mil_op_read(op, &o, 0) < 0) {
			mil_op_release(&o);
			return -1;
		}
		c->ops++;
		for (size_t k = 0; k < o.nw; k++) {
			const struct mil_weight_ref *w = &o.w[k];
			c->weights++;
			c->params += w->count;
			if (w->dtype && w->dtype->bits)
				c->weight_bytes += (w->count * (uint64_t)w->dtype->bits + 7) / 8;
			if (!sl_has(&c->files, w->file))
				sl_push(&c->files, xstrdup(w->file));
		}
		mil_op_release(&o);
		long j = -1;
		int r2;
		struct mt_node *b;
		while ((r2 = next_child(op, 4, &j, &b)) == 1)
			if (count_block(b, c, depth + 1) < 0)
				return -1;
		if (r2 < 0)
			return -1;
	}
	return r;
}

/* the scalars of every occurrence of field num of n (packed or not) */
static uint64_t count_scalars(struct mt_node *n, uint32_t num)
{
	uint64_t k = 0;
	for (size_t i = 0; n && i < n->n; i++) {
		size_t pos = 0;
		uint64_t u;
		if (n->f[i].number == num && n->f[i].fd)
			while (mt_scalar_next(&n->f[i], &pos, &u))
				k++;
	}
	return k;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* TreeEnsembleParameters: nodes 1 (treeId 1, nodeBehavior 3: 6 a leaf).
 * Ensembles can hold millions of nodes: each is read off its bytes, no
 * node of the tree is made for it. */
static int count_trees(struct mt_node *ens, struct model_counts *c)
{
	c->has_tree = 1;
	if (!ens)
		return 0;
	if (mt_parse(ens) < 0)
		return -1;
	size_t n = count_num(ens, 1), k = 0;
	uint64_t *ids = xcalloc(n + 1, sizeof(*ids));
	for (size_t i = 0; i < ens->n && k < n; i++) {
		const struct mt_field *f = &ens->f[i];
		if (f->number != 1 || !f->fd || f->wt != WT_LEN)
			continue;
		const uint8_t *p = f->val, *end = f->val + f->vlen;
		struct wire_field w;
		const char *why;
		uint64_t id = 0, behavior = 0;
		int r;
		while ((r = wire_next(&p, end, &w, &why)) == 1)
			if (w.wt == WT_VARINT && w.number == 1)
				id = w.u;
			else if (w.wt == WT_VARINT && w.number == 3)
				behavior = w.u;
		if (r < 0) {
			free(ids);
			return error_code(EXIT_INVALID, "'%s': a tree node does not decode: %s", ens->label ? ens->label : "?",
					  why);
		}
		ids[k++] = id;
		c->tree_leaves += behavior == 6;
	}
	qsort(ids, k, sizeof(*ids), by_u64);
	for (size_t j = 0; j < k; j++)
		c->trees += !j || ids[j] != ids[j - 1];
	c->tree_nodes += k;
	free(ids);
	return 0;
}

/* GLMs: weights 1 (DoubleArray: value 1) and offset 2; SVMs: support vectors
 * (sparse, dense: vectors 1) and coefficients (alpha 1); nearest neighbors:
 * the index's floatSamples 2 */
static int count_classic(struct mt_node *model, long t, struct model_counts *c)
{
	uint32_t num = model->f[t].number;
	if (num != 300 && num != 301 && num != 302 && num != 400 && num != 401 && num != 402 && num != 404)
		return 0;
	struct mt_node *p = mt_child(model, (size_t)t);
	if (!p || mt_parse(p) < 0)
		return -1;
	if (num == 302 || num == 402)
		return count_trees(mt_get(p, 1), c);
	long i = -1;
	int r = 0;
	struct mt_node *x;
	if (num == 300 || num == 400) {
		c->has_glm = 1;
		while ((r = next_child(p, 1, &i, &x)) == 1)
			c->coefficients += count_scalars(x, 1);
		c->coefficients += count_scalars(p, 2);
	} else if (num == 301 || num == 401) {
		c->has_svm = 1;
		/* regressor: sparse 2, dense 3, coefficients 4, rho 5; classifier: 3, 4, 5, 6 */
		uint32_t sparse = num == 301 ? 2 : 3, coef = num == 301 ? 4 : 5;
		struct mt_node *sv = mt_get(p, sparse);
		if (!sv)
			sv = mt_get(p, sparse + 1);
		if (sv && mt_parse(sv) == 0)
			c->support_vectors += count_num(sv, 1);
		while ((r = next_child(p, coef, &i, &x)) == 1)
			c->coefficients += count_scalars(x, 1);
	} else {
		c->has_knn = 1;
		struct mt_node *idx = mt_get(p, 1);
		if (idx && mt_parse(idx) == 0)
			c->examples += count_num(idx, 2);
	}
	return r < 0 ? -1 : 0;
}

static int count_one(struct mt_node *model, struct model_counts *c)
{
	c->models++;
	struct mt_node *nn = nn_network(model);
	if (nn) {
		c->has_nn = 1;
		long i = -1;
		int r;
		struct mt_node *layer;
		size_t idx = 0;
		while ((r = next_child(nn, 1, &i, &layer)) == 1) {
			struct nn_layer l;
			int rr = nn_layer_read(layer, idx++, &l);
			if (rr == 0) {
				c->layers++;
				for (size_t k = 0; k < l.nw; k++) {
					c->weights++;
					c->params += l.w[k].count;
					c->weight_bytes += l.w[k].bytes;
				}
			}
			nn_layer_release(&l);
			if (rr < 0)
				return -1;
		}
		return r;
	}
	long t = model_type_field(model);
	if (t >= 0 && model->f[t].number == M_MLPROGRAM) {
		c->has_mil = 1;
		struct mt_node *prog = mt_child(model, (size_t)t);
		struct mil_function *fv;
		size_t nf;
		if (!prog || mil_functions(prog, &fv, &nf) < 0) {
			if (prog)
				mil_functions_free(fv, nf);
			return -1;
		}
		int rc = 0;
		for (size_t k = 0; k < nf && rc == 0; k++) {
			c->functions++;
			if (fv[k].block)
				rc = count_block(fv[k].block, c, 0);
		}
		mil_functions_free(fv, nf);
		return rc;
	}
	return t >= 0 ? count_classic(model, t, c) : 0;
}

char *classic_summary(const struct model_counts *c)
{
	struct strbuf sb = STRBUF_INIT;
	if (c->has_tree)
		sb_addf(&sb, "%llu tree%s, %llu nodes (%llu leaves)", (unsigned long long)c->trees,
			c->trees == 1 ? "" : "s", (unsigned long long)c->tree_nodes, (unsigned long long)c->tree_leaves);
	if (c->has_svm)
		sb_addf(&sb, "%s%llu support vectors", sb.len ? ", " : "", (unsigned long long)c->support_vectors);
	if (c->has_glm || c->has_svm)
		sb_addf(&sb, "%s%llu coefficients", sb.len ? ", " : "", (unsigned long long)c->coefficients);
	if (c->has_knn)
		sb_addf(&sb, "%s%llu examples", sb.len ? ", " : "", (unsigned long long)c->examples);
	return sb.len ? sb_detach(&sb, NULL) : (sb_release(&sb), NULL);
}

int model_count(struct mt_node *model, struct model_counts *c)
{
	struct model_ref *v;
	size_t n;
	int rc = model_list(model, &v, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = count_one(v[i].node, c);
	model_list_free(v, n);
	return rc;
}

void model_counts_release(struct model_counts *c)
{
	sl_free(&c->files);
}

/* ---- spec versions ----------------------------------------------------------------- */

struct need {
	int v;
	char *why;
};

static void needs(struct need *nd, int v, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void needs(struct need *nd, int v, const char *path, const char *fmt, ...)
{
	if (v <= nd->v)
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (*path)
		sb_addf(&sb, " in %s", path);
	free(nd->why);
	nd->v = v;
	nd->why = sb_detach(&sb, NULL);
}

static void feature_needs(struct need *nd, const struct io_list *l, const char *path, const char *nmtype)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ft_info *t = &l->v[i].type;
		const char *nm = l->v[i].name;
		if (t->nsizes || t->has_range || t->nshapes || t->nranges)
			needs(nd, 3, path, "flexible shapes ('%s')", nm);
		if (t->kind == FT_SEQUENCE)
			needs(nd, 3, path, "a sequence feature ('%s')", nm);
		if (t->dtype && !strcmp(t->dtype, "float16"))
			needs(nd, 7, path, "a float16 multi-array ('%s')", nm);
		if (t->color && !strcmp(t->color, "GRAYSCALE_FLOAT16"))
			needs(nd, 7, path, "a GRAYSCALE_FLOAT16 image ('%s')", nm);
		if (t->dtype && !strcmp(t->dtype, "int8"))
			needs(nd, 10, path, "an int8 multi-array ('%s')", nm);
		if (t->kind == FT_STATE)
			needs(nd, 9, path, "a state ('%s')", nm);
		if (nmtype && !strcmp(nmtype, "nonMaximumSuppression") && t->dtype && !strcmp(t->dtype, "float32"))
			needs(nd, 5, path, "float32 non-maximum suppression ('%s')", nm);
	}
}

static int one_need(struct mt_node *model, const char *path, struct need *nd)
{
	static const struct {
		const char *type;
		int v;
	} by_type[] = {
		{ "customModel", 3 }, { "textClassifier", 3 }, { "wordTagger", 3 }, { "visionFeaturePrint", 3 },
		{ "nonMaximumSuppression", 3 }, { "bayesianProbitRegressor", 3 }, { "kNearestNeighborsClassifier", 4 },
		{ "linkedModel", 4 }, { "itemSimilarityRecommender", 4 }, { "soundAnalysisPreprocessing", 4 },
		{ "serializedModel", 5 }, { "mlProgram", 6 }, { "classConfidenceThresholding", 8 },
	};
	const char *type = model_type_name(model);
	for (size_t i = 0; type && i < sizeof(by_type) / sizeof(by_type[0]); i++)
		if (!strcmp(type, by_type[i].type))
			needs(nd, by_type[i].v, path, "%s", type);
	if (mt_get_int(model, 10, 0))
		needs(nd, 4, path, "an updatable model");
	struct model_io io;
	if (io_read(model, &io) < 0) {
		io_release(&io);
		return -1;
	}
	for (size_t g = 0; g < io.n; g++) {
		feature_needs(nd, &io.g[g].in, path, type);
		feature_needs(nd, &io.g[g].out, path, type);
		feature_needs(nd, &io.g[g].state, path, type);
		feature_needs(nd, &io.g[g].training, path, type);
	}
	if (io.n > 1)
		needs(nd, 9, path, "function descriptions");
	io_release(&io);
	struct mt_node *nn = nn_network(model);
	if (nn) {
		long i = -1;
		int r;
		struct mt_node *layer;
		size_t idx = 0;
		while ((r = next_child(nn, 1, &i, &layer)) == 1) {
			struct nn_layer l;
			if (nn_layer_read(layer, idx++, &l) < 0) {
				nn_layer_release(&l);
				return -1;
			}
			if (!strcmp(l.kind, "custom"))
				needs(nd, 2, path, "a custom layer ('%s')", l.name);
			for (size_t k = 0; k < l.nw; k++) {
				if (!strcmp(l.w[k].type, "float16"))
					needs(nd, 2, path, "float16 weights ('%s')", l.name);
				if (!strcmp(l.w[k].type, "quantized") || !strcmp(l.w[k].type, "lut"))
					needs(nd, 3, path, "quantized weights ('%s')", l.name);
			}
			nn_layer_release(&l);
		}
		if (r < 0)
			return -1;
	}
	long t = model_type_field(model);
	if (t >= 0 && model->f[t].number == M_MLPROGRAM) {
		struct mt_node *prog = mt_child(model, (size_t)t);
		struct mil_function *fv = NULL;
		size_t nf = 0;
		if (!prog || mil_functions(prog, &fv, &nf) < 0) {
			mil_functions_free(fv, nf);
			return -1;
		}
		for (size_t k = 0; k < nf; k++) {
			int ver = 0;
			if (fv[k].opset && !strncmp(fv[k].opset, "CoreML", 6))
				ver = atoi(fv[k].opset + 6);
			if (ver >= 6)
				needs(nd, ver + 1, path, "opset %s", fv[k].opset);
		}
		mil_functions_free(fv, nf);
	}
	return 0;
}

int spec_need(struct mt_node *model, int *need, char **why)
{
	struct need nd = { 1, NULL };
	struct model_ref *v;
	size_t n;
	int rc = model_list(model, &v, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = one_need(v[i].node, v[i].path, &nd);
	model_list_free(v, n);
	*need = nd.v;
	if (!nd.why)
		nd.why = xstrdup("the basic model types");
	*why = nd.why;
	return rc;
}

/* ---- files ------------------------------------------------------------------------------ */

static int64_t tree_size(const char *dir, int depth)
{
	if (depth > 32)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int64_t total = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				total += tree_size(p, depth + 1);
			else if (S_ISREG(st.st_mode))
				total += st.st_size;
		}
		free(p);
	}
	closedir(d);
	return total;
}

int64_t model_disk_size(struct mlpkg_model *m)
{
	struct stat st;
	switch (m->fmt) {
	case FMT_PACKAGE:
		return tree_size(m->pkg_dir, 0);
	case FMT_ZIP:
		return stat(m->path, &st) == 0 ? st.st_size : -1;
	case FMT_MLMODEL:
		return m->st.st_size;
	case FMT_STDIN:
		return (int64_t)m->spec_len;
	}
	return -1;
}

char *weight_file_rel(struct mlpkg_model *m, const char *name)
{
	const char *mp = "@model_path/";
	if (strncmp(name, mp, strlen(mp)))
		return xstrdup(name);
	char *dir = mlpkg_model_dir(m);
	char *rel = xasprintf("%s/%s", dir ? dir : "Data/com.apple.CoreML", name + strlen(mp));
	free(dir);
	return rel;
}

/* ---- notes --------------------------------------------------------------------------- */

static int count_unknown(struct mt_node *n, size_t *k)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd)
			(*k)++;
		else if (f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->wt == WT_LEN && !is_weight_params(f->fd)) {
			struct mt_node *c = mt_child(n, i);
			if (!c || count_unknown(c, k) < 0)
				return -1;
		} else if (is_weight_params(f->fd)) {
			/* listed (tags and lengths only): its values are never read */
			struct mt_node *c = mt_child(n, i);
			if (!c)
				return -1;
			for (size_t j = 0; j < c->n; j++)
				*k += c->f[j].fd == NULL;
		}
	}
	return 0;
}

int model_notes(struct mlpkg_model *m, struct strlist *notes)
{
	if (m->fmt == FMT_PACKAGE || m->fmt == FMT_ZIP) {
		/* Xcode's overlays: named, and what they say otherwise than the spec */
		static const char *const overlays[] = { OVERLAY_META, OVERLAY_FDESC };
		for (size_t i = 0; i < 2; i++) {
			char *rel = overlay_rel(m, overlays[i]);
			if (!mlpkg_has_file(m, rel)) {
				free(rel);
				continue;
			}
			char *which = NULL;
			int k;
			if (i == 0) {
				struct meta_entry *e = NULL;
				size_t n = 0;
				k = meta_list(m->root, &e, &n) < 0 ? -1 : overlay_meta_compare(m, e, n, 1, &which);
				meta_entries_free(e, n);
			} else {
				k = overlay_fdesc_compare(m, &which);
			}
			const char *what = i ? "feature descriptions" : "metadata";
			if (k > 0)
				sl_pushf(notes, "the package carries %s, an overlay of the %s that Xcode may show: it says "
					 "otherwise for %s", rel, what, which);
			else if (k == 0)
				sl_pushf(notes, "the package carries %s, an overlay of the %s, in step with the spec", rel, what);
			else
				sl_pushf(notes, "the package carries %s, an overlay Xcode may show instead of the spec's %s", rel,
					 what);
			free(which);
			free(rel);
		}
	}
	struct model_ref *v;
	size_t n;
	if (model_list(m->root, &v, &n) < 0) {
		model_list_free(v, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct model_ref *r = &v[i];
		const char *where = *r->path ? r->path : "the model";
		if (!r->type)
			sl_pushf(notes, "%s has no model type set (the Type oneof is empty)", where);
		if (r->version <= 0)
			sl_pushf(notes, "%s has no specification version", where);
		else if (!spec_version_os(r->version))
			sl_pushf(notes, "%s has specification version %d, newer than any known release", where, r->version);
		if (i > 0 && r->version > v[0].version && v[0].version > 0)
			sl_pushf(notes, "%s has specification version %d, higher than the pipeline's %d", where, r->version,
				 v[0].version);
	}
	model_list_free(v, n);
	int need;
	char *why;
	if (spec_need(m->root, &need, &why) < 0) {
		free(why);
		return -1;
	}
	int have = (int)mt_get_int(m->root, 1, 0);
	if (have > 0 && need > have)
		sl_pushf(notes, "specification version %d is lower than the %d that %s needs", have, need, why);
	free(why);
	struct model_io io;
	if (io_read(m->root, &io) < 0) {
		io_release(&io);
		return -1;
	}
	if (io.default_fn && io.n > 1) {
		int found = 0;
		for (size_t g = 1; g < io.n; g++)
			found |= io.g[g].is_default;
		if (!found)
			sl_pushf(notes, "the default function '%s' is not among the functions", io.default_fn);
	}
	io_release(&io);
	size_t unknown = 0;
	if (count_unknown(m->root, &unknown) < 0)
		return -1;
	if (unknown)
		sl_pushf(notes, "%zu field%s unknown to the schema (kept as they are)", unknown, unknown == 1 ? "" : "s");
	return 0;
}
