/* ui: the browser's frame: painting (tabs, rows, the detail pane, help,
 * the status line), the key table (which also writes the help), mouse and
 * keys, and the main loop.  The terminal, rows and search, and input are
 * in term.c, rows.c and input.c (see frame.h); views live in
 * src/ui/ui-*.c. */
#include "ui/frame.h"
#include "query/compiled.h"
#include "base/error.h"
#include "base/xalloc.h"
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum action {
	AC_NONE,
	AC_UP,
	AC_DOWN,
	AC_PGUP,
	AC_PGDN,
	AC_TOP,
	AC_BOTTOM,
	AC_OPEN,
	AC_TOGGLE,
	AC_CLOSE,
	AC_NEXTVIEW,
	AC_PREVVIEW,
	AC_SEARCH,
	AC_NEXT,
	AC_PREV,
	AC_HELP,
	AC_QUIT,
	AC_SAVE,
	AC_REDRAW,
};

static const struct binding {
	int key;
	const char *name;
	enum action a;
	const char *help;
} bindings[] = {
	{ 'k', "k", AC_UP, "move up" },
	{ K(KEY_UP), "Up", AC_UP, NULL },
	{ 'j', "j", AC_DOWN, "move down" },
	{ K(KEY_DOWN), "Down", AC_DOWN, NULL },
	{ K(KEY_PPAGE), "PgUp", AC_PGUP, "page up" },
	{ K(KEY_NPAGE), "PgDn", AC_PGDN, "page down" },
	{ ' ', "Space", AC_PGDN, NULL },
	{ 'g', "g", AC_TOP, "first row" },
	{ K(KEY_HOME), "Home", AC_TOP, NULL },
	{ 'G', "G", AC_BOTTOM, "last row" },
	{ K(KEY_END), "End", AC_BOTTOM, NULL },
	{ K_ENTER, "Enter", AC_TOGGLE, "open or close a row; on a leaf, the detail full screen" },
	{ 'l', "l", AC_OPEN, "open a row" },
	{ K(KEY_RIGHT), "Right", AC_OPEN, NULL },
	{ 'h', "h", AC_CLOSE, "close a row, or go to its parent" },
	{ K(KEY_LEFT), "Left", AC_CLOSE, NULL },
	{ K_TAB, "Tab", AC_NEXTVIEW, "next view (1-5: a view directly)" },
	{ K(KEY_BTAB), "S-Tab", AC_PREVVIEW, "previous view" },
	{ '/', "/", AC_SEARCH, "search names and kinds" },
	{ 'n', "n", AC_NEXT, "next match" },
	{ 'N', "N", AC_PREV, "previous match" },
	{ 'w', "w", AC_SAVE, "save metadata edits (atomically, in place)" },
	{ 12, "C-l", AC_REDRAW, "redraw the screen" },
	{ '?', "?", AC_HELP, "this help" },
	{ 'q', "q", AC_QUIT, "quit (asks first when edits are unsaved)" },
	{ 0, NULL, AC_NONE, NULL },
};

/* ---- painting ------------------------------------------------------------------------------- */

static struct view *curview(struct ui *u)
{
	return &u->views[u->cur];
}

void ui_draw_status(struct ui *u, const char *text, attr_t a)
{
	int y = LINES - 1;
	ui_fill(y, 0, COLS, A_REVERSE);
	ui_put(y, 0, COLS, text, A_REVERSE | a);
}

static void status_line(struct ui *u)
{
	struct view *v = curview(u);
	struct strbuf right = STRBUF_INIT;
	if (u->dirty)
		sb_adds(&right, " [modified]");
	if (u->has_match && u->query)
		sb_addf(&right, " /%s %zu/%zu", u->query, u->nmatch ? u->imatch + 1 : 0, u->nmatch);
	if (v->hidden)
		sb_addf(&right, " +%zu const (c)", v->hidden);
	sb_addf(&right, " %zu/%zu%s ", v->nrows ? v->cur + 1 : 0, v->nrows, ui_rows_pending(v) ? "+" : "");
	int y = LINES - 1;
	ui_fill(y, 0, COLS, A_REVERSE);
	int rw = (int)right.len;
	if (rw > COLS / 2)
		rw = COLS / 2;
	int x = 0;
	if (*u->msg) {
		x += ui_put(y, x, COLS - rw, u->msg, A_REVERSE | A_BOLD);
	} else {
		const char *f = strrchr(u->path, '/');
		f = f && f[1] ? f + 1 : u->path;
		x += ui_put(y, x, COLS - rw, f, A_REVERSE | A_BOLD);
		struct unode *n = ui_current(v);
		if (n && n->path && x < COLS - rw - 2) {
			x += ui_put(y, x, 1, " ", A_REVERSE);
			ui_put(y, x, COLS - rw - x, n->path, A_REVERSE);
		}
	}
	ui_put(y, COLS - rw, rw, right.buf ? right.buf : "", A_REVERSE);
	sb_release(&right);
}

static void draw_tabs(struct ui *u)
{
	ui_fill(0, 0, COLS, u->color ? COLOR_PAIR(5) : A_REVERSE);
	int x = 0;
	for (int i = 0; i < u->nv; i++) {
		char b[40];
		snprintf(b, sizeof(b), " %d %s ", i + 1, u->views[i].ops->name);
		u->tabx[i] = x;
		attr_t a = i == u->cur ? A_BOLD : (u->color ? COLOR_PAIR(5) : A_REVERSE);
		x += ui_put(0, x, COLS - x, b, a);
	}
	u->tabx[u->nv] = x;
	if (x < COLS - 7)
		ui_put(0, COLS - 7, 7, "? help", u->color ? COLOR_PAIR(5) : A_REVERSE);
}

static void row_text(struct unode *n, int y, int width, int selected)
{
	attr_t base = selected ? A_REVERSE : 0;
	ui_fill(y, 0, width, base);
	int x = 1 + 2 * (n->depth > 0 ? n->depth : 0);
	if (x > width / 2)
		x = width / 2;
	if (!n->leaf && !n->is_more)
		ui_put(y, x, 2, n->open ? "-" : "+", base | A_BOLD);
	x += 2;
	ui_put(y, x, width - x, n->text, base | (selected ? 0 : 0) | ui_attr_of(ui_running, n->attr));
}

static void detail_lines(struct view *v, struct strlist *out)
{
	struct unode *n = ui_current(v);
	if (n && n->detail)
		n->detail(v, n, out);
	else if (n && !n->is_more)
		sl_pushf(out, "%s", n->text);
}

/* The lines of l longer than width columns, wrapped: a continuation keeps
 * the line's indent.  At most 20000 lines come out. */
static void wrap_lines(struct strlist *l, int width)
{
	if (width < 8)
		return;
	struct strlist out = { 0 };
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->v[i], *end = s + strlen(s);
		size_t indent = strspn(s, " ");
		if (indent > (size_t)width / 2)
			indent = 0;
		mbstate_t st;
		memset(&st, 0, sizeof(st));
		const char *start = s, *p = s;
		int w = 0, first = 1;
		while (p < end && out.n < 20000) {
			wchar_t wc;
			size_t r = mbrtowc(&wc, p, (size_t)(end - p), &st);
			int cw;
			if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
				memset(&st, 0, sizeof(st));
				r = 1;
				cw = 4; /* shown as \xNN */
			} else {
				cw = wc < 0x20 || wc == 0x7f ? 4 : wcwidth(wc);
				if (cw < 0)
					cw = 6;
			}
			int room = width - (first ? 0 : (int)indent);
			if (w + cw > room && p > start) {
				sl_pushf(&out, "%*s%.*s", first ? 0 : (int)indent, "", (int)(p - start), start);
				start = p;
				w = 0;
				first = 0;
				continue;
			}
			w += cw;
			p += r;
		}
		if (out.n < 20000)
			sl_pushf(&out, "%*s%.*s", first ? 0 : (int)indent, "", (int)(end - start), start);
	}
	sl_free(l);
	*l = out;
}

static void draw_lines(const struct strlist *l, size_t from, int y0, int h)
{
	for (int y = 0; y < h; y++) {
		ui_fill(y0 + y, 0, COLS, 0);
		if (from + (size_t)y < l->n) {
			const char *s = l->v[from + (size_t)y];
			ui_put(y0 + y, 1, COLS - 1, s, s[0] && s[0] != ' ' && strchr(s, ':') ? 0 : 0);
		}
	}
}

static void help_lines(struct view *v, struct strlist *out)
{
	sl_pushf(out, "mlpkg browse: keys (q, h or Esc closes this help)");
	sl_pushf(out, "%s", "");
	for (const struct binding *b = bindings; b->name; b++) {
		if (!b->help)
			continue;
		struct strbuf sb = STRBUF_INIT;
		sb_adds(&sb, b->name);
		for (const struct binding *o = bindings; o->name; o++)
			if (o != b && o->a == b->a && !o->help)
				sb_addf(&sb, " %s", o->name);
		sl_pushf(out, "  %-20s %s", sb.buf, b->help);
		sb_release(&sb);
	}
	sl_pushf(out, "  %-20s %s", "mouse", "with --mouse: click selects, double click opens, wheel scrolls");
	/* the line editor of every prompt (search, keys, values) */
	static const char *const editing[][2] = {
		{ "Left Right C-b C-f", "move a character" },
		{ "Home End C-a C-e", "to the start, to the end" },
		{ "M-b M-f", "a word back, a word on" },
		{ "Backspace Delete C-d", "delete before, under the cursor" },
		{ "C-w C-k C-u", "delete the word before, to the end, to the start" },
		{ "Up Down", "earlier values of the same prompt" },
		{ "Enter Esc C-g", "accept, cancel" },
	};
	sl_pushf(out, "%s", "");
	sl_pushf(out, "%s", "editing a value, a key or a search:");
	for (size_t i = 0; i < sizeof(editing) / sizeof(editing[0]); i++)
		sl_pushf(out, "  %-20s %s", editing[i][0], editing[i][1]);
	for (int i = 0; i < v->ui->nv; i++) {
		const struct keydef *k = v->ui->views[i].ops->keys;
		if (!k)
			continue;
		sl_pushf(out, "%s", "");
		sl_pushf(out, "%s view:", v->ui->views[i].ops->name);
		for (; k->keys; k++)
			sl_pushf(out, "  %-20s %s", k->keys, k->help);
	}
}

/* where the list and the detail pane go; builds what the screen shows */
static void layout(struct ui *u)
{
	struct view *v = curview(u);
	int body = LINES - 2;
	if (body < 1)
		body = 1;
	u->dh = v->ops->no_detail ? 0 : body >= 10 ? body / 3 : 0;
	u->lh = body - (u->dh ? u->dh + 1 : 0);
	for (int guard = 0; guard < 64; guard++) {
		if (v->cur < v->top)
			v->top = v->cur;
		if (v->cur >= v->top + (size_t)u->lh)
			v->top = v->cur - (size_t)u->lh + 1;
		if (v->top + (size_t)u->lh > v->nrows)
			v->top = v->nrows > (size_t)u->lh ? v->nrows - (size_t)u->lh : 0;
		int built = 0;
		for (size_t i = v->top; i < v->nrows && i < v->top + (size_t)u->lh; i++)
			if (v->rows[i]->is_more) {
				ui_build_more(v, v->rows[i]->parent);
				built = 1;
				break;
			}
		if (!built)
			break;
		ui_flatten(v);
	}
}

void ui_paint(struct ui *u)
{
	struct view *v = curview(u);
	ui_take_errors(u);
	layout(u);
	erase();
	draw_tabs(u);
	int body = LINES - 2;
	if (u->help || u->zoom) {
		struct strlist l = { 0 };
		if (u->help)
			help_lines(v, &l);
		else
			detail_lines(v, &l);
		if (!u->help)
			wrap_lines(&l, COLS - 1);
		if (u->zscroll + (size_t)body > l.n)
			u->zscroll = l.n > (size_t)body ? l.n - (size_t)body : 0;
		draw_lines(&l, u->zscroll, 1, body);
		sl_free(&l);
	} else {
		for (int y = 0; y < u->lh; y++) {
			size_t i = v->top + (size_t)y;
			if (i >= v->nrows)
				break;
			row_text(v->rows[i], 1 + y, COLS, i == v->cur);
		}
		if (u->dh) {
			int sy = 1 + u->lh;
			for (int x = 0; x < COLS; x++)
				ui_put(sy, x, 1, MB_CUR_MAX > 1 ? "\xe2\x94\x80" : "-", A_DIM);
			struct unode *n = ui_current(v);
			if (n && n->kind)
				ui_put(sy, 2, COLS - 4, n->kind, A_BOLD);
			struct strlist l = { 0 };
			detail_lines(v, &l);
			wrap_lines(&l, COLS - 1);
			draw_lines(&l, 0, sy + 1, u->dh);
			sl_free(&l);
		}
	}
	status_line(u);
	refresh();
}

/* the screen as text, one line a row, trailing blanks dropped */
void ui_dump_screen(FILE *fp)
{
	wchar_t wb[1024];
	for (int y = 0; y < LINES; y++) {
		int n = mvinnwstr(y, 0, wb, COLS < 1023 ? COLS : 1023);
		struct strbuf sb = STRBUF_INIT;
		for (int i = 0; i < n && n != ERR; i++) {
			char mb[MB_LEN_MAX];
			mbstate_t st;
			memset(&st, 0, sizeof(st));
			size_t k = wcrtomb(mb, wb[i], &st);
			if (k != (size_t)-1)
				sb_add(&sb, mb, k);
			else
				sb_addc(&sb, '?');
		}
		while (sb.len && sb.buf[sb.len - 1] == ' ')
			sb.len--;
		fwrite(sb.buf ? sb.buf : "", 1, sb.len, fp);
		fputc('\n', fp);
		sb_release(&sb);
	}
	fflush(fp);
}

/* ---- keys ------------------------------------------------------------------------------------- */

static void switch_view(struct ui *u, int i)
{
	u->cur = (i + u->nv) % u->nv;
	u->zoom = u->help = 0;
	ui_search_forget(u);
	ui_view_ready(curview(u));
}

static int quit_asks(struct ui *u)
{
	struct view *v = curview(u);
	if (!u->dirty)
		return 1;
	for (;;) {
		ui_draw_status(u, "unsaved metadata edits: w save and quit, y quit without saving, n stay", A_BOLD);
		refresh();
		int k = ui_next_key(u);
		if (k == 'y' || k == 'Y')
			return 1;
		if (k == 'w')
			return ui_save(v) == 0;
		if (k == K_EOF) {
			/* a script that ends here: leave the question on the screen */
			snprintf(u->msg, sizeof(u->msg),
				 "unsaved metadata edits: w save and quit, y quit without saving, n stay");
			return 0;
		}
		if (k == 'n' || k == K_ESC || k == 'q')
			return 0;
	}
}

static int act(struct ui *u, enum action a)
{
	struct view *v = curview(u);
	struct unode *n = ui_current(v);
	size_t page = u->lh > 1 ? (size_t)u->lh - 1 : 1;
	if (u->help || u->zoom) {
		switch (a) {
		case AC_UP:
			if (u->zscroll)
				u->zscroll--;
			return RP_BODY;
		case AC_DOWN: u->zscroll++; return RP_BODY;
		case AC_PGUP: u->zscroll = u->zscroll > page ? u->zscroll - page : 0; return RP_BODY;
		case AC_PGDN: u->zscroll += page; return RP_BODY;
		case AC_TOP: u->zscroll = 0; return RP_BODY;
		case AC_BOTTOM: u->zscroll = (size_t)-1 / 2; return RP_BODY;
		case AC_CLOSE:
		case AC_QUIT:
		case AC_TOGGLE:
		case AC_HELP: u->help = u->zoom = 0; return RP_ALL;
		default: break;
		}
	}
	switch (a) {
	case AC_NONE: return RP_NONE;
	case AC_UP:
		if (v->cur)
			v->cur--;
		return RP_ALL;
	case AC_DOWN:
		if (v->cur + 1 < v->nrows)
			v->cur++;
		return RP_ALL;
	case AC_PGUP:
		v->cur = v->cur > page ? v->cur - page : 0;
		v->top = v->top > page ? v->top - page : 0;
		return RP_ALL;
	case AC_PGDN:
		v->cur = v->cur + page < v->nrows ? v->cur + page : (v->nrows ? v->nrows - 1 : 0);
		v->top += page;
		return RP_ALL;
	case AC_TOP: v->cur = 0; return RP_ALL;
	case AC_BOTTOM:
		while (v->nrows && v->rows[v->nrows - 1]->is_more) {
			ui_build_all(v, v->rows[v->nrows - 1]->parent, 0);
			ui_flatten(v);
		}
		v->cur = v->nrows ? v->nrows - 1 : 0;
		return RP_ALL;
	case AC_OPEN:
	case AC_TOGGLE:
		if (!n)
			return RP_NONE;
		if (n->leaf || n->is_more) {
			if (n->is_more)
				return RP_NONE;
			u->zoom = 1;
			u->zscroll = 0;
			return RP_ALL;
		}
		if (n->open && a == AC_TOGGLE)
			n->open = 0;
		else
			ui_open_row(v, n);
		return RP_ALL | RP_REBUILD;
	case AC_CLOSE:
		if (!n)
			return RP_NONE;
		if (!n->leaf && n->open) {
			n->open = 0;
			return RP_ALL | RP_REBUILD;
		}
		if (n->parent && n->parent != v->root) {
			n->parent->open = 0;
			ui_flatten(v);
			ui_jump_to(v, n->parent);
			return RP_ALL | RP_REBUILD;
		}
		return RP_NONE;
	case AC_NEXTVIEW: switch_view(u, u->cur + 1); return RP_ALL;
	case AC_PREVVIEW: switch_view(u, u->cur - 1); return RP_ALL;
	case AC_SEARCH: {
		char *q = ui_prompt(v, HIST_SEARCH, "/", NULL);
		int r = RP_ALL;
		if (q && *q)
			r = ui_run_search(v, q);
		free(q);
		return r;
	}
	case AC_NEXT: return ui_step_match(v, 1);
	case AC_PREV: return ui_step_match(v, -1);
	case AC_HELP:
		u->help = 1;
		u->zscroll = 0;
		return RP_ALL;
	case AC_QUIT: return quit_asks(u) ? RP_QUIT : RP_ALL;
	case AC_SAVE: {
		/* a failed save keeps the edits, and the model as it was read */
		struct error_capture cap;
		error_capture_begin(&cap, ERRCAP_WATCH);
		int saved = ui_save(v);
		int ec = error_capture_end(&cap);
		if (saved < 0) {
			u->save_failed = ec != EXIT_OK ? ec : EXIT_WRITE;
			return RP_ALL;
		}
		u->save_failed = 0;
		return RP_ALL | RP_RELOAD;
	}
	case AC_REDRAW: clearok(curscr, TRUE); return RP_ALL;
	}
	return RP_NONE;
}

static int mouse(struct ui *u, const MEVENT *e)
{
	struct view *v = curview(u);
	if (e->bstate & BUTTON4_PRESSED)
		return act(u, AC_UP), act(u, AC_UP), act(u, AC_UP);
	if (e->bstate & BUTTON5_PRESSED)
		return act(u, AC_DOWN), act(u, AC_DOWN), act(u, AC_DOWN);
	if (!(e->bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return RP_NONE;
	if (e->y == 0) {
		for (int i = 0; i < u->nv; i++)
			if (e->x >= u->tabx[i] && e->x < u->tabx[i + 1]) {
				switch_view(u, i);
				return RP_ALL;
			}
		if (e->x >= COLS - 7)
			return act(u, AC_HELP);
		return RP_NONE;
	}
	if (u->help || u->zoom || e->y < 1 || e->y > u->lh)
		return RP_NONE;
	size_t i = v->top + (size_t)(e->y - 1);
	if (i >= v->nrows)
		return RP_NONE;
	v->cur = i;
	if (e->bstate & BUTTON1_DOUBLE_CLICKED)
		return act(u, AC_TOGGLE);
	return RP_ALL;
}

static int handle(struct ui *u, int k)
{
	struct view *v = curview(u);
	if (k == K(KEY_RESIZE))
		return RP_ALL;
	if (k == K(KEY_MOUSE) || k == K_MOUSE_SCRIPT) {
		MEVENT e;
		if (k == K_MOUSE_SCRIPT)
			e = ui_script_mouse;
		else if (getmouse(&e) != OK)
			return RP_NONE;
		if (!u->mouse)
			return RP_NONE;
		return mouse(u, &e);
	}
	if (k == K_ESC && (u->help || u->zoom))
		return act(u, AC_CLOSE);
	if (!u->help && !u->zoom && v->ops->key) {
		int r = v->ops->key(v, k);
		if (r >= 0)
			return r;
	}
	if (k >= '1' && k <= '0' + u->nv && !u->help && !u->zoom) {
		switch_view(u, k - '1');
		return RP_ALL;
	}
	for (const struct binding *b = bindings; b->name; b++)
		if (b->key == k)
			return act(u, b->a);
	if (k == K(KEY_BACKSPACE))
		return act(u, AC_CLOSE);
	return RP_NONE;
}

static const struct view_ops *const all_views[] = { &overview_ops, &layers_ops, &meta_ops, &weights_ops, &tree_ops };
/* a compiled folder has no spec tree and is never edited */
static const struct view_ops *const compiled_views[] = { &overview_ops, &compiled_layers_ops, &compiled_meta_ops,
							 &weights_ops };

int browse_run(const char *path, const struct browse_opts *o)
{
	struct ui *u = xcalloc(1, sizeof(*u));
	const char *nd = getenv("MLPKG_NO_DISPLAY"), *sc = getenv("MLPKG_SCRIPT");
	u->headless = nd && *nd && strcmp(nd, "0");
	u->mouse = o->mouse;
	if (sc && *sc) {
		u->script = fopen(sc, "r");
		if (!u->script) {
			error_code(EXIT_NOTFOUND, "'%s': cannot read the key script", sc);
			free(u);
			return EXIT_NOTFOUND;
		}
	}
	u->path = path;
	int compiled = compiled_is(path);
	if (compiled ? compiled_open(path, &u->cm) < 0 : mlpkg_open(path, 0, &u->m) < 0) {
		if (u->script)
			fclose(u->script);
		free(u);
		return last_error_code();
	}
	const struct view_ops *const *views = compiled ? compiled_views : all_views;
	u->nv = compiled ? (int)(sizeof(compiled_views) / sizeof(*compiled_views))
			 : (int)(sizeof(all_views) / sizeof(*all_views));
	for (int i = 0; i < u->nv; i++) {
		u->views[i].ops = views[i];
		u->views[i].ui = u;
		if (o->view && !strcmp(o->view, views[i]->name))
			u->cur = i;
	}
	ui_running = u;
	if (ui_setup(u) < 0) {
		ui_restore_terminal();
		mlpkg_close(u->m);
		compiled_close(u->cm);
		ui_running = NULL;
		free(u);
		return last_error_code();
	}
	ui_view_ready(curview(u));
	int rp = RP_ALL;
	for (;;) {
		if (rp & RP_RELOAD) {
			for (int i = 0; i < u->nv; i++)
				if (u->views[i].ready && &u->views[i] != curview(u))
					ui_view_reset(&u->views[i]);
		}
		if (rp & RP_REBUILD)
			ui_flatten(curview(u));
		if (rp & RP_QUIT)
			break;
		if (rp != RP_NONE)
			ui_paint(u);
		int k = ui_next_key(u);
		if (k == K_EOF)
			break;
		if (k == K_DUMP) {
			ui_dump_screen(stdout);
			fputs("--\n", stdout);
			rp = RP_NONE;
			continue;
		}
		u->msg[0] = 0;
		rp = handle(u, k);
		ui_take_errors(u);
		if (*u->msg)
			rp |= RP_STATUS;
	}
	if (u->headless || u->script) {
		ui_paint(u);
		if (u->headless)
			ui_dump_screen(stdout);
	}
	ui_restore_terminal();
	for (int i = 0; i < u->nv; i++)
		ui_view_reset(&u->views[i]);
	if (u->headless)
		delscreen(u->scr);
	if (u->nullin)
		fclose(u->nullin);
	if (u->nullout)
		fclose(u->nullout);
	ui_free_kept(u);
	if (u->script)
		fclose(u->script);
	/* edits left unsaved because their save failed: the session failed */
	int rc = u->ned && u->save_failed ? u->save_failed : EXIT_OK;
	ui_journal_clear(u);
	free(u->ed);
	free(u->pending);
	for (int k = 0; k < HIST_KINDS; k++) {
		for (size_t i = 0; i < u->hist[k].n; i++)
			free(u->hist[k].v[i]);
		free(u->hist[k].v);
	}
	free(u->query);
	free(u->matches);
	mlpkg_close(u->m);
	compiled_close(u->cm);
	ui_running = NULL;
	free(u);
	return rc;
}
