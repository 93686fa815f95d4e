/* txn: one edit transaction over an open model, the one way every front
 * end (meta set / rm, describe, rename, labels set, the browser) edits a
 * model.
 *
 *   struct edit_txn *t = txn_begin(m);        m opened (MLPKG_OPEN_WRITE to edit in place)
 *   txn_meta_set(t, "author", "Me", 2);       each edit is checked, then applied to m's tree
 *   txn_describe(t, "image", "A photo", 7, NULL, NULL);
 *   txn_prepare(t);                           optional: the overlays' new text worked out
 *   txn_commit(t, out, 0);                    ONE save: the spec and every overlay it touches
 *   txn_end(t);
 *
 * Every value is checked when its edit is added, before anything is
 * written; an edit that is refused (-1, reported) refuses the whole
 * transaction: txn_commit then writes nothing and fails with the same exit
 * class.  The edits change m's tree in memory only (txn_end does not undo
 * them); the file changes at txn_commit alone.
 *
 * Xcode's overlays of a package (Metadata.json, FeatureDescriptions.json:
 * query/overlay.h) follow the edits: each is read once, the entries the
 * edits concern are spliced into its text in order, and txn_commit writes
 * the changed ones with the spec in one save (mlpkg_save_with): a zip in
 * one libzip commit, a package with -o as one folder renamed into place, a
 * package in place with every new file fsynced before the first rename. */
#ifndef MLPKG_TXN_H
#define MLPKG_TXN_H
#include <stddef.h>
#include "edit/iface.h"
#include "model/model.h"

struct edit_txn;

/* A transaction over m (not taken: m outlives it).  Refusals of metadata
 * values name m->path and say the model is unchanged. */
struct edit_txn *txn_begin(struct mlpkg_model *m);
/* The name refusals of values give the model; NULL: none (the browser,
 * whose status line shows them). */
void txn_set_label(struct edit_txn *t, const char *label);
/* force: metadata values are refused only for what any value must be
 * (UTF-8; preview.params JSON), not for what the preview type takes (the
 * front ends' --force). */
void txn_set_force(struct edit_txn *t, int force);
/* Ends the transaction and frees it; when it was not committed nothing was
 * written (m's tree keeps the edits).  t may be NULL. */
void txn_end(struct edit_txn *t);

/* ---- the edits: each returns -1 when refused (reported, the exit class
 * set), else as said ------------------------------------------------------- */
/* Sets metadata key (author, preview.type, a userDefined key...; checked
 * with meta_check) to val[0..len): 1 changed, 0 the model already says so. */
int txn_meta_set(struct edit_txn *t, const char *key, const char *val, size_t len);
/* Removes metadata key: 1 removed, 0 the spec has no such key (its
 * overlay entry, if any, is still removed). */
int txn_meta_rm(struct edit_txn *t, const char *key);
/* Sets the description of feature (iface_describe; function may be NULL):
 * the number of descriptions changed.  ch (may be NULL) gets the places. */
int txn_describe(struct edit_txn *t, const char *feature, const char *text, size_t len, const char *function,
		 struct iface_changes *ch);
/* Renames feature old to new (iface_rename): the number of fields changed. */
int txn_rename(struct edit_txn *t, const char *old, const char *new, const char *function, struct iface_changes *ch);
/* Replaces the class labels with v[0..n) (iface_labels_set): 1 changed,
 * 0 the model already has them. */
int txn_labels_set(struct edit_txn *t, char *const *v, size_t n);

/* ---- the overlays ------------------------------------------------------- */
/* Works out the overlays' new text for the edits so far (each overlay read
 * once; one that is not JSON is warned about and left as it is).  Called
 * by txn_commit when not before; call it to know what would change (dry
 * run).  0, or -1 (a refused edit, an overlay that cannot be read). */
int txn_prepare(struct edit_txn *t);
/* After txn_prepare: 1 when the overlay name (OVERLAY_META, OVERLAY_FDESC)
 * changes, else 0. */
int txn_overlay_changes(struct edit_txn *t, const char *name);
/* After txn_prepare: for edit i (0: the first added), whether its overlay
 * held an entry for it: 1 yes, 0 no (the overlay lacks the key or
 * feature), -1 no overlay concerned (none, left alone, not JSON, or an
 * edit no overlay follows). */
int txn_edit_held(struct edit_txn *t, size_t i);
/* Metadata edit i: 1 and the value the key had before it (*old, owned by
 * t), 0 when it had none. */
int txn_edit_old(struct edit_txn *t, size_t i, const char **old, size_t *len);
/* 1 when an edit changed the spec */
int txn_spec_changed(struct edit_txn *t);

/* ---- the save ------------------------------------------------------------- */
enum {
	TXN_DRY_RUN = 1, /* check and prepare, write nothing */
	TXN_FORCE = 2,   /* write the spec even when no edit changed it */
};
/* Commits: in place when out is NULL (or names the model), else to out (a
 * new file, package or zip of m's kind).  Writes when an edit changed the
 * spec or an overlay, or out is given, or with TXN_FORCE; else nothing.
 * Returns 1 written, 0 nothing to write (or TXN_DRY_RUN), -1 on error
 * (reported, the exit class set: a refused edit's, EXIT_WRITE...) with the
 * model on disk as it was. */
int txn_commit(struct edit_txn *t, const char *out, int flags);
#endif
