/* meta: metadata reads and exact edits (see meta.h). */
#include "meta.h"
#include "error.h"
#include "wire.h"
#include "xalloc.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

enum { F_DESCRIPTION = 2, F_METADATA = 100, F_SHORTDESC = 1, F_VERSION = 2, F_AUTHOR = 3, F_LICENSE = 4, F_USER = 100 };

const char *const preview_types[] = {
	"imageSegmenter", "bertQA", "poseEstimation", "imageClassifier", "depthEstimation", "objectDetector",
	"tabularClassifier", "tabularRegressor", "textGenerator", "textClassifier", "wordTagger",
	"handPoseClassifier", "handActionClassifier", "soundClassifier", "activityClassifier", "styleTransfer",
	NULL,
};

static const struct {
	const char *name;
	int num;
} std_keys[] = {
	{ "description", F_SHORTDESC }, { "shortDescription", F_SHORTDESC },
	{ "version", F_VERSION }, { "versionString", F_VERSION },
	{ "author", F_AUTHOR }, { "license", F_LICENSE },
};

static const char *std_name(int num)
{
	switch (num) {
	case F_SHORTDESC: return "description";
	case F_VERSION: return "version";
	case F_AUTHOR: return "author";
	case F_LICENSE: return "license";
	}
	return NULL;
}

const char *meta_canonical(const char *key, int *std)
{
	*std = 0;
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

static struct mt_node *metadata(struct mt_node *root)
{
	struct mt_node *d = mt_get(root, F_DESCRIPTION);
	return d ? mt_get(d, F_METADATA) : NULL;
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
		if (e->f[i].number == 1)
			*k = e->f[i].val, *kl = e->f[i].vlen;
		else if (e->f[i].number == 2)
			*v = e->f[i].val, *vl = e->f[i].vlen;
	}
	return 0;
}

static int tree_ok(struct mt_node *root)
{
	/* an invalid node on the way is reported by mt_get; distinguish absent */
	return root->state != MT_BAD;
}

int meta_list(struct mt_node *root, struct meta_entry **out, size_t *n)
{
	struct meta_entry *v = NULL;
	size_t cap = 0, k = 0;
	*out = NULL;
	*n = 0;
	struct mt_node *d = mt_get(root, F_DESCRIPTION);
	if (!d && !tree_ok(root))
		return -1;
	struct mt_node *m = d ? mt_get(d, F_METADATA) : NULL;
	if (!m) {
		if (d && d->state == MT_BAD)
			return -1;
		return 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct mt_field *f = &m->f[i];
		if (!f->fd)
			continue;
		if (f->number >= F_SHORTDESC && f->number <= F_LICENSE) {
			/* only the last occurrence counts */
			if (mt_find_last(m, f->number) != (long)i)
				continue;
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			v[k].key = xstrdup(std_name((int)f->number));
			v[k].value = xstrndup((const char *)f->val, f->vlen);
			v[k].len = f->vlen;
			v[k].standard = 1;
			k++;
		} else if (f->number == F_USER) {
			struct mt_node *e = mt_child(m, i);
			const uint8_t *kp, *vp;
			size_t kl, vl;
			if (!e || entry_kv(e, &kp, &kl, &vp, &vl) < 0) {
				meta_entries_free(v, k);
				return -1;
			}
			/* a later duplicate key wins: drop the earlier one */
			for (size_t j = 0; j < k; j++)
				if (!v[j].standard && strlen(v[j].key) == kl && !memcmp(v[j].key, kp, kl)) {
					free(v[j].key);
					free(v[j].value);
					memmove(&v[j], &v[j + 1], (k - j - 1) * sizeof(*v));
					k--;
					break;
				}
			xgrow((void **)&v, &cap, k + 1, sizeof(*v));
			v[k].key = xstrndup((const char *)kp, kl);
			v[k].value = xstrndup((const char *)vp, vl);
			v[k].len = vl;
			v[k].standard = 0;
			k++;
		}
	}
	*out = v;
	*n = k;
	return 0;
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
static int entry_is(struct mt_node *m, size_t i, const char *key)
{
	if (m->f[i].number != F_USER || !m->f[i].fd)
		return 0;
	struct mt_node *e = mt_child(m, i);
	const uint8_t *kp, *vp;
	size_t kl, vl;
	if (!e || entry_kv(e, &kp, &kl, &vp, &vl) < 0)
		return 0;
	return kl == strlen(key) && !memcmp(kp, key, kl);
}

/* index of the last userDefined entry with key, -1 if none, -2 on error */
static long find_user(struct mt_node *m, const char *key)
{
	size_t kl0 = strlen(key);
	long found = -1;
	for (size_t i = 0; i < m->n; i++) {
		if (m->f[i].number != F_USER || !m->f[i].fd)
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
	struct mt_node *m = metadata(root);
	if (!m)
		return root->state == MT_BAD ? -1 : 0;
	if (std) {
		long i = mt_find_last(m, (uint32_t)std);
		if (i < 0)
			return 0;
		*val = xstrndup((const char *)m->f[i].val, m->f[i].vlen);
		*len = m->f[i].vlen;
		return 1;
	}
	long i = find_user(m, k);
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

static uint8_t *encode_entry(const char *key, const char *val, size_t len, size_t *outlen)
{
	size_t kl = strlen(key), el, vl;
	uint8_t *ke = mt_encode_len(1, key, kl, &el);
	uint8_t *ve = mt_encode_len(2, val, len, &vl);
	uint8_t *body = xmalloc(el + vl);
	memcpy(body, ke, el);
	memcpy(body + el, ve, vl);
	uint8_t *enc = mt_encode_len(F_USER, body, el + vl, outlen);
	free(ke);
	free(ve);
	free(body);
	return enc;
}

int meta_set(struct mt_node *root, const char *key, const char *val, size_t len)
{
	int std;
	const char *k = meta_canonical(key, &std);
	if (!*k)
		return error_code(EXIT_USAGE, "an empty key cannot be set");
	char *old = NULL;
	size_t oldlen = 0;
	int had = meta_get(root, key, &old, &oldlen);
	if (had < 0)
		return -1;
	int same = had == 1 && oldlen == len && !memcmp(old, val, len);
	free(old);
	if (same)
		return 0;
	struct mt_node *d = mt_ensure(root, F_DESCRIPTION);
	struct mt_node *m = d ? mt_ensure(d, F_METADATA) : NULL;
	if (!m)
		return -1;
	if (std) {
		mt_set_bytes(m, (uint32_t)std, val, len);
		return 1;
	}
	long i = find_user(m, k);
	if (i == -2)
		return -1;
	/* drop earlier duplicates of the key, keep the position of the last */
	for (long j = i - 1; i >= 0 && j >= 0; j--)
		if (entry_is(m, (size_t)j, k)) {
			mt_remove(m, (size_t)j);
			i--;
		}
	size_t el;
	uint8_t *enc = encode_entry(k, val, len, &el);
	if (i >= 0)
		mt_replace(m, (size_t)i, enc, el);
	else
		mt_insert(m, mt_insert_pos(m, F_USER), enc, el);
	free(enc);
	return 1;
}

/* removes an empty metadata / description that an edit left behind */
static void prune(struct mt_node *root)
{
	long di = mt_find_last(root, F_DESCRIPTION);
	if (di < 0)
		return;
	struct mt_node *d = mt_child(root, (size_t)di);
	long mi = d ? mt_find_last(d, F_METADATA) : -1;
	if (mi < 0)
		return;
	struct mt_node *m = mt_child(d, (size_t)mi);
	if (m && m->n == 0 && m->dirty)
		mt_remove(d, (size_t)mi);
	if (d->n == 0 && d->dirty)
		mt_remove(root, (size_t)di);
}

int meta_rm(struct mt_node *root, const char *key)
{
	int std;
	const char *k = meta_canonical(key, &std);
	struct mt_node *m = metadata(root);
	if (!m)
		return root->state == MT_BAD ? -1 : 0;
	int removed = 0;
	if (std) {
		long i;
		while ((i = mt_find_last(m, (uint32_t)std)) >= 0) {
			mt_remove(m, (size_t)i);
			removed = 1;
		}
	} else {
		long i;
		while ((i = find_user(m, k)) >= 0) {
			mt_remove(m, (size_t)i);
			removed = 1;
		}
		if (i == -2)
			return -1;
	}
	if (removed)
		prune(root);
	return removed;
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

static int check_params(const char *val, size_t len, const char *ptype)
{
	cJSON *j = cJSON_ParseWithLength(val, len);
	int rc = 0;
	if (!j)
		return error_code(EXIT_USAGE, "preview.params must be valid JSON");
	if (ptype && !strcmp(ptype, "imageSegmenter")) {
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "labels");
		const cJSON *colors = cJSON_GetObjectItemCaseSensitive(j, "colors");
		const cJSON *e;
		if (!cJSON_IsObject(j))
			rc = error_code(EXIT_USAGE, "preview.params for imageSegmenter must be a JSON object");
		else if (!cJSON_IsArray(labels))
			rc = error_code(EXIT_USAGE, "preview.params for imageSegmenter needs \"labels\": an array of strings");
		else {
			cJSON_ArrayForEach(e, labels) if (!cJSON_IsString(e) && rc == 0) rc =
				error_code(EXIT_USAGE, "preview.params: every label must be a string");
			if (rc == 0 && colors) {
				if (!cJSON_IsArray(colors))
					rc = error_code(EXIT_USAGE, "preview.params: \"colors\" must be an array of \"#RRGGBB\" strings");
				else
					cJSON_ArrayForEach(e, colors) if (rc == 0 && (!cJSON_IsString(e) || !is_color(e->valuestring)))
						rc = error_code(EXIT_USAGE, "preview.params: color %s is not \"#RRGGBB\"",
								cJSON_IsString(e) ? e->valuestring : "(not a string)");
			}
		}
	} else if (ptype && !strcmp(ptype, "poseEstimation")) {
		const cJSON *wm = cJSON_GetObjectItemCaseSensitive(j, "width_multiplier");
		const cJSON *os = cJSON_GetObjectItemCaseSensitive(j, "output_stride");
		if (!cJSON_IsObject(j))
			rc = error_code(EXIT_USAGE, "preview.params for poseEstimation must be a JSON object");
		else if (!cJSON_IsNumber(wm) || !cJSON_IsNumber(os))
			rc = error_code(EXIT_USAGE,
					"preview.params for poseEstimation needs numbers \"width_multiplier\" and \"output_stride\"");
	}
	cJSON_Delete(j);
	return rc;
}

int meta_check(const char *key, const char *val, size_t len, const char *ptype)
{
	int std;
	const char *k = meta_canonical(key, &std);
	if (memchr(val, 0, len) && std)
		return error_code(EXIT_USAGE, "a metadata value cannot hold a NUL byte");
	if (!wire_utf8_valid((const uint8_t *)val, len))
		return error_code(EXIT_USAGE, "metadata values must be valid UTF-8");
	if (!wire_utf8_valid((const uint8_t *)k, strlen(k)))
		return error_code(EXIT_USAGE, "metadata keys must be valid UTF-8");
	if (!strcmp(k, PREVIEW_TYPE_KEY)) {
		int known = 0;
		for (const char *const *t = preview_types; *t; t++)
			if (strlen(*t) == len && !memcmp(*t, val, len))
				known = 1;
		if (!known)
			warning("'%.*s' is not a preview type Xcode is known to use (%s, ...)", (int)len, val, preview_types[0]);
	}
	if (!strcmp(k, PREVIEW_PARAMS_KEY))
		return check_params(val, len, ptype);
	return 0;
}
