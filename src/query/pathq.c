/* pathq: parse and evaluate paths over the spec tree (see pathq.h). */
#include "query/pathq.h"
#include "spec/dump.h"
#include "spec/fields.h"
#include "base/error.h"
#include "query/inspect.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "MIL.pb-c.h"
#include "NeuralNetwork.pb-c.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sel_kind { SEL_NONE, SEL_INDEX, SEL_KEY, SEL_MATCH };

struct seg {
	char *name;
	enum sel_kind sel;
	long long idx;       /* SEL_INDEX */
	char *key;           /* SEL_KEY, and the text of SEL_INDEX */
	int quoted;          /* the key was quoted */
	char *mfield, *mval; /* SEL_MATCH */
	size_t end;          /* offset in the path just after the segment */
};

static void segs_free(struct seg *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].key);
		free(s[i].mfield);
		free(s[i].mval);
	}
	free(s);
}

static int syntax(const char *path, size_t pos, const char *why)
{
	return error_code(EXIT_USAGE, "bad path '%s': %s at character %zu", path, why, pos + 1);
}

/* a quoted string at p[*i] ("..." or '...', backslash escapes) */
static char *parse_quoted(const char *p, size_t *i)
{
	char q = p[*i];
	struct strbuf sb = STRBUF_INIT;
	size_t k = *i + 1;
	while (p[k] && p[k] != q) {
		if (p[k] == '\\' && p[k + 1]) {
			k++;
			char c = p[k];
			sb_addc(&sb, c == 'n' ? '\n' : c == 't' ? '\t' : c);
		} else {
			sb_addc(&sb, p[k]);
		}
		k++;
	}
	if (p[k] != q) {
		sb_release(&sb);
		return NULL;
	}
	*i = k + 1;
	if (!sb.buf)
		return xstrdup("");
	return sb_detach(&sb, NULL);
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* 1 when s is an integer (out-of-range ones clamp: they index nothing) */
static int parse_int(const char *s, long long *v)
{
	if (!*s)
		return 0;
	char *e;
	errno = 0;
	*v = strtoll(s, &e, 10);
	return !*e && (isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1])));
}

static int parse_path(const char *path, struct seg **out, size_t *nout)
{
	struct seg *v = NULL;
	size_t n = 0, cap = 0, i = 0;
	*out = NULL;
	*nout = 0;
	if (path[0] == '.')
		i = 1;
	if (!path[i])
		return 0;
	for (;;) {
		size_t start = i;
		while (isalnum((unsigned char)path[i]) || path[i] == '_')
			i++;
		if (i == start) {
			segs_free(v, n);
			return syntax(path, i, "a field name expected");
		}
		xgrow((void **)&v, &cap, n + 1, sizeof(*v));
		struct seg *s = &v[n++];
		memset(s, 0, sizeof(*s));
		s->name = xstrndup(path + start, i - start);
		if (path[i] == '[') {
			i++;
			while (path[i] == ' ')
				i++;
			if (path[i] == '"' || path[i] == '\'') {
				s->key = parse_quoted(path, &i);
				if (!s->key) {
					segs_free(v, n);
					return syntax(path, i, "unterminated string");
				}
				s->sel = SEL_KEY;
				s->quoted = 1;
			} else {
				size_t b = i, eq = 0;
				while (path[i] && path[i] != ']' && path[i] != '=')
					i++;
				if (path[i] == '=') {
					eq = i;
					s->mfield = trim_dup(path + b, eq - b);
					i++;
					while (path[i] == ' ')
						i++;
					if (path[i] == '"' || path[i] == '\'') {
						s->mval = parse_quoted(path, &i);
						if (!s->mval) {
							segs_free(v, n);
							return syntax(path, i, "unterminated string");
						}
					} else {
						size_t vb = i;
						while (path[i] && path[i] != ']')
							i++;
						s->mval = trim_dup(path + vb, i - vb);
					}
					s->sel = SEL_MATCH;
					if (!*s->mfield) {
						segs_free(v, n);
						return syntax(path, b, "a field name expected before '='");
					}
				} else {
					s->key = trim_dup(path + b, i - b);
					if (!*s->key) {
						segs_free(v, n);
						return syntax(path, b, "an index, key or FIELD=VALUE expected");
					}
					s->sel = parse_int(s->key, &s->idx) ? SEL_INDEX : SEL_KEY;
				}
			}
			while (path[i] == ' ')
				i++;
			if (path[i] != ']') {
				segs_free(v, n);
				return syntax(path, i, "']' expected");
			}
			i++;
			if (path[i] == '[') {
				segs_free(v, n);
				return syntax(path, i, "one selector per field");
			}
		}
		s->end = i;
		if (!path[i])
			break;
		if (path[i] != '.') {
			segs_free(v, n);
			return syntax(path, i, "'.' or '[' expected");
		}
		i++;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* the text of a scalar field occurrence, for comparisons */
static char *scalar_text(const struct mt_field *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		return xstrdup("");
	print_scalar_raw(fp, f);
	fclose(fp);
	return buf;
}

static int field_matches(const struct mt_field *f, const char *val)
{
	if (f->wt == WT_LEN && f->fd && (f->fd->type == PROTOBUF_C_TYPE_STRING || f->fd->type == PROTOBUF_C_TYPE_BYTES))
		return f->vlen == strlen(val) && !memcmp(f->val, val, f->vlen);
	if (f->flags & MT_F_PACKED)
		return 0;
	char *t = scalar_text(f);
	int eq = !strcmp(t, val);
	free(t);
	if (!eq && f->fd && f->fd->type == PROTOBUF_C_TYPE_ENUM) {
		char b[32];
		snprintf(b, sizeof(b), "%lld", (long long)mt_int(f));
		eq = !strcmp(b, val);
	}
	return eq;
}

/* 1 when element c has FIELD reading VAL; -1 on error */
static int element_matches(struct mt_node *c, const char *field, const char *val, const char *label)
{
	const ProtobufCFieldDescriptor *fd = protobuf_c_message_descriptor_get_field_by_name(c->desc, field);
	if (!fd && c->desc == &core_ml__specification__milspec__operation__descriptor && !strcmp(field, "name")) {
		struct mil_op o;
		int r = mil_op_read(c, &o, 0);
		int eq = r == 0 && !strcmp(o.name, val);
		mil_op_release(&o);
		if (r < 0)
			return -1;
		/* or any of its outputs */
		long i = -1;
		struct mt_node *out;
		while (!eq && (r = next_child(c, F_MILSpec_Operation_outputs, &i, &out)) == 1) {
			long k = mt_find_last(out, F_MILSpec_NamedValueType_name);
			eq = k >= 0 && field_matches(&out->f[k], val);
		}
		return r < 0 ? -1 : eq;
	}
	if (!fd)
		return error_code(EXIT_NOTFOUND, "'%s': %s has no field '%s' to select by", label, c->desc->short_name,
				  field);
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
		return error_code(EXIT_USAGE, "'%s': %s.%s is a message, not a value to select by", label,
				  c->desc->short_name, field);
	for (size_t i = 0; i < c->n; i++)
		if (c->f[i].number == fd->id && c->f[i].fd && field_matches(&c->f[i], val))
			return 1;
	return 0;
}

static int integral(const ProtobufCFieldDescriptor *fd)
{
	return fd && fd->type != PROTOBUF_C_TYPE_STRING && fd->type != PROTOBUF_C_TYPE_BYTES &&
	       fd->type != PROTOBUF_C_TYPE_MESSAGE && fd->type != PROTOBUF_C_TYPE_FLOAT &&
	       fd->type != PROTOBUF_C_TYPE_DOUBLE;
}

/* the entry of a map whose key reads key; last match wins as in protobuf
 * (every map entry holds its key in field 1, its value in 2) */
static int map_lookup(struct mt_node *n, uint32_t num, const char *key, struct mt_node **out)
{
	*out = NULL;
	long i = -1;
	int r;
	struct mt_node *e;
	while ((r = next_child(n, num, &i, &e)) == 1) {
		long k = mt_find_last(e, 1);
		int eq;
		if (k < 0) {
			const ProtobufCFieldDescriptor *kd = protobuf_c_message_descriptor_get_field(e->desc, 1);
			eq = integral(kd) ? !strcmp(key, "0") : !*key;
		} else {
			eq = field_matches(&e->f[k], key);
		}
		if (eq)
			*out = e;
	}
	return r;
}

int pathq_eval(struct mt_node *root, const char *path, struct pq_result *res)
{
	struct seg *sv;
	size_t ns;
	const char *label = root->label;
	if (parse_path(path, &sv, &ns) < 0)
		return -1;
	memset(res, 0, sizeof(*res));
	res->kind = PQ_NODE;
	res->node = root;
	int rc = 0;
	struct mt_node *cur = root;
#define NOTFOUND(...)                                                                                                  \
	do {                                                                                                           \
		rc = error_code(EXIT_NOTFOUND, __VA_ARGS__);                                                           \
		goto out;                                                                                              \
	} while (0)
#define USAGE(...)                                                                                                     \
	do {                                                                                                           \
		rc = error_code(EXIT_USAGE, __VA_ARGS__);                                                              \
		goto out;                                                                                              \
	} while (0)
	for (size_t si = 0; si < ns; si++) {
		const struct seg *s = &sv[si];
		int last = si + 1 == ns;
		int plen = (int)s->end; /* the path up to this segment, for messages */
		if (res->kind != PQ_NODE)
			NOTFOUND("'%s': '%.*s' is not a message: it has no field '%s'", label, (int)sv[si - 1].end,
				 path, s->name);
		if (mt_parse(cur) < 0) {
			rc = -1;
			goto out;
		}
		const ProtobufCFieldDescriptor *fd =
			protobuf_c_message_descriptor_get_field_by_name(cur->desc, s->name);
		if (!fd)
			NOTFOUND("'%s': no '%.*s': %s has no field '%s'", label, plen, path, cur->desc->short_name,
				 s->name);
		size_t nocc = 0, first = 0, lastocc = 0;
		for (size_t i = 0; i < cur->n; i++)
			if (cur->f[i].number == fd->id && cur->f[i].fd) {
				if (!nocc)
					first = i;
				lastocc = i;
				nocc++;
			}
		res->fd = fd;
		if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
			if (s->sel != SEL_NONE)
				USAGE("bad path '%s': '%s' is not repeated and takes no [...]", path, s->name);
			if (!nocc)
				NOTFOUND("'%s': '%.*s' is not set in this model", label, plen, path);
			if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
				struct mt_node *c = mt_child(cur, lastocc);
				if (!c) {
					rc = -1;
					goto out;
				}
				cur = c;
				res->node = c;
				continue;
			}
			res->kind = PQ_FIELD;
			res->node = cur;
			res->field = lastocc;
			continue;
		}
		int map = fd->type == PROTOBUF_C_TYPE_MESSAGE && is_map_entry(fd->descriptor);
		const ProtobufCFieldDescriptor *keyfd =
			map ? &((const ProtobufCMessageDescriptor *)fd->descriptor)->fields[0] : NULL;
		enum sel_kind sel = s->sel;
		if (map && sel == SEL_INDEX && integral(keyfd))
			sel = SEL_KEY; /* maps with integer keys are indexed by key */
		switch (sel) {
		case SEL_NONE:
			if (!last)
				USAGE("bad path '%s': '%s' is repeated: pick one with [N]%s", path, s->name,
				      map ? " or [\"KEY\"]" : " or [FIELD=VALUE]");
			if (!nocc)
				NOTFOUND("'%s': no '%.*s' in the model (none)", label, plen, path);
			res->kind = PQ_REPEATED;
			res->node = cur;
			res->field = first;
			break;
		case SEL_INDEX: {
			int scalar = fd->type != PROTOBUF_C_TYPE_MESSAGE && fd->type != PROTOBUF_C_TYPE_STRING &&
				     fd->type != PROTOBUF_C_TYPE_BYTES;
			if (scalar) {
				/* elements across occurrences, packed or not */
				uint64_t total = 0;
				for (size_t i = 0; i < cur->n; i++) {
					if (cur->f[i].number != fd->id || !cur->f[i].fd)
						continue;
					size_t pos = 0;
					uint64_t u;
					while (mt_scalar_next(&cur->f[i], &pos, &u))
						total++;
				}
				long long want = s->idx < 0 ? (long long)total + s->idx : s->idx;
				if (want < 0 || (uint64_t)want >= total)
					NOTFOUND("'%s': no '%.*s': %s has %llu value%s", label, plen, path, s->name,
						 (unsigned long long)total, total == 1 ? "" : "s");
				uint64_t k = 0;
				for (size_t i = 0; i < cur->n; i++) {
					if (cur->f[i].number != fd->id || !cur->f[i].fd)
						continue;
					size_t pos = 0;
					uint64_t u;
					while (mt_scalar_next(&cur->f[i], &pos, &u)) {
						if (k++ == (uint64_t)want) {
							res->kind = PQ_ELEMENT;
							res->node = cur;
							res->field = i;
							res->elem = u;
						}
					}
				}
				if (!last)
					NOTFOUND("'%s': '%.*s' is not a message: it has no field '%s'", label, plen,
						 path, sv[si + 1].name);
				break;
			}
			long long want = s->idx < 0 ? (long long)nocc + s->idx : s->idx;
			if (want < 0 || want >= (long long)nocc)
				NOTFOUND("'%s': no '%.*s': %s has %zu element%s", label, plen, path, s->name, nocc,
					 nocc == 1 ? "" : "s");
			size_t k = 0, at = 0;
			for (size_t i = 0; i < cur->n; i++)
				if (cur->f[i].number == fd->id && cur->f[i].fd && k++ == (size_t)want)
					at = i;
			if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
				struct mt_node *c = mt_child(cur, at);
				if (!c) {
					rc = -1;
					goto out;
				}
				cur = c;
				res->node = c;
			} else {
				res->kind = PQ_FIELD;
				res->node = cur;
				res->field = at;
			}
			break;
		}
		case SEL_KEY: {
			if (!map)
				USAGE("bad path '%s': '%s' is not a map: use [N] or [FIELD=VALUE]", path, s->name);
			struct mt_node *e;
			if (map_lookup(cur, fd->id, s->key, &e) < 0) {
				rc = -1;
				goto out;
			}
			if (!e)
				NOTFOUND("'%s': no '%.*s': %s has no key \"%s\"", label, plen, path, s->name, s->key);
			/* the entry's value: field 2 of every map entry */
			long vi = mt_find_last(e, 2);
			const ProtobufCFieldDescriptor *vd = protobuf_c_message_descriptor_get_field(e->desc, 2);
			res->fd = vd;
			if (vi < 0 || !e->f[vi].fd) {
				res->kind = PQ_EMPTY;
				res->node = e;
				if (!last)
					NOTFOUND("'%s': '%.*s' has no value", label, plen, path);
				break;
			}
			if (vd->type == PROTOBUF_C_TYPE_MESSAGE) {
				struct mt_node *c = mt_child(e, (size_t)vi);
				if (!c) {
					rc = -1;
					goto out;
				}
				cur = c;
				res->node = c;
			} else {
				res->kind = PQ_FIELD;
				res->node = e;
				res->field = (size_t)vi;
			}
			break;
		}
		case SEL_MATCH: {
			if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
				USAGE("bad path '%s': '%s' holds values, not messages: use [N]", path, s->name);
			long i = -1;
			int r = 0;
			struct mt_node *c, *found = NULL;
			while (!found && (r = next_child(cur, fd->id, &i, &c)) == 1) {
				int m = element_matches(c, s->mfield, s->mval, label);
				if (m < 0) {
					rc = -1;
					goto out;
				}
				if (m)
					found = c;
			}
			if (!found && r < 0) {
				rc = -1;
				goto out;
			}
			if (!found && cur->desc == &core_ml__specification__neural_network__descriptor &&
			    !strcmp(s->name, "layers") && !strcmp(s->mfield, "name")) {
				/* a layer inside a branch or loop: say where it is */
				char *base = xstrndup(path, si ? sv[si - 1].end : 0), *where = NULL;
				struct mt_node *nl;
				int nr = nn_find_layer(cur, base, s->mval, &nl, &where);
				free(base);
				if (nr < 0) {
					rc = -1;
					goto out;
				}
				if (nr > 0) {
					rc = error_code(EXIT_NOTFOUND,
							"'%s': no '%.*s': no layer of that network has name \"%s\"; a "
							"nested one has: %s",
							label, plen, path, s->mval, where);
					free(where);
					goto out;
				}
			}
			if (!found)
				NOTFOUND("'%s': no '%.*s': no element of %s has %s \"%s\"", label, plen, path, s->name,
					 s->mfield, s->mval);
			cur = found;
			res->node = found;
			break;
		}
		}
	}
out:
#undef NOTFOUND
#undef USAGE
	segs_free(sv, ns);
	return rc < 0 ? -1 : 0;
}
