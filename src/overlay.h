/* overlay: Apple's metadata overlay in a package,
 * Data/com.apple.CoreML/Metadata.json ("External Metadata Overlay").  Its
 * format is not published; we keep it consistent with an edit by updating
 * (or removing) an entry it already has for the edited key, and never add
 * entries to it. */
#ifndef MLPKG_OVERLAY_H
#define MLPKG_OVERLAY_H
#include <stddef.h>
#include "model.h"

#define OVERLAY_PATH "Data/com.apple.CoreML/Metadata.json"

/* key is the canonical metadata key (std: its standard field number, or 0);
 * val NULL removes.  Returns 1 when the overlay was rewritten, 0 when it
 * holds no entry for the key (or there is none), -1 on error (reported). */
int overlay_sync(struct mlpkg_model *m, const char *key, int std, const char *val, size_t len);
#endif
