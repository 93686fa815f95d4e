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
#include "query/inspect.h"

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
/* Checks the folder's consistency: the problems found in msg[0..max), each
 * the file it is about and what is wrong, in words (static strings);
 * returns their number (at most max). */
struct compiled_problem {
	const char *file, *text;
};
size_t compiled_check(const struct compiled *c, struct compiled_problem *msg, size_t max);

/* ---- what the folder holds beyond metadata.json (compiled-net.c) -------- */
struct miltext;
/* The parts of a compiled folder: the folder itself (rel "") when it holds
 * a program (model.mil) or a network (model.espresso.net); else, for a
 * compiled pipeline, each member: the folders in it that hold
 * coremldata.bin (model0, model1..., in that order; a nested pipeline's
 * members in turn), typed by the pipeline's modelType.structure or their
 * own metadata.json.  A member may hold neither (a feature print, a
 * non-maximum suppression: mil and espresso 0).  None for a folder with
 * neither and no members. */
struct compiled_part {
	char *rel;  /* "" or "model0", "model1/model0"... */
	char *type; /* as metadata.json names it (mlProgram, neuralNetwork, nonMaximumSuppression...), else by
		     * the file it holds, else "unknown" */
	int mil, espresso;
};
void compiled_parts(const struct compiled *c, struct compiled_part **v, size_t *n);
void compiled_parts_free(struct compiled_part *v, size_t n);

/* Reads model.mil of part ("" or NULL: the folder itself), the ML program
 * as MIL text: 0 read whole, 1 read up to a line it could not read
 * (p->stop_line, p->stop_why), -1 reported when there is none or it cannot
 * be read (EXIT_INVALID; EXIT_NOTFOUND for a folder without one); p is
 * released by miltext_release unless -1. */
#define COMPILED_MAX_MIL (1024u << 20)
int compiled_program(const struct compiled *c, const char *part, struct miltext *p);

/* model.espresso.net, the neural network as JSON: its layers in order */
struct espresso_layer {
	char *name, *type;
	struct strlist in, out;
	const cJSON *json; /* the layer's object: its parameters */
};
struct espresso_net {
	cJSON *doc;
	struct espresso_layer *v;
	size_t n;
};
/* 0, or -1 reported (EXIT_NOTFOUND without one; EXIT_INVALID when it is
 * compressed or not JSON: said plainly, nothing guessed) */
int compiled_network(const struct compiled *c, const char *part, struct espresso_net *net);
void espresso_net_release(struct espresso_net *net);
/* a parameter of an espresso layer worth showing: a number or string other
 * than name, type, bottom, top, debug_info */
int espresso_param(const cJSON *item);
/* "mlProgram", "neuralNetwork"... (modelType.name without MLModelType_), NULL when not said */
const char *compiled_type(const struct compiled *c);

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
