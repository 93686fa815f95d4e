/* tree: the lazy, exact spec tree.
 *
 * A node is a message type (a protobuf-c descriptor) over a span of bytes.
 * Its fields are listed only when someone asks (mt_parse), its children only
 * when someone opens them (mt_child).  Fields the schema does not know stay
 * raw spans.  An edit replaces, inserts or removes whole field encodings and
 * marks the path to the root dirty; writing a tree re-encodes the dirty
 * nodes only and copies every other span verbatim, so unknown fields, field
 * order and map-entry order survive byte for byte.
 *
 * Merging.  The tree shows what a protobuf parser sees.  When a singular
 * (not repeated) message field occurs several times in a message (legal
 * protobuf: the occurrences merge), only its last occurrence is listed in
 * the node's fields, flagged MT_F_MERGED; the earlier ones are kept aside
 * (they are still written where they were while nothing in them changes).
 * mt_child of the flagged field gives a merged node over the payloads of
 * every occurrence: its fields are theirs concatenated in order, so the
 * usual lookup rules give protobuf's answer (the last scalar wins, repeated
 * fields concatenate, and singular messages inside merge in turn).  Members
 * of one oneof reset each other: an occurrence followed by another member of
 * its oneof is not merged into a later one.
 *
 * Edits of a merged view: when anything in a merged node changes, the node
 * is written once, at its last occurrence, holding all the fields it lists
 * (the earlier occurrences are dropped), which a parser reads as the merged
 * view with the edit.  mt_replace and mt_remove of a flagged field replace or
 * remove every occurrence.  A field inserted with mt_insert is not merged
 * with occurrences already listed (mt_ensure finds the existing one). */
#ifndef MLPKG_TREE_H
#define MLPKG_TREE_H
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

enum {
	MT_F_MISMATCH = 1, /* known number, unexpected wire type: kept as unknown */
	MT_F_PACKED = 2,   /* a repeated scalar in packed (LEN) form */
	MT_F_MERGED = 4,   /* a singular message that earlier occurrences merge into */
};

struct mt_node;
struct mt_file;
struct mt_merge;

struct mt_field {
	uint32_t number;
	uint8_t wt;
	uint8_t flags;
	const ProtobufCFieldDescriptor *fd; /* NULL: unknown to our schema */
	const uint8_t *raw;                 /* the whole field, tag included */
	size_t rawlen;
	const uint8_t *val; /* value bytes (LEN: the payload) */
	size_t vlen;
	uint64_t u;            /* varint / fixed value */
	struct mt_node *child; /* opened message, or NULL */
	uint8_t *own;          /* storage for raw after an edit */
};

enum { MT_UNPARSED = 0, MT_PARSED = 1, MT_BAD = -1 };

struct mt_node {
	const ProtobufCMessageDescriptor *desc;
	const uint8_t *data;
	size_t len;
	struct mt_node *parent;
	const char *label; /* file name for messages (owned by the root) */
	struct mt_field *f;
	size_t n, cap;
	int state;
	int dirty;
	int depth;
	uint64_t size_cache;
	uint8_t *own;           /* root only: owned data */
	struct mt_file *file;   /* the mapped file under the tree (owned by the root), or NULL */
	int reported;           /* root only: an invalid node of the tree was reported */
	struct mt_merge *merge; /* earlier occurrences kept aside, and a merged node's payloads; or NULL */
};

#define MT_MAX_DEPTH 100

/* A root over data (not copied: it must outlive the tree).  label names the
 * file in messages.  Free with mt_free. */
struct mt_node *mt_root_new(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, const char *label);
void mt_free(struct mt_node *n);
/* Tells a root that its bytes lie in a read-only mapping of file fd, whose
 * offset 0 is at base (len bytes mapped; fd must stay open while the tree
 * lives).  Big nodes are then listed by reading their field headers with
 * pread, skipping large payloads, instead of through the mapping: looking at
 * a few fields of a 1 GiB spec touches no page of it (page faults, and the
 * resident memory they bring, grow with what is looked at).  Small fields of
 * such nodes are copied; everything else still points into the mapping. */
void mt_root_set_file(struct mt_node *root, int fd, const uint8_t *base, size_t len);

/* Lists the node's fields; 0, or -1 (reported, exit class EXIT_INVALID). */
int mt_parse(struct mt_node *n);
/* Opens message field i as a child node (parsed); NULL if it is not a known
 * message field or is invalid (reported). */
struct mt_node *mt_child(struct mt_node *n, size_t i);
/* Index of the first field numbered num at or after from, or -1. */
long mt_find(struct mt_node *n, uint32_t num, size_t from);
long mt_find_last(struct mt_node *n, uint32_t num);
/* Child message by field number (last occurrence), NULL when absent. */
struct mt_node *mt_get(struct mt_node *n, uint32_t num);
/* Child message by path of field names "a.b.c", NULL when absent. */
struct mt_node *mt_get_path(struct mt_node *n, const char *path);
/* Field number for a field name of the node's type, 0 when unknown. */
uint32_t mt_number(const struct mt_node *n, const char *name);
/* mt_get and mt_get_int by field name (NULL n or an unknown name: absent) */
struct mt_node *mt_get_named(struct mt_node *n, const char *name);
int64_t mt_get_int_named(struct mt_node *n, const char *name, int64_t dflt);
/* The elements of repeated field name (packed or not; messages and strings one
 * each), 0 when absent or unknown. */
size_t mt_count_named(struct mt_node *n, const char *name);
/* The node's path from the root, "description.metadata"; caller frees. */
char *mt_path(const struct mt_node *n);
/* Parses every node below n; 0, or -1 on the first invalid one. */
int mt_validate(struct mt_node *n);
/* Validates everything below n without keeping any of it (cheap: spans
 * of bytes and packed fixed-width fields are skipped, not read); 0, or -1
 * reported with the path of the first invalid node. */
int mt_check(struct mt_node *n);
/* Counts fields our schema does not know below n (opens every node). */
size_t mt_count_unknown(struct mt_node *n);

/* Field values. */
const char *mt_str(const struct mt_field *f, size_t *len); /* not NUL-terminated */
int64_t mt_int(const struct mt_field *f);                  /* any integer, enum or bool type */
double mt_double(const struct mt_field *f);                /* float or double */
/* String/bytes of the last occurrence of field num as a new C string (NULL when absent). */
char *mt_get_str(struct mt_node *n, uint32_t num);
int64_t mt_get_int(struct mt_node *n, uint32_t num, int64_t dflt);
/* Iterates the elements of a repeated scalar field occurrence, packed or not:
 * *pos starts at 0; returns 1 and the element's raw value in *u, or 0 at the end. */
int mt_scalar_next(const struct mt_field *f, size_t *pos, uint64_t *u);
/* Done with field f's value for now: when it lies in the mapped file, the
 * pages wholly inside it leave the process's memory (they come back from the
 * page cache if read again), so that a walk over every value of a big model
 * (dump --json) stays flat in memory.  Does nothing for small values. */
void mt_release_value(const struct mt_node *n, const struct mt_field *f);
/* Interprets a raw element value by the field's type. */
int64_t mt_raw_int(const ProtobufCFieldDescriptor *fd, uint64_t u);
double mt_raw_double(const ProtobufCFieldDescriptor *fd, uint64_t u);

/* Edits (each marks the path to the root dirty). enc is a whole field
 * encoding (tag and value) and is copied. */
void mt_replace(struct mt_node *n, size_t i, const uint8_t *enc, size_t len);
void mt_insert(struct mt_node *n, size_t pos, const uint8_t *enc, size_t len);
void mt_remove(struct mt_node *n, size_t i);
/* Removes every field i for which drop(n, i, ctx) returns nonzero, in one
 * pass; returns how many were removed. */
size_t mt_remove_if(struct mt_node *n, int (*drop)(struct mt_node *n, size_t i, void *ctx), void *ctx);
/* Where a new field numbered num goes: after the last field numbered <= num. */
size_t mt_insert_pos(struct mt_node *n, uint32_t num);
/* Sets a string/bytes field: replaces the last occurrence (dropping earlier
 * ones) or inserts it in number order.  NULL value removes the field. */
void mt_set_bytes(struct mt_node *n, uint32_t num, const void *p, size_t len);
/* The child message numbered num, created empty if absent; NULL if invalid. */
struct mt_node *mt_ensure(struct mt_node *n, uint32_t num);
void mt_mark_dirty(struct mt_node *n);
/* Encodes a LEN field (tag, length, payload) into a new buffer. */
uint8_t *mt_encode_len(uint32_t num, const void *p, size_t len, size_t *outlen);

/* Writing. */
struct mt_sink {
	int (*write)(void *ctx, const void *p, size_t n);
	void *ctx;
};
uint64_t mt_size(struct mt_node *n);
int mt_write(struct mt_node *n, struct mt_sink *s);
/* The node's encoding in a new buffer (for small messages and tests). */
uint8_t *mt_serialize(struct mt_node *n, size_t *len);
#endif
