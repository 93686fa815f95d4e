/* edit-tree: helpers over the spec tree that the edits share (see
 * internal.h): paths of nodes and fields, a model's type field, its
 * pipeline, a child message. */
#include "edit/internal.h"
#include "spec/dump.h"
#include "base/xalloc.h"
#include "Model.pb-c.h"
#include <stdlib.h>
#include <string.h>

int edit_span_eq(const void *p, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(p, s, n);
}

/* appends the step to field i of n: "input[0]", or for a map entry with a
 * string key 'functions["main"]' (the path language of mlpkg get); every map
 * entry holds its key in field 1, its value in 2 */
static void add_step(struct strbuf *sb, struct mt_node *n, size_t i)
{
	const struct mt_field *f = &n->f[i];
	if (sb->len)
		sb_addc(sb, '.');
	sb_adds(sb, f->fd ? f->fd->name : "?");
	if (f->child && is_map_entry(f->child->desc)) {
		long k = mt_find_last(f->child, 1);
		if (k >= 0 && f->child->f[k].fd && f->child->f[k].fd->type == PROTOBUF_C_TYPE_STRING) {
			sb_addc(sb, '[');
			sb_addc(sb, '"');
			sb_add(sb, f->child->f[k].val, f->child->f[k].vlen);
			sb_addc(sb, '"');
			sb_addc(sb, ']');
			return;
		}
	}
	if (f->fd && f->fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t k = 0;
		for (size_t q = 0; q < i; q++)
			k += n->f[q].number == f->number;
		sb_addf(sb, "[%zu]", k);
	}
}

/* the path of node n from the root in mlpkg get's language */
static void add_path(struct strbuf *sb, struct mt_node *n)
{
	struct mt_node *par = n->parent;
	if (!par)
		return;
	add_path(sb, par);
	for (size_t i = 0; i < par->n; i++) {
		if (par->f[i].child != n)
			continue;
		/* the value of a map entry: the entry's step stands for it */
		if (par->parent && is_map_entry(par->desc) && par->f[i].number == 2) {
			long k = mt_find_last(par, 1);
			if (k >= 0 && par->f[k].fd && par->f[k].fd->type == PROTOBUF_C_TYPE_STRING)
				return;
		}
		add_step(sb, par, i);
		return;
	}
}

char *edit_node_path(struct mt_node *n)
{
	struct strbuf sb = STRBUF_INIT;
	add_path(&sb, n);
	return sb_detach(&sb, NULL);
}

/* the path of field i of n: "description.input[0].name" */
char *edit_field_path(struct mt_node *n, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	add_path(&sb, n);
	const struct mt_field *f = &n->f[i];
	if (sb.len)
		sb_addc(&sb, '.');
	sb_adds(&sb, f->fd ? f->fd->name : "?");
	if (f->fd && f->fd->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t k = 0;
		for (size_t q = 0; q < i; q++)
			k += n->f[q].number == f->number;
		sb_addf(&sb, "[%zu]", k);
	}
	return sb_detach(&sb, NULL);
}

/* the message field of the oneof Type of a Model (the last one set), -1 when none */
long edit_type_field(struct mt_node *m)
{
	long found = -1;
	for (size_t i = 0; i < m->n; i++) {
		const ProtobufCFieldDescriptor *fd = m->f[i].fd;
		if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			found = (long)i;
	}
	return found;
}

/* the Pipeline message of a pipeline model (type field t), or NULL */
struct mt_node *edit_pipeline_of(struct mt_node *m, long t, int *bad)
{
	*bad = 0;
	uint32_t num = m->f[t].number;
	if (num != F_Model_pipeline && num != F_Model_pipelineClassifier && num != F_Model_pipelineRegressor)
		return NULL;
	struct mt_node *c = mt_child(m, (size_t)t);
	if (!c) {
		*bad = 1;
		return NULL;
	}
	if (num == F_Model_pipeline)
		return c;
	uint32_t pf = num == F_Model_pipelineClassifier ? F_PipelineClassifier_pipeline : F_PipelineRegressor_pipeline;
	struct mt_node *p = mt_get(c, pf);
	if (!p && mt_find_last(c, pf) >= 0)
		*bad = 1;
	return p;
}

/* the child message of field i, or NULL for an unknown occurrence; *bad on an invalid one */
struct mt_node *edit_child_at(struct mt_node *n, size_t i, int *bad)
{
	*bad = 0;
	const struct mt_field *f = &n->f[i];
	if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE)
		return NULL;
	struct mt_node *c = mt_child(n, i);
	if (!c)
		*bad = 1;
	return c;
}
