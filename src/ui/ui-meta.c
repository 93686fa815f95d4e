/* ui-meta: the metadata view, a form like Xcode's General tab: the four
 * standard fields (empty ones too), the user's keys, the preview (type,
 * params, its labels counted, whether it fits the model) and the class
 * labels, each edited in place (a add, e change, E in $EDITOR, d delete,
 * p preview type; e on a class label changes that one); values are
 * checked as `mlpkg meta set` and `mlpkg labels set` check them and saved
 * with w. */
#include "ui/browse.h"
#include "analyze/preview.h"
#include "query/meta.h"
#include "edit/labels.h"
#include "base/jsonedit.h"
#include "base/error.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a row's payload: a metadata key and its value, or a class label */
struct mp {
	char *key, *value; /* key NULL: not a metadata row */
	size_t len;
	int label;  /* a class label: its index in li */
	int plabel; /* a label of preview.params: its index in li */
	size_t li;
};

static void mp_free(void *p)
{
	struct mp *x = p;
	free(x->key);
	free(x->value);
	free(x);
}

static void detail(struct view *v, struct unode *u, struct strlist *out)
{
	(void)v;
	struct mp *x = u->p;
	if (!x)
		return;
	if (x->label) {
		sl_pushf(out, "class label %zu: e changes it (the others and their count stay)", x->li);
	} else if (x->plabel) {
		sl_pushf(out, "preview label %zu: e changes it in preview.params (the others stay)", x->li);
	} else if (x->key) {
		int std;
		const char *k = meta_canonical(x->key, &std);
		sl_pushf(out, "key: %s%s", k, std ? " (standard field)" : " (userDefined)");
	}
	if (!x->value) {
		if (x->key)
			sl_pushf(out, "(not set: e sets it)");
		return;
	}
	/* the value, a line at a time (long lines cut in 76-byte pieces) */
	const char *p = x->value, *end = x->value + x->len;
	while (p < end && out->n < 200) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t cut = l > 76 ? 76 : l;
		while (cut < l && cut > 1 && ((unsigned char)p[cut] & 0xc0) == 0x80)
			cut--;
		sl_push(out, xstrndup(p, cut));
		p += cut;
		if (cut == l && nl)
			p++;
	}
}

#define KEY_W 14

/* a section's header, open */
static struct unode *section(struct view *v, const char *title)
{
	struct unode *h = un_add(v->root, "%s", title);
	h->attr = UA_HEAD;
	h->open = 1;
	return h;
}

/* a row of key (shown as label) and value (NULL: not set, said dimmed) */
static struct unode *meta_row(struct unode *parent, const char *label, const char *key, const char *val, size_t len,
			      const char *unset)
{
	struct unode *c;
	if (val)
		c = un_add(parent, "%-*s %.*s", KEY_W, label, (int)(len > 300 ? 300 : len), val);
	else
		c = un_add(parent, "%-*s %s", KEY_W, label, unset);
	struct mp *x = xcalloc(1, sizeof(*x));
	x->key = key ? xstrdup(key) : NULL;
	x->value = val ? xstrndup(val, len) : NULL;
	x->len = val ? len : 0;
	c->p = x;
	c->free_p = mp_free;
	c->name = xstrdup(key ? key : label);
	c->detail = detail;
	if (!val)
		c->attr = UA_DIM;
	if (key) {
		int std;
		const char *k = meta_canonical(key, &std);
		c->path = std ? xasprintf("description.metadata.%s", k)
			      : xasprintf("description.metadata.userDefined[\"%s\"]", k);
	}
	return c;
}

static const struct meta_entry *find_entry(const struct meta_entry *e, size_t n, const char *canon)
{
	for (size_t i = 0; i < n; i++) {
		int std;
		if (!strcmp(meta_canonical(e[i].key, &std), canon))
			return &e[i];
	}
	return NULL;
}

static int meta_init(struct view *v)
{
	struct mt_node *root = ui_model(v)->root;
	struct meta_entry *e;
	size_t n;
	if (meta_list(root, &e, &n) < 0)
		return -1;
	/* General: the four standard fields, set or not; the cursor starts
	 * on the first (after an edit, it stays where it was) */
	struct unode *h = section(v, "General");
	if (!v->cur)
		v->cur = 1;
	static const char *const std_keys[] = { "author", "license", "version", "description" };
	for (size_t i = 0; i < 4; i++) {
		const struct meta_entry *x = find_entry(e, n, std_keys[i]);
		meta_row(h, std_keys[i], std_keys[i], x ? x->value : NULL, x ? x->len : 0, "(not set: e sets it)");
	}
	/* the user's keys, the preview's apart */
	h = section(v, "User metadata");
	size_t users = 0;
	for (size_t i = 0; i < n; i++) {
		int std;
		const char *k = meta_canonical(e[i].key, &std);
		if (std || !strcmp(k, PREVIEW_TYPE_KEY) || !strcmp(k, PREVIEW_PARAMS_KEY))
			continue;
		struct unode *c = meta_row(h, e[i].key, e[i].key, e[i].value, e[i].len, "");
		if (strlen(e[i].key) > KEY_W) { /* a long key on its own, its value after it */
			free(c->text);
			c->text = xasprintf("%s %.*s", e[i].key, (int)(e[i].len > 300 ? 300 : e[i].len), e[i].value);
		}
		users++;
	}
	if (!users)
		un_add(h, "(none: a adds a key)")->attr = UA_DIM;
	/* the preview Xcode shows */
	h = section(v, "Preview");
	const struct meta_entry *pt = find_entry(e, n, PREVIEW_TYPE_KEY), *pp = find_entry(e, n, PREVIEW_PARAMS_KEY);
	struct unode *c = meta_row(h, "type", "preview.type", pt ? pt->value : NULL, pt ? pt->len : 0,
				   "(none: Xcode shows no preview; p picks a type)");
	if (pt) {
		char *t = xstrndup(pt->value, pt->len);
		if (!preview_type_known(t)) {
			char *txt = xasprintf("%s  (not a type Xcode is known to use)", c->text);
			free(c->text);
			c->text = txt;
		}
		free(t);
	}
	meta_row(h, "params", "preview.params", pp ? pp->value : NULL, pp ? pp->len : 0, "(none)");
	char **lv = NULL;
	size_t ln = 0;
	if (pp && meta_params_labels(pp->value, pp->len, &lv, &ln) == 1) {
		struct unode *lr = un_add(h, "%-*s %zu (e on one changes it)", KEY_W, "labels", ln);
		for (size_t i = 0; i < ln; i++) {
			struct unode *pl = un_add(lr, "%4zu  %s", i, lv[i]);
			struct mp *x = xcalloc(1, sizeof(*x));
			x->plabel = 1;
			x->li = i;
			x->value = lv[i]; /* taken */
			x->len = strlen(lv[i]);
			pl->p = x;
			pl->free_p = mp_free;
			pl->name = xstrdup(lv[i]);
			pl->detail = detail;
		}
		free(lv);
	}
	if (pt || pp) {
		char *why = preview_model_problems(root);
		struct unode *f = un_add(h, "%-*s %s", KEY_W, "fits the model", why ? why : "yes");
		if (why)
			f->attr = UA_WARN;
		free(why);
	}
	meta_entries_free(e, n);
	/* the class labels of a classifier, each changed in place */
	struct iface_labels l;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	int r = iface_labels_get(root, &l);
	error_capture_end(&cap);
	if (r == 1) {
		char *title =
			xasprintf("Class labels: %zu%s (%s)", l.n, l.per_example ? " (one per example)" : "", l.where);
		h = section(v, title);
		free(title);
		for (size_t i = 0; i < l.n; i++) {
			struct unode *lc = un_add(h, "%4zu  %s", i, l.v[i]);
			struct mp *x = xcalloc(1, sizeof(*x));
			x->label = 1;
			x->li = i;
			x->value = xstrdup(l.v[i]);
			x->len = strlen(l.v[i]);
			lc->p = x;
			lc->free_p = mp_free;
			lc->name = xstrdup(l.v[i]);
			lc->detail = detail;
		}
		iface_labels_release(&l);
	}
	return 0;
}

static int reload(struct view *v)
{
	for (size_t i = 0; i < v->root->nkid; i++)
		un_free(v->root->kid[i]);
	v->root->nkid = 0;
	v->nrows = 0;
	meta_init(v);
	return RP_ALL | RP_REBUILD;
}

/* "WHAT (w saves)" on the status line, with the problems when the preview
 * the model now holds does not fit it (mlpkg preview set's fit check; w
 * then asks to be pressed twice) */
static void say_fit(struct view *v, const char *what)
{
	char *why = preview_model_problems(ui_model(v)->root);
	if (why)
		ui_msg(v, "%s (w saves); the preview does not fit the model: %s", what, why);
	else
		ui_msg(v, "%s (w saves)", what);
	free(why);
}

static int choose_preview(struct view *v, const char *cur)
{
	int sel = 0;
	for (int i = 0; cur && preview_types[i]; i++)
		if (!strcmp(preview_types[i], cur))
			sel = i;
	int i = ui_choose(v, "preview.type: Enter picks, Esc cancels", preview_types, sel);
	if (i < 0)
		return RP_ALL;
	if (ui_meta_edit(v, "preview.type", preview_types[i]) == 1) {
		/* params that do not suit the new type: said, as meta set says it */
		char *params = NULL, *why = NULL;
		size_t pl;
		if (meta_get(ui_model(v)->root, PREVIEW_PARAMS_KEY, &params, &pl) == 1)
			why = meta_params_problem(params, pl, preview_types[i]);
		if (why)
			ui_msg(v, "preview.type set to %s (w saves); its preview.params do not suit it: %s",
			       preview_types[i], why);
		else {
			char *what = xasprintf("preview.type set to %s", preview_types[i]);
			say_fit(v, what);
			free(what);
		}
		free(params);
		free(why);
	}
	return reload(v);
}

/* the status line after an edit of key that returned r */
static void say_set(struct view *v, const char *key, int r)
{
	int std;
	if (r == 1 && !strcmp(meta_canonical(key, &std), PREVIEW_PARAMS_KEY)) {
		char *what = xasprintf("%s set", key);
		say_fit(v, what);
		free(what);
	} else if (r == 1)
		ui_msg(v, "%s set (w saves)", key);
	else if (r == 0)
		ui_msg(v, "%s unchanged", key);
}

static int edit_value(struct view *v, const char *key, const char *cur)
{
	int std;
	if (!strcmp(meta_canonical(key, &std), PREVIEW_TYPE_KEY))
		return choose_preview(v, cur);
	/* a value refused is asked again, as typed, with the reason */
	char *typed = cur ? xstrdup(cur) : NULL, *why = NULL, *val;
	int r;
	for (;;) {
		char *label = why ? xasprintf("%s; %s = ", why, key) : xasprintf("%s = ", key);
		val = ui_prompt(v, HIST_VALUE, label, typed);
		free(label);
		if (!val)
			break;
		r = ui_meta_edit(v, key, val);
		if (r >= 0)
			break;
		free(why);
		why = xstrdup(ui_status_msg(v));
		free(typed);
		typed = val;
	}
	free(typed);
	if (!val) {
		if (why)
			ui_msg(v, "%s (not set)", why);
		free(why);
		return RP_ALL;
	}
	free(why);
	say_set(v, key, r);
	free(val);
	return reload(v);
}

/* E: the value edited in $VISUAL or $EDITOR, for long and multi-line values
 * (preview.params).  A refused text is kept: the next E on that key opens it
 * again, so nothing typed is lost. */
static struct {
	char *key, *text;
} kept_text;

static void keep_text(const char *key, char *text)
{
	free(kept_text.key);
	free(kept_text.text);
	kept_text.key = key ? xstrdup(key) : NULL;
	kept_text.text = text;
}

static int edit_in_editor(struct view *v, const char *key, const char *cur)
{
	int std;
	const char *canon = meta_canonical(key, &std);
	const char *start = kept_text.key && !strcmp(kept_text.key, key) ? kept_text.text : cur;
	char *val = ui_edit_text(v, start, !strcmp(canon, PREVIEW_PARAMS_KEY) ? ".json" : ".txt");
	if (!val)
		return RP_ALL; /* why is on the status line */
	if (cur && !strcmp(val, cur)) {
		keep_text(NULL, NULL);
		ui_msg(v, "%s unchanged", key);
		free(val);
		return RP_ALL;
	}
	int r = ui_meta_edit(v, key, val);
	if (r < 0) {
		char *why = xstrdup(ui_status_msg(v));
		ui_msg(v, "%s (not set; E opens your text again)", why);
		free(why);
		keep_text(key, val);
		return RP_ALL;
	}
	keep_text(NULL, NULL);
	say_set(v, key, r);
	free(val);
	return reload(v);
}

/* e on a preview label: that one changed in preview.params, the rest of
 * the params kept (labels first, as preview set writes them) */
static int edit_preview_label(struct view *v, size_t li, const char *cur)
{
	struct mt_node *root = ui_model(v)->root;
	char *params = NULL, **lv = NULL;
	size_t pl = 0, ln = 0;
	if (meta_get(root, PREVIEW_PARAMS_KEY, &params, &pl) != 1 || meta_params_labels(params, pl, &lv, &ln) != 1 ||
	    li >= ln) {
		free(params);
		return RP_ALL;
	}
	char *label = xasprintf("preview label %zu = ", li);
	char *val = ui_prompt(v, HIST_VALUE, label, cur);
	free(label);
	char *text = NULL, *why = NULL;
	if (val && strcmp(val, lv[li])) {
		free(lv[li]);
		lv[li] = val;
		val = NULL;
		/* the params' other members, without their labels */
		struct jdoc d;
		char *extra = NULL;
		if (jdoc_scan(params, pl, &d) == 0) {
			long k = jdoc_find(&d, 0, "labels");
			extra = k >= 0 ? jedit_remove(&d, (size_t)k) : xstrndup(params, pl);
			jdoc_free(&d);
		}
		struct jdoc e;
		int others = extra && jdoc_scan(extra, strlen(extra), &e) == 0 ? (int)e.n : -1;
		if (others >= 0)
			jdoc_free(&e);
		text = others == 0 ? preview_labels_json(lv, ln)
		       : extra     ? preview_params_with_labels(lv, ln, extra, strlen(extra), &why)
				   : NULL;
		free(extra);
	} else if (val) {
		ui_msg(v, "preview label %zu unchanged", li);
	}
	for (size_t i = 0; i < ln; i++)
		free(lv[i]);
	free(lv);
	free(params);
	free(val);
	if (!text) {
		if (why)
			ui_msg(v, "preview label %zu not set: %s", li, why);
		free(why);
		return RP_ALL;
	}
	int r = ui_meta_edit(v, "preview.params", text);
	free(text);
	if (r == 1) {
		char *what = xasprintf("preview label %zu set", li);
		say_fit(v, what);
		free(what);
	}
	return r < 0 ? RP_ALL : reload(v);
}

/* e on a class label: that one changed, the others kept (labels set's checks) */
static int edit_label(struct view *v, size_t li, const char *cur)
{
	struct iface_labels l;
	if (iface_labels_get(ui_model(v)->root, &l) != 1 || li >= l.n)
		return RP_ALL;
	char *label = xasprintf("class label %zu = ", li);
	char *val = ui_prompt(v, HIST_VALUE, label, cur);
	free(label);
	if (!val || !strcmp(val, l.v[li])) {
		if (val)
			ui_msg(v, "class label %zu unchanged", li);
		free(val);
		iface_labels_release(&l);
		return RP_ALL;
	}
	free(l.v[li]);
	l.v[li] = val;
	int r = ui_labels_edit(v, l.v, l.n);
	if (r == 1)
		ui_msg(v, "class label %zu set to %s (w saves)", li, val);
	iface_labels_release(&l);
	return r < 0 ? RP_ALL : reload(v);
}

static int meta_key(struct view *v, int k)
{
	struct unode *u = ui_current(v);
	struct mp *x = u ? u->p : NULL;
	switch (k) {
	case 'a': {
		char *key = ui_prompt(v, HIST_KEY,
				      "new key (author, license, version, description, preview.type, ...): ", NULL);
		if (!key || !*key) {
			free(key);
			return RP_ALL;
		}
		int r = edit_value(v, key, NULL);
		free(key);
		return r;
	}
	case 'e':
	case '\n':
		if (x && x->label)
			return edit_label(v, x->li, x->value);
		if (x && x->plabel)
			return edit_preview_label(v, x->li, x->value);
		if (!x || !x->key)
			return RP_NONE;
		return edit_value(v, x->key, x->value);
	case 'E':
		if (!x || !x->key)
			return RP_NONE;
		return edit_in_editor(v, x->key, x->value);
	case 'p':
		return choose_preview(v, x && !strcmp(meta_canonical(x->key, &(int){ 0 }), PREVIEW_TYPE_KEY) ? x->value
													     : NULL);
	case 'd':
	case 'x':
		if (x && x->label) {
			ui_msg(v, "a class label is changed, not removed: their count is the model's classes");
			return RP_ALL;
		}
		if (!x || !x->key || !x->value)
			return RP_NONE;
		if (ui_meta_edit(v, x->key, NULL) == 1)
			ui_msg(v, "%s removed (w saves)", x->key);
		return reload(v);
	}
	return -1;
}

static const struct keydef meta_keys[] = {
	{ "a", "add a key (preview.type offers the known types)" },
	{ "e Enter", "change the value (preview.params is checked), or the class label" },
	{ "E", "change the value in $VISUAL or $EDITOR (multi-line JSON)" },
	{ "d x", "delete the key" },
	{ "p", "set preview.type from the known types (its fit is checked)" },
	{ NULL, NULL },
};

const struct view_ops meta_ops = {
	.name = "metadata",
	.init = meta_init,
	.key = meta_key,
	.keys = meta_keys,
};
