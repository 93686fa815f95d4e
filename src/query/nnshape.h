/* nnshape: the output shape of each layer of a neural network, inferred
 * from the model's input shapes and each layer's parameters.
 *
 * Two layouts, as Core ML has them.  With the default (rank-5) input
 * mapping, blobs are [C, H, W] (sequence and batch left out): a
 * multi-array input of shape [C] is [C, 1, 1], [C, H, W] itself, an image
 * [3 or 1, H, W].  With EXACT_ARRAY_MAPPING (the ND layers of
 * specification 4 on) shapes are as declared and layers work on them as
 * written.  Layer kinds whose output the rules here do not cover, and
 * outputs of layers whose inputs are unknown, are unknown: said as such,
 * never guessed.  Flexible inputs take their default shape. */
#ifndef MLPKG_NNSHAPE_H
#define MLPKG_NNSHAPE_H
#include <stddef.h>
#include <stdint.h>
#include "spec/tree.h"

#define NN_SHAPE_MAX_RANK 8
struct nn_shape {
	int rank;                     /* 0: unknown */
	int64_t d[NN_SHAPE_MAX_RANK]; /* -1: a dimension not known */
};

struct nn_shapes;
/* Infers the shapes of every blob of the network of model (a Model message
 * holding a neuralNetwork, classifier or regressor), layer by layer in
 * order.  NULL when the model has no network (or on an invalid node,
 * reported).  Nested networks (branch, loop) are not inferred. */
struct nn_shapes *nn_shapes_infer(struct mt_node *model);
void nn_shapes_free(struct nn_shapes *s);
/* The shape of a blob (a layer's output or a model input) by name; NULL
 * when not known. */
const struct nn_shape *nn_shapes_get(const struct nn_shapes *s, const char *blob);
/* "[32,112,112]", "[?,10]"; "?" when unknown.  Caller frees. */
char *nn_shape_str(const struct nn_shape *sh);
/* 1 when the network uses the exact (ND) layout */
int nn_shapes_nd(const struct nn_shapes *s);
#endif
