/* manifest: Manifest.json of an .mlpackage, parsed and validated. */
#ifndef MLPKG_MANIFEST_H
#define MLPKG_MANIFEST_H
#include <stddef.h>

struct manifest_item {
	char *id;
	char *author;
	char *name;
	char *path; /* relative to Data/ */
	char *description;
};

struct manifest {
	char *version;
	struct manifest_item *items;
	size_t n;
	char *root_id;
	size_t root; /* index of the root item */
};

/* Parses and validates text (len bytes); label names the file in messages.
 * Returns NULL on error (reported, exit class EXIT_INVALID). */
struct manifest *manifest_parse(const char *text, size_t len, const char *label);
void manifest_free(struct manifest *m);
/* 1 when a relative path stays inside its folder (no "..", not absolute) */
int path_is_contained(const char *rel);
/* Writes a new manifest as Apple's tools do (4-space indent, sorted keys).
 * Caller frees. */
char *manifest_format(const struct manifest *m);
#endif
