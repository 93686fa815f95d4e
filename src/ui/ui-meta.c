/* ui-meta: the metadata view: the four standard fields and userDefined
 * entries, edited in place (a add, e change, d delete, p preview type);
 * values are checked as `mlpkg meta set` checks them and saved with w. */
#include "ui/browse.h"
#include "analyze/preview.h"
#include "query/meta.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mp {
	char *key, *value;
	size_t len;
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
	int std;
	const char *k = meta_canonical(x->key, &std);
	sl_pushf(out, "key: %s%s", k, std ? " (standard field)" : " (userDefined)");
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

static int meta_init(struct view *v)
{
	struct meta_entry *e;
	size_t n;
	if (meta_list(ui_model(v)->root, &e, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct unode *c =
			un_add(v->root, "%-24s %.*s", e[i].key, (int)(e[i].len > 300 ? 300 : e[i].len), e[i].value);
		struct mp *x = xcalloc(1, sizeof(*x));
		x->key = xstrdup(e[i].key);
		x->value = xstrndup(e[i].value, e[i].len);
		x->len = e[i].len;
		c->p = x;
		c->free_p = mp_free;
		c->name = xstrdup(e[i].key);
		c->detail = detail;
		c->attr = e[i].standard ? UA_KEY : UA_NONE;
		int std;
		const char *k = meta_canonical(e[i].key, &std);
		c->path = std ? xasprintf("description.metadata.%s", k)
			      : xasprintf("description.metadata.userDefined[\"%s\"]", k);
	}
	meta_entries_free(e, n);
	if (!n)
		un_add(v->root, "no metadata: press a to add a key")->attr = UA_DIM;
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
		if (!x)
			return RP_NONE;
		return edit_value(v, x->key, x->value);
	case 'E':
		if (!x)
			return RP_NONE;
		return edit_in_editor(v, x->key, x->value);
	case 'p':
		return choose_preview(v, x && !strcmp(meta_canonical(x->key, &(int){ 0 }), PREVIEW_TYPE_KEY) ? x->value
													     : NULL);
	case 'd':
	case 'x':
		if (!x)
			return RP_NONE;
		if (ui_meta_edit(v, x->key, NULL) == 1)
			ui_msg(v, "%s removed (w saves)", x->key);
		return reload(v);
	}
	return -1;
}

static const struct keydef meta_keys[] = {
	{ "a", "add a key (preview.type offers the known types)" },
	{ "e Enter", "change the value (preview.params is checked)" },
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
