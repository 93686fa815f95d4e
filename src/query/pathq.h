/* pathq: a path language over the spec tree, on the schema's field names.
 *
 *   description.metadata.author
 *   neuralNetwork.layers[3].convolution.kernelSize
 *   neuralNetwork.layers[-1]                        (the last)
 *   neuralNetwork.layers[name="conv1"].input[0]     (the first element whose field matches)
 *   description.metadata.userDefined["com.apple.coreml.model.preview.type"]
 *   mlProgram.functions["main"].block_specializations["CoreML5"].operations[0].type
 *   mlProgram.functions["main"].block_specializations["CoreML5"].operations[name="conv_0"]
 *
 * A segment is a field name and at most one selector: [N] indexes a repeated
 * field (negative from the end) or a map with integer keys, ["KEY"] (or a
 * bare word) looks a map up by key and gives its value, [FIELD=VALUE] picks
 * the first element whose scalar FIELD reads VALUE (an ML-program operation
 * matches name= against its name attribute and its outputs' names).  Maps are the repeated
 * *Entry messages (key 1, value 2). */
#ifndef MLPKG_PATHQ_H
#define MLPKG_PATHQ_H
#include <stddef.h>
#include <stdint.h>
#include "spec/tree.h"

enum pq_kind {
	PQ_NODE,     /* a message: node */
	PQ_FIELD,    /* one occurrence of a scalar field: node->f[field] */
	PQ_ELEMENT,  /* one element of a packed repeated scalar: elem, of node->f[field] */
	PQ_REPEATED, /* every occurrence of a repeated field (or map), from node->f[field] */
	PQ_EMPTY,    /* a map entry without its value: the default of fd */
};

struct pq_result {
	enum pq_kind kind;
	struct mt_node *node;
	size_t field;
	uint64_t elem;
	const ProtobufCFieldDescriptor *fd; /* the field reached (NULL for the root) */
};

/* Evaluates path from root (a Model).  0, or -1 reported: EXIT_USAGE for a
 * malformed path, EXIT_NOTFOUND naming the first part that does not exist,
 * EXIT_INVALID for a bad node on the way. */
int pathq_eval(struct mt_node *root, const char *path, struct pq_result *r);
#endif
