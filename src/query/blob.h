/* blob: MIL blob storage (weight.bin, version 2) and the MIL data types.
 *
 * A weight file is a 64-byte header (count, version) followed by blobs, each
 * a 64-byte metadata record (sentinel 0xDEADBEEF, data type, size, absolute
 * data offset, padding bits) and its data, everything 64-byte aligned.  A
 * spec's blobFileValue names the file and the offset of a record.  Only the
 * records asked for are read; blob data is never touched here. */
#ifndef MLPKG_BLOB_H
#define MLPKG_BLOB_H
#include <stddef.h>
#include <stdint.h>

#define BLOB_ALIGNMENT 64
#define BLOB_SENTINEL 0xDEADBEEFu
#define BLOB_VERSION 2

/* A data type of the MIL schema (MILSpec.DataType) and how it is stored. */
struct mil_dtype {
	int mil;          /* MILSpec.DataType value */
	const char *name; /* short name: fp16, fp32, int8, uint4, bf16, fp8e4m3fn, ... */
	int bits;         /* element size in bits (0: not a fixed-size type) */
	uint32_t blob;    /* weight.bin data type code, 0 when it cannot be stored */
	const char *npy;  /* numpy descr for .npy files (raw bit patterns for bf16, fp8) */
};
/* NULL for values the table does not know */
const struct mil_dtype *mil_dtype(int mil);
/* by weight.bin data type code (1 Float16 ... 17 Float8E5M2); NULL when unknown */
const struct mil_dtype *mil_dtype_of_blob(uint32_t code);
/* by short name (fp16, int8...); NULL when unknown */
const struct mil_dtype *mil_dtype_named(const char *name);

/* a weight file over bytes that outlive it (mapped or read by the caller) */
struct blob_file {
	const uint8_t *data;
	size_t len;
	const char *label; /* for messages: "MODEL: weights/weight.bin" */
	uint32_t count;    /* blobs the header announces */
	uint32_t version;
	int mapped; /* data is a read-only mapping of the file: pages read may be let go */
};

/* one metadata record */
struct blob_rec {
	uint64_t at;       /* offset of the record */
	uint32_t dtype;    /* weight.bin data type code */
	uint64_t size;     /* data bytes */
	uint64_t data;     /* offset of the data */
	uint64_t pad_bits; /* unused bits at the end (sub-byte types) */
};

/* Checks the header (size, version 2).  0, or -1 reported (EXIT_INVALID). */
int blob_file_open(struct blob_file *b, const uint8_t *data, size_t len, const char *label);
/* Reads the record at offset at: sentinel, known data type, data inside the
 * file, padding below 8 bits.  0, or -1 reported (EXIT_INVALID). */
int blob_read(const struct blob_file *b, uint64_t at, struct blob_rec *r);
/* Walks the records in file order: *at starts at 0 (the first record follows
 * the header); 1 and the record, 0 after the last of count, -1 reported. */
int blob_next(const struct blob_file *b, uint64_t *at, uint32_t *i, struct blob_rec *r);
/* Number of elements a record holds for an element size in bits. */
uint64_t blob_elements(const struct blob_rec *r, int bits);

/* Unpacks n sub-byte elements of `bits` bits into one byte each,
 * sign-extended when is_signed.  weight.bin packs least-significant bit
 * first; neural-network quantized weights pack most-significant bit first
 * (msb_first).  src holds at least (n * bits + 7) / 8 bytes. */
void bits_unpack(const uint8_t *src, uint64_t n, int bits, int is_signed, int msb_first, uint8_t *dst);

struct mlpkg_model;
/* The weight files of one model, opened on first use and kept until freed. */
struct blob_store;
struct blob_store *blob_store_new(struct mlpkg_model *m);
/* The same for a compiled model folder: "@model_path/X" is dir/X (mapped;
 * a name leading outside the folder is refused). */
struct blob_store *blob_store_new_dir(const char *dir);
/* The weight file a blobFileValue names ("@model_path/weights/weight.bin"),
 * header checked; NULL when it cannot be had (reported once: EXIT_NOTFOUND
 * outside a package, EXIT_INVALID when the file is missing or bad). */
const struct blob_file *blob_store_get(struct blob_store *s, const char *name);
/* 1 when blob_store_get failed on name because the file is not there: the
 * package lacks it or holds a Git LFS pointer in its place (not fetched),
 * as opposed to a file that is there and bad or a link leading outside */
int blob_store_absent(const struct blob_store *s, const char *name);
void blob_store_free(struct blob_store *s);
#endif
