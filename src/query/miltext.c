/* miltext: reading model.mil, the MIL text of a compiled model (see miltext.h). */
#include "query/miltext.h"
#include "query/mil.h"
#include "base/xalloc.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MILTEXT_MAX_DEPTH 64 /* blocks nested in blocks */
#define VALUE_TEXT_MAX 256   /* a literal's text beyond this is cut */

/* ---- tokens ------------------------------------------------------------- */

enum tk { T_END, T_ID, T_NUM, T_STR, T_PUNCT, T_ARROW, T_BAD };

struct tok {
	enum tk kind;
	const char *a;
	size_t n;
	unsigned line;
};

struct lex {
	const char *p, *end;
	unsigned line;
	struct tok t; /* the current token */
};

static int id_start(int c)
{
	return isalpha(c) || c == '_';
}

static int id_char(int c)
{
	return isalnum(c) || c == '_' || c == '.';
}

static void lex_next(struct lex *L)
{
	const char *p = L->p, *e = L->end;
	for (;;) {
		while (p < e && isspace((unsigned char)*p)) {
			if (*p == '\n')
				L->line++;
			p++;
		}
		if (p + 1 < e && p[0] == '/' && p[1] == '/') {
			while (p < e && *p != '\n')
				p++;
			continue;
		}
		break;
	}
	struct tok *t = &L->t;
	t->a = p;
	t->line = L->line;
	if (p >= e) {
		t->kind = T_END;
		t->n = 0;
		L->p = p;
		return;
	}
	unsigned char c = (unsigned char)*p;
	const char *q = p + 1;
	if (id_start(c)) {
		while (q < e && id_char((unsigned char)*q))
			q++;
		t->kind = T_ID;
	} else if (c == '-' && q < e && *q == '>') {
		q++;
		t->kind = T_ARROW;
	} else if (isdigit(c) ||
		   ((c == '-' || c == '+' || c == '.') && q < e && (isalnum((unsigned char)*q) || *q == '.'))) {
		while (q < e && (isalnum((unsigned char)*q) || *q == '.' || *q == '_' ||
				 ((*q == '-' || *q == '+') && strchr("eEpP", q[-1]))))
			q++;
		t->kind = T_NUM;
	} else if (c == '"') {
		while (q < e && *q != '"' && *q != '\n')
			q += (*q == '\\' && q + 1 < e) ? 2 : 1;
		if (q >= e || *q != '"') {
			t->kind = T_BAD;
		} else {
			q++;
			t->kind = T_STR;
		}
	} else {
		t->kind = T_PUNCT;
	}
	if (q > e)
		q = e;
	t->n = (size_t)(q - p);
	L->p = q;
}

static int is(const struct lex *L, char c)
{
	return L->t.kind == T_PUNCT && *L->t.a == c;
}

static int is_id(const struct lex *L, const char *s)
{
	return L->t.kind == T_ID && L->t.n == strlen(s) && !memcmp(L->t.a, s, L->t.n);
}

/* the token after the current one */
static struct tok peek(const struct lex *L)
{
	struct lex c = *L;
	lex_next(&c);
	return c.t;
}

/* ---- the reader ----------------------------------------------------------- */

struct rd {
	struct lex L;
	struct miltext *P;
	int failed;
};

static int fail(struct rd *r, const char *what)
{
	if (!r->failed) {
		r->failed = 1;
		const struct tok *t = &r->L.t;
		r->P->stop_line = t->line;
		if (t->kind == T_END)
			r->P->stop_why = xasprintf("expected %s, found the end of the text", what);
		else if (t->kind == T_BAD)
			r->P->stop_why = xasprintf("expected %s, found a string that does not end on its line", what);
		else
			r->P->stop_why =
				xasprintf("expected %s, found '%.*s'", what, (int)(t->n > 40 ? 40 : t->n), t->a);
	}
	return -1;
}

static int expect(struct rd *r, char c, const char *what)
{
	if (!is(&r->L, c))
		return fail(r, what);
	lex_next(&r->L);
	return 0;
}

/* skips a bracketed group starting at the current token (an opener), the
 * closer included; *end is where it ends */
static int skip_group(struct rd *r, const char **end)
{
	int depth = 0;
	do {
		const struct tok *t = &r->L.t;
		if (t->kind == T_END || t->kind == T_BAD)
			return fail(r, "a closing bracket");
		if (t->kind == T_PUNCT && strchr("([{<", *t->a))
			depth++;
		else if (t->kind == T_PUNCT && strchr(")]}>", *t->a))
			depth--;
		*end = t->a + t->n;
		lex_next(&r->L);
	} while (depth > 0);
	return 0;
}

/* a type: NAME or NAME<...>; its text in [*a, *end) */
static int type_span(struct rd *r, const char **a, const char **end)
{
	if (r->L.t.kind != T_ID)
		return fail(r, "a type");
	*a = r->L.t.a;
	*end = r->L.t.a + r->L.t.n;
	lex_next(&r->L);
	if (is(&r->L, '<'))
		return skip_group(r, end);
	return 0;
}

char *miltext_type(const char *t, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *e = t + n;
	static const char tensor[] = "tensor<";
	if (n > strlen(tensor) && !memcmp(t, tensor, strlen(tensor)) && e[-1] == '>') {
		const char *p = t + strlen(tensor), *comma = memchr(p, ',', (size_t)(e - p));
		const char *dt_end = comma ? comma : e - 1;
		while (dt_end > p && isspace((unsigned char)dt_end[-1]))
			dt_end--;
		const char *lb = comma ? memchr(comma, '[', (size_t)(e - comma)) : NULL;
		const char *rb = lb ? memchr(lb, ']', (size_t)(e - lb)) : NULL;
		if (lb && rb) {
			sb_add(&sb, p, (size_t)(dt_end - p));
			int empty = 1;
			for (const char *q = lb + 1; q < rb; q++)
				empty &= isspace((unsigned char)*q) != 0;
			if (!empty) {
				for (const char *q = lb; q <= rb; q++)
					if (!isspace((unsigned char)*q))
						sb_addc(&sb, *q);
			}
			return sb_detach(&sb, NULL);
		}
	}
	for (const char *q = t; q < e; q++)
		if (!isspace((unsigned char)*q))
			sb_addc(&sb, *q);
	return sb_detach(&sb, NULL);
}

/* the text of a string token, its escapes undone */
static char *unquote(const char *a, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 1; i + 1 < n; i++) {
		if (a[i] == '\\' && i + 2 < n) {
			i++;
			sb_addc(&sb, a[i] == 'n' ? '\n' : a[i] == 't' ? '\t' : a[i]);
		} else {
			sb_addc(&sb, a[i]);
		}
	}
	if (!sb.buf)
		return xstrdup("");
	return sb_detach(&sb, NULL);
}

/* a literal's inner text as a value summary: short as written, long cut */
static char *value_text(const char *a, const char *end)
{
	size_t n = (size_t)(end - a);
	if (n <= VALUE_TEXT_MAX)
		return xstrndup(a, n);
	size_t cut = VALUE_TEXT_MAX;
	while (cut > 0 && a[cut] != ',')
		cut--;
	return xasprintf("%.*s, ...%s", (int)cut, a, *a == '[' ? "]" : "");
}

struct literal {
	const char *type, *type_end; /* tensor<fp16, [2]> */
	const char *in, *in_end;     /* what is between its parentheses */
	int blob;                    /* a BLOBFILE: */
	char *file;
	unsigned long long offset;
};

/* BLOBFILE(path = string("..."), offset = uint64(N)) in [a, end) */
static int read_blobfile(struct rd *r, struct literal *lit)
{
	struct lex L = { lit->in, lit->in_end, r->L.t.line, { 0 } };
	int have_off = 0;
	const char *key = NULL;
	size_t keyn = 0;
	for (lex_next(&L); L.t.kind != T_END; lex_next(&L)) {
		if (L.t.kind == T_ID && peek(&L).kind == T_PUNCT && *peek(&L).a == '=') {
			key = L.t.a;
			keyn = L.t.n;
		} else if (L.t.kind == T_STR && key && keyn == 4 && !memcmp(key, "path", 4) && !lit->file) {
			lit->file = unquote(L.t.a, L.t.n);
		} else if (L.t.kind == T_NUM && key && keyn == 6 && !memcmp(key, "offset", 6)) {
			char *end = NULL, *num = xstrndup(L.t.a, L.t.n);
			lit->offset = strtoull(num, &end, 0);
			have_off = *end == 0;
			free(num);
		}
	}
	if (!lit->file || !have_off) {
		free(lit->file);
		lit->file = NULL;
		return fail(r, "a BLOBFILE with its path and offset");
	}
	lit->blob = 1;
	return 0;
}

/* TYPE(...) */
static int literal(struct rd *r, struct literal *lit)
{
	memset(lit, 0, sizeof(*lit));
	if (type_span(r, &lit->type, &lit->type_end) < 0)
		return -1;
	if (!is(&r->L, '('))
		return fail(r, "'(' and a value");
	lit->in = r->L.t.a + 1;
	const char *end;
	if (skip_group(r, &end) < 0)
		return -1;
	lit->in_end = end - 1;
	while (lit->in < lit->in_end && isspace((unsigned char)*lit->in))
		lit->in++;
	if ((size_t)(lit->in_end - lit->in) > 8 && !memcmp(lit->in, "BLOBFILE", 8))
		return read_blobfile(r, lit);
	return 0;
}

static void add_ref(struct mil_op *o, size_t *cap, const char *key, const struct literal *lit)
{
	xgrow((void **)&o->w, cap, o->nw + 1, sizeof(*o->w));
	struct mil_weight_ref *w = &o->w[o->nw++];
	memset(w, 0, sizeof(*w));
	w->key = xstrdup(key);
	w->file = xstrdup(lit->file);
	w->offset = lit->offset;
	char *t = miltext_type(lit->type, (size_t)(lit->type_end - lit->type));
	char *lb = strchr(t, '[');
	if (lb)
		*lb = 0;
	w->dtype = mil_dtype_named(t);
	w->dtype_mil = w->dtype ? w->dtype->mil : 0;
	w->known = 1;
	w->count = 1;
	size_t cap2 = 0;
	for (char *p = lb ? lb + 1 : NULL; p && *p && *p != ']';) {
		char *end;
		long long d = strtoll(p, &end, 10);
		if (end == p) {
			d = -1;
			end = p + strcspn(p, ",]");
		}
		xgrow((void **)&w->shape, &cap2, w->rank + 1, sizeof(*w->shape));
		w->shape[w->rank++] = d;
		if (d < 0)
			w->known = 0;
		else
			w->count *= (uint64_t)d;
		p = *end == ',' ? end + 1 : end;
	}
	if (!w->known)
		w->count = 0;
	free(t);
}

static char *literal_summary(const struct literal *lit)
{
	if (lit->blob) {
		const char *slash = strrchr(lit->file, '/');
		return xasprintf("%s@%llu", slash ? slash + 1 : lit->file, lit->offset);
	}
	return value_text(lit->in, lit->in_end);
}

/* one binding of an argument: a name, a literal, or a bare number or string */
static int binding(struct rd *r, struct mil_op *o, size_t *wcap, const char *param, struct mil_binding *b)
{
	memset(b, 0, sizeof(*b));
	struct lex *L = &r->L;
	if (L->t.kind == T_ID) {
		struct tok nx = peek(L);
		if (nx.kind == T_PUNCT && (*nx.a == '(' || *nx.a == '<')) {
			struct literal lit;
			if (literal(r, &lit) < 0)
				return -1;
			if (lit.blob)
				add_ref(o, wcap, param, &lit);
			b->value = literal_summary(&lit);
			free(lit.file);
			return 0;
		}
		b->name = xstrndup(L->t.a, L->t.n);
		lex_next(L);
		return 0;
	}
	if (L->t.kind == T_NUM || L->t.kind == T_STR) {
		b->value = xstrndup(L->t.a, L->t.n);
		lex_next(L);
		return 0;
	}
	return fail(r, "a variable or a value");
}

/* PARAM = ARG, ... up to ')' (the '(' already read) */
static int arguments(struct rd *r, struct mil_op *o, size_t *wcap)
{
	struct lex *L = &r->L;
	size_t icap = 0;
	while (!is(L, ')')) {
		if (L->t.kind != T_ID)
			return fail(r, "a parameter name");
		xgrow((void **)&o->in, &icap, o->nin + 1, sizeof(*o->in));
		struct mil_input *in = &o->in[o->nin++];
		memset(in, 0, sizeof(*in));
		in->param = xstrndup(L->t.a, L->t.n);
		lex_next(L);
		if (expect(r, '=', "'=' after a parameter name") < 0)
			return -1;
		size_t bcap = 0;
		int tuple = is(L, '(');
		if (tuple)
			lex_next(L);
		do {
			if (tuple && is(L, ')'))
				break;
			xgrow((void **)&in->b, &bcap, in->nb + 1, sizeof(*in->b));
			if (binding(r, o, wcap, in->param, &in->b[in->nb]) < 0)
				return -1;
			in->nb++;
			if (!tuple || !is(L, ','))
				break;
			lex_next(L);
		} while (1);
		if (tuple && expect(r, ')', "')' closing a tuple of arguments") < 0)
			return -1;
		if (is(L, ','))
			lex_next(L);
		else if (!is(L, ')'))
			return fail(r, "',' or ')' after an argument");
	}
	lex_next(L);
	return 0;
}

/* [KEY = LITERAL, ...]: name, val, and any BLOBFILE */
static int attributes(struct rd *r, struct mil_op *o, size_t *wcap)
{
	struct lex *L = &r->L;
	lex_next(L); /* '[' */
	while (!is(L, ']')) {
		if (L->t.kind != T_ID)
			return fail(r, "an attribute name");
		char *key = xstrndup(L->t.a, L->t.n);
		lex_next(L);
		struct literal lit;
		if (expect(r, '=', "'=' after an attribute name") < 0 || literal(r, &lit) < 0) {
			free(key);
			return -1;
		}
		if (!strcmp(key, "name") && !o->name) {
			struct lex s = { lit.in, lit.in_end, 0, { 0 } };
			lex_next(&s);
			if (s.t.kind == T_STR)
				o->name = unquote(s.t.a, s.t.n);
		} else if (!strcmp(key, "val") && !o->value) {
			o->value = literal_summary(&lit);
		}
		if (lit.blob)
			add_ref(o, wcap, key, &lit);
		free(lit.file);
		free(key);
		if (is(L, ','))
			lex_next(L);
		else if (!is(L, ']'))
			return fail(r, "',' or ']' after an attribute");
	}
	lex_next(L);
	return 0;
}

/* TYPE NAME, ... into vars (names and mlpkg's type text) up to and without
 * the closer c (')' or '=') */
static int typed_names(struct rd *r, char c, struct mil_var **v, size_t *n)
{
	struct lex *L = &r->L;
	size_t cap = 0;
	while (!is(L, c)) {
		const char *a, *end;
		if (type_span(r, &a, &end) < 0)
			return -1;
		if (L->t.kind != T_ID)
			return fail(r, "a variable name after its type");
		xgrow((void **)v, &cap, *n + 1, sizeof(**v));
		(*v)[*n].type = miltext_type(a, (size_t)(end - a));
		(*v)[*n].name = xstrndup(L->t.a, L->t.n);
		(*n)++;
		lex_next(L);
		if (is(L, ','))
			lex_next(L);
		else if (!is(L, c))
			return fail(r, c == '=' ? "',' or '=' after an output" : "',' or ')' after a parameter");
	}
	return 0;
}

static void vars_to_list(struct mil_var *v, size_t n, struct strlist *l)
{
	for (size_t i = 0; i < n; i++)
		sl_pushf(l, "%s: %s", v[i].name, v[i].type);
	mil_vars_free(v, n);
}

/* -> (a, b) */
static int arrow_names(struct rd *r, struct strlist *outs)
{
	struct lex *L = &r->L;
	if (L->t.kind != T_ARROW)
		return fail(r, "'->' and the outputs");
	lex_next(L);
	if (expect(r, '(', "'(' and the output names") < 0)
		return -1;
	while (!is(L, ')')) {
		if (L->t.kind != T_ID)
			return fail(r, "an output name");
		sl_push(outs, xstrndup(L->t.a, L->t.n));
		lex_next(L);
		if (is(L, ','))
			lex_next(L);
		else if (!is(L, ')'))
			return fail(r, "',' or ')' after an output name");
	}
	lex_next(L);
	return 0;
}

static struct miltext_op *push_op(struct miltext *P)
{
	xgrow((void **)&P->op, &P->opcap, P->nop + 1, sizeof(*P->op));
	struct miltext_op *e = &P->op[P->nop++];
	memset(e, 0, sizeof(*e));
	return e;
}

static int statements(struct rd *r, size_t fn, int depth, const char *prefix);

/* an operation's nested blocks: [NAME(PARAMS)] { ... } -> (OUTS), ... */
static int nested_blocks(struct rd *r, size_t fn, int depth, const char *opindex, size_t *nblocks)
{
	struct lex *L = &r->L;
	if (depth + 1 > MILTEXT_MAX_DEPTH)
		return fail(r, "blocks nested less deep");
	for (size_t bi = 0;; bi++) {
		struct mil_var *v = NULL;
		size_t nv = 0;
		if (L->t.kind == T_ID) { /* a named block with inputs */
			lex_next(L);
			if (expect(r, '(', "'(' and the block's inputs") < 0)
				return -1;
			if (typed_names(r, ')', &v, &nv) < 0) {
				mil_vars_free(v, nv);
				return -1;
			}
			lex_next(L);
		}
		if (!is(L, '{')) {
			mil_vars_free(v, nv);
			if (bi)
				return 0;
			return fail(r, "'{' and a block");
		}
		size_t at = r->P->nop;
		struct miltext_op *b = push_op(r->P);
		b->is_block = 1;
		b->fn = fn;
		b->depth = depth + 1;
		b->line = L->t.line;
		b->index = xasprintf("%s.%zu", opindex, bi);
		vars_to_list(v, nv, &b->ins);
		lex_next(L);
		char *pfx = xasprintf("%s.", r->P->op[at].index);
		int rc = statements(r, fn, depth + 1, pfx);
		free(pfx);
		if (rc < 0)
			return -1;
		lex_next(L); /* '}' */
		if (arrow_names(r, &r->P->op[at].outs) < 0)
			return -1;
		(*nblocks)++;
		r->P->op[at].done = 1;
		if (is(L, ','))
			lex_next(L);
	}
}

/* one statement: OUTS = OP(ARGS)[ATTRS] BLOCKS; */
static int statement(struct rd *r, size_t fn, int depth, const char *index)
{
	struct lex *L = &r->L;
	struct miltext_op *e = push_op(r->P);
	size_t at = r->P->nop - 1;
	e->fn = fn;
	e->depth = depth;
	e->index = xstrdup(index);
	e->line = L->t.line;
	struct mil_op *o = &e->o;
	int paren = is(L, '(');
	if (paren)
		lex_next(L);
	if (typed_names(r, paren ? ')' : '=', &o->out, &o->nout) < 0)
		return -1;
	if (paren)
		lex_next(L);
	if (expect(r, '=', "'=' after the outputs") < 0)
		return -1;
	if (L->t.kind != T_ID)
		return fail(r, "an operation");
	o->type = xstrndup(L->t.a, L->t.n);
	lex_next(L);
	size_t wcap = 0;
	if (expect(r, '(', "'(' and the operation's arguments") < 0 || arguments(r, o, &wcap) < 0)
		return -1;
	if (is(L, '[') && attributes(r, o, &wcap) < 0)
		return -1;
	if (!o->name)
		o->name = xstrdup(o->nout ? o->out[0].name : "");
	if (is(L, '{') || L->t.kind == T_ID) {
		size_t nb = 0;
		int rc = nested_blocks(r, fn, depth, index, &nb);
		r->P->op[at].o.nblocks = nb;
		if (rc < 0)
			return -1;
	}
	if (expect(r, ';', "';' ending the operation") < 0)
		return -1;
	r->P->op[at].done = 1;
	return 0;
}

/* statements up to the block's '}' (left current) */
static int statements(struct rd *r, size_t fn, int depth, const char *prefix)
{
	for (size_t i = 0; !is(&r->L, '}'); i++) {
		if (r->L.t.kind == T_END)
			return fail(r, "'}' ending the block");
		char *index = xasprintf("%s%zu", prefix, i);
		int rc = statement(r, fn, depth, index);
		free(index);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* func NAME<OPSET>(PARAMS) [ATTRS] { ... } -> (OUTS) */
static int function(struct rd *r)
{
	struct lex *L = &r->L;
	struct miltext *P = r->P;
	lex_next(L); /* func */
	if (L->t.kind != T_ID)
		return fail(r, "the function's name");
	xgrow((void **)&P->fn, &P->fncap, P->nfn + 1, sizeof(*P->fn));
	struct miltext_fn *f = &P->fn[P->nfn++];
	memset(f, 0, sizeof(*f));
	f->name = xstrndup(L->t.a, L->t.n);
	lex_next(L);
	if (is(L, '<')) {
		const char *a = L->t.a + 1, *end;
		if (skip_group(r, &end) < 0)
			return -1;
		f->opset = miltext_type(a, (size_t)(end - 1 - a));
	} else {
		f->opset = xstrdup("");
	}
	struct mil_var *v = NULL;
	size_t nv = 0;
	if (expect(r, '(', "'(' and the function's inputs") < 0 || typed_names(r, ')', &v, &nv) < 0) {
		mil_vars_free(v, nv);
		return -1;
	}
	vars_to_list(v, nv, &f->ins);
	lex_next(L);
	const char *end;
	while (is(L, '['))
		if (skip_group(r, &end) < 0)
			return -1;
	if (expect(r, '{', "'{' and the function's block") < 0 || statements(r, P->nfn - 1, 0, "") < 0)
		return -1;
	lex_next(L);
	if (arrow_names(r, &f->outs) < 0)
		return -1;
	if (is(L, ';'))
		lex_next(L);
	return 0;
}

static int stopped(struct miltext *P)
{
	/* what was read whole stays: drop the operations and blocks cut short */
	size_t k = 0;
	for (size_t i = 0; i < P->nop; i++) {
		if (P->op[i].done) {
			P->op[k++] = P->op[i];
			continue;
		}
		free(P->op[i].index);
		mil_op_release(&P->op[i].o);
		sl_free(&P->op[i].ins);
		sl_free(&P->op[i].outs);
	}
	P->nop = k;
	return 1;
}

int miltext_read(const char *text, size_t len, struct miltext *P)
{
	memset(P, 0, sizeof(*P));
	struct rd r = { { text, text + len, 1, { 0 } }, P, 0 };
	struct lex *L = &r.L;
	lex_next(L);
	const char *end;
	if (!is_id(L, "program")) {
		fail(&r, "'program'");
		return stopped(P);
	}
	lex_next(L);
	if (is(L, '(')) {
		const char *a = L->t.a + 1;
		if (skip_group(&r, &end) < 0)
			return stopped(P);
		P->version = miltext_type(a, (size_t)(end - 1 - a));
	}
	while (is(L, '['))
		if (skip_group(&r, &end) < 0)
			return stopped(P);
	if (expect(&r, '{', "'{' and the program's functions") < 0)
		return stopped(P);
	while (!is(L, '}')) {
		if (!is_id(L, "func")) {
			fail(&r, "'func' or the program's '}'");
			return stopped(P);
		}
		if (function(&r) < 0)
			return stopped(P);
	}
	lex_next(L);
	if (L->t.kind != T_END) {
		fail(&r, "the end of the text after the program");
		return stopped(P);
	}
	return 0;
}

void miltext_release(struct miltext *P)
{
	for (size_t i = 0; i < P->nfn; i++) {
		free(P->fn[i].name);
		free(P->fn[i].opset);
		sl_free(&P->fn[i].ins);
		sl_free(&P->fn[i].outs);
	}
	free(P->fn);
	for (size_t i = 0; i < P->nop; i++) {
		free(P->op[i].index);
		mil_op_release(&P->op[i].o);
		sl_free(&P->op[i].ins);
		sl_free(&P->op[i].outs);
	}
	free(P->op);
	free(P->version);
	free(P->stop_why);
	memset(P, 0, sizeof(*P));
}
