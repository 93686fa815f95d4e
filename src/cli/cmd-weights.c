/* cmd-weights: mlpkg weights [--json] [MODEL]; mlpkg weights --extract NAME
 * -o FILE [MODEL]: the weight tensors of ML programs (blob-file values, with
 * their weight.bin records) and neural networks (WeightParams fields). */
#include "cli/commands.h"
#include "base/atomic.h"
#include "query/blob.h"
#include "base/error.h"
#include "query/inspect.h"
#include "spec/schema.h"
#include "query/show.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct wentry {
	char *name;            /* what --extract takes */
	char *path;            /* get path of the op or of the WeightParams */
	size_t model;          /* index into the model list */
	char *function;        /* ML program */
	int is_nn;
	/* ML programs */
	char *optype, *key, *file;
	uint64_t offset;
	const struct mil_dtype *dtype;
	size_t rank;
	int64_t *shape;
	uint64_t count;        /* from the declared type (0 when unknown) */
	int known;
	const struct blob_file *bf;
	struct blob_rec rec;
	int have_rec;
	/* neural networks */
	char *layer, *field;
	struct nn_weight w;    /* field is not owned here */
};

struct wlist {
	struct wentry *v;
	size_t n, cap;
	struct model_ref *refs;
	size_t nrefs;
	struct blob_store *store;
	struct mlpkg_model *m;
	int nofile_warned;
	int unreadable; /* the exit status of a weight file that could not be read (said once) */
};

static void wlist_free(struct wlist *L)
{
	for (size_t i = 0; i < L->n; i++) {
		struct wentry *e = &L->v[i];
		free(e->name);
		free(e->path);
		free(e->function);
		free(e->optype);
		free(e->key);
		free(e->file);
		free(e->shape);
		free(e->layer);
		free(e->field);
	}
	free(L->v);
	model_list_free(L->refs, L->nrefs);
	blob_store_free(L->store);
}

static struct wentry *push(struct wlist *L, size_t model)
{
	xgrow((void **)&L->v, &L->cap, L->n + 1, sizeof(*L->v));
	struct wentry *e = &L->v[L->n++];
	memset(e, 0, sizeof(*e));
	e->model = model;
	return e;
}

/* the record behind an ML-program weight: bounds, sentinel, and agreement
 * with the declared type (disagreements are warned about) */
static int check_record(struct wlist *L, struct wentry *e)
{
	if (L->m->fmt != FMT_PACKAGE && L->m->fmt != FMT_ZIP) {
		if (!L->nofile_warned++)
			warning("'%s': weight files are not available outside a package: records not checked", L->m->path);
		return 0;
	}
	/* its errors are said, and counted in L->unreadable, not by gather's caller */
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_HANDLE);
	e->bf = blob_store_get(L->store, e->file);
	int got = error_capture_end(&cap);
	if (!e->bf) {
		/* a missing or unreadable weight file (said once): the tensors are
		 * still listed as the spec declares them, and the command fails */
		if (!L->unreadable)
			L->unreadable = got != EXIT_OK ? got : EXIT_INVALID;
		return 0;
	}
	if (blob_read(e->bf, e->offset, &e->rec) < 0)
		return -1;
	e->have_rec = 1;
	const struct mil_dtype *bd = mil_dtype_of_blob(e->rec.dtype);
	if (e->dtype && bd != e->dtype)
		warning("'%s': weight '%s' is declared %s but its blob at %llu holds %s", L->m->path, e->name,
			e->dtype->name, (unsigned long long)e->offset, bd->name);
	else if (e->known && blob_elements(&e->rec, bd->bits) != e->count)
		warning("'%s': weight '%s' is declared with %llu elements but its blob at %llu holds %llu", L->m->path,
			e->name, (unsigned long long)e->count, (unsigned long long)e->offset,
			(unsigned long long)blob_elements(&e->rec, bd->bits));
	return 0;
}

static int walk_block(struct wlist *L, size_t model, struct mt_node *block, const char *path, const char *fname,
		      int depth)
{
	if (depth > MT_MAX_DEPTH)
		return error_code(EXIT_INVALID, "'%s': blocks nested too deeply", block->label);
	long i = -1;
	int r;
	struct mt_node *op;
	size_t k = 0;
	while ((r = next_child(block, 3, &i, &op)) == 1) {
		char *opath = xasprintf("%s.operations[%zu]", path, k++);
		struct mil_op o;
		if (mil_op_read(op, &o, 0) < 0) {
			mil_op_release(&o);
			free(opath);
			return -1;
		}
		for (size_t j = 0; j < o.nw; j++) {
			struct mil_weight_ref *w = &o.w[j];
			struct wentry *e = push(L, model);
			int plain = !strcmp(o.type, "const") && !strcmp(w->key, "val");
			e->name = plain ? xstrdup(o.name) : xasprintf("%s.%s", o.name, w->key);
			e->path = xstrdup(opath);
			e->function = xstrdup(fname);
			e->optype = xstrdup(o.type);
			e->key = xstrdup(w->key);
			e->file = xstrdup(w->file);
			e->offset = w->offset;
			e->dtype = w->dtype;
			e->rank = w->rank;
			e->shape = w->rank ? xmalloc(w->rank * sizeof(*e->shape)) : NULL;
			if (w->rank)
				memcpy(e->shape, w->shape, w->rank * sizeof(*e->shape));
			e->count = w->count;
			e->known = w->known;
			if (check_record(L, e) < 0) {
				mil_op_release(&o);
				free(opath);
				return -1;
			}
		}
		mil_op_release(&o);
		long j = -1;
		int r2;
		struct mt_node *b;
		size_t bi = 0;
		while ((r2 = next_child(op, 4, &j, &b)) == 1) {
			char *bpath = xasprintf("%s.blocks[%zu]", opath, bi++);
			int rr = walk_block(L, model, b, bpath, fname, depth + 1);
			free(bpath);
			if (rr < 0) {
				r2 = -1;
				break;
			}
		}
		free(opath);
		if (r2 < 0)
			return -1;
	}
	return r;
}

struct nn_gather {
	struct wlist *L;
	size_t model;
};

/* the weight fields of a layer, nested ones included: named by the layer
 * (after the layers holding it, "br.ifBranch.fc_if.weights"), shaped by it */
static int gather_layer(const struct nn_visit *v, void *ctx)
{
	struct nn_gather *g = ctx;
	struct nn_layer l;
	if (nn_layer_read(v->layer, v->pos, &l) < 0)
		return -1;
	for (size_t j = 0; j < l.nw; j++) {
		struct wentry *e = push(g->L, g->model);
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

static int gather(struct wlist *L)
{
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
		struct mil_function *fv = NULL;
		size_t nf = 0;
		if (!prog || mil_functions(prog, &fv, &nf) < 0) {
			mil_functions_free(fv, nf);
			return -1;
		}
		int rc = 0;
		for (size_t k = 0; k < nf && rc == 0; k++) {
			if (!fv[k].block)
				continue;
			char *bpath = mil_block_path(r->path, &fv[k]);
			rc = walk_block(L, mi, fv[k].block, bpath, fv[k].name, 0);
			free(bpath);
		}
		mil_functions_free(fv, nf);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- sizes and totals ------------------------------------------------------------ */

static uint64_t entry_bytes(const struct wentry *e)
{
	if (e->is_nn)
		return e->w.bytes;
	if (e->have_rec)
		return e->rec.size;
	return e->dtype && e->dtype->bits ? (e->count * (uint64_t)e->dtype->bits + 7) / 8 : 0;
}

static uint64_t entry_count(const struct wentry *e)
{
	if (e->is_nn)
		return e->w.count;
	if (e->have_rec) {
		const struct mil_dtype *d = mil_dtype_of_blob(e->rec.dtype);
		return blob_elements(&e->rec, d->bits);
	}
	return e->count;
}

static const char *entry_dtype(const struct wentry *e)
{
	if (e->have_rec)
		return mil_dtype_of_blob(e->rec.dtype)->name;
	return e->dtype ? e->dtype->name : "?";
}

/* 1 when an earlier entry names the same blob (functions sharing weights) */
static int duplicate(const struct wlist *L, size_t i)
{
	const struct wentry *e = &L->v[i];
	if (e->is_nn)
		return 0;
	for (size_t j = 0; j < i; j++)
		if (!L->v[j].is_nn && L->v[j].offset == e->offset && !strcmp(L->v[j].file, e->file))
			return 1;
	return 0;
}

struct totals {
	uint64_t tensors, distinct, params, bytes;
};

static void totals(const struct wlist *L, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < L->n; i++) {
		t->tensors++;
		if (duplicate(L, i))
			continue;
		t->distinct++;
		t->params += entry_count(&L->v[i]);
		t->bytes += entry_bytes(&L->v[i]);
	}
}

/* a weight file's blobs: how many, their bytes, and how many no spec value names */
struct fileinfo {
	const char *file;
	const struct blob_file *bf;
	uint64_t blobs, bytes, unref, unref_bytes;
};

static int file_infos(const struct wlist *L, struct fileinfo **out, size_t *n)
{
	struct fileinfo *v = NULL;
	size_t k = 0, cap = 0;
	for (size_t i = 0; i < L->n; i++) {
		const struct wentry *e = &L->v[i];
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

/* ---- listing -------------------------------------------------------------------- */

static void shape_str(char *buf, size_t n, const struct wentry *e)
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

static void list_text(const struct wlist *L, const struct fileinfo *fi, size_t nfi)
{
	int several_models = 0, several_funcs = 0;
	for (size_t i = 1; i < L->n; i++) {
		several_models |= L->v[i].model != L->v[0].model;
		several_funcs |= L->v[i].function && L->v[0].function && strcmp(L->v[i].function, L->v[0].function);
	}
	size_t cur_model = (size_t)-1;
	const char *cur_func = NULL;
	int header = 0;
	for (size_t i = 0; i < L->n; i++) {
		const struct wentry *e = &L->v[i];
		if (several_models && e->model != cur_model) {
			const struct model_ref *r = &L->refs[e->model];
			printf("%s (%s):\n", *r->path ? r->path : "(root)", r->type);
			header = 0;
		}
		if (several_funcs && e->function && (!cur_func || strcmp(cur_func, e->function))) {
			fputs("function ", stdout);
			show_escaped(stdout, e->function);
			fputs(":\n", stdout);
			header = 0;
		}
		cur_model = e->model;
		cur_func = e->function;
		if (!header) {
			if (e->is_nn)
				printf("  %-12s %-17s %10s %10s  %s\n", "type", "shape", "count", "bytes", "name");
			else
				printf("  %-9s %-21s %10s %10s  %s\n", "dtype", "shape", "bytes", "offset", "name");
			header = 1;
		}
		char shape[64];
		shape_str(shape, sizeof(shape), e);
		if (e->is_nn) {
			char type[32];
			if (!strcmp(e->w.type, "quantized") || !strcmp(e->w.type, "lut"))
				snprintf(type, sizeof(type), "%s/%d", e->w.type, e->w.bits);
			else
				snprintf(type, sizeof(type), "%s", e->w.type);
			printf("  %-12s %-17s %10llu %10llu  ", type, shape, (unsigned long long)e->w.count,
			       (unsigned long long)e->w.bytes);
		} else {
			printf("  %-9s %-21s %10llu %10llu  ", entry_dtype(e), shape, (unsigned long long)entry_bytes(e),
			       (unsigned long long)e->offset);
		}
		show_escaped(stdout, e->name);
		fputc('\n', stdout);
	}
	for (size_t i = 0; i < nfi; i++) {
		char b[32];
		human_size(b, sizeof(b), fi[i].bytes);
		const char *mp = "@model_path/";
		const char *f = strncmp(fi[i].file, mp, strlen(mp)) ? fi[i].file : fi[i].file + strlen(mp);
		printf("%s: %llu blobs, %s of data", f, (unsigned long long)fi[i].blobs, b);
		if (fi[i].unref) {
			human_size(b, sizeof(b), fi[i].unref_bytes);
			printf(", %llu not referenced by the spec (%s)", (unsigned long long)fi[i].unref, b);
		}
		fputc('\n', stdout);
	}
	struct totals t;
	totals(L, &t);
	char b[32];
	human_size(b, sizeof(b), t.bytes);
	printf("total: %llu weight tensor%s", (unsigned long long)t.tensors, t.tensors == 1 ? "" : "s");
	if (t.distinct != t.tensors)
		printf(" (%llu distinct)", (unsigned long long)t.distinct);
	printf(", %llu parameters, %s (%llu bytes)\n", (unsigned long long)t.params, b, (unsigned long long)t.bytes);
	if (!t.tensors) {
		/* a tree ensemble, a GLM...: what it holds instead of tensors */
		struct model_counts c = { 0 };
		char *classic = model_count(L->m->root, &c) == 0 ? classic_summary(&c) : NULL;
		if (classic)
			printf("(no weight tensors: the model holds %s)\n", classic);
		free(classic);
		model_counts_release(&c);
	}
}

static void list_json(const struct wlist *L, const struct fileinfo *fi, size_t nfi)
{
	struct jw w;
	jw_init(&w, stdout);
	jw_obj(&w);
	jw_kstr(&w, "model", L->m->path);
	jw_key(&w, "weights");
	jw_arr(&w);
	for (size_t i = 0; i < L->n; i++) {
		const struct wentry *e = &L->v[i];
		jw_obj(&w);
		jw_kstr(&w, "name", e->name);
		jw_kstr(&w, "path", e->path);
		jw_kstr(&w, "model", L->refs[e->model].path);
		jw_kstr(&w, "kind", e->is_nn ? "neuralNetwork" : "mlProgram");
		if (e->is_nn) {
			jw_kstr(&w, "layer", e->layer);
			jw_kstr(&w, "field", e->field);
			jw_kstr(&w, "type", e->w.type);
			jw_kint(&w, "bits", e->w.bits);
			jw_key(&w, "shape");
			jw_arr(&w);
			for (size_t d = 0; d < e->rank; d++)
				jw_int(&w, e->shape[d]);
			if (!e->rank)
				jw_int(&w, (int64_t)e->w.count);
			jw_arr_end(&w);
			jw_kint(&w, "count", (int64_t)e->w.count);
			jw_kint(&w, "bytes", (int64_t)e->w.bytes);
		} else {
			jw_kstr(&w, "function", e->function);
			jw_kstr(&w, "opType", e->optype);
			jw_kstr(&w, "key", e->key);
			jw_kstr(&w, "dtype", e->dtype ? e->dtype->name : NULL);
			jw_key(&w, "shape");
			jw_arr(&w);
			for (size_t d = 0; d < e->rank; d++)
				jw_int(&w, e->shape[d]);
			jw_arr_end(&w);
			jw_kint(&w, "count", (int64_t)entry_count(e));
			jw_kint(&w, "bytes", (int64_t)entry_bytes(e));
			jw_kstr(&w, "file", e->file);
			jw_kint(&w, "offset", (int64_t)e->offset);
			if (e->have_rec) {
				jw_kstr(&w, "blobDtype", mil_dtype_of_blob(e->rec.dtype)->name);
				jw_kint(&w, "dataOffset", (int64_t)e->rec.data);
				jw_kint(&w, "paddingBits", (int64_t)e->rec.pad_bits);
			}
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "files");
	jw_arr(&w);
	for (size_t i = 0; i < nfi; i++) {
		jw_obj(&w);
		jw_kstr(&w, "file", fi[i].file);
		jw_kint(&w, "blobs", (int64_t)fi[i].blobs);
		jw_kint(&w, "bytes", (int64_t)fi[i].bytes);
		jw_kint(&w, "unreferenced", (int64_t)fi[i].unref);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	struct totals t;
	totals(L, &t);
	jw_key(&w, "totals");
	jw_obj(&w);
	jw_kint(&w, "tensors", (int64_t)t.tensors);
	jw_kint(&w, "distinct", (int64_t)t.distinct);
	jw_kint(&w, "parameters", (int64_t)t.params);
	jw_kint(&w, "bytes", (int64_t)t.bytes);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_end(&w);
}

/* ---- extraction ------------------------------------------------------------------- */

/* the .npy header (version 1.0) for a little-endian C-order array */
static char *npy_header(const char *descr, const uint64_t *dims, size_t rank, size_t *len)
{
	struct strbuf d = STRBUF_INIT;
	sb_addf(&d, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
	for (size_t i = 0; i < rank; i++)
		sb_addf(&d, "%llu%s", (unsigned long long)dims[i], rank == 1 ? "," : i + 1 < rank ? ", " : "");
	sb_adds(&d, "), }");
	/* magic (6) + version (2) + length (2) + dict + padding + newline: a multiple of 64 */
	size_t total = 10 + d.len + 1;
	size_t pad = (64 - total % 64) % 64;
	for (size_t i = 0; i < pad; i++)
		sb_addc(&d, ' ');
	sb_addc(&d, '\n');
	struct strbuf h = STRBUF_INIT;
	sb_add(&h, "\x93NUMPY\x01\x00", 8);
	uint8_t l2[2] = { (uint8_t)(d.len & 0xff), (uint8_t)(d.len >> 8) };
	sb_add(&h, l2, 2);
	sb_add(&h, d.buf, d.len);
	sb_release(&d);
	return sb_detach(&h, len);
}

struct out {
	struct atomic_file af;
	int to_stdout;
	const char *name;
};

static int out_write(struct out *o, const void *p, size_t n)
{
	if (o->to_stdout) {
		if (n && fwrite(p, 1, n, stdout) != n)
			return error_code(EXIT_WRITE, "cannot write to standard output");
		return 0;
	}
	return atomic_write(&o->af, p, n);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static int extract(struct wlist *L, const char *name, const char *outname)
{
	const struct wentry *e = NULL;
	for (size_t i = 0; i < L->n && !e; i++)
		if (!strcmp(L->v[i].name, name))
			e = &L->v[i];
	for (size_t i = 0; i < L->n && !e; i++)
		if (!strcmp(L->v[i].path, name))
			e = &L->v[i];
	if (!e)
		return error_code(EXIT_NOTFOUND, "'%s': no weight tensor named '%s' (see mlpkg weights)", L->m->path, name);
	const uint8_t *data;
	size_t len;
	uint8_t *own = NULL;
	const char *descr;
	int bits, is_signed = 0, msb = 0;
	uint64_t count;
	if (e->is_nn) {
		if (e->w.value) {
			data = e->w.value->val;
			len = e->w.value->vlen;
		} else {
			own = nn_weight_gather(&e->w, &len);
			data = own;
		}
		bits = e->w.bits;
		count = e->w.count;
		msb = 1;
		if (!strcmp(e->w.type, "float32"))
			descr = "<f4";
		else if (!strcmp(e->w.type, "float16"))
			descr = "<f2";
		else if (!strcmp(e->w.type, "int8"))
			descr = "|i1", is_signed = 1;
		else
			descr = "|u1";
	} else {
		if (!e->have_rec && L->unreadable) {
			/* its weight file could not be read: said already */
			return error_code_silent(L->unreadable);
		}
		if (!e->have_rec) {
			return error_code(EXIT_NOTFOUND, "'%s': the data of '%s' is in %s, which only a package holds",
					  L->m->path, name, e->file);
		}
		data = e->bf->data + e->rec.data;
		len = e->rec.size;
		const struct mil_dtype *d = mil_dtype_of_blob(e->rec.dtype);
		descr = d->npy;
		bits = d->bits;
		is_signed = !strcmp(d->name, "int4");
		count = blob_elements(&e->rec, bits);
	}
	int npy = has_suffix(outname, ".npy");
	struct out o;
	memset(&o, 0, sizeof(o));
	o.to_stdout = !strcmp(outname, "-");
	o.name = outname;
	if (o.to_stdout && isatty(1)) {
		free(own);
		return error_code(EXIT_USAGE, "not writing binary data to a terminal: redirect it or use -o FILE");
	}
	if (npy && bits > 8 && bits % 8) {
		free(own);
		return error_code(EXIT_USAGE, "'%s': %d-bit values have no .npy form; extract the raw bytes", name, bits);
	}
	if (!o.to_stdout && atomic_begin(&o.af, outname, 0) < 0) {
		free(own);
		return -1;
	}
	int rc = 0;
	if (npy) {
		uint64_t dims[64];
		size_t rank = 1;
		dims[0] = count;
		if (e->is_nn && e->rank && e->rank <= 64) {
			/* the layer's shape (its size was checked against the count) */
			rank = e->rank;
			for (size_t i = 0; i < rank; i++)
				dims[i] = (uint64_t)e->shape[i];
		} else if (!e->is_nn && e->known && e->rank <= 64 && (e->count == count || e->rank == 0)) {
			rank = e->rank;
			for (size_t i = 0; i < rank; i++)
				dims[i] = (uint64_t)e->shape[i];
		}
		size_t hl;
		char *h = npy_header(descr, dims, rank, &hl);
		rc = out_write(&o, h, hl);
		free(h);
		if (rc == 0 && bits < 8) {
			/* one byte per element */
			uint8_t *u = xmalloc(count ? count : 1);
			if ((count * (uint64_t)bits + 7) / 8 > len) {
				rc = error_code(EXIT_INVALID, "'%s': '%s' is shorter than its %llu elements", L->m->path, name,
						(unsigned long long)count);
			} else {
				bits_unpack(data, count, bits, is_signed, msb, u);
				rc = out_write(&o, u, count);
			}
			free(u);
		} else if (rc == 0) {
			rc = out_write(&o, data, (size_t)(count * (uint64_t)bits / 8) <= len ? (size_t)(count * (uint64_t)bits / 8) : len);
		}
	} else {
		rc = out_write(&o, data, len);
	}
	free(own);
	if (o.to_stdout)
		return rc;
	if (rc < 0) {
		atomic_abort(&o.af);
		return -1;
	}
	return atomic_commit(&o.af);
}

int cmd_weights(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "extract", required_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *self = cmd_find("weights");
	int json = 0, c;
	const char *name = NULL, *outname = NULL;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "jx:o:", lo)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'x': name = optarg; break;
		case 'o': outname = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	if (argc - optind > 1)
		return cmd_usage(self, "weights takes one model");
	if (name && !outname)
		return cmd_usage(self, "--extract needs -o FILE (- for standard output)");
	if (outname && !name)
		return cmd_usage(self, "-o goes with --extract");
	if (name && json)
		return cmd_usage(self, "--json does not go with --extract");
	struct wlist L;
	memset(&L, 0, sizeof(L));
	L.m = cmd_open(optind < argc ? argv[optind] : NULL, 0);
	if (!L.m)
		return last_error_code();
	L.store = blob_store_new(L.m);
	int rc = EXIT_OK;
	struct fileinfo *fi = NULL;
	size_t nfi = 0;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	int gathered = gather(&L);
	int ec = error_capture_end(&cap);
	if (gathered < 0 || ec != EXIT_OK) {
		/* any node found invalid on the way fails the command */
		rc = ec != EXIT_OK ? ec : EXIT_FAIL;
	} else if (name) {
		if (extract(&L, name, outname) < 0)
			rc = last_error_code();
	} else if (file_infos(&L, &fi, &nfi) < 0) {
		rc = last_error_code();
	} else if (json) {
		list_json(&L, fi, nfi);
	} else {
		list_text(&L, fi, nfi);
	}
	if (rc == EXIT_OK && L.unreadable)
		rc = L.unreadable;
	free(fi);
	wlist_free(&L);
	mlpkg_close(L.m);
	return rc;
}
