/* labels: a classifier's class labels over the spec tree, read and
 * replaced in place (see labels.h): NN, GLM, SVM, tree-ensemble, kNN and
 * text classifiers, word taggers, a detector's non-maximum suppression,
 * pipelines, an ML program's classify op. */
#include "edit/labels.h"
#include "edit/internal.h"
#include "base/jsonedit.h"
#include "spec/dump.h"
#include "base/error.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "Model.pb-c.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- class labels ------------------------------------------------------------------ */

/* A run of labels in one field occurrence: a string (count 1) or the
 * integers of a packed or plain integer field. */
struct lgroup {
	struct mt_node *node;
	size_t idx;
	size_t count;
	int is_int;
};
struct lsite {
	struct lgroup *g;
	size_t ng, cap;
	enum iface_label_kind kind;
	char *where;
	int per_example;
};
struct lsites {
	struct lsite *v;
	size_t n, cap;
};

static void lsites_free(struct lsites *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].g);
		free(s->v[i].where);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void add_group(struct lsite *s, struct mt_node *node, size_t idx, size_t count, int is_int)
{
	xgrow((void **)&s->g, &s->cap, s->ng + 1, sizeof(*s->g));
	s->g[s->ng++] = (struct lgroup){ node, idx, count, is_int };
}

static size_t site_count(const struct lsite *s)
{
	size_t k = 0;
	for (size_t i = 0; i < s->ng; i++)
		k += s->g[i].count;
	return k;
}

/* the groups of field 1 of a repeated-value message (StringVector,
 * Int64Vector, RepeatedStrings, RepeatedLongInts, RepeatedInts) */
static int vector_groups(struct mt_node *vec, struct lsite *s, int is_int)
{
	if (mt_parse(vec) < 0)
		return -1;
	for (size_t j = 0; j < vec->n; j++) {
		const struct mt_field *f = &vec->f[j];
		if (f->number != 1 || !f->fd)
			continue;
		if (!is_int) {
			add_group(s, vec, j, 1, 0);
			continue;
		}
		size_t pos = 0, k = 0;
		uint64_t u;
		while (mt_scalar_next(f, &pos, &u))
			k++;
		if (k)
			add_group(s, vec, j, k, 1);
	}
	return 0;
}

/* a classifier message's labels: the last of its string (fs) / int64 (fi,
 * 0: none) label vectors set, every occurrence of it after the other
 * (merged) */
static int classifier_site(struct mt_node *cls, struct lsite *s, uint32_t fs, uint32_t fi)
{
	if (mt_parse(cls) < 0)
		return -1;
	long ls = mt_find_last(cls, fs), li = fi ? mt_find_last(cls, fi) : -1;
	if (ls < 0 && li < 0)
		return 0;
	uint32_t num = ls > li ? fs : fi;
	long other = ls > li ? li : ls;
	s->kind = num == fs ? LABELS_STRING : LABELS_INT64;
	for (size_t i = (size_t)(other + 1); i < cls->n; i++) {
		if (cls->f[i].number != num)
			continue;
		int bad;
		struct mt_node *vec = edit_child_at(cls, i, &bad);
		if (bad || (vec && vector_groups(vec, s, num != fs) < 0))
			return -1;
	}
	return 1;
}

/* the oneof member set in a message (the last known message field), -1 when none */
static long set_member(struct mt_node *n)
{
	long found = -1;
	for (size_t i = 0; i < n->n; i++)
		if (n->f[i].fd && n->f[i].fd->type == PROTOBUF_C_TYPE_MESSAGE &&
		    (n->f[i].fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			found = (long)i;
	return found;
}

/* a TensorValue's strings, longInts or ints; 1 when it holds labels */
static int tensor_groups(struct mt_node *t, struct lsite *s)
{
	if (mt_parse(t) < 0)
		return -1;
	long m = set_member(t);
	if (m < 0)
		return 0;
	uint32_t num = t->f[m].number;
	enum iface_label_kind kind;
	if (num == F_MILSpec_TensorValue_strings)
		kind = LABELS_STRING;
	else if (num == F_MILSpec_TensorValue_longInts || num == F_MILSpec_TensorValue_ints)
		kind = LABELS_INT64;
	else
		return 0;
	if (s->ng && s->kind != kind)
		return 0;
	s->kind = kind;
	struct mt_node *vec = mt_child(t, (size_t)m);
	if (!vec || vector_groups(vec, s, kind == LABELS_INT64) < 0)
		return -1;
	return 1;
}

/* a Value's immediateValue: a tensor, or a list of tensor Values */
static int value_site(struct mt_node *v, struct lsite *s)
{
	struct mt_node *imm = mt_get(v, F_MILSpec_Value_immediateValue);
	if (!imm)
		return v->state == MT_BAD || mt_find_last(v, F_MILSpec_Value_immediateValue) >= 0 ? -1 : 0;
	long m = set_member(imm);
	if (m < 0)
		return 0;
	struct mt_node *x = mt_child(imm, (size_t)m);
	if (!x)
		return -1;
	if (imm->f[m].number == F_MILSpec_Value_ImmediateValue_tensor)
		return tensor_groups(x, s);
	if (imm->f[m].number != F_MILSpec_Value_ImmediateValue_list)
		return 0;
	for (size_t i = 0; i < x->n; i++) {
		if (x->f[i].number != F_MILSpec_ListValue_values)
			continue;
		int bad;
		struct mt_node *e = edit_child_at(x, i, &bad);
		if (bad)
			return -1;
		struct mt_node *ei = e ? mt_get(e, F_MILSpec_Value_immediateValue) : NULL;
		long em = ei ? set_member(ei) : -1;
		if (em < 0 || ei->f[em].number != F_MILSpec_Value_ImmediateValue_tensor)
			return 0;
		struct mt_node *t = mt_child(ei, (size_t)em);
		if (!t)
			return -1;
		size_t before = site_count(s);
		int r = tensor_groups(t, s);
		if (r <= 0)
			return r;
		if (site_count(s) != before + 1)
			return 0; /* a list of scalars, one label each */
	}
	return 1;
}

/* the string value of map entry e's key as a new C string (every map
 * entry holds its key in field 1, its value in 2) */
static char *entry_key(struct mt_node *e)
{
	char *k = mt_get_str(e, 1);
	return k ? k : xstrdup("");
}

/* the Value of attribute / map member key in map field num of n, or NULL */
static struct mt_node *map_value(struct mt_node *n, uint32_t num, const char *key, int *bad)
{
	struct mt_node *found = NULL;
	*bad = 0;
	for (size_t i = 0; i < n->n; i++) {
		if (n->f[i].number != num)
			continue;
		struct mt_node *e = edit_child_at(n, i, bad);
		if (*bad)
			return NULL;
		if (!e)
			continue;
		char *k = entry_key(e);
		if (!strcmp(k, key)) {
			found = mt_get(e, 2);
			if (!found && mt_find_last(e, 2) >= 0)
				*bad = 1;
		}
		free(k);
	}
	return found;
}

/* the const op of the function whose first output is named name, in any block */
static struct mt_node *find_const(struct mt_node *block, const char *name, int depth, int *bad)
{
	*bad = 0;
	if (depth > 64)
		return NULL;
	for (size_t i = 0; i < block->n; i++) {
		if (block->f[i].number != F_MILSpec_Block_operations)
			continue;
		struct mt_node *op = edit_child_at(block, i, bad);
		if (*bad)
			return NULL;
		if (!op)
			continue;
		char *type = mt_get_str(op, F_MILSpec_Operation_type);
		int is_const = type && !strcmp(type, "const");
		free(type);
		if (is_const) {
			struct mt_node *out = mt_get(op, F_MILSpec_Operation_outputs);
			char *on = out ? mt_get_str(out, F_MILSpec_NamedValueType_name) : NULL;
			int match = on && !strcmp(on, name);
			free(on);
			if (match)
				return op;
		}
		for (size_t j = 0; j < op->n; j++) {
			if (op->f[j].number != F_MILSpec_Operation_blocks)
				continue;
			struct mt_node *b = edit_child_at(op, j, bad);
			if (*bad)
				return NULL;
			struct mt_node *r = b ? find_const(b, name, depth + 1, bad) : NULL;
			if (r || *bad)
				return r;
		}
	}
	return NULL;
}

struct mil_search {
	struct mt_node *fn;
	struct lsites *out;
};

static int classify_site(struct mil_search *ms, struct mt_node *op)
{
	int bad;
	struct mt_node *arg = map_value(op, F_MILSpec_Operation_inputs, "classes", &bad);
	if (bad)
		return -1;
	struct mt_node *bind = arg ? mt_get(arg, F_MILSpec_Argument_arguments) : NULL;
	if (!bind)
		return 0;
	struct mt_node *v = mt_get(bind, F_MILSpec_Argument_Binding_value), *holder = op;
	if (!v) {
		char *name = mt_get_str(bind, F_MILSpec_Argument_Binding_name);
		if (!name)
			return 0;
		struct mt_node *cop = NULL;
		for (size_t i = 0; i < ms->fn->n && !cop; i++) {
			if (ms->fn->f[i].number != F_MILSpec_Function_block_specializations)
				continue;
			struct mt_node *e = edit_child_at(ms->fn, i, &bad);
			struct mt_node *b =
				e && !bad ? mt_get(e, F_MILSpec_Function_BlockSpecializationsEntry_value) : NULL;
			if (bad) {
				free(name);
				return -1;
			}
			if (b)
				cop = find_const(b, name, 0, &bad);
			if (bad) {
				free(name);
				return -1;
			}
		}
		free(name);
		if (!cop)
			return 0;
		holder = cop;
		v = map_value(cop, F_MILSpec_Operation_attributes, "val", &bad);
		if (bad)
			return -1;
		if (!v)
			return 0;
	}
	struct lsite s = { 0 };
	int r = value_site(v, &s);
	if (r <= 0 || !s.ng) {
		free(s.g);
		return r < 0 ? -1 : 0;
	}
	s.where = edit_node_path(holder);
	xgrow((void **)&ms->out->v, &ms->out->cap, ms->out->n + 1, sizeof(*ms->out->v));
	ms->out->v[ms->out->n++] = s;
	return 1;
}

static int block_classify(struct mil_search *ms, struct mt_node *block, int depth)
{
	if (depth > 64 || mt_parse(block) < 0)
		return depth > 64 ? 0 : -1;
	for (size_t i = 0; i < block->n; i++) {
		if (block->f[i].number != F_MILSpec_Block_operations)
			continue;
		int bad;
		struct mt_node *op = edit_child_at(block, i, &bad);
		if (bad)
			return -1;
		if (!op)
			continue;
		char *type = mt_get_str(op, F_MILSpec_Operation_type);
		int is = type && !strcmp(type, "classify");
		free(type);
		if (is && classify_site(ms, op) < 0)
			return -1;
		for (size_t j = 0; j < op->n; j++) {
			if (op->f[j].number != F_MILSpec_Operation_blocks)
				continue;
			struct mt_node *b = edit_child_at(op, j, &bad);
			if (bad || (b && block_classify(ms, b, depth + 1) < 0))
				return -1;
		}
	}
	return 0;
}

/* every classify op of every function (default function first) */
static int program_sites(struct mt_node *prog, struct lsites *out)
{
	if (mt_parse(prog) < 0)
		return -1;
	for (size_t i = 0; i < prog->n; i++) {
		if (prog->f[i].number != F_MILSpec_Program_functions)
			continue;
		int bad;
		struct mt_node *e = edit_child_at(prog, i, &bad);
		if (bad)
			return -1;
		struct mt_node *fn = e ? mt_get(e, F_MILSpec_Program_FunctionsEntry_value) : NULL;
		if (!fn) {
			if (e && mt_find_last(e, F_MILSpec_Program_FunctionsEntry_value) >= 0)
				return -1;
			continue;
		}
		struct mil_search ms = { fn, out };
		for (size_t j = 0; j < fn->n; j++) {
			if (fn->f[j].number != F_MILSpec_Function_block_specializations)
				continue;
			struct mt_node *se = edit_child_at(fn, j, &bad);
			if (bad)
				return -1;
			struct mt_node *b = se ? mt_get(se, F_MILSpec_Function_BlockSpecializationsEntry_value) : NULL;
			if (!b && se && mt_find_last(se, F_MILSpec_Function_BlockSpecializationsEntry_value) >= 0)
				return -1;
			if (b && block_classify(&ms, b, 0) < 0)
				return -1;
		}
	}
	return 0;
}

static int find_sites(struct mt_node *m, struct lsites *out, int depth)
{
	if (depth > 32 || mt_parse(m) < 0)
		return depth > 32 ? 0 : -1;
	long t = edit_type_field(m);
	if (t < 0)
		return 0;
	uint32_t num = m->f[t].number;
	int bad;
	struct mt_node *p = edit_pipeline_of(m, t, &bad);
	if (bad)
		return -1;
	if (p) {
		/* the last member that has labels */
		for (size_t i = p->n; i-- > 0;) {
			if (p->f[i].number != F_Pipeline_models)
				continue;
			struct mt_node *sub = edit_child_at(p, i, &bad);
			if (bad || (sub && find_sites(sub, out, depth + 1) < 0))
				return -1;
			if (out->n)
				return 0;
		}
		return 0;
	}
	int cml = num == F_Model_textClassifier || num == F_Model_wordTagger;
	/* a detector's non-maximum suppression holds its class labels as a
	 * classifier does (stringClassLabels, int64ClassLabels) */
	if ((num >= F_Model_glmClassifier && num <= F_Model_kNearestNeighborsClassifier) || cml ||
	    num == F_Model_nonMaximumSuppression) {
		struct mt_node *cls = mt_child(m, (size_t)t);
		if (!cls)
			return -1;
		struct lsite s = { 0 };
		int r = cml ? classifier_site(cls, &s, CML_STRING, 0) : classifier_site(cls, &s, CLS_STRING, CLS_INT64);
		if (r <= 0) {
			free(s.g);
			return r;
		}
		s.where = edit_node_path(cls);
		s.per_example = num == F_Model_kNearestNeighborsClassifier;
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = s;
		return 0;
	}
	if (num == F_Model_mlProgram) {
		struct mt_node *prog = mt_child(m, (size_t)t);
		return prog ? program_sites(prog, out) : -1;
	}
	return 0;
}

static char **site_read(const struct lsite *s, size_t *n)
{
	size_t k = 0, total = site_count(s);
	char **v = xcalloc(total + 1, sizeof(*v));
	for (size_t i = 0; i < s->ng; i++) {
		const struct lgroup *g = &s->g[i];
		const struct mt_field *f = &g->node->f[g->idx];
		if (!g->is_int) {
			v[k++] = xstrndup((const char *)f->val, f->vlen);
			continue;
		}
		size_t pos = 0;
		uint64_t u;
		while (mt_scalar_next(f, &pos, &u) && k < total)
			v[k++] = xasprintf("%" PRId64, mt_raw_int(f->fd, u));
	}
	*n = k;
	return v;
}

void iface_labels_release(struct iface_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->where);
	memset(l, 0, sizeof(*l));
}

int iface_labels_get(struct mt_node *root, struct iface_labels *l)
{
	memset(l, 0, sizeof(*l));
	struct lsites s = { 0 };
	if (find_sites(root, &s, 0) < 0) {
		lsites_free(&s);
		return -1;
	}
	if (!s.n) {
		lsites_free(&s);
		return 0;
	}
	l->kind = s.v[0].kind;
	l->v = site_read(&s.v[0], &l->n);
	l->where = xstrdup(s.v[0].where);
	l->per_example = s.v[0].per_example;
	lsites_free(&s);
	return 1;
}

void iface_labels_parse(const char *text, size_t len, char ***v, size_t *n)
{
	char **out = NULL;
	size_t k = 0, cap = 0;
	const char *p = text, *e = text + len;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *end = nl ? nl : e;
		size_t l = (size_t)(end - p);
		if (l && p[l - 1] == '\r')
			l--;
		xgrow((void **)&out, &cap, k + 1, sizeof(*out));
		out[k++] = xstrndup(p, l);
		p = nl ? nl + 1 : e;
	}
	*v = out;
	*n = k;
}

static int parse_int(const char *s, int64_t *out)
{
	if (!*s)
		return -1;
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || *end || end == s || s[0] == ' ' || s[0] == '\t' || s[0] == '+')
		return -1;
	*out = (int64_t)x;
	return 0;
}

/* 0 when labels v (count of them) fit group g's field, -1 reported */
static int group_fits(const struct lgroup *g, char *const *v)
{
	const struct mt_field *f = &g->node->f[g->idx];
	if (!g->is_int || f->fd->type != PROTOBUF_C_TYPE_INT32)
		return 0;
	for (size_t i = 0; i < g->count; i++) {
		int64_t x;
		if (parse_int(v[i], &x) == 0 && (x < INT32_MIN || x > INT32_MAX))
			return error_code(EXIT_USAGE, "label %s does not fit the model's 32-bit integer labels", v[i]);
	}
	return 0;
}

/* replaces one group's field with labels v (count of them) */
static int group_set(struct lgroup *g, char *const *v, int *changed)
{
	struct mt_field *f = &g->node->f[g->idx];
	uint8_t *enc;
	size_t el;
	if (!g->is_int) {
		if (edit_span_eq(f->val, f->vlen, v[0]))
			return 0;
		enc = mt_encode_len(f->number, v[0], strlen(v[0]), &el);
	} else {
		int is32 = f->fd->type == PROTOBUF_C_TYPE_INT32;
		uint8_t *payload = xmalloc(g->count * 10 + 1);
		size_t pl = 0;
		for (size_t i = 0; i < g->count; i++) {
			int64_t x;
			parse_int(v[i], &x);
			if (is32 && (x < INT32_MIN || x > INT32_MAX)) {
				free(payload);
				return error_code(EXIT_USAGE, "label %s does not fit the model's 32-bit integer labels",
						  v[i]);
			}
			pl += wire_put_varint(payload + pl, (uint64_t)x);
		}
		if (f->flags & MT_F_PACKED) {
			enc = mt_encode_len(f->number, payload, pl, &el);
		} else {
			enc = xmalloc(pl + 10);
			el = wire_put_varint(enc, wire_tag(f->number, WT_VARINT));
			memcpy(enc + el, payload, pl);
			el += pl;
		}
		free(payload);
		if (el == f->rawlen && !memcmp(enc, f->raw, el)) {
			free(enc);
			return 0;
		}
	}
	mt_replace(g->node, g->idx, enc, el);
	free(enc);
	*changed = 1;
	return 0;
}

int iface_labels_set(struct mt_node *root, char *const *v, size_t n)
{
	struct lsites s = { 0 };
	int rc = 0, changed = 0;
	if (find_sites(root, &s, 0) < 0) {
		lsites_free(&s);
		return -1;
	}
	if (!s.n) {
		lsites_free(&s);
		return error_code(EXIT_NOTFOUND, "'%s': no class labels (not a classifier)", root->label);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!*v[i])
			rc = error_code(EXIT_USAGE, "'%s': label %zu is empty", root->label, i + 1);
		else if (!wire_utf8_valid((const uint8_t *)v[i], strlen(v[i])))
			rc = error_code(EXIT_USAGE, "'%s': label %zu is not valid UTF-8", root->label, i + 1);
		for (size_t j = 0; j < i && rc == 0; j++)
			if (!strcmp(v[i], v[j]))
				rc = error_code(EXIT_USAGE, "'%s': label '%s' is given twice (lines %zu and %zu)",
						root->label, v[i], j + 1, i + 1);
	}
	for (size_t k = 0; k < s.n && rc == 0; k++) {
		struct lsite *site = &s.v[k];
		size_t have = site_count(site);
		if (site->per_example)
			rc = error_code(EXIT_USAGE,
					"'%s': a nearest-neighbors classifier keeps one label per example; "
					"its labels cannot be replaced as a list",
					root->label);
		else if (have != n)
			rc = error_code(EXIT_USAGE, "'%s': %zu labels given, the model has %zu classes", root->label, n,
					have);
		for (size_t i = 0; i < n && rc == 0 && site->kind == LABELS_INT64; i++) {
			int64_t x;
			if (parse_int(v[i], &x) < 0)
				rc = error_code(EXIT_USAGE,
						"'%s': label '%s' is not an integer, and the model's labels are "
						"int64",
						root->label, v[i]);
		}
	}
	/* 32-bit integer labels: every value checked before the first group
	 * is replaced, so that a refusal leaves the tree as it was */
	for (size_t k = 0; k < s.n && rc == 0; k++) {
		size_t at = 0;
		for (size_t i = 0; i < s.v[k].ng && rc == 0; i++) {
			rc = group_fits(&s.v[k].g[i], v + at);
			at += s.v[k].g[i].count;
		}
	}
	for (size_t k = 0; k < s.n && rc == 0; k++) {
		size_t at = 0;
		for (size_t i = 0; i < s.v[k].ng && rc == 0; i++) {
			rc = group_set(&s.v[k].g[i], v + at, &changed);
			at += s.v[k].g[i].count;
		}
	}
	lsites_free(&s);
	return rc < 0 ? -1 : changed;
}
