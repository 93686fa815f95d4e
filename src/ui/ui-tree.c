/* ui-tree: the whole spec tree, folded: a message's fields are listed only
 * when it is opened (mt_child), a chunk at a time, so a 1 GiB network costs
 * what is looked at.  Field names come from the schema's descriptors, rows
 * carry get paths. */
#include "ui/browse.h"
#include "spec/dump.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp {
	struct mt_node *msg;    /* the message this row opens (NULL until opened) */
	struct mt_node *parent; /* the message holding the field */
	size_t fi;              /* the field's index in parent */
	uint32_t prev;          /* building: the last field number seen, and its run */
	size_t run;
};

static int more_fields(struct view *v, struct unode *u, size_t max);

static void scalar_text(struct strbuf *sb, const struct mt_field *f, size_t limit)
{
	if (f->wt == WT_LEN && (!f->fd || f->fd->type == PROTOBUF_C_TYPE_STRING)) {
		size_t n = f->vlen > limit ? limit : f->vlen;
		sb_addc(sb, '"');
		sb_add(sb, f->val, n);
		sb_adds(sb, f->vlen > limit ? "\"..." : "\"");
		return;
	}
	if (f->wt == WT_LEN && f->fd && f->fd->type == PROTOBUF_C_TYPE_BYTES) {
		sb_addf(sb, "<%zu bytes>", f->vlen);
		return;
	}
	if (f->fd && (f->flags & MT_F_PACKED)) {
		size_t pos = 0, k = 0;
		uint64_t x;
		sb_adds(sb, "[");
		while (mt_scalar_next(f, &pos, &x)) {
			if (k < 8) {
				if (k)
					sb_adds(sb, ", ");
				if (f->fd->type == PROTOBUF_C_TYPE_FLOAT || f->fd->type == PROTOBUF_C_TYPE_DOUBLE)
					sb_addf(sb, "%g", mt_raw_double(f->fd, x));
				else
					sb_addf(sb, "%lld", (long long)mt_raw_int(f->fd, x));
			}
			k++;
			if (k > 8 && limit < 1000)
				break;
		}
		sb_adds(sb, k > 8 ? ", ...]" : "]");
		return;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return;
	print_scalar_raw(fp, f);
	fclose(fp);
	sb_add(sb, buf, len);
	free(buf);
}

static void tp_free(void *p)
{
	free(p);
}

static void detail(struct view *v, struct unode *u, struct strlist *out)
{
	(void)v;
	struct tp *x = u->p;
	if (!x || !x->parent) {
		sl_pushf(out, "%s", u->text);
		return;
	}
	const struct mt_field *f = &x->parent->f[x->fi];
	if (f->fd)
		sl_pushf(out, "field %s = %u, %s%s, %zu bytes encoded", f->fd->name, f->number,
			 f->fd->type == PROTOBUF_C_TYPE_MESSAGE
				 ? ((const ProtobufCMessageDescriptor *)f->fd->descriptor)->name
			 : f->fd->type == PROTOBUF_C_TYPE_ENUM
				 ? ((const ProtobufCEnumDescriptor *)f->fd->descriptor)->name
				 : "scalar",
			 f->fd->label == PROTOBUF_C_LABEL_REPEATED ? " (repeated)" : "", f->rawlen);
	else
		sl_pushf(out, "field %u: unknown to the schema, wire type %u, %zu bytes", f->number, f->wt, f->rawlen);
	if (x->msg)
		sl_pushf(out, "message with %zu fields", x->msg->n);
	else if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE) {
		struct strbuf sb = STRBUF_INIT;
		scalar_text(&sb, f, 4096);
		const char *p = sb.buf ? sb.buf : "";
		size_t l = sb.len;
		while (l && out->n < 60) {
			size_t c = l > 76 ? 76 : l;
			sl_push(out, xstrndup(p, c));
			p += c;
			l -= c;
		}
		sb_release(&sb);
	}
	if (u->path)
		sl_pushf(out, "path: %s", u->path);
}

static void add_field(struct view *v, struct unode *u, struct tp *px, struct mt_node *msg, size_t i)
{
	(void)v;
	const struct mt_field *f = &msg->f[i];
	if (f->number != px->prev)
		px->run = 0;
	size_t idx = px->run++;
	px->prev = f->number;
	const char *name = f->fd ? f->fd->name : NULL;
	struct strbuf sb = STRBUF_INIT, label = STRBUF_INIT;
	if (name)
		sb_adds(&label, name);
	else
		sb_addf(&label, "%u", f->number);
	int repeated = f->fd && f->fd->label == PROTOBUF_C_LABEL_REPEATED && !(f->flags & MT_F_PACKED);
	int is_msg = f->fd && f->fd->type == PROTOBUF_C_TYPE_MESSAGE && !(f->flags & MT_F_MISMATCH);
	struct mt_node *child = NULL;
	if (is_msg && repeated && is_map_entry(f->fd->descriptor)) {
		child = mt_child(msg, i);
		char *key = child ? field_str(child, 1) : xstrdup("?"); /* a map entry's key: field 1 */
		sb_addf(&label, "[\"%s\"]", key);
		free(key);
	} else if (repeated) {
		sb_addf(&label, "[%zu]", idx);
	}
	sb_adds(&sb, label.buf);
	if (is_msg) {
		sb_addf(&sb, " {%zu bytes}", f->vlen);
	} else {
		sb_adds(&sb, ": ");
		scalar_text(&sb, f, 60);
	}
	if (!f->fd)
		sb_adds(&sb, "  # unknown field");
	struct unode *c = un_add(u, "%s", sb.buf);
	sb_release(&sb);
	struct tp *x = xcalloc(1, sizeof(*x));
	x->parent = msg;
	x->fi = i;
	x->msg = child;
	c->p = x;
	c->free_p = tp_free;
	c->detail = detail;
	c->name = xstrdup(label.buf);
	c->path = u->path && *u->path ? xasprintf("%s.%s", u->path, label.buf) : xstrdup(label.buf);
	sb_release(&label);
	if (is_msg) {
		c->kind = xstrdup(((const ProtobufCMessageDescriptor *)f->fd->descriptor)->short_name);
		c->leaf = 0;
		c->done = 0;
		c->more = more_fields;
		c->attr = UA_KIND;
	}
}

static int more_fields(struct view *v, struct unode *u, size_t max)
{
	struct tp *x = u->p;
	if (!x->msg) {
		x->msg = mt_child(x->parent, x->fi);
		if (!x->msg)
			return -1;
	}
	if (x->msg->state != MT_PARSED && mt_parse(x->msg) < 0)
		return -1;
	size_t i = (size_t)u->it;
	for (; i < x->msg->n && max; i++, max--)
		add_field(v, u, x, x->msg, i);
	u->it = (long)i;
	return i < x->msg->n ? 1 : 0;
}

static int tree_init(struct view *v)
{
	struct tp *x = xcalloc(1, sizeof(*x));
	x->msg = ui_model(v)->root;
	v->root->p = x;
	v->root->free_p = tp_free;
	v->root->path = xstrdup("");
	v->root->more = more_fields;
	v->root->done = 0;
	return 0;
}

const struct view_ops tree_ops = {
	.name = "tree",
	.init = tree_init,
	.search_builds_all = 2,
};
