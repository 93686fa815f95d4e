/* mkmodel-common: what every kind of mkmodel uses: failing (OUT removed again), the arena every
 * message lives in, the deterministic numbers (splitmix64, float16), output files, the .mlpackage
 * folder with its Manifest.json, and weight.bin built in memory. */
#include "mkmodel.h"
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

const char *progname = "mkmodel";
const char *out_path; /* what we are writing: removed again when we fail */

static void remove_partial(const char *path);

/* ---- failing ------------------------------------------------------------------------------ */
void fatal(const char *fmt, ...)
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

void *anew(size_t n)
{
	void *p = xcalloc(1, n);
	xgrow((void **)&arena, &arena_cap, arena_len + 1, sizeof *arena);
	arena[arena_len++] = p;
	return p;
}

void arena_free(void)
{
	for (size_t i = 0; i < arena_len; i++)
		free(arena[i]);
	free(arena);
	arena = NULL;
	arena_len = arena_cap = 0;
}

void *adup(const void *src, size_t n)
{
	void *p = anew(n);
	memcpy(p, src, n);
	return p;
}

char *astr(const char *s)
{
	return adup(s, strlen(s) + 1);
}

char *astrf(const char *fmt, ...)
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
void *apush(void *arr, size_t n, size_t el)
{
	void *p = anew((n + 1) * el);
	if (n)
		memcpy(p, arr, n * el);
	return p;
}

/* ---- deterministic numbers ------------------------------------------------------------------ */
uint64_t rng_state;

uint64_t rng_next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* uniform in [-scale, scale) */
float rng_float(float scale)
{
	float u = (float)(rng_next() >> 40) / 16777216.0f;
	return (u * 2.0f - 1.0f) * scale;
}

/* IEEE binary32 to binary16, round to nearest even */
uint16_t f2h(float f)
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

void put_u16le(uint8_t *p, uint16_t v)
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

void put_f32le(uint8_t *p, float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	put_u32le(p, x);
}

float *rand_floats(size_t n, float scale)
{
	float *v = anew(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = rng_float(scale);
	return v;
}

/* n float16 values as little-endian bytes */
uint8_t *rand_halves(size_t n, float scale)
{
	uint8_t *b = anew(n * 2);
	for (size_t i = 0; i < n; i++)
		put_u16le(b + 2 * i, f2h(rng_float(scale)));
	return b;
}

/* n float32 values as little-endian bytes */
uint8_t *rand_f32_bytes(size_t n, float scale)
{
	uint8_t *b = anew(n * 4);
	for (size_t i = 0; i < n; i++)
		put_f32le(b + 4 * i, rng_float(scale));
	return b;
}

float *floats_const(size_t n, float v)
{
	float *a = anew(n * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = v;
	return a;
}

/* ---- files ------------------------------------------------------------------------------- */
FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		fatal("cannot create %s: %s", path, strerror(errno));
	return f;
}

void close_out(FILE *f, const char *path)
{
	if (ferror(f)) {
		fclose(f);
		fatal("cannot write %s", path);
	}
	if (fclose(f) != 0)
		fatal("cannot write %s: %s", path, strerror(errno));
}

void xwrite(FILE *f, const void *p, size_t n, const char *path)
{
	if (n && fwrite(p, 1, n, f) != n)
		fatal("cannot write %s: %s", path, strerror(errno));
}

void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = open_out(path);
	xwrite(f, p, n, path);
	close_out(f, path);
}

void make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0)
		fatal("cannot create %s: %s", path, strerror(errno));
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int r = (flag == FTW_DP) ? rmdir(path) : unlink(path);
	if (r != 0)
		fatal("cannot remove %s: %s", path, strerror(errno));
	return 0;
}

/* OUT is replaced: a file goes; a folder goes only when it looks like a package (holds nothing but
 * Manifest.json and Data), so that a typo cannot wipe an unrelated folder */
void remove_existing(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return;
		fatal("cannot stat %s: %s", path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode)) {
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
			fatal("refusing to replace %s: not a regular file", path);
		if (unlink(path) != 0)
			fatal("cannot remove %s: %s", path, strerror(errno));
		return;
	}
	DIR *d = opendir(path);
	if (!d)
		fatal("cannot open %s: %s", path, strerror(errno));
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "Manifest.json") && strcmp(n, "Data") &&
		    strcmp(n, ".DS_Store")) {
			closedir(d);
			fatal("refusing to replace %s: it is a folder but not a model package", path);
		}
	}
	closedir(d);
	if (nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fatal("cannot remove %s: %s", path, strerror(errno));
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

void write_model(const Model *m, const char *path)
{
	size_t n = core_ml__specification__model__get_packed_size(m);
	uint8_t *buf = xmalloc(n);
	size_t got = core_ml__specification__model__pack(m, buf);
	if (got != n)
		fatal("internal error: packed %zu bytes, expected %zu", got, n);
	write_file(path, buf, n);
	free(buf);
}

/* ---- the .mlpackage folder ----------------------------------------------------------------- */
void package_begin(struct package *p, const char *root, const char *spec_id, const char *weights_id)
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
void package_manifest(const struct package *p)
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
void blobfile_init(struct blobfile *w)
{
	memset(w, 0, sizeof *w);
	uint8_t hdr[64] = { 0 };
	sb_add(&w->sb, hdr, sizeof hdr);
}

uint64_t align_up(uint64_t n, uint64_t a)
{
	return (n + a - 1) / a * a;
}

void blob_record(uint8_t rec[64], uint32_t dtype, uint64_t size, uint64_t data_off)
{
	memset(rec, 0, 64);
	put_u32le(rec, BLOB_SENTINEL);
	put_u32le(rec + 4, dtype);
	put_u64le(rec + 8, size);
	put_u64le(rec + 16, data_off);
	put_u64le(rec + 24, 0); /* padding_size_in_bits: only for sub-byte types */
}

void blob_header(uint8_t hdr[64], uint32_t count)
{
	memset(hdr, 0, 64);
	put_u32le(hdr, count);
	put_u32le(hdr + 4, 2);
}

/* appends one blob; returns the offset of its metadata record (what blobFileValue.offset holds) */
uint64_t blob_add(struct blobfile *w, uint32_t dtype, const void *data, size_t n)
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

void blobfile_write(struct blobfile *w, const char *path)
{
	blob_header((uint8_t *)w->sb.buf, w->count);
	write_file(path, w->sb.buf, w->sb.len);
	sb_release(&w->sb);
}
