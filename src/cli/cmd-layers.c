/* cmd-layers: mlpkg layers [--json] [--type KIND] [--grep REGEX] [--summary]
 * [MODEL]: neural-network layers and ML-program operations.  This file
 * gathers the listing (cmd-layers.h) and runs the command; the listing is
 * printed, as text, JSON or a summary, by cmd-layers-print.c. */
#include "cli/commands.h"
#include "cli/cmd-layers.h"
#include "base/error.h"
#include "query/inspect.h"
#include "query/mil.h"
#include "query/compiled.h"
#include "query/miltext.h"
#include "query/nnshape.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			layers_summary(&L, &one, label);
		else
			r = layers_json_list(&one, &L, label);
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
			layers_summary(&L, NULL, label);
		else
			layers_print_list(&L, L.type || L.re);
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
