/* diff-fields: the generic walk of a message into facts, field by field.
 * Scalars by value (enums by name), strings as they are, bytes and weights
 * by a hash of their bytes (a WeightParams also as a tensor to compare by
 * values), nested messages field by field below their path, unless they are
 * too deep or too big; a repeated message element only one side has is one
 * line of its first fields, and elements the same on both sides one fact.
 * diff.c puts a model type's message, a network's and a layer's fields and
 * an ML program's own fields through it. */
#include "analyze/diff-internal.h"
#include "base/hash.h"
#include "query/inspect.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a message field shown field by field (not as a hash of its bytes) unless
 * it holds weights, is nested this deep, or is this big */
#define FLAT_DEPTH 24
#define FLAT_BYTES ((size_t)16 << 20)
/* a packed repeated number listed by value when this short, hashed beyond */
#define FLAT_PACKED 16

static int is_labels_field(const ProtobufCFieldDescriptor *fd)
{
	return !strcmp(fd->name, "stringClassLabels") || !strcmp(fd->name, "int64ClassLabels");
}

static void add_scalar(struct strbuf *sb, const ProtobufCFieldDescriptor *fd, uint64_t u, int first)
{
	if (!first)
		sb_adds(sb, ", ");
	if (fd->type == PROTOBUF_C_TYPE_FLOAT || fd->type == PROTOBUF_C_TYPE_DOUBLE) {
		sb_addf(sb, "%.9g", mt_raw_double(fd, u));
		return;
	}
	int64_t v = mt_raw_int(fd, u);
	const ProtobufCEnumValue *ev = NULL;
	if (fd->type == PROTOBUF_C_TYPE_ENUM && fd->descriptor && v >= INT32_MIN && v <= INT32_MAX)
		ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)v);
	if (ev)
		sb_adds(sb, ev->name);
	else
		sb_addf(sb, "%lld", (long long)v);
}

/* a message on one line: its numbers, enums and short strings by name,
 * other fields by size ("{treeId: 2, nodeId: 0, evaluationInfo: <9 bytes>}"),
 * cut after about 200 characters */
static char *inline_msg(struct mt_node *c)
{
	struct strbuf sb = STRBUF_INIT;
	sb_addc(&sb, '{');
	if (mt_parse(c) == 0)
		for (size_t i = 0; i < c->n; i++) {
			const struct mt_field *g = &c->f[i];
			const ProtobufCFieldDescriptor *fd = g->fd;
			if (sb.len > 200) {
				sb_adds(&sb, ", ...");
				break;
			}
			char name[32];
			sb_addf(&sb, "%s%s: ", i ? ", " : "",
				fd ? fd->name : (snprintf(name, sizeof(name), "%u", g->number), name));
			if (fd && g->wt != WT_LEN && fd->type != PROTOBUF_C_TYPE_MESSAGE &&
			    fd->type != PROTOBUF_C_TYPE_STRING && fd->type != PROTOBUF_C_TYPE_BYTES)
				add_scalar(&sb, fd, g->u, 1);
			else if (fd && fd->type == PROTOBUF_C_TYPE_STRING && g->vlen <= 60)
				sb_addf(&sb, "'%.*s'", (int)g->vlen, (const char *)g->val);
			else
				sb_addf(&sb, "<%zu bytes>", g->vlen);
		}
	sb_addc(&sb, '}');
	return sb_detach(&sb, NULL);
}

static int add_msg(struct facts *f, struct mt_node *n, struct mt_node *o, const char *ent, const char *grp,
		   const char *kp, const uint32_t *skip, size_t nskip, int depth);

/* one fact per field name of n (skipping the numbers in skip): scalars by
 * value (enums by name), strings as they are, bytes and weights by a hash of
 * their bytes, other messages field by field below their path (grp: the
 * outermost such field, which bounds the lines shown) */
static int add_msg(struct facts *f, struct mt_node *n, struct mt_node *o, const char *ent, const char *grp,
		   const char *kp, const uint32_t *skip, size_t nskip, int depth)
{
	if (mt_parse(n) < 0)
		return -1;
	if (o && mt_parse(o) < 0)
		o = NULL;
	/* the field numbers done (a message has few distinct ones, but a
	 * repeated field may occur many thousand times: tree-ensemble nodes) */
	uint32_t *done = NULL;
	size_t ndone = 0, dcap = 0;
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *fl = &n->f[i];
		int skipped = 0, seen = 0;
		for (size_t k = 0; k < nskip; k++)
			skipped |= skip[k] == fl->number;
		for (size_t q = 0; q < ndone; q++)
			seen |= done[q] == fl->number;
		if (skipped || seen)
			continue;
		xgrow((void **)&done, &dcap, ndone + 1, sizeof(*done));
		done[ndone++] = fl->number;
		const ProtobufCFieldDescriptor *fd = fl->fd;
		if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && is_labels_field(fd))
			continue; /* the labels are facts of their own (add_labels) */
		char name[32];
		const char *fname = fd ? fd->name : (snprintf(name, sizeof(name), "%u", fl->number), name);
		char *key = xasprintf("%s.%s", kp, fname);
		/* every occurrence of the field together */
		size_t total = 0, count = 0, elems = 0;
		for (size_t q = i; q < n->n; q++)
			if (n->f[q].number == fl->number) {
				total += n->f[q].vlen;
				count++;
			}
		const ProtobufCMessageDescriptor *md =
			fd && fd->type == PROTOBUF_C_TYPE_MESSAGE ? fd->descriptor : NULL;
		if (md && fl->wt == WT_LEN && strcmp(md->short_name, "WeightParams") && depth < FLAT_DEPTH &&
		    total <= FLAT_BYTES) {
			const char *gp = grp ? grp : key, *saved = f->grp;
			f->grp = gp;
			int repeated = fd->label == PROTOBUF_C_LABEL_REPEATED;
			if (repeated)
				putf(f, ent, xstrdup(key), "%zu item%s", count, count == 1 ? "" : "s");
			else
				put(f, ent, xstrdup(key), xstrdup("present"));
			size_t j = 0, oq = 0;
			long olast = o ? mt_find_last(o, fl->number) : -1;
			for (size_t q = i; q < n->n; q++) {
				if (n->f[q].number != fl->number)
					continue;
				if (!repeated && q != (size_t)mt_find_last(n, fl->number))
					continue;
				/* the same occurrence in the other model: the j-th, or the last */
				const struct mt_field *g = &n->f[q], *og = NULL;
				long oi = -1;
				if (o && repeated) {
					while (oq < o->n && o->f[oq].number != fl->number)
						oq++;
					if (oq < o->n)
						oi = (long)oq++;
				} else if (o) {
					oi = olast;
				}
				if (oi >= 0)
					og = &o->f[oi];
				char *ck = repeated ? xasprintf("%s[%zu]", key, j++) : xstrdup(key);
				/* the same bytes on both sides: one fact (both models put
				 * the same), not one a field (a tree ensemble with one node
				 * changed is not listed node by node) */
				/* ... or an element only this side has: one line, as a
				 * removed layer is, with its first fields */
				if (o && repeated && oi < 0) {
					struct mt_node *c = mt_child(n, q);
					put(f, ent, ck, c ? inline_msg(c) : xstrdup("?"));
					continue;
				}
				if ((og && og->wt == WT_LEN && !((g->flags | og->flags) & MT_F_MERGED) &&
				     og->vlen == g->vlen && (g->vlen == 0 || !memcmp(og->val, g->val, g->vlen)))) {
					if (repeated)
						put(f, ent, ck,
						    xasprintf("<%zu bytes, %016llx>", g->vlen,
							      (unsigned long long)hash_bytes(g->val, g->vlen,
											     HASH_INIT)));
					else
						free(ck); /* "present" says it */
					continue;
				}
				struct mt_node *oc = og && og->wt == WT_LEN ? mt_child(o, (size_t)oi) : NULL;
				struct mt_node *c = mt_child(n, q);
				if (!c) {
					f->grp = saved;
					free(ck);
					free(key);
					free(done);
					return -1;
				}
				int r = add_msg(f, c, oc, ent, gp, ck, NULL, 0, depth + 1);
				free(ck);
				if (r < 0) {
					f->grp = saved;
					free(key);
					free(done);
					return -1;
				}
			}
			f->grp = saved;
			free(key);
			continue;
		}
		struct strbuf sb = STRBUF_INIT;
		uint64_t h = HASH_INIT;
		size_t hashed = 0;
		int textual = fd && fd->type != PROTOBUF_C_TYPE_MESSAGE && fd->type != PROTOBUF_C_TYPE_STRING &&
			      fd->type != PROTOBUF_C_TYPE_BYTES;
		int string = fd && fd->type == PROTOBUF_C_TYPE_STRING;
		/* a packed run of numbers: its values when short */
		if (textual)
			for (size_t q = i; q < n->n; q++) {
				const struct mt_field *g = &n->f[q];
				size_t pos = 0;
				uint64_t u;
				if (g->number == fl->number)
					while (mt_scalar_next(g, &pos, &u))
						elems++;
			}
		count = 0;
		for (size_t q = i; q < n->n; q++) {
			const struct mt_field *g = &n->f[q];
			if (g->number != fl->number)
				continue;
			if (textual && (g->wt != WT_LEN || ((g->flags & MT_F_PACKED) && elems <= FLAT_PACKED))) {
				size_t pos = 0;
				uint64_t u;
				while (mt_scalar_next(g, &pos, &u))
					add_scalar(&sb, fd, u, !count++);
				continue;
			} else if (string && g->vlen <= 200) {
				sb_addf(&sb, "%s'%.*s'", count ? ", " : "", (int)g->vlen, (const char *)g->val);
			} else {
				/* re-encoded nodes (after an edit) are not spans: serialise */
				h = hash_bytes(g->val, g->vlen, h);
				hashed += g->vlen;
			}
			count++;
		}
		if (md && !strcmp(md->short_name, "WeightParams")) {
			f->pend_w = 1;
			f->pend_b += hashed;
			/* one weight: in tensor terms too, to be compared by value */
			struct nn_weight w;
			struct mt_node *c = count == 1 ? mt_child(n, i) : NULL;
			if (c && nn_weight_read(c, &w) == 0) {
				f->pend_wp = c;
				if (!strcmp(w.type, "quantized") || !strcmp(w.type, "lut"))
					f->pend_wdesc =
						xasprintf("%s %d-bit[%llu]", !strcmp(w.type, "lut") ? "lut" : "linear",
							  w.bits, (unsigned long long)w.count);
				else
					f->pend_wdesc = xasprintf("%s[%llu]", w.type, (unsigned long long)w.count);
			}
		}
		if (hashed || (!textual && !string && count))
			sb_addf(&sb, "%s<%zu bytes, %016llx>", sb.len ? ", " : "", hashed, (unsigned long long)h);
		put(f, ent, key, sb_detach(&sb, NULL));
	}
	free(done);
	/* singular numbers, bools and enums left out hold their default (0, the
	 * enum's first value): a fact too, so that a change from or to the
	 * default reads as one (mode: CHANNEL_FIRST -> CHANNEL_LAST) */
	for (unsigned k = 0; n->desc && k < n->desc->n_fields; k++) {
		const ProtobufCFieldDescriptor *fd = &n->desc->fields[k];
		int skipped = 0;
		for (size_t q = 0; q < nskip; q++)
			skipped |= skip[q] == fd->id;
		if (skipped || fd->label == PROTOBUF_C_LABEL_REPEATED || (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
		    fd->type == PROTOBUF_C_TYPE_STRING || fd->type == PROTOBUF_C_TYPE_BYTES ||
		    fd->type == PROTOBUF_C_TYPE_MESSAGE || mt_find(n, fd->id, 0) >= 0)
			continue;
		struct strbuf sb = STRBUF_INIT;
		add_scalar(&sb, fd, 0, 1);
		put(f, ent, xasprintf("%s.%s", kp, fd->name), sb_detach(&sb, NULL));
	}
	return 0;
}

/* o: the node of the other model at the same place, or NULL */
int df_add_fields(struct facts *f, struct mt_node *n, struct mt_node *o, const char *ent, const char *kp,
		  const uint32_t *skip, size_t nskip)
{
	return add_msg(f, n, o, ent, NULL, kp, skip, nskip, 0);
}
