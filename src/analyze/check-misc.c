/* check-misc: the rules of Apple's own model kinds that Core ML's validator
 * checks beyond their interface counts: the language models (text
 * classifier, word tagger, gazetteer, word embedding), the item-similarity
 * recommender, the sound and audio feature extractors, the input and output
 * types of a vision feature print, custom and linked models. */
#include "analyze/check-internal.h"
#include "base/xalloc.h"
#include "spec/schema.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------- */

struct mt_node *ck_params(const struct model_ref *ref)
{
	long tf = model_type_field(ref->node);
	struct mt_node *p = tf >= 0 ? mt_child(ref->node, (size_t)tf) : NULL;
	return p && mt_parse(p) == 0 ? p : NULL;
}

double ck_double(struct mt_node *n, const char *name)
{
	long i = mt_find_last(n, mt_number(n, name));
	return i >= 0 && n->f[i].fd ? mt_double(&n->f[i]) : 0.0;
}

/* the index of t in v (n strings), n when it is not there or NULL */
static size_t str_index(const char *t, const char *const *v, size_t n)
{
	size_t i = 0;
	while (t && i < n && strcmp(t, v[i]))
		i++;
	return t ? i : n;
}

/* the length of string or bytes field name (its last occurrence), 0 when absent */
static size_t bytes_len(struct mt_node *n, const char *name)
{
	long i = mt_find_last(n, mt_number(n, name));
	return i >= 0 ? n->f[i].vlen : 0;
}

const char *ck_kind_word(enum ft_kind k)
{
	switch (k) {
	case FT_INT64: return "an int64";
	case FT_DOUBLE: return "a double";
	case FT_STRING: return "a string";
	case FT_IMAGE: return "an image";
	case FT_ARRAY: return "a multi-array";
	case FT_DICT: return "a dictionary";
	case FT_SEQUENCE: return "a sequence";
	case FT_STATE: return "a state";
	default: return "of no type";
	}
}

/* the kind of model type t in words */
static const char *kind_name(const char *t)
{
	static const char *const k[][2] = {
		{ "textClassifier", "a text classifier" },
		{ "wordTagger", "a word tagger" },
		{ "gazetteer", "a gazetteer" },
		{ "wordEmbedding", "a word embedding" },
		{ "soundAnalysisPreprocessing", "a sound preprocessing model" },
		{ "audioFeaturePrint", "an audio feature print" },
		{ "visionFeaturePrint", "a vision feature print" },
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcmp(t, k[i][0]))
			return k[i][1];
	return t;
}

/* every feature of l of kind want (what: "input" or "output") */
static void all_of_kind(const struct io_list *l, enum ft_kind want, const char *what, const char *dp, const char *model,
			struct check_report *r)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].type.kind != want)
			add(r, CHECK_ERROR, dp, "%s '%s' is %s: %s takes %s", what, l->v[i].name,
			    ck_kind_word(l->v[i].type.kind), model, ck_kind_word(want));
}

/* more than max features in l (the counts check_counts does not make) */
static void at_most(const struct io_list *l, size_t max, const char *what, const char *dp, const char *model,
		    struct check_report *r)
{
	if (l->n > max)
		add(r, CHECK_ERROR, dp, "%zu %ss: %s takes %zu", l->n, what, model, max);
}

/* the elements of a StringVector field name of n */
static size_t vector_len(struct mt_node *n, const char *name)
{
	struct mt_node *v = mt_get_named(n, name);
	return v ? mt_count_named(v, "vector") : 0;
}

/* ---- the language models --------------------------------------------------- */

/* A revision at least min, model data, and (labels: the field's name, or
 * NULL) at least one label. */
static void nlp_params(struct mt_node *p, const char *pp, int64_t min, const char *labels, const char *what,
		       struct check_report *r)
{
	int64_t rev = mt_get_int_named(p, "revision", 0);
	if (rev < min)
		add(r, CHECK_ERROR, pp, "revision %lld: Core ML takes %lld or later", (long long)rev, (long long)min);
	if (labels && !vector_len(p, labels))
		add(r, CHECK_ERROR, pp, "no %s: Core ML wants at least one", what);
	if (!bytes_len(p, "modelParameterData"))
		add(r, CHECK_ERROR, pp, "no modelParameterData: the model itself is missing");
}

/* a word tagger: each output one that a *OutputFeatureName names, the tags
 * output among them; sequences of strings (tags, tokens) or of int64
 * (locations, lengths) */
static void word_tagger(struct mt_node *p, const struct io_group *g, const char *pp, const char *dp,
			struct check_report *r)
{
	static const struct {
		const char *field;
		enum ft_kind elem;
	} o[] = {
		{ "tokenTagsOutputFeatureName", FT_STRING },
		{ "tokensOutputFeatureName", FT_STRING },
		{ "tokenLocationsOutputFeatureName", FT_INT64 },
		{ "tokenLengthsOutputFeatureName", FT_INT64 },
	};
	char *name[4];
	size_t named = 0;
	for (int k = 0; k < 4; k++) {
		name[k] = field_str(p, mt_number(p, o[k].field));
		named += *name[k] != 0;
	}
	if (g->out.n != named)
		add(r, CHECK_ERROR, dp, "%zu output%s, but the word tagger names %zu", g->out.n,
		    g->out.n == 1 ? "" : "s", named);
	int tags = 0;
	for (size_t i = 0; i < g->out.n; i++) {
		const struct feature *f = &g->out.v[i];
		int used = 0;
		for (int k = 0; k < 4; k++) {
			if (strcmp(f->name, name[k]))
				continue;
			used = 1;
			tags |= k == 0;
			if (f->type.kind != FT_SEQUENCE)
				continue;
			const char *want = o[k].elem == FT_STRING ? "string" : "int64";
			if (!f->type.elem || strcmp(f->type.elem, want))
				add(r, CHECK_ERROR, dp,
				    "output '%s' is a sequence of %s: as %s it must be a sequence of %s", f->name,
				    f->type.elem ? f->type.elem : "nothing", o[k].field, want);
		}
		if (!used)
			add(r, CHECK_ERROR, dp, "output '%s' is not one the word tagger names", f->name);
		if (f->type.kind != FT_SEQUENCE)
			add(r, CHECK_ERROR, dp, "output '%s' is %s: a word tagger's outputs are sequences", f->name,
			    ck_kind_word(f->type.kind));
	}
	if (!tags)
		add(r, CHECK_ERROR, pp, "tokenTagsOutputFeatureName '%s' is not an output", name[0]);
	for (int k = 0; k < 4; k++)
		free(name[k]);
}

static void check_nlp(const struct model_ref *ref, struct mt_node *p, const struct io_group *g, struct check_report *r)
{
	const char *t = ref->type, *m = kind_name(t);
	char *pp = join(ref->path, "%s", t), *dp = join(ref->path, "description");
	all_of_kind(&g->in, FT_STRING, "input", dp, m, r);
	if (!strcmp(t, "textClassifier")) {
		all_of_kind(&g->out, FT_STRING, "output", dp, m, r);
		nlp_params(p, pp, 1, "stringClassLabels", "class labels", r);
	} else if (!strcmp(t, "gazetteer")) {
		all_of_kind(&g->out, FT_STRING, "output", dp, m, r);
		nlp_params(p, pp, 2, "stringClassLabels", "class labels", r);
	} else if (!strcmp(t, "wordEmbedding")) {
		all_of_kind(&g->out, FT_ARRAY, "output", dp, m, r);
		nlp_params(p, pp, 2, NULL, NULL, r);
	} else {
		at_most(&g->in, 1, "input", dp, m, r);
		word_tagger(p, g, pp, dp, r);
		nlp_params(p, pp, 1, "stringTags", "tags", r);
	}
	free(pp);
	free(dp);
}

/* ---- item-similarity recommender ------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the largest item id the similarities use */
static int isr_max_item(struct mt_node *p, uint64_t *max)
{
	uint32_t num = mt_number(p, "itemItemSimilarities");
	long i = -1;
	int rc;
	struct mt_node *s, *c;
	*max = 0;
	while ((rc = next_child(p, num, &i, &s)) == 1) {
		uint64_t id = (uint64_t)mt_get_int_named(s, "itemId", 0);
		*max = id > *max ? id : *max;
		long j = -1;
		while ((rc = next_child(s, mt_number(s, "similarItemList"), &j, &c)) == 1) {
			id = (uint64_t)mt_get_int_named(c, "itemId", 0);
			*max = id > *max ? id : *max;
		}
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* The item ids: integers or strings, not both; enough of them for the
 * largest item the similarities use; no id twice. */
static int isr_ids(struct mt_node *p, const char *pp, struct check_report *r)
{
	uint64_t max;
	if (isr_max_item(p, &max) < 0)
		return -1;
	struct mt_node *iv = mt_get_named(p, "itemInt64Ids"), *sv = mt_get_named(p, "itemStringIds");
	size_t ni = iv ? mt_count_named(iv, "vector") : 0, ns = sv ? mt_count_named(sv, "vector") : 0;
	if (ni && ns) {
		add(r, CHECK_ERROR, pp, "both integer and string item ids: Core ML takes one kind");
		return 0;
	}
	size_t n = ni ? ni : ns, k = 0, dup = 0;
	if (!n)
		return 0;
	/* Core ML lets string ids be one short of the largest item (sic) */
	if (ni ? n <= max : n < max)
		add(r, CHECK_ERROR, pp, "%zu %s item ids, too few for item %llu that the similarities use", n,
		    ni ? "integer" : "string", (unsigned long long)max);
	uint32_t num = mt_number(ni ? iv : sv, "vector");
	struct mt_node *v = ni ? iv : sv;
	if (ni) {
		uint64_t *ids = xcalloc(n, sizeof(*ids));
		for (long i = mt_find(v, num, 0); i >= 0; i = mt_find(v, num, (size_t)i + 1)) {
			size_t pos = 0;
			uint64_t u;
			while (k < n && mt_scalar_next(&v->f[i], &pos, &u) == 1)
				ids[k++] = u;
		}
		if (k)
			qsort(ids, k, sizeof(*ids), cmp_u64);
		for (size_t i = 1; i < k; i++)
			dup |= ids[i] == ids[i - 1];
		free(ids);
	} else {
		char **ids = xcalloc(n, sizeof(*ids));
		for (long i = mt_find(v, num, 0); i >= 0 && k < n; i = mt_find(v, num, (size_t)i + 1)) {
			size_t len;
			const char *s = mt_str(&v->f[i], &len);
			ids[k++] = xstrndup(s ? s : "", s ? len : 0);
		}
		if (k)
			qsort(ids, k, sizeof(*ids), cmp_str);
		for (size_t i = 1; i < k; i++)
			dup |= !strcmp(ids[i], ids[i - 1]);
		for (size_t i = 0; i < k; i++)
			free(ids[i]);
		free(ids);
	}
	if (dup)
		add(r, CHECK_ERROR, pp, "an item id is given twice: the ids must be unique");
	return 0;
}

/* feature name of l is there and of one of the kinds in want (n of them) */
static void isr_feature(const struct io_list *l, const char *what, const char *field, const char *name,
			const enum ft_kind *want, size_t n, const char *pp, struct check_report *r)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, name))
			continue;
		int ok = 0;
		for (size_t k = 0; k < n; k++)
			ok |= l->v[i].type.kind == want[k];
		if (!ok)
			add(r, CHECK_ERROR, pp, "%s '%s' is %s, not %s%s%s", field, name,
			    ck_kind_word(l->v[i].type.kind), ck_kind_word(want[0]), n > 1 ? " or " : "",
			    n > 1 ? ck_kind_word(want[n - 1]) : "");
		return;
	}
	add(r, CHECK_ERROR, pp, "%s '%s' is not an %s", field, name, what);
}

static int check_isr(const struct model_ref *ref, struct mt_node *p, const struct io_group *g, struct check_report *r)
{
	char *pp = join(ref->path, "itemSimilarityRecommender");
	if (isr_ids(p, pp, r) < 0) {
		free(pp);
		return -1;
	}
	static const enum ft_kind item_in[] = { FT_DICT, FT_SEQUENCE, FT_ARRAY }, k_in[] = { FT_INT64 },
				  list_in[] = { FT_SEQUENCE, FT_ARRAY }, score_out[] = { FT_DICT },
				  list_out[] = { FT_SEQUENCE };
	char *item = field_str(p, mt_number(p, "itemInputFeatureName"));
	if (*item)
		isr_feature(&g->in, "input", "itemInputFeatureName", item, item_in, 3, pp, r);
	else if (g->in.n != 1)
		add(r, CHECK_ERROR, pp, "no itemInputFeatureName: it may be left out only when there is one input");
	else
		isr_feature(&g->in, "input", "the item input", g->in.v[0].name, item_in, 3, pp, r);
	free(item);
	static const struct {
		const char *field;
		const enum ft_kind *want;
		size_t n;
		int out;
	} f[] = {
		{ "numRecommendationsInputFeatureName", k_in, 1, 0 },
		{ "itemRestrictionInputFeatureName", list_in, 2, 0 },
		{ "itemExclusionInputFeatureName", list_in, 2, 0 },
		{ "recommendedItemListOutputFeatureName", list_out, 1, 1 },
		{ "recommendedItemScoreOutputFeatureName", score_out, 1, 1 },
	};
	int outs = 0;
	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		char *name = field_str(p, mt_number(p, f[k].field));
		if (*name) {
			isr_feature(f[k].out ? &g->out : &g->in, f[k].out ? "output" : "input", f[k].field, name,
				    f[k].want, f[k].n, pp, r);
			outs |= f[k].out;
		}
		free(name);
	}
	if (!outs)
		add(r, CHECK_ERROR, pp,
		    "neither recommendedItemListOutputFeatureName nor recommendedItemScoreOutputFeatureName: "
		    "the recommender gives nothing");
	free(pp);
	return 0;
}

/* ---- sound, audio and vision feature extractors ---------------------------- */

/* the sound preprocessing (vggish): a float32 [15600] in, float32 [1,96,64] out */
static void check_sound(const struct model_ref *ref, struct mt_node *p, const struct io_group *g,
			struct check_report *r)
{
	const char *t = ref->type, *m = kind_name(t);
	char *pp = join(ref->path, "%s", t), *dp = join(ref->path, "description");
	at_most(&g->in, 1, "input", dp, m, r);
	at_most(&g->out, 1, "output", dp, m, r);
	all_of_kind(&g->in, FT_ARRAY, "input", dp, m, r);
	all_of_kind(&g->out, FT_ARRAY, "output", dp, m, r);
	if (mt_find(p, mt_number(p, "vggish"), 0) < 0) {
		add(r, CHECK_ERROR, pp, "no preprocessing set (vggish)");
	} else if (g->in.n && g->out.n && g->in.v[0].type.kind == FT_ARRAY && g->out.v[0].type.kind == FT_ARRAY) {
		const struct ft_info *in = &g->in.v[0].type, *out = &g->out.v[0].type;
		if (in->shape.rank != 1 || in->shape.dim[0] != 15600)
			add(r, CHECK_ERROR, dp, "input '%s': the vggish preprocessing takes a shape of [15600]",
			    g->in.v[0].name);
		if (!in->dtype || strcmp(in->dtype, "float32"))
			add(r, CHECK_ERROR, dp, "input '%s' is %s: the vggish preprocessing takes float32",
			    g->in.v[0].name, in->dtype ? in->dtype : "of no element type");
		if (out->shape.rank != 3 || out->shape.dim[0] != 1 || out->shape.dim[1] != 96 ||
		    out->shape.dim[2] != 64)
			add(r, CHECK_ERROR, dp, "output '%s': the vggish preprocessing gives a shape of [1,96,64]",
			    g->out.v[0].name);
		if (!out->dtype || strcmp(out->dtype, "float32"))
			add(r, CHECK_ERROR, dp, "output '%s' is %s: the vggish preprocessing gives float32",
			    g->out.v[0].name, out->dtype ? out->dtype : "of no element type");
	}
	free(pp);
	free(dp);
}

/* an audio feature print: a sound print of version 1, multi-arrays in and out */
static void check_audio_print(const struct model_ref *ref, struct mt_node *p, const struct io_group *g,
			      struct check_report *r)
{
	const char *t = ref->type, *m = kind_name(t);
	char *pp = join(ref->path, "%s", t), *dp = join(ref->path, "description");
	all_of_kind(&g->in, FT_ARRAY, "input", dp, m, r);
	struct mt_node *s = mt_get_named(p, "sound");
	if (mt_find(p, mt_number(p, "sound"), 0) < 0 || !s) {
		add(r, CHECK_ERROR, pp, "no kind of audio print set (Core ML knows the sound print)");
	} else {
		int64_t v = mt_get_int_named(s, "version", 0);
		if (!v)
			add(r, CHECK_ERROR, pp, "a sound print without a version (Core ML knows version 1)");
		else if (v == 1)
			all_of_kind(&g->out, FT_ARRAY, "output", dp, m, r);
	}
	free(pp);
	free(dp);
}

/* a vision feature print: an image in, multi-arrays out (its versions and
 * output names are check_vision_print's) */
static void check_vision_types(const struct model_ref *ref, struct mt_node *p, const struct io_group *g,
			       struct check_report *r)
{
	const char *m = kind_name(ref->type);
	char *dp = join(ref->path, "description");
	all_of_kind(&g->in, FT_IMAGE, "input", dp, m, r);
	struct mt_node *scene = mt_get_named(p, "scene"), *obj = mt_get_named(p, "objects");
	int64_t sv = scene ? mt_get_int_named(scene, "version", 0) : 0,
		ov = obj ? mt_get_int_named(obj, "version", 0) : 0;
	/* the oneof: its last member */
	long si = mt_find_last(p, mt_number(p, "scene")), oi = mt_find_last(p, mt_number(p, "objects"));
	if ((si > oi && (sv == 1 || sv == 2)) || (oi > si && ov == 1 && mt_count_named(obj, "output") == 2))
		all_of_kind(&g->out, FT_ARRAY, "output", dp, m, r);
	free(dp);
}

/* ---- custom and linked models ------------------------------------------------ */

/* a class name; parameters with a name and a value */
static int check_custom(const struct model_ref *ref, struct mt_node *p, struct check_report *r)
{
	char *pp = join(ref->path, "customModel");
	if (!bytes_len(p, "className"))
		add(r, CHECK_ERROR, pp, "no className: Core ML needs the name of the class that runs the model");
	uint32_t num = mt_number(p, "parameters");
	long i = -1;
	int rc;
	struct mt_node *e;
	while ((rc = next_child(p, num, &i, &e)) == 1) {
		char *key = field_str(e, mt_number(e, "key"));
		struct mt_node *v = mt_get_named(e, "value");
		size_t set = 0;
		for (size_t k = 0; v && k < v->n; k++)
			set += v->f[k].fd != NULL;
		if (!*key)
			add(r, CHECK_ERROR, pp, "a parameter without a name");
		else if (!set)
			add(r, CHECK_ERROR, pp, "parameter '%s' has no value", key);
		free(key);
	}
	free(pp);
	return rc < 0 ? -1 : 0;
}

/* a linked model: a linked file with a file name */
static void check_linked(const struct model_ref *ref, struct mt_node *p, struct check_report *r)
{
	char *pp = join(ref->path, "linkedModel");
	struct mt_node *f = mt_get_named(p, "linkedModelFile");
	struct mt_node *name = f ? mt_get_named(f, "linkedModelFileName") : NULL;
	if (!f && mt_find(p, mt_number(p, "linkedModelFile"), 0) < 0)
		add(r, CHECK_ERROR, pp, "no link set (linkedModelFile)");
	else if (!name || !bytes_len(name, "defaultValue"))
		add(r, CHECK_ERROR, pp, "the linked model's file name (linkedModelFileName.defaultValue) is empty");
	free(pp);
}

/* ---- dispatch ---------------------------------------------------------------- */

int check_misc_kind(const struct model_ref *ref, const struct io_group *g, struct check_report *r)
{
	static const char *const mine[] = { "textClassifier",
					    "wordTagger",
					    "gazetteer",
					    "wordEmbedding",
					    "itemSimilarityRecommender",
					    "soundAnalysisPreprocessing",
					    "audioFeaturePrint",
					    "visionFeaturePrint",
					    "customModel",
					    "linkedModel" };
	size_t k = str_index(ref->type, mine, sizeof(mine) / sizeof(mine[0]));
	if (k == sizeof(mine) / sizeof(mine[0]))
		return 0;
	struct mt_node *p = ck_params(ref);
	if (!p)
		return -1;
	if (k < 4)
		check_nlp(ref, p, g, r);
	else if (k == 4)
		return check_isr(ref, p, g, r);
	else if (k == 5)
		check_sound(ref, p, g, r);
	else if (k == 6)
		check_audio_print(ref, p, g, r);
	else if (k == 7)
		check_vision_types(ref, p, g, r);
	else if (k == 8)
		return check_custom(ref, p, r);
	else
		check_linked(ref, p, r);
	return 0;
}
