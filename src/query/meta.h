/* meta: model metadata (description.metadata) over the spec tree: the four
 * standard fields and the userDefined map, read exactly, and the checks a
 * value passes before it is set (the edits: edit/meta-edit.h). */
#ifndef MLPKG_META_H
#define MLPKG_META_H
#include <stddef.h>
#include "spec/tree.h"

#define PREVIEW_TYPE_KEY "com.apple.coreml.model.preview.type"
#define PREVIEW_PARAMS_KEY "com.apple.coreml.model.preview.params"

/* A userDefined key can always be named with this prefix
 * (userDefined.version is the user key "version", version the standard
 * field); meta_list shows it so wherever the bare key would name something
 * else. */
#define META_USER_PREFIX "userDefined."

struct meta_entry {
	char *key; /* as shown: author, license, version, description, or the
		    * userDefined key (prefixed when it needs to be, see
		    * meta_user_key_shown); meta_canonical gives it back */
	char *value;
	size_t len;
	int standard; /* one of the four standard fields */
};

/* The key as stored: preview.type -> com.apple..., "version" -> versionString
 * (standard fields give their field number in *std, else 0),
 * userDefined.KEY -> the user key KEY (whatever KEY is). */
const char *meta_canonical(const char *key, int *std);
/* How the user key key is named to the user (caller frees): as it is, or
 * with META_USER_PREFIX when the bare key would name something else (a
 * standard field or its alias, a preview alias, a key starting with the
 * prefix). */
char *meta_user_key_shown(const char *key);
/* All metadata in file order: the standard fields present, then userDefined
 * entries.  Returns -1 on an invalid tree. Free with meta_entries_free. */
int meta_list(struct mt_node *root, struct meta_entry **out, size_t *n);
void meta_entries_free(struct meta_entry *e, size_t n);
/* 1 found (*val, *len: caller frees), 0 absent, -1 invalid tree */
int meta_get(struct mt_node *root, const char *key, char **val, size_t *len);
/* Checks a value before it is set: preview.params must be JSON of the shape
 * the preview type (ptype, may be NULL) takes; unknown preview types are
 * warned about (with the nearest known one).  0 ok, -1 refused (reported in
 * one line, EXIT_USAGE, naming label and saying the model is unchanged when
 * label is not NULL). */
int meta_check(const char *label, const char *key, const char *val, size_t len, const char *ptype);
/* what is wrong with preview.params val for preview type ptype (NULL: any),
 * in words (caller frees), or NULL when they suit it */
char *meta_params_problem(const char *val, size_t len, const char *ptype);
/* The labels of preview params val[0..len) ({"labels": [...]}): 1 and
 * *v[0..*n) (caller frees each and the array), 0 when the params are not
 * JSON or hold no array of string labels. */
int meta_params_labels(const char *val, size_t len, char ***v, size_t *n);
/* the preview types Xcode knows (NULL-terminated) */
extern const char *const preview_types[];

/* ---- the nodes, for the edits (edit/meta-edit.c) ------------------------ */
/* description.metadata of root: 1 (*m), 0 absent, -1 when it does not
 * decode (reported) */
int meta_node(struct mt_node *root, struct mt_node **m);
/* the index of metadata node m's last userDefined entry for key: -1 none,
 * -2 when an entry does not decode */
long meta_find_user(struct mt_node *m, const char *key);
/* 1 when field i of metadata node m is a userDefined entry for key */
int meta_entry_is(struct mt_node *m, size_t i, const char *key);
#endif
