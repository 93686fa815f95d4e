/* fuzz-jsonedit: libFuzzer target for the overlay editor.  A text that scans
 * is edited at each of its first members (set, rename, remove, add); every
 * result must scan again, and keep the bytes before the splice. */
#include "base/jsonedit.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must_scan(char *t, const struct jdoc *d, size_t keep)
{
	struct jdoc e;
	if (!t)
		return;
	if (jdoc_scan(t, strlen(t), &e) < 0)
		abort(); /* an edit made the text unreadable */
	if (strlen(t) < keep || memcmp(t, d->text, keep))
		abort(); /* a byte before the splice changed */
	jdoc_free(&e);
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memchr(data, 0, size))
		return 0; /* overlays are read as text */
	struct jdoc d;
	if (jdoc_scan((const char *)data, size, &d) < 0)
		return 0;
	for (size_t i = 0; i < d.n && i < 8; i++) {
		const struct jmember *m = &d.m[i];
		must_scan(jedit_set_string(&d, i, "v/\"\n\x01\xc3\xa9", 7), &d, m->val_start);
		must_scan(jedit_rename_key(&d, i, "k/\\"), &d, m->key_start);
		size_t cut = m->comma != (size_t)-1 ? m->sep : m->sep_is_comma ? m->sep - 1 : m->sep;
		must_scan(jedit_remove(&d, i), &d, cut);
		if (m->child >= 0)
			must_scan(jedit_add(&d, m->child, "n", i & 1 ? "MLFeatureShortDescription" : NULL, "x", 1), &d,
				  m->val_start);
	}
	must_scan(jedit_add(&d, 0, "MLModelAuthorKey", NULL, "a", 1), &d, 0);
	jdoc_free(&d);
	return 0;
}
