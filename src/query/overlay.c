/* overlay: keeping Xcode's overlays consistent with edits of the spec. */
#include "query/overlay.h"
#include "base/atomic.h"
#include "base/error.h"
#include "query/inspect.h"
#include "base/jsonedit.h"
#include "query/meta.h"
#include "base/xalloc.h"
#include "model/zipio.h"
#include "spec/fields.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	struct buf b;
	int rc = mlpkg_read_item(m, rel, &b);
	free(rel);
	if (rc < 0)
		return -1;
	*text = xstrndup((const char *)b.p, b.len);
	*len = b.len;
	buf_release(&b);
	return 1;
}

/* names a standard field may have in Metadata.json (Xcode writes the MLModel
 * ...Key ones) */
static const char *const std_names[F_Metadata_license + 1][4] = {
	[F_Metadata_shortDescription] = { "MLModelDescriptionKey", "shortDescription", "description", NULL },
	[F_Metadata_versionString] = { "MLModelVersionStringKey", "versionString", "version", NULL },
	[F_Metadata_author] = { "MLModelAuthorKey", "author", NULL },
	[F_Metadata_license] = { "MLModelLicenseKey", "license", NULL },
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

static int xcode_layout(const struct jdoc *d);

/* Xcode never writes an empty object: in its layout, a key that is the only
 * member of its object is blanked with "--" rather than removed, so that a
 * set and a removal give back the overlay as Xcode wrote it (its "--" for a
 * key without a value) */
static int keep_blank(const struct jdoc *d, size_t k)
{
	for (size_t i = 0; i < d->n; i++)
		if (i != k && d->m[i].obj == d->m[k].obj)
			return 0;
	return xcode_layout(d);
}

/* what an entry still needs to say what e says: 0 nothing, 1 the value set
 * (or "--" written), 2 removed */
static int meta_needs(const struct jdoc *d, size_t k, const struct meta_edit *e)
{
	if (e->val)
		return same_str(&d->m[k], e->val, e->len) ? 0 : 1;
	if (keep_blank(d, k))
		return placeholder(&d->m[k]) ? 0 : 1;
	return 2;
}

/* the first entry for e that does not yet say what e says (-1: none);
 * *held is set when the overlay has an entry for it at all */
static long meta_target(const struct jdoc *d, const struct meta_edit *e, int *held)
{
	if (e->std >= F_Metadata_shortDescription && e->std <= F_Metadata_license) {
		for (int i = 0; std_names[e->std][i]; i++) {
			long k = jdoc_find(d, 0, std_names[e->std][i]);
			if (k < 0)
				continue;
			*held = 1;
			if (meta_needs(d, (size_t)k, e))
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
		if (meta_needs(d, (size_t)k, e))
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
	if (e->std >= F_Metadata_shortDescription && e->std <= F_Metadata_license)
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
	if (k >= 0) {
		if (e->val)
			return jedit_set_string(d, (size_t)k, e->val, e->len);
		return meta_needs(d, (size_t)k, e) == 1 ? jedit_set_string(d, (size_t)k, "--", 2)
							: jedit_remove(d, (size_t)k);
	}
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
	static const char *const short_names[F_Metadata_license + 1] = {
		[F_Metadata_shortDescription] = "description",
		[F_Metadata_versionString] = "version",
		[F_Metadata_author] = "author",
		[F_Metadata_license] = "license",
	};
	for (int f = F_Metadata_shortDescription; all && f <= F_Metadata_license; f++) {
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

/* ---- FeatureDescriptions.json ------------------------------------------------------ */

/* what a feature's entry may call its description (Xcode writes the first) */
static const char *const desc_keys[] = { "MLFeatureShortDescription", "shortDescription", "description",
					 "MLFeatureDescriptionKey", NULL };

/* Applies the first pending splice that pick finds, again and again
 * (jedit_repeat): each is spliced into the text as it stands, never
 * re-printed.  1 when the overlay has an entry for the edit, 0 when not,
 * -1 when it is not JSON. */
typedef long (*pick_fn)(const struct jdoc *d, const char *a, const char *b, int *held, char **next);

struct pick_step {
	pick_fn pick;
	const char *a, *b;
	int held;
};

static char *pick_step(const struct jdoc *d, void *ctx)
{
	struct pick_step *st = ctx;
	char *next = NULL;
	st->pick(d, st->a, st->b, &st->held, &next);
	return next;
}

static int json_edit_loop(const char *text, size_t len, const char *a, const char *b, pick_fn pick, char **out)
{
	*out = NULL;
	if (!jtext_opens(text, len, "{["))
		return -1;
	struct pick_step st = { pick, a, b, 0 };
	char *cur = jedit_repeat(text, len, pick_step, &st, 4096);
	if (!cur)
		return -1;
	if (strlen(cur) != len || memcmp(cur, text, len))
		*out = cur;
	else
		free(cur);
	return st.held;
}

static int str_is(const struct jmember *m, const char *s)
{
	return m->type == JT_STRING && !strcmp(m->str, s);
}

/* rename: a key old in an object without a key new, and a "name" or
 * "featureName" whose value is old */
static long pick_rename(const struct jdoc *d, const char *old, const char *new, int *held, char **next)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct jmember *m = &d->m[i];
		if (!strcmp(m->key, old)) {
			*held = 1;
			if (jdoc_find(d, m->obj, new) < 0) {
				*next = jedit_rename_key(d, i, new);
				return (long)i;
			}
		}
		if ((!strcmp(m->key, "name") || !strcmp(m->key, "featureName")) && str_is(m, old)) {
			*held = 1;
			*next = jedit_set_string(d, i, new, strlen(new));
			return (long)i;
		}
	}
	return -1;
}

int fdesc_json_rename(const char *text, size_t len, const char *old, const char *new, char **out)
{
	return json_edit_loop(text, len, old, new, pick_rename, out);
}

/* the description member of object obj that does not read desc yet (-1:
 * none); *has when it has one at all */
static long desc_member(const struct jdoc *d, int obj, const char *desc, int *has)
{
	for (int k = 0; desc_keys[k]; k++) {
		long i = jdoc_find(d, obj, desc_keys[k]);
		if (i >= 0 && d->m[i].type == JT_STRING) {
			*has = 1;
			return str_is(&d->m[i], desc) ? -1 : i;
		}
	}
	return -1;
}

/* describe: the entry keyed by the feature's name (a string, or an object
 * with a description member), or an object whose "name" is the feature */
static long pick_describe(const struct jdoc *d, const char *feature, const char *desc, int *held, char **next)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct jmember *m = &d->m[i];
		long t = -1;
		if (!strcmp(m->key, feature) && m->type == JT_STRING) {
			*held = 1;
			t = str_is(m, desc) ? -1 : (long)i;
		} else if (!strcmp(m->key, feature) && m->child >= 0) {
			t = desc_member(d, m->child, desc, held);
		} else if (!strcmp(m->key, "name") && str_is(m, feature)) {
			t = desc_member(d, m->obj, desc, held);
		}
		if (t >= 0) {
			*next = jedit_set_string(d, (size_t)t, desc, strlen(desc));
			return t;
		}
	}
	return -1;
}

int fdesc_json_describe(const char *text, size_t len, const char *feature, const char *desc, const char *group,
			char **out)
{
	int held = json_edit_loop(text, len, feature, desc, pick_describe, out);
	if (held != 0 || !group)
		return held;
	/* Xcode's layout: Inputs / Outputs / ... of {MLFeatureShortDescription} */
	struct jdoc d;
	if (jdoc_scan(text, len, &d) < 0)
		return -1;
	long c = jdoc_find(&d, 0, group);
	if (c >= 0 && d.m[c].child >= 0) {
		*out = jedit_add(&d, d.m[c].child, feature, desc_keys[0], desc, strlen(desc));
		held = *out != NULL;
	}
	jdoc_free(&d);
	return held;
}
