/* mil: walking an ML program.  One visitor for every front end and analysis
 * that goes through functions, blocks and operations (nested blocks of
 * cond, while_loop... included), and the interface of a block.
 *
 * The walk goes function by function (the specialization mil_functions
 * picks), depth first: function, its block, each operation, the blocks
 * nested in that operation, then the next operation.  Each callback gets
 * the walk's position; any of them may be NULL. */
#ifndef MLPKG_MIL_H
#define MLPKG_MIL_H
#include "base/hash.h"
#include <stddef.h>
#include "query/inspect.h"

/* one block being walked; b->up is the block holding the operation that
 * holds it (NULL for a function's block) */
struct mil_block {
	struct mil_block *up;
	struct mt_node *node;
	int depth;    /* 0: a function's block */
	size_t index; /* among the nested blocks of its operation (0 for a function's) */
	char *path;   /* its get path: ...block_specializations["K"], ...operations[3].blocks[0] */
	char *prefix; /* the index of its operations: "" in a function's block, "5.0." in op 5's block 0 */
	/* the operation being visited in this block (op, op_leave, and while its blocks are walked) */
	struct mt_node *op;
	size_t op_index;
	struct mil_op o; /* read when the visitor sets read_ops; a callback may take it (zero it) */
};

struct mil_walk {
	const char *mpath; /* the model's path, "" for the root */
	const struct mil_function *fns;
	size_t nfn, fi; /* the functions, and the one being walked */
	const struct mil_function *fn;
	struct mil_block *b; /* the innermost block (NULL in function callbacks) */
};

/* A callback returns 0 to go on, MIL_WALK_SKIP to leave out what is inside
 * (the program's functions, a function's block, a block's operations, an operation's blocks; the
 * matching _leave is still called), MIL_WALK_STOP to end the walk (no more
 * callbacks; mil_walk returns 0) or -1 (error reported) to end it with -1. */
enum { MIL_WALK_SKIP = 1, MIL_WALK_STOP = 2 };

struct mil_visitor {
	int (*program)(struct mil_walk *w, void *ctx);  /* once, before the functions (fns, nfn set) */
	int (*function)(struct mil_walk *w, void *ctx); /* every function, with a block or not */
	int (*function_leave)(struct mil_walk *w, void *ctx);
	int (*block)(struct mil_walk *w, void *ctx);
	int (*block_leave)(struct mil_walk *w, void *ctx);
	int (*op)(struct mil_walk *w, void *ctx);       /* before the blocks nested in it */
	int (*op_leave)(struct mil_walk *w, void *ctx); /* after them */
	int read_ops;                                   /* read each operation into b->o with mil_op_read(op_flags) */
	int op_flags;
};

/* Walks program (an MLProgram message) of the model at mpath.  Blocks
 * nested deeper than MT_MAX_DEPTH and undecodable nodes are errors (-1,
 * reported). */
int mil_walk(struct mt_node *program, const char *mpath, const struct mil_visitor *v, void *ctx);
/* The MLProgram of an mlProgram model: 0 and *program (NULL when model is
 * not one), -1 on an invalid node (reported). */
int mil_program(struct mt_node *model, struct mt_node **program);

/* the current operation's get path and index ("5.0.2"); caller frees */
char *mil_op_path(const struct mil_block *b);
char *mil_op_index(const struct mil_block *b);

/* The inputs of a Function or a Block (name, formatted type); on failure
 * (-1, reported) *v is NULL and *n 0; none for NULL.  mil_vars_free
 * releases them. */
int mil_inputs(struct mt_node *fn_or_block, struct mil_var **v, size_t *n);
void mil_vars_free(struct mil_var *v, size_t n);
/* A block's interface: its inputs as "name: type" into ins (when not
 * NULL), its output names into outs (when not NULL); nothing for NULL. */
int mil_block_io(struct mt_node *block, struct strlist *ins, struct strlist *outs);

/* ---- const inputs, resolved --------------------------------------------- */
/* The one text for a const value wherever an operation's input is shown
 * (mlpkg layers, graph, browse): "int32[2] = [2, 2]", the value inline when
 * it is short (MIL_CONST_INLINE characters at most), else the type alone
 * ("fp16[16,3,3,3]"); type NULL gives the value alone, cut short.  Caller frees. */
#define MIL_CONST_INLINE 24
char *mil_const_text(const char *type, const char *value);
/* The const outputs of a function seen so far, by name (a name's latest
 * definition wins): mil_consts_add records a const operation (others are
 * ignored), mil_consts_find gives the text of a name or NULL. */
struct mil_consts {
	struct hmap m;
};
#define MIL_CONSTS_INIT                                                                                                \
	{                                                                                                              \
		HMAP_INIT                                                                                              \
	}
void mil_consts_add(struct mil_consts *c, const struct mil_op *o);
const char *mil_consts_find(const struct mil_consts *c, const char *name);
void mil_consts_release(struct mil_consts *c);
#endif
