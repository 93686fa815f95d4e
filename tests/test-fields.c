/* test-fields: the field numbers of spec/fields.h against the schema
 * compiled in.  Every message reachable from Model is indexed by its name
 * less "CoreML.Specification." ("MILSpec.Argument.Binding"); each entry of
 * SPEC_FIELDS must name one of them (its '_' read as '.'), a field of it
 * by that name, and that field's number.  Then the numbers the code reads
 * alike in many messages (see the comments where it does): a map entry's
 * key 1 and value 2, the values 1 of a TensorValue's Repeated* messages
 * and of a tuple, list or dictionary value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "base/hash.h"
#include "spec/dump.h"
#include "spec/fields.h"
#include "spec/schema.h"

#define PREFIX "CoreML.Specification."

/* message name (less PREFIX) -> its descriptor, for every message reachable from Model */
static struct hmap messages = HMAP_INIT;

static void index_message(const ProtobufCMessageDescriptor *d)
{
	const char *name = d->name;
	if (!strncmp(name, PREFIX, strlen(PREFIX)))
		name += strlen(PREFIX);
	if (hmap_get(&messages, name))
		return;
	hmap_put(&messages, name, (void *)d);
	for (unsigned i = 0; i < d->n_fields; i++)
		if (d->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
			index_message(d->fields[i].descriptor);
}

static int setup(void **state)
{
	(void)state;
	index_message(model_descriptor);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hmap_release(&messages, NULL);
	return 0;
}

static const ProtobufCMessageDescriptor *message(const char *name)
{
	return hmap_get(&messages, name);
}

static const struct entry {
	const char *msg, *field;
	uint32_t num;
} entries[] = {
#define SPEC_FIELD_ENTRY(m, f, n) { #m, #f, n },
	SPEC_FIELDS(SPEC_FIELD_ENTRY)
#undef SPEC_FIELD_ENTRY
};

/* the walk finds the schema: Model, nested and sub-package messages */
static void index_holds_the_schema(void **state)
{
	(void)state;
	assert_ptr_equal(message("Model"), model_descriptor);
	assert_non_null(message("MILSpec.Argument.Binding"));
	assert_non_null(message("CoreMLModels.VisionFeaturePrint.Scene"));
	assert_non_null(message("NeuralNetworkLayer"));
	assert_null(message("NoSuchMessage"));
	assert_true(messages.n > 200);
}

/* every entry: its message, its field by name, the field's number */
static void entries_match_the_schema(void **state)
{
	(void)state;
	size_t bad = 0;
	assert_true(sizeof(entries) / sizeof(entries[0]) > 0);
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		const struct entry *e = &entries[i];
		char name[256];
		snprintf(name, sizeof(name), "%s", e->msg);
		for (char *p = name; *p; p++)
			if (*p == '_')
				*p = '.';
		const ProtobufCMessageDescriptor *d = message(name);
		const ProtobufCFieldDescriptor *fd =
			d ? protobuf_c_message_descriptor_get_field_by_name(d, e->field) : NULL;
		if (!d)
			print_error("X(%s, %s, %u): no message %s in the schema\n", e->msg, e->field, e->num, name);
		else if (!fd)
			print_error("X(%s, %s, %u): %s has no field %s\n", e->msg, e->field, e->num, name, e->field);
		else if (fd->id != e->num)
			print_error("X(%s, %s, %u): %s.%s is numbered %u\n", e->msg, e->field, e->num, name, e->field,
				    fd->id);
		bad += !d || !fd || fd->id != e->num;
	}
	assert_int_equal(bad, 0);
}

/* one name per entry: a message's field listed once */
static void entries_are_listed_once(void **state)
{
	(void)state;
	struct hmap seen = HMAP_INIT;
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		char key[300];
		snprintf(key, sizeof(key), "%s.%s", entries[i].msg, entries[i].field);
		if (!hset_add(&seen, key))
			print_error("%s is listed twice\n", key);
		assert_true(hset_has(&seen, key));
	}
	assert_int_equal(seen.n, sizeof(entries) / sizeof(entries[0]));
	hmap_release(&seen, NULL);
}

static uint32_t number_of(const char *msg, const char *field)
{
	const ProtobufCMessageDescriptor *d = message(msg);
	const ProtobufCFieldDescriptor *fd = d ? protobuf_c_message_descriptor_get_field_by_name(d, field) : NULL;
	if (!fd)
		print_error("%s.%s: not in the schema\n", msg, field);
	return fd ? fd->id : 0;
}

/* the numbers code reads alike in many messages */
static void generic_numbers_hold(void **state)
{
	(void)state;
	size_t i = 0, maps = 0;
	struct hmap_ent *e;
	while ((e = hmap_next(&messages, &i))) {
		const ProtobufCMessageDescriptor *d = e->val;
		if (!is_map_entry(d))
			continue;
		maps++;
		assert_int_equal(number_of(e->key, "key"), 1);
		assert_int_equal(number_of(e->key, "value"), 2);
	}
	assert_true(maps > 5);
	static const char *const repeated[] = { "Floats", "Ints", "Bools", "Strings", "LongInts", "Doubles", "Bytes" };
	for (size_t k = 0; k < sizeof(repeated) / sizeof(repeated[0]); k++) {
		char name[64];
		snprintf(name, sizeof(name), "MILSpec.TensorValue.Repeated%s", repeated[k]);
		assert_int_equal(number_of(name, "values"), 1);
	}
	assert_int_equal(number_of("MILSpec.TupleValue", "values"), 1);
	assert_int_equal(number_of("MILSpec.ListValue", "values"), 1);
	assert_int_equal(number_of("MILSpec.DictionaryValue", "values"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(index_holds_the_schema),
		cmocka_unit_test(entries_match_the_schema),
		cmocka_unit_test(entries_are_listed_once),
		cmocka_unit_test(generic_numbers_hold),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
