/* iface: edits of a model's interface over the spec tree: feature
 * descriptions (describe) and feature renames (rename), each an exact
 * edit of the fields concerned and nothing else.
 *
 * Rename knows which fields hold feature (and blob / variable) names from a
 * table of (message type, field) pairs plus the rule "a string field whose
 * name ends in FeatureName"; its walk descends only into message types
 * that can, transitively, hold such a field (worked out once from the
 * protobuf-c descriptors), so weights and constants are never parsed.
 *
 * (Class labels: labels.h, included here for the callers of both.)
 *
 * Functions return as documented, or -1 with the error reported through
 * error_code() and the exit class set: EXIT_NOTFOUND when the feature (or
 * function) is not in the model, EXIT_USAGE for a refused name or value,
 * EXIT_INVALID for a spec that does not decode. */
#ifndef MLPKG_IFACE_H
#define MLPKG_IFACE_H
#include <stddef.h>
#include "spec/tree.h"
#include "edit/labels.h"

/* the places an edit changed, as paths in the spec ("description.input[0].name") */
struct iface_changes {
	char **v;
	size_t n, cap;
};
void iface_changes_free(struct iface_changes *c);

/* Sets the shortDescription of every input, output, state and training
 * input named feature (text of len bytes; empty removes it): in the model's
 * own description and in each function description, or only in function
 * (and, when it is the default function, the model's own lists) when
 * function is not NULL.  Returns the number of descriptions changed (0:
 * they already read so).  ch (may be NULL) gets the places changed. */
int iface_describe(struct mt_node *root, const char *feature, const char *text, size_t len, const char *function,
		   struct iface_changes *ch);

/* Renames the feature old to new everywhere it is used (see rename in
 * mlpkg(1)): in every model of the tree (root, pipeline members) whose
 * interface has it, its description and its internals; in ML programs, in
 * each function whose inputs or outputs have it.  function (may be NULL)
 * limits the edit to one function of a multi-function model.  old may be
 * a name that connects pipeline members without being an input or output
 * of the pipeline.  Refused (EXIT_USAGE): a new name that is empty, not
 * UTF-8, already used in the interfaces or in the internals concerned, or
 * (when an ML program is concerned) not an identifier
 * [A-Za-z_][A-Za-z0-9_]*.  Returns the number of fields changed, 0 when
 * old equals new. */
int iface_rename(struct mt_node *root, const char *old, const char *new, const char *function,
		 struct iface_changes *ch);

#endif
