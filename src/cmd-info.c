/* cmd-info: mlpkg info [--json] [MODEL...]: what a model is, in one screen. */
#include "commands.h"
#include "error.h"
#include "inspect.h"
#include "meta.h"
#include "schema.h"
#include "show.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LABEL 17   /* the column values start at */

/* everything info shows, gathered before anything is printed */
struct info {
	struct mlpkg_model *m;
	const char *type;
	int version, need;
	char *need_why;
	struct model_ref *refs;
	size_t nrefs;
	struct model_counts *sub;   /* per member of refs */
	struct model_counts total;
	struct strlist opsets;      /* all of them */
	struct strlist *mopsets;    /* per member of refs */
	struct model_io io;
	struct meta_entry *meta;
	size_t nmeta;
	char *preview;
	size_t preview_len;
	struct strlist notes;
	int64_t spec_bytes, weight_bytes, disk_bytes;
};

static void info_release(struct info *in)
{
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

static int collect_opsets(struct info *in)
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

static int gather(struct info *in)
{
	struct mlpkg_model *m = in->m;
	in->type = model_type_name(m->root);
	in->version = (int)mt_get_int(m->root, 1, 0);
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
	if (spec_need(m->root, &in->need, &in->need_why) < 0 || model_notes(m, &in->notes) < 0)
		return -1;
	in->spec_bytes = (int64_t)m->spec_len;
	in->disk_bytes = model_disk_size(m);
	for (size_t i = 0; i < in->total.files.n; i++) {
		const char *f = in->total.files.v[i];
		if (m->fmt != FMT_PACKAGE && m->fmt != FMT_ZIP) {
			sl_pushf(&in->notes, "the spec refers to weight file %s, which only a package can hold", f);
			continue;
		}
		char *rel = weight_file_rel(m, f);
		int64_t s = mlpkg_file_size(m, rel);
		uint8_t *b;
		size_t bl;
		int mapped;
		uint64_t lfs = 0;
		if (s < 0) {
			sl_pushf(&in->notes, "the spec refers to %s, which the package lacks", rel);
		} else if (s <= 1024 && mlpkg_read_item(m, rel, &b, &bl, &mapped) == 0) {
			/* a small weight file may be a Git LFS pointer, not the weights */
			int is_lfs = lfs_pointer(b, bl, &lfs);
			if (mapped)
				munmap(b, bl);
			else
				free(b);
			if (is_lfs) {
				char h[32] = "";
				if (lfs)
					human_size(h, sizeof(h), lfs);
				sl_pushf(&in->notes, "%s is a Git LFS pointer, not the weights (%s%snot fetched: git lfs pull)",
					 rel, h, lfs ? " " : "");
			} else {
				in->weight_bytes += s;
			}
		} else {
			in->weight_bytes += s;
		}
		free(rel);
	}
	return 0;
}

/* ---- text ------------------------------------------------------------------- */

static void label(const char *l)
{
	printf("  %s:", l);
	show_pad(stdout, LABEL - 3 - (int)strlen(l));
}

static void newline_at_value(void)
{
	fputc('\n', stdout);
	show_pad(stdout, LABEL);
}

static void sizes_text(const struct info *in)
{
	char a[32], b[32], c[32];
	human_size(a, sizeof(a), (uint64_t)in->spec_bytes);
	human_size(b, sizeof(b), (uint64_t)in->weight_bytes);
	human_size(c, sizeof(c), (uint64_t)(in->disk_bytes < 0 ? 0 : in->disk_bytes));
	label("size");
	if (in->m->fmt == FMT_PACKAGE || in->m->fmt == FMT_ZIP)
		printf("spec %s, weight files %s, total %s%s\n", a, b, c, in->m->fmt == FMT_ZIP ? " (zipped)" : "");
	else
		printf("%s\n", a);
}

static void member_text(const struct info *in, size_t i)
{
	const struct model_ref *r = &in->refs[i];
	const struct model_counts *c = &in->sub[i];
	const char *br = strrchr(r->path, '[');
	show_pad(stdout, LABEL + 2 * (r->depth - 1));
	printf("%s ", br ? br : "");
	if (r->name) {
		show_escaped(stdout, r->name);
		fputs(": ", stdout);
	}
	printf("%s (spec %d", r->type ? r->type : "no type", r->version);
	for (size_t k = 0; k < in->mopsets[i].n; k++)
		printf("%s%s", k ? "/" : ", opset ", in->mopsets[i].v[k]);
	if (c->has_nn && c->layers)
		printf(", %llu layers", (unsigned long long)c->layers);
	if (c->has_mil)
		printf(", %llu operations", (unsigned long long)c->ops);
	fputs(")\n", stdout);
}

static void features_line(const char *title, const struct io_list *l)
{
	if (!l->n)
		return;
	label(title);
	size_t nw = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i].name) > nw)
			nw = strlen(l->v[i].name);
	if (nw > 24)
		nw = 24;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			newline_at_value();
		char *t = ft_format(&l->v[i].type);
		show_escaped(stdout, l->v[i].name);
		size_t w = strlen(l->v[i].name);
		show_pad(stdout, (int)(w < nw ? nw - w : 0) + 2);
		fputs(t, stdout);
		if (l->v[i].type.optional)
			fputs(" optional", stdout);
		free(t);
	}
	fputc('\n', stdout);
}

static void names(const struct io_list *l, struct strbuf *sb)
{
	for (size_t i = 0; i < l->n; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", l->v[i].name);
	if (!l->n)
		sb_adds(sb, "-");
}

static void metadata_text(const struct info *in)
{
	if (!in->nmeta)
		return;
	label("metadata");
	for (size_t i = 0; i < in->nmeta; i++) {
		if (i)
			newline_at_value();
		const struct meta_entry *e = &in->meta[i];
		show_escaped(stdout, e->key);
		fputs(": ", stdout);
		/* one line each, cut to fit */
		int room = SHOW_WIDTH - LABEL - (int)strlen(e->key) - 2;
		size_t n = 0, w = 0;
		while (n < e->len && (int)w < room) {
			unsigned char ch = (unsigned char)e->value[n];
			w += ch < 0x20 || ch == 0x7f ? 4 : 1;
			n++;
		}
		fput_escaped(stdout, e->value, n < e->len && n > 3 ? n - 3 : n);
		if (n < e->len)
			fputs("...", stdout);
	}
	fputc('\n', stdout);
}

static void info_text(const struct info *in)
{
	struct mlpkg_model *m = in->m;
	show_escaped(stdout, m->path);
	fputc('\n', stdout);
	label("format");
	if (m->fmt == FMT_ZIP && !m->man)
		printf("zip (a single .mlmodel)\n");
	else if (m->fmt == FMT_PACKAGE || m->fmt == FMT_ZIP)
		printf("%s (%zu item%s in Manifest.json)\n", m->fmt == FMT_ZIP ? "zipped package" : "package",
		       m->man->n, m->man->n == 1 ? "" : "s");
	else
		printf("%s\n", m->fmt == FMT_STDIN ? "spec on standard input" : "mlmodel");
	sizes_text(in);
	label("spec version");
	const char *os = spec_version_os(in->version);
	printf("%d", in->version);
	if (os)
		printf(" (%s)", os);
	fputc('\n', stdout);
	label("type");
	printf("%s", in->type ? in->type : "none");
	if (in->mopsets[0].n) {
		fputs(in->mopsets[0].n == 1 ? " (opset " : " (opsets ", stdout);
		for (size_t i = 0; i < in->mopsets[0].n; i++)
			printf("%s%s", i ? ", " : "", in->mopsets[0].v[i]);
		fputc(')', stdout);
	}
	if (in->nrefs > 1)
		printf(", %zu models", in->nrefs - 1);
	fputc('\n', stdout);
	for (size_t i = 1; i < in->nrefs; i++)
		member_text(in, i);
	const struct io_group *g = &in->io.g[0];
	features_line("inputs", &g->in);
	features_line("outputs", &g->out);
	features_line("states", &g->state);
	features_line("training", &g->training);
	if (in->io.n > 1) {
		label("functions");
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
				newline_at_value();
			show_words(stdout, sb.buf, LABEL, LABEL + 4);
			sb_release(&sb);
		}
		fputc('\n', stdout);
	}
	metadata_text(in);
	if (in->preview) {
		label("preview");
		fput_escaped(stdout, in->preview, in->preview_len);
		fputc('\n', stdout);
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
		label("counts");
		show_wrap(stdout, &items, ", ", LABEL, LABEL);
		fputc('\n', stdout);
	}
	sl_free(&items);
	label("notes");
	if (!in->notes.n)
		fputs("none\n", stdout);
	for (size_t i = 0; i < in->notes.n; i++) {
		if (i)
			show_pad(stdout, LABEL);
		fputs("- ", stdout);
		show_words(stdout, in->notes.v[i], LABEL + 2, LABEL + 2);
		fputc('\n', stdout);
	}
}

/* ---- JSON -------------------------------------------------------------------- */

static void info_json(struct jw *w, const struct info *in)
{
	struct mlpkg_model *m = in->m;
	jw_obj(w);
	jw_kstr(w, "model", m->path);
	jw_kstr(w, "format", mlpkg_format_name(m->fmt));
	jw_key(w, "sizes");
	jw_obj(w);
	jw_kint(w, "spec", in->spec_bytes);
	jw_kint(w, "weights", in->weight_bytes);
	jw_kint(w, "total", in->disk_bytes);
	jw_obj_end(w);
	jw_kint(w, "specificationVersion", in->version);
	jw_kstr(w, "minimumOS", spec_version_os(in->version));
	jw_kint(w, "neededVersion", in->need);
	jw_kstr(w, "neededBy", in->need_why);
	jw_kstr(w, "type", in->type);
	jw_key(w, "opsets");
	jw_arr(w);
	for (size_t i = 0; i < in->opsets.n; i++)
		jw_str(w, in->opsets.v[i]);
	jw_arr_end(w);
	jw_key(w, "models");
	jw_arr(w);
	for (size_t i = 1; i < in->nrefs; i++) {
		const struct model_ref *r = &in->refs[i];
		jw_obj(w);
		jw_kstr(w, "path", r->path);
		jw_kstr(w, "name", r->name);
		jw_kint(w, "depth", r->depth);
		jw_kstr(w, "type", r->type);
		jw_kint(w, "specificationVersion", r->version);
		jw_kint(w, "layers", (int64_t)in->sub[i].layers);
		jw_kint(w, "operations", (int64_t)in->sub[i].ops);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	show_group_json(w, &in->io.g[0]);
	jw_key(w, "functions");
	jw_arr(w);
	for (size_t i = 1; i < in->io.n; i++) {
		jw_obj(w);
		jw_kstr(w, "name", in->io.g[i].function);
		jw_kbool(w, "default", in->io.g[i].is_default);
		show_group_json(w, &in->io.g[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kstr(w, "defaultFunction", in->io.default_fn);
	jw_key(w, "metadata");
	jw_obj(w);
	for (size_t i = 0; i < in->nmeta; i++) {
		jw_key(w, in->meta[i].key);
		jw_strn(w, in->meta[i].value, in->meta[i].len);
	}
	jw_obj_end(w);
	jw_key(w, "previewType");
	if (in->preview)
		jw_strn(w, in->preview, in->preview_len);
	else
		jw_null(w);
	const struct model_counts *c = &in->total;
	jw_key(w, "counts");
	jw_obj(w);
	const struct {
		const char *key;
		uint64_t v;
	} cs[] = { { "models", c->models },
		   { "layers", c->layers },
		   { "operations", c->ops },
		   { "functions", c->functions },
		   { "weightTensors", c->weights },
		   { "parameters", c->params },
		   { "weightBytes", c->weight_bytes },
		   { "trees", c->trees },
		   { "treeNodes", c->tree_nodes },
		   { "treeLeaves", c->tree_leaves },
		   { "supportVectors", c->support_vectors },
		   { "coefficients", c->coefficients },
		   { "examples", c->examples } };
	for (size_t i = 0; i < sizeof(cs) / sizeof(*cs); i++)
		jw_kint(w, cs[i].key, (int64_t)cs[i].v);
	jw_obj_end(w);
	jw_key(w, "weightFiles");
	jw_arr(w);
	for (size_t i = 0; i < c->files.n; i++)
		jw_str(w, c->files.v[i]);
	jw_arr_end(w);
	jw_key(w, "notes");
	jw_arr(w);
	for (size_t i = 0; i < in->notes.n; i++)
		jw_str(w, in->notes.v[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

static int info_one(const char *path, int json, int *printed, struct jw *w)
{
	struct info in;
	memset(&in, 0, sizeof(in));
	in.m = cmd_open(path, 0);
	if (!in.m)
		return last_error_code();
	int rc = EXIT_OK;
	/* any node found invalid on the way fails the model, even where the
	 * walk could go on */
	set_error_code(EXIT_OK);
	if (gather(&in) < 0 || last_error_code() != EXIT_OK) {
		rc = last_error_code() ? last_error_code() : EXIT_FAIL;
	} else if (json) {
		info_json(w, &in);
	} else {
		if ((*printed)++)
			fputc('\n', stdout);
		info_text(&in);
	}
	mlpkg_close(in.m);
	in.m = NULL;
	info_release(&in);
	return rc;
}

int info_print_model(struct mlpkg_model *m)
{
	struct info in;
	memset(&in, 0, sizeof(in));
	in.m = m;
	int rc = EXIT_OK;
	set_error_code(EXIT_OK);
	if (gather(&in) < 0 || last_error_code() != EXIT_OK)
		rc = last_error_code() ? last_error_code() : EXIT_FAIL;
	else
		info_text(&in);
	in.m = NULL;
	info_release(&in);
	return rc;
}

int cmd_info(int argc, char **argv)
{
	static const struct option lo[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	const struct cmd *self = cmd_find("info");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "j", lo)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	int n = argc - optind, rc = EXIT_OK, several = n > 1, printed = 0;
	struct jw w;
	jw_init(&w, stdout);
	if (json && several)
		jw_arr(&w);
	if (n == 0)
		rc = info_one(NULL, json, &printed, &w);
	for (int i = 0; i < n; i++)
		rc = worse(rc, info_one(argv[optind + i], json, &printed, &w));
	if (json && several)
		jw_arr_end(&w);
	if (json && (several || rc == EXIT_OK))
		jw_end(&w);
	return rc;
}
