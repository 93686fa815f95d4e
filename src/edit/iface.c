/* iface: describe, rename and class labels over the spec tree (see iface.h). */
#include "edit/iface.h"
#include "edit/internal.h"
#include "base/jsonedit.h"
#include "spec/dump.h"
#include "base/error.h"
#include "base/hash.h"
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

void iface_changes_free(struct iface_changes *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void changes_push(struct iface_changes *c, char *path)
{
	if (!c) {
		free(path);
		return;
	}
	xgrow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v));
	c->v[c->n++] = path;
}

/* ---- which fields hold names ------------------------------------------------ */

/* Fields that hold names, of two kinds:
 *  NF_REF: the name of a feature of the model, or of the pipeline holding
 *    it (what the model takes, gives or is trained on): every string field
 *    whose name ends in "FeatureName" (NonMaximumSuppression,
 *    ItemSimilarityRecommender, BayesianProbitRegressor, WordTagger,
 *    ModelDescription...) and those below marked NF_REF;
 *  NF_INNER: a name inside the model (a neural-network blob, an ML-program
 *    variable) that is a feature's only where the model's interface says so.
 * Names that only label something (layer names, op "name" attributes,
 * pipeline member names, function names) are not references and stay. */
enum { NF_NONE, NF_REF, NF_INNER };
static const struct {
	const char *msg, *field;
	int kind;
} name_fields[] = {
	{ "CoreML.Specification.FeatureDescription", "name", NF_REF },
	{ "CoreML.Specification.ModelDescription", "predictedProbabilitiesName", NF_REF },
	{ "CoreML.Specification.FunctionDescription", "predictedProbabilitiesName", NF_REF },
	{ "CoreML.Specification.NeuralNetworkPreprocessing", "featureName", NF_REF },
	{ "CoreML.Specification.CategoricalCrossEntropyLossLayer", "target", NF_REF },
	{ "CoreML.Specification.MeanSquaredErrorLossLayer", "target", NF_REF },
	{ "CoreML.Specification.FeatureVectorizer.InputColumn", "inputColumn", NF_REF },
	{ "CoreML.Specification.CoreMLModels.VisionFeaturePrint.Objects", "output", NF_REF },
	{ "CoreML.Specification.NeuralNetworkLayer", "input", NF_INNER },
	{ "CoreML.Specification.NeuralNetworkLayer", "output", NF_INNER },
	{ "CoreML.Specification.NeuralNetworkClassifier", "labelProbabilityLayerName", NF_INNER },
	{ "CoreML.Specification.LoopLayerParams", "conditionVar", NF_INNER },
	{ "CoreML.Specification.CategoricalCrossEntropyLossLayer", "input", NF_INNER },
	{ "CoreML.Specification.MeanSquaredErrorLossLayer", "input", NF_INNER },
	{ "CoreML.Specification.MILSpec.NamedValueType", "name", NF_INNER },
	{ "CoreML.Specification.MILSpec.Block", "outputs", NF_INNER },
	{ "CoreML.Specification.MILSpec.Argument.Binding", "name", NF_INNER },
};

static int name_field_kind(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *fd)
{
	if (fd->type != PROTOBUF_C_TYPE_STRING)
		return NF_NONE;
	size_t l = strlen(fd->name), s = strlen("FeatureName");
	if (l > s && !strcmp(fd->name + l - s, "FeatureName"))
		return NF_REF;
	for (size_t i = 0; i < sizeof(name_fields) / sizeof(name_fields[0]); i++)
		if (!strcmp(d->name, name_fields[i].msg) && !strcmp(fd->name, name_fields[i].field))
			return name_fields[i].kind;
	return NF_NONE;
}

/* Per message type reachable from Model: its name fields and whether it
 * can (transitively) hold one; worked out once, kept in a small hash. */
#define MAX_NF 12
struct dslot {
	const ProtobufCMessageDescriptor *d;
	int reach;     /* can hold a name field */
	int reach_ref; /* can hold an NF_REF field */
	size_t nnf;
	const ProtobufCFieldDescriptor *nf[MAX_NF];
	int nf_kind[MAX_NF];
};
static struct hmap slots = HMAP_INIT; /* descriptor pointer -> struct dslot */
static int slots_ready;

static struct dslot *slot_of(const ProtobufCMessageDescriptor *d, int add)
{
	if (!add) {
		struct hmap_ent *e = hmap_find(&slots, &d, sizeof(d));
		return e ? e->val : NULL;
	}
	struct hmap_ent *e = hmap_insert(&slots, &d, sizeof(d), NULL);
	if (!e->val) {
		struct dslot *s = xcalloc(1, sizeof(*s));
		s->d = d;
		e->val = s;
	}
	return e->val;
}

static void slot_visit(const ProtobufCMessageDescriptor *d)
{
	if (slot_of(d, 0))
		return;
	struct dslot *s = slot_of(d, 1);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		int kind = name_field_kind(d, fd);
		if (kind) {
			if (s->nnf == MAX_NF)
				die(EXIT_FAIL, "internal error: too many name fields in %s", d->name);
			s->nf_kind[s->nnf] = kind;
			s->nf[s->nnf++] = fd;
			s->reach = 1;
			s->reach_ref |= kind == NF_REF;
		} else if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			slot_visit(fd->descriptor);
		}
	}
}

static void slots_init(void)
{
	if (slots_ready)
		return;
	slot_visit(&core_ml__specification__model__descriptor);
	for (int changed = 1; changed;) {
		changed = 0;
		size_t k = 0;
		struct hmap_ent *e;
		while ((e = hmap_next(&slots, &k))) {
			struct dslot *s = e->val;
			for (unsigned i = 0; i < s->d->n_fields; i++) {
				const ProtobufCFieldDescriptor *fd = &s->d->fields[i];
				if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
					continue;
				const struct dslot *c = slot_of(fd->descriptor, 0);
				if (c->reach && !s->reach)
					s->reach = changed = 1;
				if (c->reach_ref && !s->reach_ref)
					s->reach_ref = changed = 1;
			}
		}
	}
	slots_ready = 1;
}

static int slot_nf_kind(const struct dslot *s, const ProtobufCFieldDescriptor *fd)
{
	for (size_t i = 0; s && i < s->nnf; i++)
		if (s->nf[i] == fd)
			return s->nf_kind[i];
	return NF_NONE;
}

/* ---- rename ------------------------------------------------------------------ */

struct rn {
	const char *old, *new;
	size_t nl;
	const char *function; /* NULL: every function */
	int apply;            /* 0 scan, 1 replace */
	int refs_only;        /* only NF_REF fields */
	int old_seen;         /* scan: old met (reset by the caller) */
	char *new_where;      /* scan: where new was first met */
	int affected;         /* some model's interface has old */
	int mil;              /* some ML-program function is concerned */
	size_t changed;
	struct iface_changes *ch;
};

static int on_name(struct rn *c, struct mt_node *n, size_t i)
{
	size_t l;
	const char *s = mt_str(&n->f[i], &l);
	if (!c->apply) {
		if (edit_span_eq(s, l, c->old))
			c->old_seen = 1;
		if (!c->new_where && edit_span_eq(s, l, c->new))
			c->new_where = edit_field_path(n, i);
		return 0;
	}
	if (!edit_span_eq(s, l, c->old))
		return 0;
	size_t el;
	uint8_t *enc = mt_encode_len(n->f[i].number, c->new, c->nl, &el);
	mt_replace(n, i, enc, el);
	free(enc);
	c->changed++;
	if (c->ch)
		changes_push(c->ch, edit_field_path(n, i));
	return 0;
}

/* every name field below n (nested Models excluded: pipelines are walked model by model) */
static int walk_names(struct rn *c, struct mt_node *n)
{
	if (mt_parse(n) < 0)
		return -1;
	const struct dslot *s = slot_of(n->desc, 0);
	for (size_t i = 0; i < n->n; i++) {
		const ProtobufCFieldDescriptor *fd = n->f[i].fd;
		if (!fd)
			continue;
		if (fd->type == PROTOBUF_C_TYPE_STRING) {
			int kind = slot_nf_kind(s, fd);
			if (kind && (kind == NF_REF || !c->refs_only) && on_name(c, n, i) < 0)
				return -1;
		} else if (fd->type == PROTOBUF_C_TYPE_MESSAGE &&
			   fd->descriptor != &core_ml__specification__model__descriptor) {
			const struct dslot *cs = slot_of(fd->descriptor, 0);
			if (!cs || !(c->refs_only ? cs->reach_ref : cs->reach))
				continue;
			struct mt_node *ch = mt_child(n, i);
			if (!ch || walk_names(c, ch) < 0)
				return -1;
		}
	}
	return 0;
}

/* the description's parts in scope: every part when filter is NULL, else
 * the function filter and, when it is the default, the model's own lists */
static int walk_desc(struct rn *c, struct mt_node *d, const char *filter)
{
	if (mt_parse(d) < 0)
		return -1;
	int top = 1;
	if (filter) {
		char *def = mt_get_str(d, F_ModelDescription_defaultFunctionName);
		top = def && !strcmp(def, filter);
		free(def);
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct mt_field *f = &d->f[i];
		int bad;
		if (!f->fd)
			continue;
		if (f->number == F_ModelDescription_functions) {
			struct mt_node *fn = edit_child_at(d, i, &bad);
			if (bad)
				return -1;
			if (!fn)
				continue;
			if (filter) {
				char *name = mt_get_str(fn, F_FunctionDescription_name);
				int in = name && !strcmp(name, filter);
				free(name);
				if (!in)
					continue;
			}
			if (walk_names(c, fn) < 0)
				return -1;
		} else if (top &&
			   (f->number == F_ModelDescription_input || f->number == F_ModelDescription_output ||
			    f->number == F_ModelDescription_state || f->number == F_ModelDescription_trainingInput)) {
			struct mt_node *fd = edit_child_at(d, i, &bad);
			if (bad || (fd && walk_names(c, fd) < 0))
				return -1;
		} else if (top &&
			   (f->number == F_ModelDescription_predictedFeatureName ||
			    f->number == F_ModelDescription_predictedProbabilitiesName) &&
			   f->wt == WT_LEN) {
			if (on_name(c, d, i) < 0)
				return -1;
		}
	}
	return 0;
}

/* runs a scan (whatever the mode) and says whether old was met */
static int scan_for_old(struct rn *c, int (*fn)(struct rn *, struct mt_node *, const char *), struct mt_node *n,
			const char *filter, int *seen)
{
	int apply = c->apply;
	c->apply = 0;
	c->old_seen = 0;
	int r = fn(c, n, filter);
	*seen = c->old_seen;
	c->apply = apply;
	return r;
}

/* an ML-program function's interface: its inputs and its blocks' outputs */
static int fn_iface(struct rn *c, struct mt_node *fn, const char *unused)
{
	(void)unused;
	if (mt_parse(fn) < 0)
		return -1;
	for (size_t i = 0; i < fn->n; i++) {
		int bad;
		const struct mt_field *f = &fn->f[i];
		if (f->number == F_MILSpec_Function_inputs) { /* NamedValueType */
			struct mt_node *nv = edit_child_at(fn, i, &bad);
			if (bad || (nv && walk_names(c, nv) < 0))
				return -1;
		} else if (f->number == F_MILSpec_Function_block_specializations) { /* map entries */
			struct mt_node *e = edit_child_at(fn, i, &bad);
			if (bad)
				return -1;
			struct mt_node *b = e ? mt_get(e, F_MILSpec_Function_BlockSpecializationsEntry_value) : NULL;
			if (!b) {
				if (e && mt_find_last(e, F_MILSpec_Function_BlockSpecializationsEntry_value) >= 0)
					return -1;
				continue;
			}
			for (size_t j = 0; j < b->n; j++)
				if (b->f[j].number == F_MILSpec_Block_outputs && b->f[j].fd && on_name(c, b, j) < 0)
					return -1;
		}
	}
	return 0;
}

/* the feature references (NF_REF fields) below n */
static int walk_refs(struct rn *c, struct mt_node *n, const char *unused)
{
	(void)unused;
	c->refs_only = 1;
	int r = walk_names(c, n);
	c->refs_only = 0;
	return r;
}

/* A model's interface is its description (in scope) and the feature
 * references in it (NonMaximumSuppression's *FeatureName fields name
 * pipeline inputs its own description may leave out).  When the interface
 * has old, every name in the model is renamed: the description, the
 * references and the inner names (blobs, variables) that the interface
 * binds; pipeline members are models of their own. */
static int walk_model(struct rn *c, struct mt_node *m, int is_root)
{
	if (mt_parse(m) < 0)
		return -1;
	const char *filter = is_root ? c->function : NULL;
	int in_desc = 0, in_refs = 0, bad;
	long di = mt_find_last(m, F_Model_description);
	struct mt_node *d = di >= 0 ? edit_child_at(m, (size_t)di, &bad) : NULL;
	if (di >= 0 && bad)
		return -1;
	if (d && scan_for_old(c, walk_desc, d, filter, &in_desc) < 0)
		return -1;
	long t = edit_type_field(m);
	struct mt_node *p = t >= 0 ? edit_pipeline_of(m, t, &bad) : NULL;
	if (t >= 0 && bad)
		return -1;
	struct mt_node *tn = NULL;
	if (t >= 0 && !p) {
		tn = mt_child(m, (size_t)t);
		if (!tn)
			return -1;
		if (m->f[t].number != F_Model_mlProgram && scan_for_old(c, walk_refs, tn, NULL, &in_refs) < 0)
			return -1;
	}
	int affected = in_desc || in_refs;
	if (affected)
		c->affected = 1;
	if (c->apply && affected && d && walk_desc(c, d, filter) < 0)
		return -1;
	if (p) {
		for (size_t i = 0; i < p->n; i++) {
			if (p->f[i].number != F_Pipeline_models)
				continue;
			struct mt_node *sub = edit_child_at(p, i, &bad);
			if (bad || (sub && walk_model(c, sub, 0) < 0))
				return -1;
		}
		return 0;
	}
	if (!affected || !tn)
		return 0;
	if (m->f[t].number != F_Model_mlProgram)
		return walk_names(c, tn);
	/* ML program: function by function */
	for (size_t i = 0; i < tn->n; i++) {
		if (tn->f[i].number != F_MILSpec_Program_functions)
			continue;
		struct mt_node *e = edit_child_at(tn, i, &bad);
		if (bad)
			return -1;
		if (!e)
			continue;
		if (filter) {
			char *key = mt_get_str(e, F_MILSpec_Program_FunctionsEntry_key);
			int in = key && !strcmp(key, filter);
			free(key);
			if (!in)
				continue;
		}
		struct mt_node *fn = mt_get(e, F_MILSpec_Program_FunctionsEntry_value);
		if (!fn) {
			if (mt_find_last(e, F_MILSpec_Program_FunctionsEntry_value) >= 0)
				return -1;
			continue;
		}
		int has;
		if (scan_for_old(c, fn_iface, fn, NULL, &has) < 0)
			return -1;
		if (!has)
			continue;
		c->mil = 1;
		if (walk_names(c, fn) < 0)
			return -1;
	}
	return 0;
}

static int mil_identifier(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* checks that function names a function description of the model */
static int check_function(struct mt_node *root, const char *function)
{
	struct mt_node *d = mt_get(root, F_Model_description);
	if (!d && root->state == MT_BAD)
		return -1;
	for (size_t i = 0; d && i < d->n; i++) {
		if (d->f[i].number != F_ModelDescription_functions)
			continue;
		int bad;
		struct mt_node *fn = edit_child_at(d, i, &bad);
		if (bad)
			return -1;
		char *name = fn ? mt_get_str(fn, F_FunctionDescription_name) : NULL;
		int is = name && !strcmp(name, function);
		free(name);
		if (is)
			return 0;
	}
	return error_code(EXIT_NOTFOUND, "'%s': no function '%s'", root->label, function);
}

int iface_rename(struct mt_node *root, const char *old, const char *new, const char *function, struct iface_changes *ch)
{
	slots_init();
	if (!*new)
		return error_code(EXIT_USAGE, "'%s': a feature name cannot be empty", root->label);
	if (!wire_utf8_valid((const uint8_t *)new, strlen(new)))
		return error_code(EXIT_USAGE, "'%s': a feature name must be valid UTF-8", root->label);
	if (function && check_function(root, function) < 0)
		return -1;
	struct rn c = { .old = old, .new = new, .nl = strlen(new), .function = function, .ch = ch };
	if (walk_model(&c, root, 1) < 0) {
		free(c.new_where);
		return -1;
	}
	int rc = 0;
	if (!c.affected) {
		if (function)
			rc = error_code(EXIT_NOTFOUND, "'%s': function '%s' has no feature '%s'", root->label, function,
					old);
		else
			rc = error_code(EXIT_NOTFOUND, "'%s': no feature '%s'", root->label, old);
	} else if (!strcmp(old, new)) {
		rc = 0;
	} else if (c.new_where) {
		rc = error_code(EXIT_USAGE, "'%s': the name '%s' is already used (%s)", root->label, new, c.new_where);
	} else if (c.mil && !mil_identifier(new)) {
		rc = error_code(EXIT_USAGE,
				"'%s': '%s' is not a valid ML program name (letters, digits and '_', not starting "
				"with a digit)",
				root->label, new);
	} else {
		c.apply = 1;
		rc = walk_model(&c, root, 1) < 0 ? -1 : (int)c.changed;
	}
	free(c.new_where);
	return rc;
}

/* ---- describe -------------------------------------------------------------------- */

struct ds {
	const char *feature, *text;
	size_t len;
	size_t found, changed;
	struct iface_changes *ch;
};

static int describe_list(struct ds *s, struct mt_node *d, uint32_t num)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->f[i].number != num)
			continue;
		int bad;
		struct mt_node *f = edit_child_at(d, i, &bad);
		if (bad)
			return -1;
		if (!f)
			continue;
		long ni = mt_find_last(f, F_FeatureDescription_name);
		if (ni < 0 || f->f[ni].wt != WT_LEN || !edit_span_eq(f->f[ni].val, f->f[ni].vlen, s->feature))
			continue;
		s->found++;
		long di = mt_find_last(f, F_FeatureDescription_shortDescription);
		const uint8_t *cur = di >= 0 && f->f[di].wt == WT_LEN ? f->f[di].val : (const uint8_t *)"";
		size_t cl = di >= 0 && f->f[di].wt == WT_LEN ? f->f[di].vlen : 0;
		int only_one = di < 0 || mt_find(f, F_FeatureDescription_shortDescription, 0) == di;
		if (cl == s->len && !memcmp(cur, s->text, cl) && only_one)
			continue;
		mt_set_bytes(f, F_FeatureDescription_shortDescription, s->len ? s->text : NULL, s->len);
		s->changed++;
		if (s->ch) {
			char *p = edit_node_path(f);
			changes_push(s->ch, xasprintf("%s.shortDescription", p));
			free(p);
		}
	}
	return 0;
}

int iface_describe(struct mt_node *root, const char *feature, const char *text, size_t len, const char *function,
		   struct iface_changes *ch)
{
	if (!wire_utf8_valid((const uint8_t *)text, len))
		return error_code(EXIT_USAGE, "'%s': a description must be valid UTF-8", root->label);
	if (function && check_function(root, function) < 0)
		return -1;
	struct ds s = { .feature = feature, .text = text, .len = len, .ch = ch };
	struct mt_node *d = mt_get(root, F_Model_description);
	if (!d && root->state == MT_BAD)
		return -1;
	if (d) {
		int top = 1;
		if (function) {
			char *def = mt_get_str(d, F_ModelDescription_defaultFunctionName);
			top = def && !strcmp(def, function);
			free(def);
		}
		if (top && (describe_list(&s, d, F_ModelDescription_input) < 0 ||
			    describe_list(&s, d, F_ModelDescription_output) < 0 ||
			    describe_list(&s, d, F_ModelDescription_state) < 0 ||
			    describe_list(&s, d, F_ModelDescription_trainingInput) < 0))
			return -1;
		for (size_t i = 0; i < d->n; i++) {
			if (d->f[i].number != F_ModelDescription_functions)
				continue;
			int bad;
			struct mt_node *fn = edit_child_at(d, i, &bad);
			if (bad)
				return -1;
			if (!fn)
				continue;
			if (function) {
				char *name = mt_get_str(fn, F_FunctionDescription_name);
				int in = name && !strcmp(name, function);
				free(name);
				if (!in)
					continue;
			}
			if (describe_list(&s, fn, F_FunctionDescription_input) < 0 ||
			    describe_list(&s, fn, F_FunctionDescription_output) < 0 ||
			    describe_list(&s, fn, F_FunctionDescription_state) < 0)
				return -1;
		}
	}
	if (!s.found) {
		if (function)
			return error_code(EXIT_NOTFOUND, "'%s': function '%s' has no feature '%s'", root->label,
					  function, feature);
		return error_code(EXIT_NOTFOUND, "'%s': no feature '%s'", root->label, feature);
	}
	return (int)s.changed;
}
