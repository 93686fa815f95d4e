/* ui-compiled: the views of a compiled model folder (.mlmodelc), read-only:
 * its operations from model.mil or layers from model.espresso.net, with
 * their inputs, outputs, parameters and weights in the detail pane, and its
 * metadata from metadata.json.  The overview and weights views serve both
 * kinds of model (ui-overview.c, ui-weights.c). */
#include "ui/browse.h"
#include "query/compiled.h"
#include "query/miltext.h"
#include "query/mil.h"
#include "base/error.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- layers ------------------------------------------------------------------ */

/* an operation's detail: its inputs, consts resolved as in mlpkg layers,
 * its outputs and the weights it holds */
struct op_detail {
	struct strlist lines;
};

static void od_free(void *p)
{
	struct op_detail *d = p;
	sl_free(&d->lines);
	free(d);
}

static void detail_lines(struct view *v, struct unode *n, struct strlist *out)
{
	(void)v;
	struct op_detail *d = n->p;
	for (size_t i = 0; i < d->lines.n; i++)
		sl_push(out, xstrdup(d->lines.v[i]));
	if (n->path)
		sl_pushf(out, "at %s", n->path);
}

static struct unode *row(struct unode *parent, struct op_detail *d, const char *name, const char *kind,
			 const char *path, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static struct unode *row(struct unode *parent, struct op_detail *d, const char *name, const char *kind,
			 const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct strbuf sb = STRBUF_INIT;
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	struct unode *u = un_add(parent, "%s", sb.buf ? sb.buf : "");
	sb_release(&sb);
	u->name = name ? xstrdup(name) : NULL;
	u->kind = kind ? xstrdup(kind) : NULL;
	u->path = path ? xstrdup(path) : NULL;
	u->p = d;
	u->free_p = od_free;
	u->detail = detail_lines;
	return u;
}

static void op_detail_fill(struct op_detail *d, const struct mil_op *o, const struct mil_consts *c)
{
	for (size_t i = 0; i < o->nin; i++) {
		const struct mil_input *in = &o->in[i];
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "in  %s = ", in->param);
		for (size_t j = 0; j < in->nb; j++) {
			const struct mil_binding *b = &in->b[j];
			const char *cv = b->name ? mil_consts_find(c, b->name) : NULL;
			if (j)
				sb_adds(&sb, ", ");
			if (cv)
				sb_addf(&sb, "%s (%s)", b->name, cv);
			else
				sb_adds(&sb, b->name ? b->name : b->value);
		}
		sl_push(&d->lines, sb_detach(&sb, NULL));
	}
	for (size_t i = 0; i < o->nout; i++)
		sl_pushf(&d->lines, "out %s: %s", o->out[i].name, o->out[i].type);
	if (o->value)
		sl_pushf(&d->lines, "value %s", o->value);
	for (size_t i = 0; i < o->nw; i++) {
		const struct mil_weight_ref *w = &o->w[i];
		const char *slash = strrchr(w->file, '/');
		sl_pushf(&d->lines, "weight %s: %s in %s at %llu", w->key, w->dtype ? w->dtype->name : "?",
			 slash ? slash + 1 : w->file, (unsigned long long)w->offset);
	}
}

static void program_rows(struct unode *top, const struct miltext *P, const char *rel)
{
	char *file = *rel ? xasprintf("%s/model.mil", rel) : xstrdup("model.mil");
	for (size_t f = 0; f < P->nfn; f++) {
		const struct miltext_fn *fn = &P->fn[f];
		struct op_detail *fd = xcalloc(1, sizeof(*fd));
		for (size_t k = 0; k < fn->ins.n; k++)
			sl_pushf(&fd->lines, "in  %s", fn->ins.v[k]);
		for (size_t k = 0; k < fn->outs.n; k++)
			sl_pushf(&fd->lines, "out %s", fn->outs.v[k]);
		struct unode *fu =
			row(top, fd, fn->name, "function", file, "function %s (opset %s): %zu inputs -> %zu outputs",
			    fn->name, *fn->opset ? fn->opset : "none", fn->ins.n, fn->outs.n);
		fu->attr = UA_HEAD;
		fu->open = 1;
		/* the innermost open row at each depth: ops hang under the
		 * block above them, blocks under the op holding them */
		struct unode *at[MT_MAX_DEPTH + 2] = { fu };
		struct mil_consts consts = MIL_CONSTS_INIT;
		for (size_t i = 0; i < P->nop; i++) {
			const struct miltext_op *op = &P->op[i];
			if (op->fn != f || op->depth > MT_MAX_DEPTH)
				continue;
			struct op_detail *d = xcalloc(1, sizeof(*d));
			char *path = xasprintf("%s:%u", file, op->line);
			if (op->is_block) {
				struct unode *parent = at[op->depth] ? at[op->depth] : fu;
				for (size_t k = 0; k < op->ins.n; k++)
					sl_pushf(&d->lines, "in  %s", op->ins.v[k]);
				for (size_t k = 0; k < op->outs.n; k++)
					sl_pushf(&d->lines, "out %s", op->outs.v[k]);
				struct unode *b = row(parent, d, op->index, "block", path, "block %s", op->index);
				b->attr = UA_DIM;
				at[op->depth] = b;
				free(path);
				continue;
			}
			const struct mil_op *o = &op->o;
			op_detail_fill(d, o, &consts);
			mil_consts_add(&consts, o);
			struct unode *parent = op->depth && at[op->depth] ? at[op->depth] : fu;
			int same = o->nout == 1 && !strcmp(o->out[0].name, o->name);
			struct unode *r = row(parent, d, o->name, o->type, path, "%5s %-15s %s%s%s",
					      strrchr(op->index, '.') ? strrchr(op->index, '.') + 1 : op->index,
					      o->type, o->name, o->nout ? ": " : "", o->nout ? o->out[0].type : "");
			if (!same && o->nout) {
				free(r->text);
				r->text = xasprintf("%5s %-15s %s -> %s: %s",
						    strrchr(op->index, '.') ? strrchr(op->index, '.') + 1 : op->index,
						    o->type, o->name, o->out[0].name, o->out[0].type);
			}
			r->attr = strcmp(o->type, "const") ? UA_NONE : UA_DIM;
			at[op->depth + 1] = r;
			free(path);
		}
		mil_consts_release(&consts);
	}
	if (P->stop_line)
		un_add(top, "(%s: line %u: %s; the operations after it are not listed)", file, P->stop_line,
		       P->stop_why)
			->attr = UA_WARN;
	free(file);
}

static void network_rows(struct unode *top, const struct espresso_net *net, const char *rel)
{
	for (size_t i = 0; i < net->n; i++) {
		const struct espresso_layer *l = &net->v[i];
		struct op_detail *d = xcalloc(1, sizeof(*d));
		for (size_t k = 0; k < l->in.n; k++)
			sl_pushf(&d->lines, "in  %s", l->in.v[k]);
		for (size_t k = 0; k < l->out.n; k++)
			sl_pushf(&d->lines, "out %s", l->out.v[k]);
		const cJSON *p;
		cJSON_ArrayForEach(p, l->json)
		{
			if (!espresso_param(p))
				continue;
			if (cJSON_IsString(p))
				sl_pushf(&d->lines, "%s = %s", p->string, p->valuestring);
			else
				sl_pushf(&d->lines, "%s = %g", p->string, p->valuedouble);
		}
		char *path = *rel ? xasprintf("%s/model.espresso.net:layers[%zu]", rel, i)
				  : xasprintf("model.espresso.net:layers[%zu]", i);
		row(top, d, l->name, l->type, path, "%5zu %-15s %s", i, l->type, l->name);
		free(path);
	}
}

static int clayers_init(struct view *v)
{
	struct compiled *c = ui_compiled(v);
	struct compiled_part *parts;
	size_t np;
	compiled_parts(c, &parts, &np);
	if (!np)
		un_add(v->root, "no model.mil or model.espresso.net: no layers or operations to show")->attr = UA_DIM;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	int r = 0;
	for (size_t i = 0; i < np && r >= 0; i++) {
		const struct compiled_part *part = &parts[i];
		struct unode *top = v->root;
		if (*part->rel) {
			/* a compiled pipeline's member */
			top = un_add(v->root, "%s (%s)", part->rel, part->type);
			top->attr = UA_HEAD;
			top->open = 1;
		}
		if (!part->mil && !part->espresso) {
			un_add(top,
			       "nothing to read: no model.mil or model.espresso.net (coremldata.bin is undocumented)")
				->attr = UA_DIM;
			continue;
		}
		if (part->mil) {
			struct miltext P;
			r = compiled_program(c, part->rel, &P);
			if (r >= 0) {
				program_rows(top, &P, part->rel);
				miltext_release(&P);
			}
		} else {
			struct espresso_net net;
			r = compiled_network(c, part->rel, &net);
			if (r == 0)
				network_rows(top, &net, part->rel);
			espresso_net_release(&net);
		}
	}
	int ec = error_capture_end(&cap);
	if (r < 0)
		un_add(v->root, "(layers could not be read: exit %d)", ec != EXIT_OK ? ec : EXIT_FAIL)->attr = UA_WARN;
	compiled_parts_free(parts, np);
	return 0;
}

const struct view_ops compiled_layers_ops = {
	.name = "layers",
	.init = clayers_init,
	.search_builds_all = 1,
};

/* ---- metadata (read-only) ------------------------------------------------------- */

static int cmeta_init(struct view *v)
{
	struct compiled *c = ui_compiled(v);
	struct meta_entry *e;
	size_t n;
	if (compiled_meta_list(c, &e, &n) < 0)
		return -1;
	un_add(v->root, "a compiled model: its metadata is read, never edited (edit the model it was compiled "
			"from)")
		->attr = UA_DIM;
	for (size_t i = 0; i < n; i++) {
		struct op_detail *d = xcalloc(1, sizeof(*d));
		sl_pushf(&d->lines, "%s", e[i].key);
		sl_pushf(&d->lines, "%s", e[i].value ? e[i].value : "");
		struct unode *r = row(v->root, d, e[i].key, NULL, "metadata.json", "%-24s %s", e[i].key,
				      e[i].value ? e[i].value : "");
		r->attr = UA_NONE;
	}
	meta_entries_free(e, n);
	return 0;
}

const struct view_ops compiled_meta_ops = {
	.name = "metadata",
	.init = cmeta_init,
	.search_builds_all = 1,
};
