/* browse: the ncurses browser (mlpkg browse).  The frame (ui.c, term.c,
 * rows.c, input.c; see frame.h) owns the terminal, the main loop, the key
 * table, the status line and help; each view (one file src/ui/ui-*.c)
 * fills a tree of rows that the frame flattens, draws, folds and
 * searches.  Rows are built lazily: a row's children come from its more()
 * callback, a chunk at a time, when the row is opened and shown, so a big
 * model shows its first screen before the rest of it is read.
 *
 * Key handlers return what to repaint (RP_*); they never paint. */
#ifndef MLPKG_BROWSE_H
#define MLPKG_BROWSE_H
#include <stddef.h>
#include "query/inspect.h"
#include "model/model.h"

/* repaint requests, or-ed */
enum {
	RP_NONE = 0,
	RP_STATUS = 1,  /* the status line */
	RP_BODY = 2,    /* the list and the detail pane */
	RP_REBUILD = 4, /* the rows changed: flatten the view again */
	RP_RELOAD = 8,  /* the view's data changed: build it again */
	RP_QUIT = 16,
};
#define RP_ALL (RP_STATUS | RP_BODY)

/* row colours */
enum { UA_NONE, UA_HEAD, UA_KIND, UA_DIM, UA_KEY, UA_WARN };

struct view;

struct unode {
	char *text;        /* the line, UTF-8; control characters are escaped when drawn */
	char *name, *kind; /* what search looks at besides text (may be NULL) */
	char *path;        /* for the status line (may be NULL) */
	int depth;
	int open;
	int leaf;     /* never has children */
	int done;     /* every child built */
	int is_more;  /* the "more to come" placeholder */
	int attr;     /* UA_* */
	int optional; /* a row the view hides unless asked (an ML program's
		       * const operations): shown when v->show_optional */
	struct unode **kid;
	size_t nkid, cap;
	struct unode *parent;
	struct unode *more_row;
	/* builds up to max more children: 0 all built, 1 more to come, -1 error (reported) */
	int (*more)(struct view *v, struct unode *n, size_t max);
	/* lines for the detail pane */
	void (*detail)(struct view *v, struct unode *n, struct strlist *out);
	void (*free_p)(void *p);
	void *p; /* the view's payload */
	long it; /* iteration state for more() */
	size_t count, aux;
};

/* a key a view handles itself, for help */
struct keydef {
	const char *keys;
	const char *help;
};

/* rows a bounded search (search_builds_all 2) builds at most */
#define SEARCH_BUDGET 200000

struct view_ops {
	const char *name;
	int (*init)(struct view *v);         /* fills v->root; 0 or -1 (reported) */
	int (*key)(struct view *v, int key); /* RP_*, or -1 when the key is not the view's */
	int search_builds_all;               /* search builds every row first (1: cheap views),
					      * or up to SEARCH_BUDGET rows (2) */
	int no_detail;                       /* no detail pane */
	const struct keydef *keys;           /* the view's own keys, for help */
	void (*release)(struct view *v);
};

struct ui;

struct view {
	const struct view_ops *ops;
	struct ui *ui;
	struct unode *root; /* not shown itself: its children are the top rows */
	int ready;
	struct unode **rows; /* the flattened open rows */
	size_t nrows, rcap;
	size_t cur, top;
	int show_optional; /* optional rows shown (c in the layers view) */
	size_t hidden;     /* optional rows the last flatten left out */
	void *priv;
};

/* ---- for the views ---------------------------------------------------------- */
struct mlpkg_model *ui_model(struct view *v);
/* the compiled folder browsed (the model is then NULL), or NULL */
struct compiled *ui_compiled(struct view *v);
/* a new row under parent (NULL: a root, not attached); text is printf-formatted */
struct unode *un_add(struct unode *parent, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void un_free(struct unode *n);
/* builds n's children (deep: and theirs) */
void ui_build_all(struct view *v, struct unode *n, int deep);
/* the cursor moved to row n, its parents opened */
void ui_jump_to(struct view *v, struct unode *n);
/* the row under the cursor, or NULL */
struct unode *ui_current(struct view *v);
/* 1 when the locale's characters are UTF-8 (block characters, ellipses) */
int ui_unicode(void);
/* the message on the status line now (the last error an edit reported) */
const char *ui_status_msg(struct view *v);
/* a message on the status line */
void ui_msg(struct view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* what a prompt asks for: each has its own history (Up, Down) */
enum ui_hist { HIST_SEARCH, HIST_KEY, HIST_VALUE, HIST_KINDS };
/* a line of text read on the status line with the line editor (ui/lineed.h),
 * starting from init (NULL: empty); NULL when cancelled.  Caller frees. */
char *ui_prompt(struct view *v, enum ui_hist kind, const char *label, const char *init);
/* text edited in $VISUAL or $EDITOR (in a temporary file named with suffix,
 * ".json" say), the final newline dropped; NULL when the editor failed or
 * could not run (said).  Caller frees. */
char *ui_edit_text(struct view *v, const char *text, const char *suffix);
/* one of items (NULL-terminated) picked from a list; -1 when cancelled */
int ui_choose(struct view *v, const char *title, const char *const *items, int sel);
/* metadata edits: applied to the model at once, replayed on the locked file
 * when saving; val NULL removes.  1 changed, 0 unchanged, -1 refused
 * (reported on the status line). */
int ui_meta_edit(struct view *v, const char *key, const char *val);
/* The class labels replaced with v[0..n) in the model shown (checked as
 * mlpkg labels set checks them; saved with w): 1 changed, 0 the same, -1
 * refused (why on the status line). */
int ui_labels_edit(struct view *v, char *const *labels, size_t n);
/* the pending edits are saved (w) */
int ui_save(struct view *v);

extern const struct view_ops overview_ops, layers_ops, meta_ops, weights_ops, tree_ops;
/* a compiled folder's own views (ui-compiled.c); overview and weights serve both */
extern const struct view_ops compiled_layers_ops, compiled_meta_ops;

/* runs the browser on model path: exit code */
struct browse_opts {
	int mouse;
	const char *view; /* the first view's name */
};
int browse_run(const char *path, const struct browse_opts *o);
#endif
