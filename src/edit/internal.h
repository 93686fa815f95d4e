/* internal: what the edits of the edit layer share over the spec tree
 * (iface.c, labels.c): field numbers of the Core ML schema and small
 * helpers (edit-tree.c).  Nothing outside src/edit includes it. */
#ifndef MLPKG_EDIT_INTERNAL_H
#define MLPKG_EDIT_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "spec/tree.h"

/* Model: description 2; the Type oneof.  ModelDescription: input 1,
 * output 10, predictedFeatureName 11, predictedProbabilitiesName 12,
 * state 13, functions 20, defaultFunctionName 21, trainingInput 50.
 * FunctionDescription: name 1, input 2, output 3, state 6.
 * FeatureDescription: name 1, shortDescription 2. */
enum {
	F_DESCRIPTION = 2,
	D_INPUT = 1,
	D_OUTPUT = 10,
	D_PREDICTED = 11,
	D_PROBS = 12,
	D_STATE = 13,
	D_FUNCTIONS = 20,
	D_DEFAULT_FN = 21,
	D_TRAINING = 50,
	FN_NAME = 1,
	FN_INPUT = 2,
	FN_OUTPUT = 3,
	FN_STATE = 6,
	FD_NAME = 1,
	FD_SHORTDESC = 2,
	M_PIPELINE_CLASSIFIER = 200,
	M_PIPELINE_REGRESSOR = 201,
	M_PIPELINE = 202,
	M_GLM_CLASSIFIER = 400,
	M_SVM_CLASSIFIER = 401,
	M_TREE_CLASSIFIER = 402,
	M_NN_CLASSIFIER = 403,
	M_KNN_CLASSIFIER = 404,
	M_MLPROGRAM = 502,
	M_NMS = 610,
	M_TEXT_CLASSIFIER = 2000,
	M_WORD_TAGGER = 2001,
	CLS_STRING = 100,
	CLS_INT64 = 101,
	/* TextClassifier.stringClassLabels, WordTagger.stringTags */
	CML_STRING = 200,
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
