/* fuzz-spec: libFuzzer target for the spec tree.  The input is a
 * CoreML.Specification.Model; every query runs over it (mt_check,
 * mt_validate, the text and JSON dumps, meta_list / meta_get,
 * mt_count_unknown), then metadata edits on a fresh tree are serialized and
 * decoded again; and the same bytes as a mapped file (big nodes listed with
 * pread) must give the same answers.  A crash, a leak, a hang or a broken
 * invariant (a valid spec that an edit makes invalid, a value that does not
 * read back, a size that does not match the bytes written, the two parsers
 * disagreeing, metadata that protobuf-c's own decoder, which merges
 * repeated occurrences of singular messages, reads differently from
 * meta_get, before or after an edit) is a finding. */
#include "spec/dump.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "query/meta.h"
#include "spec/tree.h"
#include "Model.pb-c.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* messages about the fuzzed input are expected: none is printed */
static void quiet(int code, int is_warning, const char *msg, void *ctx)
{
	(void)code;
	(void)is_warning;
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static struct mt_node *root_of(const uint8_t *data, size_t size)
{
	return mt_root_new(&core_ml__specification__model__descriptor, data, size, "fuzz");
}

/* Merge semantics: every metadata value meta_get gives is the one
 * protobuf-c's unpack (a protobuf parser: singular messages merge, the last
 * scalar wins, repeated fields concatenate) gives. Checked when both decode. */
static void same_as_protobuf_c(struct mt_node *r, const uint8_t *data, size_t size)
{
	CoreML__Specification__Model *m = core_ml__specification__model__unpack(NULL, size, data);
	if (!m)
		return;
	const CoreML__Specification__Metadata *md = m->description ? m->description->metadata : NULL;
	static const char *const keys[] = { "description", "version", "author", "license" };
	const char *want[4] = { "", "", "", "" };
	if (md) {
		want[0] = md->shortdescription;
		want[1] = md->versionstring;
		want[2] = md->author;
		want[3] = md->license;
	}
	for (int i = 0; i < 4; i++) {
		char *v = NULL;
		size_t len = 0;
		int g = meta_get(r, keys[i], &v, &len);
		if (g < 0) {
			free(v);
			continue;
		}
		/* protobuf-c's strings end at a NUL: compare up to one */
		if (g == 0 ? *want[i] != 0
			   : (strlen(want[i]) != strnlen(v, len) || memcmp(v, want[i], strlen(want[i]))))
			abort(); /* not the merged value */
		free(v);
	}
	/* userDefined: the last entry of each key (a few keys: quadratic) */
	for (size_t i = 0; md && i < md->n_userdefined && md->n_userdefined <= 64; i++) {
		const char *k = md->userdefined[i]->key, *want_v = md->userdefined[i]->value;
		for (size_t j = i + 1; j < md->n_userdefined; j++)
			if (!strcmp(md->userdefined[j]->key, k))
				want_v = md->userdefined[j]->value;
		int std;
		if (strcmp(meta_canonical(k, &std), k) || std || strchr(k, '.') || !*k)
			continue; /* a key named like a standard field or an alias */
		char *v = NULL;
		size_t len = 0;
		int g = meta_get(r, k, &v, &len);
		if (g == 1 && strlen(k) == strnlen(k, 1 << 20) &&
		    (strlen(want_v) != strnlen(v, len) || memcmp(v, want_v, strlen(want_v))))
			abort(); /* not the merged value */
		free(v);
	}
	core_ml__specification__model__free_unpacked(m, NULL);
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
	if (checked == 0)
		same_as_protobuf_c(r, data, size);
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
	if (valid)
		same_as_protobuf_c(r2, b, len); /* and a protobuf parser reads what we read */
	/* and remove it again */
	if (meta_rm(r2, key) >= 0) {
		size_t len3;
		uint8_t *b3 = serialize(r2, &len3);
		struct mt_node *r3 = root_of(b3, len3);
		if (valid && (mt_check(r3) < 0 || meta_get(r3, key, &got, &gl) != 0))
			abort();
		if (valid)
			same_as_protobuf_c(r3, b3, len3);
		mt_free(r3);
		free(b3);
	}
	mt_free(r2);
	free(b);
}

/* the text dump (and whether it succeeded) in a new string */
static char *text_of(struct mt_node *r, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	*rc = dump_text(fp, r, 0);
	fclose(fp);
	return buf;
}

/* The same bytes as a mapped file (mt_root_set_file: big nodes are listed
 * with pread, their payloads skipped): every answer must be the same as
 * over the bytes in memory. */
static void file_backed(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("fuzz-spec", MFD_CLOEXEC)) < 0)
		abort();
	if (!size || ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return;
	uint8_t *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		abort();
	struct mt_node *a = root_of(data, size), *b = root_of(map, size);
	mt_root_set_file(b, fd, map, size);
	if ((mt_check(a) == 0) != (mt_check(b) == 0))
		abort();
	int ra, rb;
	char *ta = text_of(a, &ra), *tb = text_of(b, &rb);
	if (ra != rb || strcmp(ta, tb))
		abort(); /* the two parsers disagree */
	free(ta);
	free(tb);
	if (meta_set(a, "author", "fuzz", 4) == 1 && meta_set(b, "author", "fuzz", 4) == 1) {
		size_t la, lb;
		uint8_t *sa = serialize(a, &la), *sb = serialize(b, &lb);
		if (la != lb || memcmp(sa, sb, la))
			abort();
		free(sa);
		free(sb);
	}
	mt_free(a);
	mt_free(b);
	munmap(map, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	set_error_routine(quiet, NULL);
	queries(data, size);
	file_backed(data, size);
	edit(data, size, "author", "fuzz");
	edit(data, size, "com.apple.coreml.model.preview.type", "imageSegmenter");
	return 0;
}
