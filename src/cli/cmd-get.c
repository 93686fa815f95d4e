/* cmd-get: mlpkg get [--json] PATH [MODEL...]: any node by path. */
#include "cli/commands.h"
#include "spec/dump.h"
#include "base/error.h"
#include "query/inspect.h"
#include "base/jsonout.h"
#include "query/pathq.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* a scalar value (raw form u of field type fd) in JSON, as the protobuf
 * JSON mapping writes it */
static void json_scalar(struct jw *w, const ProtobufCFieldDescriptor *fd, uint64_t u)
{
	char b[32];
	switch (fd->type) {
	case PROTOBUF_C_TYPE_FLOAT: jw_float(w, (float)mt_raw_double(fd, u)); break;
	case PROTOBUF_C_TYPE_DOUBLE: jw_double(w, mt_raw_double(fd, u)); break;
	case PROTOBUF_C_TYPE_BOOL: jw_bool(w, u != 0); break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(fd->descriptor, (int)mt_raw_int(fd, u));
		if (ev)
			jw_str(w, ev->name);
		else
			jw_int(w, mt_raw_int(fd, u));
		break;
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		snprintf(b, sizeof(b), "%lld", (long long)mt_raw_int(fd, u));
		jw_str(w, b);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		snprintf(b, sizeof(b), "%llu", (unsigned long long)u);
		jw_str(w, b);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: jw_uint(w, (uint32_t)u); break;
	default: jw_int(w, mt_raw_int(fd, u));
	}
}

static void json_field(struct jw *w, const struct mt_field *f)
{
	if (f->fd->type == PROTOBUF_C_TYPE_STRING)
		jw_strn(w, (const char *)f->val, f->vlen);
	else if (f->fd->type == PROTOBUF_C_TYPE_BYTES)
		jw_base64(w, f->val, f->vlen);
	else
		json_scalar(w, f->fd, f->u);
}

static void json_default(struct jw *w, const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_MESSAGE:
		jw_obj(w);
		jw_obj_end(w);
		break;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_BYTES: jw_str(w, ""); break;
	default: json_scalar(w, fd, 0);
	}
}

static int print_json(struct jw *w, const struct pq_result *r)
{
	struct mt_field *f = r->kind == PQ_NODE || r->kind == PQ_EMPTY ? NULL : &r->node->f[r->field];
	switch (r->kind) {
	case PQ_NODE: return dump_json(w, r->node);
	case PQ_FIELD: json_field(w, f); return 0;
	case PQ_ELEMENT: json_scalar(w, f->fd, r->elem); return 0;
	case PQ_REPEATED: return dump_json_field(w, r->node, r->field);
	case PQ_EMPTY: json_default(w, r->fd); return 0;
	}
	return 0;
}

/* one scalar occurrence as text; bytes go raw unless the output is a terminal */
static void text_field(FILE *fp, const struct mt_field *f)
{
	if (f->fd && f->fd->type == PROTOBUF_C_TYPE_BYTES && isatty(fileno(fp)))
		fprintf(fp, "<%zu bytes; redirect the output for the raw bytes>", f->vlen);
	else
		print_scalar_raw(fp, f);
	fputc('\n', fp);
}

static void pad(FILE *fp, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', fp);
}

static int print_text(FILE *fp, const struct pq_result *r, int ind)
{
	switch (r->kind) {
	case PQ_NODE: return dump_text(fp, r->node, ind);
	case PQ_FIELD:
		pad(fp, ind);
		text_field(fp, &r->node->f[r->field]);
		return 0;
	case PQ_ELEMENT: {
		struct mt_field f = r->node->f[r->field];
		f.flags &= (uint8_t)~MT_F_PACKED;
		f.u = r->elem;
		pad(fp, ind);
		text_field(fp, &f);
		return 0;
	}
	case PQ_EMPTY:
		pad(fp, ind);
		if (r->fd->type != PROTOBUF_C_TYPE_MESSAGE && r->fd->type != PROTOBUF_C_TYPE_STRING &&
		    r->fd->type != PROTOBUF_C_TYPE_BYTES)
			fputs(r->fd->type == PROTOBUF_C_TYPE_BOOL ? "false" : "0", fp);
		if (r->fd->type != PROTOBUF_C_TYPE_MESSAGE)
			fputc('\n', fp);
		return 0;
	case PQ_REPEATED: break;
	}
	struct mt_node *n = r->node;
	uint32_t num = n->f[r->field].number;
	const ProtobufCFieldDescriptor *fd = n->f[r->field].fd;
	int map = fd->type == PROTOBUF_C_TYPE_MESSAGE && is_map_entry(fd->descriptor);
	for (size_t i = r->field; i < n->n; i++) {
		struct mt_field *f = &n->f[i];
		if (f->number != num || !f->fd)
			continue;
		if (fd->type != PROTOBUF_C_TYPE_MESSAGE) {
			size_t pos = 0;
			uint64_t u;
			if (f->wt == WT_LEN && !(f->flags & MT_F_PACKED)) {
				pad(fp, ind);
				text_field(fp, f);
			} else {
				while (mt_scalar_next(f, &pos, &u)) {
					struct mt_field e = *f;
					e.flags &= (uint8_t)~MT_F_PACKED;
					e.u = u;
					pad(fp, ind);
					text_field(fp, &e);
				}
			}
			continue;
		}
		struct mt_node *c = mt_child(n, i);
		if (!c)
			return -1;
		pad(fp, ind);
		if (map) {
			/* KEY: VALUE, or KEY { ... } for message values (a map
			 * entry holds its key in field 1, its value in 2) */
			long k = mt_find_last(c, 1), v = mt_find_last(c, 2);
			if (k >= 0 && c->f[k].fd)
				print_scalar_raw(fp, &c->f[k]);
			const ProtobufCFieldDescriptor *vd = protobuf_c_message_descriptor_get_field(c->desc, 2);
			if (vd->type == PROTOBUF_C_TYPE_MESSAGE) {
				fputs(" {\n", fp);
				struct mt_node *vc = v >= 0 ? mt_child(c, (size_t)v) : NULL;
				if (v >= 0 && !vc)
					return -1;
				if (vc && dump_text(fp, vc, ind + 2) < 0)
					return -1;
				pad(fp, ind);
				fputs("}\n", fp);
			} else {
				fputs(": ", fp);
				if (v >= 0 && c->f[v].fd)
					text_field(fp, &c->f[v]);
				else
					fputc('\n', fp);
			}
			continue;
		}
		fprintf(fp, "%s {\n", fd->name);
		if (dump_text(fp, c, ind + 2) < 0)
			return -1;
		pad(fp, ind);
		fputs("}\n", fp);
	}
	return 0;
}

/* opens every message the JSON output will show, so that a bad node is
 * reported before anything is printed */
static int validate_result(const struct pq_result *r)
{
	if (r->kind == PQ_NODE)
		return mt_validate(r->node);
	if (r->kind != PQ_REPEATED || r->node->f[r->field].fd->type != PROTOBUF_C_TYPE_MESSAGE)
		return 0;
	for (size_t i = r->field; i < r->node->n; i++) {
		if (r->node->f[i].number != r->node->f[r->field].number || !r->node->f[i].fd)
			continue;
		struct mt_node *c = mt_child(r->node, i);
		if (!c || mt_validate(c) < 0)
			return -1;
	}
	return 0;
}

/* evaluates and prints to a memory buffer first, so that an error leaves no
 * half-printed value behind */
static int get_one(const char *path, const char *model, int json, int several, struct jw *w)
{
	struct mlpkg_model *m = cmd_open(model, 0);
	if (!m)
		return last_error_code();
	struct pq_result r;
	int rc = EXIT_OK;
	if (pathq_eval(m->root, path, &r) < 0) {
		rc = last_error_code();
		mlpkg_close(m);
		return rc;
	}
	if (json) {
		/* validate what will be printed before printing it */
		if (validate_result(&r) < 0) {
			rc = last_error_code();
		} else {
			/* validated: what print_json writes cannot fail half-way */
			jw_obj(w);
			jw_kstr(w, "model", m->path);
			jw_kstr(w, "path", path);
			jw_key(w, "value");
			if (print_json(w, &r) < 0)
				rc = last_error_code();
			jw_obj_end(w);
		}
	} else {
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		if (!mem) {
			error_code(EXIT_FAIL, "out of memory");
			rc = EXIT_FAIL;
		} else {
			int ind = several && (r.kind == PQ_NODE || r.kind == PQ_REPEATED) ? 2 : 0;
			int pr = print_text(mem, &r, ind);
			fclose(mem);
			if (pr < 0) {
				rc = last_error_code();
			} else if (several) {
				fputs(m->path, stdout);
				fputs(ind ? ":\n" : ": ", stdout);
				fwrite(buf, 1, len, stdout);
			} else {
				fwrite(buf, 1, len, stdout);
			}
			free(buf);
		}
	}
	mlpkg_close(m);
	return rc;
}

int cmd_get(int argc, char **argv)
{
	const struct cmd *self = cmd_find("get");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	if (optind >= argc)
		return cmd_usage(self, "get needs a PATH");
	const char *path = argv[optind++];
	int nmodels = argc - optind, rc = EXIT_OK, several = nmodels > 1;
	struct jw w;
	jw_init(&w, stdout);
	/* JSON: {"version": 1, "models": [{model, path, value}, ...]}, for one
	 * model as for several (docs/json/README.md) */
	if (json)
		jw_models_begin(&w);
	if (nmodels == 0)
		rc = get_one(path, NULL, json, 0, &w);
	for (int i = 0; i < nmodels; i++)
		rc = worse(rc, get_one(path, argv[optind + i], json, several, &w));
	if (json)
		jw_models_end(&w);
	return rc;
}
