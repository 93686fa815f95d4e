/* fuzz-manifest: libFuzzer target for Manifest.json.  A manifest that
 * parses is written again with manifest_format, which must parse to the same
 * items and root. */
#include "base/error.h"
#include "model/manifest.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* messages about the fuzzed input are expected: none is printed */
static void quiet(int code, int is_warning, const char *msg, void *ctx)
{
	(void)code;
	(void)is_warning;
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	set_error_routine(quiet, NULL);
	struct manifest *m = manifest_parse((const char *)data, size, "fuzz");
	if (!m)
		return 0;
	if (m->root >= m->n || !path_is_contained(m->items[m->root].path))
		abort();
	char *text = manifest_format(m);
	struct manifest *m2 = manifest_parse(text, strlen(text), "fuzz (written)");
	if (!m2 || m2->n != m->n || !same(m->root_id, m2->root_id) ||
	    !same(m->items[m->root].path, m2->items[m2->root].path))
		abort(); /* what we write does not read back */
	for (size_t i = 0; i < m->n; i++) {
		size_t j;
		for (j = 0; j < m2->n; j++)
			if (same(m->items[i].id, m2->items[j].id))
				break;
		if (j == m2->n || !same(m->items[i].path, m2->items[j].path) ||
		    !same(m->items[i].name, m2->items[j].name) || !same(m->items[i].author, m2->items[j].author))
			abort();
	}
	manifest_free(m2);
	free(text);
	manifest_free(m);
	return 0;
}
