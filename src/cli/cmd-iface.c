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

/* ---- describe ------------------------------------------------------------------ */

static int describe_one(const char *feature, const char *text, const char *path, const struct edit_opts *o)
{
	int flags = (o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE;
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
	int r = txn_describe(t, feature, text, strlen(text), o->function, &ch);
	if (r >= 0 && txn_prepare(t) < 0)
		r = -1;
	int overlay = r >= 0 && txn_overlay_changes(t, OVERLAY_FDESC), held = r >= 0 ? txn_edit_held(t, 0) : -1;
	if (r < 0) {
		rc = last_error_code();
	} else if (o->dry_run) {
		printf("%s: ", m->path);
		if (r == 0) {
			printf("the description of ");
			print_q(feature);
			printf(" already reads so\n");
		} else {
			printf("would set the description of ");
			print_q(feature);
			printf(" in:\n");
			print_changes(&ch);
		}
		if (overlay)
			printf("  and in %s\n", OVERLAY_FDESC);
	} else if (r > 0 || o->out || overlay) {
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
		else if (overlay)
			overlay_said(m, o->out);
		if (rc == EXIT_OK && held == 0)
			warning("'%s' carries %s without a description of '%s'; Xcode may show the overlay's", m->path,
				OVERLAY_FDESC, feature);
	}
	txn_end(t);
	iface_changes_free(&ch);
	mlpkg_close(m);
	return rc;
}

int cmd_describe(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "function", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *self = cmd_find("describe");
	struct edit_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:n", lo)) != -1) {
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
		return cmd_usage(self, "describe needs FEATURE and TEXT");
	if (o.out && ac > 3)
		return cmd_usage(self, "-o takes a single MODEL");
	if (ac == 2)
		return describe_one(av[0], av[1], NULL, &o);
	int rc = EXIT_OK;
	for (int i = 2; i < ac; i++)
		rc = worse(rc, describe_one(av[0], av[1], av[i], &o));
	return rc;
}

/* ---- rename ---------------------------------------------------------------------- */

static int rename_one(const char *old, const char *new, const char *path, const struct edit_opts *o)
{
	int flags = (o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE;
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
	int r = txn_rename(t, old, new, o->function, &ch);
	if (r > 0 && txn_prepare(t) < 0)
		r = -1;
	int overlay = r > 0 && txn_overlay_changes(t, OVERLAY_FDESC);
	if (r < 0) {
		rc = last_error_code();
	} else if (o->dry_run) {
		printf("%s: ", m->path);
		if (r == 0) {
			print_q(old);
			printf(" unchanged\n");
		} else {
			printf("would rename ");
			print_q(old);
			printf(" to ");
			print_q(new);
			printf(" in %d place%s:\n", r, r == 1 ? "" : "s");
			print_changes(&ch);
		}
		if (overlay)
			printf("  and in %s\n", OVERLAY_FDESC);
	} else if (r > 0 || o->out) {
		if (txn_commit(t, o->out, 0) < 0)
			rc = last_error_code();
		else if (overlay)
			overlay_said(m, o->out);
	}
	txn_end(t);
	iface_changes_free(&ch);
	mlpkg_close(m);
	return rc;
}

int cmd_rename(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "function", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *self = cmd_find("rename");
	struct edit_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:n", lo)) != -1) {
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
		return cmd_usage(self, "rename needs OLD and NEW");
	if (o.out && ac > 3)
		return cmd_usage(self, "-o takes a single MODEL");
	if (!*av[1])
		return cmd_usage(self, "NEW cannot be empty");
	if (ac == 2)
		return rename_one(av[0], av[1], NULL, &o);
	int rc = EXIT_OK;
	for (int i = 2; i < ac; i++)
		rc = worse(rc, rename_one(av[0], av[1], av[i], &o));
	return rc;
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
 * labels from "preview.params" (1), else 0 */
static int preview_labels(struct mlpkg_model *m, struct iface_labels *l)
{
	char *params = NULL;
	size_t pl;
	memset(l, 0, sizeof(*l));
	if (meta_get(m->root, PREVIEW_PARAMS_KEY, &params, &pl) != 1)
		return 0;
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
	if (r < 0) {
		rc = last_error_code();
	} else if (r == 0 && preview_labels(m, &l) == 0) {
		error_code(EXIT_NOTFOUND, "'%s': no class labels (not a classifier)", m->path);
		rc = EXIT_NOTFOUND;
	} else {
		if (r == 0) {
			fflush(stdout);
			fprintf(stderr, "mlpkg: note: '%s': no class labels in the model; these are its preview's (preview.params)\n",
				m->path);
		}
		if (l.per_example)
			distinct(&l);
		if (o->json) {
			jw_obj(w);
			if (several)
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

static int read_all(const char *file, char **buf, size_t *len)
{
	int fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return error_code(errno == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL, "'%s': cannot read: %s", file,
				  strerror(errno));
	struct strbuf sb = STRBUF_INIT;
	char tmp[65536];
	ssize_t r;
	while ((r = read(fd, tmp, sizeof(tmp))) > 0)
		sb_add(&sb, tmp, (size_t)r);
	int e = errno;
	if (fd)
		close(fd);
	if (r < 0) {
		sb_release(&sb);
		return error_code(EXIT_FAIL, "'%s': cannot read: %s", file, strerror(e));
	}
	*buf = sb_detach(&sb, len);
	return 0;
}

static int labels_set_one(char *const *v, size_t n, const char *path, const struct edit_opts *o)
{
	int flags = (o->dry_run || o->out) ? 0 : MLPKG_OPEN_WRITE;
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
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *self = cmd_find("labels");
	struct edit_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, "o:n", lo)) != -1) {
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
		if (o.json && several)
			jw_arr(&w);
		if (ac == 0)
			rc = labels_list_one(NULL, &o, 0, &w);
		for (int i = 0; i < ac; i++)
			rc = worse(rc, labels_list_one(av[i], &o, several, &w));
		if (o.json && several)
			jw_arr_end(&w);
		if (o.json && (several || rc == EXIT_OK))
			jw_end(&w);
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
	if (read_all(av[0], &text, &len) < 0)
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
