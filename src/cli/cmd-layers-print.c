/* cmd-layers-print: the output of mlpkg layers from a gathered listing
 * (cmd-layers.h).  As text: each model's header, its functions and blocks,
 * and a layer or an operation on a line with its inputs, outputs,
 * parameters and weights wrapped below it, nested ones indented (a filtered
 * listing flat, by their whole index).  As JSON: one model's object of the
 * {"version": 1, "models": [...]} output (docs/json), its members,
 * functions, layers and operations.  And --summary: the counts by kind, as
 * text or JSON. */
#include "cli/cmd-layers.h"
#include "cli/commands.h"
#include "spec/dump.h"
#include "query/show.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void layers_print_list(const struct listing *L, int filtered)
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
int layers_json_list(struct jw *w, const struct listing *L, const char *model)
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
void layers_summary(const struct listing *L, struct jw *jwp, const char *model)
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
