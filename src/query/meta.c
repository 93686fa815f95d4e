/* meta: metadata reads and the checks of a value (see meta.h); the edits
 * are in edit/meta-edit.c. */
#include "query/meta.h"
#include "base/error.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

const char *const preview_types[] = {
	"imageSegmenter",
	"bertQA",
	"poseEstimation",
	"imageClassifier",
	"depthEstimation",
	"objectDetector",
	"tabularClassifier",
	"tabularRegressor",
	"textGenerator",
	"textClassifier",
	"wordTagger",
	"handPoseClassifier",
	"handActionClassifier",
	"soundClassifier",
	"activityClassifier",
	"styleTransfer",
	NULL,
};

static const struct {
	const char *name;
	int num;
} std_keys[] = {
	{ "description", F_Metadata_shortDescription },
	{ "shortDescription", F_Metadata_shortDescription },
	{ "version", F_Metadata_versionString },
	{ "versionString", F_Metadata_versionString },
	{ "author", F_Metadata_author },
	{ "license", F_Metadata_license },
};

static const char *std_name(int num)
{
	switch (num) {
	case F_Metadata_shortDescription: return "description";
	case F_Metadata_versionString: return "version";
	case F_Metadata_author: return "author";
	case F_Metadata_license: return "license";
	}
	return NULL;
}

const char *meta_canonical(const char *key, int *std)
{
	*std = 0;
	if (!strncmp(key, META_USER_PREFIX, strlen(META_USER_PREFIX)))
		return key + strlen(META_USER_PREFIX);
	for (size_t i = 0; i < sizeof(std_keys) / sizeof(std_keys[0]); i++)
		if (!strcmp(key, std_keys[i].name)) {
			*std = std_keys[i].num;
			return std_name(*std);
		}
	if (!strcmp(key, "preview.type"))
		return PREVIEW_TYPE_KEY;
	if (!strcmp(key, "preview.params") || !strcmp(key, "preview.parameters"))
		return PREVIEW_PARAMS_KEY;
	return key;
}

/* the child numbered num (last occurrence): 1 (*out), 0 absent (or not a
 * message our schema knows there), -1 when it does not decode (reported) */
static int child_of(struct mt_node *n, uint32_t num, struct mt_node **out)
{
	*out = NULL;
	long i = mt_find_last(n, num);
	if (i < 0)
		return n->state == MT_BAD ? -1 : 0;
	*out = mt_child(n, (size_t)i);
	if (*out)
		return 1;
	return n->f[i].child && n->f[i].child->state == MT_BAD ? -1 : 0;
}

/* description.metadata: 1 (*m), 0 absent, -1 invalid (reported) */
int meta_node(struct mt_node *root, struct mt_node **m)
{
	struct mt_node *d;
	int r = child_of(root, F_Model_description, &d);
	*m = NULL;
	return r == 1 ? child_of(d, F_ModelDescription_metadata, m) : r;
}

/* reads a map entry's key and value spans */
static int entry_kv(struct mt_node *e, const uint8_t **k, size_t *kl, const uint8_t **v, size_t *vl)
{
	*k = (const uint8_t *)"";
	*v = (const uint8_t *)"";
	*kl = *vl = 0;
	if (mt_parse(e) < 0)
		return -1;
	for (size_t i = 0; i < e->n; i++) {
		if (e->f[i].wt != WT_LEN)
			continue;
		if (e->f[i].number == F_Metadata_UserDefinedEntry_key)
			*k = e->f[i].val, *kl = e->f[i].vlen;
		else if (e->f[i].number == F_Metadata_UserDefinedEntry_value)
			*v = e->f[i].val, *vl = e->f[i].vlen;
	}
	return 0;
}

/* userDefined entries by key (length kl[i]), then by position */
struct dup_key {
	const struct meta_entry *e;
	size_t kl, pos;
};

static int cmp_dup_key(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;
	size_t l = x->kl < y->kl ? x->kl : y->kl;
	int c = memcmp(x->e->key, y->e->key, l);
	if (c)
		return c;
	if (x->kl != y->kl)
		return x->kl < y->kl ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* A later userDefined entry with the same key wins: drops the earlier ones
 * (sorting, not comparing every pair: a model with many keys stays fast).
 * Returns the new count; the order of what remains is kept. */
static size_t drop_earlier_duplicates(struct meta_entry *v, size_t k, const size_t *kl)
{
	struct dup_key *d = xmalloc((k ? k : 1) * sizeof(*d));
	uint8_t *gone = xcalloc(k ? k : 1, 1);
	size_t nd = 0, w = 0;
	for (size_t i = 0; i < k; i++)
		if (!v[i].standard)
			d[nd++] = (struct dup_key){ &v[i], kl[i], i };
	qsort(d, nd, sizeof(*d), cmp_dup_key);
	for (size_t i = 0; i + 1 < nd; i++)
		if (d[i].kl == d[i + 1].kl && !memcmp(d[i].e->key, d[i + 1].e->key, d[i].kl))
			gone[d[i].pos] = 1;
	free(d);
	for (size_t i = 0; i < k; i++) {
		if (gone[i]) {
			free(v[i].key);
			free(v[i].value);
			continue;
		}
		v[w++] = v[i];
	}
	free(gone);
	return w;
}

int meta_list(struct mt_node *root, struct meta_entry **out, size_t *n)
{
	struct meta_entry *v = NULL;
	size_t cap = 0, k = 0, kcap = 0, *kls = NULL;
	*out = NULL;
	*n = 0;
	struct mt_node *m;
	int r = meta_node(root, &m);
	if (r <= 0)
		return r;
	for (size_t i = 0; i < m->n; i++) {
		struct mt_field *f = &m->f[i];
		if (!f->fd)
			continue;
		if (f->number >= F_Metadata_shortDescription && f->number <= F_Metadata_license) {
			/* only the last occurrence counts */
			if (mt_find_last(m, f->number) != (long)i)
				continue;
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			v[k].key = xstrdup(std_name((int)f->number));
			v[k].value = xstrndup((const char *)f->val, f->vlen);
			v[k].len = f->vlen;
			v[k].standard = 1;
			k++;
		} else if (f->number == F_Metadata_userDefined) {
			struct mt_node *e = mt_child(m, i);
			const uint8_t *kp, *vp;
			size_t kl, vl;
			if (!e || entry_kv(e, &kp, &kl, &vp, &vl) < 0) {
				meta_entries_free(v, k);
				free(kls);
				return -1;
			}
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			xgrow((void **)&kls, &kcap, k + 1, sizeof(*kls));
			v[k].key = xstrndup((const char *)kp, kl);
			v[k].value = xstrndup((const char *)vp, vl);
			v[k].len = vl;
			v[k].standard = 0;
			kls[k] = kl;
			k++;
		}
	}
	*out = v;
	*n = drop_earlier_duplicates(v, k, kls);
	free(kls);
	/* a user key that would name something else (a standard field, a
	 * preview alias, or itself starting with userDefined.) is shown with
	 * the prefix: every key listed names its own entry */
	for (size_t i = 0; i < *n; i++)
		if (!v[i].standard) {
			char *shown = meta_user_key_shown(v[i].key);
			free(v[i].key);
			v[i].key = shown;
		}
	return 0;
}

char *meta_user_key_shown(const char *key)
{
	int std;
	if (meta_canonical(key, &std) != key)
		return xasprintf("%s%s", META_USER_PREFIX, key);
	return xstrdup(key);
}

void meta_entries_free(struct meta_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
}

/* 1 when field i of m is a userDefined entry for key */
int meta_entry_is(struct mt_node *m, size_t i, const char *key)
{
	if (m->f[i].number != F_Metadata_userDefined || !m->f[i].fd)
		return 0;
	struct mt_node *e = mt_child(m, i);
	const uint8_t *kp, *vp;
	size_t kl, vl;
	if (!e || entry_kv(e, &kp, &kl, &vp, &vl) < 0)
		return 0;
	return kl == strlen(key) && !memcmp(kp, key, kl);
}

/* index of the last userDefined entry with key, -1 if none, -2 on error */
long meta_find_user(struct mt_node *m, const char *key)
{
	size_t kl0 = strlen(key);
	long found = -1;
	for (size_t i = 0; i < m->n; i++) {
		if (m->f[i].number != F_Metadata_userDefined || !m->f[i].fd)
			continue;
		struct mt_node *e = mt_child(m, i);
		const uint8_t *kp, *vp;
		size_t kl, vl;
		if (!e || entry_kv(e, &kp, &kl, &vp, &vl) < 0)
			return -2;
		if (kl == kl0 && !memcmp(kp, key, kl))
			found = (long)i;
	}
	return found;
}

int meta_get(struct mt_node *root, const char *key, char **val, size_t *len)
{
	int std;
	const char *k = meta_canonical(key, &std);
	struct mt_node *m;
	int r = meta_node(root, &m);
	if (r <= 0)
		return r;
	if (std) {
		long i = mt_find_last(m, (uint32_t)std);
		if (i < 0)
			return 0;
		*val = xstrndup((const char *)m->f[i].val, m->f[i].vlen);
		*len = m->f[i].vlen;
		return 1;
	}
	long i = meta_find_user(m, k);
	if (i == -2)
		return -1;
	if (i < 0)
		return 0;
	const uint8_t *kp, *vp;
	size_t kl, vl;
	entry_kv(m->f[i].child, &kp, &kl, &vp, &vl);
	*val = xstrndup((const char *)vp, vl);
	*len = vl;
	return 1;
}

/* a refused value: one line, naming the model when there is one */
static int refuse(const char *label, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(const char *label, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (label)
		error_code(EXIT_USAGE, "'%s': %s; the model is unchanged", label, sb.buf);
	else
		error_code(EXIT_USAGE, "%s", sb.buf);
	sb_release(&sb);
	return -1;
}

/* edit distance of a and b (bytes), at most 255 */
static int distance(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	if (la > 64 || lb > 64)
		return 255;
	int d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + ((a[i - 1] | 32) != (b[j - 1] | 32));
			int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
			d[i][j] = c < x ? (c < y ? c : y) : (x < y ? x : y);
		}
	return d[la][lb];
}

static int is_color(const char *s)
{
	if (!s || strlen(s) != 7 || s[0] != '#')
		return 0;
	for (int i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	return 1;
}

static int reason(struct strbuf *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int reason(struct strbuf *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(why, fmt, ap);
	va_end(ap);
	return -1;
}

/* what is wrong with preview params val for preview type ptype, in words
 * (in why), or nothing: 0 when they suit it, -1 when not */
static int params_problem(const char *val, size_t len, const char *ptype, struct strbuf *why)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(val, len, &end, 0);
	int rc = 0;
	/* nothing but white space after the value */
	while (j && end && end < val + len && strchr(" \t\r\n", *end))
		end++;
	if (j && end && end < val + len) {
		cJSON_Delete(j);
		int n = val + len - end > 16 ? 16 : (int)(val + len - end);
		return reason(why, "preview.params is not valid JSON (more after the value: '%.*s')", n, end);
	}
	if (!j) {
		const char *at = cJSON_GetErrorPtr();
		size_t off = at && at >= val && at <= val + len ? (size_t)(at - val) : len;
		off = off ? off - 1 : 0; /* cJSON points just past where it stopped */
		if (off >= len)
			return reason(why, "preview.params is not valid JSON (it ends too early)");
		int n = len - off > 16 ? 16 : (int)(len - off);
		return reason(why, "preview.params is not valid JSON (near '%.*s')", n, val + off);
	}
	if (ptype && !strcmp(ptype, "imageSegmenter")) {
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "labels");
		const cJSON *colors = cJSON_GetObjectItemCaseSensitive(j, "colors");
		const cJSON *e;
		if (!cJSON_IsObject(j))
			rc = reason(why, "preview.params for imageSegmenter must be a JSON object");
		else if (!cJSON_IsArray(labels))
			rc = reason(why, "preview.params for imageSegmenter needs \"labels\": an array of strings");
		else {
			cJSON_ArrayForEach(e, labels) if (!cJSON_IsString(e) && rc == 0) rc =
				reason(why, "preview.params: every label must be a string");
			if (rc == 0 && colors) {
				if (!cJSON_IsArray(colors))
					rc = reason(
						why,
						"preview.params: \"colors\" must be an array of \"#RRGGBB\" strings");
				else
					cJSON_ArrayForEach(e, colors) if (rc == 0 && (!cJSON_IsString(e) ||
										      !is_color(e->valuestring))) rc =
						reason(why, "preview.params: color %s is not \"#RRGGBB\"",
						       cJSON_IsString(e) ? e->valuestring : "(not a string)");
			}
		}
	} else if (ptype && !strcmp(ptype, "poseEstimation")) {
		const cJSON *wm = cJSON_GetObjectItemCaseSensitive(j, "width_multiplier");
		const cJSON *os = cJSON_GetObjectItemCaseSensitive(j, "output_stride");
		if (!cJSON_IsObject(j))
			rc = reason(why, "preview.params for poseEstimation must be a JSON object");
		else if (!cJSON_IsNumber(wm) || !cJSON_IsNumber(os))
			rc = reason(why, "preview.params for poseEstimation needs numbers \"width_multiplier\" and "
					 "\"output_stride\"");
	}
	cJSON_Delete(j);
	return rc;
}

static int check_params(const char *label, const char *val, size_t len, const char *ptype)
{
	struct strbuf why = STRBUF_INIT;
	int rc = params_problem(val, len, ptype, &why);
	if (rc < 0)
		refuse(label, "%s", why.buf);
	sb_release(&why);
	return rc;
}

char *meta_params_problem(const char *val, size_t len, const char *ptype)
{
	struct strbuf why = STRBUF_INIT;
	if (params_problem(val, len, ptype, &why) == 0) {
		sb_release(&why);
		return NULL;
	}
	return sb_detach(&why, NULL);
}

int meta_check(const char *label, const char *key, const char *val, size_t len, const char *ptype)
{
	int std;
	const char *k = meta_canonical(key, &std);
	if (memchr(val, 0, len) && std)
		return refuse(label, "a metadata value cannot hold a NUL byte");
	if (!wire_utf8_valid((const uint8_t *)val, len))
		return refuse(label, "metadata values must be valid UTF-8");
	if (!wire_utf8_valid((const uint8_t *)k, strlen(k)))
		return refuse(label, "metadata keys must be valid UTF-8");
	if (!strcmp(k, PREVIEW_TYPE_KEY)) {
		int known = 0, best = 255;
		const char *near = NULL;
		for (const char *const *t = preview_types; *t; t++) {
			if (strlen(*t) == len && !memcmp(*t, val, len))
				known = 1;
			int d = distance(val, len, *t);
			if (d < best) {
				best = d;
				near = *t;
			}
		}
		if (!known && near && best <= 3)
			warning("'%.*s' is not a preview type Xcode is known to use: did you mean '%s'?", (int)len, val,
				near);
		else if (!known)
			warning("'%.*s' is not a preview type Xcode is known to use (%s, %s, %s, ...)", (int)len, val,
				preview_types[0], preview_types[3], preview_types[5]);
	}
	if (!strcmp(k, PREVIEW_PARAMS_KEY))
		return check_params(label, val, len, ptype);
	return 0;
}

int meta_params_labels(const char *val, size_t len, char ***v, size_t *n)
{
	*v = NULL;
	*n = 0;
	cJSON *j = cJSON_ParseWithLength(val, len);
	const cJSON *l = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "labels") : NULL;
	const cJSON *e;
	int ok = cJSON_IsArray(l);
	cJSON_ArrayForEach(e, l) if (!cJSON_IsString(e)) ok = 0;
	if (ok) {
		size_t k = (size_t)cJSON_GetArraySize(l), i = 0;
		*v = xcalloc(k ? k : 1, sizeof(**v));
		cJSON_ArrayForEach(e, l)(*v)[i++] = xstrdup(e->valuestring);
		*n = k;
	}
	cJSON_Delete(j);
	return ok;
}
