/* internal: what the edits of the edit layer share over the spec tree
 * (iface.c, labels.c): the numbers of the class-label fields and small
 * helpers (edit-tree.c).  Nothing outside src/edit includes it. */
#ifndef MLPKG_EDIT_INTERNAL_H
#define MLPKG_EDIT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "spec/tree.h"
#include "spec/fields.h"

/* The class labels of a classifier message, numbered alike in every one
 * (GLMClassifier, SupportVectorClassifier, TreeEnsembleClassifier,
 * NeuralNetworkClassifier, KNearestNeighborsClassifier and
 * NonMaximumSuppression: spec/fields.h checks it); TextClassifier's
 * stringClassLabels and WordTagger's stringTags alike. */
enum {
	CLS_STRING = F_GLMClassifier_stringClassLabels,
	CLS_INT64 = F_GLMClassifier_int64ClassLabels,
	CML_STRING = F_CoreMLModels_TextClassifier_stringClassLabels,
};

/* 1 when the n bytes at p are the string s */
int edit_span_eq(const void *p, size_t n, const char *s);
/* the path of node n from the root in mlpkg get's language
 * ('mlProgram.functions["main"]'); caller frees */
char *edit_node_path(struct mt_node *n);
/* the path of field i of n: "description.input[0].name"; caller frees */
char *edit_field_path(struct mt_node *n, size_t i);
/* the message field of the oneof Type of a Model (the last one set), -1 when none */
long edit_type_field(struct mt_node *m);
/* the Pipeline message of a pipeline model (type field t), or NULL; *bad
 * when it does not decode */
struct mt_node *edit_pipeline_of(struct mt_node *m, long t, int *bad);
/* the child message of field i, or NULL for an unknown occurrence; *bad on an invalid one */
struct mt_node *edit_child_at(struct mt_node *n, size_t i, int *bad);
#endif
