/* zipio: zipped packages through libzip.  This file alone knows libzip's
 * ownership rules (a source is freed by us only when adding it failed). */
#ifndef MLPKG_ZIPIO_H
#define MLPKG_ZIPIO_H
#include <stddef.h>
#include <stdint.h>

struct zipio;

/* 1 when the file starts like a zip archive */
int zipio_sniff(const uint8_t *head, size_t n);
/* Opens an archive; NULL on error (reported with label, EXIT_INVALID). */
struct zipio *zipio_open(const char *path, int writable);
/* Opens for reading the archive open as fd (not taken: a copy is kept),
 * named path in messages. */
struct zipio *zipio_open_fd(const char *path, int fd);
void zipio_close(struct zipio *z); /* discards changes */
long zipio_count(struct zipio *z);
const char *zipio_name(struct zipio *z, long i);
long zipio_find(struct zipio *z, const char *name);
uint64_t zipio_size(struct zipio *z, long i);
/* Reads entry i whole; refuses entries larger than max or whose declared
 * size is out of proportion with the archive (a zip bomb). */
int zipio_read(struct zipio *z, long i, uint8_t **buf, size_t *len, uint64_t max);
/* Reads the first bytes of entry i, at most max: *buf (caller frees) and
 * *len; 0, or -1 reported (EXIT_INVALID).  For headers: nothing past max
 * is inflated, and the entry's checksum is not checked. */
int zipio_read_head(struct zipio *z, long i, uint8_t **buf, size_t *len, size_t max);
/* Replaces entry i with a copy of the bytes, keeping its compression. */
int zipio_replace(struct zipio *z, long i, const void *p, size_t len);
/* Writes the archive back (libzip writes a temp file and renames it), then
 * fsyncs it; EXIT_WRITE on failure with the original intact. */
int zipio_commit(struct zipio *z);

/* ---- entries in detail, extraction, new archives (pack/unpack) ---------- */

enum zipio_kind { ZIPIO_FILE, ZIPIO_DIR, ZIPIO_LINK, ZIPIO_OTHER };

struct zipio_entry {
	const char *name; /* owned by the archive */
	uint64_t size;    /* declared uncompressed size */
	uint64_t comp_size;
	enum zipio_kind kind; /* from the name's final '/' and Unix attributes */
	unsigned mode;        /* permission bits (07777) when recorded, else 0 */
	int has_mode;
	int encrypted;
	long long mtime; /* seconds since the epoch, -1 when unknown */
};

/* Describes entry i; -1 (EXIT_INVALID) when it cannot be read. */
int zipio_entry(struct zipio *z, long i, struct zipio_entry *e);
/* Refuses an entry whose declared size is out of proportion with its
 * compressed size or with the archive (a zip bomb): -1, EXIT_INVALID. */
int zipio_check(struct zipio *z, long i);
/* Checks every entry, and the sum of the declared sizes, the same way. */
int zipio_check_all(struct zipio *z);
/* The checks unpack makes of a hostile archive, for reading one without
 * extracting it: zip bombs, '..' and absolute names, links leading
 * outside.  0, or -1 reported (EXIT_INVALID) naming label. */
int zipio_screen(struct zipio *z, const char *label);
/* Copies entry i's bytes to fd (dest names it in messages), calling
 * progress(ctx, bytes) as it goes when progress is not NULL; a progress
 * that returns -1 (having reported why) stops the copy.  The bytes are
 * checked against the declared size and CRC: EXIT_INVALID when they do not
 * match, EXIT_WRITE when fd cannot be written. */
int zipio_extract(struct zipio *z, long i, int fd, const char *dest, int (*progress)(void *ctx, uint64_t n), void *ctx);

/* A new, empty archive to be written at path (replacing what is there) by
 * zipio_commit; label (when not NULL) names it in messages, for a path
 * that is a temp file.  NULL on error (EXIT_WRITE). */
struct zipio *zipio_create(const char *path, const char *label);
/* Adds a folder entry ("name/"), a file read from path at commit time, the
 * bytes p (not copied: they must stay valid until zipio_commit or
 * zipio_close), or a symbolic link; mode is the Unix permission bits kept
 * in the entry, mtime (when >= 0) its date; deflate 0 stores the bytes. */
int zipio_add_dir(struct zipio *z, const char *name, unsigned mode, long long mtime);
int zipio_add_file(struct zipio *z, const char *name, const char *path, unsigned mode, int deflate);
int zipio_add_buffer(struct zipio *z, const char *name, const void *p, size_t len, unsigned mode, int deflate);
int zipio_add_symlink(struct zipio *z, const char *name, const char *target);
/* Calls fn(ctx, fraction done) while zipio_commit writes the archive. */
void zipio_set_progress(struct zipio *z, void (*fn)(void *ctx, double done), void *ctx);
#endif
