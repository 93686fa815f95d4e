/* miltext: an ML program written as MIL text, the model.mil of a compiled
 * model folder (.mlmodelc), read as far as the text says it exactly.
 *
 * The text is the program's functions, each a signature and a block of
 * statements "TYPE NAME = OP(PARAM = ARG, ...)[ATTR = VALUE, ...];", an
 * operation's nested blocks in braces after its attributes, and the
 * function's outputs after "} -> (...)".  Each operation is read into the
 * struct mil_op the spec's operations are read into (inputs, outputs with
 * their types written as mlpkg writes them, a const's value, the BLOBFILE
 * values of its arguments and attributes), so every listing serves both.
 * Nothing is guessed: text the reader does not know stops it, and what it
 * read before stays, with the line where it stopped. */
#ifndef MLPKG_MILTEXT_H
#define MLPKG_MILTEXT_H
#include <stddef.h>
#include "query/inspect.h"

struct miltext_fn {
	char *name, *opset;
	struct strlist ins; /* "name: type" */
	struct strlist outs;
};

/* an operation, or (is_block) the header of a block nested in one */
struct miltext_op {
	int is_block;
	int done;      /* read whole (the reader's own) */
	size_t fn;     /* its function */
	int depth;     /* 0 in a function's block */
	char *index;   /* "3", "5.0.2"; a block's "5.0" */
	unsigned line; /* where it starts in the text */
	struct mil_op o;
	struct strlist ins, outs; /* a block's inputs ("name: type") and outputs */
};

struct miltext {
	char *version; /* program(VERSION) */
	struct miltext_fn *fn;
	size_t nfn, fncap;
	struct miltext_op *op;
	size_t nop, opcap;
	unsigned stop_line; /* 0 when the whole text was read */
	char *stop_why;     /* what stopped the reader there */
};

/* Reads text (len bytes, not NUL-terminated).  Returns 0 when it was read
 * whole, 1 when it stopped early (p->stop_line, p->stop_why say where and
 * why; what came before is in p).  Nothing is reported; miltext_release
 * frees p in both cases. */
int miltext_read(const char *text, size_t len, struct miltext *p);
void miltext_release(struct miltext *p);
/* mlpkg's form of a MIL text type: "tensor<fp16, [1, 3, ?]>" -> "fp16[1,3,?]",
 * "tensor<int32, []>" -> "int32", anything else with its spaces after commas
 * removed; caller frees */
char *miltext_type(const char *t, size_t n);
#endif
