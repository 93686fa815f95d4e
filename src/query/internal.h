/* internal: helpers the query modules share among themselves (not for
 * other layers). */
#ifndef MLPKG_QUERY_INTERNAL_H
#define MLPKG_QUERY_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "spec/tree.h"
#include "base/xalloc.h"
#include "query/inspect.h"

int sl_has(const struct strlist *l, const char *s);
int child_of(struct mt_node *n, uint32_t num, struct mt_node **out);
const char *enum_name(struct mt_node *n, uint32_t num);
long set_member(struct mt_node *n);
int64_t *int_list(struct mt_node *n, uint32_t num, size_t *count);
size_t count_num(struct mt_node *n, uint32_t num);
void lower_into(char *dst, size_t n, const char *s);
void sb_add_quoted(struct strbuf *sb, const char *s, size_t n);
void sb_scalar(struct strbuf *sb, const ProtobufCFieldDescriptor *fd, uint64_t u);
int is_weight_params(const ProtobufCFieldDescriptor *fd);
#endif
