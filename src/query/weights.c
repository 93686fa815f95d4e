/* weights: the weight tensors of a model (see weights.h). */
#include "query/weights.h"
#include "query/mil.h"
#include "query/miltext.h"
#include "query/compiled.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void weight_list_release(struct weight_list *L)
{
	free(L->absent_msg);
	sl_free(&L->keep);
	for (size_t i = 0; i < L->n; i++) {
		struct weight_entry *e = &L->v[i];
		free(e->name);
		free(e->path);
		free(e->function);
		free(e->optype);
		free(e->key);
		free(e->file);
		free(e->shape);
		free(e->op_type);
		free(e->layer);
		free(e->field);
	}
	free(L->v);
	model_list_free(L->refs, L->nrefs);
	blob_store_free(L->store);
}

static struct weight_entry *push(struct weight_list *L, size_t model)
{
	xgrow((void **)&L->v, &L->cap, L->n + 1, sizeof(*L->v));
	struct weight_entry *e = &L->v[L->n++];
	memset(e, 0, sizeof(*e));
	e->model = model;
	return e;
}

/* the record behind an ML-program weight: bounds, sentinel, and agreement
 * with the declared type (disagreements are warned about) */
static int check_record(struct weight_list *L, struct weight_entry *e)
{
	if (L->m && L->m->fmt != FMT_PACKAGE && L->m->fmt != FMT_ZIP) {
		if (!L->nofile_warned++)
			warning("'%s': weight files are not available outside a package: records not checked",
				L->label);
		return 0;
	}
	/* a weight file that is not there is kept for the caller to say (see
	 * weights.h); a bad one is said here, once, and does not stop the
	 * listing */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	e->bf = blob_store_get(L->store, e->file);
	int got = error_capture_end(&cap);
	int absent = !e->bf && blob_store_absent(L->store, e->file);
	for (const struct error_msg *msg = cap.msgs; msg; msg = msg->next) {
		if (msg->is_warning) {
			warning("%s", msg->text);
		} else if (absent) {
			if (!L->absent_msg)
				L->absent_msg = xstrdup(msg->text);
		} else {
			struct error_capture said;
			error_capture_begin(&said, ERRCAP_HANDLE);
			error_code(msg->code, "%s", msg->text);
			error_capture_end(&said);
		}
	}
	error_capture_release(&cap);
	if (!e->bf) {
		int *keep = absent ? &L->absent : &L->unreadable;
		if (!*keep)
			*keep = got != EXIT_OK ? got : EXIT_INVALID;
		return 0;
	}
	if (blob_read(e->bf, e->offset, &e->rec) < 0)
		return -1;
	e->have_rec = 1;
	const struct mil_dtype *bd = mil_dtype_of_blob(e->rec.dtype);
	if (e->dtype && bd != e->dtype)
		warning("'%s': weight '%s' is declared %s but its blob at %llu holds %s", L->label, e->name,
			e->dtype->name, (unsigned long long)e->offset, bd->name);
	else if (e->known && blob_elements(&e->rec, bd->bits) != e->count)
		warning("'%s': weight '%s' is declared with %llu elements but its blob at %llu holds %llu", L->label,
			e->name, (unsigned long long)e->count, (unsigned long long)e->offset,
			(unsigned long long)blob_elements(&e->rec, bd->bits));
	return 0;
}

struct pwalk {
	struct weight_list *L;
	size_t model;
};

/* the elements of a type as mlpkg writes it ("fp16[10,8]": 80, "fp32": 1),
 * 0 when a dimension is unknown */
static uint64_t type_count(const char *t)
{
	const char *lb = strchr(t, '[');
	if (!lb)
		return strchr(t, '<') ? 0 : 1;
	uint64_t n = 1;
	for (const char *p = lb + 1; *p && *p != ']';) {
		char *end;
		unsigned long long d = strtoull(p, &end, 10);
		if (end == p)
			return 0;
		n *= d;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* the weights an operation holds (its blob-file values), one entry each */
static int op_weights(struct weight_list *L, size_t model, const struct mil_op *o, const char *path, const char *fn,
		      const char *rel)
{
	static const char mp[] = "@model_path/";
	for (size_t j = 0; j < o->nw; j++) {
		const struct mil_weight_ref *w = &o->w[j];
		struct weight_entry *e = push(L, model);
		int plain = !strcmp(o->type, "const") && !strcmp(w->key, "val");
		e->name = plain ? xstrdup(o->name) : xasprintf("%s.%s", o->name, w->key);
		e->path = xstrdup(path);
		e->function = xstrdup(fn);
		e->optype = xstrdup(o->type);
		e->key = xstrdup(w->key);
		/* in a compiled pipeline's member (rel), "@model_path/" is the
		 * member's folder: the file is named from the compiled folder */
		if (rel && *rel && !strncmp(w->file, mp, strlen(mp)))
			e->file = xasprintf("%s%s/%s", mp, rel, w->file + strlen(mp));
		else
			e->file = xstrdup(w->file);
		e->offset = w->offset;
		e->dtype = w->dtype;
		e->rank = w->rank;
		e->shape = w->rank ? xmalloc(w->rank * sizeof(*e->shape)) : NULL;
		if (w->rank)
			memcpy(e->shape, w->shape, w->rank * sizeof(*e->shape));
		e->count = w->count;
		e->known = w->known;
		e->op = o->node;
		if (o->nout && o->out[0].type) {
			e->op_type = xstrdup(o->out[0].type);
		} else if (o->node) {
			/* its outputs' types (not read by a listing's walk) */
			long k = -1;
			struct mt_node *out;
			if (next_child(o->node, F_MILSpec_Operation_outputs, &k, &out) == 1)
				e->op_type = mil_type_format(mt_get(out, F_MILSpec_NamedValueType_type));
		}
		e->op_count = e->op_type ? type_count(e->op_type) : 0;
		if (!L->names_only && check_record(L, e) < 0)
			return -1;
	}
	return 0;
}

static int on_op(struct mil_walk *mw, void *ctx)
{
	struct pwalk *p = ctx;
	char *path = mil_op_path(mw->b);
	int r = op_weights(p->L, p->model, &mw->b->o, path, mw->fn->name, NULL);
	free(path);
	return r;
}

/* the weights of a part's program: model index model, paths and weight
 * file names below the part's folder (rel) */
static int add_program(struct weight_list *L, size_t model, const char *rel, const struct miltext *P)
{
	for (size_t i = 0; i < P->nop; i++) {
		const struct miltext_op *op = &P->op[i];
		if (op->is_block)
			continue;
		char *path = *rel ? xasprintf("%s/model.mil:%u", rel, op->line) : xasprintf("model.mil:%u", op->line);
		int r = op_weights(L, model, &op->o, path, P->fn[op->fn].name, rel);
		free(path);
		if (r < 0)
			return -1;
	}
	return 0;
}

int weight_list_read_compiled(struct weight_list *L, const struct compiled *c, char **partial)
{
	*partial = NULL;
	if (!L->label)
		L->label = c->path;
	struct compiled_part *parts;
	size_t np;
	compiled_parts(c, &parts, &np);
	int whole = np == 1 && !*parts[0].rel;
	L->nrefs = whole ? 1 : 1 + np;
	L->refs = xcalloc(L->nrefs, sizeof(*L->refs));
	L->refs[0].path = xstrdup("");
	L->refs[0].type = compiled_type(c);
	L->refs[0].version = (int)compiled_version(c);
	int rc = 0;
	for (size_t i = 0; i < np && rc == 0; i++) {
		size_t model = whole ? 0 : i + 1;
		if (!whole) {
			L->refs[model].path = xstrdup(parts[i].rel);
			sl_push(&L->keep, xstrdup(parts[i].type));
			L->refs[model].type = L->keep.v[L->keep.n - 1];
			L->refs[model].depth = 1;
			L->refs[model].version = -1;
		}
		L->espresso |= parts[i].espresso && !parts[i].mil;
		if (!parts[i].mil)
			continue;
		struct miltext P;
		int r = compiled_program(c, parts[i].rel, &P);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 1 && !*partial)
			*partial = xasprintf("%s%smodel.mil: line %u: %s", parts[i].rel, *parts[i].rel ? "/" : "",
					     P.stop_line, P.stop_why);
		rc = add_program(L, model, parts[i].rel, &P);
		miltext_release(&P);
	}
	compiled_parts_free(parts, np);
	return rc;
}

static const struct mil_visitor weight_visitor = {
	.op = on_op,
	.read_ops = 1,
};

struct nn_gather {
	struct weight_list *L;
	size_t model;
};

/* the weight fields of a layer, nested ones included: named by the layer
 * (after the layers holding it, "br.ifBranch.fc_if.weights"), shaped by it */
static int gather_layer(const struct nn_visit *v, void *ctx)
{
	struct nn_gather *g = ctx;
	struct nn_layer l;
	if (nn_layer_read(v->layer, v->pos, &l) < 0) {
		nn_layer_release(&l);
		return -1;
	}
	for (size_t j = 0; j < l.nw; j++) {
		struct weight_entry *e = push(g->L, g->model);
		e->is_nn = 1;
		e->name = xasprintf("%s%s%s.%s", v->scope, *v->scope ? "." : "", l.name, l.w[j].field);
		e->path = xasprintf("%s.%s.%s", v->path, l.kind, l.w[j].field);
		e->layer = xstrdup(l.name);
		e->field = xstrdup(l.w[j].field);
		e->w = l.w[j];
		e->w.field = e->field;
		/* the shape the layer gives it, when its size agrees */
		uint64_t dims[8];
		size_t rank = nn_weight_dims(&l, &e->w, dims, 8);
		if (rank) {
			e->rank = rank;
			e->shape = xmalloc(rank * sizeof(*e->shape));
			for (size_t d = 0; d < rank; d++)
				e->shape[d] = (int64_t)dims[d];
			e->known = 1;
		}
	}
	nn_layer_release(&l);
	return 0;
}

int weight_list_read(struct weight_list *L)
{
	if (!L->label)
		L->label = L->m->path;
	if (model_list(L->m->root, &L->refs, &L->nrefs) < 0)
		return -1;
	for (size_t mi = 0; mi < L->nrefs; mi++) {
		struct model_ref *r = &L->refs[mi];
		struct mt_node *nn = nn_network(r->node);
		if (nn) {
			char *base = xasprintf("%s%s%s", r->path, *r->path ? "." : "", r->type);
			struct nn_gather g = { L, mi };
			int rr = nn_walk(nn, base, 0, gather_layer, &g);
			free(base);
			if (rr < 0)
				return -1;
			continue;
		}
		long t = model_type_field(r->node);
		if (t < 0 || !r->type || strcmp(r->type, "mlProgram"))
			continue;
		struct mt_node *prog = mt_child(r->node, (size_t)t);
		struct pwalk p = { L, mi };
		if (!prog || mil_walk(prog, r->path, &weight_visitor, &p) < 0)
			return -1;
	}
	return 0;
}

/* ---- sizes and totals ------------------------------------------------------------ */

uint64_t weight_bytes(const struct weight_entry *e)
{
	if (e->is_nn)
		return e->w.bytes;
	if (e->have_rec)
		return e->rec.size;
	return e->dtype && e->dtype->bits ? (e->count * (uint64_t)e->dtype->bits + 7) / 8 : 0;
}

uint64_t weight_count(const struct weight_entry *e)
{
	if (e->is_nn)
		return e->w.count;
	if (e->have_rec) {
		const struct mil_dtype *d = mil_dtype_of_blob(e->rec.dtype);
		return blob_elements(&e->rec, d->bits);
	}
	return e->count;
}

const char *weight_dtype(const struct weight_entry *e)
{
	if (e->have_rec)
		return mil_dtype_of_blob(e->rec.dtype)->name;
	return e->dtype ? e->dtype->name : "?";
}

int weight_duplicate(const struct weight_list *L, size_t i)
{
	const struct weight_entry *e = &L->v[i];
	if (e->is_nn)
		return 0;
	for (size_t j = 0; j < i; j++)
		if (!L->v[j].is_nn && L->v[j].offset == e->offset && !strcmp(L->v[j].file, e->file))
			return 1;
	return 0;
}

void weight_totals(const struct weight_list *L, struct weight_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < L->n; i++) {
		t->tensors++;
		if (weight_duplicate(L, i))
			continue;
		t->distinct++;
		t->params += weight_count(&L->v[i]);
		t->bytes += weight_bytes(&L->v[i]);
	}
}

int weight_files(const struct weight_list *L, struct weight_file **out, size_t *n)
{
	struct weight_file *v = NULL;
	size_t k = 0, cap = 0;
	for (size_t i = 0; i < L->n; i++) {
		const struct weight_entry *e = &L->v[i];
		if (e->is_nn || !e->bf)
			continue;
		size_t j = 0;
		while (j < k && v[j].bf != e->bf)
			j++;
		if (j < k)
			continue;
		xgrow((void **)&v, &cap, k + 1, sizeof(*v));
		memset(&v[k], 0, sizeof(v[k]));
		v[k].file = e->file;
		v[k].bf = e->bf;
		uint64_t at = 0;
		uint32_t idx = 0;
		struct blob_rec r;
		int rr;
		while ((rr = blob_next(e->bf, &at, &idx, &r)) == 1) {
			v[k].blobs++;
			v[k].bytes += r.size;
			int used = 0;
			for (size_t q = 0; q < L->n && !used; q++)
				used = !L->v[q].is_nn && L->v[q].bf == e->bf && L->v[q].offset == r.at;
			if (!used) {
				v[k].unref++;
				v[k].unref_bytes += r.size;
			}
		}
		k++;
		if (rr < 0) {
			free(v);
			return -1;
		}
	}
	*out = v;
	*n = k;
	return 0;
}

/* ---- by kind of storage ------------------------------------------------------- */

static struct weight_kind *kind_of(struct weight_storage *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->k[i].name, name))
			return &s->k[i];
	if (s->n == WEIGHT_KINDS)
		return &s->k[WEIGHT_KINDS - 1]; /* the last takes the rest */
	struct weight_kind *k = &s->k[s->n++];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	return k;
}

/* the bytes of an element of a type as mlpkg writes it ("fp16[10,8]": 2) */
static unsigned type_bytes(const char *t)
{
	char dt[16];
	size_t n = strcspn(t, "[<");
	snprintf(dt, sizeof(dt), "%.*s", (int)(n < sizeof(dt) ? n : sizeof(dt) - 1), t);
	const struct mil_dtype *d = mil_dtype_named(dt);
	return d && d->bits >= 8 ? (unsigned)d->bits / 8 : 0;
}

/* how a constexpr operation stores its tensor, from its parts (entries
 * first..first+n of the same operation) */
static void constexpr_kind(const struct weight_list *L, size_t first, size_t n, char *name, size_t len)
{
	const struct weight_entry *e = &L->v[first];
	const char *op = e->optype + strlen("constexpr_");
	if (!strcmp(op, "lut_to_dense")) {
		int bits = 0;
		for (size_t i = first; i < first + n; i++) {
			const struct weight_entry *x = &L->v[i];
			const struct mil_dtype *d = x->have_rec ? mil_dtype_of_blob(x->rec.dtype) : x->dtype;
			if (!strcmp(x->key, "indices") && d && d->bits < 8)
				bits = d->bits; /* iOS 18: indices typed uintN */
			else if (!strcmp(x->key, "lut") && !bits)
				for (uint64_t c = weight_count(x); c > 1 && bits < 16; c >>= 1)
					bits++;
		}
		if (bits)
			snprintf(name, len, "palettized %d-bit", bits);
		else
			snprintf(name, len, "palettized");
		return;
	}
	const char *data = !strcmp(op, "affine_dequantize") ? "quantized_data" : "data";
	for (size_t i = first; i < first + n; i++)
		if (!strcmp(L->v[i].key, data)) {
			snprintf(name, len, "%s %s", !strcmp(op, "affine_dequantize") ? "affine" : op,
				 weight_dtype(&L->v[i]));
			return;
		}
	snprintf(name, len, "%s", !strcmp(op, "sparse_to_dense") ? "sparse" : op);
}

void weight_storage(const struct weight_list *L, struct weight_storage *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < L->n;) {
		const struct weight_entry *e = &L->v[i];
		char name[32];
		size_t n = 1;
		if (e->is_nn) {
			const struct nn_weight *w = &e->w;
			if (!strcmp(w->type, "quantized"))
				snprintf(name, sizeof(name), "linear %d-bit", w->bits);
			else if (!strcmp(w->type, "lut"))
				snprintf(name, sizeof(name), "lut %d-bit", w->bits);
			else
				snprintf(name, sizeof(name), "%s", w->type);
			struct weight_kind *k = kind_of(s, name);
			k->tensors++;
			k->bytes += w->bytes;
			k->elements += w->count;
			s->bytes += w->bytes;
			s->unpacked += w->count * (!strcmp(w->type, "float16") ? 2 : 4);
			i++;
			continue;
		}
		/* an operation's parts follow one another */
		while (i + n < L->n && !L->v[i + n].is_nn && L->v[i + n].model == e->model &&
		       !strcmp(L->v[i + n].path, e->path))
			n++;
		int dup = 1;
		for (size_t j = i; j < i + n; j++)
			dup &= weight_duplicate(L, j);
		if (dup) { /* functions sharing a weight: counted once */
			i += n;
			continue;
		}
		uint64_t bytes = 0, elements;
		for (size_t j = i; j < i + n; j++)
			bytes += weight_duplicate(L, j) ? 0 : weight_bytes(&L->v[j]);
		if (!strncmp(e->optype, "constexpr_", 10)) {
			constexpr_kind(L, i, n, name, sizeof(name));
			elements = e->op_count;
			s->unpacked += e->op_type ? e->op_count * type_bytes(e->op_type) : 0;
		} else {
			snprintf(name, sizeof(name), "%s", weight_dtype(e));
			elements = weight_count(e);
			s->unpacked += bytes;
		}
		struct weight_kind *k = kind_of(s, name);
		k->tensors++;
		k->bytes += bytes;
		k->elements += elements;
		s->bytes += bytes;
		i += n;
	}
	/* most bytes first */
	for (size_t a = 1; a < s->n; a++)
		for (size_t b = a; b > 0 && s->k[b].bytes > s->k[b - 1].bytes; b--) {
			struct weight_kind t = s->k[b];
			s->k[b] = s->k[b - 1];
			s->k[b - 1] = t;
		}
}

void weight_shape_str(char *buf, size_t n, const struct weight_entry *e)
{
	size_t k = 0;
	if (e->is_nn && !e->rank) {
		snprintf(buf, n, "[%llu]", (unsigned long long)e->w.count);
		return;
	}
	k += (size_t)snprintf(buf + k, n - k, "[");
	for (size_t i = 0; i < e->rank && k < n; i++) {
		if (e->shape[i] < 0)
			k += (size_t)snprintf(buf + k, n - k, "%s?", i ? "," : "");
		else
			k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)e->shape[i]);
	}
	if (k < n)
		snprintf(buf + k, n - k, "]");
}

int weight_compressed(const struct weight_entry *e)
{
	if (e->is_nn)
		return strcmp(e->w.type, "float32") && strcmp(e->w.type, "float16");
	return !strncmp(e->optype, "constexpr_", 10);
}
