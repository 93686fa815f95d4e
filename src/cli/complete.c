/* complete: the hidden entry points the completion scripts and the tests
 * ask, answered from the command table and the commands' option tables.
 *
 *   mlpkg __complete WORD... CUR  candidates for CUR, the word being typed
 *                                 after "mlpkg WORD...", one a line, those
 *                                 starting with CUR; the lines ":file",
 *                                 ":dir" and ":model" ask the shell for any
 *                                 file, a folder, or a model (.mlmodel, zip,
 *                                 folder) instead
 *   mlpkg __options [COMMAND...]  every option, one a line: command, --long,
 *                                 -s or empty, value name or empty, what
 *                                 completes the value or empty, tab-separated
 *   mlpkg --complete-commands     the commands
 *   mlpkg --complete-options CMD  CMD's long options and --help
 *   mlpkg --complete-words CMD    CMD's sub-commands or keywords
 *
 * A preview type completes after "preview set" and after the key
 * preview.type of "meta set".
 *
 * Some words complete from the model the line names (the first word after
 * the command and its sub-command that is an existing .mlmodel, .mlpackage
 * or .zip), else from the model the commands would use (mlpkg_default_model:
 * $MLPKG_MODEL, the package holding the current folder, the single model in
 * it): the keys of "meta get/rm/set KEY", the features of "describe FEATURE"
 * and "rename OLD", the layer and operation names of "layers --grep" and
 * "graph --around", the kinds of "layers --type", the tensors of "weights
 * --extract" and, one level at a time, the fields present at "get PATH".
 * Only the spec is read (no weight file), quietly: a model that does not
 * open offers nothing.
 *
 * None of them is in --help: they are for programs. */
#include "cli/commands.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "query/inspect.h"
#include "query/meta.h"
#include "query/compiled.h"
#include "query/miltext.h"
#include "query/mil.h"
#include "query/pathq.h"
#include "query/weights.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* prints the words of list (separated by any of seps) starting with cur */
static void print_words(const char *list, const char *seps, const char *cur)
{
	for (const char *p = list ? list : ""; *p;) {
		size_t l = strcspn(p, seps);
		if (l && strlen(cur) <= l && !strncmp(p, cur, strlen(cur)))
			printf("%.*s\n", (int)l, p);
		p += l;
		p += strspn(p, seps);
	}
}

static int listed(const struct opt_spec *o)
{
	return !(o->flags & OPT_HIDDEN);
}

/* the option word w names ("--output", "-o"), when it takes a value */
static const struct opt_spec *value_option(const struct cmd *c, const char *w)
{
	for (const struct opt_spec *o = c->opts; o && o->lng; o++) {
		if (!o->argname || !listed(o))
			continue;
		if (w[0] == '-' && w[1] == '-' && !strcmp(w + 2, o->lng))
			return o;
		if ((o->flags & (OPT_SHORT | OPT_SHORT_UNLISTED)) && w[0] == '-' && w[1] == o->key && !w[2])
			return o;
	}
	return NULL;
}

static void complete_value(const struct opt_spec *o, const char *cur)
{
	if (!o->complete)
		return; /* free text: nothing to offer */
	if (!strcmp(o->complete, "file"))
		puts(":file");
	else if (!strcmp(o->complete, "dir"))
		puts(":dir");
	else
		print_words(o->complete, "|", cur);
}

/* whether the word being typed (words[n - 1]) is a preview type: the first
 * word after "preview set", or the value after the key preview.type (short
 * or whole) in "meta set"; options and their values are passed over */
static int wants_preview_type(const struct cmd *c, int n, char **words)
{
	int pos = 0; /* words before the one typed that are not options */
	const char *first = NULL, *last = NULL;
	for (int i = 1; i < n - 1; i++) {
		if (words[i][0] == '-' && words[i][1]) {
			if (!strchr(words[i], '=') && value_option(c, words[i]))
				i++;
			continue;
		}
		if (!pos++)
			first = words[i];
		last = words[i];
	}
	if (!first || strcmp(first, "set"))
		return 0;
	if (c->fn == cmd_preview)
		return pos == 1;
	return c->fn == cmd_meta && pos % 2 == 0 &&
	       (!strcmp(last, "preview.type") || !strcmp(last, "com.apple.coreml.model.preview.type"));
}

/* ---- candidates from the model --------------------------------------------- */

/* candidates gathered from a model: printed once each, those starting with cur */
struct cands {
	struct strlist l;
	const char *cur;
	const char *prefix; /* printed before each (get paths) */
};

static void cand_add(struct cands *k, const char *s)
{
	if (!s || !*s || !starts(s, k->cur + strlen(k->prefix)))
		return;
	for (size_t i = 0; i < k->l.n; i++)
		if (!strcmp(k->l.v[i], s))
			return;
	sl_push(&k->l, xstrdup(s));
}

static void cands_print(struct cands *k)
{
	for (size_t i = 0; i < k->l.n; i++)
		printf("%s%s\n", k->prefix, k->l.v[i]);
	sl_free(&k->l);
}

/* 1 when w names an existing model (.mlmodel, .mlpackage, .zip) */
static int model_word(const char *w)
{
	struct stat st;
	return (mlpkg_kind_of_name(w) >= 0 && stat(w, &st) == 0) || compiled_is(w);
}

/* the words before the one typed that are not options nor option values
 * (words[1..n-1)), at most max of them into pos; how many.  With
 * models 0, words naming a model are left out too. */
static int positionals(const struct cmd *c, int n, char **words, const char **pos, int max, int models)
{
	int k = 0, options_end = 0;
	for (int i = 1; i < n - 1; i++) {
		if (!options_end && !strcmp(words[i], "--")) {
			options_end = 1;
			continue;
		}
		if (!options_end && words[i][0] == '-' && words[i][1]) {
			if (!strchr(words[i], '=') && value_option(c, words[i]))
				i++;
			continue;
		}
		if (!models && model_word(words[i]))
			continue;
		if (k < max)
			pos[k] = words[i];
		k++;
	}
	return k;
}

/* Opens the model the line names, else the default one, quietly: NULL when
 * there is none or it does not open.  Only the spec is read. */
static struct mlpkg_model *line_model(const struct cmd *c, int n, char **words)
{
	const char *pos[64];
	int np = positionals(c, n, words, pos, 64, 1);
	if (np > 64)
		np = 64;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	struct mlpkg_model *m = NULL;
	for (int i = 0; i < np && !m; i++) {
		if (!model_word(pos[i]))
			continue;
		if (mlpkg_open(pos[i], 0, &m) < 0)
			m = NULL;
		break; /* the first model word is the model, open or not */
	}
	if (!m) {
		int named = 0;
		for (int i = 0; i < np; i++)
			named |= model_word(pos[i]);
		char *def = named ? NULL : mlpkg_default_model();
		if (def && mlpkg_open(def, 0, &m) < 0)
			m = NULL;
		free(def);
	}
	error_capture_end(&cap);
	return m;
}

static void add_meta_keys(struct cands *k, struct mlpkg_model *m, int all)
{
	if (all) {
		static const char *const std[] = { "author",       "license",        "version", "description",
						   "preview.type", "preview.params", NULL };
		for (const char *const *s = std; *s; s++)
			cand_add(k, *s);
	}
	struct meta_entry *e;
	size_t ne;
	if (meta_list(m->root, &e, &ne) < 0)
		return;
	for (size_t i = 0; i < ne; i++) {
		if (!strcmp(e[i].key, PREVIEW_TYPE_KEY))
			cand_add(k, "preview.type");
		else if (!strcmp(e[i].key, PREVIEW_PARAMS_KEY))
			cand_add(k, "preview.params");
		cand_add(k, e[i].key);
	}
	meta_entries_free(e, ne);
}

static void add_io_list(struct cands *k, const struct io_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		cand_add(k, l->v[i].name);
}

static void add_features(struct cands *k, struct mlpkg_model *m)
{
	struct model_io io;
	memset(&io, 0, sizeof(io));
	if (io_read(m->root, &io) == 0)
		for (size_t i = 0; i < io.n; i++) {
			add_io_list(k, &io.g[i].in);
			add_io_list(k, &io.g[i].out);
			add_io_list(k, &io.g[i].state);
			add_io_list(k, &io.g[i].training);
		}
	io_release(&io);
}

/* names (or kinds) of layers and operations */
struct names_walk {
	struct cands *k;
	int kinds;
};

static int on_layer(const struct nn_visit *v, void *ctx)
{
	struct names_walk *w = ctx;
	struct nn_layer l;
	if (nn_layer_read(v->layer, v->pos, &l) < 0)
		return 0;
	cand_add(w->k, w->kinds ? l.kind : l.name);
	nn_layer_release(&l);
	return 0;
}

static int on_op(struct mil_walk *mw, void *ctx)
{
	struct names_walk *w = ctx;
	cand_add(w->k, w->kinds ? mw->b->o.type : mw->b->o.name);
	return 0;
}

static void add_layers(struct cands *k, struct mlpkg_model *m, int kinds)
{
	struct model_ref *r;
	size_t nr;
	if (model_list(m->root, &r, &nr) < 0)
		return;
	struct names_walk w = { k, kinds };
	static const struct mil_visitor v = { .op = on_op, .read_ops = 1 };
	for (size_t i = 0; i < nr; i++) {
		struct mt_node *nn = nn_network(r[i].node), *prog = NULL;
		if (nn && r[i].type) {
			char *base = xasprintf("%s%s%s", r[i].path, *r[i].path ? "." : "", r[i].type);
			nn_walk(nn, base, 0, on_layer, &w);
			free(base);
		} else if (mil_program(r[i].node, &prog) == 0 && prog)
			mil_walk(prog, r[i].path, &v, &w);
	}
	model_list_free(r, nr);
}

static void add_weights(struct cands *k, struct mlpkg_model *m)
{
	struct weight_list L;
	memset(&L, 0, sizeof(L));
	L.m = m;
	L.names_only = 1;
	weight_list_read(&L);
	for (size_t i = 0; i < L.n; i++)
		cand_add(k, L.v[i].name);
	weight_list_release(&L);
}

/* get PATH: the fields present one level below the path before the last
 * dot of cur (outside brackets and quotes), printed with that path */
static void add_fields(struct cands *k, struct mlpkg_model *m, char **prefix)
{
	const char *cur = k->cur, *dot = NULL;
	int depth = 0, quoted = 0;
	for (const char *p = cur; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				quoted = 0;
		} else if (*p == '"')
			quoted = 1;
		else if (*p == '[')
			depth++;
		else if (*p == ']' && depth)
			depth--;
		else if (*p == '.' && !depth)
			dot = p;
	}
	struct mt_node *node = m->root;
	if (dot) {
		char *path = xasprintf("%.*s", (int)(dot - cur), cur);
		struct pq_result r;
		int got = pathq_eval(m->root, path, &r);
		free(path);
		if (got < 0 || r.kind != PQ_NODE || !r.node)
			return;
		node = r.node;
		*prefix = xasprintf("%.*s", (int)(dot + 1 - cur), cur);
		k->prefix = *prefix;
	}
	if (mt_parse(node) < 0)
		return;
	for (size_t i = 0; i < node->n; i++)
		if (node->f[i].fd)
			cand_add(k, node->f[i].fd->name);
}

enum model_words { MW_NONE, MW_META_KEYS, MW_META_SET_KEYS, MW_FEATURES, MW_LAYERS, MW_KINDS, MW_WEIGHTS, MW_FIELDS };

/* The candidates of a compiled folder: its metadata keys and features
 * from metadata.json, its operations or layers and weight names from
 * model.mil or model.espresso.net (no weight file opened). */
static void add_compiled(struct cands *k, const char *path, enum model_words what)
{
	struct compiled *c;
	if (compiled_open(path, &c) < 0)
		return;
	if (what == MW_META_KEYS || what == MW_META_SET_KEYS) {
		struct meta_entry *e;
		size_t ne;
		if (compiled_meta_list(c, &e, &ne) == 0) {
			for (size_t i = 0; i < ne; i++)
				cand_add(k, e[i].key);
			meta_entries_free(e, ne);
		}
	} else if (what == MW_FEATURES) {
		static const char *const schemas[] = { "inputSchema", "outputSchema" };
		for (size_t s = 0; s < 2; s++) {
			const cJSON *f, *a = cJSON_GetObjectItemCaseSensitive(c->obj, schemas[s]);
			if (!cJSON_IsArray(a))
				continue;
			cJSON_ArrayForEach(f, a)
			{
				const char *name = compiled_field_name(f);
				if (name)
					cand_add(k, name);
			}
		}
	} else if (what == MW_WEIGHTS) {
		struct weight_list L;
		memset(&L, 0, sizeof(L));
		L.names_only = 1;
		char *stop = NULL;
		weight_list_read_compiled(&L, c, &stop);
		for (size_t i = 0; i < L.n; i++)
			cand_add(k, L.v[i].name);
		weight_list_release(&L);
		free(stop);
	} else if (what == MW_LAYERS || what == MW_KINDS) {
		/* the folder's own program or network, or its members' */
		struct compiled_part *parts;
		size_t np;
		compiled_parts(c, &parts, &np);
		for (size_t j = 0; j < np; j++) {
			struct miltext p;
			struct espresso_net net;
			if (parts[j].mil && compiled_program(c, parts[j].rel, &p) >= 0) {
				for (size_t i = 0; i < p.nop; i++)
					if (!p.op[i].is_block)
						cand_add(k, what == MW_KINDS ? p.op[i].o.type : p.op[i].o.name);
				miltext_release(&p);
			} else if (!parts[j].mil && compiled_network(c, parts[j].rel, &net) == 0) {
				for (size_t i = 0; i < net.n; i++)
					cand_add(k, what == MW_KINDS ? net.v[i].type : net.v[i].name);
				espresso_net_release(&net);
			}
		}
		compiled_parts_free(parts, np);
	}
	compiled_close(c);
}

/* the first model word of the line when it is a compiled folder */
static const char *line_compiled(const struct cmd *c, int n, char **words)
{
	const char *pos[64];
	int np = positionals(c, n, words, pos, 64, 1);
	for (int i = 0; i < np && i < 64; i++)
		if (model_word(pos[i]))
			return compiled_is(pos[i]) ? pos[i] : NULL;
	return NULL;
}

/* Prints the candidates of kind what from the model of the line (nothing
 * when it does not open); every message is dropped. */
static void complete_from_model(const struct cmd *c, int n, char **words, enum model_words what)
{
	const char *cpath = line_compiled(c, n, words);
	if (cpath) {
		struct error_capture cap;
		error_capture_begin(&cap, ERRCAP_DROP);
		struct cands k = { { NULL, 0, 0 }, n ? words[n - 1] : "", "" };
		add_compiled(&k, cpath, what);
		error_capture_end(&cap);
		cands_print(&k);
		return;
	}
	struct mlpkg_model *m = line_model(c, n, words);
	if (!m)
		return;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	struct cands k = { { NULL, 0, 0 }, n ? words[n - 1] : "", "" };
	char *prefix = NULL;
	switch (what) {
	case MW_META_KEYS:
	case MW_META_SET_KEYS: add_meta_keys(&k, m, what == MW_META_SET_KEYS); break;
	case MW_FEATURES: add_features(&k, m); break;
	case MW_LAYERS:
		add_layers(&k, m, 0);
		if (c->fn == cmd_graph)
			add_features(&k, m);
		break;
	case MW_KINDS: add_layers(&k, m, 1); break;
	case MW_WEIGHTS: add_weights(&k, m); break;
	case MW_FIELDS: add_fields(&k, m, &prefix); break;
	case MW_NONE: break;
	}
	error_capture_end(&cap);
	cands_print(&k);
	free(prefix);
	mlpkg_close(m);
}

/* what an option's value completes from the model */
static enum model_words option_model_words(const struct cmd *c, const struct opt_spec *o)
{
	if (c->fn == cmd_layers && !strcmp(o->lng, "type"))
		return MW_KINDS;
	if ((c->fn == cmd_layers && !strcmp(o->lng, "grep")) || (c->fn == cmd_graph && !strcmp(o->lng, "around")))
		return MW_LAYERS;
	if (c->fn == cmd_weights && !strcmp(o->lng, "extract"))
		return MW_WEIGHTS;
	return MW_NONE;
}

/* what the positional word being typed completes from the model, and
 * whether a model may stand there too (*model) */
static enum model_words positional_model_words(const struct cmd *c, int n, char **words, int *model)
{
	const char *pos[1] = { NULL };
	int np = positionals(c, n, words, pos, 1, 0);
	*model = 1;
	if (c->fn == cmd_meta && np >= 1) {
		if (!strcmp(pos[0], "get") && np == 1) {
			*model = 0;
			return MW_META_KEYS;
		}
		if (!strcmp(pos[0], "rm"))
			return MW_META_KEYS;
		if (!strcmp(pos[0], "set") && np % 2 == 1)
			return MW_META_SET_KEYS;
	}
	if ((c->fn == cmd_describe || c->fn == cmd_rename) && np == 0) {
		*model = 0;
		return MW_FEATURES;
	}
	if (c->fn == cmd_get && np == 0) {
		*model = 0;
		return MW_FIELDS;
	}
	return MW_NONE;
}

/* words[0] is the command, words[n - 1] the word being typed */
static void complete(int n, char **words)
{
	const char *cur = n ? words[n - 1] : "";
	if (n <= 1) {
		for (const struct cmd *c = commands; c->name; c++)
			if (starts(c->name, cur))
				puts(c->name);
		if (!*cur || *cur == '-')
			print_words("--help --version", " ", cur);
		return;
	}
	const struct cmd *c = cmd_find(words[0]);
	if (!c)
		return;
	if (c->fn == cmd_help && cur[0] != '-') {
		if (n == 2)
			for (const struct cmd *k = commands; k->name; k++)
				if (starts(k->name, cur))
					puts(k->name);
		return;
	}
	int options_end = 0;
	for (int i = 1; i < n - 1; i++)
		options_end |= !strcmp(words[i], "--");
	if (!options_end && n >= 3) {
		const struct opt_spec *o = value_option(c, words[n - 2]);
		if (o) {
			enum model_words mw = option_model_words(c, o);
			if (mw != MW_NONE)
				complete_from_model(c, n, words, mw);
			else
				complete_value(o, cur);
			return;
		}
	}
	if (!options_end && cur[0] == '-') {
		if (strchr(cur, '='))
			return;
		for (const struct opt_spec *o = c->opts; o && o->lng; o++)
			if (listed(o) && starts(o->lng, cur[1] == '-' ? cur + 2 : ""))
				printf("--%s\n", o->lng);
		if (starts("--help", cur))
			puts("--help");
		return;
	}
	if (n == 2)
		print_words(c->words, " ", cur);
	else if (!options_end && wants_preview_type(c, n, words)) {
		for (const char *const *t = preview_types; *t; t++)
			if (starts(*t, cur))
				puts(*t);
		return;
	}
	{
		int model;
		enum model_words mw = positional_model_words(c, n, words, &model);
		if (mw != MW_NONE) {
			complete_from_model(c, n, words, mw);
			if (!model)
				return;
		}
	}
	puts(":model");
}

static void print_options(const struct cmd *c)
{
	for (const struct opt_spec *o = c->opts; o && o->lng; o++) {
		if (!listed(o))
			continue;
		char sh[3] = "";
		if (o->flags & (OPT_SHORT | OPT_SHORT_UNLISTED))
			snprintf(sh, sizeof(sh), "-%c", o->key);
		printf("%s\t--%s\t%s\t%s\t%s\n", c->name, o->lng, sh, o->argname ? o->argname : "",
		       o->complete ? o->complete : "");
	}
}

int cmd_complete(int argc, char **argv)
{
	const char *a = argv[0];
	const struct cmd *c = argc > 1 ? cmd_find(argv[1]) : NULL;
	if (!strcmp(a, "__complete"))
		complete(argc - 1, argv + 1);
	else if (!strcmp(a, "__options")) {
		for (const struct cmd *k = commands; k->name; k++) {
			int want = argc < 2;
			for (int i = 1; i < argc; i++)
				want |= !strcmp(argv[i], k->name);
			if (want)
				print_options(k);
		}
	} else if (!strcmp(a, "--complete-commands")) {
		for (const struct cmd *k = commands; k->name; k++)
			puts(k->name);
	} else if (!strcmp(a, "--complete-options")) {
		if (c) {
			for (const struct opt_spec *o = c->opts; o && o->lng; o++)
				if (listed(o))
					printf("--%s\n", o->lng);
			puts("--help");
		}
	} else if (!strcmp(a, "--complete-words")) {
		if (c)
			print_words(c->words, " ", "");
	} else
		return -1;
	return EXIT_OK;
}
