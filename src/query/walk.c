/* walk: the ML-program visitor and block interfaces (see mil.h). */
#include "query/mil.h"
#include "query/internal.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include <stdlib.h>
#include <string.h>

struct walker {
	const struct mil_visitor *v;
	void *ctx;
	struct mil_walk w;
	int stop;
};

static int call(struct walker *k, int (*cb)(struct mil_walk *, void *))
{
	if (!cb || k->stop)
		return 0;
	int r = cb(&k->w, k->ctx);
	if (r == MIL_WALK_STOP)
		k->stop = 1;
	return r;
}

static int walk_block(struct walker *k, struct mil_block *b);

/* the current operation of b: its callbacks and nested blocks */
static int walk_op(struct walker *k, struct mil_block *b)
{
	if (k->v->read_ops && mil_op_read(b->op, &b->o, k->v->op_flags) < 0) {
		mil_op_release(&b->o);
		return -1;
	}
	int r = call(k, k->v->op);
	if (r < 0 || k->stop)
		return r < 0 ? -1 : 0;
	if (r != MIL_WALK_SKIP) {
		long j = -1;
		int r2 = 0;
		struct mt_node *nb;
		size_t bi = 0;
		while (!k->stop && (r2 = next_child(b->op, F_MILSpec_Operation_blocks, &j, &nb)) == 1) {
			struct mil_block c = { 0 };
			c.up = b;
			c.node = nb;
			c.depth = b->depth + 1;
			c.index = bi;
			c.path = xasprintf("%s.operations[%zu].blocks[%zu]", b->path, b->op_index, bi);
			c.prefix = xasprintf("%s%zu.%zu.", b->prefix, b->op_index, bi);
			bi++;
			int rr = walk_block(k, &c);
			k->w.b = b;
			free(c.path);
			free(c.prefix);
			if (rr < 0)
				return -1;
		}
		if (!k->stop && r2 < 0)
			return -1;
	}
	r = call(k, k->v->op_leave);
	return r < 0 ? -1 : 0;
}

static int walk_block(struct walker *k, struct mil_block *b)
{
	if (b->depth > MT_MAX_DEPTH)
		return error_code(EXIT_INVALID, "'%s': blocks nested too deeply", b->node->label);
	k->w.b = b;
	int r = call(k, k->v->block);
	if (r < 0 || k->stop)
		return r < 0 ? -1 : 0;
	if (r != MIL_WALK_SKIP) {
		long i = -1;
		int r2 = 0;
		while (!k->stop && (r2 = next_child(b->node, F_MILSpec_Block_operations, &i, &b->op)) == 1) {
			int rr = walk_op(k, b);
			mil_op_release(&b->o);
			if (rr < 0)
				return -1;
			b->op_index++;
		}
		if (!k->stop && r2 < 0)
			return -1;
		b->op = NULL;
	}
	r = call(k, k->v->block_leave);
	return r < 0 ? -1 : 0;
}

int mil_walk(struct mt_node *program, const char *mpath, const struct mil_visitor *v, void *ctx)
{
	struct mil_function *fv = NULL;
	size_t nf = 0;
	if (mil_functions(program, &fv, &nf) < 0) {
		mil_functions_free(fv, nf);
		return -1;
	}
	struct walker k = { .v = v, .ctx = ctx };
	k.w.mpath = mpath ? mpath : "";
	k.w.fns = fv;
	k.w.nfn = nf;
	int r0 = call(&k, v->program), rc = r0 < 0 ? -1 : 0;
	for (size_t i = 0; i < nf && rc == 0 && r0 != MIL_WALK_SKIP && !k.stop; i++) {
		k.w.fi = i;
		k.w.fn = &fv[i];
		k.w.b = NULL;
		int r = call(&k, v->function);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (k.stop)
			break;
		if (r != MIL_WALK_SKIP && fv[i].block) {
			struct mil_block b = { 0 };
			b.node = fv[i].block;
			b.path = mil_block_path(k.w.mpath, &fv[i]);
			b.prefix = xstrdup("");
			rc = walk_block(&k, &b);
			free(b.path);
			free(b.prefix);
			k.w.b = NULL;
		}
		if (rc == 0 && call(&k, v->function_leave) < 0)
			rc = -1;
	}
	mil_functions_free(fv, nf);
	return rc;
}

int mil_program(struct mt_node *model, struct mt_node **program)
{
	*program = NULL;
	long t = model_type_field(model);
	if (t < 0 || model->f[t].number != F_Model_mlProgram)
		return 0;
	*program = mt_child(model, (size_t)t);
	return *program ? 0 : -1;
}

char *mil_op_path(const struct mil_block *b)
{
	return xasprintf("%s.operations[%zu]", b->path, b->op_index);
}

char *mil_op_index(const struct mil_block *b)
{
	return xasprintf("%s%zu", b->prefix, b->op_index);
}

int mil_inputs(struct mt_node *n, struct mil_var **v, size_t *nv)
{
	*v = NULL;
	*nv = 0;
	size_t cap = 0;
	long i = -1;
	int r;
	struct mt_node *x;
	if (!n)
		return 0;
	while ((r = next_child(n, F_MILSpec_Block_inputs, &i, &x)) == 1) {
		xgrow((void **)v, &cap, *nv + 1, sizeof(**v));
		(*v)[*nv].name = field_str(x, F_MILSpec_NamedValueType_name);
		(*v)[*nv].type = mil_type_format(mt_get(x, F_MILSpec_NamedValueType_type));
		(*nv)++;
	}
	if (r < 0) {
		mil_vars_free(*v, *nv);
		*v = NULL;
		*nv = 0;
		return -1;
	}
	return 0;
}

void mil_vars_free(struct mil_var *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].type);
	}
	free(v);
}

int mil_block_io(struct mt_node *b, struct strlist *ins, struct strlist *outs)
{
	if (!b)
		return 0;
	if (ins) {
		struct mil_var *v;
		size_t n;
		if (mil_inputs(b, &v, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			sl_pushf(ins, "%s: %s", v[i].name, v[i].type);
		mil_vars_free(v, n);
	}
	if (mt_parse(b) < 0)
		return -1;
	for (size_t k = 0; outs && k < b->n; k++)
		if (b->f[k].number == F_MILSpec_Block_outputs && b->f[k].wt == WT_LEN)
			sl_push(outs, xstrndup((const char *)b->f[k].val, b->f[k].vlen));
	return 0;
}
