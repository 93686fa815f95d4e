/* schema: facts about the Core ML schema that our code needs beyond the
 * descriptors: the model-type oneof, spec versions and OS releases. */
#ifndef MLPKG_SCHEMA_H
#define MLPKG_SCHEMA_H
#include "spec/tree.h"

extern const ProtobufCMessageDescriptor *const model_descriptor;
/* The field of the Model's Type oneof that is set (last one wins), or -1. */
long model_type_field(struct mt_node *model);
/* Its name ("neuralNetwork", "pipeline"...), or NULL when unset. */
const char *model_type_name(struct mt_node *model);
/* The OS releases that first read a spec version ("iOS 15, macOS 12, ..."), or NULL. */
const char *spec_version_os(int v);
#endif
