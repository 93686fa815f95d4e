/* txn: the edit transaction (see txn.h): the edits checked and applied to
 * the tree as they come, the overlays' new text worked out from the list
 * of edits, and one save of the spec with every overlay that changed. */
#include "edit/txn.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "edit/labels.h"
#include "edit/meta-edit.h"
#include "query/inspect.h"
#include "query/meta.h"
#include "query/overlay.h"
#include <stdlib.h>
#include <string.h>

enum edit_kind { E_META, E_DESCRIBE, E_RENAME, E_LABELS };

/* one edit as the overlays need it */
struct txn_edit {
	enum edit_kind kind;
	char *key; /* metadata key as given; describe: feature; rename: old */
	char *val; /* metadata value (NULL: removed); describe: text; rename: new */
	size_t len;
	char *old; /* metadata: the value before (NULL: absent) */
	size_t oldlen;
	const char *group; /* describe: where Xcode's layout keeps the feature (may add), or NULL */
	int changed;       /* the edit changed the spec */
	int held;          /* after prepare: see txn_edit_held */
};

/* an overlay: read once at prepare, edited in order */
struct txn_overlay {
	const char *name;
	int state;  /* 0 not read, 1 read (text), 2 none or left alone, 3 not JSON (warned) */
	char *text; /* the current text */
	size_t len;
	int changed;
};

struct edit_txn {
	struct mlpkg_model *m;
	const char *label;
	struct txn_edit *e;
	size_t n, cap;
	int failed; /* the exit class of a refused edit, 0 when none */
	int force;  /* txn_set_force */
	int spec_changed;
	int prepared; /* the overlays are worked out for e[0..prepared) */
	struct txn_overlay ov[2];
};

struct edit_txn *txn_begin(struct mlpkg_model *m)
{
	struct edit_txn *t = xcalloc(1, sizeof(*t));
	t->m = m;
	t->label = m->path;
	t->ov[0].name = OVERLAY_META;
	t->ov[1].name = OVERLAY_FDESC;
	return t;
}

void txn_set_label(struct edit_txn *t, const char *label)
{
	t->label = label;
}

void txn_set_force(struct edit_txn *t, int force)
{
	t->force = force;
}

void txn_end(struct edit_txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].val);
		free(t->e[i].old);
	}
	free(t->e);
	for (size_t i = 0; i < 2; i++)
		free(t->ov[i].text);
	free(t);
}

/* runs one edit in a scope that watches its errors: the first refused edit
 * keeps its exit class for txn_prepare and txn_commit to return */
#define WATCHED(t, call)                                                                                               \
	do {                                                                                                           \
		if ((t)->failed)                                                                                       \
			return -1;                                                                                     \
		struct error_capture w_;                                                                               \
		error_capture_begin(&w_, ERRCAP_WATCH);                                                                \
		int r_ = (call);                                                                                       \
		int code_ = error_capture_end(&w_);                                                                    \
		if (r_ < 0 && !(t)->failed)                                                                            \
			(t)->failed = code_ != EXIT_OK ? code_ : EXIT_FAIL;                                            \
		return r_;                                                                                             \
	} while (0)

static struct txn_edit *add(struct edit_txn *t, enum edit_kind kind, const char *key, const char *val, size_t len,
			    int changed)
{
	xgrow((void **)&t->e, &t->cap, t->n + 1, sizeof(*t->e));
	struct txn_edit *e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->key = key ? xstrdup(key) : NULL;
	e->val = val ? xstrndup(val, len) : NULL;
	e->len = len;
	e->changed = changed;
	e->held = -1;
	if (changed)
		t->spec_changed = 1;
	return e;
}

/* ---- the edits ------------------------------------------------------------ */

static int do_meta_set(struct edit_txn *t, const char *key, const char *val, size_t len)
{
	int std;
	const char *k = meta_canonical(key, &std);
	char *ptype = NULL;
	size_t pl;
	if (!strcmp(k, PREVIEW_PARAMS_KEY) && !t->force && meta_get(t->m->root, PREVIEW_TYPE_KEY, &ptype, &pl) < 0)
		return -1;
	int ok = meta_check(t->label, key, val, len, ptype);
	free(ptype);
	if (ok < 0)
		return -1;
	char *old = NULL;
	size_t oldlen = 0;
	int r = meta_get(t->m->root, key, &old, &oldlen);
	if (r >= 0)
		r = meta_set(t->m->root, key, val, len);
	if (r < 0) {
		free(old);
		return -1;
	}
	struct txn_edit *e = add(t, E_META, key, val, len, r == 1);
	e->old = old;
	e->oldlen = oldlen;
	return r;
}

int txn_meta_set(struct edit_txn *t, const char *key, const char *val, size_t len)
{
	WATCHED(t, do_meta_set(t, key, val, len));
}

static int do_meta_rm(struct edit_txn *t, const char *key)
{
	char *old = NULL;
	size_t oldlen = 0;
	int r = meta_get(t->m->root, key, &old, &oldlen);
	if (r >= 0)
		r = meta_rm(t->m->root, key);
	if (r < 0) {
		free(old);
		return -1;
	}
	struct txn_edit *e = add(t, E_META, key, NULL, 0, r == 1);
	e->old = old;
	e->oldlen = oldlen;
	return r;
}

int txn_meta_rm(struct edit_txn *t, const char *key)
{
	WATCHED(t, do_meta_rm(t, key));
}

/* where Xcode's FeatureDescriptions.json keeps the feature: Inputs,
 * Outputs, TrainingInputs or States of the model's own description */
static const char *fdesc_group(struct mlpkg_model *m, const char *feature)
{
	struct model_io io;
	const char *g = NULL;
	if (io_read(m->root, &io) == 0 && io.n) {
		const struct io_list *l[4] = { &io.g[0].in, &io.g[0].out, &io.g[0].training, &io.g[0].state };
		static const char *const names[4] = { "Inputs", "Outputs", "TrainingInputs", "States" };
		for (int k = 0; k < 4 && !g; k++)
			for (size_t i = 0; i < l[k]->n && !g; i++)
				if (!strcmp(l[k]->v[i].name, feature))
					g = names[k];
	}
	io_release(&io);
	return g;
}

static int do_describe(struct edit_txn *t, const char *feature, const char *text, size_t len, const char *function,
		       struct iface_changes *ch)
{
	int r = iface_describe(t->m->root, feature, text, len, function, ch);
	if (r < 0)
		return -1;
	struct txn_edit *e = add(t, E_DESCRIBE, feature, text, len, r > 0);
	/* an entry is added to Xcode's layout only for the model's own
	 * description (not one function's) */
	e->group = function ? NULL : fdesc_group(t->m, feature);
	return r;
}

int txn_describe(struct edit_txn *t, const char *feature, const char *text, size_t len, const char *function,
		 struct iface_changes *ch)
{
	WATCHED(t, do_describe(t, feature, text, len, function, ch));
}

static int do_rename(struct edit_txn *t, const char *old, const char *new, const char *function,
		     struct iface_changes *ch)
{
	int r = iface_rename(t->m->root, old, new, function, ch);
	if (r < 0)
		return -1;
	/* the overlay follows a rename that changed the spec */
	if (r > 0)
		add(t, E_RENAME, old, new, strlen(new), 1);
	return r;
}

int txn_rename(struct edit_txn *t, const char *old, const char *new, const char *function, struct iface_changes *ch)
{
	WATCHED(t, do_rename(t, old, new, function, ch));
}

static int do_labels_set(struct edit_txn *t, char *const *v, size_t n)
{
	int r = iface_labels_set(t->m->root, v, n);
	if (r < 0)
		return -1;
	add(t, E_LABELS, NULL, NULL, 0, r > 0);
	return r;
}

int txn_labels_set(struct edit_txn *t, char *const *v, size_t n)
{
	WATCHED(t, do_labels_set(t, v, n));
}

/* ---- the overlays --------------------------------------------------------- */

/* the overlay an edit concerns, read when first needed: NULL when there is
 * none to edit (none, left alone, not JSON) */
static struct txn_overlay *overlay_for(struct edit_txn *t, enum edit_kind kind, int *err)
{
	*err = 0;
	struct txn_overlay *o = kind == E_META ? &t->ov[0] : kind == E_LABELS ? NULL : &t->ov[1];
	if (!o)
		return NULL;
	if (o->state == 0) {
		int r = overlay_read(t->m, o->name, &o->text, &o->len);
		if (r < 0) {
			*err = 1;
			return NULL;
		}
		o->state = r == 1 ? 1 : 2;
	}
	return o->state == 1 ? o : NULL;
}

/* the overlay o is not JSON: said once, left as it is */
static void not_json(struct edit_txn *t, struct txn_overlay *o)
{
	char *rel = overlay_rel(t->m, o->name);
	if (o == &t->ov[0])
		warning("'%s': the overlay %s is not a JSON object; left as it was", t->m->path, rel);
	else
		warning("'%s': %s is not JSON; left as it was", t->m->path, rel);
	free(rel);
	free(o->text);
	o->text = NULL;
	o->changed = 0;
	o->state = 3;
}

/* edit e applied to its overlay's text */
static int overlay_apply(struct edit_txn *t, struct txn_edit *e)
{
	int err;
	struct txn_overlay *o = overlay_for(t, e->kind, &err);
	if (err)
		return -1;
	if (!o)
		return 0;
	char *out = NULL;
	int r;
	if (e->kind == E_META) {
		struct meta_edit me;
		me.key = meta_canonical(e->key, &me.std);
		me.val = e->val;
		me.len = e->len;
		r = overlay_meta_json(o->text, o->len, &me, 1, &out);
	} else if (e->kind == E_DESCRIBE) {
		r = fdesc_json_describe(o->text, o->len, e->key, e->val, e->group, &out);
	} else {
		r = fdesc_json_rename(o->text, o->len, e->key, e->val, &out);
	}
	if (r < 0) {
		not_json(t, o);
		return 0;
	}
	e->held = r > 0;
	if (out) {
		free(o->text);
		o->text = out;
		o->len = strlen(out);
		o->changed = 1;
	}
	return 0;
}

int txn_prepare(struct edit_txn *t)
{
	if (t->failed)
		return error_code_silent(t->failed);
	for (; (size_t)t->prepared < t->n; t->prepared++) {
		struct error_capture w;
		error_capture_begin(&w, ERRCAP_WATCH);
		int r = overlay_apply(t, &t->e[t->prepared]);
		int code = error_capture_end(&w);
		if (r < 0) {
			t->failed = code != EXIT_OK ? code : EXIT_FAIL;
			return -1;
		}
	}
	return 0;
}

int txn_overlay_changes(struct edit_txn *t, const char *name)
{
	for (size_t i = 0; i < 2; i++)
		if (!strcmp(t->ov[i].name, name))
			return t->ov[i].changed;
	return 0;
}

int txn_edit_held(struct edit_txn *t, size_t i)
{
	return i < t->n ? t->e[i].held : -1;
}

int txn_edit_old(struct edit_txn *t, size_t i, const char **old, size_t *len)
{
	if (i >= t->n || !t->e[i].old)
		return 0;
	*old = t->e[i].old;
	*len = t->e[i].oldlen;
	return 1;
}

int txn_spec_changed(struct edit_txn *t)
{
	return t->spec_changed;
}

/* ---- the save ------------------------------------------------------------- */

int txn_commit(struct edit_txn *t, const char *out, int flags)
{
	if (txn_prepare(t) < 0)
		return -1;
	if (flags & TXN_DRY_RUN)
		return 0;
	int force = (flags & TXN_FORCE) != 0;
	struct mlpkg_file files[2];
	char *rels[2] = { NULL, NULL };
	size_t nf = 0;
	for (size_t i = 0; i < 2; i++)
		if (t->ov[i].changed) {
			rels[nf] = overlay_rel(t->m, t->ov[i].name);
			files[nf].rel = rels[nf];
			files[nf].data = t->ov[i].text;
			files[nf].len = t->ov[i].len;
			nf++;
		}
	if (!t->spec_changed && !force && !out && !nf)
		return 0;
	int rc = mlpkg_save_with(t->m, out, files, nf, t->spec_changed || force);
	for (size_t i = 0; i < nf; i++)
		free(rels[i]);
	return rc < 0 ? -1 : 1;
}
