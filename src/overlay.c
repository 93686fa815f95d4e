/* overlay: keeping Xcode's overlays consistent with edits of the spec. */
#include "overlay.h"
#include "atomic.h"
#include "error.h"
#include "iface.h"
#include "inspect.h"
#include "jsonedit.h"
#include "meta.h"
#include "xalloc.h"
#include "zipio.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

char *overlay_rel(struct mlpkg_model *m, const char *name)
{
	/* where Manifest.json lists it (Xcode adds an item for each overlay),
	 * else beside the root spec */
	size_t nl = strlen(name);
	for (size_t i = 0; m->man && i < m->man->n; i++) {
		const char *p = m->man->items[i].path;
		size_t pl = p ? strlen(p) : 0;
		if (pl >= nl && !strcmp(p + pl - nl, name) && (pl == nl || p[pl - nl - 1] == '/'))
			return xasprintf("Data/%s", p);
	}
	char *dir = mlpkg_model_dir(m);
	char *rel = xasprintf("%s/%s", dir ? dir : "Data/com.apple.CoreML", name);
	free(dir);
	if (!mlpkg_has_file(m, rel)) {
		/* or where Xcode puts it whatever the spec's folder */
		char *std = xasprintf("Data/com.apple.CoreML/%s", name);
		if (strcmp(std, rel) && mlpkg_has_file(m, std)) {
			free(rel);
			return std;
		}
		free(std);
	}
	return rel;
}

static int read_overlay(struct mlpkg_model *m, const char *name, char **text, size_t *len, int editing);

int overlay_read(struct mlpkg_model *m, const char *name, char **text, size_t *len)
{
	return read_overlay(m, name, text, len, 1);
}

/* editing: an overlay that is a link, or leads outside, is said to be left
 * as it was; reading, it is passed over without a word */
static int read_overlay(struct mlpkg_model *m, const char *name, char **text, size_t *len, int editing)
{
	*text = NULL;
	*len = 0;
	if (m->fmt != FMT_PACKAGE && m->fmt != FMT_ZIP)
		return 0;
	char *rel = overlay_rel(m, name);
	if (!mlpkg_has_file(m, rel)) {
		free(rel);
		return 0;
	}
	if (m->fmt == FMT_PACKAGE) {
		/* never read or replace an overlay that is a link or leads outside
		 * the package (through a linked folder): that would read, or
		 * write, a file that is not the package's */
		char *path = xasprintf("%s/%s", m->pkg_dir, rel);
		char *rp_pkg = realpath(m->pkg_dir, NULL), *rp = realpath(path, NULL);
		struct stat lst;
		int link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
		int inside = rp_pkg && rp && !strncmp(rp, rp_pkg, strlen(rp_pkg)) && rp[strlen(rp_pkg)] == '/';
		free(rp_pkg);
		free(rp);
		free(path);
		if (link || !inside) {
			if (editing)
				warning("'%s': the overlay %s %s: left as it was", m->path, rel,
					link ? "is a symbolic link" : "leads outside the package");
			free(rel);
			return 2;
		}
	}
	uint8_t *buf;
	size_t n;
	int mapped;
	int rc = mlpkg_read_item(m, rel, &buf, &n, &mapped);
	free(rel);
	if (rc < 0)
		return -1;
	*text = xstrndup((const char *)buf, n);
	*len = n;
	if (mapped)
		munmap(buf, n);
	else
		free(buf);
	return 1;
}

/* names a standard field may have in Metadata.json (Xcode writes the MLModel
 * ...Key ones) */
static const char *const std_names[5][4] = {
	{ NULL },
	{ "MLModelDescriptionKey", "shortDescription", "description", NULL },
	{ "MLModelVersionStringKey", "versionString", "version", NULL },
	{ "MLModelAuthorKey", "author", NULL },
	{ "MLModelLicenseKey", "license", NULL },
};
static const char *const user_containers[] = { "MLModelCreatorDefinedKey", "userDefined", "creatorDefined", NULL };

/* an empty value, or the "--" Xcode writes for one */
static int placeholder(const struct jmember *m)
{
	return m->type == JT_STRING && (!*m->str || !strcmp(m->str, "--"));
}

static int same_str(const struct jmember *m, const char *val, size_t len)
{
	return m->type == JT_STRING && strlen(m->str) == len && !memcmp(m->str, val, len);
}

/* the first entry for e that does not yet say what e says (-1: none);
 * *held is set when the overlay has an entry for it at all */
static long meta_target(const struct jdoc *d, const struct meta_edit *e, int *held)
{
	if (e->std > 0 && e->std < 5) {
		for (int i = 0; std_names[e->std][i]; i++) {
			long k = jdoc_find(d, 0, std_names[e->std][i]);
			if (k < 0)
				continue;
			*held = 1;
			if (!e->val || !same_str(&d->m[k], e->val, e->len))
				return k;
		}
		return -1;
	}
	for (int i = 0; user_containers[i]; i++) {
		long c = jdoc_find(d, 0, user_containers[i]);
		if (c < 0 || d->m[c].child < 0)
			continue;
		long k = jdoc_find(d, d->m[c].child, e->key);
		if (k < 0)
			continue;
		*held = 1;
		if (!e->val || !same_str(&d->m[k], e->val, e->len))
			return k;
	}
	return -1;
}

/* Xcode's layout: the standard fields as MLModel...Key members */
static int xcode_layout(const struct jdoc *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->m[i].obj == 0 && !strncmp(d->m[i].key, "MLModel", 7))
			return 1;
	return 0;
}

/* the text with e's key added in Xcode's place for it, or NULL */
static char *meta_add(const struct jdoc *d, const struct meta_edit *e)
{
	if (!e->val || !xcode_layout(d))
		return NULL;
	if (e->std > 0 && e->std < 5)
		return jedit_add(d, 0, std_names[e->std][0], NULL, e->val, e->len);
	long c = jdoc_find(d, 0, user_containers[0]);
	if (c < 0)
		return jedit_add(d, 0, user_containers[0], e->key, e->val, e->len);
	return d->m[c].child >= 0 ? jedit_add(d, d->m[c].child, e->key, NULL, e->val, e->len) : NULL;
}

struct meta_step {
	const struct meta_edit *e;
	int held;
};

/* one more splice for an edit: its entry set or removed, or added */
static char *meta_step(const struct jdoc *d, void *ctx)
{
	struct meta_step *st = ctx;
	const struct meta_edit *e = st->e;
	long k = meta_target(d, e, &st->held);
	if (k >= 0)
		return e->val ? jedit_set_string(d, (size_t)k, e->val, e->len) : jedit_remove(d, (size_t)k);
	char *nt = st->held ? NULL : meta_add(d, e);
	if (nt)
		st->held = 1;
	return nt;
}

int overlay_meta_json(const char *text, size_t len, const struct meta_edit *e, size_t n, char **out)
{
	*out = NULL;
	if (!jtext_opens(text, len, "{"))
		return -1;
	char *cur = xstrndup(text, len);
	int held_count = 0;
	for (size_t i = 0; i < n; i++) {
		struct meta_step st = { &e[i], 0 };
		char *next = jedit_repeat(cur, strlen(cur), meta_step, &st, 16);
		free(cur);
		if (!next)
			return -1;
		cur = next;
		held_count += st.held;
	}
	if (strlen(cur) != len || memcmp(cur, text, len))
		*out = cur;
	else
		free(cur);
	return held_count;
}

int overlay_meta_differs(const char *text, size_t len, const struct meta_edit *e, size_t n, int all, char **which)
{
	*which = NULL;
	struct jdoc d;
	if (!jtext_opens(text, len, "{") || jdoc_scan(text, len, &d) < 0)
		return -1;
	struct strbuf sb = STRBUF_INIT;
	int k = 0;
	for (size_t i = 0; i < n; i++) {
		int held = 0;
		if (e[i].val && meta_target(&d, &e[i], &held) >= 0) {
			sb_addf(&sb, "%s%s", k ? ", " : "", e[i].key);
			k++;
		}
	}
	/* what the overlay holds and the spec does not: a difference unless it
	 * is empty or Xcode's "--" placeholder */
	static const char *const short_names[5] = { NULL, "description", "version", "author", "license" };
	for (int f = 1; all && f < 5; f++) {
		int in_spec = 0;
		for (size_t i = 0; i < n; i++)
			in_spec |= e[i].std == f;
		for (int j = 0; !in_spec && std_names[f][j]; j++) {
			long m = jdoc_find(&d, 0, std_names[f][j]);
			if (m >= 0 && !placeholder(&d.m[m])) {
				sb_addf(&sb, "%s%s", k ? ", " : "", short_names[f]);
				k++;
				break;
			}
		}
	}
	for (int c = 0; all && user_containers[c]; c++) {
		long ci = jdoc_find(&d, 0, user_containers[c]);
		if (ci < 0 || d.m[ci].child < 0)
			continue;
		for (size_t q = 0; q < d.n; q++) {
			if (d.m[q].obj != d.m[ci].child || placeholder(&d.m[q]))
				continue;
			int in_spec = 0;
			for (size_t i = 0; i < n && !in_spec; i++)
				in_spec = !e[i].std && !strcmp(e[i].key, d.m[q].key);
			if (!in_spec) {
				sb_addf(&sb, "%s%s", k ? ", " : "", d.m[q].key);
				k++;
			}
		}
	}
	jdoc_free(&d);
	if (k)
		*which = sb_detach(&sb, NULL);
	else
		sb_release(&sb);
	return k;
}

int overlay_meta_compare(struct mlpkg_model *m, const struct meta_entry *e, size_t n, int all, char **which)
{
	*which = NULL;
	char *text;
	size_t len;
	if (read_overlay(m, OVERLAY_META, &text, &len, 0) != 1)
		return -1;
	struct meta_edit *me = xcalloc(n ? n : 1, sizeof(*me));
	for (size_t i = 0; i < n; i++) {
		me[i].key = meta_canonical(e[i].key, &me[i].std);
		me[i].val = e[i].value;
		me[i].len = e[i].len;
	}
	int k = overlay_meta_differs(text, len, me, n, all, which);
	free(me);
	free(text);
	return k;
}

int overlay_fdesc_compare(struct mlpkg_model *m, char **which)
{
	*which = NULL;
	char *text;
	size_t len;
	if (read_overlay(m, OVERLAY_FDESC, &text, &len, 0) != 1)
		return -1;
	struct model_io io;
	int k = 0;
	struct strbuf sb = STRBUF_INIT;
	if (io_read(m->root, &io) == 0 && io.n) {
		const struct io_list *l[4] = { &io.g[0].in, &io.g[0].out, &io.g[0].training, &io.g[0].state };
		for (int g = 0; g < 4 && k >= 0; g++)
			for (size_t i = 0; i < l[g]->n && k >= 0; i++) {
				const struct feature *f = &l[g]->v[i];
				char *out = NULL, *out2 = NULL;
				const char *desc = f->desc ? f->desc : "";
				int r = fdesc_json_describe(text, len, f->name, desc, NULL, &out);
				/* no description, and Xcode's "--" for it: in step */
				if (r == 1 && out && !*desc)
					fdesc_json_describe(text, len, f->name, "--", NULL, &out2);
				if (r < 0)
					k = -1;
				else if (r == 1 && out && (*desc || out2))
					sb_addf(&sb, "%s%s", k++ ? ", " : "", f->name);
				free(out);
				free(out2);
			}
	}
	io_release(&io);
	free(text);
	if (k > 0)
		*which = sb_detach(&sb, NULL);
	else
		sb_release(&sb);
	return k;
}

static int write_file_atomic(const char *path, const char *text)
{
	struct atomic_file af;
	if (atomic_begin(&af, path, 0) < 0)
		return -1;
	if (atomic_write(&af, text, strlen(text)) < 0) {
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af);
}

int overlay_save(struct mlpkg_model *m, const char *out, const char *name, const char *text, int spec_changed)
{
	if (out && m->fmt != FMT_STDIN && mlpkg_same_file(out, m->path))
		out = NULL;
	char *rel = text ? overlay_rel(m, name) : NULL;
	int rc = 0;
	if (text && m->fmt == FMT_ZIP && !out) {
		/* staged in the archive: the spec and the overlay land in one commit */
		char *entry = xasprintf("%s%s", m->zip_prefix, rel);
		long i = zipio_find(m->zip, entry);
		free(entry);
		if (i >= 0 && zipio_replace(m->zip, i, text, strlen(text)) < 0)
			rc = -1;
		text = NULL;
	}
	/* a package edited in place: the overlay's new file is written before
	 * the spec is touched, so a folder that refuses it fails the edit with
	 * both files as they were; only the two renames follow each other */
	struct atomic_file oaf;
	int staged_ov = 0;
	if (rc == 0 && text && m->fmt == FMT_PACKAGE && !out) {
		char *path = xasprintf("%s/%s", m->pkg_dir, rel);
		rc = atomic_begin(&oaf, path, 0);
		free(path);
		if (rc == 0 && atomic_write(&oaf, text, strlen(text)) < 0) {
			atomic_abort(&oaf);
			rc = -1;
		}
		staged_ov = rc == 0;
		text = NULL;
	}
	if (rc == 0 && (spec_changed || out || m->fmt != FMT_PACKAGE))
		rc = mlpkg_save(m, out);
	if (staged_ov) {
		if (rc == 0)
			rc = atomic_commit(&oaf) < 0 ? -1 : 0;
		else
			atomic_abort(&oaf);
	}
	if (rc == 0 && text) {
		if (m->fmt == FMT_PACKAGE) {
			char *path = xasprintf("%s/%s", out, rel);
			rc = write_file_atomic(path, text);
			free(path);
		} else if (m->fmt == FMT_ZIP) {
			struct zipio *z = zipio_open(out, 1);
			char *entry = xasprintf("%s%s", m->zip_prefix, rel);
			long i = z ? zipio_find(z, entry) : -1;
			free(entry);
			if (!z)
				rc = -1;
			else if (i >= 0 && (zipio_replace(z, i, text, strlen(text)) < 0 || zipio_commit(z) < 0))
				rc = -1;
			zipio_close(z);
		}
	}
	free(rel);
	return rc < 0 ? -1 : 0;
}
