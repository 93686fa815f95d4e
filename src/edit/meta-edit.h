/* meta-edit: exact edits of a model's metadata over the spec tree (keys as
 * query/meta.h takes them: author, preview.type, a userDefined key...). */
#ifndef MLPKG_META_EDIT_H
#define MLPKG_META_EDIT_H
#include <stddef.h>
#include "spec/tree.h"

/* Sets key to val[0..len); 1 when the model changed, 0 when it already had
 * that value, -1 on error (an empty key: EXIT_USAGE). */
int meta_set(struct mt_node *root, const char *key, const char *val, size_t len);
/* Removes every occurrence of key (and a description or metadata message
 * left empty by it); 1 when removed, 0 when absent, -1 on error. */
int meta_rm(struct mt_node *root, const char *key);
#endif
