/* cmd-layers: what the parts of mlpkg layers (cmd-layers.c, which gathers
 * the listing, and cmd-layers-print.c, which prints it) share: the listing
 * of a model's layers and operations. */
#ifndef MLPKG_CMD_LAYERS_H
#define MLPKG_CMD_LAYERS_H
#include "base/jsonout.h"
#include "query/compiled.h"
#include "query/inspect.h"
#include "query/nnshape.h"
#include <regex.h>
#include <stddef.h>
#include <stdint.h>

enum ev_kind { EV_MODEL, EV_FUNC, EV_BLOCK, EV_LAYER, EV_OP, EV_NET };

/* one line (or group of lines) of the listing, gathered before printing */
struct ev {
	enum ev_kind kind;
	int depth;               /* block nesting of ops and blocks, network nesting of layers */
	char *path;              /* the get path of the model, function block, layer or op */
	char *index;             /* "3", "5.0.2" */
	size_t model;            /* index into the model list */
	struct nn_layer l;       /* EV_LAYER */
	struct mil_op o;         /* EV_OP */
	struct strlist args;     /* EV_OP: its inputs, consts resolved ("strides: int32[2] = [2, 2]") */
	char *fname;             /* EV_FUNC, EV_OP: the function */
	char *opset, *block;     /* EV_FUNC */
	struct strlist ins;      /* EV_FUNC, EV_BLOCK: "name type" */
	struct strlist outs;     /* EV_FUNC, EV_BLOCK: output names */
	const cJSON *eparams;    /* EV_LAYER of a compiled network: its espresso object */
	struct nn_shape *oshape; /* EV_LAYER: its outputs' inferred shapes (l.out.n of them; NULL: none inferred) */
	int match;
};

struct listing {
	struct ev *v;
	size_t n, cap;
	struct model_ref *refs;
	size_t nrefs;
	uint64_t *items;  /* per model: layers or ops */
	const char *type; /* --type */
	regex_t *re;      /* --grep */
};

/* a JSON number that is an integer JSON can carry exactly */
static inline int integral(double d)
{
	return d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(long long)d;
}

/* cmd-layers-print.c: the listing as text (filtered: only the matching
 * layers and operations, flat), as one model's object of the JSON output
 * (0, or -1 reported), and the counts by kind, as text or (jwp not NULL)
 * as one model's object */
void layers_print_list(const struct listing *L, int filtered);
int layers_json_list(struct jw *w, const struct listing *L, const char *model);
void layers_summary(const struct listing *L, struct jw *jwp, const char *model);
#endif
