/* cmd-layers: mlpkg layers [--json] [--type KIND] [--grep REGEX] [--summary]
 * [MODEL]: neural-network layers and ML-program operations. */
#include "cli/commands.h"
#include "spec/dump.h"
#include "base/error.h"
#include "query/inspect.h"
#include "query/mil.h"
#include "query/compiled.h"
#include "query/miltext.h"
#include "query/nnshape.h"
#include "spec/schema.h"
#include "query/show.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ev_kind { EV_MODEL, EV_FUNC, EV_BLOCK, EV_LAYER, EV_OP, EV_NET };

/* one line (or group of lines) of the listing, gathered before printing */
struct ev {
	enum ev_kind kind;
	int depth;               /* block nesting of ops and blocks, network nesting of layers */
	char *path;              /* the get path of the model, function block, layer or op */
	char *index;             /* "3", "5.0.2" */
	size_t model;            /* index into the model list */
	struct nn_layer l;       /* EV_LAYER */
	struct mil_op o;         /* EV_OP */
	struct strlist args;     /* EV_OP: its inputs, consts resolved ("strides: int32[2] = [2, 2]") */
	char *fname;             /* EV_FUNC, EV_OP: the function */
	char *opset, *block;     /* EV_FUNC */
	struct strlist ins;      /* EV_FUNC, EV_BLOCK: "name type" */
	struct strlist outs;     /* EV_FUNC, EV_BLOCK: output names */
	const cJSON *eparams;    /* EV_LAYER of a compiled network: its espresso object */
	struct nn_shape *oshape; /* EV_LAYER: its outputs' inferred shapes (l.out.n of them; NULL: none inferred) */
	int match;
};

struct listing {
	struct ev *v;
	size_t n, cap;
	struct model_ref *refs;
	size_t nrefs;
	uint64_t *items;  /* per model: layers or ops */
	const char *type; /* --type */
	regex_t *re;      /* --grep */
};

static struct ev *push(struct listing *L, enum ev_kind k, size_t model)
{
	xgrow((void **)&L->v, &L->cap, L->n + 1, sizeof(*L->v));
	struct ev *e = &L->v[L->n++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->model = model;
	return e;
}

static void listing_free(struct listing *L)
{
	for (size_t i = 0; i < L->n; i++) {
		struct ev *e = &L->v[i];
		free(e->path);
		free(e->index);
		nn_layer_release(&e->l);
		free(e->oshape);
		mil_op_release(&e->o);
		free(e->fname);
		free(e->opset);
		free(e->block);
		sl_free(&e->ins);
		sl_free(&e->args);
		sl_free(&e->outs);
	}
	free(L->v);
	model_list_free(L->refs, L->nrefs);
	free(L->items);
}

static char *join(const char *a, const char *b)
{
	return xasprintf("%s%s%s", a, *a ? "." : "", b);
}

static int re_hit(regex_t *re, const char *s)
{
	return s && regexec(re, s, 0, NULL, 0) == 0;
}

static void match_layer(struct listing *L, struct ev *e)
{
	int ok = !L->type || !strcmp(L->type, e->l.kind);
	if (ok && L->re) {
		int hit = re_hit(L->re, e->l.name) || re_hit(L->re, e->l.kind);
		for (size_t i = 0; !hit && i < e->l.in.n; i++)
			hit = re_hit(L->re, e->l.in.v[i]);
		for (size_t i = 0; !hit && i < e->l.out.n; i++)
			hit = re_hit(L->re, e->l.out.v[i]);
		ok = hit;
	}
	e->match = ok;
}

static void match_op(struct listing *L, struct ev *e)
{
	int ok = !L->type || !strcmp(L->type, e->o.type);
	if (ok && L->re) {
		int hit = re_hit(L->re, e->o.name) || re_hit(L->re, e->o.type);
		for (size_t i = 0; !hit && i < e->o.nin; i++)
			for (size_t j = 0; !hit && j < e->o.in[i].nb; j++)
				hit = re_hit(L->re, e->o.in[i].b[j].name);
		for (size_t i = 0; !hit && i < e->o.nout; i++)
			hit = re_hit(L->re, e->o.out[i].name);
		ok = hit;
	}
	e->match = ok;
}

/* an operation's inputs, a const's value or type in place of its name */
static void op_args(const struct mil_op *o, const struct mil_consts *c, struct strlist *args)
{
	for (size_t i = 0; i < o->nin; i++) {
		const struct mil_input *in = &o->in[i];
		const char *one = in->nb == 1 && in->b[0].name ? mil_consts_find(c, in->b[0].name) : NULL;
		if (one) {
			sl_pushf(args, "%s: %s", in->param, one);
			continue;
		}
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%s=", in->param);
		if (in->nb != 1)
			sb_addc(&sb, '(');
		for (size_t j = 0; j < in->nb; j++) {
			const char *v = in->b[j].name ? mil_consts_find(c, in->b[j].name) : NULL;
			sb_addf(&sb, "%s%s", j ? "," : "", v ? v : in->b[j].name ? in->b[j].name : in->b[j].value);
		}
		if (in->nb != 1)
			sb_addc(&sb, ')');
		sl_push(args, sb_detach(&sb, NULL));
	}
}

/* the walk of one model's program */
struct pwalk {
	struct listing *L;
	size_t model;
	struct mil_consts c; /* the function's consts so far */
};

static int on_function(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	const struct mil_function *f = w->fn;
	struct ev *e = push(p->L, EV_FUNC, p->model);
	e->path = mil_block_path(w->mpath, f);
	e->fname = xstrdup(f->name);
	e->opset = xstrdup(f->opset);
	e->block = f->block_key ? xstrdup(f->block_key) : NULL;
	mil_consts_release(&p->c);
	if (!f->fn)
		return MIL_WALK_SKIP;
	if (mil_block_io(f->fn, &e->ins, NULL) < 0)
		return -1;
	if (f->block && mil_block_io(f->block, NULL, &e->outs) < 0)
		return -1;
	return 0;
}

static int on_block(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	const struct mil_block *b = w->b;
	if (!b->up)
		return 0;
	struct ev *e = push(p->L, EV_BLOCK, p->model);
	e->depth = b->depth;
	e->path = xstrdup(b->path);
	e->index = xstrndup(b->prefix, strlen(b->prefix) - 1); /* "5.0." -> "5.0" */
	e->fname = xstrdup(w->fn->name);
	return mil_block_io(b->node, &e->ins, &e->outs);
}

static int on_op(struct mil_walk *w, void *ctx)
{
	struct pwalk *p = ctx;
	struct mil_block *b = w->b;
	struct ev *e = push(p->L, EV_OP, p->model);
	e->depth = b->depth;
	e->path = mil_op_path(b);
	e->index = mil_op_index(b);
	e->fname = xstrdup(w->fn->name);
	e->o = b->o; /* taken */
	memset(&b->o, 0, sizeof(b->o));
	op_args(&e->o, &p->c, &e->args);
	mil_consts_add(&p->c, &e->o);
	p->L->items[p->model]++;
	match_op(p->L, e);
	return 0;
}

static const struct mil_visitor list_visitor = {
	.function = on_function,
	.block = on_block,
	.op = on_op,
	.read_ops = 1,
	.op_flags = MIL_OP_FULL,
};

struct nn_gather {
	struct listing *L;
	size_t model;
	struct nn_shapes *shapes; /* of the top-level network */
};

/* a layer, nested ones after the branch or loop layer holding them, each
 * nested network with a header (EV_NET) */
static int gather_layer(const struct nn_visit *v, void *ctx)
{
	struct nn_gather *g = ctx;
	struct ev *e = push(g->L, v->layer ? EV_LAYER : EV_NET, g->model);
	e->depth = v->depth;
	e->path = xstrdup(v->path);
	e->index = xstrdup(v->index);
	if (!v->layer) {
		e->index[strlen(e->index) - 1] = 0; /* "1.ifBranch." */
		return 0;
	}
	if (nn_layer_read(v->layer, v->pos, &e->l) < 0)
		return -1;
	if (g->shapes && !v->depth && e->l.out.n) {
		e->oshape = xcalloc(e->l.out.n, sizeof(*e->oshape));
		for (size_t k = 0; k < e->l.out.n; k++) {
			const struct nn_shape *sh = nn_shapes_get(g->shapes, e->l.out.v[k]);
			if (sh)
				e->oshape[k] = *sh;
		}
	}
	g->L->items[g->model]++;
	match_layer(g->L, e);
	return 0;
}

static int gather(struct listing *L, struct mt_node *root)
{
	if (model_list(root, &L->refs, &L->nrefs) < 0)
		return -1;
	L->items = xcalloc(L->nrefs, sizeof(*L->items));
	for (size_t mi = 0; mi < L->nrefs; mi++) {
		struct model_ref *r = &L->refs[mi];
		struct ev *me = push(L, EV_MODEL, mi);
		me->path = xstrdup(r->path);
		struct mt_node *nn = nn_network(r->node);
		if (nn) {
			char *lpath = join(r->path, r->type);
			struct nn_gather g = { L, mi, nn_shapes_infer(r->node) };
			int rr = nn_walk(nn, lpath, NN_WALK_NETS, gather_layer, &g);
			nn_shapes_free(g.shapes);
			free(lpath);
			if (rr < 0)
				return -1;
			continue;
		}
		long t = model_type_field(r->node);
		if (t >= 0 && r->type && !strcmp(r->type, "mlProgram")) {
			struct mt_node *prog = mt_child(r->node, (size_t)t);
			struct pwalk p = { L, mi, MIL_CONSTS_INIT };
			int rc = prog ? mil_walk(prog, r->path, &list_visitor, &p) : -1;
			mil_consts_release(&p.c);
			if (rc < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- compiled folders ------------------------------------------------------------ */

/* a compiled folder as the one model of the listing: its program's
 * operations from model.mil, its network's layers from model.espresso.net;
 * each entry's path is where it is written (model.mil:LINE,
 * model.espresso.net:layers[N]) */
struct compiled_src {
	struct compiled *c;
	struct compiled_part *parts;
	size_t nparts;
	struct espresso_net *nets; /* per part: kept while the listing points into them */
	char *partial;             /* where a model.mil stopped the reader, said after the listing */
};

/* a JSON number that is an integer JSON can carry exactly */
static int integral(double d)
{
	return d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(long long)d;
}

static void copy_list(struct strlist *to, const struct strlist *from)
{
	for (size_t i = 0; i < from->n; i++)
		sl_push(to, xstrdup(from->v[i]));
}

/* a part's file, and its entries' paths: "model.mil", "model0/model.mil" */
static char *part_path(const char *rel, const char *file)
{
	return *rel ? xasprintf("%s/%s", rel, file) : xstrdup(file);
}

static void gather_program(struct listing *L, struct miltext *P, size_t model, const char *rel)
{
	char *file = part_path(rel, "model.mil");
	for (size_t f = 0; f < P->nfn; f++) {
		const struct miltext_fn *fn = &P->fn[f];
		struct ev *e = push(L, EV_FUNC, model);
		e->path = xstrdup(file);
		e->fname = xstrdup(fn->name);
		e->opset = xstrdup(fn->opset);
		copy_list(&e->ins, &fn->ins);
		copy_list(&e->outs, &fn->outs);
		struct mil_consts consts = MIL_CONSTS_INIT;
		for (size_t i = 0; i < P->nop; i++) {
			struct miltext_op *op = &P->op[i];
			if (op->fn != f)
				continue;
			e = push(L, op->is_block ? EV_BLOCK : EV_OP, model);
			e->depth = op->depth;
			e->path = xasprintf("%s:%u", file, op->line);
			e->index = xstrdup(op->index);
			e->fname = xstrdup(fn->name);
			if (op->is_block) {
				copy_list(&e->ins, &op->ins);
				copy_list(&e->outs, &op->outs);
				continue;
			}
			e->o = op->o; /* taken */
			memset(&op->o, 0, sizeof(op->o));
			op_args(&e->o, &consts, &e->args);
			mil_consts_add(&consts, &e->o);
			L->items[model]++;
			match_op(L, e);
		}
		mil_consts_release(&consts);
	}
	free(file);
}

static void gather_network(struct listing *L, struct espresso_net *net, size_t model, const char *rel)
{
	char *file = part_path(rel, "model.espresso.net");
	for (size_t i = 0; i < net->n; i++) {
		struct espresso_layer *l = &net->v[i];
		struct ev *e = push(L, EV_LAYER, model);
		e->path = xasprintf("%s:layers[%zu]", file, i);
		e->index = xasprintf("%zu", i);
		e->l.index = i;
		e->l.name = l->name; /* taken */
		l->name = NULL;
		e->l.kind = l->type; /* lives as long as net */
		e->l.in = l->in;
		e->l.out = l->out;
		memset(&l->in, 0, sizeof(l->in));
		memset(&l->out, 0, sizeof(l->out));
		e->eparams = l->json;
		const cJSON *p;
		cJSON_ArrayForEach(p, l->json)
		{
			if (!espresso_param(p))
				continue;
			if (cJSON_IsString(p))
				sl_pushf(&e->l.keys, "%s=%s", p->string, p->valuestring);
			else if (integral(p->valuedouble))
				sl_pushf(&e->l.keys, "%s=%lld", p->string, (long long)p->valuedouble);
			else
				sl_pushf(&e->l.keys, "%s=%g", p->string, p->valuedouble);
		}
		L->items[model]++;
		match_layer(L, e);
	}
	free(file);
}

/* the folder as one model, or, when its program or network is in the
 * folders below it (a compiled pipeline), as the pipeline and its members */
static int gather_compiled(struct listing *L, struct compiled_src *src)
{
	struct compiled *c = src->c;
	compiled_parts(c, &src->parts, &src->nparts);
	int whole = src->nparts == 1 && !*src->parts[0].rel;
	L->nrefs = whole ? 1 : 1 + src->nparts;
	L->refs = xcalloc(L->nrefs, sizeof(*L->refs));
	L->items = xcalloc(L->nrefs, sizeof(*L->items));
	L->refs[0].path = xstrdup("");
	L->refs[0].type = compiled_type(c);
	L->refs[0].version = (int)compiled_version(c);
	src->nets = xcalloc(src->nparts ? src->nparts : 1, sizeof(*src->nets));
	if (!whole)
		push(L, EV_MODEL, 0)->path = xstrdup("");
	for (size_t i = 0; i < src->nparts; i++) {
		const struct compiled_part *part = &src->parts[i];
		size_t model = whole ? 0 : i + 1;
		if (!whole) {
			struct model_ref *r = &L->refs[model];
			r->path = xstrdup(part->rel);
			r->type = part->type;
			r->depth = 1;
			r->version = -1;
		}
		push(L, EV_MODEL, model)->path = xstrdup(L->refs[model].path);
		if (!part->mil && !part->espresso)
			continue; /* a member with neither: its header says so */
		if (part->mil) {
			struct miltext prog;
			int r = compiled_program(c, part->rel, &prog);
			if (r < 0)
				return -1;
			gather_program(L, &prog, model, part->rel);
			if (r == 1 && !src->partial)
				src->partial = xasprintf("%s%smodel.mil: line %u: %s", part->rel, *part->rel ? "/" : "",
							 prog.stop_line, prog.stop_why);
			miltext_release(&prog);
		} else {
			if (compiled_network(c, part->rel, &src->nets[i]) < 0)
				return -1;
			gather_network(L, &src->nets[i], model, part->rel);
		}
	}
	return 0;
}

static void compiled_src_release(struct compiled_src *src)
{
	for (size_t i = 0; src->nets && i < src->nparts; i++)
		espresso_net_release(&src->nets[i]);
	free(src->nets);
	compiled_parts_free(src->parts, src->nparts);
	free(src->partial);
	compiled_close(src->c);
}

/* ---- text ---------------------------------------------------------------------- */

#define KIND_W 15

static void op_line_items(const struct ev *e, struct strlist *items)
{
	const struct mil_op *o = &e->o;
	for (size_t i = 0; i < e->args.n; i++)
		sl_push(items, xstrdup(e->args.v[i]));
	/* weights held in attributes (constexpr ops) */
	for (size_t i = 0; i < o->nw; i++) {
		const struct mil_weight_ref *w = &o->w[i];
		if (!strcmp(o->type, "const") && !strcmp(w->key, "val"))
			continue;
		int is_input = 0;
		for (size_t k = 0; k < o->nin; k++)
			is_input |= !strcmp(o->in[k].param, w->key);
		if (is_input)
			continue;
		const char *slash = strrchr(w->file, '/');
		sl_pushf(items, "%s=%s@%llu", w->key, slash ? slash + 1 : w->file, (unsigned long long)w->offset);
	}
}

/* nested operations show the last part of their index under their block's
 * header; a flat (filtered) listing shows it whole */
static void print_op(const struct ev *e, int flat, int width)
{
	const struct mil_op *o = &e->o;
	int ind = flat ? 2 : 2 + 4 * e->depth;
	const char *idx = e->index, *dot = strrchr(idx, '.');
	if (!flat && dot)
		idx = dot + 1;
	if (!flat || width < 5)
		width = 5;
	show_pad(stdout, ind);
	printf("%*s ", width, idx);
	show_escaped(stdout, o->type);
	int padn = KIND_W - (int)strlen(o->type);
	show_pad(stdout, (padn > 0 ? padn : 0) + 1);
	int iw = (int)strlen(idx) > width ? (int)strlen(idx) : width;
	int col = ind + iw + 1 + (strlen(o->type) > KIND_W ? (int)strlen(o->type) : KIND_W) + 1;
	show_escaped(stdout, o->name);
	int same = o->nout == 1 && !strcmp(o->out[0].name, o->name);
	if (!strcmp(o->type, "const")) {
		if (!same && o->nout) {
			fputs(" -> ", stdout);
			show_escaped(stdout, o->out[0].name);
		}
		if (o->nout)
			printf(": %s", o->out[0].type);
		if (o->value) {
			fputs(" = ", stdout);
			show_escaped(stdout, o->value);
		}
		fputc('\n', stdout);
		return;
	}
	if (same)
		printf(": %s", o->out[0].type);
	fputc('\n', stdout);
	struct strlist items = { 0 };
	op_line_items(e, &items);
	if (items.n) {
		show_pad(stdout, col);
		show_wrap(stdout, &items, ", ", col, col + 2);
		fputc('\n', stdout);
	}
	sl_free(&items);
	if (!same && o->nout) {
		for (size_t i = 0; i < o->nout; i++)
			sl_pushf(&items, "%s%s: %s", i ? "" : "-> ", o->out[i].name, o->out[i].type);
		show_pad(stdout, col);
		show_wrap(stdout, &items, ", ", col, col + 5);
		fputc('\n', stdout);
		sl_free(&items);
	}
}

/* nested layers show the last part of their index under their network's
 * header, indented; a flat (filtered) listing shows it whole */
static void print_layer(const struct ev *e, int flat, int width)
{
	const struct nn_layer *l = &e->l;
	int ind = flat ? 2 : 2 + 4 * e->depth;
	const char *idx = e->index, *dot = strrchr(idx, '.');
	if (!flat && dot)
		idx = dot + 1;
	if (!flat || width < 5)
		width = 5;
	show_pad(stdout, ind);
	printf("%*s %-*s ", width, idx, KIND_W, l->kind);
	int iw = (int)strlen(idx) > width ? (int)strlen(idx) : width;
	int col = ind + iw + 1 + (strlen(l->kind) > KIND_W ? (int)strlen(l->kind) : KIND_W) + 1;
	show_escaped(stdout, l->name);
	fputc('\n', stdout);
	struct strlist io = { 0 };
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->in.n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", l->in.v[i]);
	sb_adds(&sb, " ->");
	sl_push(&io, sb_detach(&sb, NULL));
	for (size_t i = 0; i < l->out.n; i++) {
		sb_addf(&sb, "%s%s", i ? ", " : "", l->out.v[i]);
		if (e->oshape) {
			char *s = nn_shape_str(&e->oshape[i]);
			sb_addf(&sb, " %s", s);
			free(s);
		}
	}
	sl_push(&io, sb_detach(&sb, NULL));
	show_pad(stdout, col);
	show_wrap(stdout, &io, " ", col, col + 2);
	fputc('\n', stdout);
	sl_free(&io);
	if (l->keys.n) {
		show_pad(stdout, col);
		show_wrap(stdout, &l->keys, ", ", col, col + 2);
		fputc('\n', stdout);
	}
	if (l->nw) {
		struct strlist ws = { 0 };
		for (size_t i = 0; i < l->nw; i++) {
			const struct nn_weight *w = &l->w[i];
			char b[32];
			human_size(b, sizeof(b), w->bytes);
			char *shape = nn_weight_shape_str(l, w);
			if (!strcmp(w->type, "quantized") || !strcmp(w->type, "lut"))
				sl_pushf(&ws, "%s %s/%d%s %s", w->field, w->type, w->bits, shape, b);
			else
				sl_pushf(&ws, "%s %s%s %s", w->field, w->type, shape, b);
			free(shape);
		}
		show_pad(stdout, col);
		show_wrap(stdout, &ws, ", ", col, col + 2);
		fputc('\n', stdout);
		sl_free(&ws);
	}
}

static void print_model_header(const struct listing *L, const struct ev *e)
{
	const struct model_ref *r = &L->refs[e->model];
	int has_nn = r->type && strstr(r->type, "neuralNetwork") == r->type;
	int has_mil = r->type && !strcmp(r->type, "mlProgram");
	unsigned long long k = L->items[e->model];
	const char *what = has_nn ? (k == 1 ? "layer" : "layers") : (k == 1 ? "operation" : "operations");
	if (L->nrefs == 1 && (has_nn || has_mil)) {
		printf("%s: %llu %s\n", r->type, k, what);
		return;
	}
	if (!*r->path) {
		printf("%s", r->type ? r->type : "no model type");
	} else {
		printf("%s ", r->path);
		if (r->name) {
			show_escaped(stdout, r->name);
			fputc(' ', stdout);
		}
		printf("(%s)", r->type ? r->type : "no model type");
	}
	if (has_nn || has_mil)
		printf(": %llu %s\n", k, what);
	else if (r->depth == 0 && L->nrefs > 1)
		printf(": %zu model%s\n", L->nrefs - 1, L->nrefs == 2 ? "" : "s");
	else if (!r->node)
		printf(": no layers or operations read (a compiled folder holds neither model.mil nor "
		       "model.espresso.net)\n");
	else {
		struct model_counts c = { 0 };
		char *classic = model_count(r->node, &c) == 0 ? classic_summary(&c) : NULL;
		if (classic)
			printf(": no layers or operations; %s\n", classic);
		else
			printf(": no layers or operations\n");
		free(classic);
		model_counts_release(&c);
	}
}

static void print_list(const struct listing *L, int filtered)
{
	/* a flat listing's index column fits its longest index (18.0.3) */
	int width = 5;
	for (size_t i = 0; filtered && i < L->n; i++)
		if ((L->v[i].kind == EV_OP || L->v[i].kind == EV_LAYER) && L->v[i].match &&
		    (int)strlen(L->v[i].index) > width)
			width = (int)strlen(L->v[i].index);
	for (size_t i = 0; i < L->n; i++) {
		const struct ev *e = &L->v[i];
		switch (e->kind) {
		case EV_MODEL: print_model_header(L, e); break;
		case EV_FUNC:
			printf("function ");
			show_escaped(stdout, e->fname);
			printf(" (opset ");
			show_escaped(stdout, *e->opset ? e->opset : "none");
			if (e->block && strcmp(e->block, e->opset)) {
				printf(", block ");
				show_escaped(stdout, e->block);
			}
			printf(")\n");
			if (filtered)
				break;
			printf("  inputs: ");
			if (!e->ins.n)
				fputs("none", stdout);
			show_wrap(stdout, &e->ins, ", ", 10, 4);
			printf("\n  outputs: ");
			show_wrap(stdout, &e->outs, ", ", 11, 4);
			fputc('\n', stdout);
			break;
		case EV_BLOCK:
			if (filtered)
				break;
			show_pad(stdout, 2 + 4 * e->depth);
			printf("block %s", e->index);
			if (e->ins.n) {
				fputs(" (", stdout);
				show_wrap(stdout, &e->ins, ", ", 0, 4 + 4 * e->depth);
				fputc(')', stdout);
			}
			if (e->outs.n) {
				fputs(" -> ", stdout);
				show_wrap(stdout, &e->outs, ", ", 0, 4 + 4 * e->depth);
			}
			fputc('\n', stdout);
			break;
		case EV_NET:
			if (filtered)
				break;
			show_pad(stdout, 2 + 4 * e->depth);
			printf("%s\n", e->index);
			break;
		case EV_LAYER:
			if (e->match)
				print_layer(e, filtered, width);
			break;
		case EV_OP:
			if (e->match) {
				print_op(e, filtered, width);
			}
			break;
		}
	}
}

/* ---- JSON ----------------------------------------------------------------------- */

static void json_strlist(struct jw *w, const struct strlist *l)
{
	jw_arr(w);
	for (size_t i = 0; i < l->n; i++)
		jw_str(w, l->v[i]);
	jw_arr_end(w);
}

static int json_params(struct jw *w, struct mt_node *p)
{
	jw_obj(w);
	for (size_t i = 0; p && i < p->n; i++) {
		const struct mt_field *f = &p->f[i];
		if (!f->fd || f->fd->type == PROTOBUF_C_TYPE_BYTES)
			continue;
		int first = 1;
		for (size_t q = 0; q < i; q++)
			first &= p->f[q].number != f->number;
		if (!first)
			continue;
		if (f->fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			struct mt_node *c = mt_child(p, i);
			if (!c)
				return -1;
			if (nn_has_weights(c, 0) || c->desc == p->desc || f->vlen > 4096 || nn_is_network_field(f->fd))
				continue;
			if (mt_validate(c) < 0)
				return -1;
		}
		jw_key(w, f->fd->name);
		if (dump_json_field(w, p, i) < 0)
			return -1;
	}
	jw_obj_end(w);
	return 0;
}

/* the pipeline member holding an entry; absent for the model itself */
static void json_member(struct jw *w, const struct listing *L, const struct ev *e)
{
	const char *member = L->refs[e->model].path;
	if (member && *member)
		jw_kstr(w, "member", member);
}

static void json_kstr_opt(struct jw *w, const char *k, const char *s)
{
	if (s)
		jw_kstr(w, k, s);
}

/* the last part of a dotted index ("5.0.2" -> 2): the position in its block
 * or network, which path and depth place */
static int64_t last_index(const char *idx)
{
	const char *dot = strrchr(idx, '.');
	return strtoll(dot ? dot + 1 : idx, NULL, 10);
}

/* the fields a layer and an operation share; fname NULL for a layer */
static void json_item_head(struct jw *w, const struct listing *L, const struct ev *e, const char *fname, int64_t index,
			   const char *name, const char *kind)
{
	jw_obj(w);
	jw_kstr(w, "path", e->path);
	json_member(w, L, e);
	json_kstr_opt(w, "function", fname);
	jw_kint(w, "index", index);
	jw_kint(w, "depth", e->depth);
	jw_kstr(w, "name", name);
	jw_kstr(w, "kind", kind);
}

static int json_layer(struct jw *w, const struct listing *L, const struct ev *e)
{
	const struct nn_layer *l = &e->l;
	json_item_head(w, L, e, NULL, (int64_t)l->index, l->name, l->kind);
	jw_key(w, "inputs");
	json_strlist(w, &l->in);
	jw_key(w, "outputs");
	json_strlist(w, &l->out);
	if (e->oshape) {
		/* inferred from the inputs' shapes; null when not known */
		jw_key(w, "outputShapes");
		jw_arr(w);
		for (size_t k = 0; k < l->out.n; k++) {
			const struct nn_shape *sh = &e->oshape[k];
			if (!sh->rank) {
				jw_null(w);
				continue;
			}
			jw_arr(w);
			for (int d = 0; d < sh->rank; d++)
				sh->d[d] < 0 ? jw_null(w) : jw_int(w, sh->d[d]);
			jw_arr_end(w);
		}
		jw_arr_end(w);
	}
	jw_key(w, "params");
	if (e->eparams) {
		jw_obj(w);
		const cJSON *p;
		cJSON_ArrayForEach(p, e->eparams)
		{
			if (!espresso_param(p))
				continue;
			jw_key(w, p->string);
			if (cJSON_IsString(p))
				jw_str(w, p->valuestring);
			else if (integral(p->valuedouble))
				jw_int(w, (long long)p->valuedouble);
			else
				jw_double(w, p->valuedouble);
		}
		jw_obj_end(w);
	} else if (json_params(w, l->params) < 0) {
		return -1;
	}
	jw_key(w, "weights");
	jw_arr(w);
	for (size_t k = 0; k < l->nw; k++) {
		jw_obj(w);
		jw_kstr(w, "field", l->w[k].field);
		jw_kstr(w, "type", l->w[k].type);
		jw_kint(w, "bits", l->w[k].bits);
		jw_kint(w, "count", (int64_t)l->w[k].count);
		jw_kint(w, "bytes", (int64_t)l->w[k].bytes);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}

static void json_op(struct jw *w, const struct listing *L, const struct ev *e)
{
	const struct mil_op *o = &e->o;
	json_item_head(w, L, e, e->fname, last_index(e->index), o->name, o->type);
	jw_key(w, "inputs");
	jw_obj(w);
	for (size_t k = 0; k < o->nin; k++) {
		jw_key(w, o->in[k].param);
		jw_arr(w);
		for (size_t j = 0; j < o->in[k].nb; j++) {
			jw_obj(w);
			if (o->in[k].b[j].name)
				jw_kstr(w, "name", o->in[k].b[j].name);
			else
				jw_kstr(w, "value", o->in[k].b[j].value);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "outputs");
	jw_arr(w);
	for (size_t k = 0; k < o->nout; k++) {
		jw_obj(w);
		jw_kstr(w, "name", o->out[k].name);
		jw_kstr(w, "type", o->out[k].type);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_kstr_opt(w, "value", o->value);
	jw_kint(w, "blocks", (int64_t)o->nblocks);
	jw_key(w, "weights");
	jw_arr(w);
	for (size_t k = 0; k < o->nw; k++) {
		const struct mil_weight_ref *r = &o->w[k];
		jw_obj(w);
		jw_kstr(w, "key", r->key);
		jw_kstr(w, "file", r->file);
		jw_kint(w, "offset", (int64_t)r->offset);
		if (r->dtype)
			jw_kstr(w, "dtype", r->dtype->name);
		jw_key(w, "shape");
		jw_arr(w);
		for (size_t d = 0; d < r->rank; d++)
			jw_int(w, r->shape[d]);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

/* one model's object of {"version": 1, "models": [...]} */
static int json_list(struct jw *w, const struct listing *L, const char *model)
{
	jw_obj(w);
	jw_kstr(w, "model", model);
	/* the model itself (path "") and each pipeline member */
	jw_key(w, "members");
	jw_arr(w);
	for (size_t i = 0; i < L->nrefs; i++) {
		const struct model_ref *r = &L->refs[i];
		jw_obj(w);
		jw_kstr(w, "path", r->path);
		json_kstr_opt(w, "name", r->name);
		json_kstr_opt(w, "type", r->type);
		jw_kint(w, "specificationVersion", r->version);
		jw_kint(w, "items", (int64_t)L->items[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "functions");
	jw_arr(w);
	for (size_t i = 0; i < L->n; i++) {
		const struct ev *e = &L->v[i];
		if (e->kind != EV_FUNC)
			continue;
		jw_obj(w);
		json_member(w, L, e);
		jw_kstr(w, "name", e->fname);
		jw_kstr(w, "opset", e->opset);
		json_kstr_opt(w, "block", e->block);
		jw_kstr(w, "path", e->path);
		jw_key(w, "inputs");
		json_strlist(w, &e->ins);
		jw_key(w, "outputs");
		json_strlist(w, &e->outs);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "layers");
	jw_arr(w);
	for (size_t i = 0; i < L->n; i++)
		if (L->v[i].kind == EV_LAYER && L->v[i].match && json_layer(w, L, &L->v[i]) < 0)
			return -1;
	jw_arr_end(w);
	jw_key(w, "operations");
	jw_arr(w);
	for (size_t i = 0; i < L->n; i++)
		if (L->v[i].kind == EV_OP && L->v[i].match)
			json_op(w, L, &L->v[i]);
	jw_arr_end(w);
	jw_obj_end(w);
	return 0;
}

/* ---- summary --------------------------------------------------------------------- */

struct kcount {
	const char *kind;
	uint64_t n;
};

static int kcmp(const void *a, const void *b)
{
	const struct kcount *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->kind, y->kind);
}

/* the counts by kind: as text, or (w not NULL) as one model's object */
static void summary(const struct listing *L, struct jw *jwp, const char *model)
{
	struct kcount *k = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < L->n; i++) {
		const struct ev *e = &L->v[i];
		if ((e->kind != EV_LAYER && e->kind != EV_OP) || !e->match)
			continue;
		const char *kind = e->kind == EV_LAYER ? e->l.kind : e->o.type;
		size_t j = 0;
		while (j < n && strcmp(k[j].kind, kind))
			j++;
		if (j == n) {
			xgrow((void **)&k, &cap, n + 1, sizeof(*k));
			k[n].kind = kind;
			k[n++].n = 0;
		}
		k[j].n++;
		total++;
	}
	if (n)
		qsort(k, n, sizeof(*k), kcmp);
	if (jwp) {
		jw_obj(jwp);
		jw_kstr(jwp, "model", model);
		jw_kint(jwp, "total", (int64_t)total);
		jw_key(jwp, "kinds");
		jw_obj(jwp);
		for (size_t i = 0; i < n; i++)
			jw_kint(jwp, k[i].kind, (int64_t)k[i].n);
		jw_obj_end(jwp);
		jw_obj_end(jwp);
	} else {
		size_t kw = 5;
		for (size_t i = 0; i < n; i++)
			if (strlen(k[i].kind) > kw)
				kw = strlen(k[i].kind);
		for (size_t i = 0; i < n; i++) {
			fputs("  ", stdout);
			show_escaped(stdout, k[i].kind);
			show_pad(stdout, (int)(kw - strlen(k[i].kind)));
			printf(" %8llu\n", (unsigned long long)k[i].n);
		}
		printf("  %-*s %8llu\n", (int)kw, "total", (unsigned long long)total);
	}
	free(k);
}

struct layers_opts {
	int json, sum;
	const char *type;
	regex_t *re;
	int several;
};

/* One model: its listing as text, or its object of the JSON output into w
 * (nothing when it cannot be read: its error is said, its status returned). */
static int layers_one(const char *arg, const struct layers_opts *o, struct jw *w)
{
	struct listing L;
	memset(&L, 0, sizeof(L));
	L.type = o->type;
	L.re = o->re;
	struct compiled_src src;
	memset(&src, 0, sizeof(src));
	struct mlpkg_model *m = NULL;
	int rc = EXIT_OK;
	int gathered = -1, ec = EXIT_OK;
	const char *label = arg;
	if (arg && compiled_is(arg)) {
		if (compiled_open(arg, &src.c) == 0)
			gathered = gather_compiled(&L, &src);
		if (gathered < 0)
			ec = last_error_code();
	} else {
		m = cmd_open(arg, 0);
		if (!m) {
			ec = last_error_code();
		} else {
			label = m->path;
			struct error_capture cap;
			error_capture_begin(&cap, ERRCAP_WATCH);
			gathered = gather(&L, m->root);
			ec = error_capture_end(&cap);
		}
	}
	if (gathered < 0 || ec != EXIT_OK) {
		/* any node found invalid on the way fails the model */
		rc = ec != EXIT_OK ? ec : EXIT_FAIL;
	} else if (o->json) {
		/* one model's object goes to a buffer first: nothing half-written on error */
		char *buf;
		size_t len;
		struct jw one;
		FILE *mem = jw_fork_mem(&one, w, &buf, &len);
		one.int64_numbers = 1; /* parameters are numbers (docs/json/README.md) */
		int r = 0;
		if (o->sum)
			summary(&L, &one, label);
		else
			r = json_list(&one, &L, label);
		fclose(mem);
		if (r < 0)
			rc = last_error_code();
		else
			jw_join(w, &one, buf, len);
		free(buf);
	} else {
		if (o->several)
			printf("%s:\n", label);
		if (o->sum)
			summary(&L, NULL, label);
		else
			print_list(&L, L.type || L.re);
	}
	if (rc == EXIT_OK && src.partial) {
		/* what was read is listed; where the reader stopped is said */
		fflush(stdout);
		error_code(EXIT_INVALID, "'%s': %s; the operations after it are not listed", label, src.partial);
		rc = EXIT_INVALID;
	}
	compiled_src_release(&src);
	listing_free(&L);
	mlpkg_close(m);
	return rc;
}

int cmd_layers(int argc, char **argv)
{
	const struct cmd *self = cmd_find("layers");
	struct layers_opts o = { 0 };
	const char *grep = NULL;
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 't': o.type = optarg; break;
		case 'g': grep = optarg; break;
		case 's': o.sum = 1; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	regex_t re;
	if (grep) {
		if (cmd_regcomp(self, &re, grep) < 0)
			return EXIT_USAGE;
		o.re = &re;
	}
	int n = argc - optind, rc = EXIT_OK;
	o.several = n > 1;
	struct jw w;
	jw_init(&w, stdout);
	if (o.json)
		jw_models_begin(&w);
	if (!n)
		rc = layers_one(NULL, &o, &w);
	for (int i = 0; i < n; i++)
		rc = worse(rc, layers_one(argv[optind + i], &o, &w));
	if (o.json)
		jw_models_end(&w);
	if (grep)
		regfree(&re);
	return rc;
}
