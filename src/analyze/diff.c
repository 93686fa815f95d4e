/* diff: compare two models as lists of facts (see diff.h). */
#include "analyze/diff.h"
#include "query/blob.h"
#include "base/error.h"
#include "base/hash.h"
#include "query/inspect.h"
#include "query/mil.h"
#include "query/weights.h"
#include "query/meta.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "edit/labels.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fact {
	char *key;
	char *ent; /* the entity it belongs to (a layer, an op, a feature), or NULL */
	char *val;
	char *grp; /* the part of the model whose lines are bounded together, or NULL */
	size_t order;
	int weight;    /* its value stands for weight values */
	size_t wbytes; /* their bytes */
	/* a tensor it stands for, to compare by values: an NN WeightParams, or
	 * a blob of a weight file (of the store bs) */
	struct mt_node *wp;
	char *bfile;
	uint64_t boff;
	struct blob_store *bs;
	char *wdesc;         /* the tensor in words: float32[216], fp16[16,3,3,3] */
	struct mt_node *wop; /* or an ML program's const / constexpr operation (of the store bs) */
};
struct facts {
	struct fact *v;
	size_t n, cap;
	struct mlpkg_model *m;
	struct blob_store *bs;
	struct model_ref *ov; /* the other model's models, or NULL */
	size_t onv;
	const char *grp; /* the group of the facts being put */
	/* weight values digested for the next fact put (value_digest) */
	int pend_w;
	size_t pend_b;
	struct mt_node *pend_wp;
	char *pend_bfile, *pend_wdesc;
	uint64_t pend_boff;
	struct mt_node *pend_wop;
	struct hmap tensors;       /* an ML program's variable -> the const / constexpr operation making it */
	unsigned long long wbytes; /* all weight bytes seen */
};

static void put(struct facts *f, const char *ent, char *key, char *val)
{
	xgrow((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	struct fact *x = &f->v[f->n];
	x->key = key;
	x->ent = ent ? xstrdup(ent) : NULL;
	x->val = val;
	x->grp = f->grp ? xstrdup(f->grp) : NULL;
	x->order = f->n++;
	x->weight = f->pend_w;
	x->wbytes = f->pend_b;
	x->wp = f->pend_wp;
	x->bfile = f->pend_bfile;
	x->boff = f->pend_boff;
	x->wop = f->pend_wop;
	x->bs = f->pend_bfile || f->pend_wop ? f->bs : NULL;
	x->wdesc = f->pend_wdesc;
	f->wbytes += f->pend_b;
	f->pend_w = 0;
	f->pend_b = 0;
	f->pend_wp = NULL;
	f->pend_wop = NULL;
	f->pend_bfile = f->pend_wdesc = NULL;
}

static void putf(struct facts *f, const char *ent, char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void putf(struct facts *f, const char *ent, char *key, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	put(f, ent, key, sb_detach(&sb, NULL));
}

static void facts_free(struct facts *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].ent);
		free(f->v[i].val);
		free(f->v[i].grp);
		free(f->v[i].bfile);
		free(f->v[i].wdesc);
	}
	free(f->v);
	hmap_release(&f->tensors, NULL);
	blob_store_free(f->bs);
}

static char *pre(const char *prefix, const char *rest)
{
	return *prefix ? xasprintf("%s.%s", prefix, rest) : xstrdup(rest);
}

/* ---- generic fields ------------------------------------------------------ */

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
static int add_fields(struct facts *f, struct mt_node *n, struct mt_node *o, const char *ent, const char *kp,
		      const uint32_t *skip, size_t nskip)
{
	return add_msg(f, n, o, ent, NULL, kp, skip, nskip, 0);
}

/* ---- description and metadata ------------------------------------------- */

static void add_features(struct facts *f, const char *gp, const char *what, const struct io_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		char *ent = xasprintf("%s%s[\"%s\"]", gp, what, l->v[i].name);
		char *t = ft_format(&l->v[i].type);
		putf(f, ent, xstrdup(ent), "%s%s", t, l->v[i].type.optional ? " optional" : "");
		free(t);
		if (l->v[i].desc && *l->v[i].desc)
			put(f, ent, xasprintf("%s.description", ent), xstrdup(l->v[i].desc));
		free(ent);
	}
}

static int add_description(struct facts *f, struct mt_node *model, const char *prefix)
{
	struct model_io io;
	if (io_read(model, &io) < 0) {
		io_release(&io);
		return -1;
	}
	for (size_t g = 0; g < io.n; g++) {
		const struct io_group *gr = &io.g[g];
		char *gp = gr->function ? xasprintf("%s%sfunctions[\"%s\"].", prefix, *prefix ? "." : "", gr->function)
					: xasprintf("%s%s", prefix, *prefix ? "." : "");
		if (gr->function)
			put(f, NULL, xasprintf("%sfunctions[\"%s\"]", *prefix ? prefix : "", gr->function),
			    xstrdup(gr->is_default ? "default" : "present"));
		add_features(f, gp, "input", &gr->in);
		add_features(f, gp, "output", &gr->out);
		add_features(f, gp, "state", &gr->state);
		add_features(f, gp, "trainingInput", &gr->training);
		if (gr->predicted && *gr->predicted)
			put(f, NULL, xasprintf("%spredictedFeatureName", gp), xstrdup(gr->predicted));
		if (gr->probabilities && *gr->probabilities)
			put(f, NULL, xasprintf("%spredictedProbabilitiesName", gp), xstrdup(gr->probabilities));
		free(gp);
	}
	if (io.default_fn && *io.default_fn)
		put(f, NULL, pre(prefix, "defaultFunctionName"), xstrdup(io.default_fn));
	io_release(&io);
	return 0;
}

/* ---- neural networks ----------------------------------------------------- */

static char *joined(const struct strlist *l)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < l->n; i++)
		sb_addf(&sb, "%s%s", i ? ", " : "", l->v[i]);
	return sb_detach(&sb, NULL);
}

static int add_nn(struct facts *f, struct mt_node *nn, const char *np)
{
	static const uint32_t skip_nn[] = { 1 };
	if (add_fields(f, nn, NULL, NULL, np, skip_nn, 1) < 0)
		return -1;
	long i = -1;
	int rc;
	struct mt_node *layer;
	size_t idx = 0;
	struct strlist seen = { 0 };
	while ((rc = next_child(nn, 1, &i, &layer)) == 1) {
		struct nn_layer l;
		if (nn_layer_read(layer, idx++, &l) < 0) {
			nn_layer_release(&l);
			sl_free(&seen);
			return -1;
		}
		int dup = 0;
		for (size_t k = 0; k < seen.n; k++)
			dup += !strcmp(seen.v[k], l.name);
		sl_push(&seen, xstrdup(l.name));
		char *ent = dup ? xasprintf("%s.layers[\"%s\"#%d]", np, l.name, dup + 1)
				: xasprintf("%s.layers[\"%s\"]", np, l.name);
		put(f, ent, xstrdup(ent), xstrdup(l.kind ? l.kind : "?"));
		put(f, ent, xasprintf("%s.input", ent), joined(&l.in));
		put(f, ent, xasprintf("%s.output", ent), joined(&l.out));
		uint32_t skip[4] = { 1, 2, 3, 0 };
		size_t ns = 3;
		if (l.params) {
			char *kp = xasprintf("%s.%s", ent, l.kind);
			int r2 = add_fields(f, l.params, NULL, ent, kp, NULL, 0);
			free(kp);
			for (size_t q = 0; q < layer->n; q++)
				if (layer->f[q].child == l.params)
					skip[ns++] = layer->f[q].number;
			if (r2 < 0) {
				free(ent);
				nn_layer_release(&l);
				sl_free(&seen);
				return -1;
			}
		}
		int r3 = add_fields(f, layer, NULL, ent, ent, skip, ns);
		free(ent);
		nn_layer_release(&l);
		if (r3 < 0) {
			sl_free(&seen);
			return -1;
		}
	}
	sl_free(&seen);
	return rc < 0 ? -1 : 0;
}

/* ---- ML programs --------------------------------------------------------- */

/* a Value: blobs by type and content, immediates by their summary and bytes */
static char *value_digest(struct facts *f, struct mt_node *v)
{
	struct mt_node *blob = mt_get(v, 5), *t = mt_get(v, 2);
	char *type = t ? mil_type_format(t) : xstrdup("?");
	char *out;
	if (blob) {
		char *file = field_str(blob, 1);
		uint64_t off = (uint64_t)mt_get_int(blob, 2, 0);
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
		struct mt_node *imm = mt_get(v, 3);
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
static int add_prog_attributes(struct facts *f, struct mt_node *prog, const char *pp)
{
	long i = -1;
	int rc;
	struct mt_node *e;
	while ((rc = next_child(prog, 4, &i, &e)) == 1) {
		char *k = field_str(e, 1);
		struct mt_node *v = mt_get(e, 2), *imm = v ? mt_get(v, 3) : NULL, *dict = imm ? mt_get(imm, 4) : NULL;
		if (dict) {
			long j = -1;
			int r2;
			struct mt_node *kv;
			while ((r2 = next_child(dict, 1, &j, &kv)) == 1) {
				char *ks = mil_value_format(mt_get(kv, 1)), *vs = mil_value_format(mt_get(kv, 2));
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
	/* inputs 2: param -> Argument { Binding { name 1 | value 2 } } */
	while ((rc = next_child(op, 2, &i, &e)) == 1) {
		char *k = field_str(e, 1);
		struct mt_node *arg = mt_get(e, 2), *b;
		struct strbuf sb = STRBUF_INIT;
		long j = -1;
		int r2 = 0, nb = 0;
		while (arg && (r2 = next_child(arg, 1, &j, &b)) == 1) {
			char *name = mt_get_str(b, 1);
			struct mt_node *val = mt_get(b, 2);
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
	/* outputs 3 */
	struct strbuf sb = STRBUF_INIT;
	i = -1;
	int no = 0;
	while ((rc = next_child(op, 3, &i, &e)) == 1) {
		char *n = field_str(e, 1), *t = mil_type_format(mt_get(e, 2));
		sb_addf(&sb, "%s%s: %s", no++ ? ", " : "", n, t);
		free(n);
		free(t);
	}
	put(f, ent, xasprintf("%s.output", ent), sb_detach(&sb, NULL));
	if (rc < 0)
		return -1;
	/* attributes 5 (the name is the key) */
	i = -1;
	while ((rc = next_child(op, 5, &i, &e)) == 1) {
		char *k = field_str(e, 1);
		struct mt_node *v = mt_get(e, 2);
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
	while ((rc = next_child(block, 1, &i, &e)) == 1) {
		char *n = field_str(e, 1), *t = mil_type_format(mt_get(e, 2));
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
		if (block->f[q].number == 2 && block->f[q].wt == WT_LEN)
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
		/* outputs 3: NamedValueType { name 1 } */
		long k = -1;
		struct mt_node *out;
		if (next_child(w->b->op, 3, &k, &out) == 1) {
			char *v = field_str(out, 1);
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
		while ((r2 = next_child(fn->fn, 1, &i, &e)) == 1) {
			char *n = field_str(e, 1), *t = mil_type_format(mt_get(e, 2));
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

static int add_mil(struct facts *f, struct mt_node *prog, const char *prefix)
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

/* ---- class labels --------------------------------------------------------
 * One fact a position (so a label edited in place reads as a rename of that
 * position, extra positions as labels added or removed) and one with their
 * count; the labels reader finds them wherever the model type keeps them. */

static int add_labels(struct facts *f, struct mt_node *m, const char *lp)
{
	struct iface_labels l;
	int got = iface_labels_get(m, &l);
	if (got <= 0)
		return got;
	const char *saved = f->grp;
	f->grp = lp;
	putf(f, NULL, xstrdup(lp), "%zu label%s", l.n, l.n == 1 ? "" : "s");
	for (size_t i = 0; i < l.n; i++) {
		if (l.kind == LABELS_INT64) {
			put(f, NULL, xasprintf("%s[%zu]", lp, i), xstrdup(l.v[i]));
		} else {
			struct strbuf sb = STRBUF_INIT;
			sb_addc(&sb, '"');
			for (const char *c = l.v[i]; *c; c++) {
				if (*c == '"' || *c == '\\')
					sb_addc(&sb, '\\');
				sb_addc(&sb, *c);
			}
			sb_addc(&sb, '"');
			put(f, NULL, xasprintf("%s[%zu]", lp, i), sb_detach(&sb, NULL));
		}
	}
	f->grp = saved;
	iface_labels_release(&l);
	return 0;
}

/* ---- a whole model ------------------------------------------------------- */

/* the model type's message (named t) of the other model's model at path p,
 * when it has that type, or NULL */
static struct mt_node *other_part(struct facts *f, const char *p, const char *t)
{
	for (size_t i = 0; i < f->onv; i++) {
		struct mt_node *m = f->ov[i].node;
		if (strcmp(f->ov[i].path, p))
			continue;
		long otf = model_type_field(m);
		if (otf < 0 || !f->ov[i].type || strcmp(f->ov[i].type, t))
			return NULL;
		return mt_child(m, (size_t)otf);
	}
	return NULL;
}

static int gather(struct facts *f)
{
	struct mt_node *root = f->m->root;
	if (mt_check(root) < 0)
		return -1;
	struct meta_entry *me;
	size_t nm;
	if (meta_list(root, &me, &nm) < 0)
		return -1;
	for (size_t i = 0; i < nm; i++)
		put(f, NULL, xasprintf("metadata[\"%s\"]", me[i].key), xstrndup(me[i].value, me[i].len));
	meta_entries_free(me, nm);
	struct model_ref *v;
	size_t n;
	if (model_list(root, &v, &n) < 0) {
		model_list_free(v, n);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *p = v[i].path;
		struct mt_node *m = v[i].node;
		putf(f, NULL, pre(p, "specificationVersion"), "%d", v[i].version);
		put(f, NULL, pre(p, "type"), xstrdup(v[i].type ? v[i].type : "none"));
		if (v[i].name)
			put(f, NULL, pre(p, "name"), xstrdup(v[i].name));
		if (mt_get_int(m, 10, 0))
			put(f, NULL, pre(p, "isUpdatable"), xstrdup("true"));
		rc = add_description(f, m, p);
		if (rc < 0)
			break;
		const char *t = v[i].type;
		long tf = model_type_field(m);
		if (t && !model_pipeline(m)) {
			char *tp = pre(p, t), *lp = xasprintf("%s.labels", tp);
			rc = add_labels(f, m, lp);
			free(lp);
			free(tp);
			if (rc < 0)
				break;
		}
		struct mt_node *nn = nn_network(m);
		if (nn) {
			char *np = pre(p, t);
			rc = add_nn(f, nn, np);
			free(np);
		} else if (t && !strcmp(t, "mlProgram") && tf >= 0) {
			struct mt_node *prog = mt_child(m, (size_t)tf);
			static const uint32_t skip[] = { 2, 4 };
			char *pp = pre(p, "mlProgram");
			rc = prog ? add_fields(f, prog, NULL, NULL, pp, skip, 2) : -1;
			if (rc == 0)
				rc = add_prog_attributes(f, prog, pp);
			free(pp);
			if (rc == 0)
				rc = add_mil(f, prog, p);
		} else if (t && !model_pipeline(m) && tf >= 0) {
			struct mt_node *tm = mt_child(m, (size_t)tf);
			char *tp = pre(p, t);
			rc = tm ? add_fields(f, tm, other_part(f, p, t), NULL, tp, NULL, 0) : -1;
			free(tp);
		} else if (t && model_pipeline(m) && strcmp(t, "pipeline") && tf >= 0) {
			/* pipelineClassifier / Regressor: fields beside the pipeline */
			struct mt_node *tm = mt_child(m, (size_t)tf);
			static const uint32_t skip[] = { 1 };
			char *tp = pre(p, t);
			rc = tm ? add_fields(f, tm, other_part(f, p, t), NULL, tp, skip, 1) : -1;
			free(tp);
		}
	}
	model_list_free(v, n);
	return rc;
}

static int by_key(const void *a, const void *b)
{
	const struct fact *x = *(const struct fact *const *)a, *y = *(const struct fact *const *)b;
	return strcmp(x->key, y->key);
}

static struct fact **sorted(struct facts *f)
{
	struct fact **s = xcalloc(f->n + 1, sizeof(*s));
	for (size_t i = 0; i < f->n; i++)
		s[i] = &f->v[i];
	qsort(s, f->n, sizeof(*s), by_key);
	return s;
}

static struct fact *find(struct fact **s, size_t n, const char *key)
{
	struct fact k = { .key = (char *)key }, *kp = &k;
	struct fact **r = bsearch(&kp, s, n, sizeof(*s), by_key);
	return r ? *r : NULL;
}

/* a fact's tensor values, as doubles */
static int fact_values(const struct fact *x, double **v, uint64_t *n, char *scheme, size_t scheme_size)
{
	char *why = NULL;
	int r = -1;
	if (scheme_size)
		*scheme = 0;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	if (x->wp) {
		struct nn_weight w;
		if (nn_weight_read(x->wp, &w) == 0)
			r = weight_nn_doubles(&w, v, n, &why);
	} else if (x->bfile) {
		r = weight_blob_doubles(x->bs, x->bfile, x->boff, v, n, &why);
	} else if (x->wop) {
		r = weight_op_doubles(x->bs, x->wop, v, n, scheme, scheme_size, &why);
	}
	error_capture_end(&cap);
	free(why);
	return r;
}

/* A changed weight in tensor terms: float32[216] -> linear 8-bit[216], max
 * abs diff 0.0039, when both sides decode to as many values; else as the
 * facts say it (their bytes hashed). */
static char *tensor_words(const struct fact *x, const char *scheme)
{
	/* a variable naming the tensor (an operation's input) comes first */
	int named = x->wop && strncmp(x->wdesc, x->val, strlen(x->val));
	return xasprintf("%s%s%s%s%s%s", named ? x->val : "", named ? ": " : "", x->wdesc, *scheme ? " (" : "", scheme,
			 *scheme ? ")" : "");
}

static void tensor_terms(struct diff_change *c, const struct fact *x, const struct fact *y)
{
	double *a = NULL, *b = NULL;
	uint64_t na = 0, nb = 0;
	char sa[64], sb[64];
	if (fact_values(x, &a, &na, sa, sizeof(sa)) == 0 && fact_values(y, &b, &nb, sb, sizeof(sb)) == 0) {
		free(c->from);
		free(c->to);
		c->from = tensor_words(x, sa);
		char *to = tensor_words(y, sb);
		if (na == nb) {
			double m = 0;
			for (uint64_t i = 0; i < na; i++) {
				double d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
				if (d > m || d != d)
					m = d;
			}
			c->to = xasprintf("%s, max abs diff %g", to, m);
		} else {
			c->to = xasprintf("%s (%llu values, %llu before)", to, (unsigned long long)nb,
					  (unsigned long long)na);
		}
		free(to);
	}
	free(a);
	free(b);
}

static void change(struct diff_result *r, enum diff_kind k, const char *path, const char *from, const char *to,
		   const char *grp, const struct fact *x, const struct fact *y)
{
	xgrow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v));
	struct diff_change *c = &r->v[r->n++];
	c->kind = k;
	c->path = xstrdup(path);
	c->from = from ? xstrdup(from) : NULL;
	c->to = to ? xstrdup(to) : NULL;
	c->group = grp ? xstrdup(grp) : NULL;
	const char *ent = x && x->ent ? x->ent : y ? y->ent : NULL;
	c->ent = ent ? xstrdup(ent) : NULL;
	c->weight = (x && x->weight) || (y && y->weight);
	c->wfrom = x ? x->wbytes : 0;
	c->wto = y ? y->wbytes : 0;
	if (k == DIFF_CHANGED && x && y && x->wdesc && y->wdesc)
		tensor_terms(c, x, y);
}

/* ---- renames ----------------------------------------------------------------
 * An entity (a feature, a layer, an operation) only in A and one only in B
 * whose facts are the same but for its name is one rename, not a removal
 * and an addition.  An entity's signature: the kind of path it has (its key
 * up to the last '[') and each of its facts, relative to its key, with the
 * value; an operation's outputs count by their types only (coremltools
 * numbers op_N and its var_N together, so a re-export renames both). */

struct ent {
	const char *key; /* the entity (its own fact's key) */
	char *sig;
	const char *other; /* the matching entity of the other model */
};

static int by_ent_key(const void *a, const void *b)
{
	const struct fact *x = *(const struct fact *const *)a, *y = *(const struct fact *const *)b;
	int c = strcmp(x->ent, y->ent);
	return c ? c : strcmp(x->key, y->key);
}

static int by_ent(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->key, ((const struct ent *)b)->key);
}

/* "a: fp32[2], b: int32" as ": fp32[2], : int32" */
static void add_types_only(struct strbuf *sb, const char *outs)
{
	for (const char *p = outs; *p;) {
		const char *colon = strstr(p, ": "), *comma = strstr(p, ", ");
		if (!colon)
			break;
		const char *end = comma && comma > colon ? comma : p + strlen(p);
		sb_add(sb, colon, (size_t)(end - colon));
		sb_addc(sb, ';');
		p = *end ? end + 2 : end;
	}
}

/* the entities of f that the other model (sorted facts so, n) lacks, each
 * with its signature, sorted by key */
static struct ent *lone_entities(struct facts *f, struct fact **so, size_t n, size_t *count)
{
	struct fact **e = xcalloc(f->n + 1, sizeof(*e));
	size_t ne = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].ent && !find(so, n, f->v[i].ent))
			e[ne++] = &f->v[i];
	qsort(e, ne, sizeof(*e), by_ent_key);
	struct ent *v = NULL;
	size_t nv = 0, cap = 0;
	for (size_t i = 0; i < ne;) {
		size_t j = i;
		const char *k = e[i]->ent, *br = strrchr(k, '[');
		struct strbuf sb = STRBUF_INIT;
		sb_addf(&sb, "%.*s", (int)(br ? br - k : 0), k);
		int own = 0;
		for (; j < ne && !strcmp(e[j]->ent, k); j++) {
			size_t kl = strlen(k);
			own |= !strcmp(e[j]->key, k);
			sb_addc(&sb, '\1');
			sb_adds(&sb, strncmp(e[j]->key, k, kl) ? e[j]->key : e[j]->key + kl);
			sb_addc(&sb, '\2');
			const char *rel = strncmp(e[j]->key, k, kl) ? e[j]->key : e[j]->key + kl;
			if (strstr(k, ".ops[\"") && !strcmp(rel, ".output"))
				add_types_only(&sb, e[j]->val);
			else
				sb_adds(&sb, e[j]->val);
		}
		if (own) {
			xgrow((void **)&v, &cap, nv + 1, sizeof(*v));
			v[nv].key = k;
			v[nv].sig = sb_detach(&sb, NULL);
			v[nv++].other = NULL;
		} else {
			sb_release(&sb);
		}
		i = j;
	}
	free(e);
	*count = nv;
	return v;
}

/* the pairs of lone entities that are renames; at most this many candidate
 * comparisons (two unrelated big models are not searched) */
#define RENAME_WORK 4000000
static void match_renames(struct ent *ra, size_t na, struct ent *rb, size_t nb)
{
	if (!na || !nb || na * nb > RENAME_WORK)
		return;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++)
			if (!rb[j].other && !strcmp(ra[i].sig, rb[j].sig)) {
				ra[i].other = rb[j].key;
				rb[j].other = ra[i].key;
				break;
			}
}

static const struct ent *ent_find(const struct ent *v, size_t n, const char *key)
{
	if (!key || !n)
		return NULL;
	struct ent k = { key, NULL, NULL };
	return bsearch(&k, v, n, sizeof(*v), by_ent);
}

static void ents_free(struct ent *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].sig);
	free(v);
}

int diff_models(struct mlpkg_model *a, struct mlpkg_model *b, struct diff_result *r)
{
	struct facts fa = { 0 }, fb = { 0 };
	fa.m = a;
	fb.m = b;
	/* each side sees the other's models, to put parts that are the same
	 * bytes in both as one fact */
	struct model_ref *va = NULL, *vb = NULL;
	size_t nva = 0, nvb = 0;
	int rc = mt_check(a->root) < 0 || mt_check(b->root) < 0 ? -1 : 0;
	if (rc == 0 && model_list(a->root, &va, &nva) < 0)
		rc = -1;
	if (rc == 0 && model_list(b->root, &vb, &nvb) < 0)
		rc = -1;
	fa.ov = vb;
	fa.onv = nvb;
	fb.ov = va;
	fb.onv = nva;
	if (rc == 0)
		rc = gather(&fa);
	if (rc == 0)
		rc = gather(&fb);
	if (rc == 0) {
		struct fact **sa = sorted(&fa), **sb = sorted(&fb);
		size_t na, nb;
		struct ent *ra = lone_entities(&fa, sb, fb.n, &na), *rb = lone_entities(&fb, sa, fa.n, &nb);
		match_renames(ra, na, rb, nb);
		for (size_t i = 0; i < fa.n; i++) {
			const struct fact *x = &fa.v[i], *y = find(sb, fb.n, x->key);
			const struct ent *re = ent_find(ra, na, x->ent);
			if (re && re->other) {
				/* renamed: one line, on the entity's own fact */
				if (!strcmp(x->key, x->ent))
					change(r, DIFF_RENAMED, x->key, x->key, re->other, NULL, x, NULL);
				continue;
			}
			if (!y) {
				/* a removed layer or op is one change, not one per field */
				if (x->ent && strcmp(x->ent, x->key) && !find(sb, fb.n, x->ent))
					continue;
				change(r, DIFF_REMOVED, x->key, x->val, NULL, x->grp, x, NULL);
			} else if (strcmp(x->val, y->val)) {
				change(r, DIFF_CHANGED, x->key, x->val, y->val, x->grp ? x->grp : y->grp, x, y);
			}
		}
		for (size_t i = 0; i < fb.n; i++) {
			const struct fact *y = &fb.v[i];
			const struct ent *re = ent_find(rb, nb, y->ent);
			if (re && re->other)
				continue;
			if (find(sa, fa.n, y->key))
				continue;
			if (y->ent && strcmp(y->ent, y->key) && !find(sa, fa.n, y->ent))
				continue;
			change(r, DIFF_ADDED, y->key, NULL, y->val, y->grp, NULL, y);
		}
		r->wbytes_a = fa.wbytes;
		r->wbytes_b = fb.wbytes;
		ents_free(ra, na);
		ents_free(rb, nb);
		free(sa);
		free(sb);
	}
	facts_free(&fa);
	facts_free(&fb);
	model_list_free(va, nva);
	model_list_free(vb, nvb);
	return rc;
}

void diff_result_release(struct diff_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].from);
		free(r->v[i].to);
		free(r->v[i].group);
		free(r->v[i].ent);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}
