/* summary: what `mlpkg info` and the browser's overview show of a model,
 * gathered from the query layer in one pass, and its text form. */
#include "query/summary.h"
#include "base/error.h"
#include "query/meta.h"
#include "query/show.h"
#include "spec/schema.h"
#include "spec/fields.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL 17 /* the column values start at */

void summary_release(struct summary *in)
{
	free(in->storage);
	free(in->need_why);
	if (in->sub)
		for (size_t i = 0; i < in->nrefs; i++)
			model_counts_release(&in->sub[i]);
	free(in->sub);
	model_list_free(in->refs, in->nrefs);
	model_counts_release(&in->total);
	sl_free(&in->opsets);
	if (in->mopsets)
		for (size_t i = 0; i < in->nrefs; i++)
			sl_free(&in->mopsets[i]);
	free(in->mopsets);
	io_release(&in->io);
	meta_entries_free(in->meta, in->nmeta);
	free(in->preview);
	sl_free(&in->notes);
}

static void add_unique(struct strlist *l, const char *s)
{
	for (size_t j = 0; j < l->n; j++)
		if (!strcmp(l->v[j], s))
			return;
	if (*s)
		sl_push(l, xstrdup(s));
}

static int collect_opsets(struct summary *in)
{
	in->mopsets = xcalloc(in->nrefs, sizeof(*in->mopsets));
	for (size_t i = 0; i < in->nrefs; i++) {
		if (!in->refs[i].type || strcmp(in->refs[i].type, "mlProgram"))
			continue;
		long t = model_type_field(in->refs[i].node);
		struct mt_node *prog = t >= 0 ? mt_child(in->refs[i].node, (size_t)t) : NULL;
		struct mil_function *fv = NULL;
		size_t nf = 0;
		if (!prog || mil_functions(prog, &fv, &nf) < 0) {
			mil_functions_free(fv, nf);
			return -1;
		}
		for (size_t k = 0; k < nf; k++) {
			add_unique(&in->opsets, fv[k].opset);
			add_unique(&in->mopsets[i], fv[k].opset);
		}
		mil_functions_free(fv, nf);
	}
	return 0;
}

/* one weight file f the spec refers to: its bytes added to *bytes, or a
 * note when the model cannot hold it, the package lacks it or a Git LFS
 * pointer stands in its place */
static void weight_file_note(struct mlpkg_model *m, const char *f, int64_t *bytes, struct strlist *notes)
{
	if (m->fmt != FMT_PACKAGE && m->fmt != FMT_ZIP) {
		sl_pushf(notes, "the spec refers to weight file %s, which only a package can hold", f);
		return;
	}
	char *rel = weight_file_rel(m, f);
	int64_t s = mlpkg_file_size(m, rel);
	struct buf b;
	uint64_t lfs = 0;
	if (s < 0) {
		sl_pushf(notes, "the spec refers to %s, which the package lacks", rel);
	} else if (s <= 1024 && mlpkg_read_item(m, rel, &b) == 0) {
		/* a small weight file may be a Git LFS pointer, not the weights */
		int is_lfs = lfs_pointer(b.p, b.len, &lfs);
		buf_release(&b);
		if (is_lfs) {
			char h[32] = "";
			if (lfs)
				human_size(h, sizeof(h), lfs);
			sl_pushf(notes, "%s is a Git LFS pointer, not the weights (%s%snot fetched: git lfs pull)", rel,
				 h, lfs ? " " : "");
		} else {
			*bytes += s;
		}
	} else {
		*bytes += s;
	}
	free(rel);
}

int package_gaps(struct mlpkg_model *m, struct strlist *out)
{
	for (size_t i = 0; m->man && i < m->man->n; i++) {
		const struct manifest_item *it = &m->man->items[i];
		if (!it->path || !*it->path)
			continue;
		char *rel = xasprintf("Data/%s", it->path);
		struct error_capture probe;
		error_capture_begin(&probe, ERRCAP_DROP);
		int has = mlpkg_has_item(m, rel);
		error_capture_end(&probe);
		if (!has)
			sl_pushf(out, "Manifest.json names %s, which the package lacks", rel);
		free(rel);
	}
	struct model_counts c;
	memset(&c, 0, sizeof(c));
	int rc = model_count(m->root, &c);
	int64_t bytes = 0;
	for (size_t i = 0; rc == 0 && i < c.files.n; i++)
		weight_file_note(m, c.files.v[i], &bytes, out);
	model_counts_release(&c);
	return rc;
}

int summary_gather(struct summary *in, struct mlpkg_model *m)
{
	memset(in, 0, sizeof(*in));
	in->m = m;
	in->type = model_type_name(m->root);
	in->version = (int)mt_get_int(m->root, F_Model_specificationVersion, 0);
	if (model_list(m->root, &in->refs, &in->nrefs) < 0)
		return -1;
	in->sub = xcalloc(in->nrefs, sizeof(*in->sub));
	for (size_t i = 1; i < in->nrefs; i++)
		if (model_count(in->refs[i].node, &in->sub[i]) < 0)
			return -1;
	if (model_count(m->root, &in->total) < 0 || collect_opsets(in) < 0)
		return -1;
	if (io_read(m->root, &in->io) < 0 || meta_list(m->root, &in->meta, &in->nmeta) < 0)
		return -1;
	if (meta_get(m->root, PREVIEW_TYPE_KEY, &in->preview, &in->preview_len) < 0)
		return -1;
	in->preview_labels = -1;
	char *params = NULL, **lv;
	size_t pl, ln;
	if (meta_get(m->root, PREVIEW_PARAMS_KEY, &params, &pl) < 0)
		return -1;
	if (params && meta_params_labels(params, pl, &lv, &ln) == 1) {
		in->preview_labels = (long)ln;
		for (size_t i = 0; i < ln; i++)
			free(lv[i]);
		free(lv);
	}
	free(params);
	if (spec_need(m->root, &in->need, &in->need_why) < 0 || model_notes(m, &in->notes) < 0)
		return -1;
	in->spec_bytes = (int64_t)m->spec_len;
	in->disk_bytes = model_disk_size(m);
	for (size_t i = 0; i < in->total.files.n; i++)
		weight_file_note(m, in->total.files.v[i], &in->weight_bytes, &in->notes);
	/* the weights by kind of storage, as the spec declares them (no weight file read) */
	struct weight_list L;
	memset(&L, 0, sizeof(L));
	L.m = m;
	L.names_only = 1;
	if (weight_list_read(&L) < 0) {
		weight_list_release(&L);
		return -1;
	}
	in->storage = xcalloc(1, sizeof(*in->storage));
	weight_storage(&L, in->storage);
	weight_list_release(&L);
	return 0;
}

/* ---- text ------------------------------------------------------------------- */

static void label(FILE *fp, const char *l)
{
	fprintf(fp, "  %s:", l);
	show_pad(fp, LABEL - 3 - (int)strlen(l));
}

static void newline_at_value(FILE *fp)
{
	fputc('\n', fp);
	show_pad(fp, LABEL);
}

static void sizes_text(FILE *fp, const struct summary *in)
{
	char a[32], b[32], c[32];
	human_size(a, sizeof(a), (uint64_t)in->spec_bytes);
	human_size(b, sizeof(b), (uint64_t)in->weight_bytes);
	human_size(c, sizeof(c), (uint64_t)(in->disk_bytes < 0 ? 0 : in->disk_bytes));
	label(fp, "size");
	if (in->m->fmt == FMT_PACKAGE || in->m->fmt == FMT_ZIP)
		fprintf(fp, "spec %s, weight files %s, total %s%s\n", a, b, c,
			in->m->fmt == FMT_ZIP ? " (zipped)" : "");
	else
		fprintf(fp, "%s\n", a);
}

static void member_text(FILE *fp, const struct summary *in, size_t i)
{
	const struct model_ref *r = &in->refs[i];
	const struct model_counts *c = &in->sub[i];
	const char *br = strrchr(r->path, '[');
	show_pad(fp, LABEL + 2 * (r->depth - 1));
	fprintf(fp, "%s ", br ? br : "");
	if (r->name) {
		show_escaped(fp, r->name);
		fputs(": ", fp);
	}
	fprintf(fp, "%s (spec %d", r->type ? r->type : "no type", r->version);
	for (size_t k = 0; k < in->mopsets[i].n; k++)
		fprintf(fp, "%s%s", k ? "/" : ", opset ", in->mopsets[i].v[k]);
	if (c->has_nn && c->layers)
		fprintf(fp, ", %llu layers", (unsigned long long)c->layers);
	if (c->has_mil)
		fprintf(fp, ", %llu operations", (unsigned long long)c->ops);
	fputs(")\n", fp);
}

static void features_line(FILE *fp, const char *title, const struct io_list *l)
{
	if (!l->n)
		return;
	label(fp, title);
	size_t nw = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) > nw)
			nw = strlen(l->v[i].name);
	if (nw > 24)
		nw = 24;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			newline_at_value(fp);
		char *t = ft_format(&l->v[i].type);
		show_escaped(fp, l->v[i].name);
		size_t w = strlen(l->v[i].name);
		show_pad(fp, (int)(w < nw ? nw - w : 0) + 2);
		fputs(t, fp);
		if (l->v[i].type.optional)
			fputs(" optional", fp);
		free(t);
	}
	fputc('\n', fp);
}

static void names(const struct io_list *l, struct strbuf *sb)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", l->v[i].name);
	if (!l->n)
		sb_adds(sb, "-");
}

static void metadata_text(FILE *fp, const struct summary *in)
{
	if (!in->nmeta)
		return;
	label(fp, "metadata");
	for (size_t i = 0; i < in->nmeta; i++) {
		if (i)
			newline_at_value(fp);
		const struct meta_entry *e = &in->meta[i];
		show_escaped(fp, e->key);
		fputs(": ", fp);
		/* one line each, cut to fit */
		int room = SHOW_WIDTH - LABEL - (int)strlen(e->key) - 2;
		size_t n = 0, w = 0;
		while (n < e->len && (int)w < room) {
			unsigned char ch = (unsigned char)e->value[n];
			w += ch < 0x20 || ch == 0x7f ? 4 : 1;
			n++;
		}
		fput_escaped(fp, e->value, n < e->len && n > 3 ? n - 3 : n);
		if (n < e->len)
			fputs("...", fp);
	}
	fputc('\n', fp);
}

void summary_text(FILE *fp, const struct summary *in)
{
	struct mlpkg_model *m = in->m;
	show_escaped(fp, m->path);
	fputc('\n', fp);
	label(fp, "format");
	if (m->fmt == FMT_ZIP && !m->man)
		fprintf(fp, "zip (a single .mlmodel)\n");
	else if (m->fmt == FMT_PACKAGE || m->fmt == FMT_ZIP)
		fprintf(fp, "%s (%zu item%s in Manifest.json)\n", m->fmt == FMT_ZIP ? "zipped package" : "package",
			m->man->n, m->man->n == 1 ? "" : "s");
	else
		fprintf(fp, "%s\n", m->fmt == FMT_STDIN ? "spec on standard input" : "mlmodel");
	sizes_text(fp, in);
	label(fp, "spec version");
	const char *os = spec_version_os(in->version);
	fprintf(fp, "%d", in->version);
	if (os)
		fprintf(fp, " (%s)", os);
	fputc('\n', fp);
	label(fp, "type");
	fprintf(fp, "%s", in->type ? in->type : "none");
	if (in->mopsets[0].n) {
		fputs(in->mopsets[0].n == 1 ? " (opset " : " (opsets ", fp);
		for (size_t i = 0; i < in->mopsets[0].n; i++)
			fprintf(fp, "%s%s", i ? ", " : "", in->mopsets[0].v[i]);
		fputc(')', fp);
	}
	if (in->nrefs > 1)
		fprintf(fp, ", %zu models", in->nrefs - 1);
	fputc('\n', fp);
	for (size_t i = 1; i < in->nrefs; i++)
		member_text(fp, in, i);
	const struct io_group *g = &in->io.g[0];
	features_line(fp, "inputs", &g->in);
	features_line(fp, "outputs", &g->out);
	features_line(fp, "states", &g->state);
	features_line(fp, "training", &g->training);
	if (in->io.n > 1) {
		label(fp, "functions");
		for (size_t i = 1; i < in->io.n; i++) {
			const struct io_group *f = &in->io.g[i];
			struct strbuf sb = STRBUF_INIT;
			sb_addf(&sb, "%s%s: ", f->function, f->is_default ? " (default)" : "");
			names(&f->in, &sb);
			sb_adds(&sb, " -> ");
			names(&f->out, &sb);
			if (f->state.n) {
				sb_adds(&sb, "; states ");
				names(&f->state, &sb);
			}
			if (i > 1)
				newline_at_value(fp);
			show_words(fp, sb.buf, LABEL, LABEL + 4);
			sb_release(&sb);
		}
		fputc('\n', fp);
	}
	metadata_text(fp, in);
	if (in->preview) {
		label(fp, "preview");
		fput_escaped(fp, in->preview, in->preview_len);
		if (in->preview_labels >= 0)
			fprintf(fp, " (%ld label%s)", in->preview_labels, in->preview_labels == 1 ? "" : "s");
		fputc('\n', fp);
	}
	const struct model_counts *c = &in->total;
	struct strlist items = { 0 };
	if (c->has_nn)
		sl_pushf(&items, "%llu layers", (unsigned long long)c->layers);
	if (c->has_mil)
		sl_pushf(&items, "%llu operations in %llu function%s", (unsigned long long)c->ops,
			 (unsigned long long)c->functions, c->functions == 1 ? "" : "s");
	if (c->has_nn || c->has_mil) {
		char b[32];
		human_size(b, sizeof(b), c->weight_bytes);
		sl_pushf(&items, "%llu weight tensors", (unsigned long long)c->weights);
		sl_pushf(&items, "%llu parameters", (unsigned long long)c->params);
		sl_pushf(&items, "%s of weights", b);
	}
	char *classic = classic_summary(c);
	if (classic)
		sl_push(&items, classic);
	if (items.n) {
		label(fp, "counts");
		show_wrap(fp, &items, ", ", LABEL, LABEL);
		fputc('\n', fp);
	}
	sl_free(&items);
	if (in->storage && in->storage->n) {
		/* how the weights are stored: float16, palettized 4-bit, linear 8-bit... */
		const struct weight_storage *s = in->storage;
		for (size_t i = 0; i < s->n; i++) {
			char b[32];
			human_size(b, sizeof(b), s->k[i].bytes);
			sl_pushf(&items, "%s %s", s->k[i].name, b);
		}
		char b[32];
		human_size(b, sizeof(b), s->unpacked);
		sl_pushf(&items, "%s unpacked", b);
		label(fp, "storage");
		show_wrap(fp, &items, ", ", LABEL, LABEL);
		fputc('\n', fp);
		sl_free(&items);
	}
	label(fp, "notes");
	if (!in->notes.n)
		fputs("none\n", fp);
	for (size_t i = 0; i < in->notes.n; i++) {
		if (i)
			show_pad(fp, LABEL);
		fputs("- ", fp);
		show_words(fp, in->notes.v[i], LABEL + 2, LABEL + 2);
		fputc('\n', fp);
	}
}
