/* dump: the whole spec tree as indented text or as protobuf JSON. */
#ifndef MLPKG_DUMP_H
#define MLPKG_DUMP_H
#include <stdio.h>
#include "base/jsonout.h"
#include "spec/tree.h"

/* Indented text: field names, values, long bytes and long repeated scalars
 * summarised.  0, or -1 when an invalid node was met (reported). */
int dump_text(FILE *fp, struct mt_node *n, int indent);
/* The protobuf JSON mapping with the schema's field names: 64-bit integers
 * as strings (as numbers up to 2^53 when w->int64_numbers), bytes as base64, enums by name, defaults left out, maps as
 * objects.  Unknown fields cannot be expressed and are left out. */
int dump_json(struct jw *w, struct mt_node *n);
/* One field's value (all occurrences of it, from index i) in JSON */
int dump_json_field(struct jw *w, struct mt_node *n, size_t i);
/* 1 when a message type is a map entry (key = 1, value = 2) */
int is_map_entry(const ProtobufCMessageDescriptor *d);
/* Prints a scalar field occurrence's value as text (strings raw, unquoted) */
void print_scalar_raw(FILE *fp, const struct mt_field *f);
#endif
