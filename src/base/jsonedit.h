/* jsonedit: exact edits of a JSON text.  The overlays Xcode writes into a
 * package (Metadata.json, FeatureDescriptions.json) are kept byte for byte
 * except the value, key or member an edit concerns: their layout (two-space
 * indent, " : ", escaped slashes, no final newline) is never re-printed. */
#ifndef MLPKG_JSONEDIT_H
#define MLPKG_JSONEDIT_H
#include <stddef.h>

enum jtype { JT_STRING = 's', JT_OBJECT = 'o', JT_ARRAY = 'a', JT_OTHER = 'n' };

/* one member of an object, anywhere in the document (objects inside arrays
 * included), in text order */
struct jmember {
	size_t key_start, key_end; /* the key token, quotes included */
	size_t val_start, val_end; /* the value */
	size_t sep;                /* just after the '{' or ',' before the member */
	int sep_is_comma;
	size_t comma; /* the ',' after the value, or (size_t)-1 */
	int obj;      /* the object holding it (0: the outermost value) */
	int child;    /* the object that is its value, or -1 */
	enum jtype type;
	char *key; /* decoded */
	char *str; /* decoded value of a string, else NULL */
};

struct jdoc {
	const char *text;
	size_t len;
	struct jmember *m;
	size_t n, cap;
	int slash;                   /* the text writes '/' as "\/" */
	size_t root_start, root_end; /* the outermost value */
};

/* 0 with d filled, -1 when text is not one JSON value (d left empty) */
int jdoc_scan(const char *text, size_t len, struct jdoc *d);
void jdoc_free(struct jdoc *d);
/* the member of object obj named key, or -1 */
long jdoc_find(const struct jdoc *d, int obj, const char *key);

/* New texts (malloc'd, NUL-terminated) with one change spliced in. */
char *jedit_set_string(const struct jdoc *d, size_t i, const char *val, size_t vlen);
char *jedit_rename_key(const struct jdoc *d, size_t i, const char *key);
char *jedit_remove(const struct jdoc *d, size_t i);
/* A member key added at the end of object obj, written the way its last
 * member is (or, in an empty object, its parent's way one level deeper):
 * its value the string val, or with inner non-NULL an object holding the
 * one member inner: val.  NULL when obj is not an object of d. */
char *jedit_add(const struct jdoc *d, int obj, const char *key, const char *inner, const char *val, size_t vlen);

/* 1 when the first character of text that is not white space is one of
 * chars ("{" an object, "{[" an object or array) */
int jtext_opens(const char *text, size_t len, const char *chars);

/* Splices changes one at a time, the text scanned again after each (an
 * entry may be under several names, a removal takes its neighbour's
 * comma): step gets the text as it stands and returns it with one more
 * change (malloc'd), or NULL when there is none left; at most max steps.
 * The text in the end (malloc'd, possibly the same bytes), or NULL when
 * text does not scan. */
typedef char *(*jedit_step_fn)(const struct jdoc *d, void *ctx);
char *jedit_repeat(const char *text, size_t len, jedit_step_fn step, void *ctx, int max);
#endif
