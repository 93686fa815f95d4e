/* preview: Xcode's preview keys against the model (see preview.h): the
 * types and what each needs, labels in and out of the params JSON, and the
 * fit of a type, its labels and its params to the model's interface and
 * class labels. */
#include "analyze/preview.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "edit/labels.h"
#include "query/meta.h"
#include "spec/wire.h"
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what a preview type shows, for the checks against the inputs */
enum pkind { PK_IMAGE, PK_TEXT, PK_TOKENS, PK_OTHER };

static const struct ptype {
	const char *name;
	enum pkind kind;
	int classes; /* its labels are the class labels the model holds */
	const char *needs;
} ptypes[] = {
	{ "imageSegmenter", PK_IMAGE, 0,
	  "an image input and an output of per-class scores shaped [1, C, H, W]; "
	  "params {\"labels\": [C class names], \"colors\": [\"#RRGGBB\", ...] (optional)}" },
	{ "objectDetector", PK_IMAGE, 1,
	  "an image input and the outputs confidence and coordinates (a pipeline ending in "
	  "non-maximum suppression, which holds the class labels)" },
	{ "imageClassifier", PK_IMAGE, 1, "an image input and the class labels of a classifier" },
	{ "depthEstimation", PK_IMAGE, 0, "an image input and a depth map output" },
	{ "poseEstimation", PK_IMAGE, 0,
	  "an image input; params {\"width_multiplier\": number, \"output_stride\": integer}" },
	{ "styleTransfer", PK_IMAGE, 0, "an image input and an image output" },
	{ "bertQA", PK_TOKENS, 0, "a question and a passage as token IDs (multiArray inputs)" },
	{ "textGenerator", PK_TOKENS, 0, "token IDs in (a multiArray input), next-token scores out" },
	{ "textClassifier", PK_TEXT, 1, "a string input (the text) and class labels" },
	{ "wordTagger", PK_TEXT, 1, "a string input (the text) and the tags" },
	{ "tabularClassifier", PK_OTHER, 1, "one input a column (numbers or strings) and class labels" },
	{ "tabularRegressor", PK_OTHER, 0, "one input a column (numbers or strings) and a number out" },
	{ "handPoseClassifier", PK_OTHER, 1, "hand keypoints (a multiArray [1, 3, 21]) and class labels" },
	{ "handActionClassifier", PK_OTHER, 1, "a window of hand keypoints (a multiArray) and class labels" },
	{ "soundClassifier", PK_OTHER, 1, "audio samples (a multiArray) and class labels" },
	{ "activityClassifier", PK_OTHER, 1, "motion sensor windows (multiArrays) and class labels" },
};
#define NPTYPES (sizeof(ptypes) / sizeof(ptypes[0]))

static const struct ptype *find_type(const char *t)
{
	for (size_t i = 0; t && i < NPTYPES; i++)
		if (!strcmp(ptypes[i].name, t))
			return &ptypes[i];
	return NULL;
}

int preview_type_known(const char *t)
{
	for (const char *const *p = preview_types; t && *p; p++)
		if (!strcmp(*p, t))
			return 1;
	return 0;
}

const char *preview_type_needs(const char *t)
{
	const struct ptype *p = find_type(t);
	return p ? p->needs : NULL;
}

/* ---- labels in and out of the params -------------------------------------- */

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int preview_params_labels(const char *val, size_t len, char ***v, size_t *n)
{
	return meta_params_labels(val, len, v, n);
}

int preview_labels_parse(const char *text, size_t len, char ***v, size_t *n, char **why)
{
	*v = NULL;
	*n = 0;
	*why = NULL;
	if (memchr(text, 0, len)) {
		*why = xstrdup("it holds a NUL byte");
		return -1;
	}
	if (!wire_utf8_valid((const uint8_t *)text, len)) {
		*why = xstrdup("it is not UTF-8 text");
		return -1;
	}
	size_t cap = 0, k = 0, line = 0;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len, e = end;
		line++;
		if (e > at && text[e - 1] == '\r')
			e--;
		int blank = 1;
		for (size_t i = at; i < e && blank; i++)
			blank = strchr(" \t\r\f\v", text[i]) != NULL;
		if (!blank) {
			xgrow((void **)v, &cap, k + 1, sizeof(**v));
			(*v)[k++] = xstrndup(text + at, e - at);
		}
		at = end + 1;
	}
	*n = k;
	if (!k) {
		free(*v);
		*v = NULL;
		*why = xstrdup(line ? "it holds only blank lines" : "it is empty");
		return -1;
	}
	return 0;
}

/* s as Python's json.dumps writes a str (ensure_ascii): the escapes it
 * uses, \u00XX for other control characters, \uXXXX (a surrogate pair
 * above U+FFFF) for everything outside printable ASCII */
static void json_dumps_str(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c = *p;
		int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
		if (extra)
			c &= extra == 1 ? 0x1F : extra == 2 ? 0x0F : 0x07;
		p++;
		for (int i = 0; i < extra && *p; i++, p++)
			c = (c << 6) | (*p & 0x3F);
		switch (c) {
		case '"': sb_adds(sb, "\\\""); continue;
		case '\\': sb_adds(sb, "\\\\"); continue;
		case '\n': sb_adds(sb, "\\n"); continue;
		case '\r': sb_adds(sb, "\\r"); continue;
		case '\t': sb_adds(sb, "\\t"); continue;
		case '\b': sb_adds(sb, "\\b"); continue;
		case '\f': sb_adds(sb, "\\f"); continue;
		}
		if (c >= 0x20 && c < 0x7F)
			sb_addc(sb, (int)c);
		else if (c < 0x10000)
			sb_addf(sb, "\\u%04x", (unsigned)c);
		else {
			c -= 0x10000;
			sb_addf(sb, "\\u%04x\\u%04x", (unsigned)(0xD800 + (c >> 10)), (unsigned)(0xDC00 + (c & 0x3FF)));
		}
	}
	sb_addc(sb, '"');
}

static void labels_array(struct strbuf *sb, char *const *v, size_t n)
{
	sb_adds(sb, "{\"labels\": [");
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_adds(sb, ", ");
		json_dumps_str(sb, v[i]);
	}
	sb_addc(sb, ']');
}

char *preview_labels_json(char *const *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	labels_array(&sb, v, n);
	sb_addc(&sb, '}');
	return sb_detach(&sb, NULL);
}

char *preview_params_with_labels(char *const *v, size_t n, const char *extra, size_t len, char **why)
{
	*why = NULL;
	cJSON *j = cJSON_ParseWithLength(extra, len);
	int obj = cJSON_IsObject(j), has = obj && cJSON_GetObjectItemCaseSensitive(j, "labels");
	int empty = obj && !j->child;
	cJSON_Delete(j);
	if (!obj || has) {
		*why = xstrdup(!obj ? "--params must be a JSON object to go with --labels"
				    : "--params has labels of its own: give the labels one way");
		return NULL;
	}
	struct strbuf sb = STRBUF_INIT;
	labels_array(&sb, v, n);
	if (empty) {
		sb_addc(&sb, '}');
		return sb_detach(&sb, NULL);
	}
	/* extra's members as written: the text after its opening brace */
	size_t i = 0;
	while (i < len && extra[i] != '{')
		i++;
	i++;
	while (i < len && strchr(" \t\r\n", extra[i]))
		i++;
	size_t e = len;
	while (e > i && strchr(" \t\r\n", extra[e - 1]))
		e--;
	sb_adds(&sb, ", ");
	sb_add(&sb, extra + i, e - i);
	return sb_detach(&sb, NULL);
}

/* ---- the fit ------------------------------------------------------------------ */

void preview_fit_release(struct preview_fit *f)
{
	sl_free(&f->problems);
	sl_free(&f->notes);
}

char *preview_fit_problems(const struct preview_fit *f)
{
	if (!f->problems.n)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < f->problems.n; i++) {
		if (i)
			sb_adds(&sb, "; ");
		sb_adds(&sb, f->problems.v[i]);
	}
	return sb_detach(&sb, NULL);
}

/* "image (image<RGB,512x512>), text (string)" */
static char *feature_list(const struct io_list *l)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->n; i++) {
		char *t = ft_format(&l->v[i].type);
		sb_addf(&sb, "%s'%s' (%s)", i ? ", " : "", l->v[i].name, t);
		free(t);
	}
	if (!l->n)
		sb_adds(&sb, "none");
	return sb_detach(&sb, NULL);
}

/* the dimensions of a multi-array (or 0 when it declares none): its shape,
 * else as many as its ranges */
static size_t array_rank(const struct ft_info *t)
{
	return t->shape.rank ? t->shape.rank : t->nranges;
}

/* a multi-array laid out as an image: [..., C, H, W] or [..., H, W, C] with
 * C 1, 3 or 4 and H, W at least 8 */
static int image_like(const struct ft_info *t)
{
	if (t->kind != FT_ARRAY || t->shape.rank < 3)
		return 0;
	const int64_t *d = t->shape.dim + t->shape.rank - 3;
	int chw = (d[0] == 1 || d[0] == 3 || d[0] == 4) && d[1] >= 8 && d[2] >= 8;
	int hwc = (d[2] == 1 || d[2] == 3 || d[2] == 4) && d[0] >= 8 && d[1] >= 8;
	return chw || hwc;
}

/* the inputs against what the type shows */
static void fit_inputs(const struct ptype *p, const char *type, const struct io_group *g, struct preview_fit *f)
{
	const struct io_list *in = &g->in;
	if (p->kind == PK_IMAGE) {
		for (size_t i = 0; i < in->n; i++)
			if (in->v[i].type.kind == FT_IMAGE)
				return;
		for (size_t i = 0; i < in->n; i++)
			if (image_like(&in->v[i].type)) {
				char *t = ft_format(&in->v[i].type);
				sl_pushf(&f->notes,
					 "input '%s' is a multiArray shaped like an image (%s), not an image: Xcode's "
					 "%s "
					 "preview needs an image input (convert with an image input type)",
					 in->v[i].name, t, type);
				free(t);
				return;
			}
		char *l = feature_list(in);
		sl_pushf(&f->problems, "%s previews need an image input, and the model's inputs are %s", type, l);
		free(l);
	} else if (p->kind == PK_TEXT) {
		for (size_t i = 0; i < in->n; i++)
			if (in->v[i].type.kind == FT_STRING)
				return;
		char *l = feature_list(in);
		sl_pushf(&f->problems, "%s previews need a string input (the text), and the model's inputs are %s",
			 type, l);
		free(l);
	}
}

/* a segmenter's labels against the channels of the output it colours */
static void fit_segmenter(size_t nl, const struct io_group *g, struct preview_fit *f)
{
	const struct feature *o = NULL, *noshape = NULL;
	for (size_t i = 0; i < g->out.n && !o; i++) {
		const struct ft_info *t = &g->out.v[i].type;
		if (t->kind != FT_ARRAY)
			continue;
		if (array_rank(t) >= 3)
			o = &g->out.v[i];
		else if (array_rank(t) == 0 && !noshape)
			noshape = &g->out.v[i];
	}
	if (!o) {
		if (noshape)
			sl_pushf(&f->notes, "output '%s' declares no shape: the count of %zu labels cannot be checked",
				 noshape->name, nl);
		else
			sl_pushf(&f->notes,
				 "no output is shaped like per-class scores ([1, C, H, W]): the count of %zu labels "
				 "cannot be checked",
				 nl);
		return;
	}
	const struct ft_info *t = &o->type;
	size_t rank = array_rank(t), c = rank >= 4 ? rank - 3 : 0;
	char *ts = ft_format(t);
	int flexible = 0;
	if (c < t->nranges && (t->ranges[c].hi < 0 || (uint64_t)t->ranges[c].hi != t->ranges[c].lo))
		flexible = 1;
	for (size_t i = 0; i < t->nshapes; i++)
		if (c >= t->shapes[i].rank || (c < t->shape.rank && t->shapes[i].dim[c] != t->shape.dim[c]))
			flexible = 1;
	int64_t ch = c < t->shape.rank ? t->shape.dim[c] : -1;
	if (!flexible && ch < 0 && c < t->nranges)
		ch = (int64_t)t->ranges[c].lo;
	if (flexible || ch < 0) {
		sl_pushf(&f->notes,
			 "output '%s' (%s) has a flexible size in dimension %zu, its classes: the count of %zu labels "
			 "cannot be checked",
			 o->name, ts, c, nl);
	} else if (rank == 3 && ch == 1) {
		sl_pushf(&f->notes,
			 "output '%s' (%s) holds one class index a pixel: the count of %zu labels cannot be checked",
			 o->name, ts, nl);
	} else if ((uint64_t)ch != nl) {
		sl_pushf(&f->problems, "%zu label%s, but output '%s' (%s) has %lld classes in dimension %zu", nl,
			 nl == 1 ? "" : "s", o->name, ts, (long long)ch, c);
	}
	free(ts);
}

/* a classifier's or detector's labels against the class labels the model holds */
static int fit_classes(struct mt_node *root, const char *type, char **v, size_t nl, struct preview_fit *f)
{
	struct iface_labels l;
	int r = iface_labels_get(root, &l);
	if (r < 0)
		return -1;
	if (r == 0) {
		sl_pushf(&f->notes, "the model holds no class labels to check the %zu labels against", nl);
		return 0;
	}
	if (l.per_example) {
		iface_labels_release(&l);
		return 0;
	}
	if (l.n != nl) {
		sl_pushf(&f->problems, "%zu label%s, but the model holds %zu class labels (%s)", nl, nl == 1 ? "" : "s",
			 l.n, l.where);
	} else {
		for (size_t i = 0; i < nl; i++)
			if (strcmp(v[i], l.v[i])) {
				sl_pushf(&f->problems,
					 "label %zu is '%s', but the model's class label %zu is '%s' (%s); %s previews "
					 "show the model's labels",
					 i + 1, v[i], i + 1, l.v[i], l.where, type);
				break;
			}
	}
	iface_labels_release(&l);
	return 0;
}

/* the params' shape: a JSON object, labels an array of strings, and what
 * the type itself takes (meta_params_problem) */
static void fit_params(const char *type, int known, const char *params, size_t plen, struct preview_fit *f)
{
	char *why = meta_params_problem(params, plen, type);
	if (why) {
		sl_push(&f->problems, why);
		return;
	}
	if (!known)
		return;
	cJSON *j = cJSON_ParseWithLength(params, plen);
	if (!cJSON_IsObject(j)) {
		sl_pushf(&f->problems, "preview.params must be a JSON object, as Xcode reads it");
	} else {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(j, "labels"), *e;
		int ok = !l || cJSON_IsArray(l);
		cJSON_ArrayForEach(e, l) if (!cJSON_IsString(e)) ok = 0;
		if (!ok)
			sl_pushf(&f->problems, "preview.params: \"labels\" must be an array of strings");
	}
	cJSON_Delete(j);
}

int preview_fit(struct mt_node *root, const char *type, const char *params, size_t plen, struct preview_fit *f)
{
	const struct ptype *p = find_type(type);
	if (params)
		fit_params(type, p != NULL, params, plen, f);
	if (!type) {
		if (params)
			sl_pushf(&f->notes, "preview.params without a preview.type: Xcode shows no preview");
		return 0;
	}
	if (!p) {
		sl_pushf(&f->notes, "'%s' is not a preview type Xcode is known to use: not checked against the model",
			 type);
		return 0;
	}
	struct model_io io;
	if (io_read(root, &io) < 0)
		return -1;
	int rc = 0;
	if (io.n) {
		/* the default function's interface for a multi-function model */
		const struct io_group *g = &io.g[0];
		for (size_t i = 1; i < io.n && !g->in.n; i++)
			if (io.g[i].is_default)
				g = &io.g[i];
		fit_inputs(p, type, g, f);
		char **v = NULL;
		size_t nl = 0;
		if (params && preview_params_labels(params, plen, &v, &nl) == 1) {
			if (!strcmp(type, "imageSegmenter"))
				fit_segmenter(nl, g, f);
			else if (p->classes)
				rc = fit_classes(root, type, v, nl, f);
		}
		free_list(v, nl);
	}
	io_release(&io);
	return rc;
}

int preview_fit_model(struct mt_node *root, struct preview_fit *f)
{
	char *type = NULL, *params = NULL;
	size_t tl = 0, pl = 0;
	int rc = 0;
	if (meta_get(root, PREVIEW_TYPE_KEY, &type, &tl) < 0 || meta_get(root, PREVIEW_PARAMS_KEY, &params, &pl) < 0)
		rc = -1;
	else if (type || params)
		rc = preview_fit(root, type, params, pl, f);
	free(type);
	free(params);
	return rc;
}

char *preview_model_problems(struct mt_node *root)
{
	struct preview_fit f = { 0 };
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	char *why = preview_fit_model(root, &f) < 0 ? NULL : preview_fit_problems(&f);
	error_capture_end(&cap);
	preview_fit_release(&f);
	return why;
}
