/* input: the browser's input (see frame.h): keys from the terminal or a
 * test script, the status-line prompt and list choice, and the journal of
 * metadata edits that saving replays in one edit transaction. */
#include "ui/frame.h"
#include "ui/lineed.h"
#include "base/error.h"
#include "edit/txn.h"
#include "analyze/preview.h"
#include "query/meta.h"
#include "base/xalloc.h"
#include "base/fs.h"
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/* ---- messages, prompts, choices --------------------------------------------------- */

const char *ui_status_msg(struct view *v)
{
	return v->ui->msg;
}

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
	{ "Up", K(KEY_UP) },
	{ "Down", K(KEY_DOWN) },
	{ "Left", K(KEY_LEFT) },
	{ "Right", K(KEY_RIGHT) },
	{ "PgUp", K(KEY_PPAGE) },
	{ "PgDn", K(KEY_NPAGE) },
	{ "Home", K(KEY_HOME) },
	{ "End", K(KEY_END) },
	{ "Enter", K_ENTER },
	{ "Tab", K_TAB },
	{ "BTab", K(KEY_BTAB) },
	{ "Esc", K_ESC },
	{ "Backspace", K(KEY_BACKSPACE) },
	{ "Space", ' ' },
	{ "Delete", K(KEY_DC) },
	{ "M-b", K_META('b') },
	{ "M-f", K_META('f') },
	{ NULL, 0 },
};

/* see frame.h */
MEVENT ui_script_mouse;

static void queue(struct ui *u, int k)
{
	xgrow((void **)&u->pending, &u->cappend, u->npend + 1, sizeof(*u->pending));
	u->pending[u->npend++] = k;
}

/* one line of a script: a key name, one character, "text to type, C-x,
 * Resize COLSxLINES, Click Y X, DClick Y X, WheelUp, WheelDown, Dump;
 * M-b and M-f for Alt and the key */
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

/* the terminal's key k as a line-editor operation (lineed.h), or k */
static int edit_op(int k)
{
	switch (k) {
	case K(KEY_LEFT):
	case 2: return LE_LEFT; /* C-b */
	case K(KEY_RIGHT):
	case 6: return LE_RIGHT; /* C-f */
	case K(KEY_HOME):
	case 1: return LE_HOME; /* C-a */
	case K(KEY_END):
	case 5: return LE_END; /* C-e */
	case K(KEY_BACKSPACE):
	case 8: return LE_BACKSPACE;
	case K(KEY_DC):
	case 4: return LE_DELETE; /* C-d */
	case K_META('b'): return LE_WORD_LEFT;
	case K_META('f'): return LE_WORD_RIGHT;
	case 23: return LE_KILL_WORD;  /* C-w */
	case 11: return LE_KILL_END;   /* C-k */
	case 21: return LE_KILL_START; /* C-u */
	}
	return k >= KF ? 0 : k;
}

/* the key after Esc, when one came with it (Alt sends Esc and the key):
 * K_META(c) for M-b and M-f, else Esc (the other key is kept) */
static int meta_key(struct ui *u)
{
	if (u->script || u->headless)
		return K_ESC; /* a script names M-b and M-f */
	wint_t wc;
	nodelay(stdscr, TRUE);
	int r = get_wch(&wc);
	nodelay(stdscr, FALSE);
	if (r == OK && (wc == 'b' || wc == 'f'))
		return K_META((int)wc);
	if (r != ERR)
		unget_wch((wchar_t)wc);
	return K_ESC;
}

/* what was entered at earlier prompts of one kind, newest last (Up and
 * Down), a value repeated once */
static void remember(struct ui *u, enum ui_hist kind, const char *val)
{
	struct ui_history *hs = &u->hist[kind];
	if (!*val || (hs->n && !strcmp(hs->v[hs->n - 1], val)))
		return;
	xgrow((void **)&hs->v, &hs->cap, hs->n + 1, sizeof(*hs->v));
	hs->v[hs->n++] = xstrdup(val);
}

/* The editor a value is edited in: $VISUAL, else $EDITOR, else vi, as git
 * chooses.  It runs through sh with the file as its argument, so "code -w" or
 * "emacs -nw" work; the screen is given back to it while it runs. */
static const char *editor_command(void)
{
	const char *e = getenv("VISUAL");
	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

/* runs the editor on path: 0 when it exited 0, else -1 with the reason said */
static int run_editor(struct ui *u, const char *path)
{
	const char *ed = editor_command();
	char *cmd = xasprintf("%s \"$@\"", ed);
	if (!u->headless) {
		def_prog_mode();
		endwin();
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (u->headless) { /* a test: the screen dump is not the editor's */
			int fd = open("/dev/null", O_RDWR);
			if (fd >= 0) {
				dup2(fd, 0);
				dup2(fd, 1);
			}
		}
		signal(SIGINT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
		_exit(127);
	}
	int status = 0, r = -1;
	if (pid > 0)
		while ((r = (int)waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
	if (!u->headless) {
		reset_prog_mode();
		refresh();
	}
	free(cmd);
	if (pid < 0 || r < 0)
		return error("cannot run the editor '%s'", ed);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return error("cannot run the editor '%s' (set VISUAL or EDITOR)", ed);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error("the editor '%s' failed (exit %d)", ed,
			     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

char *ui_edit_text(struct view *v, const char *text, const char *suffix)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/mlpkg-value-XXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
	int fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0) {
		error("cannot make a temporary file for the editor: %s", strerror(errno));
		free(path);
		return NULL;
	}
	size_t n = text ? strlen(text) : 0;
	char *result = NULL;
	FILE *f = fdopen(fd, "w");
	if (!f || (n && fwrite(text, 1, n, f) != n) || fputc('\n', f) == EOF || fclose(f) != 0) {
		if (!f)
			close(fd);
		error("cannot write '%s': %s", path, strerror(errno));
	} else if (run_editor(v->ui, path) == 0) {
		uint8_t *buf = NULL;
		size_t len = 0;
		if (fs_read_file(path, &buf, &len, (size_t)64 << 20) == 0) {
			/* the final newline editors add is not part of the value */
			if (len && buf[len - 1] == '\n')
				len--;
			if (len && buf[len - 1] == '\r')
				len--;
			result = xstrndup((const char *)buf, len);
			free(buf);
		}
	}
	unlink(path);
	free(path);
	return result;
}

char *ui_prompt(struct view *v, enum ui_hist kind, const char *label, const char *init)
{
	struct ui *u = v->ui;
	struct lineed e;
	le_init(&e, init);
	char **hv = u->hist[kind].v;
	size_t nh = u->hist[kind].n;
	size_t h = nh;      /* the history entry shown; nh: the value being typed */
	char *typed = NULL; /* that value, while an earlier one is shown */
	char *result = NULL;
	curs_set(1);
	for (;;) {
		int y = LINES - 1;
		ui_fill(y, 0, COLS, A_REVERSE);
		int x = ui_put(y, 0, COLS, label, A_REVERSE);
		int width = COLS - x - 1;
		int at = le_scroll(&e, width);
		char *shown = le_visible(&e, width);
		ui_put(y, x, width, shown, A_REVERSE);
		free(shown);
		move(y, x + at);
		refresh();
		int k = ui_next_key(u);
		if (k == K_DUMP) {
			ui_dump_screen(stdout);
			fputs("--\n", stdout);
			continue;
		}
		if (k == K_ESC)
			k = meta_key(u);
		if (k == K_EOF || k == K_ESC || k == 7) /* C-g */
			break;
		if (k == K_ENTER) {
			result = le_text(&e);
			remember(u, kind, result);
			break;
		}
		if (k == K(KEY_UP) || k == K(KEY_DOWN)) {
			size_t to = h;
			if (k == K(KEY_UP) && h > 0)
				to = h - 1;
			else if (k == K(KEY_DOWN) && h < nh)
				to = h + 1;
			if (to == h)
				continue;
			if (h == nh) {
				free(typed);
				typed = le_text(&e);
			}
			h = to;
			le_set(&e, h == nh ? typed : hv[h]);
			continue;
		}
		int op = edit_op(k);
		if (op)
			le_key(&e, op);
	}
	free(typed);
	le_free(&e);
	curs_set(0);
	return result;
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
		if (k == K_DUMP) {
			ui_dump_screen(stdout);
			fputs("--\n", stdout);
			continue;
		}
		switch (k) {
		case 'k':
		case K(KEY_UP):
			if (sel > 0)
				sel--;
			break;
		case 'j':
		case K(KEY_DOWN):
			if (sel < n - 1)
				sel++;
			break;
		case 'g':
		case K(KEY_HOME): sel = 0; break;
		case 'G':
		case K(KEY_END): sel = n - 1; break;
		case K_ENTER:
		case 'l': return sel;
		case K_EOF:
		case K_ESC:
		case 'q':
		case 'h': return -1;
		}
	}
}

/* ---- the edit journal ---------------------------------------------------------------------- */

/* one edit checked and applied to the model shown (an edit transaction
 * that is never committed: the file changes at ui_save), journalled */
static int journal_edit(struct view *v, const char *key, const char *val, char *const *labels, size_t nlabels)
{
	struct ui *u = v->ui;
	struct kept_msg **before = u->kept_tail;
	struct edit_txn *t = txn_begin(u->m);
	txn_set_label(t, NULL);
	int r = key ? (val ? txn_meta_set(t, key, val, strlen(val)) : txn_meta_rm(t, key))
		    : txn_labels_set(t, labels, nlabels);
	txn_end(t);
	ui_take_errors(u);
	/* what the edit said is on the status line and answered there: not
	 * written again when the browser ends */
	if (u->routed)
		for (struct kept_msg *k = *before; k; k = k->next)
			k->handled = 1;
	if (r < 0)
		return -1;
	if (r == 1) {
		u->preview_forced = 0;
		xgrow((void **)&u->ed, &u->caped, u->ned + 1, sizeof(*u->ed));
		struct edit *e = &u->ed[u->ned++];
		memset(e, 0, sizeof(*e));
		e->key = key ? xstrdup(key) : NULL;
		e->val = val ? xstrdup(val) : NULL;
		if (!key) {
			e->labels = xcalloc(nlabels ? nlabels : 1, sizeof(char *));
			for (size_t i = 0; i < nlabels; i++)
				e->labels[i] = xstrdup(labels[i]);
			e->nlabels = nlabels;
		}
		u->dirty = 1;
		/* the other views read metadata too */
		for (int i = 0; i < u->nv; i++)
			if (&u->views[i] != v && u->views[i].ready)
				ui_view_reset(&u->views[i]);
	}
	return r;
}

int ui_meta_edit(struct view *v, const char *key, const char *val)
{
	return journal_edit(v, key, val, NULL, 0);
}

int ui_labels_edit(struct view *v, char *const *labels, size_t n)
{
	return journal_edit(v, NULL, NULL, labels, n);
}

void ui_journal_clear(struct ui *u)
{
	for (size_t i = 0; i < u->ned; i++) {
		free(u->ed[i].key);
		free(u->ed[i].val);
		for (size_t k = 0; k < u->ed[i].nlabels; k++)
			free(u->ed[i].labels[k]);
		free(u->ed[i].labels);
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
		const char *k = u->ed[i].key ? meta_canonical(u->ed[i].key, &std) : "";
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
		if (!e->key)
			txn_labels_set(t, e->labels, e->nlabels);
		else if (e->val)
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
