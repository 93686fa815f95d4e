/* scan: every Core ML model under a path (folders, app bundles, zips and
 * .ipa read in place, never extracted), each read no further than its
 * headers. */
#ifndef MLPKG_SCAN_H
#define MLPKG_SCAN_H
#include <stddef.h>
#include <stdint.h>

struct scan_hit {
	const char *path;   /* on disk, or ARCHIVE/ENTRY inside a zip */
	const char *format; /* mlmodel, mlpackage, mlmodelc; zipped ones say so by their path */
	const char *kind;   /* the model type, NULL when not read */
	int64_t size;       /* bytes: the file, or the sum of the folder's files */
	int64_t version;    /* specificationVersion, -1 when not read */
	const char *author; /* NULL when none */
	const char **in, **out;
	size_t nin, nout;
};

struct scan_cb {
	void (*found)(void *ctx, const struct scan_hit *h);
	/* each folder or archive entered (may be NULL): for a progress line */
	void (*visiting)(void *ctx, const char *path);
	void *ctx;
};
/* Calls cb->found(ctx, hit) for every model under path, in name order.  A
 * model or archive that cannot be read is reported (error()) and passed
 * over; a folder that cannot be listed is warned about (the models in it
 * are not found).  Returns the number found, and *worst the highest exit
 * class of what was reported (EXIT_OK when nothing). */
size_t scan_path(const char *path, const struct scan_cb *cb, int *worst);
#endif
