/* wstats: the values of weight tensors, read in passes over their bytes:
 * statistics of float tensors, and of what compressed tensors (quantized,
 * palettized) stand for once dequantized (see weights.h). */
#include "query/weights.h"
#include "query/internal.h"
#include "base/xalloc.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- statistics ------------------------------------------------------------------ */

#define STATS_MAX (16u << 20) /* elements */

float weight_half(uint16_t h)
{
	int e = (h >> 10) & 0x1f, m = h & 0x3ff;
	float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
	return (h & 0x8000) ? -v : v;
}

/* two passes over a tensor's values: the first for the counts and the
 * range, the second to put each value in a bin of that range */
struct acc {
	struct weight_stats *st;
	int pass;
	double sum, sumsq;
	uint64_t *seen;  /* a set of the values' bit patterns, for the distinct count */
	double *collect; /* instead of statistics: the values, one after another */
	uint64_t ncollect, maxcollect;
};

#define SEEN_SLOTS (2 * WEIGHT_UNIQUE_MAX)

/* counts x among the distinct values, up to WEIGHT_UNIQUE_MAX */
static void acc_unique(struct acc *a, double x)
{
	struct weight_stats *st = a->st;
	if (st->unique_capped)
		return;
	if (!a->seen)
		a->seen = xcalloc(SEEN_SLOTS, sizeof(*a->seen));
	uint64_t u;
	if (x == 0)
		x = 0; /* -0 is 0 */
	memcpy(&u, &x, sizeof(u));
	u = u ? u : 1; /* 0 marks an empty slot: the pattern of +0.0 stands as 1 */
	uint64_t h = (u ^ (u >> 29)) * 0x9E3779B97F4A7C15u;
	for (size_t k = (size_t)(h >> 40) % SEEN_SLOTS;; k = (k + 1) % SEEN_SLOTS) {
		if (a->seen[k] == u)
			return;
		if (!a->seen[k]) {
			if (st->unique == WEIGHT_UNIQUE_MAX) {
				st->unique_capped = 1;
				return;
			}
			a->seen[k] = u;
			st->unique++;
			return;
		}
	}
}

static void acc_add(struct acc *a, double x)
{
	if (a->collect) {
		if (a->ncollect < a->maxcollect)
			a->collect[a->ncollect++] = x;
		return;
	}
	struct weight_stats *st = a->st;
	if (a->pass == 1) {
		if (!isfinite(x) || st->max <= st->min)
			return;
		int b = (int)((x - st->min) / (st->max - st->min) * WEIGHT_BINS);
		st->bins[b < 0 ? 0 : b >= WEIGHT_BINS ? WEIGHT_BINS - 1 : b]++;
		return;
	}
	st->count++;
	if (isnan(x)) {
		st->nan++;
		return;
	}
	if (isinf(x)) {
		st->inf++;
		return;
	}
	acc_unique(a, x);
	if (x == 0)
		st->zeros++;
	if (!st->n || x < st->min)
		st->min = x;
	if (!st->n || x > st->max)
		st->max = x;
	a->sum += x;
	a->sumsq += x * x;
	st->n++;
}

static void acc_bytes(struct acc *a, const uint8_t *p, size_t len, int bits)
{
	if (bits == 32)
		for (size_t i = 0; i + 4 <= len; i += 4) {
			uint32_t u = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
				     (uint32_t)p[i + 3] << 24;
			float f;
			memcpy(&f, &u, 4);
			acc_add(a, f);
		}
	else
		for (size_t i = 0; i + 2 <= len; i += 2)
			acc_add(a, weight_half((uint16_t)(p[i] | p[i + 1] << 8)));
}

static void acc_end(struct acc *a)
{
	free(a->seen);
	a->seen = NULL;
	struct weight_stats *st = a->st;
	if (!st->n)
		return;
	st->mean = a->sum / (double)st->n;
	double var = a->sumsq / (double)st->n - st->mean * st->mean;
	st->std = var > 0 ? sqrt(var) : 0;
}

/* the values of an NN weight field into a, for one pass */
static void feed_nn(const struct nn_weight *w, struct acc *a)
{
	if (!strcmp(w->type, "float32")) {
		if (w->value) {
			size_t pos = 0;
			uint64_t u;
			while (mt_scalar_next(w->value, &pos, &u))
				acc_add(a, mt_raw_double(w->value->fd, u));
		} else {
			size_t len;
			uint8_t *b = nn_weight_gather(w, &len);
			acc_bytes(a, b, len, 32);
			free(b);
		}
	} else {
		acc_bytes(a, w->value->val, w->value->vlen, 16);
	}
}

static void half_stats(const uint8_t *p, size_t len, int mapped, struct weight_stats *st);

int weight_stats_nn(const struct nn_weight *w, struct weight_stats *st, char **why)
{
	memset(st, 0, sizeof(*st));
	*why = NULL;
	/* values spread over many fields are gathered into memory first: bounded */
	if (!w->value && w->count > STATS_MAX) {
		*why = xasprintf("too big for statistics (%llu elements)", (unsigned long long)w->count);
		return -1;
	}
	if (strcmp(w->type, "float32") && !(!strcmp(w->type, "float16") && w->value)) {
		*why = xasprintf("no statistics for %s values", w->type);
		return -1;
	}
	if (!strcmp(w->type, "float16")) {
		half_stats(w->value->val, w->value->vlen, 0, st);
		return 0;
	}
	struct acc a = { st, 0, 0, 0, NULL, NULL, 0, 0 };
	feed_nn(w, &a);
	acc_end(&a);
	a.pass = 1;
	feed_nn(w, &a);
	return 0;
}

static void (*progress_fn)(void *ctx, uint64_t done, uint64_t total);
static void *progress_ctx;

void weight_stats_progress(void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

#define CHUNK (16u << 20) /* bytes read between page releases and progress calls */

/* lets go of the whole pages of [p, p + n) of a mapped file */
static void release_pages(const uint8_t *p, size_t n)
{
#ifdef MADV_DONTNEED
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0)
		return;
	uintptr_t a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);
	uintptr_t b = ((uintptr_t)p + n) & ~(uintptr_t)(pg - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
#else
	(void)p, (void)n;
#endif
}

/* maps the pages of [p, p + n) of a mapped file in one call (where the
 * system can), rather than one fault a page as they are read */
static void populate_pages(const uint8_t *p, size_t n)
{
#ifdef MADV_POPULATE_READ
	long pg = sysconf(_SC_PAGESIZE);
	if (pg <= 0)
		return;
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);
	uintptr_t b = ((uintptr_t)p + n + (uintptr_t)pg - 1) & ~(uintptr_t)(pg - 1);
	madvise((void *)a, b - a, MADV_POPULATE_READ); /* EINVAL on older kernels: faults then */
#else
	(void)p, (void)n;
#endif
}

/* every float16 bit pattern as a float, made once */
static const float *half_table(void)
{
	static float *t;
	if (!t) {
		t = xmalloc(65536 * sizeof(*t));
		for (uint32_t h = 0; h < 65536; h++)
			t[h] = weight_half((uint16_t)h);
	}
	return t;
}

/* float16 values in one pass: a count of each bit pattern, then every
 * statistic from the 65536 counts (the distinct values exactly) */
static void half_stats(const uint8_t *p, size_t len, int mapped, struct weight_stats *st)
{
	/* counted a chunk at a time in 32 bits (tables half the size stay in
	 * cache), added up after each; four values at a time, into four
	 * tables, so that runs of one value do not wait on each other.  The
	 * tables are made once and kept (a listing of many tensors would
	 * otherwise allocate them for each, and an allocator that holds freed
	 * memory back, as sanitizers do, would grow by as much) */
	static uint64_t *cnt;
	static uint32_t *t;
	if (!cnt) {
		cnt = xmalloc(65536 * sizeof(*cnt));
		t = xcalloc(4 * 65536, sizeof(*t));
	}
	memset(cnt, 0, 65536 * sizeof(*cnt));
	size_t n = len / 2;
	for (size_t at = 0; at < n;) {
		size_t end = at + CHUNK / 2 < n ? at + CHUNK / 2 : n;
		if (mapped)
			populate_pages(p + 2 * at, 2 * (end - at));
		size_t i = at;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		for (; i + 4 <= end; i += 4) {
			uint64_t w;
			memcpy(&w, p + 2 * i, 8);
			t[w & 0xffff]++;
			t[65536 + ((w >> 16) & 0xffff)]++;
			t[2 * 65536 + ((w >> 32) & 0xffff)]++;
			t[3 * 65536 + (w >> 48)]++;
		}
#endif
		for (; i < end; i++)
			t[p[2 * i] | p[2 * i + 1] << 8]++;
		for (uint32_t h = 0; h < 65536; h++) {
			cnt[h] += (uint64_t)t[h] + t[65536 + h] + t[2 * 65536 + h] + t[3 * 65536 + h];
			t[h] = t[65536 + h] = t[2 * 65536 + h] = t[3 * 65536 + h] = 0;
		}
		if (mapped)
			release_pages(p + 2 * at, 2 * (end - at));
		at = end;
		if (progress_fn && len > CHUNK)
			progress_fn(progress_ctx, 2 * (uint64_t)at, len);
	}
	const float *h2f = half_table();
	double sum = 0, sumsq = 0;
	for (uint32_t h = 0; h < 65536; h++) {
		uint64_t c = cnt[h];
		if (!c)
			continue;
		double x = h2f[h];
		st->count += c;
		if (isnan(x)) {
			st->nan += c;
			continue;
		}
		if (isinf(x)) {
			st->inf += c;
			continue;
		}
		if (x == 0)
			st->zeros += c;
		/* -0 and +0 are one value */
		if (h != 0x8000 || !cnt[0])
			st->unique++;
		if (!st->n || x < st->min)
			st->min = x;
		if (!st->n || x > st->max)
			st->max = x;
		st->n += c;
		sum += (double)c * x;
		sumsq += (double)c * x * x;
	}
	if (st->n) {
		st->mean = sum / (double)st->n;
		double var = sumsq / (double)st->n - st->mean * st->mean;
		st->std = var > 0 ? sqrt(var) : 0;
		for (uint32_t h = 0; h < 65536 && st->max > st->min; h++) {
			double x = h2f[h];
			if (!cnt[h] || !isfinite(x))
				continue;
			int b = (int)((x - st->min) / (st->max - st->min) * WEIGHT_BINS);
			st->bins[b < 0 ? 0 : b >= WEIGHT_BINS ? WEIGHT_BINS - 1 : b] += cnt[h];
		}
	}
	if (progress_fn && len > CHUNK)
		progress_fn(progress_ctx, len, 0);
}

/* float32 values in two passes, a chunk at a time */
static void float_stats(const uint8_t *p, size_t len, int mapped, struct weight_stats *st)
{
	struct acc a = { st, 0, 0, 0, NULL, NULL, 0, 0 };
	for (a.pass = 0; a.pass < 2; a.pass++) {
		for (size_t at = 0; at < len;) {
			size_t end = at + CHUNK < len ? at + CHUNK : len;
			end -= (end - at) % 4;
			if (end == at)
				break;
			if (mapped)
				populate_pages(p + at, end - at);
			acc_bytes(&a, p + at, end - at, 32);
			if (mapped)
				release_pages(p + at, end - at);
			if (progress_fn && len > CHUNK)
				progress_fn(progress_ctx, (uint64_t)a.pass * len + end, 2 * (uint64_t)len);
			at = end;
		}
		if (!a.pass)
			acc_end(&a);
	}
	if (progress_fn && len > CHUNK)
		progress_fn(progress_ctx, 2 * (uint64_t)len, 0);
}

int weight_stats_blob(struct blob_store *store, const char *file, uint64_t offset, const struct mil_dtype *dtype,
		      uint64_t count, struct weight_stats *st, char **why)
{
	(void)count;
	memset(st, 0, sizeof(*st));
	*why = NULL;
	const char *dn = dtype ? dtype->name : "";
	if (strcmp(dn, "fp32") && strcmp(dn, "fp16")) {
		*why = xasprintf("no statistics for %s values", *dn ? dn : "unknown");
		return -1;
	}
	const struct blob_file *bf = blob_store_get(store, file);
	struct blob_rec r;
	if (!bf || blob_read(bf, offset, &r) < 0) {
		*why = xstrdup("the blob cannot be read");
		return -1;
	}
	/* the record's own type: the declared one may be wrong (weights warns) */
	if (r.dtype == 1)
		half_stats(bf->data + r.data, (size_t)r.size, bf->mapped, st);
	else if (r.dtype == 2)
		float_stats(bf->data + r.data, (size_t)r.size, bf->mapped, st);
	else {
		*why = xasprintf("no statistics for %s values", mil_dtype_of_blob(r.dtype)->name);
		return -1;
	}
	return 0;
}

/* ---- compressed tensors, dequantized ---------------------------------------- */

/* the repeated float field num of a message (packed or not), as doubles */
static double *floats_of(struct mt_node *n, uint32_t num, size_t *count)
{
	size_t k = 0, cap = 0;
	double *v = NULL;
	for (size_t i = 0; n && i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (f->number != num || !f->fd)
			continue;
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(f, &pos, &u)) {
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			v[k++] = mt_raw_double(f->fd, u);
		}
	}
	*count = k;
	return v;
}

/* the unsigned code i of n-bit codes packed most-significant bit first (NN) */
static unsigned code_msb(const uint8_t *p, uint64_t i, int bits)
{
	unsigned v = 0;
	for (uint64_t b = i * (uint64_t)bits, e = b + (uint64_t)bits; b < e; b++)
		v = (v << 1) | ((p[b >> 3] >> (7 - (b & 7))) & 1u);
	return v;
}

/* a neural-network weight: rawValue or int8RawValue with its QuantizationParams
 * (numberOfBits, linearQuantization {scale, bias}, lookupTableQuantization {floatValue}) */
/* (with into: the dequantized values collected there, one pass, no statistics) */
static int dequant_nn(const struct nn_weight *w, struct weight_dequant *dq, char **why, struct acc *into)
{
	struct mt_node *q = mt_get(w->node, F_WeightParams_quantization);
	long m = q && mt_parse(q) == 0 ? set_member(q) : -1;
	struct mt_node *how = m >= 0 ? mt_child(q, (size_t)m) : NULL;
	int is_int8 = !strcmp(w->type, "int8");
	if (!w->value || !how || (strcmp(w->type, "quantized") && strcmp(w->type, "lut") && !is_int8)) {
		*why = xasprintf("%s values: nothing to dequantize", w->type);
		return -1;
	}
	int lut = q->f[m].number == F_QuantizationParams_lookupTableQuantization;
	size_t na = 0, nb = 0;
	double *a = floats_of(how, lut ? F_LookUpTableQuantizationParams_floatValue : F_LinearQuantizationParams_scale,
			      &na),
	       *b = lut ? NULL : floats_of(how, F_LinearQuantizationParams_bias, &nb);
	int bits = is_int8 ? 8 : w->bits;
	uint64_t n = w->count;
	int rc = 0;
	if (!na || (lut && na < (size_t)1 << bits) || (!lut && (n % na || (nb && n % nb)))) {
		*why = xstrdup(lut ? "its lookup table is shorter than its codes need"
				   : "its scales or biases do not divide its elements");
		rc = -1;
	} else {
		snprintf(dq->scheme, sizeof(dq->scheme), "%s %d-bit", lut ? "lut" : "linear", bits);
		dq->bits = bits;
		dq->dense = n;
		dq->stored_bits = (uint64_t)w->value->vlen * 8 + (uint64_t)(na + nb) * 32;
		const uint8_t *p = w->value->val;
		struct acc own = { &dq->st, 0, 0, 0, NULL, NULL, 0, 0 };
		struct acc *accp = into ? into : &own;
#define acc (*accp)
		for (acc.pass = 0; acc.pass < (into ? 1 : 2); acc.pass++) {
			for (uint64_t i = 0; i < n; i++) {
				unsigned c = is_int8 ? p[i] : code_msb(p, i, bits);
				double x;
				if (lut) {
					x = a[c];
				} else {
					double code = is_int8 ? (double)(int8_t)c : (double)c;
					x = code * a[na > 1 ? i / (n / na) : 0] +
					    (nb ? b[nb > 1 ? i / (n / nb) : 0] : 0);
				}
				acc_add(&acc, x);
			}
			if (!acc.pass && !into)
				acc_end(&acc);
		}
#undef acc
	}
	free(a);
	free(b);
	return rc;
}

/* the numbers of a MIL Value (immediate, or a blob in a weight file): its
 * bytes as its data type stores them */
struct mvals {
	const uint8_t *p;
	size_t len;
	const struct mil_dtype *dt;
	uint64_t count;
	uint8_t *own; /* bytes built from an immediate value */
};

/* element i as a double: sub-byte types packed least-significant bit first */
static double mval_at(const struct mvals *v, uint64_t i)
{
	const uint8_t *p = v->p;
	switch (v->dt->blob) {
	case 1: return weight_half((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
	case 2: {
		uint32_t u = wire_le32(p + 4 * i);
		float f;
		memcpy(&f, &u, 4);
		return f;
	}
	case 3: return p[i];
	case 4: return (int8_t)p[i];
	case 14: return (int32_t)wire_le32(p + 4 * i);
	case 15: return wire_le32(p + 4 * i);
	default: break;
	}
	int bits = v->dt->bits;
	unsigned u = 0;
	for (int k = 0; k < bits; k++) {
		uint64_t b = i * (uint64_t)bits + (uint64_t)k;
		u |= (unsigned)((p[b >> 3] >> (b & 7)) & 1u) << k;
	}
	if (v->dt->blob == 8 && (u & 8)) /* int4 */
		return (double)(int)(u | ~0xFu);
	return u;
}

/* the data types mval_at reads */
static int mval_known(const struct mil_dtype *d)
{
	return d &&
	       (d->blob == 1 || d->blob == 2 || d->blob == 3 || d->blob == 4 || d->blob == 8 || d->blob == 9 ||
		d->blob == 10 || d->blob == 11 || d->blob == 12 || d->blob == 13 || d->blob == 14 || d->blob == 15);
}

/* a Value: its tensor type's dataType; an immediateValue tensor of floats,
 * ints or bytes, or a blobFileValue (fileName, offset) */
static int mval_read(struct blob_store *store, struct mt_node *value, struct mvals *v, char **why)
{
	memset(v, 0, sizeof(*v));
	struct mt_node *t = value ? mt_get(value, F_MILSpec_Value_type) : NULL,
		       *tt = t ? mt_get(t, F_MILSpec_ValueType_tensorType) : NULL;
	v->dt = tt ? mil_dtype((int)mt_get_int(tt, F_MILSpec_TensorType_dataType, 0)) : NULL;
	if (!mval_known(v->dt)) {
		*why = xasprintf("a part of %s type mlpkg does not decode", v->dt ? v->dt->name : "unknown");
		return -1;
	}
	struct mt_node *blob = mt_get(value, F_MILSpec_Value_blobFileValue),
		       *imm = mt_get(value, F_MILSpec_Value_immediateValue);
	if (blob) {
		char *file = field_str(blob, F_MILSpec_Value_BlobFileValue_fileName);
		const struct blob_file *bf = store ? blob_store_get(store, file) : NULL;
		free(file);
		struct blob_rec r;
		if (!bf || blob_read(bf, (uint64_t)mt_get_int(blob, F_MILSpec_Value_BlobFileValue_offset, 0), &r) < 0) {
			*why = xstrdup("a blob of it cannot be read");
			return -1;
		}
		v->p = bf->data + r.data;
		v->len = (size_t)r.size;
		v->count = blob_elements(&r, v->dt->bits);
		return 0;
	}
	struct mt_node *tv = imm ? mt_get(imm, F_MILSpec_Value_ImmediateValue_tensor) : NULL;
	long m = tv && mt_parse(tv) == 0 ? set_member(tv) : -1;
	struct mt_node *c = m >= 0 ? mt_child(tv, (size_t)m) : NULL;
	uint32_t kind = m >= 0 ? tv->f[m].number : 0;
	if (c && kind == F_MILSpec_TensorValue_bytes) { /* bytes: the values as the type stores them */
		long b = mt_find_last(c, F_MILSpec_TensorValue_RepeatedBytes_values);
		if (b >= 0) {
			v->p = c->f[b].val;
			v->len = c->f[b].vlen;
			v->count = v->len * 8 / (size_t)v->dt->bits;
			return 0;
		}
	}
	if (c && (kind == F_MILSpec_TensorValue_floats ||
		  kind == F_MILSpec_TensorValue_ints)) { /* floats, ints: as fp32 or int32 bytes */
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < c->n; i++) {
			const struct mt_field *f = &c->f[i];
			/* values: 1 in RepeatedFloats and RepeatedInts alike */
			if (f->number != 1 || !f->fd)
				continue;
			size_t pos = 0;
			uint64_t u;
			while (mt_scalar_next(f, &pos, &u)) {
				uint8_t b4[4];
				if (kind == F_MILSpec_TensorValue_floats) {
					float x = (float)mt_raw_double(f->fd, u);
					memcpy(b4, &x, 4);
				} else {
					uint32_t x = (uint32_t)mt_raw_int(f->fd, u);
					for (int k = 0; k < 4; k++)
						b4[k] = (uint8_t)(x >> (8 * k));
				}
				sb_add(&sb, b4, 4);
				v->count++;
			}
		}
		v->dt = mil_dtype_of_blob(kind == F_MILSpec_TensorValue_floats ? 2 : 14);
		v->len = sb.len;
		v->own = (uint8_t *)sb_detach(&sb, NULL);
		v->p = v->own;
		return 0;
	}
	*why = xstrdup("a part of it is neither a blob nor an immediate tensor");
	return -1;
}

/* the Value of attribute key of an operation */
static struct mt_node *op_attr(struct mt_node *op, const char *key)
{
	long i = -1;
	struct mt_node *e;
	while (next_child(op, F_MILSpec_Operation_attributes, &i, &e) == 1) {
		char *k = field_str(e, F_MILSpec_Operation_AttributesEntry_key);
		int hit = !strcmp(k, key);
		free(k);
		if (hit)
			return mt_get(e, F_MILSpec_Operation_AttributesEntry_value);
	}
	return NULL;
}

static uint64_t mval_bits(const struct mvals *v)
{
	return v->count * (uint64_t)v->dt->bits;
}

/* constexpr_affine_dequantize (iOS 16): dense = (quantized_data - zero_point) * scale,
 * zero_point and scale one value or one per index along axis */
static int dequant_affine(const struct weight_list *L, const struct weight_entry *e, struct weight_dequant *dq,
			  char **why, struct acc *into)
{
	struct mvals q, zp, sc, ax;
	int rc = -1;
	memset(&zp, 0, sizeof(zp));
	memset(&sc, 0, sizeof(sc));
	memset(&ax, 0, sizeof(ax));
	if (mval_read(L->store, op_attr(e->op, "quantized_data"), &q, why) < 0)
		return -1;
	if (mval_read(L->store, op_attr(e->op, "zero_point"), &zp, why) < 0 ||
	    mval_read(L->store, op_attr(e->op, "scale"), &sc, why) < 0 ||
	    mval_read(L->store, op_attr(e->op, "axis"), &ax, why) < 0 || !ax.count)
		goto out;
	int64_t axis = (int64_t)mval_at(&ax, 0);
	if (axis < 0)
		axis += (int64_t)e->rank;
	uint64_t dim = axis >= 0 && (size_t)axis < e->rank && e->shape[axis] > 0 ? (uint64_t)e->shape[axis] : 0;
	uint64_t inner = 1;
	for (size_t d = (size_t)(axis + 1); dim && d < e->rank; d++)
		inner *= e->shape[d] > 0 ? (uint64_t)e->shape[d] : 0;
	if (!dim || !inner || (zp.count != 1 && zp.count != dim) || (sc.count != 1 && sc.count != dim) || !q.count) {
		*why = xstrdup("its scale or zero point does not fit its axis");
		goto out;
	}
	snprintf(dq->scheme, sizeof(dq->scheme), "affine %s", q.dt->name);
	dq->bits = q.dt->bits;
	dq->dense = q.count;
	dq->stored_bits = mval_bits(&q) + mval_bits(&zp) + mval_bits(&sc);
	struct acc own = { &dq->st, 0, 0, 0, NULL, NULL, 0, 0 }, *accp = into ? into : &own;
#define acc (*accp)
	for (acc.pass = 0; acc.pass < (into ? 1 : 2); acc.pass++) {
		for (uint64_t i = 0; i < q.count; i++) {
			uint64_t c = (i / inner) % dim;
			acc_add(&acc, (mval_at(&q, i) - mval_at(&zp, zp.count > 1 ? c : 0)) *
					      mval_at(&sc, sc.count > 1 ? c : 0));
		}
		if (!acc.pass && !into)
			acc_end(&acc);
	}
#undef acc
	rc = 0;
out:
	free(q.own);
	free(zp.own);
	free(sc.own);
	free(ax.own);
	return rc;
}

/* constexpr_lut_to_dense (iOS 16): lut of 2^n values, indices n-bit codes
 * packed into uint8 bytes (least-significant bit first), shape the dense tensor's */
static int dequant_lut(const struct weight_list *L, const struct weight_entry *e, struct weight_dequant *dq, char **why,
		       struct acc *into)
{
	struct mvals lut, idx, shape;
	int rc = -1;
	memset(&idx, 0, sizeof(idx));
	memset(&shape, 0, sizeof(shape));
	if (mval_read(L->store, op_attr(e->op, "lut"), &lut, why) < 0)
		return -1;
	if (mval_read(L->store, op_attr(e->op, "indices"), &idx, why) < 0 ||
	    mval_read(L->store, op_attr(e->op, "shape"), &shape, why) < 0)
		goto out;
	int bits = 0;
	while (bits < 9 && ((uint64_t)1 << bits) < lut.count)
		bits++;
	uint64_t dense = shape.count ? 1 : 0;
	for (uint64_t d = 0; d < shape.count; d++)
		dense *= (uint64_t)mval_at(&shape, d);
	if (((uint64_t)1 << bits) != lut.count || bits > 8 || strcmp(idx.dt->name, "uint8") || !dense ||
	    (dense * (uint64_t)bits + 7) / 8 > idx.len) {
		*why = xstrdup("its lookup table, indices and shape do not fit together (a form after iOS 16?)");
		goto out;
	}
	snprintf(dq->scheme, sizeof(dq->scheme), "palettized %d-bit", bits);
	dq->bits = bits;
	dq->dense = dense;
	dq->stored_bits = mval_bits(&idx) + mval_bits(&lut);
	struct mvals codes = { idx.p, idx.len,
			       mil_dtype_named(bits == 8   ? "uint8"
					       : bits == 4 ? "uint4"
					       : bits == 2 ? "uint2"
					       : bits == 1 ? "uint1"
					       : bits == 3 ? "uint3"
							   : "uint6"),
			       dense, NULL };
	if (!codes.dt) {
		*why = xasprintf("%d-bit indices", bits);
		goto out;
	}
	struct acc own = { &dq->st, 0, 0, 0, NULL, NULL, 0, 0 }, *accp = into ? into : &own;
#define acc (*accp)
	for (acc.pass = 0; acc.pass < (into ? 1 : 2); acc.pass++) {
		for (uint64_t i = 0; i < dense; i++)
			acc_add(&acc, mval_at(&lut, (uint64_t)mval_at(&codes, i)));
		if (!acc.pass && !into)
			acc_end(&acc);
	}
#undef acc
	rc = 0;
out:
	free(lut.own);
	free(idx.own);
	free(shape.own);
	return rc;
}

int weight_dequant(const struct weight_list *L, size_t i, struct weight_dequant *dq, char **why)
{
	memset(dq, 0, sizeof(*dq));
	*why = NULL;
	const struct weight_entry *e = &L->v[i];
	uint64_t n = e->is_nn ? e->w.count : e->op_count ? e->op_count : weight_count(e);
	if (n > STATS_MAX) {
		*why = xasprintf("too big for statistics (%llu elements)", (unsigned long long)n);
		return -1;
	}
	if (e->is_nn)
		return dequant_nn(&e->w, dq, why, NULL);
	int affine = !strcmp(e->optype, "constexpr_affine_dequantize");
	int lut = !strcmp(e->optype, "constexpr_lut_to_dense");
	if (!affine && !lut) {
		*why = xasprintf("%s: not a compressed tensor mlpkg dequantizes", e->optype);
		return -1;
	}
	if (!e->op) {
		*why = xstrdup("dequantized statistics are read from a spec, not from model.mil");
		return -1;
	}
	if (strcmp(e->key, affine ? "quantized_data" : "indices")) {
		/* the operation's name: the entry's, less ".KEY" */
		size_t nl = strlen(e->name), kl = strlen(e->key);
		int keyed = nl > kl + 1 && !strcmp(e->name + nl - kl, e->key) && e->name[nl - kl - 1] == '.';
		*why = xasprintf("its %s: part of the %s weight %.*s, dequantized with its %s", e->key,
				 affine ? "quantized" : "palettized", (int)(keyed ? nl - kl - 1 : nl), e->name,
				 affine ? "quantized_data" : "indices");
		return -1;
	}
	return affine ? dequant_affine(L, e, dq, why, NULL) : dequant_lut(L, e, dq, why, NULL);
}

int weight_values(const struct weight_list *L, size_t i, struct weight_stats *st, char **why)
{
	const struct weight_entry *e = &L->v[i];
	if (e->is_nn)
		return weight_stats_nn(&e->w, st, why);
	if (!L->store) {
		memset(st, 0, sizeof(*st));
		*why = xstrdup("no weight file");
		return -1;
	}
	return weight_stats_blob(L->store, e->file, e->offset, e->dtype, weight_count(e), st, why);
}

/* ---- the values themselves (diff) ------------------------------------------- */

static double *collect_start(struct acc *a, uint64_t n)
{
	memset(a, 0, sizeof(*a));
	a->collect = xmalloc((n ? n : 1) * sizeof(double));
	a->maxcollect = n;
	return a->collect;
}

int weight_nn_doubles(const struct nn_weight *w, double **out, uint64_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	*why = NULL;
	if (w->count > STATS_MAX) {
		*why = xasprintf("too big to compare (%llu elements)", (unsigned long long)w->count);
		return -1;
	}
	struct acc a;
	double *v = collect_start(&a, w->count);
	if (!strcmp(w->type, "float32") || (!strcmp(w->type, "float16") && w->value)) {
		feed_nn(w, &a);
	} else {
		struct weight_dequant dq;
		memset(&dq, 0, sizeof(dq));
		if (dequant_nn(w, &dq, why, &a) < 0) {
			free(v);
			return -1;
		}
	}
	*out = v;
	*n = a.ncollect;
	return 0;
}

int weight_blob_doubles(struct blob_store *store, const char *file, uint64_t offset, double **out, uint64_t *n,
			char **why)
{
	*out = NULL;
	*n = 0;
	*why = NULL;
	const struct blob_file *bf = store ? blob_store_get(store, file) : NULL;
	struct blob_rec r;
	if (!bf || blob_read(bf, offset, &r) < 0) {
		*why = xstrdup("the blob cannot be read");
		return -1;
	}
	if (r.dtype != 1 && r.dtype != 2) {
		*why = xasprintf("%s values", mil_dtype_of_blob(r.dtype)->name);
		return -1;
	}
	uint64_t count = r.size / (r.dtype == 1 ? 2 : 4);
	if (count > STATS_MAX) {
		*why = xasprintf("too big to compare (%llu elements)", (unsigned long long)count);
		return -1;
	}
	struct acc a;
	double *v = collect_start(&a, count);
	acc_bytes(&a, bf->data + r.data, (size_t)r.size, r.dtype == 1 ? 16 : 32);
	*out = v;
	*n = a.ncollect;
	return 0;
}

/* the dimensions of a formatted type, "fp16[10,8]": rank (up to max) and
 * shape, -1 for an unknown one; 0 when it has none */
static size_t type_shape(const char *t, int64_t *shape, size_t max)
{
	const char *p = t ? strchr(t, '[') : NULL;
	size_t r = 0;
	while (p && *p != ']' && r < max) {
		p++;
		char *end;
		long long d = strtoll(p, &end, 10);
		shape[r++] = end == p ? -1 : d;
		p = strpbrk(end, ",]");
	}
	return p ? r : 0;
}

int weight_op_doubles(struct blob_store *store, struct mt_node *op, double **out, uint64_t *n, char *scheme,
		      size_t scheme_size, char **why)
{
	*out = NULL;
	*n = 0;
	*why = NULL;
	if (scheme_size)
		*scheme = 0;
	struct mil_op o;
	if (mil_op_read(op, &o, MIL_OP_FULL) < 0) {
		*why = xstrdup("the operation cannot be read");
		return -1;
	}
	int rc = -1;
	struct acc a;
	memset(&a, 0, sizeof(a));
	if (o.type && !strcmp(o.type, "const")) {
		struct mvals v;
		if (mval_read(store, op_attr(op, "val"), &v, why) == 0) {
			if (v.count > STATS_MAX) {
				*why = xasprintf("too big to compare (%llu elements)", (unsigned long long)v.count);
			} else {
				collect_start(&a, v.count);
				for (uint64_t i = 0; i < v.count; i++)
					acc_add(&a, mval_at(&v, i));
				rc = 0;
			}
			free(v.own);
		}
	} else if (o.type &&
		   (!strcmp(o.type, "constexpr_lut_to_dense") || !strcmp(o.type, "constexpr_affine_dequantize"))) {
		int64_t shape[16];
		struct weight_list L;
		struct weight_entry e;
		struct weight_dequant dq;
		memset(&L, 0, sizeof(L));
		memset(&e, 0, sizeof(e));
		memset(&dq, 0, sizeof(dq));
		L.store = store;
		e.op = op;
		e.optype = o.type;
		e.shape = shape;
		e.rank = o.nout ? type_shape(o.out[0].type, shape, 16) : 0;
		uint64_t dense = e.rank ? 1 : 0;
		for (size_t d = 0; d < e.rank; d++)
			dense *= shape[d] > 0 ? (uint64_t)shape[d] : 0;
		if (!dense) {
			*why = xstrdup("its dense shape is not known");
		} else if (dense > STATS_MAX) {
			*why = xasprintf("too big to compare (%llu elements)", (unsigned long long)dense);
		} else {
			collect_start(&a, dense);
			rc = !strcmp(o.type, "constexpr_lut_to_dense") ? dequant_lut(&L, &e, &dq, why, &a)
								       : dequant_affine(&L, &e, &dq, why, &a);
			if (rc == 0 && scheme_size)
				snprintf(scheme, scheme_size, "%s", dq.scheme);
		}
	} else {
		*why = xasprintf("%s: not a tensor mlpkg reads", o.type ? o.type : "?");
	}
	mil_op_release(&o);
	if (rc < 0) {
		free(a.collect);
		return -1;
	}
	*out = a.collect;
	*n = a.ncollect;
	return 0;
}
