/* summary: what `mlpkg info` and the browser's overview show of a model:
 * its format, sizes, versions, type and members, interface, metadata,
 * preview, counts and notes, gathered in one pass over the query layer
 * (nothing is printed while gathering), and its text form. */
#ifndef MLPKG_SUMMARY_H
#define MLPKG_SUMMARY_H
#include <stdint.h>
#include <stdio.h>
#include "model/model.h"
#include "query/inspect.h"
#include "query/weights.h"
#include "query/meta.h"

struct summary {
	struct mlpkg_model *m;
	const char *type;
	int version, need;
	char *need_why;
	struct model_ref *refs;
	size_t nrefs;
	struct model_counts *sub; /* per member of refs */
	struct model_counts total;
	struct strlist opsets;   /* all of them */
	struct strlist *mopsets; /* per member of refs */
	struct model_io io;
	struct meta_entry *meta;
	size_t nmeta;
	char *preview;
	size_t preview_len;
	long preview_labels; /* the labels its preview.params hold, -1 none */
	struct strlist notes;
	int64_t spec_bytes, weight_bytes, disk_bytes;
	struct weight_storage *storage; /* the weights by kind of storage (declared types; none read) */
};

/* Fills s for m (the model as it stands in memory, unsaved edits too); s
 * keeps a pointer to m.  -1 when a part of the model does not decode
 * (reported); s is to be released either way. */
int summary_gather(struct summary *s, struct mlpkg_model *m);
/* What a package lacks that its Manifest.json or its spec names: manifest
 * items missing, weight files the spec refers to that are missing or Git
 * LFS pointers; one line each pushed on out.  -1 when the spec does not
 * decode (reported). */
int package_gaps(struct mlpkg_model *m, struct strlist *out);
void summary_release(struct summary *s);
/* the text `mlpkg info` prints, to fp */
void summary_text(FILE *fp, const struct summary *s);
#endif
