/* diff-mil: the facts of an ML program.  Its attributes (buildInfo by key),
 * and a walk of its functions, blocks and operations: an op by name, with
 * its input bindings, outputs and attributes; a Value by its type and the
 * content of its blob or its immediate bytes (value_digest), counted as
 * weight values.  A const or constexpr operation is remembered by the
 * variable it makes, so that an input bound to it is compared by its
 * tensor's values when it changes (pend_tensor). */
#include "analyze/diff-internal.h"
#include "query/blob.h"
#include "base/error.h"
#include "base/hash.h"
#include "query/inspect.h"
#include "query/mil.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/fields.h"
#include <stdlib.h>
#include <string.h>

/* a Value: blobs by type and content, immediates by their summary and bytes */
static char *value_digest(struct facts *f, struct mt_node *v)
{
	struct mt_node *blob = mt_get(v, F_MILSpec_Value_blobFileValue), *t = mt_get(v, F_MILSpec_Value_type);
	char *type = t ? mil_type_format(t) : xstrdup("?");
	char *out;
	if (blob) {
		char *file = field_str(blob, F_MILSpec_Value_BlobFileValue_fileName);
		uint64_t off = (uint64_t)mt_get_int(blob, F_MILSpec_Value_BlobFileValue_offset, 0);
		uint64_t h = HASH_INIT;
		int ok = 0;
		if (!f->bs)
			f->bs = blob_store_new(f->m);
		f->pend_w = 1;
		struct error_capture probe;
		error_capture_begin(&probe, ERRCAP_DROP);
		const struct blob_file *bf = blob_store_get(f->bs, file);
		struct blob_rec rec;
		if (bf && blob_read(bf, off, &rec) == 0) {
			h = hash_bytes(bf->data + rec.data, rec.size, h);
			h = hash_bytes((const uint8_t *)&rec.dtype, sizeof(rec.dtype), h);
			ok = 1;
			f->pend_b += rec.size;
			free(f->pend_bfile);
			free(f->pend_wdesc);
			f->pend_bfile = xstrdup(file);
			f->pend_boff = off;
			f->pend_wdesc = xstrdup(type);
		}
		error_capture_end(&probe);
		out = ok ? xasprintf("%s blob %016llx", type, (unsigned long long)h)
			 : xasprintf("%s blob (unreadable: %s@%llu)", type, file, (unsigned long long)off);
		free(file);
	} else {
		char *s = mil_value_format(v);
		struct mt_node *imm = mt_get(v, F_MILSpec_Value_immediateValue);
		if (imm && (strlen(s) > 60 || strstr(s, "bytes>"))) {
			f->pend_w = 1;
			f->pend_b += imm->len;
			out = xasprintf("%s %s #%016llx", type, s,
					(unsigned long long)hash_bytes(imm->data, imm->len, HASH_INIT));
		} else {
			out = xasprintf("%s %s", type, s);
		}
		free(s);
	}
	free(type);
	return out;
}

/* Program.attributes 4 (a map of name to Value): one fact a name, and one a
 * key for a dictionary (buildInfo: which tools made the program) */
int df_add_prog_attributes(struct facts *f, struct mt_node *prog, const char *pp)
{
	long i = -1;
	int rc;
	struct mt_node *e;
	while ((rc = next_child(prog, F_MILSpec_Program_attributes, &i, &e)) == 1) {
		char *k = field_str(e, F_MILSpec_Program_AttributesEntry_key);
		struct mt_node *v = mt_get(e, F_MILSpec_Program_AttributesEntry_value);
		struct mt_node *imm = v ? mt_get(v, F_MILSpec_Value_immediateValue) : NULL;
		struct mt_node *dict = imm ? mt_get(imm, F_MILSpec_Value_ImmediateValue_dictionary) : NULL;
		if (dict) {
			long j = -1;
			int r2;
			struct mt_node *kv;
			while ((r2 = next_child(dict, F_MILSpec_DictionaryValue_values, &j, &kv)) == 1) {
				char *ks = mil_value_format(mt_get(kv, F_MILSpec_DictionaryValue_KeyValuePair_key));
				char *vs = mil_value_format(mt_get(kv, F_MILSpec_DictionaryValue_KeyValuePair_value));
				put(f, NULL, xasprintf("%s.attributes[\"%s\"][%s]", pp, k, ks), vs);
				free(ks);
			}
			if (r2 < 0)
				rc = -1;
		} else if (v) {
			put(f, NULL, xasprintf("%s.attributes[\"%s\"]", pp, k), value_digest(f, v));
		}
		free(k);
		if (rc < 0)
			break;
	}
	return rc < 0 ? -1 : 0;
}

/* the walk of a program: the function's path, and per block depth the
 * block's path, the op names seen in it and the current op's entry */
struct mwalk {
	struct facts *f;
	const char *prefix;
	char *fp;
	struct {
		char *bp, *ent;
		struct strlist seen;
	} at[MT_MAX_DEPTH + 2];
};

static void mwalk_clear(struct mwalk *p, int depth)
{
	free(p->at[depth].bp);
	free(p->at[depth].ent);
	sl_free(&p->at[depth].seen);
	memset(&p->at[depth], 0, sizeof(p->at[depth]));
}

/* the const or constexpr operation making variable name, as the tensor of
 * the next fact put (compared by values when it changes) */
static void pend_tensor(struct facts *f, const char *name)
{
	struct mt_node *op = hmap_get(&f->tensors, name);
	if (!op)
		return;
	struct mil_op o;
	if (mil_op_read(op, &o, MIL_OP_FULL) < 0)
		return;
	if (!f->bs)
		f->bs = blob_store_new(f->m);
	free(f->pend_bfile);
	free(f->pend_wdesc);
	f->pend_bfile = NULL;
	f->pend_wp = NULL;
	f->pend_wop = op;
	f->pend_wdesc = xasprintf("%s %s", o.type, o.nout && o.out[0].type ? o.out[0].type : "?");
	mil_op_release(&o);
}

static int tensor_op(const char *type)
{
	return !strcmp(type, "const") || !strcmp(type, "constexpr_lut_to_dense") ||
	       !strcmp(type, "constexpr_affine_dequantize");
}

static int add_op(struct facts *f, struct mt_node *op, const char *ent)
{
	long i = -1;
	int rc;
	struct mt_node *e;
	/* inputs: param -> Argument { Binding { name | value } } */
	while ((rc = next_child(op, F_MILSpec_Operation_inputs, &i, &e)) == 1) {
		char *k = field_str(e, F_MILSpec_Operation_InputsEntry_key);
		struct mt_node *arg = mt_get(e, F_MILSpec_Operation_InputsEntry_value), *b;
		struct strbuf sb = STRBUF_INIT;
		long j = -1;
		int r2 = 0, nb = 0;
		while (arg && (r2 = next_child(arg, F_MILSpec_Argument_arguments, &j, &b)) == 1) {
			char *name = mt_get_str(b, F_MILSpec_Argument_Binding_name);
			struct mt_node *val = mt_get(b, F_MILSpec_Argument_Binding_value);
			char *d = name ? xstrdup(name) : val ? value_digest(f, val) : xstrdup("?");
			sb_addf(&sb, "%s%s", nb++ ? ", " : "", d);
			free(d);
			free(name);
		}
		if (nb == 1 && !r2)
			pend_tensor(f, sb.buf);
		put(f, ent, xasprintf("%s.input[\"%s\"]", ent, k), sb_detach(&sb, NULL));
		free(k);
		if (r2 < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	/* outputs */
	struct strbuf sb = STRBUF_INIT;
	i = -1;
	int no = 0;
	while ((rc = next_child(op, F_MILSpec_Operation_outputs, &i, &e)) == 1) {
		char *n = field_str(e, F_MILSpec_NamedValueType_name);
		char *t = mil_type_format(mt_get(e, F_MILSpec_NamedValueType_type));
		sb_addf(&sb, "%s%s: %s", no++ ? ", " : "", n, t);
		free(n);
		free(t);
	}
	put(f, ent, xasprintf("%s.output", ent), sb_detach(&sb, NULL));
	if (rc < 0)
		return -1;
	/* attributes (the name is the key) */
	i = -1;
	while ((rc = next_child(op, F_MILSpec_Operation_attributes, &i, &e)) == 1) {
		char *k = field_str(e, F_MILSpec_Operation_AttributesEntry_key);
		struct mt_node *v = mt_get(e, F_MILSpec_Operation_AttributesEntry_value);
		if (strcmp(k, "name") && v)
			put(f, ent, xasprintf("%s.attribute[\"%s\"]", ent, k), value_digest(f, v));
		free(k);
	}
	return rc < 0 ? -1 : 0;
}

static int on_block(struct mil_walk *w, void *ctx)
{
	struct mwalk *p = ctx;
	struct facts *f = p->f;
	struct mt_node *block = w->b->node;
	int d = w->b->depth;
	mwalk_clear(p, d);
	p->at[d].bp = d ? xasprintf("%s.blocks[%zu]", p->at[d - 1].ent, w->b->index) : xstrdup(p->fp);
	const char *bp = p->at[d].bp;
	long i = -1;
	int rc;
	struct mt_node *e;
	struct strbuf sb = STRBUF_INIT;
	int k = 0;
	while ((rc = next_child(block, F_MILSpec_Block_inputs, &i, &e)) == 1) {
		char *n = field_str(e, F_MILSpec_NamedValueType_name);
		char *t = mil_type_format(mt_get(e, F_MILSpec_NamedValueType_type));
		sb_addf(&sb, "%s%s: %s", k++ ? ", " : "", n, t);
		free(n);
		free(t);
	}
	if (sb.len)
		put(f, NULL, xasprintf("%s.inputs", bp), sb_detach(&sb, NULL));
	else
		sb_release(&sb);
	if (rc < 0 || mt_parse(block) < 0)
		return -1;
	struct strbuf ob = STRBUF_INIT;
	k = 0;
	for (size_t q = 0; q < block->n; q++)
		if (block->f[q].number == F_MILSpec_Block_outputs && block->f[q].wt == WT_LEN)
			sb_addf(&ob, "%s%.*s", k++ ? ", " : "", (int)block->f[q].vlen, (const char *)block->f[q].val);
	put(f, NULL, xasprintf("%s.outputs", bp), sb_detach(&ob, NULL));
	return 0;
}

static int on_block_leave(struct mil_walk *w, void *ctx)
{
	mwalk_clear(ctx, w->b->depth);
	return 0;
}

/* an op, by name (a repeated name numbered: ops["x"#2]) */
static int on_op(struct mil_walk *w, void *ctx)
{
	struct mwalk *p = ctx;
	const struct mil_op *o = &w->b->o;
	int d = w->b->depth;
	struct strlist *seen = &p->at[d].seen;
	const char *bp = p->at[d].bp;
	int dup = 0;
	for (size_t q = 0; q < seen->n; q++)
		dup += !strcmp(seen->v[q], o->name);
	sl_push(seen, xstrdup(o->name));
	free(p->at[d].ent);
	char *ent = p->at[d].ent =
		dup ? xasprintf("%s.ops[\"%s\"#%d]", bp, o->name, dup + 1) : xasprintf("%s.ops[\"%s\"]", bp, o->name);
	if (o->type && tensor_op(o->type)) {
		/* its first output's name */
		long k = -1;
		struct mt_node *out;
		if (next_child(w->b->op, F_MILSpec_Operation_outputs, &k, &out) == 1) {
			char *v = field_str(out, F_MILSpec_NamedValueType_name);
			hmap_put(&p->f->tensors, v, w->b->op);
			pend_tensor(p->f, v);
			free(v);
		}
	}
	put(p->f, ent, xstrdup(ent), xstrdup(o->type ? o->type : "?"));
	return add_op(p->f, w->b->op, ent);
}

static int on_function(struct mil_walk *w, void *ctx)
{
	struct mwalk *p = ctx;
	struct facts *f = p->f;
	const struct mil_function *fn = w->fn;
	free(p->fp);
	char *fp = p->fp = xasprintf("%s%smlProgram.functions[\"%s\"]", p->prefix, *p->prefix ? "." : "", fn->name);
	put(f, NULL, xasprintf("%s.opset", fp), xstrdup(fn->opset ? fn->opset : ""));
	if (fn->fn) {
		long i = -1;
		int r2;
		struct mt_node *e;
		while ((r2 = next_child(fn->fn, F_MILSpec_Function_inputs, &i, &e)) == 1) {
			char *n = field_str(e, F_MILSpec_NamedValueType_name);
			char *t = mil_type_format(mt_get(e, F_MILSpec_NamedValueType_type));
			char *key = xasprintf("%s.inputs[\"%s\"]", fp, n);
			put(f, key, key, t);
			free(n);
		}
		if (r2 < 0)
			return -1;
	}
	return 0;
}

static const struct mil_visitor diff_visitor = {
	.function = on_function,
	.block = on_block,
	.block_leave = on_block_leave,
	.op = on_op,
	.read_ops = 1,
};

int df_add_mil(struct facts *f, struct mt_node *prog, const char *prefix)
{
	struct mwalk *p = xcalloc(1, sizeof(*p));
	p->f = f;
	p->prefix = prefix;
	int rc = mil_walk(prog, prefix, &diff_visitor, p);
	for (int d = 0; d < MT_MAX_DEPTH + 2; d++)
		mwalk_clear(p, d);
	free(p->fp);
	free(p);
	return rc;
}
