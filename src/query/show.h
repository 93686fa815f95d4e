/* show: how query results read as text and JSON, shared by the commands
 * and the browser (feature tables, interface JSON, escaping, wrapping to
 * 80 columns). */
#ifndef MLPKG_SHOW_H
#define MLPKG_SHOW_H
#include <stdio.h>
#include "query/inspect.h"
#include "base/jsonout.h"

#define SHOW_WIDTH 80

/* s with control characters escaped */
void show_escaped(FILE *fp, const char *s);
/* "title:" then one feature a line: name, type, "optional", description
 * (on the next line when it does not fit in 80 columns) */
void show_features_text(FILE *fp, const char *title, const struct io_list *l, int indent);
/* [{"name", "description", "type", "kind", ...}] */
void show_features_json(struct jw *w, const struct io_list *l);
/* the keys of an interface group into the open object: inputs, outputs,
 * states, trainingInputs, predictedFeatureName, predictedProbabilitiesName */
void show_group_json(struct jw *w, const struct io_group *g);
/* items separated by sep, wrapped at SHOW_WIDTH; the first line continues
 * at column col, later lines start at column indent */
void show_wrap(FILE *fp, const struct strlist *items, const char *sep, int col, int indent);
/* words of s wrapped at SHOW_WIDTH: the first line continues at column col,
 * later lines start at column indent */
void show_words(FILE *fp, const char *s, int col, int indent);
/* prints n spaces */
void show_pad(FILE *fp, int n);
#endif
