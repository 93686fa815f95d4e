/* iface: edits of a model's interface over the spec tree: feature
 * descriptions (describe), feature renames (rename) and class labels
 * (labels), each an exact edit of the fields concerned and nothing else.
 *
 * Rename knows which fields hold feature (and blob / variable) names from a
 * table of (message type, field) pairs plus the rule "a string field whose
 * name ends in FeatureName"; its walk descends only into message types
 * that can, transitively, hold such a field (worked out once from the
 * protobuf-c descriptors), so weights and constants are never parsed.
 *
 * Functions return as documented, or -1 with the error reported through
 * error_code() and the exit class set: EXIT_NOTFOUND when the feature (or
 * function) is not in the model, EXIT_USAGE for a refused name or value,
 * EXIT_INVALID for a spec that does not decode. */
#ifndef MLPKG_IFACE_H
#define MLPKG_IFACE_H
#include <stddef.h>
#include "spec/tree.h"

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

/* ---- class labels ----------------------------------------------------- */
enum iface_label_kind { LABELS_STRING = 1, LABELS_INT64 = 2 };

struct iface_labels {
	enum iface_label_kind kind;
	char **v;           /* as text (integers in decimal) */
	size_t n;
	char *where;        /* the path of the model type holding them, or of the classify op */
	int per_example;    /* k-nearest-neighbors: one label per stored example */
};
void iface_labels_release(struct iface_labels *l);
/* The class labels of a classifier: NN, GLM, SVM, tree-ensemble and kNN
 * classifiers, the member of a pipeline that has them (the last one), an
 * ML program's classify op (a literal or a const op's value).  1 found, 0
 * none (not a classifier), -1 error. */
int iface_labels_get(struct mt_node *root, struct iface_labels *l);
/* Replaces the labels with v[0..n) (in place, keeping their kind and
 * encoding).  Refused (EXIT_USAGE): a count other than the current one,
 * duplicates, empty labels, a non-integer for int64 labels, kNN
 * classifiers.  EXIT_NOTFOUND when the model has no labels.  Returns 1
 * when the model changed, 0 when it already had those labels. */
int iface_labels_set(struct mt_node *root, char *const *v, size_t n);
/* Splits text into labels, one per line (a final newline ends the last
 * line; "\r\n" accepted).  Caller frees each and the array. */
void iface_labels_parse(const char *text, size_t len, char ***v, size_t *n);

#endif
