/* manifest: Manifest.json parsing and validation, and writing new ones. */
#include "model/manifest.h"
#include "base/error.h"
#include "base/xalloc.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int path_is_contained(const char *rel)
{
	if (!rel || !*rel || rel[0] == '/' || strchr(rel, '\\'))
		return 0;
	const char *p = rel;
	while (*p) {
		const char *s = strchr(p, '/');
		size_t l = s ? (size_t)(s - p) : strlen(p);
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		p += l;
		if (*p == '/')
			p++;
	}
	return 1;
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->items[i].id);
		free(m->items[i].author);
		free(m->items[i].name);
		free(m->items[i].path);
		free(m->items[i].description);
	}
	free(m->items);
	free(m->version);
	free(m->root_id);
	free(m);
}

static char *get_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) && v->valuestring ? xstrdup(v->valuestring) : NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A member name that an object holds twice, or NULL.  cJSON keeps both and
 * finds the first; other readers take the last: such a manifest means
 * different things to different tools, so it is refused.  Sorting keeps a
 * manifest with many items linear-ish. */
static const char *dup_key(const cJSON *o)
{
	size_t n = 0, k = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, o) n++;
	if (n < 2)
		return NULL;
	const char **v = xmalloc(n * sizeof(*v));
	cJSON_ArrayForEach(e, o) if (e->string) v[k++] = e->string;
	qsort(v, k, sizeof(*v), cmp_str);
	const char *d = NULL;
	for (size_t i = 0; i + 1 < k && !d; i++)
		if (!strcmp(v[i], v[i + 1]))
			d = v[i];
	free(v);
	return d;
}

/* MAJOR[.MINOR[.PATCH]] of a version string (missing parts 0, numbers too
 * big to read saturate, so read as newer); -1 when it starts with no number */
static int version_numbers(const char *s, unsigned long v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return i ? 0 : -1;
		char *e;
		v[i] = strtoul(s, &e, 10);
		if (*e != '.')
			return 0;
		s = e + 1;
	}
	return 0;
}

static struct manifest *fail(struct manifest *m, cJSON *j, const char *label, const char *why, const char *what)
{
	error_code(EXIT_INVALID, "'%s': invalid Manifest.json: %s%s%s%s", label, why, what ? " '" : "",
		   what ? what : "", what ? "'" : "");
	manifest_free(m);
	cJSON_Delete(j);
	return NULL;
}

struct manifest *manifest_parse(const char *text, size_t len, const char *label)
{
	cJSON *j = cJSON_ParseWithLength(text, len);
	struct manifest *m = xcalloc(1, sizeof(*m));
	if (!j)
		return fail(m, NULL, label, "not JSON", NULL);
	if (!cJSON_IsObject(j))
		return fail(m, j, label, "not a JSON object", NULL);
	m->version = get_str(j, "fileFormatVersion");
	if (!m->version)
		return fail(m, j, label, "no fileFormatVersion", NULL);
	unsigned long ver[3];
	if (version_numbers(m->version, ver) < 0)
		return fail(m, j, label, "unreadable fileFormatVersion", m->version);
	if (ver[0] > 1 || (ver[0] == 1 && (ver[1] > 0 || ver[2] > 0)))
		return fail(m, j, label, "fileFormatVersion newer than 1.0.0", m->version);
	const char *dup = dup_key(j);
	if (dup)
		return fail(m, j, label, "a key given twice", dup);
	const cJSON *entries = cJSON_GetObjectItemCaseSensitive(j, "itemInfoEntries");
	if (!cJSON_IsObject(entries))
		return fail(m, j, label, "no itemInfoEntries object", NULL);
	if ((dup = dup_key(entries)))
		return fail(m, j, label, "duplicated item identifier", dup);
	m->root_id = get_str(j, "rootModelIdentifier");
	if (!m->root_id)
		return fail(m, j, label, "no rootModelIdentifier", NULL);
	const cJSON *e;
	size_t cap = 0;
	int nroot = 0;
	cJSON_ArrayForEach(e, entries)
	{
		if (!cJSON_IsObject(e) || !e->string)
			return fail(m, j, label, "item entry is not an object", e->string);
		if ((dup = dup_key(e)))
			return fail(m, j, label, "a key given twice in an item", dup);
		xgrow((void **)&m->items, &cap, m->n + 1, sizeof(*m->items));
		struct manifest_item *it = &m->items[m->n++];
		memset(it, 0, sizeof(*it));
		it->id = xstrdup(e->string);
		it->path = get_str(e, "path");
		it->name = get_str(e, "name");
		it->author = get_str(e, "author");
		it->description = get_str(e, "description");
		if (!it->path)
			return fail(m, j, label, "item without a path", it->id);
		if (!path_is_contained(it->path))
			return fail(m, j, label, "item path leads outside the package", it->path);
		if (!it->name || !it->author)
			return fail(m, j, label, "item without a name or author", it->id);
		if (!strcmp(it->id, m->root_id)) {
			m->root = m->n - 1;
			nroot++;
		}
	}
	if (!nroot)
		return fail(m, j, label, "rootModelIdentifier names no item", m->root_id);
	cJSON_Delete(j);
	return m;
}

static int cmp_item(const void *a, const void *b)
{
	return strcmp(((const struct manifest_item *)a)->id, ((const struct manifest_item *)b)->id);
}

static void add_json_str(struct strbuf *sb, const char *s)
{
	cJSON *v = cJSON_CreateString(s ? s : "");
	char *t = cJSON_PrintUnformatted(v);
	sb_adds(sb, t);
	cJSON_free(t);
	cJSON_Delete(v);
}

char *manifest_format(const struct manifest *m)
{
	struct strbuf sb = STRBUF_INIT;
	struct manifest_item *items = xmalloc(sizeof(*items) * (m->n ? m->n : 1));
	memcpy(items, m->items, sizeof(*items) * m->n);
	qsort(items, m->n, sizeof(*items), cmp_item);
	sb_adds(&sb, "{\n    \"fileFormatVersion\": ");
	add_json_str(&sb, m->version ? m->version : "1.0.0");
	sb_adds(&sb, ",\n    \"itemInfoEntries\": {\n");
	for (size_t i = 0; i < m->n; i++) {
		sb_adds(&sb, "        ");
		add_json_str(&sb, items[i].id);
		sb_adds(&sb, ": {\n            \"author\": ");
		add_json_str(&sb, items[i].author);
		sb_adds(&sb, ",\n            \"description\": ");
		add_json_str(&sb, items[i].description ? items[i].description : "");
		sb_adds(&sb, ",\n            \"name\": ");
		add_json_str(&sb, items[i].name);
		sb_adds(&sb, ",\n            \"path\": ");
		add_json_str(&sb, items[i].path);
		sb_adds(&sb, i + 1 < m->n ? "\n        },\n" : "\n        }\n");
	}
	sb_adds(&sb, "    },\n    \"rootModelIdentifier\": ");
	add_json_str(&sb, m->root_id);
	sb_adds(&sb, "\n}");
	free(items);
	return sb_detach(&sb, NULL);
}
