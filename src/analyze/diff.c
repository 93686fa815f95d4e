/* diff: compare two models as lists of facts (see diff.h).  The generic
 * walk of a message's fields is in diff-fields.c, an ML program's facts in
 * diff-mil.c. */
#include "analyze/diff.h"
#include "analyze/diff-internal.h"
#include "query/blob.h"
#include "base/error.h"
#include "base/hash.h"
#include "query/inspect.h"
#include "query/weights.h"
#include "query/meta.h"
#include "model/model.h"
#include "spec/schema.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "spec/fields.h"
#include "edit/labels.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void df_put(struct facts *f, const char *ent, char *key, char *val)
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

void df_putf(struct facts *f, const char *ent, char *key, const char *fmt, ...)
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
	if (df_add_fields(f, nn, NULL, NULL, np, skip_nn, 1) < 0)
		return -1;
	long i = -1;
	int rc;
	struct mt_node *layer;
	size_t idx = 0;
	struct strlist seen = { 0 };
	while ((rc = next_child(nn, F_NeuralNetwork_layers, &i, &layer)) == 1) {
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
			int r2 = df_add_fields(f, l.params, NULL, ent, kp, NULL, 0);
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
		int r3 = df_add_fields(f, layer, NULL, ent, ent, skip, ns);
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
		if (mt_get_int(m, F_Model_isUpdatable, 0))
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
			rc = prog ? df_add_fields(f, prog, NULL, NULL, pp, skip, 2) : -1;
			if (rc == 0)
				rc = df_add_prog_attributes(f, prog, pp);
			free(pp);
			if (rc == 0)
				rc = df_add_mil(f, prog, p);
		} else if (t && !model_pipeline(m) && tf >= 0) {
			struct mt_node *tm = mt_child(m, (size_t)tf);
			char *tp = pre(p, t);
			rc = tm ? df_add_fields(f, tm, other_part(f, p, t), NULL, tp, NULL, 0) : -1;
			free(tp);
		} else if (t && model_pipeline(m) && strcmp(t, "pipeline") && tf >= 0) {
			/* pipelineClassifier / Regressor: fields beside the pipeline */
			struct mt_node *tm = mt_child(m, (size_t)tf);
			static const uint32_t skip[] = { 1 };
			char *tp = pre(p, t);
			rc = tm ? df_add_fields(f, tm, other_part(f, p, t), NULL, tp, skip, 1) : -1;
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
