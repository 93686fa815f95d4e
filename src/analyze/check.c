/* check: validate a model without Core ML (see check.h). */
#include "analyze/check-internal.h"
#include "analyze/preview.h"
#include "query/meta.h"
#include "base/error.h"
#include "edit/iface.h"
#include "query/inspect.h"
#include "query/mil.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* ---- the report ------------------------------------------------------------ */

void ck_add(struct check_report *r, enum check_level lv, const char *path, const char *fmt, ...)
{
	xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	struct check_problem *p = &r->v[r->n++];
	p->level = lv;
	p->path = xstrdup(path && *path ? path : "(root)");
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	p->msg = sb_detach(&sb, NULL);
	if (lv == CHECK_ERROR)
		r->errors++;
	else
		r->warnings++;
}

void check_report_release(struct check_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].msg);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* "PREFIX.rest" or "rest" */
char *ck_join(const char *prefix, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	if (prefix && *prefix) {
		sb_adds(&sb, prefix);
		sb_addc(&sb, '.');
	}
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb, NULL);
}

/* ---- a set of strings ------------------------------------------------------ */

static uint64_t hstr(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int sset_has(const struct sset *s, const char *k)
{
	if (!s->cap)
		return 0;
	for (size_t i = hstr(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->v[i])
			return 0;
		if (!strcmp(s->v[i], k))
			return 1;
	}
}

static void sset_grow(struct sset *s)
{
	struct sset t = { xcalloc(s->cap ? s->cap * 2 : 64, sizeof(char *)), s->cap ? s->cap * 2 : 64, 0 };
	for (size_t i = 0; i < s->cap; i++)
		if (s->v[i]) {
			sset_add(&t, s->v[i]);
			free(s->v[i]);
		}
	free(s->v);
	*s = t;
}

/* 1 when added, 0 when it was there */
int sset_add(struct sset *s, const char *k)
{
	if ((s->n + 1) * 2 > s->cap)
		sset_grow(s);
	size_t i = hstr(k) & (s->cap - 1);
	for (; s->v[i]; i = (i + 1) & (s->cap - 1))
		if (!strcmp(s->v[i], k))
			return 0;
	s->v[i] = xstrdup(k);
	s->n++;
	return 1;
}

void sset_free(struct sset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- the package ---------------------------------------------------------- */

static int inside(const char *real, const char *root)
{
	size_t l = strlen(root);
	return !strncmp(real, root, l) && (real[l] == '/' || real[l] == 0);
}

static void walk_links(struct check_report *r, const char *root_real, const char *dir, const char *rel, int depth)
{
	if (depth > 32)
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *full = xasprintf("%s/%s", dir, e->d_name);
		char *r2 = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		struct stat st;
		if (lstat(full, &st) == 0) {
			if (S_ISLNK(st.st_mode)) {
				char *real = realpath(full, NULL);
				if (!real)
					add(r, CHECK_ERROR, r2, "a link to nothing");
				else if (!inside(real, root_real))
					add(r, CHECK_ERROR, r2, "a link leading outside the package");
				free(real);
			} else if (S_ISDIR(st.st_mode)) {
				walk_links(r, root_real, full, r2, depth + 1);
			}
		}
		free(full);
		free(r2);
	}
	closedir(d);
}

static void check_manifest(struct mlpkg_model *m, struct check_report *r)
{
	if (!m->man)
		return;
	for (size_t i = 0; i < m->man->n; i++) {
		const struct manifest_item *it = &m->man->items[i];
		char *path = xasprintf("Manifest.json: itemInfoEntries[\"%s\"]", it->id);
		if (!it->path || !*it->path) {
			add(r, CHECK_ERROR, path, "an entry without a path");
		} else if (m->fmt == FMT_PACKAGE) {
			char *full = xasprintf("%s/Data/%s", m->pkg_dir, it->path);
			struct stat st;
			if (stat(full, &st) < 0)
				add(r, CHECK_ERROR, path, "'Data/%s' is missing from the package", it->path);
			free(full);
		} else {
			/* a file, or a folder (which a zip need not hold an entry
			 * for: something under it will do) */
			char *rel = xasprintf("Data/%s", it->path);
			struct error_capture probe;
			error_capture_begin(&probe, ERRCAP_DROP);
			int has = mlpkg_has_item(m, rel);
			error_capture_end(&probe);
			if (!has)
				add(r, CHECK_ERROR, path, "'%s' is missing from the package", rel);
			free(rel);
		}
		if (!it->name || !*it->name)
			add(r, CHECK_WARNING, path, "an entry without a name");
		free(path);
	}
	if (m->fmt == FMT_PACKAGE) {
		char *real = realpath(m->pkg_dir, NULL);
		if (real)
			walk_links(r, real, m->pkg_dir, "", 0);
		free(real);
	}
}

/* ---- unknown fields ------------------------------------------------------- */

static int unknown_fields(struct mt_node *n, struct check_report *r, size_t *count)
{
	if (mt_parse(n) < 0)
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd || (f->flags & MT_F_MISMATCH)) {
			if ((*count)++ < 20) {
				char *p = mt_path(n);
				add(r, CHECK_WARNING, p, "field %u (wire type %u) is %s", f->number, f->wt,
				    f->fd ? "of a type the schema does not expect" : "unknown to the schema");
				free(p);
			}
		} else if (f->fd->type == PROTOBUF_C_TYPE_MESSAGE && f->wt == WT_LEN) {
			struct mt_node *c = mt_child(n, i);
			if (!c || unknown_fields(c, r, count) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- weight files --------------------------------------------------------- */

struct wrec {
	uint64_t at, size, pad;
	uint32_t dtype;
};
struct wfile {
	char *name, *rel;
	int ok;
	struct wrec *v;
	size_t n, cap;
};
struct wfiles {
	struct wfile *v;
	size_t n, cap;
};

static void wfiles_free(struct wfiles *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->v[i].name);
		free(w->v[i].rel);
		free(w->v[i].v);
	}
	free(w->v);
}

static void walk_weight_file(struct wfile *wf, const uint8_t *p, size_t len, struct check_report *r)
{
	if (len < BLOB_ALIGNMENT) {
		add(r, CHECK_ERROR, wf->rel, "%zu bytes, shorter than the 64-byte header", len);
		return;
	}
	uint32_t count = wire_le32(p), version = wire_le32(p + 4);
	uint64_t lfs_size;
	if (lfs_pointer(p, len, &lfs_size)) {
		char h[32] = "the real file";
		if (lfs_size)
			human_size(h, sizeof(h), lfs_size);
		add(r, CHECK_ERROR, wf->rel, "a Git LFS pointer, not the weights (%s not fetched: git lfs pull)", h);
		return;
	}
	if (version != BLOB_VERSION) {
		add(r, CHECK_ERROR, wf->rel, "header: version %u, not %d", version, BLOB_VERSION);
		return;
	}
	wf->ok = 1;
	uint64_t at = BLOB_ALIGNMENT;
	for (uint32_t i = 0; i < count; i++) {
		char *where = xasprintf("%s@%llu", wf->rel, (unsigned long long)at);
		int stop = 1;
		if (at > len || len - at < BLOB_ALIGNMENT) {
			add(r, CHECK_ERROR, wf->rel, "the header announces %u blobs, the file holds %u", count, i);
		} else {
			const uint8_t *q = p + at;
			struct wrec rec = { at, wire_le64(q + 8), wire_le64(q + 24), wire_le32(q + 4) };
			uint64_t data = wire_le64(q + 16);
			const struct mil_dtype *dt = mil_dtype_of_blob(rec.dtype);
			if (wire_le32(q) != BLOB_SENTINEL)
				add(r, CHECK_ERROR, where, "blob %u: sentinel 0x%08x, not 0x%08x", i, wire_le32(q),
				    BLOB_SENTINEL);
			else if (!dt)
				add(r, CHECK_ERROR, where, "blob %u: unknown data type %u", i, rec.dtype);
			else if (data < at + BLOB_ALIGNMENT || data > len || rec.size > len - data)
				add(r, CHECK_ERROR, where,
				    "blob %u: data (%llu bytes at %llu) outside the file (%zu bytes)", i,
				    (unsigned long long)rec.size, (unsigned long long)data, len);
			else {
				stop = 0;
				if (data % BLOB_ALIGNMENT)
					add(r, CHECK_ERROR, where, "blob %u: data at %llu is not 64-byte aligned", i,
					    (unsigned long long)data);
				if (dt->bits < 8 && (rec.pad >= 8 || rec.pad > rec.size * 8))
					add(r, CHECK_ERROR, where, "blob %u: %llu bits of padding", i,
					    (unsigned long long)rec.pad);
				if (dt->bits >= 8)
					rec.pad = 0;
				else if (rec.pad >= 8)
					rec.pad = 0;
				if (dt->bits >= 8 && rec.size % (uint64_t)(dt->bits / 8))
					add(r, CHECK_ERROR, where,
					    "blob %u: %llu bytes, not a whole number of %s values", i,
					    (unsigned long long)rec.size, dt->name);
				xgrow((void **)&wf->v, &wf->cap, wf->n + 1, sizeof(*wf->v));
				wf->v[wf->n++] = rec;
				uint64_t end = data + rec.size;
				at = (end + BLOB_ALIGNMENT - 1) / BLOB_ALIGNMENT * BLOB_ALIGNMENT;
			}
		}
		free(where);
		if (stop)
			break;
	}
}

static struct wfile *weight_file(struct mlpkg_model *m, struct wfiles *w, const char *name, struct check_report *r)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].name, name))
			return &w->v[i];
	xgrow((void **)&w->v, &w->cap, w->n + 1, sizeof(*w->v));
	struct wfile *wf = &w->v[w->n++];
	memset(wf, 0, sizeof(*wf));
	wf->name = xstrdup(name);
	wf->rel = weight_file_rel(m, name);
	struct buf b;
	struct error_capture probe;
	error_capture_begin(&probe, ERRCAP_DROP);
	int rc = mlpkg_read_item(m, name, &b);
	error_capture_end(&probe);
	if (rc < 0) {
		add(r, CHECK_ERROR, wf->rel, "the weight file the spec names is missing or unreadable");
		return wf;
	}
	walk_weight_file(wf, b.p, b.len, r);
	buf_release(&b);
	return wf;
}

static void check_ref(struct mlpkg_model *m, struct wfiles *w, const struct mil_weight_ref *ref, const char *path,
		      struct check_report *r)
{
	if (m->fmt != FMT_PACKAGE && m->fmt != FMT_ZIP) {
		add(r, CHECK_ERROR, path, "'%s' refers to weight file %s, which only a package can hold", ref->key,
		    ref->file);
		return;
	}
	struct wfile *wf = weight_file(m, w, ref->file, r);
	if (!wf->ok)
		return;
	const struct wrec *rec = NULL;
	for (size_t i = 0; i < wf->n && !rec; i++)
		if (wf->v[i].at == ref->offset)
			rec = &wf->v[i];
	if (!rec) {
		add(r, CHECK_ERROR, path, "'%s' refers to offset %llu of %s, where no blob record starts", ref->key,
		    (unsigned long long)ref->offset, wf->rel);
		return;
	}
	const struct mil_dtype *bt = mil_dtype_of_blob(rec->dtype);
	if (!ref->dtype) {
		add(r, CHECK_ERROR, path, "'%s' has a data type (%d) that cannot be stored in a blob", ref->key,
		    ref->dtype_mil);
		return;
	}
	if (ref->dtype->blob != rec->dtype) {
		add(r, CHECK_ERROR, path, "'%s' is declared %s, its blob at %llu holds %s", ref->key, ref->dtype->name,
		    (unsigned long long)rec->at, bt ? bt->name : "?");
		return;
	}
	if (ref->known) {
		uint64_t have = (rec->size * 8 - rec->pad) / (uint64_t)bt->bits;
		if (have != ref->count)
			add(r, CHECK_ERROR, path, "'%s' is declared with %llu elements, its blob at %llu holds %llu",
			    ref->key, (unsigned long long)ref->count, (unsigned long long)rec->at,
			    (unsigned long long)have);
	}
}

/* ---- descriptions --------------------------------------------------------- */

static const struct io_group *group_for(const struct model_io *io, const char *fn, size_t nfn)
{
	if (io->n > 1) {
		for (size_t g = 1; g < io->n; g++)
			if (io->g[g].function && !strcmp(io->g[g].function, fn))
				return &io->g[g];
		return NULL;
	}
	(void)nfn;
	return &io->g[0];
}

void sset_union(struct sset *dst, const struct sset *src)
{
	for (size_t i = 0; i < src->cap; i++)
		if (src->v[i])
			sset_add(dst, src->v[i]);
}

/* ---- ML programs ---------------------------------------------------------- */

struct mctx {
	struct mlpkg_model *m;
	struct wfiles *w;
	struct check_report *r;
	struct sset scope;
	const char *prefix;
	const struct model_io *io;
	const struct io_group *g;            /* the current function's description */
	char *fp;                            /* the current function's path */
	struct sset outer[MT_MAX_DEPTH + 2]; /* per nested block: the scope around it */
};

static int block_outputs(struct mt_node *block, struct strlist *out)
{
	return mil_block_io(block, NULL, out);
}

/* A nested block (the branches of cond, the body of while_loop) sees what
 * was defined before its operation; what it defines, its inputs included,
 * is its own and gone after it. */
static int on_block(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	const struct mil_block *b = mw->b;
	if (!b->up)
		return 0;
	const char *bpath = b->path;
	struct sset inner = { 0 };
	sset_union(&inner, &c->scope);
	c->outer[b->depth] = c->scope;
	c->scope = inner;
	long i = -1;
	int rc;
	struct mt_node *e;
	while ((rc = next_child(b->node, F_MILSpec_Block_inputs, &i, &e)) == 1) {
		char *n = field_str(e, F_MILSpec_NamedValueType_name);
		if (!*n)
			add(c->r, CHECK_ERROR, bpath, "a block input without a name");
		else if (!sset_add(&c->scope, n))
			add(c->r, CHECK_ERROR, bpath, "block input '%s' hides a value of the same name defined before",
			    n);
		free(n);
	}
	return rc < 0 ? -1 : 0;
}

static int on_block_leave(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	const struct mil_block *b = mw->b;
	if (!b->up)
		return 0;
	struct strlist outs = { 0 };
	int rc = block_outputs(b->node, &outs);
	for (size_t k = 0; rc == 0 && k < outs.n; k++)
		if (!sset_has(&c->scope, outs.v[k]))
			add(c->r, CHECK_ERROR, b->path, "block output '%s' is not defined in the block", outs.v[k]);
	sl_free(&outs);
	sset_free(&c->scope);
	c->scope = c->outer[b->depth];
	memset(&c->outer[b->depth], 0, sizeof(c->outer[b->depth]));
	return rc;
}

static int on_op(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	const struct mil_op *o = &mw->b->o;
	char *op_path = mil_op_path(mw->b);
	if (!o->type || !*o->type)
		add(c->r, CHECK_ERROR, op_path, "an operation without a type");
	for (size_t k = 0; k < o->nin; k++)
		for (size_t b = 0; b < o->in[k].nb; b++) {
			const char *v = o->in[k].b[b].name;
			if (v && !sset_has(&c->scope, v))
				add(c->r, CHECK_ERROR, op_path,
				    "%s '%s': input %s refers to '%s', defined neither before nor as a function input",
				    o->type, o->name, o->in[k].param, v);
		}
	for (size_t k = 0; k < o->nw; k++)
		check_ref(c->m, c->w, &o->w[k], op_path, c->r);
	free(op_path);
	return 0;
}

/* after its nested blocks: the op's outputs are defined */
static int on_op_leave(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	const struct mil_op *o = &mw->b->o;
	char *op_path = NULL;
	for (size_t k = 0; k < o->nout; k++)
		if (!sset_add(&c->scope, o->out[k].name)) {
			if (!op_path)
				op_path = mil_op_path(mw->b);
			add(c->r, CHECK_ERROR, op_path, "%s '%s': output '%s' is defined twice", o->type, o->name,
			    o->out[k].name);
		}
	free(op_path);
	return 0;
}

static int on_program(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	if (!mw->nfn) {
		char *p = join(c->prefix, "mlProgram");
		add(c->r, CHECK_ERROR, p, "a program without functions");
		free(p);
	}
	return 0;
}

static int on_function(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	const struct mil_function *f = mw->fn;
	size_t nf = mw->nfn;
	const struct model_io *io = c->io;
	struct check_report *r = c->r;
	char *fp = c->fp = join(c->prefix, "mlProgram.functions[\"%s\"]", f->name);
	memset(&c->scope, 0, sizeof(c->scope));
	const struct io_group *g = c->g = group_for(io, f->name, nf);
	if (!g)
		add(r, CHECK_ERROR, fp, "function '%s' is not in the description's functions", f->name);
	else if (io->n <= 1 && nf > 1)
		add(r, CHECK_ERROR, fp, "%zu functions, but the description does not list them", nf);
	if (!f->fn)
		return MIL_WALK_SKIP;
	long i = -1;
	int r2;
	struct mt_node *e;
	struct strlist fin = { 0 };
	while ((r2 = next_child(f->fn, F_MILSpec_Function_inputs, &i, &e)) == 1) {
		char *n = field_str(e, F_MILSpec_NamedValueType_name);
		if (!sset_add(&c->scope, n))
			add(r, CHECK_ERROR, fp, "input '%s' is listed twice", n);
		sl_push(&fin, n);
	}
	if (g && r2 == 0 && !(io->n <= 1 && nf > 1)) {
		for (size_t q = 0; q < g->in.n; q++)
			if (!sset_has(&c->scope, g->in.v[q].name))
				add(r, CHECK_ERROR, fp, "the description's input '%s' is not an input of the function",
				    g->in.v[q].name);
		for (size_t q = 0; q < g->state.n; q++)
			if (!sset_has(&c->scope, g->state.v[q].name))
				add(r, CHECK_ERROR, fp, "the description's state '%s' is not an input of the function",
				    g->state.v[q].name);
		for (size_t q = 0; q < fin.n; q++)
			if (!in_list(&g->in, fin.v[q]) && !in_list(&g->state, fin.v[q]))
				add(r, CHECK_ERROR, fp, "input '%s' is not in the description", fin.v[q]);
	}
	sl_free(&fin);
	if (r2 < 0)
		return -1;
	if (!f->block) {
		add(r, CHECK_ERROR, fp, "no block for opset '%s'", f->opset ? f->opset : "");
		return MIL_WALK_SKIP;
	}
	if (f->opset && f->block_key && strcmp(f->opset, f->block_key))
		add(r, CHECK_ERROR, fp, "no block specialization for its opset '%s'", f->opset);
	return 0;
}

/* the function's block outputs against its scope and its description */
static int on_function_leave(struct mil_walk *mw, void *ctx)
{
	struct mctx *c = ctx;
	const struct mil_function *f = mw->fn;
	const struct io_group *g = c->g;
	struct check_report *r = c->r;
	int rc = 0;
	if (f->fn && f->block) {
		char *bp = mil_block_path(c->prefix, f);
		struct strlist outs = { 0 };
		if (block_outputs(f->block, &outs) < 0)
			rc = -1;
		for (size_t q = 0; rc == 0 && q < outs.n; q++) {
			if (!sset_has(&c->scope, outs.v[q]))
				add(r, CHECK_ERROR, bp, "block output '%s' is not defined in the block", outs.v[q]);
			if (g && !in_list(&g->out, outs.v[q]))
				add(r, CHECK_ERROR, bp, "block output '%s' is not an output in the description",
				    outs.v[q]);
		}
		for (size_t q = 0; rc == 0 && g && q < g->out.n; q++) {
			int found = 0;
			for (size_t z = 0; z < outs.n; z++)
				found |= !strcmp(outs.v[z], g->out.v[q].name);
			if (!found)
				add(r, CHECK_ERROR, bp, "the description's output '%s' is not an output of the block",
				    g->out.v[q].name);
		}
		sl_free(&outs);
		free(bp);
	}
	sset_free(&c->scope);
	free(c->fp);
	c->fp = NULL;
	return rc;
}

static const struct mil_visitor check_visitor = {
	.program = on_program,
	.function = on_function,
	.function_leave = on_function_leave,
	.block = on_block,
	.block_leave = on_block_leave,
	.op = on_op,
	.op_leave = on_op_leave,
	.read_ops = 1,
	.op_flags = MIL_OP_FULL,
};

static int check_mil(struct mlpkg_model *m, struct wfiles *w, struct mt_node *prog, const char *prefix,
		     const struct model_io *io, struct check_report *r)
{
	struct mctx *c = xcalloc(1, sizeof(*c));
	c->m = m;
	c->w = w;
	c->r = r;
	c->prefix = prefix;
	c->io = io;
	int rc = mil_walk(prog, prefix, &check_visitor, c);
	/* after an error: the scopes the walk left open */
	for (size_t d = 0; d < sizeof(c->outer) / sizeof(c->outer[0]); d++)
		sset_free(&c->outer[d]);
	sset_free(&c->scope);
	free(c->fp);
	free(c);
	return rc;
}

/* ---- one model ------------------------------------------------------------ */

/* The version the features need against the stored one.  Core ML's
 * validator refuses a few features below their version (its gates, said
 * as errors where they are checked); for the rest it does not look, and
 * older releases would misread the model: a warning, left out when a gate
 * has said it already.  A pipeline's members are each held to their own
 * version; the pipeline's number only says which releases it claims to run
 * on (Create ML and Ultralytics' YOLO exports with NMS put a version 7 ML
 * program in a version 5 pipeline). */
static int check_version(const struct model_ref *ref, int gated, struct check_report *r, int *under)
{
	int need;
	char *why;
	if (spec_need(ref->node, &need, &why) < 0) {
		free(why);
		return -1;
	}
	if (ref->version > 0 && need > ref->version) {
		*under = 1;
		if (!gated) {
			char *vp = join(ref->path, "specificationVersion");
			add(r, CHECK_WARNING, vp, "specification version %d is lower than the %d that %s needs",
			    ref->version, need, why);
			free(vp);
		}
	}
	free(why);
	return 0;
}

static int check_one(struct mlpkg_model *m, struct wfiles *w, const struct model_ref *ref, struct check_report *r,
		     int *under)
{
	const char *pre = ref->path;
	char *vp = join(pre, "specificationVersion");
	if (!ref->type) {
		char *p = join(pre, "Type");
		add(r, CHECK_ERROR, *pre ? pre : p, "no model type set (the Type oneof is empty)");
		free(p);
	}
	if (ref->version <= 0)
		add(r, CHECK_ERROR, vp, "no specification version");
	else if (!spec_version_os(ref->version))
		add(r, CHECK_ERROR, vp, "specification version %d is newer than any known release", ref->version);
	free(vp);
	struct model_io io;
	if (io_read(ref->node, &io) < 0) {
		io_release(&io);
		return -1;
	}
	size_t gates = r->gates;
	check_description(&io, pre, ref->type, ref->version, r);
	int rc = 0;
	const char *t = ref->type;
	struct mt_node *nn = nn_network(ref->node);
	if (nn && t)
		rc = check_nn(nn, t, pre, &io.g[0], !strcmp(t, "neuralNetworkClassifier"), r);
	long tf = model_type_field(ref->node);
	if (rc == 0 && t && !strcmp(t, "mlProgram") && tf >= 0) {
		struct mt_node *prog = mt_child(ref->node, (size_t)tf);
		rc = prog ? check_mil(m, w, prog, pre, &io, r) : -1;
	}
	if (rc == 0 && model_pipeline(ref->node))
		rc = check_pipeline(ref->node, pre, &io.g[0], r);
	if (rc == 0)
		rc = check_kind(ref, &io, r);
	if (rc == 0)
		rc = check_version(ref, r->gates > gates, r, under);
	io_release(&io);
	return rc;
}

/* Xcode's preview: its type, labels and params against the model
 * (analyze/preview.h), each problem a warning */
static void check_preview(struct mlpkg_model *m, struct check_report *r)
{
	struct preview_fit f = { 0 };
	/* the spec decodes: check_model has seen to that */
	int rc = preview_fit_model(m->root, &f);
	for (size_t i = 0; rc == 0 && i < f.problems.n; i++)
		add(r, CHECK_WARNING, "description.metadata.userDefined", "%s", f.problems.v[i]);
	preview_fit_release(&f);
}

int check_model(struct mlpkg_model *m, struct check_report *r)
{
	check_manifest(m, r);
	if (mt_check(m->root) < 0)
		return -1;
	check_preview(m, r);
	size_t unknown = 0;
	if (unknown_fields(m->root, r, &unknown) < 0)
		return -1;
	if (unknown > 20)
		add(r, CHECK_WARNING, "(root)", "%zu more fields unknown to the schema", unknown - 20);
	struct model_ref *v;
	size_t n;
	if (model_list(m->root, &v, &n) < 0) {
		model_list_free(v, n);
		return -1;
	}
	struct wfiles w = { 0 };
	int rc = 0;
	int under = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int u = 0;
		rc = check_one(m, &w, &v[i], r, &u);
		if (i == 0)
			under = u;
		/* said once: when the pipeline was found to declare too little,
		 * the member that needs more is named there already */
		if (i > 0 && !under && v[i].version > v[0].version && v[0].version > 0) {
			char *p = join(v[i].path, "specificationVersion");
			add(r, CHECK_WARNING, p, "specification version %d, higher than the pipeline's %d",
			    v[i].version, v[0].version);
			free(p);
		}
	}
	wfiles_free(&w);
	model_list_free(v, n);
	return rc;
}
