/* schema: model types and spec version facts (see schema.h). */
#include "spec/schema.h"
#include "Model.pb-c.h"
#include <string.h>

const ProtobufCMessageDescriptor *const model_descriptor = &core_ml__specification__model__descriptor;

long model_type_field(struct mt_node *model)
{
	long found = -1;
	if (mt_parse(model) < 0)
		return -1;
	for (size_t i = 0; i < model->n; i++) {
		const ProtobufCFieldDescriptor *fd = model->f[i].fd;
		if (fd && (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && fd->type == PROTOBUF_C_TYPE_MESSAGE)
			found = (long)i;
	}
	return found;
}

const char *model_type_name(struct mt_node *model)
{
	long i = model_type_field(model);
	return i < 0 ? NULL : model->f[i].fd->name;
}

/* Spec version to the first OS releases that read it (from the published
 * version history). */
static const char *const os_table[] = {
	NULL,
	"iOS 11, macOS 10.13, tvOS 11, watchOS 4",
	"iOS 11.2, macOS 10.13.2, tvOS 11.2, watchOS 4.2",
	"iOS 12, macOS 10.14, tvOS 12, watchOS 5",
	"iOS 13, macOS 10.15, tvOS 13, watchOS 6",
	"iOS 14, macOS 11, tvOS 14, watchOS 7",
	"iOS 15, macOS 12, tvOS 15, watchOS 8",
	"iOS 16, macOS 13, tvOS 16, watchOS 9",
	"iOS 17, macOS 14, tvOS 17, watchOS 10",
	"iOS 18, macOS 15, tvOS 18, watchOS 11, visionOS 2",
	"iOS 26, macOS 26, tvOS 26, watchOS 26, visionOS 26",
};

const char *spec_version_os(int v)
{
	if (v < 1 || v >= (int)(sizeof(os_table) / sizeof(os_table[0])))
		return NULL;
	return os_table[v];
}
