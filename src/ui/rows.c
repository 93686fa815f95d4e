/* rows: the rows of a view (see frame.h): built lazily, flattened for
 * drawing, folded; and search over them. */
#include "ui/frame.h"
#include "base/xalloc.h"
#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- rows ------------------------------------------------------------------------------ */

struct mlpkg_model *ui_model(struct view *v)
{
	return v->ui->m;
}

struct compiled *ui_compiled(struct view *v)
{
	return v->ui->cm;
}

struct unode *un_add(struct unode *parent, const char *fmt, ...)
{
	struct unode *n = xcalloc(1, sizeof(*n));
	va_list ap;
	va_start(ap, fmt);
	struct strbuf sb = STRBUF_INIT;
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	n->text = sb_detach(&sb, NULL);
	n->leaf = 1;
	n->done = 1;
	if (parent) {
		n->parent = parent;
		n->depth = parent->depth + 1;
		parent->leaf = 0;
		xgrow((void **)&parent->kid, &parent->cap, parent->nkid + 1, sizeof(*parent->kid));
		parent->kid[parent->nkid++] = n;
	}
	return n;
}

void un_free(struct unode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkid; i++)
		un_free(n->kid[i]);
	free(n->kid);
	un_free(n->more_row);
	free(n->text);
	free(n->name);
	free(n->kind);
	free(n->path);
	if (n->free_p)
		n->free_p(n->p);
	free(n);
}

/* builds a chunk more of n's children */
int ui_build_more(struct view *v, struct unode *n)
{
	if (n->done || !n->more)
		return 0;
	int r = n->more(v, n, CHUNK);
	if (r <= 0)
		n->done = 1;
	return r;
}

/* builds every child of n (and below, when deep) */
void ui_build_all(struct view *v, struct unode *n, int deep)
{
	while (!n->done && ui_build_more(v, n) > 0)
		;
	n->done = 1;
	if (deep)
		for (size_t i = 0; i < n->nkid; i++)
			ui_build_all(v, n->kid[i], 1);
}

/* builds rows below n depth-first until about budget new ones were made;
 * 1 when it stopped short (more rows are left unbuilt) */
static int build_bounded(struct view *v, struct unode *n, size_t *budget)
{
	while (!n->done) {
		if (!*budget)
			return 1;
		size_t before = n->nkid;
		int r = ui_build_more(v, n);
		size_t made = n->nkid - before;
		*budget -= made < *budget ? made : *budget;
		if (r <= 0)
			break;
	}
	n->done = 1;
	for (size_t i = 0; i < n->nkid; i++)
		if (build_bounded(v, n->kid[i], budget))
			return 1;
	return 0;
}

int ui_rows_pending(const struct view *v)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i]->is_more)
			return 1;
	return 0;
}

static void push_row(struct view *v, struct unode *n)
{
	xgrow((void **)&v->rows, &v->rcap, v->nrows + 1, sizeof(*v->rows));
	v->rows[v->nrows++] = n;
}

static void flat_add(struct view *v, struct unode *n)
{
	for (size_t i = 0; i < n->nkid; i++) {
		if (n->kid[i]->optional && !v->show_optional) {
			v->hidden++;
			continue;
		}
		push_row(v, n->kid[i]);
		if (!n->kid[i]->leaf && n->kid[i]->open)
			flat_add(v, n->kid[i]);
	}
	if (!n->done && n->more) {
		if (!n->more_row) {
			n->more_row = un_add(NULL, "...");
			n->more_row->is_more = 1;
			n->more_row->parent = n;
			n->more_row->depth = n->depth + 1;
			n->more_row->attr = UA_DIM;
		}
		push_row(v, n->more_row);
	}
}

void ui_flatten(struct view *v)
{
	struct unode *keep = ui_current(v);
	v->nrows = 0;
	v->hidden = 0;
	if (v->root)
		flat_add(v, v->root);
	if (keep) {
		for (size_t i = 0; i < v->nrows; i++)
			if (v->rows[i] == keep) {
				v->cur = i;
				return;
			}
	}
	if (v->cur >= v->nrows)
		v->cur = v->nrows ? v->nrows - 1 : 0;
}

struct unode *ui_current(struct view *v)
{
	return v->cur < v->nrows ? v->rows[v->cur] : NULL;
}

void ui_open_row(struct view *v, struct unode *n)
{
	if (n->leaf)
		return;
	n->open = 1;
	if (!n->nkid)
		ui_build_more(v, n);
}

int ui_view_ready(struct view *v)
{
	if (v->ready)
		return 0;
	v->ready = 1;
	v->root = un_add(NULL, "%s", v->ops->name);
	v->root->depth = -1;
	v->root->open = 1;
	v->root->leaf = 0;
	int r = v->ops->init(v);
	if (!v->root->nkid)
		ui_build_more(v, v->root);
	/* a list of reasonable size is built whole at once, so that the row
	 * counter counts the whole list; a bigger one is built as it is
	 * shown (the counter then says more are to come) */
	size_t budget = UI_EAGER_ROWS;
	build_bounded(v, v->root, &budget);
	ui_flatten(v);
	return r;
}

void ui_view_reset(struct view *v)
{
	un_free(v->root);
	v->root = NULL;
	v->ready = 0;
	free(v->rows);
	v->rows = NULL;
	v->nrows = v->rcap = v->cur = v->top = 0;
	if (v->ops->release)
		v->ops->release(v);
	v->priv = NULL;
}

/* ---- search --------------------------------------------------------------------------------- */

static int hit(const char *s, const char *q)
{
	return s && strcasestr(s, q);
}

static void collect(struct ui *u, struct unode *n, struct unode *cur, size_t *from)
{
	for (size_t i = 0; i < n->nkid; i++) {
		struct unode *c = n->kid[i];
		if (c == cur)
			*from = u->nmatch;
		if (hit(c->name, u->query) || hit(c->kind, u->query) || hit(c->text, u->query)) {
			u->matches = xrealloc(u->matches, (u->nmatch + 1) * sizeof(*u->matches));
			u->matches[u->nmatch++] = c;
		}
		collect(u, c, cur, from);
	}
}

void ui_jump_to(struct view *v, struct unode *n)
{
	/* a match on a hidden row shows the hidden rows */
	for (struct unode *p = n; p && p != v->root; p = p->parent)
		if (p->optional)
			v->show_optional = 1;
	for (struct unode *p = n->parent; p && p != v->root; p = p->parent)
		p->open = 1;
	ui_flatten(v);
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i] == n) {
			v->cur = i;
			break;
		}
}

int ui_run_search(struct view *v, const char *q)
{
	struct ui *u = v->ui;
	free(u->query);
	u->query = xstrdup(q);
	free(u->matches);
	u->matches = NULL;
	u->nmatch = 0;
	u->has_match = 1;
	int partial = 0;
	size_t budget = SEARCH_BUDGET;
	if (v->ops->search_builds_all == 1)
		ui_build_all(v, v->root, 1);
	else if (v->ops->search_builds_all == 2)
		partial = build_bounded(v, v->root, &budget);
	size_t from = 0;
	collect(u, v->root, ui_current(v), &from);
	if (!u->nmatch) {
		if (partial)
			ui_msg(v, "no match for '%s' in the first %d rows: open a part of the tree and search again", q,
			       SEARCH_BUDGET);
		else
			ui_msg(v, "no match for '%s'", q);
		return RP_ALL | (partial ? RP_REBUILD : 0);
	}
	u->imatch = from < u->nmatch ? from : 0;
	ui_jump_to(v, u->matches[u->imatch]);
	if (partial)
		ui_msg(v, "searched the first %d rows only (the tree has more)", SEARCH_BUDGET);
	return RP_ALL | RP_REBUILD;
}

int ui_step_match(struct view *v, int dir)
{
	struct ui *u = v->ui;
	if (!u->query) {
		ui_msg(v, "no search yet: press /");
		return RP_STATUS;
	}
	if (!u->nmatch) {
		ui_msg(v, "no match for '%s'", u->query);
		return RP_STATUS;
	}
	u->imatch = (u->imatch + u->nmatch + (size_t)(dir > 0 ? 1 : -1)) % u->nmatch;
	ui_jump_to(v, u->matches[u->imatch]);
	return RP_ALL;
}

void ui_search_forget(struct ui *u)
{
	free(u->matches);
	u->matches = NULL;
	u->nmatch = 0;
	u->has_match = 0;
}
