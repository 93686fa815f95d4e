/* mkmodel-build: builders of protobuf-c messages in the arena: the Model level (feature types,
 * descriptions, metadata) and ML programs (MIL value types, values, operations, blocks, functions,
 * const ops whose values live in weight.bin). */
#include "mkmodel.h"

/* ---- Model-level helpers ------------------------------------------------------------------ */
static FeatType *ft_new(void)
{
	return NEWMSG(FeatType, CORE_ML__SPECIFICATION__FEATURE_TYPE__INIT);
}

FeatType *ft_image(int64_t w, int64_t h, CoreML__Specification__ImageFeatureType__ColorSpace cs)
{
	CoreML__Specification__ImageFeatureType *im =
		NEWMSG(CoreML__Specification__ImageFeatureType, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__INIT);
	im->width = w;
	im->height = h;
	im->colorspace = cs;
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_IMAGE_TYPE;
	t->imagetype = im;
	return t;
}

static ArrayType *array_type(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank,
			     const int64_t *shape)
{
	ArrayType *a = NEWMSG(ArrayType, CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__INIT);
	a->datatype = dt;
	a->n_shape = rank;
	a->shape = adup(shape, rank * sizeof *shape);
	return a;
}

FeatType *ft_array(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank, const int64_t *shape)
{
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
	t->multiarraytype = array_type(dt, rank, shape);
	return t;
}

FeatType *ft_state(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank, const int64_t *shape)
{
	CoreML__Specification__StateFeatureType *s =
		NEWMSG(CoreML__Specification__StateFeatureType, CORE_ML__SPECIFICATION__STATE_FEATURE_TYPE__INIT);
	s->type_case = CORE_ML__SPECIFICATION__STATE_FEATURE_TYPE__TYPE_ARRAY_TYPE;
	s->arraytype = array_type(dt, rank, shape);
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STATE_TYPE;
	t->statetype = s;
	return t;
}

FeatType *ft_double(void)
{
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DOUBLE_TYPE;
	t->doubletype =
		NEWMSG(CoreML__Specification__DoubleFeatureType, CORE_ML__SPECIFICATION__DOUBLE_FEATURE_TYPE__INIT);
	return t;
}

FeatType *ft_string(void)
{
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STRING_TYPE;
	t->stringtype =
		NEWMSG(CoreML__Specification__StringFeatureType, CORE_ML__SPECIFICATION__STRING_FEATURE_TYPE__INIT);
	return t;
}

FeatType *ft_dict_string_keys(void)
{
	CoreML__Specification__DictionaryFeatureType *d = NEWMSG(CoreML__Specification__DictionaryFeatureType,
								 CORE_ML__SPECIFICATION__DICTIONARY_FEATURE_TYPE__INIT);
	d->key_type_case = CORE_ML__SPECIFICATION__DICTIONARY_FEATURE_TYPE__KEY_TYPE_STRING_KEY_TYPE;
	d->stringkeytype =
		NEWMSG(CoreML__Specification__StringFeatureType, CORE_ML__SPECIFICATION__STRING_FEATURE_TYPE__INIT);
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DICTIONARY_TYPE;
	t->dictionarytype = d;
	return t;
}

FeatDesc *feature(const char *name, const char *desc, FeatType *t)
{
	FeatDesc *f = NEWMSG(FeatDesc, CORE_ML__SPECIFICATION__FEATURE_DESCRIPTION__INIT);
	f->name = astr(name);
	if (desc)
		f->shortdescription = astr(desc);
	f->type = t;
	return f;
}

ModelDesc *desc_new(void)
{
	return NEWMSG(ModelDesc, CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT);
}

void desc_input(ModelDesc *d, FeatDesc *f)
{
	PUSH(d->n_input, d->input, f);
}

void desc_output(ModelDesc *d, FeatDesc *f)
{
	PUSH(d->n_output, d->output, f);
}

Metadata *metadata(ModelDesc *d, const char *author, const char *short_desc, const char *version, const char *license)
{
	Metadata *m = NEWMSG(Metadata, CORE_ML__SPECIFICATION__METADATA__INIT);
	if (author)
		m->author = astr(author);
	if (short_desc)
		m->shortdescription = astr(short_desc);
	if (version)
		m->versionstring = astr(version);
	if (license)
		m->license = astr(license);
	d->metadata = m;
	return m;
}

void meta_user(Metadata *m, const char *key, const char *value)
{
	MetaEntry *e = NEWMSG(MetaEntry, CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT);
	e->key = astr(key);
	e->value = astr(value);
	PUSH(m->n_userdefined, m->userdefined, e);
}

Model *model_new(int32_t version, ModelDesc *d)
{
	Model *m = NEWMSG(Model, CORE_ML__SPECIFICATION__MODEL__INIT);
	m->specificationversion = version;
	m->description = d;
	return m;
}

/* ---- MIL helpers -------------------------------------------------------------------------- */
static size_t numel(size_t rank, const uint64_t *shape)
{
	size_t n = 1;
	for (size_t i = 0; i < rank; i++)
		n *= (size_t)shape[i];
	return n;
}

MValueType *vt_tensor(MDataType dt, size_t rank, const uint64_t *shape)
{
	MTensorType *t = NEWMSG(MTensorType, CORE_ML__SPECIFICATION__MILSPEC__TENSOR_TYPE__INIT);
	t->datatype = dt;
	t->rank = (int64_t)rank;
	for (size_t i = 0; i < rank; i++) {
		CoreML__Specification__MILSpec__Dimension__ConstantDimension *c =
			NEWMSG(CoreML__Specification__MILSpec__Dimension__ConstantDimension,
			       CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__CONSTANT_DIMENSION__INIT);
		c->size = shape[i];
		MDim *dim = NEWMSG(MDim, CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__INIT);
		dim->dimension_case = CORE_ML__SPECIFICATION__MILSPEC__DIMENSION__DIMENSION_CONSTANT;
		dim->constant = c;
		PUSH(t->n_dimensions, t->dimensions, dim);
	}
	MValueType *vt = NEWMSG(MValueType, CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__INIT);
	vt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_TENSOR_TYPE;
	vt->tensortype = t;
	return vt;
}

static MValueType *vt_scalar(MDataType dt)
{
	return vt_tensor(dt, 0, NULL);
}

MValueType *vt_state(MValueType *wrapped)
{
	CoreML__Specification__MILSpec__StateType *s =
		NEWMSG(CoreML__Specification__MILSpec__StateType, CORE_ML__SPECIFICATION__MILSPEC__STATE_TYPE__INIT);
	s->wrappedtype = wrapped;
	MValueType *vt = NEWMSG(MValueType, CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__INIT);
	vt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_STATE_TYPE;
	vt->statetype = s;
	return vt;
}

static MNamed *named(const char *name, MValueType *t)
{
	MNamed *n = NEWMSG(MNamed, CORE_ML__SPECIFICATION__MILSPEC__NAMED_VALUE_TYPE__INIT);
	n->name = astr(name);
	n->type = t;
	return n;
}

static MValue *val_immediate(MValueType *type, MTensorValue *tv)
{
	CoreML__Specification__MILSpec__Value__ImmediateValue *iv =
		NEWMSG(CoreML__Specification__MILSpec__Value__ImmediateValue,
		       CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__INIT);
	iv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_TENSOR;
	iv->tensor = tv;
	MValue *v = NEWMSG(MValue, CORE_ML__SPECIFICATION__MILSPEC__VALUE__INIT);
	v->type = type;
	v->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE;
	v->immediatevalue = iv;
	return v;
}

static MTensorValue *tv_new(void)
{
	return NEWMSG(MTensorValue, CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__INIT);
}

MValue *val_string(const char *s)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedStrings *rs =
		NEWMSG(CoreML__Specification__MILSpec__TensorValue__RepeatedStrings,
		       CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__REPEATED_STRINGS__INIT);
	PUSH(rs->n_values, rs->values, astr(s));
	MTensorValue *tv = tv_new();
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_STRINGS;
	tv->strings = rs;
	return val_immediate(vt_scalar(DT_STRING), tv);
}

MValue *val_bool(int b)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedBools *rb =
		NEWMSG(CoreML__Specification__MILSpec__TensorValue__RepeatedBools,
		       CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__REPEATED_BOOLS__INIT);
	PUSH(rb->n_values, rb->values, b ? 1 : 0);
	MTensorValue *tv = tv_new();
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_BOOLS;
	tv->bools = rb;
	return val_immediate(vt_scalar(DT_BOOL), tv);
}

MValue *val_float(float f)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedFloats *rf =
		NEWMSG(CoreML__Specification__MILSpec__TensorValue__RepeatedFloats,
		       CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__REPEATED_FLOATS__INIT);
	PUSH(rf->n_values, rf->values, f);
	MTensorValue *tv = tv_new();
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_FLOATS;
	tv->floats = rf;
	return val_immediate(vt_scalar(DT_FP32), tv);
}

/* an int32 scalar */
MValue *val_int(int32_t v)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedInts *ri =
		NEWMSG(CoreML__Specification__MILSpec__TensorValue__RepeatedInts,
		       CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__REPEATED_INTS__INIT);
	PUSH(ri->n_values, ri->values, v);
	MTensorValue *tv = tv_new();
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_INTS;
	tv->ints = ri;
	return val_immediate(vt_scalar(DT_INT32), tv);
}

/* a rank-1 int32 tensor */
MValue *val_ints(size_t n, const int32_t *v)
{
	CoreML__Specification__MILSpec__TensorValue__RepeatedInts *ri =
		NEWMSG(CoreML__Specification__MILSpec__TensorValue__RepeatedInts,
		       CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__REPEATED_INTS__INIT);
	ri->n_values = n;
	ri->values = adup(v, n * sizeof *v);
	MTensorValue *tv = tv_new();
	tv->value_case = CORE_ML__SPECIFICATION__MILSPEC__TENSOR_VALUE__VALUE_INTS;
	tv->ints = ri;
	uint64_t dim = n;
	return val_immediate(vt_tensor(DT_INT32, 1, &dim), tv);
}

MValue *val_blob(uint64_t offset, MValueType *type)
{
	CoreML__Specification__MILSpec__Value__BlobFileValue *bf =
		NEWMSG(CoreML__Specification__MILSpec__Value__BlobFileValue,
		       CORE_ML__SPECIFICATION__MILSPEC__VALUE__BLOB_FILE_VALUE__INIT);
	bf->filename = astr(WEIGHT_FILE);
	bf->offset = offset;
	MValue *v = NEWMSG(MValue, CORE_ML__SPECIFICATION__MILSPEC__VALUE__INIT);
	v->type = type;
	v->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_BLOB_FILE_VALUE;
	v->blobfilevalue = bf;
	return v;
}

/* dict<string, string> with the pairs in kv (key, value, key, value, ..., NULL) */
static MValue *val_string_dict(const char *const *kv)
{
	CoreML__Specification__MILSpec__DictionaryValue *dv =
		NEWMSG(CoreML__Specification__MILSpec__DictionaryValue,
		       CORE_ML__SPECIFICATION__MILSPEC__DICTIONARY_VALUE__INIT);
	for (; kv[0]; kv += 2) {
		CoreML__Specification__MILSpec__DictionaryValue__KeyValuePair *p =
			NEWMSG(CoreML__Specification__MILSpec__DictionaryValue__KeyValuePair,
			       CORE_ML__SPECIFICATION__MILSPEC__DICTIONARY_VALUE__KEY_VALUE_PAIR__INIT);
		p->key = val_string(kv[0]);
		p->value = val_string(kv[1]);
		PUSH(dv->n_values, dv->values, p);
	}
	CoreML__Specification__MILSpec__DictionaryType *dt = NEWMSG(
		CoreML__Specification__MILSpec__DictionaryType, CORE_ML__SPECIFICATION__MILSPEC__DICTIONARY_TYPE__INIT);
	dt->keytype = vt_scalar(DT_STRING);
	dt->valuetype = vt_scalar(DT_STRING);
	MValueType *vt = NEWMSG(MValueType, CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__INIT);
	vt->type_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE_TYPE__TYPE_DICTIONARY_TYPE;
	vt->dictionarytype = dt;
	CoreML__Specification__MILSpec__Value__ImmediateValue *iv =
		NEWMSG(CoreML__Specification__MILSpec__Value__ImmediateValue,
		       CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__INIT);
	iv->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__IMMEDIATE_VALUE__VALUE_DICTIONARY;
	iv->dictionary = dv;
	MValue *v = NEWMSG(MValue, CORE_ML__SPECIFICATION__MILSPEC__VALUE__INIT);
	v->type = vt;
	v->value_case = CORE_ML__SPECIFICATION__MILSPEC__VALUE__VALUE_IMMEDIATE_VALUE;
	v->immediatevalue = iv;
	return v;
}

void op_attr(MOp *op, const char *key, MValue *v)
{
	CoreML__Specification__MILSpec__Operation__AttributesEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Operation__AttributesEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__OPERATION__ATTRIBUTES_ENTRY__INIT);
	e->key = astr(key);
	e->value = v;
	PUSH(op->n_attributes, op->attributes, e);
}

/* an operation named as coremltools names it: attributes["name"] */
MOp *op_new(const char *type, const char *name)
{
	MOp *op = NEWMSG(MOp, CORE_ML__SPECIFICATION__MILSPEC__OPERATION__INIT);
	op->type = astr(type);
	op_attr(op, "name", val_string(name));
	return op;
}

/* binds parameter param to the variable var */
void op_in(MOp *op, const char *param, const char *var)
{
	MBinding *b = NEWMSG(MBinding, CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__INIT);
	b->binding_case = CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__BINDING__BINDING_NAME;
	b->name = astr(var);
	MArg *a = NEWMSG(MArg, CORE_ML__SPECIFICATION__MILSPEC__ARGUMENT__INIT);
	PUSH(a->n_arguments, a->arguments, b);
	CoreML__Specification__MILSpec__Operation__InputsEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Operation__InputsEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__OPERATION__INPUTS_ENTRY__INIT);
	e->key = astr(param);
	e->value = a;
	PUSH(op->n_inputs, op->inputs, e);
}

void op_out(MOp *op, const char *name, MValueType *t)
{
	PUSH(op->n_outputs, op->outputs, named(name, t));
}

MBlock *block_new(void)
{
	return NEWMSG(MBlock, CORE_ML__SPECIFICATION__MILSPEC__BLOCK__INIT);
}

void block_op(MBlock *b, MOp *op)
{
	PUSH(b->n_operations, b->operations, op);
}

void block_out(MBlock *b, const char *name)
{
	PUSH(b->n_outputs, b->outputs, astr(name));
}

void op_block(MOp *op, MBlock *b)
{
	PUSH(op->n_blocks, op->blocks, b);
}

/* const with an immediate value; returns the variable name */
const char *mil_const(MBlock *b, const char *name, MValue *v)
{
	MOp *op = op_new("const", name);
	op_out(op, name, v->type);
	op_attr(op, "val", v);
	block_op(b, op);
	return name;
}

/* const whose value lives in weight.bin at the record offset off */
const char *mil_const_blob(MBlock *b, const char *name, MDataType dt, size_t rank, const uint64_t *shape, uint64_t off)
{
	MOp *op = op_new("const", name);
	op_out(op, name, vt_tensor(dt, rank, shape));
	op_attr(op, "val", val_blob(off, vt_tensor(dt, rank, shape)));
	block_op(b, op);
	return name;
}

/* random weights: float16 or float32 blob appended to w, const op appended to b */
const char *mil_weight(MBlock *b, struct blobfile *w, const char *name, MDataType dt, size_t rank,
		       const uint64_t *shape, float scale)
{
	size_t n = numel(rank, shape);
	uint64_t off;
	if (dt == DT_FP16)
		off = blob_add(w, BLOB_FLOAT16, rand_halves(n, scale), n * 2);
	else
		off = blob_add(w, BLOB_FLOAT32, rand_f32_bytes(n, scale), n * 4);
	return mil_const_blob(b, name, dt, rank, shape, off);
}

MFunction *function_new(const char *opset, MBlock *body)
{
	MFunction *f = NEWMSG(MFunction, CORE_ML__SPECIFICATION__MILSPEC__FUNCTION__INIT);
	f->opset = astr(opset);
	CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Function__BlockSpecializationsEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__FUNCTION__BLOCK_SPECIALIZATIONS_ENTRY__INIT);
	e->key = astr(opset);
	e->value = body;
	PUSH(f->n_block_specializations, f->block_specializations, e);
	return f;
}

void function_input(MFunction *f, const char *name, MValueType *t)
{
	PUSH(f->n_inputs, f->inputs, named(name, t));
}

MProgram *program_new(const char *torch_version, const char *coremltools_version)
{
	MProgram *p = NEWMSG(MProgram, CORE_ML__SPECIFICATION__MILSPEC__PROGRAM__INIT);
	p->version = 1;
	const char *kv[] = { "coremltools-component-torch", torch_version, "coremltools-version", coremltools_version,
			     NULL };
	CoreML__Specification__MILSpec__Program__AttributesEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Program__AttributesEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__PROGRAM__ATTRIBUTES_ENTRY__INIT);
	e->key = astr("buildInfo");
	e->value = val_string_dict(kv);
	PUSH(p->n_attributes, p->attributes, e);
	return p;
}

void program_function(MProgram *p, const char *name, MFunction *f)
{
	CoreML__Specification__MILSpec__Program__FunctionsEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Program__FunctionsEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__PROGRAM__FUNCTIONS_ENTRY__INIT);
	e->key = astr(name);
	e->value = f;
	PUSH(p->n_functions, p->functions, e);
}

void model_set_program(Model *m, MProgram *p)
{
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM;
	m->mlprogram = p;
}
