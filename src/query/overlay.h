/* overlay: the JSON files Xcode keeps in a package beside the root spec,
 * Metadata.json ("External Metadata Overlay") and FeatureDescriptions.json
 * ("External FeatureDescription Overlay").  Their format is not published;
 * Xcode's own (Apple's models, packages edited in Xcode) mirrors the spec:
 * MLModel...Key members, MLModelCreatorDefinedKey, Inputs / Outputs /
 * TrainingInputs / States of {MLFeatureShortDescription}.  We keep them
 * consistent with an edit by changing the entry they hold for the edited
 * key or feature, adding one where Xcode's layout has its place, splicing
 * only those bytes (base/jsonedit.h). */
#ifndef MLPKG_OVERLAY_H
#define MLPKG_OVERLAY_H
#include <stddef.h>
#include "model/model.h"

#define OVERLAY_META "Metadata.json"
#define OVERLAY_FDESC "FeatureDescriptions.json"

/* the overlay's path inside the package: where Manifest.json lists it, else
 * beside the root spec (or in Data/com.apple.CoreML); caller frees */
char *overlay_rel(struct mlpkg_model *m, const char *name);

/* The overlay name of a package or zipped package: 1 and *text (caller
 * frees), 0 when there is none, 2 when there is one that must be left as
 * it is (a link, or leading outside the package: warned), -1 on error. */
int overlay_read(struct mlpkg_model *m, const char *name, char **text, size_t *len);

/* one metadata edit: key canonical (std: its standard field number, or 0),
 * val NULL removes */
struct meta_edit {
	const char *key;
	int std;
	const char *val;
	size_t len;
};

/* Metadata.json's text with the edits applied to the entries it holds, and
 * the keys an edit sets added to it when it is in Xcode's layout (keys
 * MLModel...Key, creator-defined keys under MLModelCreatorDefinedKey), and
 * in that layout a removed key that is the only one of its object written
 * as Xcode's "--" (Xcode never writes an empty object): how
 * many of the edits it now agrees with, *out the new text (NULL when no
 * byte changes); -1 when it is not a JSON object. */
int overlay_meta_json(const char *text, size_t len, const struct meta_edit *e, size_t n, char **out);

/* How many of the values e (the spec's) Metadata.json holds differently,
 * and, with all (e is the whole of the spec's metadata), keys it holds that
 * the spec lacks (but for empty values and Xcode's "--"); their keys in
 * *which ("author, license"; caller frees, NULL when none); -1 when it is
 * not a JSON object. */
int overlay_meta_differs(const char *text, size_t len, const struct meta_edit *e, size_t n, int all, char **which);

/* Compares m's overlays with its spec: the metadata keys Metadata.json holds
 * with another value than e (the spec's entries, meta_list), and the
 * features whose FeatureDescriptions.json entry reads otherwise than the
 * spec's description; each a count (-1: no such overlay, or not JSON) and
 * *which naming them ("author, license"; caller frees, NULL when none). */
struct meta_entry;
int overlay_meta_compare(struct mlpkg_model *m, const struct meta_entry *e, size_t n, int all, char **which);
int overlay_fdesc_compare(struct mlpkg_model *m, char **which);

/* ---- FeatureDescriptions.json ------------------------------------------- */
/* Apple's feature-description overlay (above).  Both functions
 * splice their changes into the text (base/jsonedit.h): every other byte
 * stays.  They return 1 when the overlay has an entry for the edit, with
 * *out (caller frees) its new text when a byte changes (NULL when it
 * already says so), 0 when it has no such entry, -1 when it is not JSON. */
/* Rename: object keys equal to old become new (unless the object already
 * has new), and the values of "name" / "featureName" members equal to old
 * become new, at any depth. */
int fdesc_json_rename(const char *text, size_t len, const char *old, const char *new, char **out);
/* Describe: the entry for feature (an object member named feature, or an
 * object whose "name" is feature) gets desc in its description member
 * (MLFeatureShortDescription as Xcode writes it, shortDescription,
 * description or MLFeatureDescriptionKey, whichever it has), or becomes
 * desc when it is a string.  Without one, and with group (Inputs, Outputs,
 * TrainingInputs, States: Xcode's layout) among its top-level objects, an
 * entry {MLFeatureShortDescription: desc} is added there. */
int fdesc_json_describe(const char *text, size_t len, const char *feature, const char *desc, const char *group,
			char **out);
#endif
