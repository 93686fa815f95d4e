/* term: the terminal for the browser (see frame.h): set up, restored on
 * every exit path and from signal handlers, the messages reported while the
 * screen is up, and drawing text within a width. */
#include "ui/frame.h"
#include "base/error.h"
#include "base/xalloc.h"
#include <curses.h>
#include <langinfo.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/* see frame.h */
struct ui *ui_running;

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

/* Writes the kept messages to stderr (not those an edit handled); with dedupe, a line already written
 * is left out (a damaged part of the model is reported once, however many
 * views ran into it).  Without (in a signal handler: no allocation), as
 * they are. */
static void replay_errors(const struct kept_msg *list, int dedupe)
{
	if (!dedupe) {
		for (const struct kept_msg *k = list; k; k = k->next)
			if (!k->handled && write_all(k->text, k->len) < 0)
				return;
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	for (const struct kept_msg *k = list; k; k = k->next)
		if (!k->handled)
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
	k->handled = 0;
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

void ui_free_kept(struct ui *u)
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
void ui_restore_terminal(void)
{
	struct ui *u = ui_running;
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
	if (ui_running)
		ui_running->in_signal = 1;
	ui_restore_terminal();
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
void ui_take_errors(struct ui *u)
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

int ui_setup(struct ui *u)
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
			return error_code(EXIT_USAGE,
					  "browse needs a terminal (or MLPKG_NO_DISPLAY=1 with MLPKG_SCRIPT)");
		const char *t = getenv("TERM");
		u->scr = newterm(t && *t ? t : "xterm", stdout, stdin);
		if (!u->scr)
			return error("cannot use terminal '%s'", t ? t : "");
	}
	u->active = 1;
	atexit(ui_restore_terminal);
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
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED |
				  BUTTON5_PRESSED,
			  NULL);
	return 0;
}

attr_t ui_attr_of(struct ui *u, int a)
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
int ui_unicode(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

int ui_put(int y, int x, int width, const char *s, attr_t a)
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

void ui_fill(int y, int x, int width, attr_t a)
{
	attron(a);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attroff(a);
}
