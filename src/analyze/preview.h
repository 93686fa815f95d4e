/* preview: Xcode's model preview, the metadata keys preview.type and
 * preview.params (query/meta.h): what each type needs, the labels the
 * params hold, and whether a type with its params fits a model (its inputs,
 * the output a segmenter colours, the class labels it holds).
 *
 * Nothing here prints or refuses: a fit is a list of problems (what a
 * front end refuses unless told to force it, and check warns about) and
 * of notes (said, never refused). */
#ifndef MLPKG_PREVIEW_H
#define MLPKG_PREVIEW_H
#include <stddef.h>
#include "query/inspect.h"
#include "spec/tree.h"

/* 1 when Xcode is known to use the preview type t (query/meta.h's list) */
int preview_type_known(const char *t);
/* What Xcode needs for preview type t, in words (NULL for an unknown type). */
const char *preview_type_needs(const char *t);

/* The labels of preview params val[0..len) ({"labels": [...]}): 1 and
 * *v[0..*n) (caller frees each and the array), 0 when the params are not
 * JSON or hold no array of string labels. */
int preview_params_labels(const char *val, size_t len, char ***v, size_t *n);

/* Labels from text, one a line: UTF-8, blank lines (white space only) and
 * a final newline ignored, "\r\n" accepted, each label kept as written.
 * 0 and *v[0..*n) (caller frees each and the array); -1 when the text is
 * not UTF-8, holds a NUL byte or no label (*why: the reason, caller frees). */
int preview_labels_parse(const char *text, size_t len, char ***v, size_t *n, char **why);
/* The params JSON for labels v[0..n), as coremltools' tutorial writes it
 * (Python's json.dumps({"labels": [...]}): ", " and ": " separators,
 * non-ASCII as \uXXXX); caller frees. */
char *preview_labels_json(char *const *v, size_t n);
/* The params extra[0..len) (a JSON object, checked by the caller) with
 * "labels" v[0..n) put first: {"labels": [...], <extra's members>}.
 * NULL when extra is not a JSON object or already has labels (*why set,
 * caller frees); else the new text (caller frees). */
char *preview_params_with_labels(char *const *v, size_t n, const char *extra, size_t len, char **why);

struct preview_fit {
	struct strlist problems; /* what does not fit: refused unless forced; check warns */
	struct strlist notes;    /* what is worth saying and cannot be held against it */
};
/* Whether preview type type (NULL: none) with params (NULL: none) fits the
 * model root: problems and notes added to f (release with
 * preview_fit_release).  0, or -1 when the model does not decode
 * (reported). */
int preview_fit(struct mt_node *root, const char *type, const char *params, size_t plen, struct preview_fit *f);
/* preview_fit of the type and params the model's metadata holds (nothing
 * added when it has no preview type and no params) */
int preview_fit_model(struct mt_node *root, struct preview_fit *f);
void preview_fit_release(struct preview_fit *f);
/* The problems of f in one line, joined by "; " (caller frees), or NULL
 * when there are none. */
char *preview_fit_problems(const struct preview_fit *f);
/* The problems of the preview the model root holds, in one line (as
 * preview_fit_problems; caller frees), or NULL when it fits, has none or
 * the model does not decode (nothing reported then). */
char *preview_model_problems(struct mt_node *root);
#endif
