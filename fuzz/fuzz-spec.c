/* fuzz-spec: libFuzzer target for the spec tree.  The input is a
 * CoreML.Specification.Model; every query runs over it (mt_check,
 * mt_validate, the text and JSON dumps, meta_list / meta_get,
 * mt_count_unknown), then metadata edits on a fresh tree are serialized and
 * decoded again.  A crash, a leak, a hang or a broken invariant (a valid
 * spec that an edit makes invalid, a value that does not read back, a size
 * that does not match the bytes written) is a finding. */
#include "dump.h"
#include "error.h"
#include "jsonout.h"
#include "meta.h"
#include "tree.h"
#include "Model.pb-c.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static struct mt_node *root_of(const uint8_t *data, size_t size)
{
	return mt_root_new(&core_ml__specification__model__descriptor, data, size, "fuzz");
}

static void queries(const uint8_t *data, size_t size)
{
	struct mt_node *r = root_of(data, size);
	int checked = mt_check(r);
	int valid = mt_validate(r);
	if ((checked == 0) != (valid == 0))
		abort(); /* the two validators disagree */
	dump_text(devnull, r, 0);
	struct jw w;
	jw_init(&w, devnull);
	dump_json(&w, r);
	jw_end(&w);
	mt_count_unknown(r);
	struct meta_entry *e;
	size_t n;
	if (meta_list(r, &e, &n) == 0)
		meta_entries_free(e, n);
	char *v = NULL;
	size_t len;
	if (meta_get(r, "author", &v, &len) == 1)
		free(v);
	v = NULL;
	if (meta_get(r, "preview.type", &v, &len) == 1)
		free(v);
	mt_free(r);
}

/* the serialized tree: its size must be what mt_size said */
static uint8_t *serialize(struct mt_node *r, size_t *len)
{
	uint64_t want = mt_size(r);
	uint8_t *b = mt_serialize(r, len);
	if (*len != want)
		abort();
	return b;
}

/* sets key to val, writes, reads back */
static void edit(const uint8_t *data, size_t size, const char *key, const char *val)
{
	struct mt_node *r = root_of(data, size);
	int valid = mt_check(r) == 0;
	size_t vl = strlen(val);
	int s = meta_set(r, key, val, vl);
	if (s < 0) {
		mt_free(r);
		return;
	}
	size_t len;
	uint8_t *b = serialize(r, &len);
	mt_free(r);
	struct mt_node *r2 = root_of(b, len);
	if (valid && mt_check(r2) < 0)
		abort(); /* an edit broke a valid spec */
	char *got = NULL;
	size_t gl = 0;
	int g = meta_get(r2, key, &got, &gl);
	if (valid && (g != 1 || gl != vl || memcmp(got, val, vl)))
		abort(); /* the value does not read back */
	free(got);
	/* and remove it again */
	if (meta_rm(r2, key) >= 0) {
		size_t len3;
		uint8_t *b3 = serialize(r2, &len3);
		struct mt_node *r3 = root_of(b3, len3);
		if (valid && (mt_check(r3) < 0 || meta_get(r3, key, &got, &gl) != 0))
			abort();
		mt_free(r3);
		free(b3);
	}
	mt_free(r2);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	error_quiet = 1;
	queries(data, size);
	edit(data, size, "author", "fuzz");
	edit(data, size, "com.apple.coreml.model.preview.type", "imageSegmenter");
	return 0;
}
