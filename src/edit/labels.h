/* labels: a classifier's class labels over the spec tree, listed and
 * replaced in place keeping their kind and encoding.  Errors are reported
 * through error_code() with the exit class set, as in iface.h. */
#ifndef MLPKG_LABELS_H
#define MLPKG_LABELS_H
#include <stddef.h>
#include "spec/tree.h"

enum iface_label_kind { LABELS_STRING = 1, LABELS_INT64 = 2 };

struct iface_labels {
	enum iface_label_kind kind;
	char **v; /* as text (integers in decimal) */
	size_t n;
	char *where;     /* the path of the model type holding them, or of the classify op */
	int per_example; /* k-nearest-neighbors: one label per stored example */
};
void iface_labels_release(struct iface_labels *l);
/* The class labels of a classifier: NN, GLM, SVM, tree-ensemble and kNN
 * classifiers, a detector's non-maximum suppression, the member of a
 * pipeline that has them (the last one), an
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
