/* overlay-save: an edited overlay saved together with the spec. */
#ifndef MLPKG_OVERLAY_SAVE_H
#define MLPKG_OVERLAY_SAVE_H
#include "model/model.h"

/* Saves m like mlpkg_save(m, out), and the overlay name with text (NULL:
 * unchanged): for a zip edited in place both land in the one commit; for a
 * package in place the overlay's new file is written before the spec is
 * touched and renamed after it; with -o it is written into OUT.  In place
 * with spec_changed 0, a package's spec file is left as it is. */
int overlay_save(struct mlpkg_model *m, const char *out, const char *name, const char *text, int spec_changed);
#endif
