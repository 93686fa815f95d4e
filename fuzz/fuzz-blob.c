/* fuzz-blob: libFuzzer target for weight.bin (MIL blob storage v2) headers
 * and records: the header, every record in file order, records at offsets
 * taken from the input, and sub-byte unpacking of what a record holds. */
#include "query/blob.h"
#include "base/error.h"
#include "spec/wire.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* messages about the fuzzed input are expected: none is printed */
static void quiet(int code, int is_warning, const char *msg, void *ctx)
{
	(void)code;
	(void)is_warning;
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rec(const struct blob_file *b, const struct blob_rec *r)
{
	/* what blob_read accepts lies inside the file */
	if (r->data > b->len || r->size > b->len - r->data)
		abort();
	const struct mil_dtype *t = mil_dtype_of_blob(r->dtype);
	if (!t)
		abort();
	uint64_t n = blob_elements(r, t->bits);
	if (t->bits && t->bits < 8 && n) {
		if ((n * (uint64_t)t->bits + 7) / 8 > r->size)
			abort();
		uint64_t k = n < 256 ? n : 256;
		uint8_t out[256];
		bits_unpack(b->data + r->data, k, t->bits, t->mil == 25, 0, out);
		bits_unpack(b->data + r->data, k, t->bits, 1, 1, out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	set_error_routine(quiet, NULL);
	struct blob_file b;
	if (blob_file_open(&b, data, size, "fuzz") < 0)
		return 0;
	uint64_t at = 0;
	uint32_t i = 0;
	struct blob_rec r;
	int k = 0, s;
	while (k++ < 4096 && (s = blob_next(&b, &at, &i, &r)) == 1)
		check_rec(&b, &r);
	/* records at offsets the header's reserved bytes name (as a spec would) */
	for (size_t off = 8; off + 8 <= 64; off += 8) {
		if (blob_read(&b, wire_le64(data + off), &r) == 0)
			check_rec(&b, &r);
	}
	return 0;
}
