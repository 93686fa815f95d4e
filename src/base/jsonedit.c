/* jsonedit: a scanner that records where each object member sits in a JSON
 * text, and splices that change one member and leave every other byte. */
#include "base/jsonedit.h"
#include "base/xalloc.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 256

struct scan {
	const char *s;
	size_t n, p;
	struct jdoc *d;
	int nobj, depth;
	int raw_slash; /* a '/' written as it is */
};

static void skip_ws(struct scan *c)
{
	while (c->p < c->n && (c->s[c->p] == ' ' || c->s[c->p] == '\t' || c->s[c->p] == '\r' || c->s[c->p] == '\n'))
		c->p++;
}

static int hex4(struct scan *c, unsigned *v)
{
	if (c->n - c->p < 4)
		return -1;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char h = c->s[c->p++];
		unsigned x = h >= '0' && h <= '9'   ? (unsigned)(h - '0')
			     : h >= 'a' && h <= 'f' ? (unsigned)(h - 'a' + 10)
			     : h >= 'A' && h <= 'F' ? (unsigned)(h - 'A' + 10)
						    : 16;
		if (x > 15)
			return -1;
		*v = *v << 4 | x;
	}
	return 0;
}

static void put_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		sb_addc(sb, (int)cp);
	} else if (cp < 0x800) {
		sb_addc(sb, (int)(0xc0 | cp >> 6));
		sb_addc(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addc(sb, (int)(0xe0 | cp >> 12));
		sb_addc(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		sb_addc(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		sb_addc(sb, (int)(0xf0 | cp >> 18));
		sb_addc(sb, (int)(0x80 | (cp >> 12 & 0x3f)));
		sb_addc(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		sb_addc(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

/* a string token at c->p; its decoded text in *out (caller frees) */
static int scan_string(struct scan *c, char **out)
{
	if (c->p >= c->n || c->s[c->p] != '"')
		return -1;
	c->p++;
	struct strbuf sb = STRBUF_INIT;
	sb_grow(&sb, 16);
	while (c->p < c->n) {
		unsigned char ch = (unsigned char)c->s[c->p++];
		if (ch == '"') {
			*out = sb_detach(&sb, NULL);
			return 0;
		}
		if (ch < 0x20)
			break;
		if (ch != '\\') {
			c->raw_slash |= ch == '/';
			sb_addc(&sb, ch);
			continue;
		}
		if (c->p >= c->n)
			break;
		char e = c->s[c->p++];
		unsigned cp, lo;
		switch (e) {
		case '"':
		case '\\': sb_addc(&sb, e); continue;
		case '/':
			c->d->slash = 1;
			sb_addc(&sb, '/');
			continue;
		case 'b': sb_addc(&sb, '\b'); continue;
		case 'f': sb_addc(&sb, '\f'); continue;
		case 'n': sb_addc(&sb, '\n'); continue;
		case 'r': sb_addc(&sb, '\r'); continue;
		case 't': sb_addc(&sb, '\t'); continue;
		case 'u':
			if (hex4(c, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00 && c->n - c->p >= 6 && c->s[c->p] == '\\' &&
			    c->s[c->p + 1] == 'u') {
				size_t back = c->p;
				c->p += 2;
				if (hex4(c, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				else
					c->p = back;
			}
			put_utf8(&sb, cp);
			continue;
		default: goto bad;
		}
	}
bad:
	sb_release(&sb);
	return -1;
}

static int scan_value(struct scan *c, int *child, enum jtype *type, char **str);

/* after an item of an object or array: 1 past a ',' (its place in *comma),
 * 0 past the closing bracket, -1 on anything else */
static int next_item(struct scan *c, char close, size_t *comma)
{
	skip_ws(c);
	if (c->p < c->n && c->s[c->p] == ',') {
		*comma = c->p++;
		return 1;
	}
	if (c->p < c->n && c->s[c->p] == close) {
		c->p++;
		return 0;
	}
	return -1;
}

static int scan_object(struct scan *c, int *child)
{
	int id = c->nobj++;
	*child = id;
	c->p++; /* '{' */
	size_t sep = c->p;
	int sep_comma = 0;
	skip_ws(c);
	if (c->p < c->n && c->s[c->p] == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		skip_ws(c);
		struct jmember mem;
		memset(&mem, 0, sizeof(mem));
		mem.sep = sep;
		mem.sep_is_comma = sep_comma;
		mem.comma = (size_t)-1;
		mem.obj = id;
		mem.key_start = c->p;
		if (scan_string(c, &mem.key) < 0)
			return -1;
		mem.key_end = c->p;
		skip_ws(c);
		if (c->p >= c->n || c->s[c->p] != ':') {
			free(mem.key);
			return -1;
		}
		c->p++;
		skip_ws(c);
		mem.val_start = c->p;
		struct jdoc *d = c->d;
		xgrow((void **)&d->m, &d->cap, d->n + 1, sizeof(*d->m));
		size_t at = d->n++;
		d->m[at] = mem;
		int ch = -1;
		enum jtype t;
		char *str = NULL;
		if (scan_value(c, &ch, &t, &str) < 0)
			return -1;
		d->m[at].val_end = c->p;
		d->m[at].child = ch;
		d->m[at].type = t;
		d->m[at].str = str;
		size_t comma;
		int more = next_item(c, '}', &comma);
		if (more <= 0)
			return more;
		d->m[at].comma = comma;
		sep = c->p;
		sep_comma = 1;
	}
}

static int scan_array(struct scan *c)
{
	c->p++; /* '[' */
	skip_ws(c);
	if (c->p < c->n && c->s[c->p] == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		skip_ws(c);
		int ch;
		enum jtype t;
		char *str = NULL;
		if (scan_value(c, &ch, &t, &str) < 0)
			return -1;
		free(str);
		size_t comma;
		int more = next_item(c, ']', &comma);
		if (more <= 0)
			return more;
	}
}

static int scan_literal(struct scan *c)
{
	static const char *const words[] = { "true", "false", "null" };
	for (int i = 0; i < 3; i++) {
		size_t l = strlen(words[i]);
		if (c->n - c->p >= l && !memcmp(c->s + c->p, words[i], l)) {
			c->p += l;
			return 0;
		}
	}
	/* a number: -?digits(.digits)?([eE][+-]?digits)? */
	size_t p = c->p, digits = 0;
	if (p < c->n && c->s[p] == '-')
		p++;
	while (p < c->n && c->s[p] >= '0' && c->s[p] <= '9')
		p++, digits++;
	if (!digits)
		return -1;
	if (p < c->n && c->s[p] == '.') {
		p++;
		digits = 0;
		while (p < c->n && c->s[p] >= '0' && c->s[p] <= '9')
			p++, digits++;
		if (!digits)
			return -1;
	}
	if (p < c->n && (c->s[p] == 'e' || c->s[p] == 'E')) {
		p++;
		if (p < c->n && (c->s[p] == '+' || c->s[p] == '-'))
			p++;
		digits = 0;
		while (p < c->n && c->s[p] >= '0' && c->s[p] <= '9')
			p++, digits++;
		if (!digits)
			return -1;
	}
	c->p = p;
	return 0;
}

static int scan_value(struct scan *c, int *child, enum jtype *type, char **str)
{
	*child = -1;
	*str = NULL;
	if (c->p >= c->n)
		return -1;
	int rc;
	switch (c->s[c->p]) {
	case '{':
	case '[':
		if (++c->depth > JSON_MAX_DEPTH)
			return -1;
		*type = c->s[c->p] == '{' ? JT_OBJECT : JT_ARRAY;
		rc = *type == JT_OBJECT ? scan_object(c, child) : scan_array(c);
		c->depth--;
		return rc;
	case '"': *type = JT_STRING; return scan_string(c, str);
	default: *type = JT_OTHER; return scan_literal(c);
	}
}

void jdoc_free(struct jdoc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->m[i].key);
		free(d->m[i].str);
	}
	free(d->m);
	memset(d, 0, sizeof(*d));
}

int jdoc_scan(const char *text, size_t len, struct jdoc *d)
{
	memset(d, 0, sizeof(*d));
	d->text = text;
	d->len = len;
	struct scan c = { text, len, 0, d, 0, 0, 0 };
	skip_ws(&c);
	int ch;
	enum jtype t;
	char *str = NULL;
	d->root_start = c.p;
	int rc = scan_value(&c, &ch, &t, &str);
	d->root_end = c.p;
	free(str);
	skip_ws(&c);
	if (rc < 0 || c.p != len) {
		jdoc_free(d);
		return -1;
	}
	d->text = text;
	d->len = len;
	/* Foundation's JSON writer escapes every '/' and separates with " : ";
	 * a text in that layout without a plain '/' gets escaped ones too */
	if (!d->slash && !c.raw_slash)
		for (size_t i = 0; i < d->n && !d->slash; i++)
			d->slash =
				d->m[i].val_start - d->m[i].key_end == 3 && !memcmp(text + d->m[i].key_end, " : ", 3);
	return 0;
}

long jdoc_find(const struct jdoc *d, int obj, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->m[i].obj == obj && !strcmp(d->m[i].key, key))
			return (long)i;
	return -1;
}

/* s as a JSON string in the text's own way of writing them */
static void put_string(struct strbuf *sb, const char *s, size_t n, int slash)
{
	sb_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '/': sb_adds(sb, slash ? "\\/" : "/"); break;
		case '\b': sb_adds(sb, "\\b"); break;
		case '\f': sb_adds(sb, "\\f"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		default:
			if (ch < 0x20)
				sb_addf(sb, "\\u%04x", ch);
			else
				sb_addc(sb, ch);
		}
	}
	sb_addc(sb, '"');
}

static char *splice(const struct jdoc *d, size_t a, size_t b, const char *rep, size_t rl)
{
	struct strbuf sb = STRBUF_INIT;
	sb_add(&sb, d->text, a);
	sb_add(&sb, rep, rl);
	sb_add(&sb, d->text + b, d->len - b);
	return sb_detach(&sb, NULL);
}

char *jedit_set_string(const struct jdoc *d, size_t i, const char *val, size_t vlen)
{
	struct strbuf sb = STRBUF_INIT;
	put_string(&sb, val, vlen, d->slash);
	char *t = splice(d, d->m[i].val_start, d->m[i].val_end, sb.buf, sb.len);
	sb_release(&sb);
	return t;
}

char *jedit_rename_key(const struct jdoc *d, size_t i, const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	put_string(&sb, key, strlen(key), d->slash);
	char *t = splice(d, d->m[i].key_start, d->m[i].key_end, sb.buf, sb.len);
	sb_release(&sb);
	return t;
}

/* The member goes with the separator on one side and the space before it:
 * the members around it keep their own lines. */
char *jedit_remove(const struct jdoc *d, size_t i)
{
	const struct jmember *m = &d->m[i];
	if (m->comma != (size_t)-1)
		return splice(d, m->sep, m->comma + 1, "", 0);
	if (m->sep_is_comma)
		return splice(d, m->sep - 1, m->val_end, "", 0);
	return splice(d, m->sep, m->val_end, "", 0);
}

/* what a member's text has between the separator before it and its key:
 * its line break and indent, a blank, or nothing */
static void lead_of(const struct jdoc *d, size_t sep, size_t key, struct strbuf *out)
{
	sb_add(out, d->text + sep, key - sep);
}

char *jedit_add(const struct jdoc *d, int obj, const char *key, const char *inner, const char *val, size_t vlen)
{
	long last = -1, owner = -1;
	for (size_t i = 0; i < d->n; i++) {
		if (d->m[i].obj == obj)
			last = (long)i;
		if (d->m[i].child == obj)
			owner = (long)i;
	}
	size_t start, end;
	if (owner >= 0) {
		start = d->m[owner].val_start;
		end = d->m[owner].val_end;
	} else if (obj == 0 && d->root_start < d->len && d->text[d->root_start] == '{') {
		start = d->root_start;
		end = d->root_end;
	} else {
		return NULL;
	}
	struct strbuf pre = STRBUF_INIT, colon = STRBUF_INIT, add = STRBUF_INIT;
	int one_level = 0;
	if (last >= 0) {
		/* the way the last member is written: what precedes its key, and
		 * what separates its key from its value */
		lead_of(d, d->m[last].sep, d->m[last].key_start, &pre);
		sb_add(&colon, d->text + d->m[last].key_end, d->m[last].val_start - d->m[last].key_end);
	} else {
		/* an empty object: one level deeper than its owner */
		if (owner >= 0) {
			lead_of(d, d->m[owner].sep, d->m[owner].key_start, &pre);
			sb_add(&colon, d->text + d->m[owner].key_end, d->m[owner].val_start - d->m[owner].key_end);
		} else {
			sb_adds(&pre, "\n");
			sb_adds(&colon, d->n ? "" : " : ");
		}
		one_level = 1;
	}
	if (!colon.len)
		sb_adds(&colon, ": ");
	int multiline = pre.len && memchr(pre.buf, '\n', pre.len);
	struct strbuf mpre = STRBUF_INIT; /* the member's own lead */
	sb_add(&mpre, pre.buf ? pre.buf : "", pre.len);
	if (one_level && multiline)
		sb_adds(&mpre, "  ");
	/* the member */
	put_string(&add, key, strlen(key), d->slash);
	sb_add(&add, colon.buf, colon.len);
	if (inner) {
		sb_addc(&add, '{');
		sb_add(&add, mpre.buf, mpre.len);
		if (multiline)
			sb_adds(&add, "  ");
		put_string(&add, inner, strlen(inner), d->slash);
		sb_add(&add, colon.buf, colon.len);
		put_string(&add, val, vlen, d->slash);
		sb_add(&add, multiline ? mpre.buf : " ", multiline ? mpre.len : 1);
		sb_addc(&add, '}');
	} else {
		put_string(&add, val, vlen, d->slash);
	}
	struct strbuf rep = STRBUF_INIT;
	char *t;
	if (last >= 0) {
		sb_addc(&rep, ',');
		sb_add(&rep, mpre.buf, mpre.len);
		sb_add(&rep, add.buf, add.len);
		t = splice(d, d->m[last].val_end, d->m[last].val_end, rep.buf, rep.len);
	} else {
		sb_addc(&rep, '{');
		sb_add(&rep, mpre.buf, mpre.len);
		sb_add(&rep, add.buf, add.len);
		if (multiline)
			sb_add(&rep, pre.buf, pre.len);
		sb_addc(&rep, '}');
		t = splice(d, start, end, rep.buf, rep.len);
	}
	sb_release(&pre);
	sb_release(&colon);
	sb_release(&add);
	sb_release(&mpre);
	sb_release(&rep);
	return t;
}

int jtext_opens(const char *text, size_t len, const char *chars)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
		i++;
	return i < len && text[i] && strchr(chars, text[i]) != NULL;
}

char *jedit_repeat(const char *text, size_t len, jedit_step_fn step, void *ctx, int max)
{
	char *cur = xstrndup(text, len);
	size_t clen = len;
	for (int i = 0; i < max; i++) {
		struct jdoc d;
		if (jdoc_scan(cur, clen, &d) < 0) {
			if (i == 0) {
				free(cur);
				return NULL;
			}
			break;
		}
		char *next = step(&d, ctx);
		jdoc_free(&d);
		if (!next)
			break;
		free(cur);
		cur = next;
		clen = strlen(cur);
	}
	return cur;
}
