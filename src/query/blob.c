/* blob: weight.bin headers and records, MIL data types (see blob.h). */
#include "query/blob.h"
#include "base/error.h"
#include "model/model.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "base/fs.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* MILSpec.DataType values, their sizes and their weight.bin codes
 * (BlobDataType: 1 Float16, 2 Float32, 3 UInt8, 4 Int8, 5 BFloat16, 6 Int16,
 * 7 UInt16, 8 Int4, 9 UInt1, 10 UInt2, 11 UInt4, 12 UInt3, 13 UInt6,
 * 14 Int32, 15 UInt32, 16 Float8E4M3FN, 17 Float8E5M2). */
static const struct mil_dtype dtypes[] = {
	{ 1, "bool", 8, 0, "|b1" },      { 2, "string", 0, 0, NULL },     { 10, "fp16", 16, 1, "<f2" },
	{ 11, "fp32", 32, 2, "<f4" },    { 12, "fp64", 64, 0, "<f8" },    { 13, "bf16", 16, 5, "<u2" },
	{ 21, "int8", 8, 4, "|i1" },     { 22, "int16", 16, 6, "<i2" },   { 23, "int32", 32, 14, "<i4" },
	{ 24, "int64", 64, 0, "<i8" },   { 25, "int4", 4, 8, "|i1" },     { 31, "uint8", 8, 3, "|u1" },
	{ 32, "uint16", 16, 7, "<u2" },  { 33, "uint32", 32, 15, "<u4" }, { 34, "uint64", 64, 0, "<u8" },
	{ 35, "uint4", 4, 11, "|u1" },   { 36, "uint2", 2, 10, "|u1" },   { 37, "uint1", 1, 9, "|u1" },
	{ 38, "uint6", 6, 13, "|u1" },   { 39, "uint3", 3, 12, "|u1" },   { 40, "fp8e4m3fn", 8, 16, "|u1" },
	{ 41, "fp8e5m2", 8, 17, "|u1" },
};
#define NDTYPES (sizeof(dtypes) / sizeof(dtypes[0]))

const struct mil_dtype *mil_dtype(int mil)
{
	for (size_t i = 0; i < NDTYPES; i++)
		if (dtypes[i].mil == mil)
			return &dtypes[i];
	return NULL;
}

const struct mil_dtype *mil_dtype_of_blob(uint32_t code)
{
	for (size_t i = 0; i < NDTYPES; i++)
		if (code && dtypes[i].blob == code)
			return &dtypes[i];
	return NULL;
}

const struct mil_dtype *mil_dtype_named(const char *name)
{
	for (size_t i = 0; i < NDTYPES; i++)
		if (!strcmp(dtypes[i].name, name))
			return &dtypes[i];
	return NULL;
}

int blob_file_open(struct blob_file *b, const uint8_t *data, size_t len, const char *label)
{
	memset(b, 0, sizeof(*b));
	b->data = data;
	b->len = len;
	b->label = label;
	if (len < BLOB_ALIGNMENT)
		return error_code(EXIT_INVALID, "'%s': not a weight file (%zu bytes, shorter than its header)", label,
				  len);
	uint64_t lfs_size;
	if (lfs_pointer(data, len, &lfs_size))
		return lfs_error(label, lfs_size);
	b->count = wire_le32(data);
	b->version = wire_le32(data + 4);
	if (b->version != BLOB_VERSION)
		return error_code(EXIT_INVALID, "'%s': weight file version %u, only version %d is known", label,
				  b->version, BLOB_VERSION);
	return 0;
}

int blob_read(const struct blob_file *b, uint64_t at, struct blob_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->at = at;
	if (at < BLOB_ALIGNMENT || at > b->len || b->len - at < BLOB_ALIGNMENT)
		return error_code(EXIT_INVALID, "'%s': blob offset %llu is outside the file (%zu bytes)", b->label,
				  (unsigned long long)at, b->len);
	const uint8_t *p = b->data + at;
	uint32_t sentinel = wire_le32(p);
	if (sentinel != BLOB_SENTINEL)
		return error_code(EXIT_INVALID, "'%s': no blob record at offset %llu (sentinel 0x%08x, not 0x%08x)",
				  b->label, (unsigned long long)at, sentinel, BLOB_SENTINEL);
	r->dtype = wire_le32(p + 4);
	r->size = wire_le64(p + 8);
	r->data = wire_le64(p + 16);
	r->pad_bits = wire_le64(p + 24);
	if (!mil_dtype_of_blob(r->dtype))
		return error_code(EXIT_INVALID, "'%s': blob at offset %llu has unknown data type %u", b->label,
				  (unsigned long long)at, r->dtype);
	if (r->data < BLOB_ALIGNMENT || r->data > b->len || r->size > b->len - r->data)
		return error_code(
			EXIT_INVALID,
			"'%s': blob at offset %llu: data (%llu bytes at %llu) is outside the file (%zu bytes)",
			b->label, (unsigned long long)at, (unsigned long long)r->size, (unsigned long long)r->data,
			b->len);
	/* the padding field was reserved (and left uninitialised by older
	 * writers) before sub-byte types: it means something only for them */
	if (mil_dtype_of_blob(r->dtype)->bits >= 8)
		r->pad_bits = 0;
	else if (r->pad_bits >= 8 || r->pad_bits > r->size * 8)
		return error_code(EXIT_INVALID, "'%s': blob at offset %llu: %llu bits of padding", b->label,
				  (unsigned long long)at, (unsigned long long)r->pad_bits);
	return 0;
}

int blob_next(const struct blob_file *b, uint64_t *at, uint32_t *i, struct blob_rec *r)
{
	if (*at == 0) {
		*at = BLOB_ALIGNMENT;
		*i = 0;
	}
	if (*i >= b->count)
		return 0;
	if (blob_read(b, *at, r) < 0)
		return -1;
	uint64_t end = r->data + r->size;
	*at = (end + BLOB_ALIGNMENT - 1) / BLOB_ALIGNMENT * BLOB_ALIGNMENT;
	if (*at <= r->at)
		return error_code(EXIT_INVALID, "'%s': blob at offset %llu points backwards", b->label,
				  (unsigned long long)r->at);
	(*i)++;
	return 1;
}

uint64_t blob_elements(const struct blob_rec *r, int bits)
{
	if (bits <= 0)
		return 0;
	return (r->size * 8 - r->pad_bits) / (uint64_t)bits;
}

void bits_unpack(const uint8_t *src, uint64_t n, int bits, int is_signed, int msb_first, uint8_t *dst)
{
	uint64_t bit = 0;
	for (uint64_t i = 0; i < n; i++) {
		unsigned v = 0;
		for (int k = 0; k < bits; k++, bit++) {
			if (msb_first)
				v = (v << 1) | ((src[bit >> 3] >> (7 - (bit & 7))) & 1u);
			else
				v |= (unsigned)((src[bit >> 3] >> (bit & 7)) & 1) << k;
		}
		if (is_signed && (v & (1u << (bits - 1))))
			v |= ~0u << bits;
		dst[i] = (uint8_t)v;
	}
}

/* ---- the weight files of a model ------------------------------------------ */

struct blob_entry {
	char *name;
	char *label;
	struct buf bytes;
	int failed;
	int absent; /* failed: not there, or a Git LFS pointer */
	struct blob_file file;
};

struct blob_store {
	struct mlpkg_model *m;
	char *dir; /* a compiled folder's files, when m is NULL */
	struct blob_entry *e;
	size_t n, cap;
};

struct blob_store *blob_store_new(struct mlpkg_model *m)
{
	struct blob_store *s = xcalloc(1, sizeof(*s));
	s->m = m;
	return s;
}

struct blob_store *blob_store_new_dir(const char *dir)
{
	struct blob_store *s = xcalloc(1, sizeof(*s));
	s->dir = xstrdup(dir);
	return s;
}

/* the file name names in the folder, mapped: 0, or -1 reported */
static int read_in_dir(struct blob_store *s, struct blob_entry *e)
{
	const char *mp = "@model_path/";
	const char *rel = strncmp(e->name, mp, strlen(mp)) ? e->name : e->name + strlen(mp);
	char *path = xasprintf("%s/%s", s->dir, rel);
	if (fs_leads_outside(s->dir, path)) {
		free(path);
		return error_code(EXIT_INVALID, "'%s': leads outside the folder: not read", e->label);
	}
	int fd = open(path, O_RDONLY);
	free(path);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int err = fd < 0 ? errno : EISDIR;
		if (fd >= 0)
			close(fd);
		return error_code(err == ENOENT ? EXIT_NOTFOUND : EXIT_INVALID, "'%s': %s", e->label,
				  err == ENOENT ? "the weight file the program names is missing" : strerror(err));
	}
	int r = 0;
	if (st.st_size == 0)
		buf_own_heap(&e->bytes, xcalloc(1, 1), 0);
	else if (buf_map(&e->bytes, fd, (size_t)st.st_size) < 0)
		r = error_code(EXIT_FAIL, "'%s': cannot map: %s", e->label, strerror(errno));
	close(fd);
	return r;
}

const struct blob_file *blob_store_get(struct blob_store *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].name, name)) {
			if (s->e[i].failed) {
				error_code_silent(s->e[i].failed);
				return NULL;
			}
			return &s->e[i].file;
		}
	xgrow((void **)&s->e, &s->cap, s->n + 1, sizeof(*s->e));
	struct blob_entry *e = &s->e[s->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	const char *mp = "@model_path/";
	/* the file's path in the package (or archive, or compiled folder) */
	char *dir = strncmp(name, mp, strlen(mp)) || !s->m ? NULL : mlpkg_model_dir(s->m);
	if (!s->m)
		e->label = xasprintf("%s/%s", s->dir, strncmp(name, mp, strlen(mp)) ? name : name + strlen(mp));
	else if (dir)
		e->label = xasprintf("%s/%s/%s", s->m->path, dir, name + strlen(mp));
	else
		e->label = xasprintf("%s/%s", s->m->path, name);
	free(dir);
	struct error_capture rd;
	error_capture_begin(&rd, ERRCAP_WATCH);
	int r = s->m ? mlpkg_read_item(s->m, name, &e->bytes) : read_in_dir(s, e);
	int code = error_capture_end(&rd);
	if (r < 0) {
		e->absent = code == EXIT_NOTFOUND;
		/* a package (or compiled folder) without the weight file its spec names is broken */
		if (code == EXIT_NOTFOUND && (!s->m || s->m->fmt == FMT_PACKAGE || s->m->fmt == FMT_ZIP))
			error_code_silent(code = EXIT_INVALID);
		e->failed = code != EXIT_OK ? code : EXIT_FAIL;
		return NULL;
	}
	uint64_t lfs_size;
	e->absent = lfs_pointer(e->bytes.p, e->bytes.len, &lfs_size);
	if (blob_file_open(&e->file, e->bytes.p, e->bytes.len, e->label) < 0) {
		e->failed = EXIT_INVALID;
		return NULL;
	}
	e->file.mapped = e->bytes.kind == BUF_MMAP;
	return &e->file;
}

int blob_store_absent(const struct blob_store *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->e[i].name, name))
			return s->e[i].failed && s->e[i].absent;
	return 0;
}

void blob_store_free(struct blob_store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct blob_entry *e = &s->e[i];
		buf_release(&e->bytes);
		free(e->name);
		free(e->label);
	}
	free(s->e);
	free(s->dir);
	free(s);
}
