/* compiled: a compiled model folder (NAME.mlmodelc, what Xcode ships in an
 * app), read-only: its metadata.json (a JSON array of one object: author,
 * shortDescription, inputSchema, outputSchema, availability, histograms...)
 * and which of its files are there.  coremldata.bin is undocumented: only
 * its size is known. */
#ifndef MLPKG_COMPILED_H
#define MLPKG_COMPILED_H
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "query/meta.h"

struct compiled {
	char *path;                                                     /* as given */
	cJSON *doc;                                                     /* metadata.json */
	const cJSON *obj;                                               /* its one object */
	int64_t coremldata_size, mil_size, espresso_size, weights_size; /* -1: absent */
};

/* 1 when path is a folder that is a compiled model: named .mlmodelc, or
 * holding coremldata.bin without Manifest.json */
int compiled_is(const char *path);
/* Opens it: 0, or -1 reported in one line naming the folder (EXIT_INVALID:
 * metadata.json missing, not JSON, or not an array of one object). */
int compiled_open(const char *path, struct compiled **out);
void compiled_close(struct compiled *c);
/* The same from metadata.json's text (from a zip: no file sizes known);
 * label names it in messages and becomes c->path. */
int compiled_parse(const char *label, const char *text, size_t len, struct compiled **out);
#define COMPILED_MAX_METADATA (64u << 20)
/* the name of a feature of inputSchema / outputSchema, or NULL */
const char *compiled_field_name(const cJSON *f);
/* its specificationVersion, -1 when not said */
int64_t compiled_version(const struct compiled *c);
/* the string member key of the metadata object (or of its object member
 * sub when sub is not NULL), NULL when absent or not a string */
const char *compiled_str(const struct compiled *c, const char *sub, const char *key);
/* the metadata as meta_list gives it for a spec: author, description,
 * license, version, then the userDefinedMetadata entries */
int compiled_meta_list(const struct compiled *c, struct meta_entry **out, size_t *n);
/* 1 found (*val, *len: caller frees), 0 absent */
int compiled_meta_get(const struct compiled *c, const char *key, char **val, size_t *len);
/* Checks the folder's consistency: the problems found, in words, in
 * msg[0..max) (static strings); returns their number (at most max). */
size_t compiled_check(const struct compiled *c, const char **msg, size_t max);

struct jw;
/* inputs and outputs in words (ind spaces before each line) or as the
 * "inputs" and "outputs" members of the object w is in */
void compiled_io_text(FILE *fp, const struct compiled *c, int ind);
void compiled_io_json(struct jw *w, const struct compiled *c);
/* what info says of it: kind, versions, availability, metadata, io, the
 * layer or operation histogram, the files and their sizes */
void compiled_info_text(FILE *fp, const struct compiled *c);
void compiled_info_json(struct jw *w, const struct compiled *c);
#endif
