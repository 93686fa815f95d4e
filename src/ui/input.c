/* input: the browser's input (see frame.h): keys from the terminal or a
 * test script, the status-line prompt and list choice, and the journal of
 * metadata edits that saving replays in one edit transaction. */
#include "ui/frame.h"
#include "base/error.h"
#include "edit/txn.h"
#include "analyze/preview.h"
#include "query/meta.h"
#include "base/xalloc.h"
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/* ---- messages, prompts, choices --------------------------------------------------- */

void ui_msg(struct view *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->ui->msg, sizeof(v->ui->msg), fmt, ap);
	va_end(ap);
}

static const struct {
	const char *name;
	int key;
} keynames[] = {
	{ "Up", K(KEY_UP) }, { "Down", K(KEY_DOWN) }, { "Left", K(KEY_LEFT) }, { "Right", K(KEY_RIGHT) },
	{ "PgUp", K(KEY_PPAGE) }, { "PgDn", K(KEY_NPAGE) }, { "Home", K(KEY_HOME) }, { "End", K(KEY_END) },
	{ "Enter", K_ENTER }, { "Tab", K_TAB }, { "BTab", K(KEY_BTAB) }, { "Esc", K_ESC },
	{ "Backspace", K(KEY_BACKSPACE) }, { "Space", ' ' }, { NULL, 0 },
};

/* see frame.h */
MEVENT ui_script_mouse;

static void queue(struct ui *u, int k)
{
	xgrow((void **)&u->pending, &u->cappend, u->npend + 1, sizeof(*u->pending));
	u->pending[u->npend++] = k;
}

/* one line of a script: a key name, one character, "text to type, C-x,
 * Resize COLSxLINES, Click Y X, DClick Y X, WheelUp, WheelDown, Dump */
static int script_line(struct ui *u)
{
	char line[4096];
	for (;;) {
		if (!fgets(line, sizeof(line), u->script))
			return 0;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\n')
			line[--l] = 0;
		if (!l || line[0] == '#')
			continue;
		break;
	}
	u->npend = u->ipend = 0;
	for (int i = 0; keynames[i].name; i++)
		if (!strcmp(line, keynames[i].name)) {
			queue(u, keynames[i].key);
			return 1;
		}
	int a, b;
	if (line[0] == '"') {
		const char *p = line + 1;
		mbstate_t st;
		memset(&st, 0, sizeof(st));
		while (*p) {
			wchar_t wc;
			size_t r = mbrtowc(&wc, p, strlen(p), &st);
			if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
				wc = (unsigned char)*p;
				r = 1;
				memset(&st, 0, sizeof(st));
			}
			queue(u, (int)wc);
			p += r;
		}
		return 1;
	}
	if (sscanf(line, "Resize %dx%d", &a, &b) == 2) {
		resizeterm(b, a);
		queue(u, K(KEY_RESIZE));
		return 1;
	}
	memset(&ui_script_mouse, 0, sizeof(ui_script_mouse));
	if (sscanf(line, "Click %d %d", &a, &b) == 2 || sscanf(line, "DClick %d %d", &a, &b) == 2) {
		ui_script_mouse.y = a;
		ui_script_mouse.x = b;
		ui_script_mouse.bstate = line[0] == 'D' ? BUTTON1_DOUBLE_CLICKED : BUTTON1_CLICKED;
		queue(u, K_MOUSE_SCRIPT);
		return 1;
	}
	if (!strcmp(line, "WheelUp") || !strcmp(line, "WheelDown")) {
		ui_script_mouse.bstate = line[5] == 'U' ? BUTTON4_PRESSED : BUTTON5_PRESSED;
		queue(u, K_MOUSE_SCRIPT);
		return 1;
	}
	if (!strcmp(line, "Dump")) {
		queue(u, K_DUMP);
		return 1;
	}
	if (line[0] == 'C' && line[1] == '-' && line[2] && !line[3]) {
		queue(u, line[2] & 0x1f);
		return 1;
	}
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	wchar_t wc;
	size_t r = mbrtowc(&wc, line, strlen(line), &st);
	queue(u, r == (size_t)-1 || r == (size_t)-2 ? (unsigned char)line[0] : (int)wc);
	return 1;
}

int ui_next_key(struct ui *u)
{
	for (;;) {
		if (u->ipend < u->npend)
			return u->pending[u->ipend++];
		if (u->script) {
			if (!script_line(u))
				return K_EOF;
			continue;
		}
		if (u->headless)
			return K_EOF;
		wint_t wc;
		int r = get_wch(&wc);
		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES)
			return K((int)wc);
		if (wc == 127 || wc == 8)
			return K(KEY_BACKSPACE);
		if (wc == '\r')
			return K_ENTER;
		return (int)wc;
	}
}

char *ui_prompt(struct view *v, const char *label, const char *init)
{
	struct ui *u = v->ui;
	struct strbuf sb = STRBUF_INIT;
	if (init)
		sb_adds(&sb, init);
	curs_set(1);
	for (;;) {
		char *line = xasprintf("%s%s", label, sb.buf ? sb.buf : "");
		ui_draw_status(u, line, 0);
		free(line);
		refresh();
		int k = ui_next_key(u);
		if (k == K_EOF || k == K_ESC || k == 7) {
			sb_release(&sb);
			curs_set(0);
			return NULL;
		}
		if (k == K_ENTER)
			break;
		if (k == K(KEY_BACKSPACE)) {
			while (sb.len && ((unsigned char)sb.buf[sb.len - 1] & 0xc0) == 0x80)
				sb.len--;
			if (sb.len)
				sb.len--;
			if (sb.buf)
				sb.buf[sb.len] = 0;
			continue;
		}
		if (k == 21) {   /* C-u */
			sb.len = 0;
			if (sb.buf)
				sb.buf[0] = 0;
			continue;
		}
		if (k >= KF || (k < 0x20 && k != '\t'))
			continue;
		char mb[MB_LEN_MAX];
		mbstate_t st;
		memset(&st, 0, sizeof(st));
		size_t n = wcrtomb(mb, (wchar_t)k, &st);
		if (n != (size_t)-1)
			sb_add(&sb, mb, n);
	}
	curs_set(0);
	char *s = sb_detach(&sb, NULL);
	return s;
}

int ui_choose(struct view *v, const char *title, const char *const *items, int sel)
{
	struct ui *u = v->ui;
	int n = 0;
	while (items[n])
		n++;
	if (sel < 0 || sel >= n)
		sel = 0;
	int top = 0;
	for (;;) {
		int h = LINES - 2;
		if (sel < top)
			top = sel;
		if (sel >= top + h)
			top = sel - h + 1;
		for (int y = 0; y < h; y++) {
			ui_fill(1 + y, 0, COLS, 0);
			if (top + y < n)
				ui_put(1 + y, 2, COLS - 2, items[top + y], top + y == sel ? A_REVERSE : 0);
		}
		ui_draw_status(u, title, A_BOLD);
		refresh();
		int k = ui_next_key(u);
		switch (k) {
		case 'k': case K(KEY_UP): if (sel > 0) sel--; break;
		case 'j': case K(KEY_DOWN): if (sel < n - 1) sel++; break;
		case 'g': case K(KEY_HOME): sel = 0; break;
		case 'G': case K(KEY_END): sel = n - 1; break;
		case K_ENTER: case 'l': return sel;
		case K_EOF: case K_ESC: case 'q': case 'h': return -1;
		}
	}
}

/* ---- the edit journal ---------------------------------------------------------------------- */

/* one metadata edit checked and applied to the model shown (an edit
 * transaction that is never committed: the file changes at ui_save) */
int ui_meta_edit(struct view *v, const char *key, const char *val)
{
	struct ui *u = v->ui;
	struct edit_txn *t = txn_begin(u->m);
	txn_set_label(t, NULL);
	int r = val ? txn_meta_set(t, key, val, strlen(val)) : txn_meta_rm(t, key);
	txn_end(t);
	ui_take_errors(u);
	if (r < 0)
		return -1;
	if (r == 1) {
		u->preview_forced = 0;
		xgrow((void **)&u->ed, &u->caped, u->ned + 1, sizeof(*u->ed));
		u->ed[u->ned].key = xstrdup(key);
		u->ed[u->ned].val = val ? xstrdup(val) : NULL;
		u->ned++;
		u->dirty = 1;
		/* the other views read metadata too */
		for (int i = 0; i < u->nv; i++)
			if (&u->views[i] != v && u->views[i].ready)
				ui_view_reset(&u->views[i]);
	}
	return r;
}

void ui_journal_clear(struct ui *u)
{
	for (size_t i = 0; i < u->ned; i++) {
		free(u->ed[i].key);
		free(u->ed[i].val);
	}
	u->ned = 0;
	u->dirty = 0;
	u->preview_forced = 0;
}

/* 1 when the edits set a preview key and the preview the model now holds
 * does not fit it (mlpkg meta set refuses it unless --force): said, and
 * the next w saves anyway, as --force would.  A removal never counts. */
static int preview_refused(struct view *v)
{
	struct ui *u = v->ui;
	int touched = 0;
	for (size_t i = 0; i < u->ned; i++) {
		int std;
		const char *k = meta_canonical(u->ed[i].key, &std);
		touched |= u->ed[i].val && (!strcmp(k, PREVIEW_TYPE_KEY) || !strcmp(k, PREVIEW_PARAMS_KEY));
	}
	if (!touched || u->preview_forced)
		return 0;
	char *why = preview_model_problems(u->m->root);
	if (!why)
		return 0;
	u->preview_forced = 1;
	ui_msg(v, "not saved: the preview does not fit the model: %s; w again saves it anyway", why);
	free(why);
	return 1;
}

/* Saving: the model is opened again with its lock, the edits replayed on it
 * in one edit transaction and saved atomically, as `mlpkg meta set` does. */
int ui_save(struct view *v)
{
	struct ui *u = v->ui;
	if (!u->dirty) {
		ui_msg(v, "no changes to save");
		return 0;
	}
	if (u->m->fmt == FMT_STDIN) {
		ui_msg(v, "cannot save standard input in place");
		return error_code_silent(EXIT_USAGE);
	}
	if (preview_refused(v))
		return error_code_silent(EXIT_USAGE);
	struct mlpkg_model *w;
	if (mlpkg_open(u->m->path, MLPKG_OPEN_WRITE, &w) < 0) {
		ui_take_errors(u);
		return -1;
	}
	/* one transaction: the spec and Xcode's metadata overlay, which
	 * follows the entries it holds, in one save */
	struct edit_txn *t = txn_begin(w);
	txn_set_label(t, NULL);
	for (size_t i = 0; i < u->ned; i++) {
		const struct edit *e = &u->ed[i];
		if (e->val)
			txn_meta_set(t, e->key, e->val, strlen(e->val));
		else
			txn_meta_rm(t, e->key);
	}
	int rc = txn_commit(t, NULL, TXN_FORCE) < 0 ? -1 : 0;
	txn_end(t);
	mlpkg_close(w);
	ui_take_errors(u);
	if (rc < 0)
		return -1;
	size_t n = u->ned;
	ui_journal_clear(u);
	ui_msg(v, "saved %zu edit%s to '%s'", n, n == 1 ? "" : "s", u->m->path);
	return 0;
}

