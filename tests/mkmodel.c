/* mkmodel: writes example Core ML models (.mlmodel files and .mlpackage folders) for the tests, the
 * quick start and the benchmarks.  Everything is built with the protobuf-c code generated from our
 * schema, except the two big kinds, whose weights are streamed with a small hand-written encoder so
 * that a model of any size needs only a few buffers of memory.
 *
 * usage: mkmodel KIND OUT [--size BYTES] [--seed N]
 * (KIND voc writes no model: the 21 PASCAL VOC labels the segmentation example scores, one a line)
 * Output is a pure function of the arguments: identifiers are fixed and weight values come from a
 * PRNG seeded with --seed (default 1). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "Model.pb-c.h"

/* ---- short names for the generated types ---------------------------------------------------- */
typedef CoreML__Specification__Model Model;
typedef CoreML__Specification__ModelDescription ModelDesc;
typedef CoreML__Specification__FunctionDescription FuncDesc;
typedef CoreML__Specification__FeatureDescription FeatDesc;
typedef CoreML__Specification__FeatureType FeatType;
typedef CoreML__Specification__ArrayFeatureType ArrayType;
typedef CoreML__Specification__Metadata Metadata;
typedef CoreML__Specification__Metadata__UserDefinedEntry MetaEntry;
typedef CoreML__Specification__NeuralNetworkLayer Layer;
typedef CoreML__Specification__WeightParams Weights;

typedef CoreML__Specification__MILSpec__Program MProgram;
typedef CoreML__Specification__MILSpec__Function MFunction;
typedef CoreML__Specification__MILSpec__Block MBlock;
typedef CoreML__Specification__MILSpec__Operation MOp;
typedef CoreML__Specification__MILSpec__Argument MArg;
typedef CoreML__Specification__MILSpec__Argument__Binding MBinding;
typedef CoreML__Specification__MILSpec__NamedValueType MNamed;
typedef CoreML__Specification__MILSpec__ValueType MValueType;
typedef CoreML__Specification__MILSpec__TensorType MTensorType;
typedef CoreML__Specification__MILSpec__Dimension MDim;
typedef CoreML__Specification__MILSpec__Value MValue;
typedef CoreML__Specification__MILSpec__TensorValue MTensorValue;
typedef CoreML__Specification__MILSpec__DataType MDataType;

#define DT_BOOL CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__BOOL
#define DT_STRING CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__STRING
#define DT_FP16 CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT16
#define DT_FP32 CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__FLOAT32
#define DT_INT32 CORE_ML__SPECIFICATION__MILSPEC__DATA_TYPE__INT32

#define AT_FLOAT16 CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT16
#define AT_FLOAT32 CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__FLOAT32
#define AT_DOUBLE CORE_ML__SPECIFICATION__ARRAY_FEATURE_TYPE__ARRAY_DATA_TYPE__DOUBLE

/* MIL blob storage (weight.bin) */
#define BLOB_ALIGN 64
#define BLOB_SENTINEL 0xDEADBEEFu
#define BLOB_FLOAT16 1u
#define BLOB_FLOAT32 2u
#define WEIGHT_FILE "@model_path/weights/weight.bin"

#define DEFAULT_BIG_SIZE (64ull << 20)

static const char *progname = "mkmodel";
static const char *out_path; /* what we are writing: removed again when we fail */

static void remove_partial(const char *path);

/* ---- failing ------------------------------------------------------------------------------ */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (out_path) {
		const char *p = out_path;
		out_path = NULL; /* no second attempt if removing fails too */
		remove_partial(p);
	}
	exit(1);
}

/* ---- an arena: every message lives until exit, then all go at once ------------------------- */
static void **arena;
static size_t arena_len, arena_cap;

static void *anew(size_t n)
{
	void *p = xcalloc(1, n);
	xgrow((void **)&arena, &arena_cap, arena_len + 1, sizeof *arena);
	arena[arena_len++] = p;
	return p;
}

static void arena_free(void)
{
	for (size_t i = 0; i < arena_len; i++)
		free(arena[i]);
	free(arena);
	arena = NULL;
	arena_len = arena_cap = 0;
}

static void *adup(const void *src, size_t n)
{
	void *p = anew(n);
	memcpy(p, src, n);
	return p;
}

/* a new message initialised from the generated INIT macro */
#define NEWMSG(T, INIT) ((T *)adup(&(T)INIT, sizeof(T)))

static char *astr(const char *s)
{
	return adup(s, strlen(s) + 1);
}

static char *astrf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *astrf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = anew((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* returns a copy of arr (n elements) with room for one more */
static void *apush(void *arr, size_t n, size_t el)
{
	void *p = anew((n + 1) * el);
	if (n)
		memcpy(p, arr, n * el);
	return p;
}
#define PUSH(n, arr, item)                                                                                             \
	do {                                                                                                           \
		(arr) = apush((arr), (n), sizeof *(arr));                                                              \
		(arr)[(n)++] = (item);                                                                                 \
	} while (0)

/* ---- deterministic numbers ------------------------------------------------------------------ */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* uniform in [-scale, scale) */
static float rng_float(float scale)
{
	float u = (float)(rng_next() >> 40) / 16777216.0f;
	return (u * 2.0f - 1.0f) * scale;
}

/* IEEE binary32 to binary16, round to nearest even */
static uint16_t f2h(float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	uint32_t sign = (x >> 16) & 0x8000u;
	uint32_t bexp = (x >> 23) & 0xffu;
	uint32_t mant = x & 0x7fffffu;
	if (bexp == 0xff)
		return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
	int32_t e = (int32_t)bexp - 127 + 15;
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00u);
	if (e <= 0) {
		if (e < -10)
			return (uint16_t)sign;
		mant |= 0x800000u;
		uint32_t shift = (uint32_t)(14 - e);
		uint32_t h = mant >> shift;
		uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
		if (rem > half || (rem == half && (h & 1)))
			h++;
		return (uint16_t)(sign | h);
	}
	uint32_t h = ((uint32_t)e << 10) | (mant >> 13);
	uint32_t rem = mant & 0x1fffu;
	if (rem > 0x1000u || (rem == 0x1000u && (h & 1)))
		h++; /* a carry into the exponent is the right answer */
	return (uint16_t)(sign | h);
}

static void put_u16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_u32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_f32le(uint8_t *p, float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	put_u32le(p, x);
}

static float *rand_floats(size_t n, float scale)
{
	float *v = anew(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = rng_float(scale);
	return v;
}

/* n float16 values as little-endian bytes */
static uint8_t *rand_halves(size_t n, float scale)
{
	uint8_t *b = anew(n * 2);
	for (size_t i = 0; i < n; i++)
		put_u16le(b + 2 * i, f2h(rng_float(scale)));
	return b;
}

/* n float32 values as little-endian bytes */
static uint8_t *rand_f32_bytes(size_t n, float scale)
{
	uint8_t *b = anew(n * 4);
	for (size_t i = 0; i < n; i++)
		put_f32le(b + 4 * i, rng_float(scale));
	return b;
}

static float *floats_const(size_t n, float v)
{
	float *a = anew(n * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = v;
	return a;
}

/* ---- files ------------------------------------------------------------------------------- */
static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		die("cannot create %s: %s", path, strerror(errno));
	return f;
}

static void close_out(FILE *f, const char *path)
{
	if (ferror(f)) {
		fclose(f);
		die("cannot write %s", path);
	}
	if (fclose(f) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

static void xwrite(FILE *f, const void *p, size_t n, const char *path)
{
	if (n && fwrite(p, 1, n, f) != n)
		die("cannot write %s: %s", path, strerror(errno));
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = open_out(path);
	xwrite(f, p, n, path);
	close_out(f, path);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0)
		die("cannot create %s: %s", path, strerror(errno));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = (flag == FTW_DP) ? rmdir(path) : unlink(path);
	if (r != 0)
		die("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

/* OUT is replaced: a file goes; a folder goes only when it looks like a package (holds nothing but
 * Manifest.json and Data), so that a typo cannot wipe an unrelated folder */
static void remove_existing(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return;
		die("cannot stat %s: %s", path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
			die("refusing to replace %s: not a regular file", path);
		if (unlink(path) != 0)
			die("cannot remove %s: %s", path, strerror(errno));
		return;
	}
	DIR *d = opendir(path);
	if (!d)
		die("cannot open %s: %s", path, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "Manifest.json") && strcmp(n, "Data") &&
		    strcmp(n, ".DS_Store")) {
			closedir(d);
			die("refusing to replace %s: it is a folder but not a model package", path);
		}
	}
	closedir(d);
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		die("cannot remove %s: %s", path, strerror(errno));
}

/* best effort, after a failure: no messages, no exit */
static int rm_quiet(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_partial(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode))
		nftw(path, rm_quiet, 16, FTW_DEPTH | FTW_PHYS);
	else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		unlink(path);
}

static void write_model(const Model *m, const char *path)
{
	size_t n = core_ml__specification__model__get_packed_size(m);
	uint8_t *buf = xmalloc(n);
	size_t got = core_ml__specification__model__pack(m, buf);
	if (got != n)
		die("internal error: packed %zu bytes, expected %zu", got, n);
	write_file(path, buf, n);
	free(buf);
}

/* ---- the .mlpackage folder ----------------------------------------------------------------- */
struct package {
	const char *root;
	char *data_dir, *spec_path, *weights_dir, *weight_bin;
	const char *spec_id, *weights_id;
};

static void package_begin(struct package *p, const char *root, const char *spec_id, const char *weights_id)
{
	p->root = root;
	p->spec_id = spec_id;
	p->weights_id = weights_id;
	p->data_dir = astrf("%s/Data", root);
	char *author_dir = astrf("%s/com.apple.CoreML", p->data_dir);
	p->spec_path = astrf("%s/model.mlmodel", author_dir);
	p->weights_dir = astrf("%s/weights", author_dir);
	p->weight_bin = astrf("%s/weight.bin", p->weights_dir);
	make_dir(root);
	make_dir(p->data_dir);
	make_dir(author_dir);
	make_dir(p->weights_dir);
}

static void json_str(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sb_addf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_addf(sb, "\\u%04x", c);
		else
			sb_addc(sb, c);
	}
	sb_addc(sb, '"');
}

struct manifest_item {
	const char *id, *author, *description, *name, *path;
};

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct manifest_item *)a)->id, ((const struct manifest_item *)b)->id);
}

/* Manifest.json as coremltools writes it: 4-space indent, sorted keys, no final newline */
static void package_manifest(const struct package *p)
{
	struct manifest_item items[2] = {
		{ p->spec_id, "com.apple.CoreML", "CoreML Model Specification", "model.mlmodel",
		  "com.apple.CoreML/model.mlmodel" },
		{ p->weights_id, "com.apple.CoreML", "CoreML Model Weights", "weights", "com.apple.CoreML/weights" },
	};
	qsort(items, 2, sizeof items[0], item_cmp);
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{\n    \"fileFormatVersion\": \"1.0.0\",\n    \"itemInfoEntries\": {\n");
	for (int i = 0; i < 2; i++) {
		sb_adds(&sb, "        ");
		json_str(&sb, items[i].id);
		sb_adds(&sb, ": {\n            \"author\": ");
		json_str(&sb, items[i].author);
		sb_adds(&sb, ",\n            \"description\": ");
		json_str(&sb, items[i].description);
		sb_adds(&sb, ",\n            \"name\": ");
		json_str(&sb, items[i].name);
		sb_adds(&sb, ",\n            \"path\": ");
		json_str(&sb, items[i].path);
		sb_adds(&sb, i == 0 ? "\n        },\n" : "\n        }\n");
	}
	sb_adds(&sb, "    },\n    \"rootModelIdentifier\": ");
	json_str(&sb, p->spec_id);
	sb_adds(&sb, "\n}");
	char *path = astrf("%s/Manifest.json", p->root);
	write_file(path, sb.buf, sb.len);
	sb_release(&sb);
}

/* ---- weight.bin built in memory (small packages) ---------------------------------------------- */
struct blobfile {
	struct strbuf sb;
	uint32_t count;
};

static void blobfile_init(struct blobfile *w)
{
	memset(w, 0, sizeof *w);
	uint8_t hdr[64] = { 0 };
	sb_add(&w->sb, hdr, sizeof hdr);
}

static uint64_t align_up(uint64_t n, uint64_t a)
{
	return (n + a - 1) / a * a;
}

static void blob_record(uint8_t rec[64], uint32_t dtype, uint64_t size, uint64_t data_off)
{
	memset(rec, 0, 64);
	put_u32le(rec, BLOB_SENTINEL);
	put_u32le(rec + 4, dtype);
	put_u64le(rec + 8, size);
	put_u64le(rec + 16, data_off);
	put_u64le(rec + 24, 0); /* padding_size_in_bits: only for sub-byte types */
}

static void blob_header(uint8_t hdr[64], uint32_t count)
{
	memset(hdr, 0, 64);
	put_u32le(hdr, count);
	put_u32le(hdr + 4, 2);
}

/* appends one blob; returns the offset of its metadata record (what blobFileValue.offset holds) */
static uint64_t blob_add(struct blobfile *w, uint32_t dtype, const void *data, size_t n)
{
	static const uint8_t zeros[BLOB_ALIGN];
	uint64_t rec_off = align_up(w->sb.len, BLOB_ALIGN);
	sb_add(&w->sb, zeros, (size_t)(rec_off - w->sb.len));
	uint8_t rec[64];
	blob_record(rec, dtype, n, rec_off + 64);
	sb_add(&w->sb, rec, sizeof rec);
	sb_add(&w->sb, data, n);
	w->count++;
	return rec_off;
}

static void blobfile_write(struct blobfile *w, const char *path)
{
	blob_header((uint8_t *)w->sb.buf, w->count);
	write_file(path, w->sb.buf, w->sb.len);
	sb_release(&w->sb);
}

/* ---- Model-level helpers ------------------------------------------------------------------ */
static FeatType *ft_new(void)
{
	return NEWMSG(FeatType, CORE_ML__SPECIFICATION__FEATURE_TYPE__INIT);
}

static FeatType *ft_image(int64_t w, int64_t h, CoreML__Specification__ImageFeatureType__ColorSpace cs)
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

static FeatType *ft_array(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank, const int64_t *shape)
{
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_MULTI_ARRAY_TYPE;
	t->multiarraytype = array_type(dt, rank, shape);
	return t;
}

static FeatType *ft_state(CoreML__Specification__ArrayFeatureType__ArrayDataType dt, size_t rank, const int64_t *shape)
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

static FeatType *ft_double(void)
{
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_DOUBLE_TYPE;
	t->doubletype =
		NEWMSG(CoreML__Specification__DoubleFeatureType, CORE_ML__SPECIFICATION__DOUBLE_FEATURE_TYPE__INIT);
	return t;
}

static FeatType *ft_string(void)
{
	FeatType *t = ft_new();
	t->type_case = CORE_ML__SPECIFICATION__FEATURE_TYPE__TYPE_STRING_TYPE;
	t->stringtype =
		NEWMSG(CoreML__Specification__StringFeatureType, CORE_ML__SPECIFICATION__STRING_FEATURE_TYPE__INIT);
	return t;
}

static FeatType *ft_dict_string_keys(void)
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

static FeatDesc *feature(const char *name, const char *desc, FeatType *t)
{
	FeatDesc *f = NEWMSG(FeatDesc, CORE_ML__SPECIFICATION__FEATURE_DESCRIPTION__INIT);
	f->name = astr(name);
	if (desc)
		f->shortdescription = astr(desc);
	f->type = t;
	return f;
}

static ModelDesc *desc_new(void)
{
	return NEWMSG(ModelDesc, CORE_ML__SPECIFICATION__MODEL_DESCRIPTION__INIT);
}

static void desc_input(ModelDesc *d, FeatDesc *f)
{
	PUSH(d->n_input, d->input, f);
}

static void desc_output(ModelDesc *d, FeatDesc *f)
{
	PUSH(d->n_output, d->output, f);
}

static Metadata *metadata(ModelDesc *d, const char *author, const char *short_desc, const char *version,
			  const char *license)
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

static void meta_user(Metadata *m, const char *key, const char *value)
{
	MetaEntry *e = NEWMSG(MetaEntry, CORE_ML__SPECIFICATION__METADATA__USER_DEFINED_ENTRY__INIT);
	e->key = astr(key);
	e->value = astr(value);
	PUSH(m->n_userdefined, m->userdefined, e);
}

static Model *model_new(int32_t version, ModelDesc *d)
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

static MValueType *vt_tensor(MDataType dt, size_t rank, const uint64_t *shape)
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

static MValueType *vt_state(MValueType *wrapped)
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

static MValue *val_string(const char *s)
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

static MValue *val_bool(int b)
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

static MValue *val_float(float f)
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

/* a rank-1 int32 tensor */
static MValue *val_ints(size_t n, const int32_t *v)
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

static MValue *val_blob(uint64_t offset, MValueType *type)
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

static void op_attr(MOp *op, const char *key, MValue *v)
{
	CoreML__Specification__MILSpec__Operation__AttributesEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Operation__AttributesEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__OPERATION__ATTRIBUTES_ENTRY__INIT);
	e->key = astr(key);
	e->value = v;
	PUSH(op->n_attributes, op->attributes, e);
}

/* an operation named as coremltools names it: attributes["name"] */
static MOp *op_new(const char *type, const char *name)
{
	MOp *op = NEWMSG(MOp, CORE_ML__SPECIFICATION__MILSPEC__OPERATION__INIT);
	op->type = astr(type);
	op_attr(op, "name", val_string(name));
	return op;
}

/* binds parameter param to the variable var */
static void op_in(MOp *op, const char *param, const char *var)
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

static void op_out(MOp *op, const char *name, MValueType *t)
{
	PUSH(op->n_outputs, op->outputs, named(name, t));
}

static MBlock *block_new(void)
{
	return NEWMSG(MBlock, CORE_ML__SPECIFICATION__MILSPEC__BLOCK__INIT);
}

static void block_op(MBlock *b, MOp *op)
{
	PUSH(b->n_operations, b->operations, op);
}

static void block_out(MBlock *b, const char *name)
{
	PUSH(b->n_outputs, b->outputs, astr(name));
}

static void op_block(MOp *op, MBlock *b)
{
	PUSH(op->n_blocks, op->blocks, b);
}

/* const with an immediate value; returns the variable name */
static const char *mil_const(MBlock *b, const char *name, MValue *v)
{
	MOp *op = op_new("const", name);
	op_out(op, name, v->type);
	op_attr(op, "val", v);
	block_op(b, op);
	return name;
}

/* const whose value lives in weight.bin at the record offset off */
static const char *mil_const_blob(MBlock *b, const char *name, MDataType dt, size_t rank, const uint64_t *shape,
				  uint64_t off)
{
	MOp *op = op_new("const", name);
	op_out(op, name, vt_tensor(dt, rank, shape));
	op_attr(op, "val", val_blob(off, vt_tensor(dt, rank, shape)));
	block_op(b, op);
	return name;
}

/* random weights: float16 or float32 blob appended to w, const op appended to b */
static const char *mil_weight(MBlock *b, struct blobfile *w, const char *name, MDataType dt, size_t rank,
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

static MFunction *function_new(const char *opset, MBlock *body)
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

static void function_input(MFunction *f, const char *name, MValueType *t)
{
	PUSH(f->n_inputs, f->inputs, named(name, t));
}

static MProgram *program_new(const char *torch_version, const char *coremltools_version)
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

static void program_function(MProgram *p, const char *name, MFunction *f)
{
	CoreML__Specification__MILSpec__Program__FunctionsEntry *e =
		NEWMSG(CoreML__Specification__MILSpec__Program__FunctionsEntry,
		       CORE_ML__SPECIFICATION__MILSPEC__PROGRAM__FUNCTIONS_ENTRY__INIT);
	e->key = astr(name);
	e->value = f;
	PUSH(p->n_functions, p->functions, e);
}

static void model_set_program(Model *m, MProgram *p)
{
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_ML_PROGRAM;
	m->mlprogram = p;
}

#define SHAPE(...) (sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)), ((uint64_t[]){ __VA_ARGS__ })
#define ISHAPE(...) (sizeof((int64_t[]){ __VA_ARGS__ }) / sizeof(int64_t)), ((int64_t[]){ __VA_ARGS__ })

/* ---- 1. segmentation: a DeepLab-like ML program package ------------------------------------- */
static void make_segmentation(const char *out)
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

static void make_voc(const char *out)
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
static void make_multifunction(const char *out)
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

/* ---- legacy neural network helpers ---------------------------------------------------------- */
static Weights *weights_floats(size_t n, float scale)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	wp->n_floatvalue = n;
	wp->floatvalue = rand_floats(n, scale);
	return wp;
}

static Weights *weights_fill(size_t n, float v)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	wp->n_floatvalue = n;
	wp->floatvalue = floats_const(n, v);
	return wp;
}

static Weights *weights_halves(size_t n, float scale)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	wp->float16value.len = n * 2;
	wp->float16value.data = rand_halves(n, scale);
	return wp;
}

/* 8-bit linear quantization: w = scale[c] * q + bias[c], one scale/bias per output channel */
static Weights *weights_quant8(size_t out_ch, size_t in_ch, float scale)
{
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	size_t n = out_ch * in_ch;
	uint8_t *q = anew(n);
	for (size_t i = 0; i < n; i++)
		q[i] = (uint8_t)(rng_next() >> 56);
	wp->rawvalue.len = n;
	wp->rawvalue.data = q;
	CoreML__Specification__LinearQuantizationParams *lq =
		NEWMSG(CoreML__Specification__LinearQuantizationParams,
		       CORE_ML__SPECIFICATION__LINEAR_QUANTIZATION_PARAMS__INIT);
	lq->n_scale = out_ch;
	lq->scale = floats_const(out_ch, 2.0f * scale / 255.0f);
	lq->n_bias = out_ch;
	lq->bias = floats_const(out_ch, -scale);
	CoreML__Specification__QuantizationParams *qp =
		NEWMSG(CoreML__Specification__QuantizationParams, CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__INIT);
	qp->numberofbits = 8;
	qp->quantization_type_case = CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LINEAR_QUANTIZATION;
	qp->linearquantization = lq;
	wp->quantization = qp;
	return wp;
}

static Layer *layer_new(const char *name, const char *in, const char *out)
{
	Layer *l = NEWMSG(Layer, CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__INIT);
	l->name = astr(name);
	PUSH(l->n_input, l->input, astr(in));
	PUSH(l->n_output, l->output, astr(out));
	return l;
}

static Layer *layer_conv(const char *name, const char *in, const char *out, uint64_t in_ch, uint64_t out_ch, uint64_t k,
			 uint64_t stride)
{
	CoreML__Specification__ConvolutionLayerParams *c = NEWMSG(
		CoreML__Specification__ConvolutionLayerParams, CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__INIT);
	c->outputchannels = out_ch;
	c->kernelchannels = in_ch;
	c->ngroups = 1;
	c->n_kernelsize = 2;
	c->kernelsize = adup((uint64_t[]){ k, k }, 2 * sizeof(uint64_t));
	c->n_stride = 2;
	c->stride = adup((uint64_t[]){ stride, stride }, 2 * sizeof(uint64_t));
	c->n_dilationfactor = 2;
	c->dilationfactor = adup((uint64_t[]){ 1, 1 }, 2 * sizeof(uint64_t));
	c->convolution_padding_type_case =
		CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__CONVOLUTION_PADDING_TYPE_SAME;
	c->same = NEWMSG(CoreML__Specification__SamePadding, CORE_ML__SPECIFICATION__SAME_PADDING__INIT);
	c->hasbias = 1;
	c->weights = weights_floats(out_ch * in_ch * k * k, 0.3f);
	c->bias = weights_floats(out_ch, 0.05f);
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONVOLUTION;
	l->convolution = c;
	return l;
}

static Layer *layer_relu(const char *name, const char *in, const char *out)
{
	CoreML__Specification__ActivationParams *a =
		NEWMSG(CoreML__Specification__ActivationParams, CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__INIT);
	a->nonlinearity_type_case = CORE_ML__SPECIFICATION__ACTIVATION_PARAMS__NONLINEARITY_TYPE_RE_LU;
	a->relu = NEWMSG(CoreML__Specification__ActivationReLU, CORE_ML__SPECIFICATION__ACTIVATION_RE_LU__INIT);
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ACTIVATION;
	l->activation = a;
	return l;
}

static Layer *layer_flatten(const char *name, const char *in, const char *out)
{
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_FLATTEN;
	l->flatten =
		NEWMSG(CoreML__Specification__FlattenLayerParams, CORE_ML__SPECIFICATION__FLATTEN_LAYER_PARAMS__INIT);
	return l;
}

static Layer *layer_inner(const char *name, const char *in, const char *out, uint64_t in_ch, uint64_t out_ch,
			  Weights *weights)
{
	CoreML__Specification__InnerProductLayerParams *ip =
		NEWMSG(CoreML__Specification__InnerProductLayerParams,
		       CORE_ML__SPECIFICATION__INNER_PRODUCT_LAYER_PARAMS__INIT);
	ip->inputchannels = in_ch;
	ip->outputchannels = out_ch;
	ip->hasbias = 1;
	ip->weights = weights;
	/* Core ML refuses float16 weights with a float32 bias (or the other
	 * way round): the bias is stored in the weights' precision */
	ip->bias = weights->float16value.len ? weights_halves(out_ch, 0.05f) : weights_floats(out_ch, 0.05f);
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_INNER_PRODUCT;
	l->innerproduct = ip;
	return l;
}

static Layer *layer_softmax(const char *name, const char *in, const char *out)
{
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_SOFTMAX;
	l->softmax =
		NEWMSG(CoreML__Specification__SoftmaxLayerParams, CORE_ML__SPECIFICATION__SOFTMAX_LAYER_PARAMS__INIT);
	return l;
}

/* ---- 2. nn: a small legacy neural network --------------------------------------------------- */
static void make_nn(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("input", "A 3x8x8 input volume", ft_array(AT_DOUBLE, ISHAPE(3, 8, 8))));
	desc_output(d, feature("output", "Scores for 10 classes", ft_array(AT_DOUBLE, ISHAPE(10))));
	Metadata *md =
		metadata(d, "mlpkg examples", "A tiny convolutional network with synthetic weights", "1.0", "MIT");
	meta_user(md, "training_dataset", "synthetic-8x8");

	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
	PUSH(nn->n_layers, nn->layers, layer_conv("conv1", "input", "conv1_output", 3, 4, 3, 1));

	CoreML__Specification__BatchnormLayerParams *bn = NEWMSG(CoreML__Specification__BatchnormLayerParams,
								 CORE_ML__SPECIFICATION__BATCHNORM_LAYER_PARAMS__INIT);
	bn->channels = 4;
	bn->epsilon = 1e-5f;
	bn->gamma = weights_fill(4, 1.0f);
	bn->beta = weights_floats(4, 0.1f);
	bn->mean = weights_floats(4, 0.1f);
	bn->variance = weights_fill(4, 1.0f);
	Layer *l = layer_new("bn1", "conv1_output", "bn1_output");
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BATCHNORM;
	l->batchnorm = bn;
	PUSH(nn->n_layers, nn->layers, l);

	PUSH(nn->n_layers, nn->layers, layer_relu("relu1", "bn1_output", "relu1_output"));
	PUSH(nn->n_layers, nn->layers, layer_flatten("flatten1", "relu1_output", "flatten1_output"));
	PUSH(nn->n_layers, nn->layers,
	     layer_inner("fc1", "flatten1_output", "fc1_output", 256, 10, weights_halves(256 * 10, 0.1f)));
	PUSH(nn->n_layers, nn->layers, layer_softmax("softmax", "fc1_output", "output"));

	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- 3. nnclassifier: an image classifier with a quantized layer ---------------------------- */
static void make_nnclassifier(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "A 32x32 colour image",
			      ft_image(32, 32, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d, feature("classLabel", "Most likely class", ft_string()));
	desc_output(d, feature("classLabelProbs", "Probability of each class", ft_dict_string_keys()));
	d->predictedfeaturename = astr("classLabel");
	d->predictedprobabilitiesname = astr("classLabelProbs");
	Metadata *md =
		metadata(d, "mlpkg examples", "Tells cats, dogs and birds apart (synthetic weights)", "1.0", "MIT");
	meta_user(md, "com.apple.coreml.model.preview.type", "imageClassifier");

	CoreML__Specification__NeuralNetworkClassifier *nc =
		NEWMSG(CoreML__Specification__NeuralNetworkClassifier,
		       CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__INIT);
	PUSH(nc->n_layers, nc->layers, layer_conv("conv1", "image", "conv1_output", 3, 8, 3, 2));
	PUSH(nc->n_layers, nc->layers, layer_relu("relu1", "conv1_output", "relu1_output"));
	PUSH(nc->n_layers, nc->layers, layer_flatten("flatten1", "relu1_output", "flatten1_output"));
	PUSH(nc->n_layers, nc->layers,
	     layer_inner("fc1", "flatten1_output", "fc1_output", 8 * 16 * 16, 3,
			 weights_quant8(3, 8 * 16 * 16, 0.05f)));
	PUSH(nc->n_layers, nc->layers, layer_softmax("softmax", "fc1_output", "probabilities"));
	nc->labelprobabilitylayername = astr("probabilities");

	CoreML__Specification__NeuralNetworkImageScaler *sc =
		NEWMSG(CoreML__Specification__NeuralNetworkImageScaler,
		       CORE_ML__SPECIFICATION__NEURAL_NETWORK_IMAGE_SCALER__INIT);
	sc->channelscale = 1.0f / 255.0f;
	sc->redbias = -0.485f;
	sc->greenbias = -0.456f;
	sc->bluebias = -0.406f;
	CoreML__Specification__NeuralNetworkPreprocessing *pp =
		NEWMSG(CoreML__Specification__NeuralNetworkPreprocessing,
		       CORE_ML__SPECIFICATION__NEURAL_NETWORK_PREPROCESSING__INIT);
	pp->featurename = astr("image");
	pp->preprocessor_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_PREPROCESSING__PREPROCESSOR_SCALER;
	pp->scaler = sc;
	PUSH(nc->n_preprocessing, nc->preprocessing, pp);

	CoreML__Specification__StringVector *labels =
		NEWMSG(CoreML__Specification__StringVector, CORE_ML__SPECIFICATION__STRING_VECTOR__INIT);
	PUSH(labels->n_vector, labels->vector, astr("cat"));
	PUSH(labels->n_vector, labels->vector, astr("dog"));
	PUSH(labels->n_vector, labels->vector, astr("bird"));
	nc->class_labels_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_CLASSIFIER__CLASS_LABELS_STRING_CLASS_LABELS;
	nc->stringclasslabels = labels;

	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK_CLASSIFIER;
	m->neuralnetworkclassifier = nc;
	write_model(m, out);
}

/* ---- detector: a network then non-maximum suppression holding 80 COCO labels ----------------- */
static const char *const coco_labels[80] = {
	"person",        "bicycle",      "car",
	"motorcycle",    "airplane",     "bus",
	"train",         "truck",        "boat",
	"traffic light", "fire hydrant", "stop sign",
	"parking meter", "bench",        "bird",
	"cat",           "dog",          "horse",
	"sheep",         "cow",          "elephant",
	"bear",          "zebra",        "giraffe",
	"backpack",      "umbrella",     "handbag",
	"tie",           "suitcase",     "frisbee",
	"skis",          "snowboard",    "sports ball",
	"kite",          "baseball bat", "baseball glove",
	"skateboard",    "surfboard",    "tennis racket",
	"bottle",        "wine glass",   "cup",
	"fork",          "knife",        "spoon",
	"bowl",          "banana",       "apple",
	"sandwich",      "orange",       "broccoli",
	"carrot",        "hot dog",      "pizza",
	"donut",         "cake",         "chair",
	"couch",         "potted plant", "bed",
	"dining table",  "toilet",       "tv",
	"laptop",        "mouse",        "remote",
	"keyboard",      "cell phone",   "microwave",
	"oven",          "toaster",      "sink",
	"refrigerator",  "book",         "clock",
	"vase",          "scissors",     "teddy bear",
	"hair drier",    "toothbrush",
};

static void make_detector(const char *out)
{
	/* stage 1: image -> raw_confidence [1, 80], raw_coordinates [1, 4] */
	ModelDesc *d1 = desc_new();
	desc_input(d1, feature("image", NULL,
			       ft_image(32, 32, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d1, feature("raw_confidence", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_output(d1, feature("raw_coordinates", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
	PUSH(nn->n_layers, nn->layers, layer_conv("conv1", "image", "conv1_output", 3, 8, 3, 2));
	PUSH(nn->n_layers, nn->layers, layer_relu("relu1", "conv1_output", "relu1_output"));
	PUSH(nn->n_layers, nn->layers, layer_flatten("flatten1", "relu1_output", "flatten1_output"));
	PUSH(nn->n_layers, nn->layers,
	     layer_inner("scores", "flatten1_output", "raw_confidence", 8 * 16 * 16, 80,
			 weights_quant8(80, 8 * 16 * 16, 0.05f)));
	PUSH(nn->n_layers, nn->layers,
	     layer_inner("boxes", "flatten1_output", "raw_coordinates", 8 * 16 * 16, 4,
			 weights_quant8(4, 8 * 16 * 16, 0.05f)));
	Model *m1 = model_new(3, d1);
	m1->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m1->neuralnetwork = nn;

	/* stage 2: non-maximum suppression, which holds the class labels */
	ModelDesc *d2 = desc_new();
	desc_input(d2, feature("raw_confidence", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_input(d2, feature("raw_coordinates", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	desc_input(d2, feature("iouThreshold", NULL, ft_double()));
	desc_input(d2, feature("confidenceThreshold", NULL, ft_double()));
	desc_output(d2, feature("confidence", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_output(d2, feature("coordinates", NULL, ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	CoreML__Specification__NonMaximumSuppression *nms = NEWMSG(
		CoreML__Specification__NonMaximumSuppression, CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__INIT);
	CoreML__Specification__NonMaximumSuppression__PickTop *top =
		NEWMSG(CoreML__Specification__NonMaximumSuppression__PickTop,
		       CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__PICK_TOP__INIT);
	nms->suppression_method_case = CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__SUPPRESSION_METHOD_PICK_TOP;
	nms->picktop = top;
	CoreML__Specification__StringVector *labels =
		NEWMSG(CoreML__Specification__StringVector, CORE_ML__SPECIFICATION__STRING_VECTOR__INIT);
	for (size_t i = 0; i < 80; i++)
		PUSH(labels->n_vector, labels->vector, astr(coco_labels[i]));
	nms->class_labels_case = CORE_ML__SPECIFICATION__NON_MAXIMUM_SUPPRESSION__CLASS_LABELS_STRING_CLASS_LABELS;
	nms->stringclasslabels = labels;
	nms->iouthreshold = 0.45;
	nms->confidencethreshold = 0.25;
	nms->confidenceinputfeaturename = astr("raw_confidence");
	nms->coordinatesinputfeaturename = astr("raw_coordinates");
	nms->iouthresholdinputfeaturename = astr("iouThreshold");
	nms->confidencethresholdinputfeaturename = astr("confidenceThreshold");
	nms->confidenceoutputfeaturename = astr("confidence");
	nms->coordinatesoutputfeaturename = astr("coordinates");
	Model *m2 = model_new(3, d2);
	m2->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NON_MAXIMUM_SUPPRESSION;
	m2->nonmaximumsuppression = nms;

	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "A 32x32 colour image",
			      ft_image(32, 32, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_input(d, feature("iouThreshold", "Overlap above which boxes are merged", ft_double()));
	desc_input(d, feature("confidenceThreshold", "Score below which boxes are dropped", ft_double()));
	desc_output(d, feature("confidence", "Per-class scores of each box", ft_array(AT_DOUBLE, ISHAPE(1, 80))));
	desc_output(d, feature("coordinates", "Each box: x, y, width, height", ft_array(AT_DOUBLE, ISHAPE(1, 4))));
	metadata(d, "mlpkg examples", "Finds the 80 COCO classes (synthetic weights)", "1.0", "MIT");
	CoreML__Specification__Pipeline *p =
		NEWMSG(CoreML__Specification__Pipeline, CORE_ML__SPECIFICATION__PIPELINE__INIT);
	PUSH(p->n_models, p->models, m1);
	PUSH(p->n_models, p->models, m2);
	PUSH(p->n_names, p->names, astr("detector"));
	PUSH(p->n_names, p->names, astr("nms"));
	Model *m = model_new(3, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE;
	m->pipeline = p;
	write_model(m, out);
}

/* ---- 4. pipeline: scaler then linear regressor ---------------------------------------------- */
static void make_pipeline(const char *out)
{
	/* stage 1: scaler x -> x_scaled */
	ModelDesc *d1 = desc_new();
	desc_input(d1, feature("x", NULL, ft_array(AT_DOUBLE, ISHAPE(3))));
	desc_output(d1, feature("x_scaled", NULL, ft_array(AT_DOUBLE, ISHAPE(3))));
	CoreML__Specification__Scaler *sc = NEWMSG(CoreML__Specification__Scaler, CORE_ML__SPECIFICATION__SCALER__INIT);
	static const double shift[3] = { -1.0, -20.0, -300.0 }, scale[3] = { 1.0, 0.1, 0.01 };
	sc->n_shiftvalue = 3;
	sc->shiftvalue = adup(shift, sizeof shift);
	sc->n_scalevalue = 3;
	sc->scalevalue = adup(scale, sizeof scale);
	Model *m1 = model_new(1, d1);
	m1->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_SCALER;
	m1->scaler = sc;

	/* stage 2: GLM regressor x_scaled -> y */
	ModelDesc *d2 = desc_new();
	desc_input(d2, feature("x_scaled", NULL, ft_array(AT_DOUBLE, ISHAPE(3))));
	desc_output(d2, feature("y", NULL, ft_double()));
	d2->predictedfeaturename = astr("y");
	CoreML__Specification__GLMRegressor *glm =
		NEWMSG(CoreML__Specification__GLMRegressor, CORE_ML__SPECIFICATION__GLMREGRESSOR__INIT);
	CoreML__Specification__GLMRegressor__DoubleArray *wa =
		NEWMSG(CoreML__Specification__GLMRegressor__DoubleArray,
		       CORE_ML__SPECIFICATION__GLMREGRESSOR__DOUBLE_ARRAY__INIT);
	for (int i = 0; i < 3; i++)
		PUSH(wa->n_value, wa->value, (double)rng_float(1.0f));
	PUSH(glm->n_weights, glm->weights, wa);
	PUSH(glm->n_offset, glm->offset, 0.5);
	Model *m2 = model_new(1, d2);
	m2->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_GLM_REGRESSOR;
	m2->glmregressor = glm;

	ModelDesc *d = desc_new();
	desc_input(d, feature("x", "Three raw measurements", ft_array(AT_DOUBLE, ISHAPE(3))));
	desc_output(d, feature("y", "Predicted value", ft_double()));
	d->predictedfeaturename = astr("y");
	Metadata *md = metadata(d, "mlpkg examples", "Standardises three measurements, then fits a line", "1.0", "MIT");
	meta_user(md, "com.github.apple.coremltools.version", "7.1");
	CoreML__Specification__Pipeline *p =
		NEWMSG(CoreML__Specification__Pipeline, CORE_ML__SPECIFICATION__PIPELINE__INIT);
	PUSH(p->n_models, p->models, m1);
	PUSH(p->n_models, p->models, m2);
	PUSH(p->n_names, p->names, astr("scaler"));
	PUSH(p->n_names, p->names, astr("regressor"));
	Model *m = model_new(1, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_PIPELINE;
	m->pipeline = p;
	write_model(m, out);
}

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

static void make_bignn(const char *out, uint64_t size, uint64_t seed)
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

static void make_bigpkg(const char *out, uint64_t size, uint64_t seed)
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

/* ---- main ---------------------------------------------------------------------------------- */
/* ---- 8. control: a network with branch and loop layers -------------------------------------- */
static Layer *layer_gt(const char *name, const char *in, const char *out)
{
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_GREATER_THAN;
	l->greaterthan = NEWMSG(CoreML__Specification__GreaterThanLayerParams,
				CORE_ML__SPECIFICATION__GREATER_THAN_LAYER_PARAMS__INIT);
	return l;
}

static CoreML__Specification__NeuralNetwork *network_new(void)
{
	return NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
}

/* x -> gt -> branch (ifBranch: fc_if; elseBranch: fc_else, fc_else2, with
 * float16 weights) -> loop (conditionNetwork: cn; bodyNetwork: fc_body, cp)
 * -> out: 10 layers, 4 of them at the top level, 8 weight fields, all nested */
static void make_control(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("x", "A vector of 4", ft_array(AT_FLOAT32, ISHAPE(4))));
	desc_output(d, feature("y", "The result", ft_array(AT_FLOAT32, ISHAPE(4))));
	metadata(d, "mlpkg tests", "Branch and loop layers with weights inside", "1.0", "MIT");
	CoreML__Specification__NeuralNetwork *nn = network_new();
	nn->arrayinputshapemapping =
		CORE_ML__SPECIFICATION__NEURAL_NETWORK_MULTI_ARRAY_SHAPE_MAPPING__EXACT_ARRAY_MAPPING;
	PUSH(nn->n_layers, nn->layers, layer_gt("gt", "x", "cond"));

	CoreML__Specification__BranchLayerParams *br =
		NEWMSG(CoreML__Specification__BranchLayerParams, CORE_ML__SPECIFICATION__BRANCH_LAYER_PARAMS__INIT);
	br->ifbranch = network_new();
	PUSH(br->ifbranch->n_layers, br->ifbranch->layers,
	     layer_inner("fc_if", "x", "z", 4, 4, weights_floats(16, 0.2f)));
	br->elsebranch = network_new();
	PUSH(br->elsebranch->n_layers, br->elsebranch->layers,
	     layer_inner("fc_else", "x", "h", 4, 8, weights_halves(32, 0.2f)));
	PUSH(br->elsebranch->n_layers, br->elsebranch->layers,
	     layer_inner("fc_else2", "h", "z", 8, 4, weights_halves(32, 0.2f)));
	Layer *l = layer_new("br", "cond", "br_done");
	l->n_output = 0;
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_BRANCH;
	l->branch = br;
	PUSH(nn->n_layers, nn->layers, l);

	CoreML__Specification__LoopLayerParams *lp =
		NEWMSG(CoreML__Specification__LoopLayerParams, CORE_ML__SPECIFICATION__LOOP_LAYER_PARAMS__INIT);
	lp->maxloopiterations = 3;
	lp->conditionvar = astr("go");
	lp->conditionnetwork = network_new();
	PUSH(lp->conditionnetwork->n_layers, lp->conditionnetwork->layers, layer_gt("cn", "z", "go"));
	lp->bodynetwork = network_new();
	PUSH(lp->bodynetwork->n_layers, lp->bodynetwork->layers,
	     layer_inner("fc_body", "z", "z2", 4, 4, weights_floats(16, 0.2f)));
	Layer *cp = layer_new("cp", "z2", "z");
	cp->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_COPY;
	cp->copy = NEWMSG(CoreML__Specification__CopyLayerParams, CORE_ML__SPECIFICATION__COPY_LAYER_PARAMS__INIT);
	PUSH(lp->bodynetwork->n_layers, lp->bodynetwork->layers, cp);
	l = layer_new("lp", "z", "lp_done");
	l->n_input = l->n_output = 0;
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_LOOP;
	l->loop = lp;
	PUSH(nn->n_layers, nn->layers, l);
	PUSH(nn->n_layers, nn->layers, layer_relu("out", "z", "y"));

	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- mobilenet: shapes known layer by layer ------------------------------------------------- */

/* a depthwise (groups = channels) convolution, same padding */
static Layer *layer_dw(const char *name, const char *in, const char *out, uint64_t ch, uint64_t stride)
{
	Layer *l = layer_conv(name, in, out, 1, ch, 3, stride);
	l->convolution->ngroups = ch;
	return l;
}

/* valid padding with explicit borders (top, bottom, left, right) */
static void conv_valid(Layer *l, uint64_t t, uint64_t b, uint64_t le, uint64_t r)
{
	CoreML__Specification__ConvolutionLayerParams *c = l->convolution;
	CoreML__Specification__ValidPadding *v =
		NEWMSG(CoreML__Specification__ValidPadding, CORE_ML__SPECIFICATION__VALID_PADDING__INIT);
	CoreML__Specification__BorderAmounts *ba =
		NEWMSG(CoreML__Specification__BorderAmounts, CORE_ML__SPECIFICATION__BORDER_AMOUNTS__INIT);
	uint64_t e[2][2] = { { t, b }, { le, r } };
	for (int k = 0; k < 2; k++) {
		CoreML__Specification__BorderAmounts__EdgeSizes *es =
			NEWMSG(CoreML__Specification__BorderAmounts__EdgeSizes,
			       CORE_ML__SPECIFICATION__BORDER_AMOUNTS__EDGE_SIZES__INIT);
		es->startedgesize = e[k][0];
		es->endedgesize = e[k][1];
		PUSH(ba->n_borderamounts, ba->borderamounts, es);
	}
	v->paddingamounts = ba;
	c->convolution_padding_type_case =
		CORE_ML__SPECIFICATION__CONVOLUTION_LAYER_PARAMS__CONVOLUTION_PADDING_TYPE_VALID;
	c->valid = v;
}

static Layer *layer_pool(const char *name, const char *in, const char *out, uint64_t k, uint64_t stride, int global)
{
	CoreML__Specification__PoolingLayerParams *p =
		NEWMSG(CoreML__Specification__PoolingLayerParams, CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__INIT);
	p->type = global ? CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__AVERAGE
			 : CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_TYPE__MAX;
	p->n_kernelsize = 2;
	p->kernelsize = adup((uint64_t[]){ k, k }, 2 * sizeof(uint64_t));
	p->n_stride = 2;
	p->stride = adup((uint64_t[]){ stride, stride }, 2 * sizeof(uint64_t));
	p->pooling_padding_type_case = CORE_ML__SPECIFICATION__POOLING_LAYER_PARAMS__POOLING_PADDING_TYPE_VALID;
	p->valid = NEWMSG(CoreML__Specification__ValidPadding, CORE_ML__SPECIFICATION__VALID_PADDING__INIT);
	p->globalpooling = global;
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_POOLING;
	l->pooling = p;
	return l;
}

/* a layer of two inputs */
static Layer *layer_new2(const char *name, const char *a, const char *b, const char *out)
{
	Layer *l = layer_new(name, a, out);
	PUSH(l->n_input, l->input, astr(b));
	return l;
}

static Layer *layer_add2(const char *name, const char *a, const char *b, const char *out)
{
	Layer *l = layer_new2(name, a, b, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_ADD;
	l->add = NEWMSG(CoreML__Specification__AddLayerParams, CORE_ML__SPECIFICATION__ADD_LAYER_PARAMS__INIT);
	return l;
}

static Layer *layer_concat2(const char *name, const char *a, const char *b, const char *out)
{
	Layer *l = layer_new2(name, a, b, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_CONCAT;
	l->concat = NEWMSG(CoreML__Specification__ConcatLayerParams, CORE_ML__SPECIFICATION__CONCAT_LAYER_PARAMS__INIT);
	return l;
}

static Layer *layer_upsample(const char *name, const char *in, const char *out, uint64_t f)
{
	CoreML__Specification__UpsampleLayerParams *u =
		NEWMSG(CoreML__Specification__UpsampleLayerParams, CORE_ML__SPECIFICATION__UPSAMPLE_LAYER_PARAMS__INIT);
	u->n_scalingfactor = 2;
	u->scalingfactor = adup((uint64_t[]){ f, f }, 2 * sizeof(uint64_t));
	Layer *l = layer_new(name, in, out);
	l->layer_case = CORE_ML__SPECIFICATION__NEURAL_NETWORK_LAYER__LAYER_UPSAMPLE;
	l->upsample = u;
	return l;
}

/* A MobileNet-like network on a 224x224 RGB image, its shapes known from
 * the layers' definitions (tests/t-layers.sh lists them): a stride-2
 * convolution, depthwise and pointwise pairs, a valid-padded convolution
 * with borders, a max pool, a residual add, an upsample and a concat, a
 * global average pool, a classifier head. */
static void make_mobilenet(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("image", "A 224x224 colour image",
			      ft_image(224, 224, CORE_ML__SPECIFICATION__IMAGE_FEATURE_TYPE__COLOR_SPACE__RGB)));
	desc_output(d, feature("scores", "Scores for 1000 classes", ft_array(AT_DOUBLE, ISHAPE(1000))));
	metadata(d, "mlpkg examples", "A MobileNet-like network (synthetic weights)", "1.0", "MIT");
	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
#define L(x) PUSH(nn->n_layers, nn->layers, (x))
	L(layer_conv("conv1", "image", "c1", 3, 32, 3, 2)); /* [32,112,112] */
	L(layer_relu("relu1", "c1", "r1"));                 /* [32,112,112] */
	L(layer_dw("dw1", "r1", "d1", 32, 1));              /* [32,112,112] */
	L(layer_conv("pw1", "d1", "p1", 32, 64, 1, 1));     /* [64,112,112] */
	L(layer_dw("dw2", "p1", "d2", 64, 2));              /* [64,56,56] */
	L(layer_conv("pw2", "d2", "p2", 64, 128, 1, 1));    /* [128,56,56] */
	L(layer_dw("dw3", "p2", "d3", 128, 1));             /* [128,56,56] */
	L(layer_add2("res3", "d3", "p2", "a3"));            /* [128,56,56] */
	Layer *v = layer_conv("valid4", "a3", "v4", 128, 128, 3, 2);
	conv_valid(v, 1, 0, 1, 0);                   /* (56 + 1 - 3) / 2 + 1 = 28 */
	L(v);                                        /* [128,28,28] */
	L(layer_pool("pool5", "v4", "m5", 2, 2, 0)); /* [128,14,14] */
	L(layer_upsample("up6", "m5", "u6", 2));     /* [128,28,28] */
	L(layer_concat2("cat7", "u6", "v4", "k7"));  /* [256,28,28] */
	L(layer_pool("gap8", "k7", "g8", 1, 1, 1));  /* [256,1,1] */
	L(layer_flatten("flat9", "g8", "f9"));       /* [256,1,1] */
	L(layer_inner("fc10", "f9", "fc", 256, 1000, weights_floats(256 * 1000, 0.05f))); /* [1000,1,1] */
	L(layer_softmax("prob", "fc", "scores"));                                         /* [1000,1,1] */
#undef L
	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- compressed: palettized and quantized weights ------------------------------------------ */

/* an int32 scalar */
static MValue *val_int(int32_t v)
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
static void make_compressed(const char *out, int dense)
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

/* A neural network with a 4-bit lookup-table weight: fc [4, 8], element i
 * takes code i % 16 (packed most-significant bit first), table[k] =
 * k / 10 - 0.75. */
static void make_nnlut(const char *out)
{
	ModelDesc *d = desc_new();
	desc_input(d, feature("input", "A vector of 8", ft_array(AT_DOUBLE, ISHAPE(8))));
	desc_output(d, feature("output", "Four scores", ft_array(AT_DOUBLE, ISHAPE(4))));
	metadata(d, "mlpkg examples", "A palettized inner product (synthetic)", "1.0", "MIT");
	Weights *wp = NEWMSG(Weights, CORE_ML__SPECIFICATION__WEIGHT_PARAMS__INIT);
	uint8_t *codes = anew(16);
	for (size_t i = 0; i < 16; i++)
		codes[i] = (uint8_t)((((2 * i) % 16) << 4) | ((2 * i + 1) % 16));
	wp->rawvalue.len = 16;
	wp->rawvalue.data = codes;
	CoreML__Specification__LookUpTableQuantizationParams *lt =
		NEWMSG(CoreML__Specification__LookUpTableQuantizationParams,
		       CORE_ML__SPECIFICATION__LOOK_UP_TABLE_QUANTIZATION_PARAMS__INIT);
	lt->n_floatvalue = 16;
	lt->floatvalue = anew(16 * sizeof(float));
	for (int k = 0; k < 16; k++)
		lt->floatvalue[k] = (float)k / 10.0f - 0.75f;
	CoreML__Specification__QuantizationParams *qp =
		NEWMSG(CoreML__Specification__QuantizationParams, CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__INIT);
	qp->numberofbits = 4;
	qp->quantization_type_case =
		CORE_ML__SPECIFICATION__QUANTIZATION_PARAMS__QUANTIZATION_TYPE_LOOKUP_TABLE_QUANTIZATION;
	qp->lookuptablequantization = lt;
	wp->quantization = qp;
	CoreML__Specification__NeuralNetwork *nn =
		NEWMSG(CoreML__Specification__NeuralNetwork, CORE_ML__SPECIFICATION__NEURAL_NETWORK__INIT);
	PUSH(nn->n_layers, nn->layers, layer_inner("fc", "input", "output", 8, 4, wp));
	Model *m = model_new(4, d);
	m->type_case = CORE_ML__SPECIFICATION__MODEL__TYPE_NEURAL_NETWORK;
	m->neuralnetwork = nn;
	write_model(m, out);
}

/* ---- compiled folders (.mlmodelc) ------------------------------------------ */

/* writes text into DIR/REL */
static void write_text_in(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	write_file(path, text, strlen(text));
}

/* The layout Xcode gives a compiled model: metadata.json (an array of one
 * object), coremldata.bin (undocumented: some opaque bytes here), and the
 * program (model.mil, weights/weight.bin) or the network
 * (model.espresso.net/.shape/.weights, model/coremldata.bin). */
static void make_compiled(const char *out, int program)
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
static void make_compiled_pipeline(const char *out)
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

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fprintf(stderr,
		"usage: %s KIND OUT [--size BYTES] [--seed N]  (KIND: segmentation nn nnclassifier "
		"pipeline multifunction bignn bigpkg voc detector control compiledprogram compilednn "
		"compiledpipeline compressed compresseddense nnlut mobilenet)\n",
		progname);
	exit(2);
}

/* a byte count, optionally with a K, M or G suffix (powers of 1024) */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default: break;
	}
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int main(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	int npos = 0;
	uint64_t size = DEFAULT_BIG_SIZE, seed = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size") || !strcmp(argv[i], "--seed")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: %s needs a value\n", progname, argv[i]);
				exit(2);
			}
			uint64_t v;
			if (!strcmp(argv[i], "--size")) {
				if (parse_size(argv[i + 1], &v) != 0 || v == 0) {
					fprintf(stderr, "%s: bad --size: %s\n", progname, argv[i + 1]);
					exit(2);
				}
				size = v;
			} else {
				char *end;
				errno = 0;
				unsigned long long s = strtoull(argv[i + 1], &end, 10);
				if (errno || end == argv[i + 1] || *end || argv[i + 1][0] == '-') {
					fprintf(stderr, "%s: bad --seed: %s\n", progname, argv[i + 1]);
					exit(2);
				}
				seed = (uint64_t)s;
			}
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "%s: unknown option %s\n", progname, argv[i]);
			exit(2);
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			usage();
		}
	}
	if (npos != 2)
		usage();
	const char *kind = pos[0], *out = pos[1];
	static const char *const kinds[] = { "segmentation",     "nn",         "nnclassifier",    "pipeline",
					     "multifunction",    "bignn",      "bigpkg",          "voc",
					     "detector",         "control",    "compiledprogram", "compilednn",
					     "compiledpipeline", "compressed", "nnlut",           "mobilenet",
					     "compresseddense" };
	size_t k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (!strcmp(kind, kinds[k]))
			break;
	if (k == sizeof kinds / sizeof kinds[0]) {
		fprintf(stderr,
			"%s: unknown KIND %s (one of: segmentation nn nnclassifier pipeline multifunction "
			"bignn bigpkg voc detector control compiledprogram compilednn compiledpipeline compressed "
			"nnlut mobilenet compresseddense)\n",
			progname, kind);
		exit(2);
	}

	rng_state = seed;
	remove_existing(out);
	out_path = out;
	switch (k) {
	case 0: make_segmentation(out); break;
	case 1: make_nn(out); break;
	case 2: make_nnclassifier(out); break;
	case 3: make_pipeline(out); break;
	case 4: make_multifunction(out); break;
	case 5: make_bignn(out, size, seed); break;
	case 6: make_bigpkg(out, size, seed); break;
	case 7: make_voc(out); break;
	case 8: make_detector(out); break;
	case 9: make_control(out); break;
	case 10: make_compiled(out, 1); break;
	case 11: make_compiled(out, 0); break;
	case 12: make_compiled_pipeline(out); break;
	case 13: make_compressed(out, 0); break;
	case 14: make_nnlut(out); break;
	case 15: make_mobilenet(out); break;
	case 16: make_compressed(out, 1); break;
	default: usage();
	}
	out_path = NULL;
	arena_free();
	return 0;
}
