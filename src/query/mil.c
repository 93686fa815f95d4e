/* mil: ML-program functions, blocks, operations, types and values. */
#include "query/inspect.h"
#include "query/mil.h"
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

/* ---- ML programs -------------------------------------------------------------------- */

/* every map entry holds its key in field 1 (its value in 2) */
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
	while ((r = next_child(program, F_MILSpec_Program_functions, &i, &e)) == 1) {
		xgrow((void **)v, &cap, *n + 1, sizeof(**v));
		struct mil_function *f = &(*v)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->name = entry_key(e);
		if (child_of(e, F_MILSpec_Program_FunctionsEntry_value, &f->fn) < 0)
			return -1;
		if (!f->fn) {
			f->opset = xstrdup("");
			continue;
		}
		f->opset = field_str(f->fn, F_MILSpec_Function_opset);
		long j = -1;
		int r2;
		struct mt_node *s, *match = NULL, *last = NULL, *chosen;
		char *match_key = NULL, *last_key = NULL;
		while ((r2 = next_child(f->fn, F_MILSpec_Function_block_specializations, &j, &s)) == 1) {
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
		if (chosen && child_of(chosen, F_MILSpec_Function_BlockSpecializationsEntry_value, &f->block) < 0)
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

/* a ValueType as text: a tensor's dtype and dimensions, list<...>, tuple<...>, dict<...>, state<...> */
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
	case F_MILSpec_ValueType_tensorType: {
		sb_adds(sb, dtype_name((int)mt_get_int(c, F_MILSpec_TensorType_dataType, 0), b, sizeof(b)));
		int64_t rank = mt_get_int(c, F_MILSpec_TensorType_rank, 0);
		size_t nd = count_num(c, F_MILSpec_TensorType_dimensions);
		if (rank == 0 && nd == 0)
			break;
		sb_addc(sb, '[');
		long i = -1;
		struct mt_node *d;
		size_t k = 0;
		while (next_child(c, F_MILSpec_TensorType_dimensions, &i, &d) == 1) {
			if (k++)
				sb_addc(sb, ',');
			struct mt_node *dc = mt_get(d, F_MILSpec_Dimension_constant),
				       *du = mt_get(d, F_MILSpec_Dimension_unknown);
			if (dc)
				sb_addf(sb, "%llu",
					(unsigned long long)mt_get_int(dc, F_MILSpec_Dimension_ConstantDimension_size,
								       0));
			else if (du && mt_get_int(du, F_MILSpec_Dimension_UnknownDimension_variadic, 0))
				sb_addc(sb, '*');
			else
				sb_addc(sb, '?');
		}
		if (!nd)
			sb_addf(sb, "rank %lld", (long long)rank);
		sb_addc(sb, ']');
		break;
	}
	case F_MILSpec_ValueType_listType: {
		sb_adds(sb, "list<");
		sb_type(sb, mt_get(c, F_MILSpec_ListType_type), depth + 1);
		struct mt_node *len = mt_get(c, F_MILSpec_ListType_length),
			       *lc = len ? mt_get(len, F_MILSpec_Dimension_constant) : NULL;
		if (lc)
			sb_addf(sb, ",%llu",
				(unsigned long long)mt_get_int(lc, F_MILSpec_Dimension_ConstantDimension_size, 0));
		sb_addc(sb, '>');
		break;
	}
	case F_MILSpec_ValueType_tupleType: {
		sb_adds(sb, "tuple<");
		long i = -1;
		struct mt_node *t;
		size_t k = 0;
		while (next_child(c, F_MILSpec_TupleType_types, &i, &t) == 1) {
			if (k++)
				sb_addc(sb, ',');
			sb_type(sb, t, depth + 1);
		}
		sb_addc(sb, '>');
		break;
	}
	case F_MILSpec_ValueType_dictionaryType:
		sb_adds(sb, "dict<");
		sb_type(sb, mt_get(c, F_MILSpec_DictionaryType_keyType), depth + 1);
		sb_addc(sb, ',');
		sb_type(sb, mt_get(c, F_MILSpec_DictionaryType_valueType), depth + 1);
		sb_addc(sb, '>');
		break;
	case F_MILSpec_ValueType_stateType:
		sb_adds(sb, "state<");
		sb_type(sb, mt_get(c, F_MILSpec_StateType_wrappedType), depth + 1);
		sb_addc(sb, '>');
		break;
	default: sb_addc(sb, '?');
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

/* A TensorValue sets one of floats, ints, bools, strings, longInts, doubles
 * and bytes; each of these Repeated* messages holds its values in field 1
 * (read below for any of them alike). */
static void sb_tensor(struct strbuf *sb, struct mt_node *tv, int scalar)
{
	long m = set_member(tv);
	struct mt_node *c = m >= 0 ? mt_child(tv, (size_t)m) : NULL;
	if (!c) {
		sb_adds(sb, "[]");
		return;
	}
	uint32_t kind = tv->f[m].number;
	if (kind == F_MILSpec_TensorValue_bytes) {
		long b = mt_find_last(c, F_MILSpec_TensorValue_RepeatedBytes_values);
		sb_addf(sb, "<%zu bytes>", b >= 0 ? c->f[b].vlen : (size_t)0);
		return;
	}
	size_t count = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->f[i].number != 1 || !c->f[i].fd)
			continue;
		if (kind == F_MILSpec_TensorValue_strings) {
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
		if (kind == F_MILSpec_TensorValue_strings) {
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

/* a Value as text: a blob as file@offset, an immediate tensor's values, or what else it holds */
char *mil_value_format(struct mt_node *v)
{
	struct strbuf sb = STRBUF_INIT;
	if (!v || mt_parse(v) < 0) {
		sb_addc(&sb, '?');
		return sb_detach(&sb, NULL);
	}
	struct mt_node *blob = mt_get(v, F_MILSpec_Value_blobFileValue),
		       *imm = mt_get(v, F_MILSpec_Value_immediateValue);
	if (blob) {
		char *fn = field_str(blob, F_MILSpec_Value_BlobFileValue_fileName);
		sb_addf(&sb, "%s@%llu", file_base(fn),
			(unsigned long long)mt_get_int(blob, F_MILSpec_Value_BlobFileValue_offset, 0));
		free(fn);
	} else if (imm) {
		long m = set_member(imm);
		struct mt_node *c = m >= 0 ? mt_child(imm, (size_t)m) : NULL;
		if (!c) {
			sb_addc(&sb, '?');
		} else if (imm->f[m].number == F_MILSpec_Value_ImmediateValue_tensor) {
			struct mt_node *t = mt_get(v, F_MILSpec_Value_type),
				       *tt = t ? mt_get(t, F_MILSpec_ValueType_tensorType) : NULL;
			int scalar = tt && mt_get_int(tt, F_MILSpec_TensorType_rank, 0) == 0;
			sb_tensor(&sb, c, scalar);
		} else {
			static const char *const what[] = { [F_MILSpec_Value_ImmediateValue_tuple] = "tuple",
							    [F_MILSpec_Value_ImmediateValue_list] = "list",
							    [F_MILSpec_Value_ImmediateValue_dictionary] = "dict" };
			/* values: field 1 of a TupleValue, ListValue and DictionaryValue alike */
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
	struct mt_node *imm = mt_get(v, F_MILSpec_Value_immediateValue),
		       *t = imm ? mt_get(imm, F_MILSpec_Value_ImmediateValue_tensor) : NULL,
		       *s = t ? mt_get(t, F_MILSpec_TensorValue_strings) : NULL;
	long i = s ? mt_find(s, F_MILSpec_TensorValue_RepeatedStrings_values, 0) : -1;
	if (i < 0 || s->f[i].wt != WT_LEN)
		return NULL;
	return xstrndup((const char *)s->f[i].val, s->f[i].vlen);
}

static int add_ref(struct mil_op *o, size_t *cap, const char *key, struct mt_node *v)
{
	struct mt_node *blob = mt_get(v, F_MILSpec_Value_blobFileValue);
	if (!blob)
		return 0;
	xgrow((void **)&o->w, cap, o->nw + 1, sizeof(*o->w));
	struct mil_weight_ref *w = &o->w[o->nw++];
	memset(w, 0, sizeof(*w));
	w->key = xstrdup(key);
	w->file = field_str(blob, F_MILSpec_Value_BlobFileValue_fileName);
	w->offset = (uint64_t)mt_get_int(blob, F_MILSpec_Value_BlobFileValue_offset, 0);
	struct mt_node *t = mt_get(v, F_MILSpec_Value_type), *tt = t ? mt_get(t, F_MILSpec_ValueType_tensorType) : NULL;
	if (!tt)
		return 0;
	w->dtype_mil = (int)mt_get_int(tt, F_MILSpec_TensorType_dataType, 0);
	w->dtype = mil_dtype(w->dtype_mil);
	w->known = 1;
	w->count = 1;
	long i = -1;
	struct mt_node *d;
	size_t cap2 = 0;
	int r;
	while ((r = next_child(tt, F_MILSpec_TensorType_dimensions, &i, &d)) == 1) {
		struct mt_node *dc = mt_get(d, F_MILSpec_Dimension_constant);
		int64_t size = dc ? mt_get_int(dc, F_MILSpec_Dimension_ConstantDimension_size, 0) : -1;
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
	o->type = field_str(op, F_MILSpec_Operation_type);
	o->nblocks = count_num(op, F_MILSpec_Operation_blocks);
	size_t wcap = 0, icap = 0;
	long i = -1;
	int r;
	struct mt_node *e;
	/* attributes: name, val, and any blob-file values */
	while ((r = next_child(op, F_MILSpec_Operation_attributes, &i, &e)) == 1) {
		char *k = entry_key(e);
		struct mt_node *v = mt_get(e, F_MILSpec_Operation_AttributesEntry_value);
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
	/* inputs: param -> Argument { arguments: Binding { name | value } } */
	i = -1;
	while ((r = next_child(op, F_MILSpec_Operation_inputs, &i, &e)) == 1) {
		char *k = entry_key(e);
		struct mt_node *arg = mt_get(e, F_MILSpec_Operation_InputsEntry_value), *b;
		struct mil_input in = { k, NULL, 0 };
		size_t bcap = 0;
		long j = -1;
		int r2 = 0;
		while (arg && (r2 = next_child(arg, F_MILSpec_Argument_arguments, &j, &b)) == 1) {
			struct mt_node *val = mt_get(b, F_MILSpec_Argument_Binding_value);
			if (val && add_ref(o, &wcap, k, val) < 0) {
				r2 = -1;
				break;
			}
			if (!(flags & MIL_OP_FULL))
				continue;
			xgrow((void **)&in.b, &bcap, in.nb + 1, sizeof(*in.b));
			struct mil_binding *bd = &in.b[in.nb++];
			bd->name = mt_get_str(b, F_MILSpec_Argument_Binding_name);
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
	/* outputs: NamedValueType { name, type } */
	i = -1;
	size_t ocap = 0;
	while ((r = next_child(op, F_MILSpec_Operation_outputs, &i, &e)) == 1) {
		if (!o->name && !(flags & MIL_OP_FULL)) {
			o->name = field_str(e, F_MILSpec_NamedValueType_name);
			break;
		}
		if (!(flags & MIL_OP_FULL))
			break;
		xgrow((void **)&o->out, &ocap, o->nout + 1, sizeof(*o->out));
		struct mil_var *x = &o->out[o->nout++];
		x->name = field_str(e, F_MILSpec_NamedValueType_name);
		x->type = mil_type_format(mt_get(e, F_MILSpec_NamedValueType_type));
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

/* ---- const inputs, resolved ---------------------------------------------- */

char *mil_const_text(const char *type, const char *value)
{
	if (!type)
		return strlen(value) > MIL_CONST_INLINE ? xasprintf("%.*s...", MIL_CONST_INLINE, value)
							: xstrdup(value);
	if (!value || strlen(value) > MIL_CONST_INLINE)
		return xstrdup(type);
	return xasprintf("%s = %s", type, value);
}

void mil_consts_add(struct mil_consts *c, const struct mil_op *o)
{
	if (strcmp(o->type, "const"))
		return;
	for (size_t i = 0; i < o->nout; i++)
		free(hmap_put(&c->m, o->out[i].name, mil_const_text(o->out[i].type, o->value)));
}

const char *mil_consts_find(const struct mil_consts *c, const char *name)
{
	return hmap_get(&c->m, name);
}

void mil_consts_release(struct mil_consts *c)
{
	hmap_release(&c->m, free);
}
