/* meta-edit: the exact edits of a model's metadata (description.metadata)
 * over the spec tree: set and remove a standard field or a userDefined
 * entry, and the empty messages a removal leaves pruned.  Reading is
 * query/meta.c's. */
#include "edit/meta-edit.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "query/meta.h"
#include "spec/fields.h"
#include "spec/wire.h"
#include <stdlib.h>
#include <string.h>

static uint8_t *encode_entry(const char *key, const char *val, size_t len, size_t *outlen)
{
	size_t kl = strlen(key), el, vl;
	uint8_t *ke = mt_encode_len(F_Metadata_UserDefinedEntry_key, key, kl, &el);
	uint8_t *ve = mt_encode_len(F_Metadata_UserDefinedEntry_value, val, len, &vl);
	uint8_t *body = xmalloc(el + vl);
	memcpy(body, ke, el);
	memcpy(body + el, ve, vl);
	uint8_t *enc = mt_encode_len(F_Metadata_userDefined, body, el + vl, outlen);
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
	struct mt_node *d = mt_ensure(root, F_Model_description);
	struct mt_node *m = d ? mt_ensure(d, F_ModelDescription_metadata) : NULL;
	if (!m)
		return -1;
	if (std) {
		mt_set_bytes(m, (uint32_t)std, val, len);
		return 1;
	}
	long i = meta_find_user(m, k);
	if (i == -2)
		return -1;
	/* drop earlier duplicates of the key, keep the position of the last */
	for (long j = i - 1; i >= 0 && j >= 0; j--)
		if (meta_entry_is(m, (size_t)j, k)) {
			mt_remove(m, (size_t)j);
			i--;
		}
	size_t el;
	uint8_t *enc = encode_entry(k, val, len, &el);
	if (i >= 0)
		mt_replace(m, (size_t)i, enc, el);
	else
		mt_insert(m, mt_insert_pos(m, F_Metadata_userDefined), enc, el);
	free(enc);
	return 1;
}

/* removes an empty metadata / description that an edit left behind */
static void prune(struct mt_node *root)
{
	long di = mt_find_last(root, F_Model_description);
	if (di < 0)
		return;
	struct mt_node *d = mt_child(root, (size_t)di);
	long mi = d ? mt_find_last(d, F_ModelDescription_metadata) : -1;
	if (mi < 0)
		return;
	struct mt_node *m = mt_child(d, (size_t)mi);
	if (m && m->n == 0 && m->dirty)
		mt_remove(d, (size_t)mi);
	if (d->n == 0 && d->dirty)
		mt_remove(root, (size_t)di);
}

/* mt_remove_if predicates: every field numbered *ctx; every userDefined
 * entry for the key ctx (the entries were checked by meta_find_user) */
static int drop_number(struct mt_node *m, size_t i, void *ctx)
{
	return m->f[i].number == *(const uint32_t *)ctx;
}

static int drop_user(struct mt_node *m, size_t i, void *ctx)
{
	return meta_entry_is(m, i, ctx);
}

int meta_rm(struct mt_node *root, const char *key)
{
	int std;
	const char *k = meta_canonical(key, &std);
	struct mt_node *m;
	int r = meta_node(root, &m);
	if (r <= 0)
		return r;
	int removed = 0;
	/* every occurrence, in one pass (a key repeated many times must not
	 * make this quadratic) */
	if (std) {
		uint32_t num = (uint32_t)std;
		removed = mt_remove_if(m, drop_number, &num) > 0;
	} else {
		long i = meta_find_user(m, k);
		if (i == -2)
			return -1;
		if (i >= 0)
			removed = mt_remove_if(m, drop_user, (void *)k) > 0;
	}
	if (removed)
		prune(root);
	return removed;
}
