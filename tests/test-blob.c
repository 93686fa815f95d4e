/* test-blob: weight.bin blob storage (src/query/blob.h): the MIL data type
 * table, the file header, metadata records and the walk over them, element
 * counts and sub-byte unpacking, all on weight files built here byte by byte
 * (FORMAT.md section 3), then a model's weight store on a package from
 * mkmodel.  Malformed files must give EXIT_INVALID, never a crash or a read
 * outside the buffer (the buffers are exact-size heap copies, so ASan sees
 * any overrun). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "unit.h"
#include "model/model.h"
#include "query/blob.h"

/* ---- weight files built by hand ---------------------------------------------------- */

struct wfile {
	uint8_t *p;
	size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wf_init(struct wfile *w, uint32_t count, uint32_t version)
{
	w->len = 64;
	w->p = xcalloc(1, 64);
	put32(w->p, count);
	put32(w->p + 4, version);
}

/* appends a record (at the next 64-byte boundary) and its data of size
 * bytes filled with fill; returns the record's offset */
static uint64_t wf_add(struct wfile *w, uint32_t dtype, uint64_t size, uint64_t pad_bits, uint8_t fill)
{
	uint64_t at = (w->len + 63) / 64 * 64;
	size_t nl = (size_t)(at + 64 + size);
	w->p = xrealloc(w->p, nl);
	memset(w->p + w->len, 0, nl - w->len);
	uint8_t *r = w->p + at;
	put32(r, BLOB_SENTINEL);
	put32(r + 4, dtype);
	put64(r + 8, size);
	put64(r + 16, at + 64);
	put64(r + 24, pad_bits);
	memset(r + 64, fill, (size_t)size);
	w->len = nl;
	return at;
}

static void wf_free(struct wfile *w)
{
	free(w->p);
	w->p = NULL;
}

/* ---- the data type table ------------------------------------------------------------- */

static void dtype_table(void **state)
{
	(void)state;
	const struct mil_dtype *d = mil_dtype(10);
	assert_non_null(d);
	assert_string_equal(d->name, "fp16");
	assert_int_equal(d->bits, 16);
	assert_int_equal(d->blob, 1);
	assert_ptr_equal(mil_dtype_of_blob(1), d);
	d = mil_dtype(11);
	assert_string_equal(d->name, "fp32");
	assert_int_equal(d->blob, 2);
	assert_string_equal(mil_dtype_of_blob(8)->name, "int4");
	assert_int_equal(mil_dtype_of_blob(8)->bits, 4);
	assert_string_equal(mil_dtype_of_blob(9)->name, "uint1");
	assert_string_equal(mil_dtype_of_blob(12)->name, "uint3");
	assert_string_equal(mil_dtype_of_blob(17)->name, "fp8e5m2");
	/* every weight.bin code of FORMAT.md maps to a type storing it */
	for (uint32_t code = 1; code <= 17; code++) {
		const struct mil_dtype *t = mil_dtype_of_blob(code);
		assert_non_null(t);
		assert_int_equal(t->blob, code);
		assert_ptr_equal(mil_dtype(t->mil), t);
		assert_true(t->bits > 0);
	}
	/* unknown codes and types */
	assert_null(mil_dtype_of_blob(0));
	assert_null(mil_dtype_of_blob(18));
	assert_null(mil_dtype_of_blob(0xFFFFFFFFu));
	assert_null(mil_dtype(0));
	assert_null(mil_dtype(-1));
	assert_null(mil_dtype(9999));
	/* types that cannot be stored have code 0 */
	assert_int_equal(mil_dtype(2)->blob, 0); /* string */
	assert_int_equal(mil_dtype(2)->bits, 0);
}

/* ---- header ---------------------------------------------------------------------------- */

static void header_ok(void **state)
{
	(void)state;
	struct wfile w;
	wf_init(&w, 0, 2);
	struct blob_file b;
	int rc = -1;
	EXPECT_CLASS(EXIT_OK, rc = blob_file_open(&b, w.p, w.len, "w"));
	assert_int_equal(rc, 0);
	assert_int_equal(b.count, 0);
	assert_int_equal(b.version, 2);
	assert_int_equal(b.len, 64);
	/* no blobs: the walk ends at once */
	uint64_t at = 0;
	uint32_t i = 0;
	struct blob_rec r;
	assert_int_equal(blob_next(&b, &at, &i, &r), 0);
	wf_free(&w);
}

static void header_bad(void **state)
{
	(void)state;
	struct blob_file b;
	int rc = 0;
	/* empty and shorter than the header */
	uint8_t *p = xcalloc(1, 63);
	put32(p + 4, 2);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_file_open(&b, p, 0, "w"));
	assert_int_equal(rc, -1);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_file_open(&b, p, 63, "w"));
	assert_int_equal(rc, -1);
	free(p);
	/* versions other than 2 */
	const uint32_t versions[] = { 0, 1, 3, 0xFFFFFFFFu };
	for (size_t k = 0; k < sizeof(versions) / sizeof(versions[0]); k++) {
		struct wfile w;
		wf_init(&w, 1, versions[k]);
		EXPECT_CLASS(EXIT_INVALID, rc = blob_file_open(&b, w.p, w.len, "w"));
		assert_int_equal(rc, -1);
		wf_free(&w);
	}
	/* a Git LFS pointer where the weights should be */
	const char *lfs = "version https://git-lfs.github.com/spec/v1\n"
			  "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
			  "size 12345\n";
	size_t ll = strlen(lfs);
	p = xmalloc(ll);
	memcpy(p, lfs, ll);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_file_open(&b, p, ll, "w"));
	assert_int_equal(rc, -1);
	free(p);
}

/* ---- records ----------------------------------------------------------------------------- */

static void read_records(void **state)
{
	(void)state;
	struct wfile w;
	wf_init(&w, 3, 2);
	uint64_t a0 = wf_add(&w, 1, 10, 0, 0x11); /* 5 fp16 */
	uint64_t a1 = wf_add(&w, 2, 64, 0, 0x22); /* 16 fp32 */
	uint64_t a2 = wf_add(&w, 11, 3, 4, 0x33); /* 5 uint4, 4 bits of padding */
	assert_int_equal(a0, 64);
	assert_int_equal(a1, 192);
	assert_int_equal(a2, 320);
	struct blob_file b;
	assert_int_equal(blob_file_open(&b, w.p, w.len, "w"), 0);
	assert_int_equal(b.count, 3);
	struct blob_rec r;
	int rc = -1;
	EXPECT_CLASS(EXIT_OK, rc = blob_read(&b, a0, &r));
	assert_int_equal(rc, 0);
	assert_int_equal(r.at, 64);
	assert_int_equal(r.dtype, 1);
	assert_int_equal(r.size, 10);
	assert_int_equal(r.data, 128);
	assert_int_equal(r.pad_bits, 0);
	assert_int_equal(blob_elements(&r, 16), 5);
	assert_int_equal(w.p[r.data], 0x11);
	assert_int_equal(blob_read(&b, a2, &r), 0);
	assert_int_equal(r.dtype, 11);
	assert_int_equal(r.pad_bits, 4);
	assert_int_equal(blob_elements(&r, 4), 5);

	/* the walk visits the three in order, then stops */
	uint64_t at = 0;
	uint32_t i = 0;
	const uint64_t want[] = { a0, a1, a2 };
	for (int k = 0; k < 3; k++) {
		assert_int_equal(blob_next(&b, &at, &i, &r), 1);
		assert_int_equal(r.at, want[k]);
		assert_int_equal(i, k + 1);
	}
	assert_int_equal(blob_next(&b, &at, &i, &r), 0);
	assert_int_equal(blob_next(&b, &at, &i, &r), 0);
	wf_free(&w);
}

/* padding is read only for sub-byte types: older writers left it as junk */
static void padding_rules(void **state)
{
	(void)state;
	struct wfile w;
	wf_init(&w, 4, 2);
	uint64_t fp = wf_add(&w, 1, 4, 0xDEADDEADull, 0); /* fp16: junk ignored */
	uint64_t u1 = wf_add(&w, 9, 1, 7, 0);             /* 1 uint1 in a byte */
	uint64_t bad8 = wf_add(&w, 11, 2, 8, 0);          /* a whole byte of padding */
	uint64_t badz = wf_add(&w, 8, 0, 1, 0);           /* padding in no data */
	struct blob_file b;
	assert_int_equal(blob_file_open(&b, w.p, w.len, "w"), 0);
	struct blob_rec r;
	int rc = 0;
	assert_int_equal(blob_read(&b, fp, &r), 0);
	assert_int_equal(r.pad_bits, 0);
	assert_int_equal(blob_elements(&r, 16), 2);
	assert_int_equal(blob_read(&b, u1, &r), 0);
	assert_int_equal(blob_elements(&r, 1), 1);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, bad8, &r));
	assert_int_equal(rc, -1);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, badz, &r));
	assert_int_equal(rc, -1);
	/* the walk stops at the first bad record, reporting it */
	uint64_t at = 0;
	uint32_t i = 0;
	EXPECT_CLASS(EXIT_INVALID, {
		rc = blob_next(&b, &at, &i, &r);
		rc += blob_next(&b, &at, &i, &r);
		rc += blob_next(&b, &at, &i, &r);
	});
	assert_int_equal(rc, 1 + 1 - 1);
	wf_free(&w);
}

static void records_malformed(void **state)
{
	(void)state;
	struct wfile w;
	wf_init(&w, 1, 2);
	uint64_t a = wf_add(&w, 2, 8, 0, 0x5A);
	struct blob_file b;
	struct blob_rec r;
	int rc = 0;
	assert_int_equal(blob_file_open(&b, w.p, w.len, "w"), 0);
	/* offsets inside the header, at the end, past the end, not leaving
	 * room for a record, and ones that would overflow */
	const uint64_t offs[] = { 0, 1, 63, w.len, w.len + 1, w.len - 63, UINT64_MAX, UINT64_MAX - 63 };
	for (size_t k = 0; k < sizeof(offs) / sizeof(offs[0]); k++) {
		EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, offs[k], &r));
		assert_int_equal(rc, -1);
	}
	/* no sentinel where a record should be (the record's data) */
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a + 8, &r));
	assert_int_equal(rc, -1);
	uint8_t *rec = w.p + a;
	/* a wrong sentinel */
	put32(rec, 0xDEADBEEEu);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, -1);
	put32(rec, BLOB_SENTINEL);
	assert_int_equal(blob_read(&b, a, &r), 0);
	/* unknown data types */
	const uint32_t types[] = { 0, 18, 1000 };
	for (size_t k = 0; k < 3; k++) {
		put32(rec + 4, types[k]);
		EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
		assert_int_equal(rc, -1);
	}
	put32(rec + 4, 2);
	/* data reaching past the end, by size or by offset, or wrapping */
	put64(rec + 8, 9);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, -1);
	put64(rec + 8, UINT64_MAX);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, -1);
	put64(rec + 8, 8);
	put64(rec + 16, w.len - 7);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, -1);
	put64(rec + 16, UINT64_MAX - 3);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, -1);
	/* data inside the header */
	put64(rec + 16, 8);
	EXPECT_CLASS(EXIT_INVALID, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, -1);
	/* zero bytes of data at the very end is fine */
	put64(rec + 8, 0);
	put64(rec + 16, w.len);
	EXPECT_CLASS(EXIT_OK, rc = blob_read(&b, a, &r));
	assert_int_equal(rc, 0);
	assert_int_equal(blob_elements(&r, 32), 0);
	wf_free(&w);
}

/* a header announcing more blobs than the file holds; a record whose data
 * points before it (the walk must not loop) */
static void walk_malformed(void **state)
{
	(void)state;
	struct wfile w;
	wf_init(&w, 5, 2);
	wf_add(&w, 4, 1, 0, 0);
	wf_add(&w, 4, 1, 0, 0);
	struct blob_file b;
	struct blob_rec r;
	assert_int_equal(blob_file_open(&b, w.p, w.len, "w"), 0);
	uint64_t at = 0;
	uint32_t i = 0;
	int rc = 0, got = 0;
	EXPECT_CLASS(EXIT_INVALID, while ((rc = blob_next(&b, &at, &i, &r)) == 1) got++);
	assert_int_equal(got, 2);
	assert_int_equal(rc, -1);
	wf_free(&w);

	wf_init(&w, 2, 2);
	uint64_t a = wf_add(&w, 4, 1, 0, 0);
	wf_add(&w, 4, 1, 0, 0);
	/* the first record holds no data and "starts" at itself: the next
	 * record would be where this one is */
	put64(w.p + a + 8, 0);
	put64(w.p + a + 16, a);
	assert_int_equal(blob_file_open(&b, w.p, w.len, "w"), 0);
	at = 0;
	i = 0;
	got = 0;
	EXPECT_CLASS(EXIT_INVALID, while ((rc = blob_next(&b, &at, &i, &r)) == 1 && got < 10) got++);
	assert_int_equal(rc, -1);
	assert_int_equal(got, 0);
	wf_free(&w);
}

/* ---- element counts and sub-byte values ---------------------------------------------- */

static void elements(void **state)
{
	(void)state;
	struct blob_rec r = { .size = 10 };
	assert_int_equal(blob_elements(&r, 8), 10);
	assert_int_equal(blob_elements(&r, 16), 5);
	assert_int_equal(blob_elements(&r, 32), 2);
	assert_int_equal(blob_elements(&r, 1), 80);
	assert_int_equal(blob_elements(&r, 3), 26);
	assert_int_equal(blob_elements(&r, 0), 0);
	assert_int_equal(blob_elements(&r, -4), 0);
	r.pad_bits = 2;
	assert_int_equal(blob_elements(&r, 6), 13);
	assert_int_equal(blob_elements(&r, 2), 39);
	r.size = 0;
	r.pad_bits = 0;
	assert_int_equal(blob_elements(&r, 4), 0);
}

static void unpack_bits(void **state)
{
	(void)state;
	uint8_t out[16];
	/* uint4, least significant first: 0x21 0x43 -> 1 2 3 4 */
	const uint8_t u4[] = { 0x21, 0x43 };
	bits_unpack(u4, 4, 4, 0, 0, out);
	assert_memory_equal(out, ((uint8_t[]){ 1, 2, 3, 4 }), 4);
	/* the same bytes most significant first: 2 1 4 3 */
	bits_unpack(u4, 4, 4, 0, 1, out);
	assert_memory_equal(out, ((uint8_t[]){ 2, 1, 4, 3 }), 4);
	/* int4: 0xF8 -> -8, -1 */
	const uint8_t i4[] = { 0xF8, 0x07 };
	bits_unpack(i4, 4, 4, 1, 0, out);
	assert_int_equal((int8_t)out[0], -8);
	assert_int_equal((int8_t)out[1], -1);
	assert_int_equal((int8_t)out[2], 7);
	assert_int_equal((int8_t)out[3], 0);
	/* uint1: 0b10100101 lsb first */
	const uint8_t u1[] = { 0xA5 };
	bits_unpack(u1, 8, 1, 0, 0, out);
	assert_memory_equal(out, ((uint8_t[]){ 1, 0, 1, 0, 0, 1, 0, 1 }), 8);
	bits_unpack(u1, 8, 1, 0, 1, out);
	assert_memory_equal(out, ((uint8_t[]){ 1, 0, 1, 0, 0, 1, 0, 1 }), 8);
	bits_unpack(u1, 3, 1, 0, 1, out);
	assert_memory_equal(out, ((uint8_t[]){ 1, 0, 1 }), 3);
	/* uint3 across byte boundaries: values 0..7 packed lsb first */
	uint8_t packed[3] = { 0 };
	for (unsigned v = 0, bit = 0; v < 8; v++)
		for (int k = 0; k < 3; k++, bit++)
			if (v >> k & 1)
				packed[bit / 8] |= (uint8_t)(1u << (bit % 8));
	bits_unpack(packed, 8, 3, 0, 0, out);
	for (unsigned v = 0; v < 8; v++)
		assert_int_equal(out[v], v);
	/* uint6 and uint2 */
	const uint8_t u6[] = { 0xFF, 0x0F, 0x00 }; /* 63, 63, 0, 0 */
	bits_unpack(u6, 4, 6, 0, 0, out);
	assert_memory_equal(out, ((uint8_t[]){ 63, 63, 0, 0 }), 4);
	const uint8_t u2[] = { 0xE4 }; /* 0 1 2 3 */
	bits_unpack(u2, 4, 2, 0, 0, out);
	assert_memory_equal(out, ((uint8_t[]){ 0, 1, 2, 3 }), 4);
	bits_unpack(u2, 4, 2, 1, 0, out); /* signed: 0 1 -2 -1 */
	assert_memory_equal(out, ((uint8_t[]){ 0, 1, 0xFE, 0xFF }), 4);
	/* n = 0 touches nothing */
	out[0] = 0x77;
	bits_unpack(NULL, 0, 4, 0, 0, out);
	assert_int_equal(out[0], 0x77);
}

/* ---- the weight files of a model ------------------------------------------------------- */

static void store_package(void **state)
{
	(void)state;
	char *p = unit_mkmodel("segmentation", "Seg.mlpackage");
	assert_non_null(p);
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(p, 0, &m), 0);
	struct blob_store *s = blob_store_new(m);
	const struct blob_file *b = NULL;
	EXPECT_CLASS(EXIT_OK, b = blob_store_get(s, "@model_path/weights/weight.bin"));
	assert_non_null(b);
	assert_int_equal(b->version, 2);
	assert_true(b->count >= 5); /* mkmodel's segmentation stores five tensors */
	assert_non_null(strstr(b->label, "weights/weight.bin"));
	/* opened once: the same file again */
	assert_ptr_equal(blob_store_get(s, "@model_path/weights/weight.bin"), b);
	/* every record walks and is a type the spec can use */
	uint64_t at = 0;
	uint32_t i = 0;
	struct blob_rec r;
	int rc;
	while ((rc = blob_next(b, &at, &i, &r)) == 1) {
		assert_int_equal(r.data % BLOB_ALIGNMENT, 0);
		assert_int_equal(r.data, r.at + 64);
		assert_non_null(mil_dtype_of_blob(r.dtype));
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, b->count);
	/* a weight file the package lacks: the package is broken (4), and
	 * asking again says so again without a second message */
	const struct blob_file *x = b;
	EXPECT_CLASS(EXIT_INVALID, x = blob_store_get(s, "@model_path/weights/missing.bin"));
	assert_null(x);
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	x = blob_store_get(s, "@model_path/weights/missing.bin");
	error_capture_end(&cap);
	assert_null(x);
	assert_int_equal(cap.errors, 1);
	assert_int_equal(cap.last, EXIT_INVALID);
	assert_null(cap.msgs);
	error_capture_release(&cap);
	blob_store_free(s);
	mlpkg_close(m);
	free(p);
}

/* a weight file that is not one, inside a package */
static void store_bad_file(void **state)
{
	(void)state;
	char *p = unit_mkmodel("segmentation", "Bad.mlpackage");
	assert_non_null(p);
	char *f = xasprintf("%s/Data/com.apple.CoreML/weights/weight.bin", p);
	uint8_t junk[100] = { 1, 0, 0, 0, 7, 0, 0, 0 }; /* version 7 */
	assert_int_equal(unit_spit(f, junk, sizeof(junk)), 0);
	free(f);
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(p, 0, &m), 0);
	struct blob_store *s = blob_store_new(m);
	const struct blob_file *b = NULL;
	EXPECT_CLASS(EXIT_INVALID, b = blob_store_get(s, "@model_path/weights/weight.bin"));
	assert_null(b);
	blob_store_free(s);
	mlpkg_close(m);
	free(p);
}

/* an .mlmodel has no weight files: not found (3), not invalid */
static void store_mlmodel(void **state)
{
	(void)state;
	char *p = unit_mkmodel("nn", "nn.mlmodel");
	assert_non_null(p);
	struct mlpkg_model *m;
	assert_int_equal(mlpkg_open(p, 0, &m), 0);
	struct blob_store *s = blob_store_new(m);
	const struct blob_file *b = NULL;
	EXPECT_CLASS(EXIT_NOTFOUND, b = blob_store_get(s, "@model_path/weights/weight.bin"));
	assert_null(b);
	blob_store_free(s);
	blob_store_free(NULL);
	mlpkg_close(m);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dtype_table),    cmocka_unit_test(header_ok),      cmocka_unit_test(header_bad),
		cmocka_unit_test(read_records),   cmocka_unit_test(padding_rules),  cmocka_unit_test(records_malformed),
		cmocka_unit_test(walk_malformed), cmocka_unit_test(elements),       cmocka_unit_test(unpack_bits),
		cmocka_unit_test(store_package),  cmocka_unit_test(store_bad_file), cmocka_unit_test(store_mlmodel),
	};
	return cmocka_run_group_tests_name("blob", tests, unit_setup, unit_teardown);
}
