/* iface: describe, rename and class labels over the spec tree (see iface.h). */
#include "edit/iface.h"
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

/* Model: description 2; the Type oneof.  ModelDescription: input 1,
 * output 10, predictedFeatureName 11, predictedProbabilitiesName 12,
 * state 13, functions 20, defaultFunctionName 21, trainingInput 50.
 * FunctionDescription: name 1, input 2, output 3, state 6.
 * FeatureDescription: name 1, shortDescription 2. */
enum {
	F_DESCRIPTION = 2,
	D_INPUT = 1, D_OUTPUT = 10, D_PREDICTED = 11, D_PROBS = 12, D_STATE = 13, D_FUNCTIONS = 20, D_DEFAULT_FN = 21,
	D_TRAINING = 50,
	FN_NAME = 1, FN_INPUT = 2, FN_OUTPUT = 3, FN_STATE = 6,
	FD_NAME = 1, FD_SHORTDESC = 2,
	M_PIPELINE_CLASSIFIER = 200, M_PIPELINE_REGRESSOR = 201, M_PIPELINE = 202,
	M_GLM_CLASSIFIER = 400, M_SVM_CLASSIFIER = 401, M_TREE_CLASSIFIER = 402, M_NN_CLASSIFIER = 403,
	M_KNN_CLASSIFIER = 404, M_MLPROGRAM = 502, M_TEXT_CLASSIFIER = 2000, M_WORD_TAGGER = 2001,
	CLS_STRING = 100, CLS_INT64 = 101,
	/* TextClassifier.stringClassLabels, WordTagger.stringTags */
	CML_STRING = 200,
};

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

static int span_eq(const void *p, size_t n, const char *s)
{
	return n == strlen(s) && !memcmp(p, s, n);
}

/* appends the step to field i of n: "input[0]", or for a map entry with a
 * string key 'functions["main"]' (the path language of mlpkg get) */
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

static char *node_path(struct mt_node *n)
{
	struct strbuf sb = STRBUF_INIT;
	add_path(&sb, n);
	return sb_detach(&sb, NULL);
}

/* the path of field i of n: "description.input[0].name" */
static char *field_path(struct mt_node *n, size_t i)
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
static long type_field(struct mt_node *m)
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
static struct mt_node *pipeline_of(struct mt_node *m, long t, int *bad)
{
	*bad = 0;
	uint32_t num = m->f[t].number;
	if (num != M_PIPELINE && num != M_PIPELINE_CLASSIFIER && num != M_PIPELINE_REGRESSOR)
		return NULL;
	struct mt_node *c = mt_child(m, (size_t)t);
	if (!c) {
		*bad = 1;
		return NULL;
	}
	if (num == M_PIPELINE)
		return c;
	struct mt_node *p = mt_get(c, 1);
	if (!p && mt_find_last(c, 1) >= 0)
		*bad = 1;
	return p;
}

/* the child message of field i, or NULL for an unknown occurrence; *bad on an invalid one */
static struct mt_node *child_at(struct mt_node *n, size_t i, int *bad)
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
#define NSLOTS 4096
#define MAX_NF 12
struct dslot {
	const ProtobufCMessageDescriptor *d;
	int reach;       /* can hold a name field */
	int reach_ref;   /* can hold an NF_REF field */
	size_t nnf;
	const ProtobufCFieldDescriptor *nf[MAX_NF];
	int nf_kind[MAX_NF];
};
static struct dslot slots[NSLOTS];
static int slots_ready;

static struct dslot *slot_of(const ProtobufCMessageDescriptor *d, int add)
{
	uintptr_t h = ((uintptr_t)d >> 4) * 2654435761u;
	for (size_t k = 0; k < NSLOTS; k++) {
		struct dslot *s = &slots[(h + k) & (NSLOTS - 1)];
		if (s->d == d)
			return s;
		if (!s->d) {
			if (!add)
				return NULL;
			s->d = d;
			return s;
		}
	}
	die(EXIT_FAIL, "internal error: too many message types");
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
		for (size_t k = 0; k < NSLOTS; k++) {
			struct dslot *s = &slots[k];
			if (!s->d)
				continue;
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
	const char *function;   /* NULL: every function */
	int apply;              /* 0 scan, 1 replace */
	int refs_only;          /* only NF_REF fields */
	int old_seen;           /* scan: old met (reset by the caller) */
	char *new_where;        /* scan: where new was first met */
	int affected;           /* some model's interface has old */
	int mil;                /* some ML-program function is concerned */
	size_t changed;
	struct iface_changes *ch;
};

static int on_name(struct rn *c, struct mt_node *n, size_t i)
{
	size_t l;
	const char *s = mt_str(&n->f[i], &l);
	if (!c->apply) {
		if (span_eq(s, l, c->old))
			c->old_seen = 1;
		if (!c->new_where && span_eq(s, l, c->new))
			c->new_where = field_path(n, i);
		return 0;
	}
	if (!span_eq(s, l, c->old))
		return 0;
	size_t el;
	uint8_t *enc = mt_encode_len(n->f[i].number, c->new, c->nl, &el);
	mt_replace(n, i, enc, el);
	free(enc);
	c->changed++;
	if (c->ch)
		changes_push(c->ch, field_path(n, i));
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
		} else if (fd->type == PROTOBUF_C_TYPE_MESSAGE && fd->descriptor != &core_ml__specification__model__descriptor) {
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
		char *def = mt_get_str(d, D_DEFAULT_FN);
		top = def && !strcmp(def, filter);
		free(def);
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct mt_field *f = &d->f[i];
		int bad;
		if (!f->fd)
			continue;
		if (f->number == D_FUNCTIONS) {
			struct mt_node *fn = child_at(d, i, &bad);
			if (bad)
				return -1;
			if (!fn)
				continue;
			if (filter) {
				char *name = mt_get_str(fn, FN_NAME);
				int in = name && !strcmp(name, filter);
				free(name);
				if (!in)
					continue;
			}
			if (walk_names(c, fn) < 0)
				return -1;
		} else if (top && (f->number == D_INPUT || f->number == D_OUTPUT || f->number == D_STATE ||
				   f->number == D_TRAINING)) {
			struct mt_node *fd = child_at(d, i, &bad);
			if (bad || (fd && walk_names(c, fd) < 0))
				return -1;
		} else if (top && (f->number == D_PREDICTED || f->number == D_PROBS) && f->wt == WT_LEN) {
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
		if (f->number == 1) {        /* inputs: NamedValueType */
			struct mt_node *nv = child_at(fn, i, &bad);
			if (bad || (nv && walk_names(c, nv) < 0))
				return -1;
		} else if (f->number == 3) { /* block_specializations: entry (value 2 = Block) */
			struct mt_node *e = child_at(fn, i, &bad);
			if (bad)
				return -1;
			struct mt_node *b = e ? mt_get(e, 2) : NULL;
			if (!b) {
				if (e && mt_find_last(e, 2) >= 0)
					return -1;
				continue;
			}
			for (size_t j = 0; j < b->n; j++)
				if (b->f[j].number == 2 && b->f[j].fd && on_name(c, b, j) < 0)
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
	long di = mt_find_last(m, F_DESCRIPTION);
	struct mt_node *d = di >= 0 ? child_at(m, (size_t)di, &bad) : NULL;
	if (di >= 0 && bad)
		return -1;
	if (d && scan_for_old(c, walk_desc, d, filter, &in_desc) < 0)
		return -1;
	long t = type_field(m);
	struct mt_node *p = t >= 0 ? pipeline_of(m, t, &bad) : NULL;
	if (t >= 0 && bad)
		return -1;
	struct mt_node *tn = NULL;
	if (t >= 0 && !p) {
		tn = mt_child(m, (size_t)t);
		if (!tn)
			return -1;
		if (m->f[t].number != M_MLPROGRAM && scan_for_old(c, walk_refs, tn, NULL, &in_refs) < 0)
			return -1;
	}
	int affected = in_desc || in_refs;
	if (affected)
		c->affected = 1;
	if (c->apply && affected && d && walk_desc(c, d, filter) < 0)
		return -1;
	if (p) {
		for (size_t i = 0; i < p->n; i++) {
			if (p->f[i].number != 1)
				continue;
			struct mt_node *sub = child_at(p, i, &bad);
			if (bad || (sub && walk_model(c, sub, 0) < 0))
				return -1;
		}
		return 0;
	}
	if (!affected || !tn)
		return 0;
	if (m->f[t].number != M_MLPROGRAM)
		return walk_names(c, tn);
	/* ML program: function by function (functions 2: map entries, value 2) */
	for (size_t i = 0; i < tn->n; i++) {
		if (tn->f[i].number != 2)
			continue;
		struct mt_node *e = child_at(tn, i, &bad);
		if (bad)
			return -1;
		if (!e)
			continue;
		if (filter) {
			char *key = mt_get_str(e, 1);
			int in = key && !strcmp(key, filter);
			free(key);
			if (!in)
				continue;
		}
		struct mt_node *fn = mt_get(e, 2);
		if (!fn) {
			if (mt_find_last(e, 2) >= 0)
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
	struct mt_node *d = mt_get(root, F_DESCRIPTION);
	if (!d && root->state == MT_BAD)
		return -1;
	for (size_t i = 0; d && i < d->n; i++) {
		if (d->f[i].number != D_FUNCTIONS)
			continue;
		int bad;
		struct mt_node *fn = child_at(d, i, &bad);
		if (bad)
			return -1;
		char *name = fn ? mt_get_str(fn, FN_NAME) : NULL;
		int is = name && !strcmp(name, function);
		free(name);
		if (is)
			return 0;
	}
	return error_code(EXIT_NOTFOUND, "'%s': no function '%s'", root->label, function);
}

int iface_rename(struct mt_node *root, const char *old, const char *new, const char *function,
		 struct iface_changes *ch)
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
			rc = error_code(EXIT_NOTFOUND, "'%s': function '%s' has no feature '%s'", root->label, function, old);
		else
			rc = error_code(EXIT_NOTFOUND, "'%s': no feature '%s'", root->label, old);
	} else if (!strcmp(old, new)) {
		rc = 0;
	} else if (c.new_where) {
		rc = error_code(EXIT_USAGE, "'%s': the name '%s' is already used (%s)", root->label, new, c.new_where);
	} else if (c.mil && !mil_identifier(new)) {
		rc = error_code(EXIT_USAGE,
				"'%s': '%s' is not a valid ML program name (letters, digits and '_', not starting "
				"with a digit)", root->label, new);
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
		struct mt_node *f = child_at(d, i, &bad);
		if (bad)
			return -1;
		if (!f)
			continue;
		long ni = mt_find_last(f, FD_NAME);
		if (ni < 0 || f->f[ni].wt != WT_LEN || !span_eq(f->f[ni].val, f->f[ni].vlen, s->feature))
			continue;
		s->found++;
		long di = mt_find_last(f, FD_SHORTDESC);
		const uint8_t *cur = di >= 0 && f->f[di].wt == WT_LEN ? f->f[di].val : (const uint8_t *)"";
		size_t cl = di >= 0 && f->f[di].wt == WT_LEN ? f->f[di].vlen : 0;
		int only_one = di < 0 || mt_find(f, FD_SHORTDESC, 0) == di;
		if (cl == s->len && !memcmp(cur, s->text, cl) && only_one)
			continue;
		mt_set_bytes(f, FD_SHORTDESC, s->len ? s->text : NULL, s->len);
		s->changed++;
		if (s->ch) {
			char *p = node_path(f);
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
	struct mt_node *d = mt_get(root, F_DESCRIPTION);
	if (!d && root->state == MT_BAD)
		return -1;
	if (d) {
		int top = 1;
		if (function) {
			char *def = mt_get_str(d, D_DEFAULT_FN);
			top = def && !strcmp(def, function);
			free(def);
		}
		if (top && (describe_list(&s, d, D_INPUT) < 0 || describe_list(&s, d, D_OUTPUT) < 0 ||
			    describe_list(&s, d, D_STATE) < 0 || describe_list(&s, d, D_TRAINING) < 0))
			return -1;
		for (size_t i = 0; i < d->n; i++) {
			if (d->f[i].number != D_FUNCTIONS)
				continue;
			int bad;
			struct mt_node *fn = child_at(d, i, &bad);
			if (bad)
				return -1;
			if (!fn)
				continue;
			if (function) {
				char *name = mt_get_str(fn, FN_NAME);
				int in = name && !strcmp(name, function);
				free(name);
				if (!in)
					continue;
			}
			if (describe_list(&s, fn, FN_INPUT) < 0 || describe_list(&s, fn, FN_OUTPUT) < 0 ||
			    describe_list(&s, fn, FN_STATE) < 0)
				return -1;
		}
	}
	if (!s.found) {
		if (function)
			return error_code(EXIT_NOTFOUND, "'%s': function '%s' has no feature '%s'", root->label, function,
					  feature);
		return error_code(EXIT_NOTFOUND, "'%s': no feature '%s'", root->label, feature);
	}
	return (int)s.changed;
}

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
		struct mt_node *vec = child_at(cls, i, &bad);
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
		if (n->f[i].fd && n->f[i].fd->type == PROTOBUF_C_TYPE_MESSAGE && (n->f[i].fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			found = (long)i;
	return found;
}

/* TensorValue: ints 2, strings 4, longInts 5; 1 when it holds labels */
static int tensor_groups(struct mt_node *t, struct lsite *s)
{
	if (mt_parse(t) < 0)
		return -1;
	long m = set_member(t);
	if (m < 0)
		return 0;
	uint32_t num = t->f[m].number;
	enum iface_label_kind kind;
	if (num == 4)
		kind = LABELS_STRING;
	else if (num == 5 || num == 2)
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

/* Value: immediateValue 3 { tensor 1 | list 3 { values 1: Value } } */
static int value_site(struct mt_node *v, struct lsite *s)
{
	struct mt_node *imm = mt_get(v, 3);
	if (!imm)
		return v->state == MT_BAD || mt_find_last(v, 3) >= 0 ? -1 : 0;
	long m = set_member(imm);
	if (m < 0)
		return 0;
	struct mt_node *x = mt_child(imm, (size_t)m);
	if (!x)
		return -1;
	if (imm->f[m].number == 1)
		return tensor_groups(x, s);
	if (imm->f[m].number != 3)
		return 0;
	for (size_t i = 0; i < x->n; i++) {
		if (x->f[i].number != 1)
			continue;
		int bad;
		struct mt_node *e = child_at(x, i, &bad);
		if (bad)
			return -1;
		struct mt_node *ei = e ? mt_get(e, 3) : NULL;
		long em = ei ? set_member(ei) : -1;
		if (em < 0 || ei->f[em].number != 1)
			return 0;
		struct mt_node *t = mt_child(ei, (size_t)em);
		if (!t)
			return -1;
		size_t before = site_count(s);
		int r = tensor_groups(t, s);
		if (r <= 0)
			return r;
		if (site_count(s) != before + 1)
			return 0;  /* a list of scalars, one label each */
	}
	return 1;
}

/* the string value of map entry e's key as a new C string */
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
		struct mt_node *e = child_at(n, i, bad);
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
		if (block->f[i].number != 3)
			continue;
		struct mt_node *op = child_at(block, i, bad);
		if (*bad)
			return NULL;
		if (!op)
			continue;
		char *type = mt_get_str(op, 1);
		int is_const = type && !strcmp(type, "const");
		free(type);
		if (is_const) {
			struct mt_node *out = mt_get(op, 3);
			char *on = out ? mt_get_str(out, 1) : NULL;
			int match = on && !strcmp(on, name);
			free(on);
			if (match)
				return op;
		}
		for (size_t j = 0; j < op->n; j++) {
			if (op->f[j].number != 4)
				continue;
			struct mt_node *b = child_at(op, j, bad);
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
	struct mt_node *arg = map_value(op, 2, "classes", &bad);
	if (bad)
		return -1;
	struct mt_node *bind = arg ? mt_get(arg, 1) : NULL;
	if (!bind)
		return 0;
	struct mt_node *v = mt_get(bind, 2), *holder = op;
	if (!v) {
		char *name = mt_get_str(bind, 1);
		if (!name)
			return 0;
		struct mt_node *cop = NULL;
		for (size_t i = 0; i < ms->fn->n && !cop; i++) {
			if (ms->fn->f[i].number != 3)
				continue;
			struct mt_node *e = child_at(ms->fn, i, &bad);
			struct mt_node *b = e && !bad ? mt_get(e, 2) : NULL;
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
		v = map_value(cop, 5, "val", &bad);
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
	s.where = node_path(holder);
	xgrow((void **)&ms->out->v, &ms->out->cap, ms->out->n + 1, sizeof(*ms->out->v));
	ms->out->v[ms->out->n++] = s;
	return 1;
}

static int block_classify(struct mil_search *ms, struct mt_node *block, int depth)
{
	if (depth > 64 || mt_parse(block) < 0)
		return depth > 64 ? 0 : -1;
	for (size_t i = 0; i < block->n; i++) {
		if (block->f[i].number != 3)
			continue;
		int bad;
		struct mt_node *op = child_at(block, i, &bad);
		if (bad)
			return -1;
		if (!op)
			continue;
		char *type = mt_get_str(op, 1);
		int is = type && !strcmp(type, "classify");
		free(type);
		if (is && classify_site(ms, op) < 0)
			return -1;
		for (size_t j = 0; j < op->n; j++) {
			if (op->f[j].number != 4)
				continue;
			struct mt_node *b = child_at(op, j, &bad);
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
		if (prog->f[i].number != 2)
			continue;
		int bad;
		struct mt_node *e = child_at(prog, i, &bad);
		if (bad)
			return -1;
		struct mt_node *fn = e ? mt_get(e, 2) : NULL;
		if (!fn) {
			if (e && mt_find_last(e, 2) >= 0)
				return -1;
			continue;
		}
		struct mil_search ms = { fn, out };
		for (size_t j = 0; j < fn->n; j++) {
			if (fn->f[j].number != 3)
				continue;
			struct mt_node *se = child_at(fn, j, &bad);
			if (bad)
				return -1;
			struct mt_node *b = se ? mt_get(se, 2) : NULL;
			if (!b && se && mt_find_last(se, 2) >= 0)
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
	long t = type_field(m);
	if (t < 0)
		return 0;
	uint32_t num = m->f[t].number;
	int bad;
	struct mt_node *p = pipeline_of(m, t, &bad);
	if (bad)
		return -1;
	if (p) {
		/* the last member that has labels */
		for (size_t i = p->n; i-- > 0;) {
			if (p->f[i].number != 1)
				continue;
			struct mt_node *sub = child_at(p, i, &bad);
			if (bad || (sub && find_sites(sub, out, depth + 1) < 0))
				return -1;
			if (out->n)
				return 0;
		}
		return 0;
	}
	int cml = num == M_TEXT_CLASSIFIER || num == M_WORD_TAGGER;
	if ((num >= M_GLM_CLASSIFIER && num <= M_KNN_CLASSIFIER) || cml) {
		struct mt_node *cls = mt_child(m, (size_t)t);
		if (!cls)
			return -1;
		struct lsite s = { 0 };
		int r = cml ? classifier_site(cls, &s, CML_STRING, 0) : classifier_site(cls, &s, CLS_STRING, CLS_INT64);
		if (r <= 0) {
			free(s.g);
			return r;
		}
		s.where = node_path(cls);
		s.per_example = num == M_KNN_CLASSIFIER;
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = s;
		return 0;
	}
	if (num == M_MLPROGRAM) {
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

/* replaces one group's field with labels v (count of them) */
static int group_set(struct lgroup *g, char *const *v, int *changed)
{
	struct mt_field *f = &g->node->f[g->idx];
	uint8_t *enc;
	size_t el;
	if (!g->is_int) {
		if (span_eq(f->val, f->vlen, v[0]))
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
				return error_code(EXIT_USAGE, "label %s does not fit the model's 32-bit integer labels", v[i]);
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
				rc = error_code(EXIT_USAGE, "'%s': label '%s' is given twice (lines %zu and %zu)", root->label,
						v[i], j + 1, i + 1);
	}
	for (size_t k = 0; k < s.n && rc == 0; k++) {
		struct lsite *site = &s.v[k];
		size_t have = site_count(site);
		if (site->per_example)
			rc = error_code(EXIT_USAGE, "'%s': a nearest-neighbors classifier keeps one label per example; "
					"its labels cannot be replaced as a list", root->label);
		else if (have != n)
			rc = error_code(EXIT_USAGE, "'%s': %zu labels given, the model has %zu classes", root->label, n, have);
		for (size_t i = 0; i < n && rc == 0 && site->kind == LABELS_INT64; i++) {
			int64_t x;
			if (parse_int(v[i], &x) < 0)
				rc = error_code(EXIT_USAGE, "'%s': label '%s' is not an integer, and the model's labels are "
						"int64", root->label, v[i]);
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
