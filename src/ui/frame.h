/* frame: what the parts of the browser's frame share (src/ui/ui*.c, not
 * the views): the key codes, the browser's state, and the functions one
 * part calls in another.  term.c: the terminal and the messages kept
 * while it is up; rows.c: rows, folding and search; input.c: keys
 * (typed or scripted), prompts and the metadata edit journal; ui.c:
 * painting, the key table and the main loop. */
#ifndef MLPKG_UI_FRAME_H
#define MLPKG_UI_FRAME_H
#include "ui/browse.h"
#include "base/error.h"
#include <curses.h>
#include <signal.h>
#include <stdio.h>

/* keys: characters are themselves, curses function keys are offset */
#define KF 0x1000000
#define K(k) ((k) + KF)
#define K_EOF (-2)
#define K_ESC 27
#define K_TAB '\t'
#define K_ENTER '\n'
#define CHUNK 256
#define K_MOUSE_SCRIPT K(KEY_MAX + 1)
#define K_DUMP K(KEY_MAX + 2)
/* the screen as text on fp (a script's Dump), whatever is being asked */
void ui_dump_screen(FILE *fp);
/* Alt and c (Esc then c): M-b, M-f in the line editor */
#define K_META(c) K(KEY_MAX + 16 + (c))

struct edit {
	char *key, *val; /* val NULL: removed */
	char **labels;   /* or the class labels replaced (key NULL) */
	size_t nlabels;
};

/* A message reported while the screen is up, as stderr would have had it:
 * "mlpkg: ...\n".  Complete before it is linked, so that a signal handler
 * walking the list sees whole messages only. */
struct kept_msg {
	struct kept_msg *next;
	int handled; /* the answer to an edit, shown and dealt with: not replayed */
	size_t len;
	char text[];
};

/* what was entered at prompts of one kind, oldest first */
struct ui_history {
	char **v;
	size_t n, cap;
};

struct ui {
	struct mlpkg_model *m; /* NULL for a compiled folder: */
	struct compiled *cm;   /* its metadata.json and files, read-only */
	const char *path;      /* the model as named */
	struct view views[5];
	int nv, cur;
	int headless, mouse, color, utf8;
	FILE *script;
	int *pending; /* keys queued from a script line */
	struct ui_history hist[HIST_KINDS];
	size_t npend, ipend, cappend;
	char msg[256];
	char *query;
	struct unode **matches;
	size_t nmatch, imatch;
	int has_match;
	struct edit *ed;
	size_t ned, caped;
	int dirty;
	int save_failed;    /* the exit status of the last save, when it failed */
	int preview_forced; /* w was refused for a preview that does not fit: the
			     * next w saves it anyway (no edit since) */
	int zoom, help;     /* the detail pane full screen; the help screen */
	size_t zscroll;
	int tabx[6];
	int lh, dh; /* list and detail heights of the last layout */
	/* messages while the screen is up (see ui_error_routine) */
	struct kept_msg *kept, **kept_tail;
	struct kept_msg *seen;  /* the newest one the status line has taken */
	error_routine saved_fn; /* the routine to put back, and its ctx */
	void *saved_ctx;
	int routed;                      /* ui_error_routine is installed */
	volatile sig_atomic_t in_signal; /* restoring from a signal handler */
	int active;
	SCREEN *scr;
	FILE *nullin, *nullout;
};

/* rows a view builds at once (beyond, as they are shown) */
#define UI_EAGER_ROWS 5000
/* 1 when rows of the list shown are still to be built */
int ui_rows_pending(const struct view *v);

/* the browser running (for the signal handler), or NULL */
extern struct ui *ui_running;
/* the mouse event of a script's Click/DClick/Wheel line (K_MOUSE_SCRIPT) */
extern MEVENT ui_script_mouse;

/* ---- term.c ---- */
/* sets up the terminal (or the headless screen), routes errors to the
 * status line; 0 or -1 (reported) */
int ui_setup(struct ui *u);
/* puts the terminal back (every exit path; safe from a signal handler) */
void ui_restore_terminal(void);
/* the messages reported since last asked: the newest to the status line */
void ui_take_errors(struct ui *u);
void ui_free_kept(struct ui *u);
/* the curses attribute of a row colour (UA_*) */
attr_t ui_attr_of(struct ui *u, int a);
/* s drawn at y, x within width columns (control characters escaped); the
 * columns used */
int ui_put(int y, int x, int width, const char *s, attr_t a);
void ui_fill(int y, int x, int width, attr_t a);

/* ---- rows.c ---- */
int ui_build_more(struct view *v, struct unode *n);
/* the open rows of v listed again for drawing */
void ui_flatten(struct view *v);
void ui_open_row(struct view *v, struct unode *n);
/* builds the view when first shown; 0 or -1 */
int ui_view_ready(struct view *v);
/* drops the view's rows (built again when next shown) */
void ui_view_reset(struct view *v);
/* search for q from the cursor; dir +1/-1 to the next/previous match; RP_* */
int ui_run_search(struct view *v, const char *q);
int ui_step_match(struct view *v, int dir);
void ui_search_forget(struct ui *u);

/* ---- input.c ---- */
/* the next key: queued, from the script, or typed; K_EOF at the end */
int ui_next_key(struct ui *u);
void ui_journal_clear(struct ui *u);

/* ---- ui.c ---- */
void ui_paint(struct ui *u);
void ui_draw_status(struct ui *u, const char *text, attr_t a);
#endif
