/* cmd-iface: mlpkg describe, mlpkg rename and mlpkg labels: interface
 * edits in place (atomic), to -o OUT, or shown with --dry-run. */
#include "cli/commands.h"
#include "query/meta.h"
#include "base/error.h"
#include "edit/iface.h"
#include "base/jsonout.h"
#include "query/overlay.h"
#include "edit/labels.h"
#include "edit/txn.h"
#include "base/xalloc.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct edit_opts {
	const char *out;
	int dry_run;
	const char *function;
	int json;
};

/* says that the overlay followed the edit saved */
static void overlay_said(struct mlpkg_model *m, const char *out)
{
	char *rel = overlay_rel(m, OVERLAY_FDESC);
	fprintf(stderr, "mlpkg: '%s': updated %s to match\n", out ? out : m->path, rel);
	free(rel);
}

static void print_changes(const struct iface_changes *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		fputs("  ", stdout);
		fput_escaped(stdout, ch->v[i], strlen(ch->v[i]));
		fputc('\n', stdout);
	}
}

static void print_q(const char *s)
{
	fputc('\'', stdout);
	fput_escaped(stdout, s, strlen(s));
	fputc('\'', stdout);
}

/* ---- describe and rename ---------------------------------------------------------- */

/* describe FEATURE TEXT and rename OLD NEW: the same steps, a different edit */
enum iface_kind { K_DESCRIBE, K_RENAME };

/* the --dry-run report of the edit (r from the transaction) */
static void dry_run_said(enum iface_kind k, const char *a, const char *b, int r, const struct iface_changes *ch)
{
	if (k == K_DESCRIBE && r == 0) {
		printf("the description of ");
		print_q(a);
		printf(" already reads so\n");
	} else if (k == K_DESCRIBE) {
		printf("would set the description of ");
		print_q(a);
		printf(" in:\n");
		print_changes(ch);
	} else if (r == 0) {
		print_q(a);
		printf(" unchanged\n");
	} else {
		printf("would rename ");
		print_q(a);
		printf(" to ");
		print_q(b);
		printf(" in %d place%s:\n", r, r == 1 ? "" : "s");
		print_changes(ch);
	}
}

/* one model (path NULL: the default one): describe a as b, or rename a to b */
static int iface_edit_one(enum iface_kind k, const char *a, const char *b, const char *path, const struct edit_opts *o)
{
	int flags = CMD_OPEN_EDIT | ((o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE);
	struct mlpkg_model *m = cmd_open(path, flags);
	if (!m)
		return last_error_code();
	if (mt_check(m->root) < 0) {
		mlpkg_close(m);
		return last_error_code();
	}
	struct iface_changes ch = { 0 };
	int rc = EXIT_OK;
	struct edit_txn *t = txn_begin(m);
	int r = k == K_DESCRIBE ? txn_describe(t, a, b, strlen(b), o->function, &ch)
				: txn_rename(t, a, b, o->function, &ch);
	/* a description already so may still be missing from the overlay; a
	 * rename that changed nothing leaves the overlay alone */
	int go = k == K_DESCRIBE ? r >= 0 : r > 0;
	if (go && txn_prepare(t) < 0)
		r = -1, go = 0;
	int overlay = go && txn_overlay_changes(t, OVERLAY_FDESC);
	int held = go && k == K_DESCRIBE ? txn_edit_held(t, 0) : -1;
	if (r < 0) {
		rc = last_error_code();
	} else if (o->dry_run) {
		printf("%s: ", m->path);
		dry_run_said(k, a, b, r, &ch);
		if (overlay)
			printf("  and in %s\n", OVERLAY_FDESC);
	} else if (r > 0 || o->out || overlay) {
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
		else if (overlay)
			overlay_said(m, o->out);
		if (rc == EXIT_OK && held == 0)
			warning("'%s' carries %s without a description of '%s'; Xcode may show the overlay's", m->path,
				OVERLAY_FDESC, a);
	}
	txn_end(t);
	iface_changes_free(&ch);
	mlpkg_close(m);
	return rc;
}

/* mlpkg describe FEATURE TEXT [MODEL...], mlpkg rename OLD NEW [MODEL...] */
static int iface_cmd(enum iface_kind k, int argc, char **argv)
{
	const struct cmd *self = cmd_find(k == K_DESCRIBE ? "describe" : "rename");
	struct edit_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'f': o.function = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	char **av = argv + optind;
	int ac = argc - optind;
	if (ac < 2)
		return cmd_usage(self,
				 k == K_DESCRIBE ? "describe needs FEATURE and TEXT" : "rename needs OLD and NEW");
	if (o.out && ac > 3)
		return cmd_usage(self, "-o takes a single MODEL");
	if (k == K_RENAME && !*av[1])
		return cmd_usage(self, "NEW cannot be empty");
	if (ac == 2)
		return iface_edit_one(k, av[0], av[1], NULL, &o);
	int rc = EXIT_OK;
	for (int i = 2; i < ac; i++)
		rc = worse(rc, iface_edit_one(k, av[0], av[1], av[i], &o));
	return rc;
}

int cmd_describe(int argc, char **argv)
{
	return iface_cmd(K_DESCRIBE, argc, argv);
}

int cmd_rename(int argc, char **argv)
{
	return iface_cmd(K_RENAME, argc, argv);
}

/* ---- labels ------------------------------------------------------------------------ */

static const char *kind_name(enum iface_label_kind k)
{
	return k == LABELS_INT64 ? "int64" : "string";
}

/* kNN: the distinct labels, in order of first appearance */
static void distinct(struct iface_labels *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		int seen = 0;
		for (size_t j = 0; j < k && !seen; j++)
			seen = !strcmp(l->v[j], l->v[i]);
		if (seen)
			free(l->v[i]);
		else
			l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* where a model holds no class labels: those of its preview's params, as
 * labels from "preview.params" (1), else 0; -1 when the metadata does not
 * decode (reported) */
static int preview_labels(struct mlpkg_model *m, struct iface_labels *l)
{
	char *params = NULL;
	size_t pl;
	memset(l, 0, sizeof(*l));
	int g = meta_get(m->root, PREVIEW_PARAMS_KEY, &params, &pl);
	if (g != 1)
		return g < 0 ? -1 : 0;
	int r = meta_params_labels(params, pl, &l->v, &l->n);
	free(params);
	if (r == 1) {
		l->kind = LABELS_STRING;
		l->where = xstrdup("preview.params");
	}
	return r == 1;
}

static int labels_list_one(const char *path, const struct edit_opts *o, int several, struct jw *w)
{
	struct mlpkg_model *m = cmd_open(path, 0);
	if (!m)
		return last_error_code();
	struct iface_labels l;
	int r = iface_labels_get(m->root, &l);
	int rc = EXIT_OK;
	int p = r == 0 ? preview_labels(m, &l) : 0;
	if (r < 0 || p < 0) {
		rc = last_error_code();
	} else if (r == 0 && p == 0) {
		error_code(EXIT_NOTFOUND, "'%s': no class labels (not a classifier)", m->path);
		rc = EXIT_NOTFOUND;
	} else {
		if (r == 0) {
			fflush(stdout);
			fprintf(stderr,
				"mlpkg: note: '%s': no class labels in the model; these are its preview's "
				"(preview.params)\n",
				m->path);
		}
		if (l.per_example)
			distinct(&l);
		if (o->json) {
			jw_obj(w);
			jw_kstr(w, "model", m->path);
			jw_kstr(w, "type", kind_name(l.kind));
			jw_kstr(w, "source", l.where);
			if (l.per_example)
				jw_kbool(w, "perExample", 1);
			jw_kint(w, "count", (int64_t)l.n);
			jw_key(w, "labels");
			jw_arr(w);
			for (size_t i = 0; i < l.n; i++) {
				if (l.kind == LABELS_INT64)
					jw_int(w, strtoll(l.v[i], NULL, 10));
				else
					jw_str(w, l.v[i]);
			}
			jw_arr_end(w);
			jw_obj_end(w);
		} else {
			if (several)
				printf("%s:\n", m->path);
			for (size_t i = 0; i < l.n; i++) {
				if (several)
					fputs("  ", stdout);
				fput_escaped(stdout, l.v[i], strlen(l.v[i]));
				fputc('\n', stdout);
			}
		}
		iface_labels_release(&l);
	}
	mlpkg_close(m);
	return rc;
}

static int labels_set_one(char *const *v, size_t n, const char *path, const struct edit_opts *o)
{
	int flags = CMD_OPEN_EDIT | ((o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE);
	struct mlpkg_model *m = cmd_open(path, flags);
	if (!m)
		return last_error_code();
	if (mt_check(m->root) < 0) {
		mlpkg_close(m);
		return last_error_code();
	}
	struct iface_labels before;
	int rc = EXIT_OK;
	struct edit_txn *t = txn_begin(m);
	int had = iface_labels_get(m->root, &before);
	int r = had < 0 ? -1 : txn_labels_set(t, v, n);
	if (r < 0) {
		rc = last_error_code();
	} else if (o->dry_run) {
		size_t k = 0;
		for (size_t i = 0; i < n && i < before.n; i++)
			k += strcmp(before.v[i], v[i]) != 0;
		printf("%s: ", m->path);
		if (!r)
			printf("the %zu labels are unchanged\n", n);
		else
			printf("would replace %zu of the %zu labels (%s):\n", k, n, before.where);
		for (size_t i = 0; i < n && i < before.n && r; i++) {
			if (!strcmp(before.v[i], v[i]))
				continue;
			printf("  %zu: ", i + 1);
			print_q(before.v[i]);
			printf(" -> ");
			print_q(v[i]);
			fputc('\n', stdout);
		}
	} else if (r > 0 || o->out) {
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
	}
	txn_end(t);
	if (had > 0)
		iface_labels_release(&before);
	mlpkg_close(m);
	return rc;
}

int cmd_labels(int argc, char **argv)
{
	const struct cmd *self = cmd_find("labels");
	struct edit_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'o': o.out = optarg; break;
		case 'n': o.dry_run = 1; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	char **av = argv + optind;
	int ac = argc - optind;
	int set = 0;
	if (ac > 0 && (!strcmp(av[0], "set") || !strcmp(av[0], "list"))) {
		set = !strcmp(av[0], "set");
		av++;
		ac--;
	}
	if (!set) {
		if (o.out || o.dry_run)
			return cmd_usage(self, "-o and --dry-run go with labels set");
		struct jw w;
		jw_init(&w, stdout);
		int several = ac > 1, rc = EXIT_OK;
		/* JSON: {"version": 1, "models": [...]}, for one model as for several */
		if (o.json)
			jw_models_begin(&w);
		if (ac == 0)
			rc = labels_list_one(NULL, &o, 0, &w);
		for (int i = 0; i < ac; i++)
			rc = worse(rc, labels_list_one(av[i], &o, several, &w));
		if (o.json)
			jw_models_end(&w);
		return rc;
	}
	if (o.json)
		return cmd_usage(self, "--json goes with the listing");
	if (ac < 1)
		return cmd_usage(self, "labels set needs FILE (- for standard input)");
	if (o.out && ac > 2)
		return cmd_usage(self, "-o takes a single MODEL");
	char *text;
	size_t len;
	if (cmd_read_input(av[0], &text, &len) < 0)
		return last_error_code();
	char **v;
	size_t n;
	iface_labels_parse(text, len, &v, &n);
	free(text);
	int rc = EXIT_OK;
	if (n == 0)
		rc = cmd_usage(self, "'%s' holds no labels", av[0]);
	else if (ac == 1)
		rc = labels_set_one(v, n, NULL, &o);
	for (int i = 1; i < ac && n; i++)
		rc = worse(rc, labels_set_one(v, n, av[i], &o));
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}
