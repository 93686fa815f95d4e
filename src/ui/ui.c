/* ui: the browser's frame: terminal setup and teardown (on every exit path),
 * the headless mode for tests, the main loop, the key table (which also
 * writes the help), the status line, folding, search and the metadata edit
 * journal that saving replays.  Views live in src/ui-*.c. */
#include "ui/browse.h"
#include "base/error.h"
#include "edit/txn.h"
#include "base/xalloc.h"
#include <curses.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

/* keys: characters are themselves, curses function keys are offset */
#define KF 0x1000000
#define K(k) ((k) + KF)
#define K_EOF (-2)
#define K_ESC 27
#define K_TAB '\t'
#define K_ENTER '\n'
#define CHUNK 256

enum action {
	AC_NONE, AC_UP, AC_DOWN, AC_PGUP, AC_PGDN, AC_TOP, AC_BOTTOM, AC_OPEN, AC_TOGGLE, AC_CLOSE, AC_NEXTVIEW,
	AC_PREVVIEW, AC_SEARCH, AC_NEXT, AC_PREV, AC_HELP, AC_QUIT, AC_SAVE, AC_REDRAW,
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

struct edit {
	char *key, *val;   /* val NULL: removed */
};

/* A message reported while the screen is up, as stderr would have had it:
 * "mlpkg: ...\n".  Complete before it is linked, so that a signal handler
 * walking the list sees whole messages only. */
struct kept_msg {
	struct kept_msg *next;
	size_t len;
	char text[];
};

struct ui {
	struct mlpkg_model *m;
	struct view views[5];
	int nv, cur;
	int headless, mouse, color, utf8;
	FILE *script;
	int *pending;      /* keys queued from a script line */
	size_t npend, ipend, cappend;
	char msg[256];
	char *query;
	struct unode **matches;
	size_t nmatch, imatch;
	int has_match;
	struct edit *ed;
	size_t ned, caped;
	int dirty;
	int save_failed;   /* the exit status of the last save, when it failed */
	int zoom, help;    /* the detail pane full screen; the help screen */
	size_t zscroll;
	int tabx[6];
	int lh, dh;        /* list and detail heights of the last layout */
	/* messages while the screen is up (see ui_error_routine) */
	struct kept_msg *kept, **kept_tail;
	struct kept_msg *seen;   /* the newest one the status line has taken */
	error_routine saved_fn;  /* the routine to put back, and its ctx */
	void *saved_ctx;
	int routed;              /* ui_error_routine is installed */
	volatile sig_atomic_t in_signal; /* restoring from a signal handler */
	int active;
	SCREEN *scr;
	FILE *nullin, *nullout;
};

static struct ui *G;

/* ---- terminal setup and teardown ------------------------------------------------ */

static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(2, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes the kept messages to stderr; with dedupe, a line already written
 * is left out (a damaged part of the model is reported once, however many
 * views ran into it).  Without (in a signal handler: no allocation), as
 * they are. */
static void replay_errors(const struct kept_msg *list, int dedupe)
{
	if (!dedupe) {
		for (const struct kept_msg *k = list; k; k = k->next)
			if (write_all(k->text, k->len) < 0)
				return;
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	for (const struct kept_msg *k = list; k; k = k->next)
		sb_add(&sb, k->text, k->len);
	struct strlist seen = { 0 };
	for (char *line = sb.buf; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) + 1 : strlen(line);
		int dup = 0;
		for (size_t i = 0; i < seen.n && !dup; i++)
			dup = strlen(seen.v[i]) == l && !memcmp(seen.v[i], line, l);
		if (!dup) {
			if (write_all(line, l) < 0)
				break;
			sl_push(&seen, xstrndup(line, l));
		}
		line += l;
	}
	sl_free(&seen);
	sb_release(&sb);
}

/* room for the one message that finds memory exhausted */
static _Alignas(struct kept_msg) char spare[sizeof(struct kept_msg) + 256];
static int spare_used;

/* The error routine while the screen is up: stderr would draw over the
 * screen, so each message is kept, for the status line (take_errors) and
 * for stderr once the terminal is restored.  Plain malloc: out of memory,
 * die() comes here, and xmalloc would come back. */
static void ui_error_routine(int code, int is_warning, const char *msg, void *ctx)
{
	struct ui *u = ctx;
	(void)code;
	fflush(stdout);
	const char *pre = is_warning ? "mlpkg: warning: " : "mlpkg: ";
	size_t len = strlen(pre) + strlen(msg) + 1;
	struct kept_msg *k = malloc(sizeof(*k) + len + 1);
	if (!k) {
		if (spare_used)
			return;
		spare_used = 1;
		k = (struct kept_msg *)spare;
		len = sizeof(spare) - sizeof(*k) - 1;
	}
	k->next = NULL;
	snprintf(k->text, len + 1, "%s%s\n", pre, msg);
	k->len = strlen(k->text);
	if (k->text[k->len - 1] != '\n')
		k->text[k->len - 1] = '\n'; /* cut short: still a line */
	atomic_signal_fence(memory_order_release);
	*u->kept_tail = k;
	u->kept_tail = &k->next;
}

/* Puts back the routine that was there before the screen came up. */
static void unroute_errors(struct ui *u)
{
	if (!u->routed)
		return;
	u->routed = 0;
	set_error_routine(u->saved_fn, u->saved_ctx);
}

static void free_kept(struct ui *u)
{
	for (struct kept_msg *k = u->kept, *next; k; k = next) {
		next = k->next;
		if ((char *)k != spare)
			free(k);
	}
	u->kept = u->seen = NULL;
	u->kept_tail = &u->kept;
}

/* Messages reported while the screen is up are kept and written to stderr
 * after the terminal is restored. */
static void restore_terminal(void)
{
	struct ui *u = G;
	if (!u || !u->active)
		return;
	u->active = 0;
	if (!isendwin())
		endwin();
	if (u->routed) {
		unroute_errors(u);
		fflush(stderr);
		replay_errors(u->kept, !u->in_signal);
	}
}

static void on_signal(int sig)
{
	if (G)
		G->in_signal = 1;
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void route_errors(struct ui *u)
{
	u->kept = NULL;
	u->kept_tail = &u->kept;
	u->seen = NULL;
	u->saved_fn = get_error_routine(&u->saved_ctx);
	set_error_routine(ui_error_routine, u);
	u->routed = 1;
}

/* the last line of the newest message since we looked, as the message */
static void take_errors(struct ui *u)
{
	struct kept_msg *newest = NULL;
	for (struct kept_msg *k = u->seen ? u->seen->next : u->kept; k; k = k->next)
		newest = k;
	if (!newest)
		return;
	u->seen = newest;
	char *buf = xstrndup(newest->text, newest->len);
	size_t r = newest->len;
	while (r > 0 && buf[r - 1] == '\n')
		buf[--r] = 0;
	char *last = strrchr(buf, '\n');
	last = last ? last + 1 : buf;
	if (!strncmp(last, "mlpkg: ", 7))
		last += 7;
	snprintf(u->msg, sizeof(u->msg), "%s", last);
	free(buf);
}

static int setup(struct ui *u)
{
	const char *lines = getenv("LINES"), *cols = getenv("COLUMNS");
	if (u->headless) {
		u->nullin = fopen("/dev/null", "r");
		u->nullout = fopen("/dev/null", "w");
		if (!u->nullin || !u->nullout)
			return error("cannot open /dev/null");
		u->scr = newterm("xterm", u->nullout, u->nullin);
		if (!u->scr)
			return error("cannot start a headless screen (terminfo 'xterm' missing?)");
	} else {
		if (!isatty(0) || !isatty(1))
			return error_code(EXIT_USAGE, "browse needs a terminal (or MLPKG_NO_DISPLAY=1 with MLPKG_SCRIPT)");
		const char *t = getenv("TERM");
		u->scr = newterm(t && *t ? t : "xterm", stdout, stdin);
		if (!u->scr)
			return error("cannot use terminal '%s'", t ? t : "");
	}
	u->active = 1;
	atexit(restore_terminal);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGQUIT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	route_errors(u);
	if (u->headless) {
		int l = lines ? atoi(lines) : 24, c = cols ? atoi(cols) : 80;
		resizeterm(l > 2 ? l : 24, c > 10 ? c : 80);
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	const char *nc = getenv("NO_COLOR");
	u->color = !(nc && *nc) && has_colors();
	if (u->color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_YELLOW, -1);
		init_pair(2, COLOR_CYAN, -1);
		init_pair(3, COLOR_GREEN, -1);
		init_pair(4, COLOR_RED, -1);
		init_pair(5, COLOR_BLACK, COLOR_CYAN);
	}
	if (u->mouse && !u->headless)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
	return 0;
}

static attr_t attr_of(struct ui *u, int a)
{
	switch (a) {
	case UA_HEAD: return A_BOLD | (u->color ? COLOR_PAIR(1) : 0);
	case UA_KIND: return u->color ? COLOR_PAIR(2) : 0;
	case UA_KEY: return A_BOLD | (u->color ? COLOR_PAIR(3) : 0);
	case UA_WARN: return A_BOLD | (u->color ? COLOR_PAIR(4) : 0);
	case UA_DIM: return A_DIM;
	}
	return 0;
}

/* ---- drawing text ------------------------------------------------------------------- */

static size_t put_esc(wchar_t *out, size_t k, size_t cap, const char *s)
{
	while (*s && k < cap)
		out[k++] = (wchar_t)(unsigned char)*s++;
	return k;
}

/* s as wide characters in at most width columns, control characters and
 * invalid bytes escaped; returns the characters written, *used the columns */
/* *cut: s did not fit in width columns (or cap characters) */
static size_t widen(const char *s, size_t len, wchar_t *out, size_t cap, int width, int *used, int *cut)
{
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t k = 0;
	int w = 0;
	const char *p = s, *end = s + len;
	while (p < end && k < cap) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, p, (size_t)(end - p), &st);
		char esc[16];
		int cw;
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			snprintf(esc, sizeof(esc), "\\x%02x", (unsigned char)*p);
			memset(&st, 0, sizeof(st));
			r = 1;
			cw = -1;
		} else if (wc == '\n' || wc == '\t' || wc < 0x20 || wc == 0x7f || (wc >= 0x80 && wc < 0xa0)) {
			if (wc == '\n')
				strcpy(esc, "\\n");
			else if (wc == '\t')
				strcpy(esc, "\\t");
			else
				snprintf(esc, sizeof(esc), wc < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)wc);
			cw = -1;
		} else {
			cw = wcwidth(wc);
			if (cw < 0) {
				snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)wc);
			}
		}
		if (cw < 0) {
			int el = (int)strlen(esc);
			if (w + el > width)
				break;
			k = put_esc(out, k, cap, esc);
			w += el;
		} else {
			if (w + cw > width)
				break;
			out[k++] = wc;
			w += cw;
		}
		p += r;
	}
	*used = w;
	*cut = p < end;
	return k;
}

/* draws s at (y, x) in at most width columns; returns the columns used */
static int put(int y, int x, int width, const char *s, attr_t a)
{
	if (width <= 0 || !s)
		return 0;
	wchar_t buf[1024];
	int used, cut;
	size_t cap = sizeof(buf) / sizeof(*buf);
	size_t n = widen(s, strlen(s), buf, cap, width, &used, &cut);
	if (cut && width >= 2) {
		/* a cut is shown: the last column says there is more */
		n = widen(s, strlen(s), buf, cap - 1, width - 1, &used, &cut);
		buf[n++] = MB_CUR_MAX > 1 ? (wchar_t)0x2026 : L'>';
		used++;
	}
	attron(a);
	if (n)
		mvaddnwstr(y, x, buf, (int)n);
	attroff(a);
	return used;
}

static void fill(int y, int x, int width, attr_t a)
{
	attron(a);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attroff(a);
}

/* ---- rows ------------------------------------------------------------------------------ */

struct mlpkg_model *ui_model(struct view *v)
{
	return v->ui->m;
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
static int build_more(struct view *v, struct unode *n)
{
	if (n->done || !n->more)
		return 0;
	int r = n->more(v, n, CHUNK);
	if (r <= 0)
		n->done = 1;
	return r;
}

/* builds every child of n (and below, when deep) */
static void build_all(struct view *v, struct unode *n, int deep)
{
	while (!n->done && build_more(v, n) > 0)
		;
	n->done = 1;
	if (deep)
		for (size_t i = 0; i < n->nkid; i++)
			build_all(v, n->kid[i], 1);
}

/* builds rows below n depth-first until about budget new ones were made;
 * 1 when it stopped short (more rows are left unbuilt) */
static int build_bounded(struct view *v, struct unode *n, size_t *budget)
{
	while (!n->done) {
		if (!*budget)
			return 1;
		size_t before = n->nkid;
		int r = build_more(v, n);
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

static void push_row(struct view *v, struct unode *n)
{
	xgrow((void **)&v->rows, &v->rcap, v->nrows + 1, sizeof(*v->rows));
	v->rows[v->nrows++] = n;
}

static void flat_add(struct view *v, struct unode *n)
{
	for (size_t i = 0; i < n->nkid; i++) {
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

static void flatten(struct view *v)
{
	struct unode *keep = ui_current(v);
	v->nrows = 0;
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

static void open_row(struct view *v, struct unode *n)
{
	if (n->leaf)
		return;
	n->open = 1;
	if (!n->nkid)
		build_more(v, n);
}

static int view_ready(struct view *v)
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
		build_more(v, v->root);
	flatten(v);
	return r;
}

static void view_reset(struct view *v)
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

#define K_MOUSE_SCRIPT K(KEY_MAX + 1)
static MEVENT script_mouse;

static void queue(struct ui *u, int k)
{
	xgrow((void **)&u->pending, &u->cappend, u->npend + 1, sizeof(*u->pending));
	u->pending[u->npend++] = k;
}

static void paint(struct ui *u);

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
	memset(&script_mouse, 0, sizeof(script_mouse));
	if (sscanf(line, "Click %d %d", &a, &b) == 2 || sscanf(line, "DClick %d %d", &a, &b) == 2) {
		script_mouse.y = a;
		script_mouse.x = b;
		script_mouse.bstate = line[0] == 'D' ? BUTTON1_DOUBLE_CLICKED : BUTTON1_CLICKED;
		queue(u, K_MOUSE_SCRIPT);
		return 1;
	}
	if (!strcmp(line, "WheelUp") || !strcmp(line, "WheelDown")) {
		script_mouse.bstate = line[5] == 'U' ? BUTTON4_PRESSED : BUTTON5_PRESSED;
		queue(u, K_MOUSE_SCRIPT);
		return 1;
	}
	if (!strcmp(line, "Dump")) {
		queue(u, K(KEY_MAX + 2));
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

static int next_key(struct ui *u)
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

static void draw_status(struct ui *u, const char *text, attr_t a);

char *ui_prompt(struct view *v, const char *label, const char *init)
{
	struct ui *u = v->ui;
	struct strbuf sb = STRBUF_INIT;
	if (init)
		sb_adds(&sb, init);
	curs_set(1);
	for (;;) {
		char *line = xasprintf("%s%s", label, sb.buf ? sb.buf : "");
		draw_status(u, line, 0);
		free(line);
		refresh();
		int k = next_key(u);
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
			fill(1 + y, 0, COLS, 0);
			if (top + y < n)
				put(1 + y, 2, COLS - 2, items[top + y], top + y == sel ? A_REVERSE : 0);
		}
		draw_status(u, title, A_BOLD);
		refresh();
		int k = next_key(u);
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
	take_errors(u);
	if (r < 0)
		return -1;
	if (r == 1) {
		xgrow((void **)&u->ed, &u->caped, u->ned + 1, sizeof(*u->ed));
		u->ed[u->ned].key = xstrdup(key);
		u->ed[u->ned].val = val ? xstrdup(val) : NULL;
		u->ned++;
		u->dirty = 1;
		/* the other views read metadata too */
		for (int i = 0; i < u->nv; i++)
			if (&u->views[i] != v && u->views[i].ready)
				view_reset(&u->views[i]);
	}
	return r;
}

static void journal_clear(struct ui *u)
{
	for (size_t i = 0; i < u->ned; i++) {
		free(u->ed[i].key);
		free(u->ed[i].val);
	}
	u->ned = 0;
	u->dirty = 0;
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
	struct mlpkg_model *w;
	if (mlpkg_open(u->m->path, MLPKG_OPEN_WRITE, &w) < 0) {
		take_errors(u);
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
	take_errors(u);
	if (rc < 0)
		return -1;
	size_t n = u->ned;
	journal_clear(u);
	ui_msg(v, "saved %zu edit%s to '%s'", n, n == 1 ? "" : "s", u->m->path);
	return 0;
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

static void jump_to(struct view *v, struct unode *n)
{
	for (struct unode *p = n->parent; p && p != v->root; p = p->parent)
		p->open = 1;
	flatten(v);
	for (size_t i = 0; i < v->nrows; i++)
		if (v->rows[i] == n) {
			v->cur = i;
			break;
		}
}

static int run_search(struct view *v, const char *q)
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
		build_all(v, v->root, 1);
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
	jump_to(v, u->matches[u->imatch]);
	if (partial)
		ui_msg(v, "searched the first %d rows only (the tree has more)", SEARCH_BUDGET);
	return RP_ALL | RP_REBUILD;
}

static int step_match(struct view *v, int dir)
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
	jump_to(v, u->matches[u->imatch]);
	return RP_ALL;
}

static void search_forget(struct ui *u)
{
	free(u->matches);
	u->matches = NULL;
	u->nmatch = 0;
	u->has_match = 0;
}

/* ---- painting ------------------------------------------------------------------------------- */

static struct view *curview(struct ui *u)
{
	return &u->views[u->cur];
}

static void draw_status(struct ui *u, const char *text, attr_t a)
{
	int y = LINES - 1;
	fill(y, 0, COLS, A_REVERSE);
	put(y, 0, COLS, text, A_REVERSE | a);
}

static void status_line(struct ui *u)
{
	struct view *v = curview(u);
	struct strbuf right = STRBUF_INIT;
	if (u->dirty)
		sb_adds(&right, " [modified]");
	if (u->has_match && u->query)
		sb_addf(&right, " /%s %zu/%zu", u->query, u->nmatch ? u->imatch + 1 : 0, u->nmatch);
	sb_addf(&right, " %zu/%zu ", v->nrows ? v->cur + 1 : 0, v->nrows);
	int y = LINES - 1;
	fill(y, 0, COLS, A_REVERSE);
	int rw = (int)right.len;
	if (rw > COLS / 2)
		rw = COLS / 2;
	int x = 0;
	if (*u->msg) {
		x += put(y, x, COLS - rw, u->msg, A_REVERSE | A_BOLD);
	} else {
		const char *f = strrchr(u->m->path, '/');
		f = f && f[1] ? f + 1 : u->m->path;
		x += put(y, x, COLS - rw, f, A_REVERSE | A_BOLD);
		struct unode *n = ui_current(v);
		if (n && n->path && x < COLS - rw - 2) {
			x += put(y, x, 1, " ", A_REVERSE);
			put(y, x, COLS - rw - x, n->path, A_REVERSE);
		}
	}
	put(y, COLS - rw, rw, right.buf ? right.buf : "", A_REVERSE);
	sb_release(&right);
}

static void draw_tabs(struct ui *u)
{
	fill(0, 0, COLS, u->color ? COLOR_PAIR(5) : A_REVERSE);
	int x = 0;
	for (int i = 0; i < u->nv; i++) {
		char b[40];
		snprintf(b, sizeof(b), " %d %s ", i + 1, u->views[i].ops->name);
		u->tabx[i] = x;
		attr_t a = i == u->cur ? A_BOLD : (u->color ? COLOR_PAIR(5) : A_REVERSE);
		x += put(0, x, COLS - x, b, a);
	}
	u->tabx[u->nv] = x;
	if (x < COLS - 7)
		put(0, COLS - 7, 7, "? help", u->color ? COLOR_PAIR(5) : A_REVERSE);
}

static void row_text(struct unode *n, int y, int width, int selected)
{
	attr_t base = selected ? A_REVERSE : 0;
	fill(y, 0, width, base);
	int x = 1 + 2 * (n->depth > 0 ? n->depth : 0);
	if (x > width / 2)
		x = width / 2;
	if (!n->leaf && !n->is_more)
		put(y, x, 2, n->open ? "-" : "+", base | A_BOLD);
	x += 2;
	put(y, x, width - x, n->text, base | (selected ? 0 : 0) | attr_of(G, n->attr));
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
		fill(y0 + y, 0, COLS, 0);
		if (from + (size_t)y < l->n) {
			const char *s = l->v[from + (size_t)y];
			put(y0 + y, 1, COLS - 1, s, s[0] && s[0] != ' ' && strchr(s, ':') ? 0 : 0);
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
	sl_pushf(out, "  %-20s %s", "mouse", "click selects, double click opens, wheel scrolls");
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
				build_more(v, v->rows[i]->parent);
				built = 1;
				break;
			}
		if (!built)
			break;
		flatten(v);
	}
}

static void paint(struct ui *u)
{
	struct view *v = curview(u);
	take_errors(u);
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
				put(sy, x, 1, MB_CUR_MAX > 1 ? "\xe2\x94\x80" : "-", A_DIM);
			struct unode *n = ui_current(v);
			if (n && n->kind)
				put(sy, 2, COLS - 4, n->kind, A_BOLD);
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
static void dump_screen(FILE *fp)
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
	search_forget(u);
	view_ready(curview(u));
}

static int quit_asks(struct ui *u)
{
	struct view *v = curview(u);
	if (!u->dirty)
		return 1;
	for (;;) {
		draw_status(u, "unsaved metadata edits: w save and quit, y quit without saving, n stay", A_BOLD);
		refresh();
		int k = next_key(u);
		if (k == 'y' || k == 'Y')
			return 1;
		if (k == 'w')
			return ui_save(v) == 0;
		if (k == K_EOF) {
			/* a script that ends here: leave the question on the screen */
			snprintf(u->msg, sizeof(u->msg), "unsaved metadata edits: w save and quit, y quit without saving, n stay");
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
		case AC_UP: if (u->zscroll) u->zscroll--; return RP_BODY;
		case AC_DOWN: u->zscroll++; return RP_BODY;
		case AC_PGUP: u->zscroll = u->zscroll > page ? u->zscroll - page : 0; return RP_BODY;
		case AC_PGDN: u->zscroll += page; return RP_BODY;
		case AC_TOP: u->zscroll = 0; return RP_BODY;
		case AC_BOTTOM: u->zscroll = (size_t)-1 / 2; return RP_BODY;
		case AC_CLOSE: case AC_QUIT: case AC_TOGGLE: case AC_HELP:
			u->help = u->zoom = 0;
			return RP_ALL;
		default: break;
		}
	}
	switch (a) {
	case AC_NONE: return RP_NONE;
	case AC_UP: if (v->cur) v->cur--; return RP_ALL;
	case AC_DOWN: if (v->cur + 1 < v->nrows) v->cur++; return RP_ALL;
	case AC_PGUP: v->cur = v->cur > page ? v->cur - page : 0; v->top = v->top > page ? v->top - page : 0; return RP_ALL;
	case AC_PGDN:
		v->cur = v->cur + page < v->nrows ? v->cur + page : (v->nrows ? v->nrows - 1 : 0);
		v->top += page;
		return RP_ALL;
	case AC_TOP: v->cur = 0; return RP_ALL;
	case AC_BOTTOM:
		while (v->nrows && v->rows[v->nrows - 1]->is_more) {
			build_all(v, v->rows[v->nrows - 1]->parent, 0);
			flatten(v);
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
			open_row(v, n);
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
			flatten(v);
			jump_to(v, n->parent);
			return RP_ALL | RP_REBUILD;
		}
		return RP_NONE;
	case AC_NEXTVIEW: switch_view(u, u->cur + 1); return RP_ALL;
	case AC_PREVVIEW: switch_view(u, u->cur - 1); return RP_ALL;
	case AC_SEARCH: {
		char *q = ui_prompt(v, "/", NULL);
		int r = RP_ALL;
		if (q && *q)
			r = run_search(v, q);
		free(q);
		return r;
	}
	case AC_NEXT: return step_match(v, 1);
	case AC_PREV: return step_match(v, -1);
	case AC_HELP: u->help = 1; u->zscroll = 0; return RP_ALL;
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
			e = script_mouse;
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
	if (mlpkg_open(path, 0, &u->m) < 0) {
		if (u->script)
			fclose(u->script);
		free(u);
		return last_error_code();
	}
	u->nv = (int)(sizeof(all_views) / sizeof(*all_views));
	for (int i = 0; i < u->nv; i++) {
		u->views[i].ops = all_views[i];
		u->views[i].ui = u;
		if (o->view && !strcmp(o->view, all_views[i]->name))
			u->cur = i;
	}
	G = u;
	if (setup(u) < 0) {
		restore_terminal();
		mlpkg_close(u->m);
		G = NULL;
		free(u);
		return last_error_code();
	}
	view_ready(curview(u));
	int rp = RP_ALL;
	for (;;) {
		if (rp & RP_RELOAD) {
			for (int i = 0; i < u->nv; i++)
				if (u->views[i].ready && &u->views[i] != curview(u))
					view_reset(&u->views[i]);
		}
		if (rp & RP_REBUILD)
			flatten(curview(u));
		if (rp & RP_QUIT)
			break;
		if (rp != RP_NONE)
			paint(u);
		int k = next_key(u);
		if (k == K_EOF)
			break;
		if (k == K(KEY_MAX + 2)) {
			dump_screen(stdout);
			fputs("--\n", stdout);
			rp = RP_NONE;
			continue;
		}
		u->msg[0] = 0;
		rp = handle(u, k);
		take_errors(u);
		if (*u->msg)
			rp |= RP_STATUS;
	}
	if (u->headless || u->script) {
		paint(u);
		if (u->headless)
			dump_screen(stdout);
	}
	restore_terminal();
	for (int i = 0; i < u->nv; i++)
		view_reset(&u->views[i]);
	if (u->headless)
		delscreen(u->scr);
	if (u->nullin)
		fclose(u->nullin);
	if (u->nullout)
		fclose(u->nullout);
	free_kept(u);
	if (u->script)
		fclose(u->script);
	/* edits left unsaved because their save failed: the session failed */
	int rc = u->ned && u->save_failed ? u->save_failed : EXIT_OK;
	journal_clear(u);
	free(u->ed);
	free(u->pending);
	free(u->query);
	free(u->matches);
	mlpkg_close(u->m);
	G = NULL;
	free(u);
	return rc;
}
