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
void zipio_close(struct zipio *z);  /* discards changes */
long zipio_count(struct zipio *z);
const char *zipio_name(struct zipio *z, long i);
long zipio_find(struct zipio *z, const char *name);
uint64_t zipio_size(struct zipio *z, long i);
/* Reads entry i whole; refuses entries larger than max or whose declared
 * size is out of proportion with the archive (a zip bomb). */
int zipio_read(struct zipio *z, long i, uint8_t **buf, size_t *len, uint64_t max);
/* Replaces entry i with a copy of the bytes, keeping its compression. */
int zipio_replace(struct zipio *z, long i, const void *p, size_t len);
/* Writes the archive back (libzip writes a temp file and renames it), then
 * fsyncs it; EXIT_WRITE on failure with the original intact. */
int zipio_commit(struct zipio *z);
#endif
