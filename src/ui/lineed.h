/* lineed: the browser's one-line editor, without the terminal: a value as
 * wide characters, a cursor, the keys people know from readline and htop,
 * and which part of a long value a field of a given width shows.  ui_prompt
 * (input.c) maps the terminal's keys to LE_* and draws the result. */
#ifndef MLPKG_LINEED_H
#define MLPKG_LINEED_H
#include <stddef.h>
#include <wchar.h>

struct lineed {
	wchar_t *s; /* the value, NUL-terminated */
	size_t len, cap;
	size_t cur;   /* the cursor: before s[cur] */
	size_t first; /* the first character shown (le_scroll) */
};

/* what a key does (a printable character is typed as itself) */
enum le_op {
	LE_LEFT = -100, /* Left, C-b */
	LE_RIGHT,       /* Right, C-f */
	LE_HOME,        /* Home, C-a */
	LE_END,         /* End, C-e */
	LE_BACKSPACE,   /* Backspace, C-h: the character before the cursor */
	LE_DELETE,      /* Delete, C-d: the character under it */
	LE_WORD_LEFT,   /* M-b: to the start of this or the previous word */
	LE_WORD_RIGHT,  /* M-f: to the end of this or the next word */
	LE_KILL_WORD,   /* C-w: the word before the cursor */
	LE_KILL_END,    /* C-k: from the cursor to the end */
	LE_KILL_START,  /* C-u: from the start to the cursor */
};

/* the value text (UTF-8; NULL: empty), cursor at its end */
void le_init(struct lineed *e, const char *text);
void le_free(struct lineed *e);
/* replaces the value (history), cursor at its end */
void le_set(struct lineed *e, const char *text);
/* applies op (an LE_* or a character to insert); 1 when it was one of them */
int le_key(struct lineed *e, int op);
/* the value as UTF-8 (caller frees) */
char *le_text(const struct lineed *e);
/* Moves e->first so that the cursor is inside a field width columns wide
 * (wide characters count 2), and returns the columns from the field's
 * start to the cursor. */
int le_scroll(struct lineed *e, int width);
/* the part of the value the field shows from e->first, as UTF-8, at most
 * width columns (caller frees) */
char *le_visible(const struct lineed *e, int width);
#endif
