/* scan: finding models in folders and archives. */
#include "query/scan.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "model/model.h"
#include "model/zipio.h"
#include "model/manifest.h"
#include "spec/wire.h"
#include "spec/fields.h"
#include "Model.pb-c.h"
#include "query/compiled.h"
#include "query/inspect.h"
#include "query/meta.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct scan {
	const struct scan_cb *cb;
	size_t n;
	int worst;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

static void failed(struct scan *s)
{
	int c = last_error_code();
	if (c > s->worst)
		s->worst = c;
}

static void emit(struct scan *s, struct scan_hit *h)
{
	s->cb->found(s->cb->ctx, h);
	s->n++;
}

/* a compiled model's interface names, as the hit's arrays */
static void hit_from_compiled(struct scan_hit *h, const struct compiled *c, const char ***names)
{
	static const char *const schemas[] = { "inputSchema", "outputSchema" };
	for (int side = 0; side < 2; side++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->obj, schemas[side]), *f;
		size_t n = 0, cap = cJSON_IsArray(a) ? (size_t)cJSON_GetArraySize(a) : 0;
		names[side] = xcalloc(cap + 1, sizeof(char *));
		if (cap)
			cJSON_ArrayForEach(f, a)
			{
				const char *nm = compiled_field_name(f);
				if (nm && n < cap)
					names[side][n++] = nm;
			}
		if (side)
			h->out = names[side], h->nout = n;
		else
			h->in = names[side], h->nin = n;
	}
	h->format = "mlmodelc";
	/* Xcode writes MLModelType_neuralNetwork: the kind as the spec names it */
	h->kind = compiled_str(c, "modelType", "name");
	if (h->kind && !strncmp(h->kind, "MLModelType_", 12) && h->kind[12])
		h->kind += 12;
	h->version = compiled_version(c);
	h->author = compiled_str(c, NULL, "author");
}

static int64_t tree_size(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return S_ISREG(st.st_mode) ? (int64_t)st.st_size : 0;
	int64_t sum = 0;
	DIR *d = opendir(path);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			char *p = xasprintf("%s/%s", path, e->d_name);
			sum += tree_size(p);
			free(p);
		}
	if (d)
		closedir(d);
	return sum;
}

static void scan_compiled_dir(struct scan *s, const char *path)
{
	struct compiled *c;
	if (compiled_open(path, &c) < 0) {
		failed(s);
		return;
	}
	struct scan_hit h = { .path = path, .size = tree_size(path) };
	const char **names[2];
	hit_from_compiled(&h, c, names);
	emit(s, &h);
	free(names[0]);
	free(names[1]);
	compiled_close(c);
}

/* Emits h with the root's type, version, author and feature names (the
 * spec is parsed lazily; weights are not read).  A root found invalid on
 * the way is reported instead. */
static void emit_spec(struct scan *s, struct scan_hit *h, struct mt_node *root)
{
	struct model_ref *refs = NULL;
	size_t nrefs = 0;
	struct model_io io = { 0 };
	char *author = NULL;
	size_t alen;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	if (model_list(root, &refs, &nrefs) == 0 && nrefs) {
		h->kind = refs[0].type;
		h->version = refs[0].version;
	}
	if (meta_get(root, "author", &author, &alen) == 1 && *author)
		h->author = author;
	const char **names[2] = { NULL, NULL };
	if (io_read(root, &io) == 0 && io.n) {
		const struct io_list *l[2] = { &io.g[0].in, &io.g[0].out };
		for (int side = 0; side < 2; side++) {
			names[side] = xcalloc(l[side]->n + 1, sizeof(char *));
			for (size_t i = 0; i < l[side]->n; i++)
				names[side][i] = l[side]->v[i].name;
		}
		h->in = names[0], h->nin = l[0]->n;
		h->out = names[1], h->nout = l[1]->n;
	}
	if (error_capture_end(&cap) != EXIT_OK)
		failed(s);
	else
		emit(s, h);
	free(names[0]);
	free(names[1]);
	free(author);
	io_release(&io);
	model_list_free(refs, nrefs);
}

/* an .mlmodel or .mlpackage on disk */
static void scan_source(struct scan *s, const char *path, const char *format)
{
	struct mlpkg_model *m;
	if (mlpkg_open(path, 0, &m) < 0) {
		failed(s);
		return;
	}
	struct scan_hit h = { .path = path, .format = format, .size = tree_size(path), .version = -1 };
	emit_spec(s, &h, m->root);
	mlpkg_close(m);
}

/* The header of a spec from its first bytes: the top-level fields before
 * the model itself (specificationVersion, description, isUpdatable), whole,
 * then the model's field empty (its tag tells the kind).  *n the fields
 * kept; caller frees. */
#define SPEC_HEAD_MAX (4u << 20)
#define MODEL_TYPE_FIRST F_Model_pipelineClassifier /* the first field of the Model's type oneof */
static uint8_t *spec_head(const uint8_t *p, size_t len, size_t *out_len, size_t *n)
{
	struct strbuf sb = STRBUF_INIT;
	const uint8_t *q = p, *end = p + len;
	*n = 0;
	while (q < end) {
		const uint8_t *t = q;
		uint64_t tag;
		if (wire_varint(&t, end, &tag) < 0 || tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
			break;
		if ((tag >> 3) >= MODEL_TYPE_FIRST) {
			uint8_t b[16];
			size_t k = wire_put_varint(b, wire_tag((uint32_t)(tag >> 3), WT_LEN));
			b[k++] = 0;
			sb_add(&sb, b, k);
			(*n)++;
			break;
		}
		struct wire_field f;
		const char *why;
		const uint8_t *r = q;
		if (wire_next(&r, end, &f, &why) != 1)
			break;
		sb_add(&sb, q, (size_t)(r - q));
		(*n)++;
		q = r;
	}
	*out_len = sb.len;
	if (!sb.buf)
		return xcalloc(1, 1);
	return (uint8_t *)sb_detach(&sb, NULL);
}

/* a spec inside an archive (entry i): read from its first bytes only; when
 * they cannot be read, h is listed by name and size, with a warning */
static void zip_spec(struct scan *s, struct zipio *z, long i, struct scan_hit *h)
{
	uint8_t *bytes;
	size_t len, hl, nf;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	int r = zipio_read_head(z, i, &bytes, &len, SPEC_HEAD_MAX);
	error_capture_end(&cap);
	if (r < 0) {
		for (const struct error_msg *m = cap.msgs; m; m = m->next)
			warning("%s: listed by name and size", m->text);
		error_capture_release(&cap);
		emit(s, h);
		return;
	}
	error_capture_release(&cap);
	uint8_t *head = spec_head(bytes, len, &hl, &nf);
	free(bytes);
	if (!nf) {
		emit(s, h); /* not a spec's header: by name and size */
		free(head);
		return;
	}
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, head, hl, h->path);
	emit_spec(s, h, root);
	mt_free(root);
	free(head);
}

/* a package inside an archive (prefix "X.mlpackage/"): its root spec from
 * Manifest.json (entry mi) */
static void zip_package(struct scan *s, struct zipio *z, long mi, const char *prefix, struct scan_hit *h)
{
	uint8_t *text;
	size_t len;
	struct manifest *man = NULL;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_KEEP);
	if (zipio_read(z, mi, &text, &len, 1u << 20) == 0) {
		man = manifest_parse((const char *)text, len, h->path);
		free(text);
	}
	error_capture_end(&cap);
	for (const struct error_msg *m = cap.msgs; m; m = m->next)
		warning("%s: listed by name and size", m->text);
	error_capture_release(&cap);
	long si = -1;
	if (man) {
		char *name = xasprintf("%sData/%s", prefix, man->items[man->root].path);
		si = zipio_find(z, name);
		if (si < 0)
			warning("'%s': the root spec its Manifest.json names is missing: listed by name and size",
				h->path);
		free(name);
		manifest_free(man);
	}
	if (si >= 0)
		zip_spec(s, z, si, h);
	else
		emit(s, h);
}

/* the sum of the declared sizes of the entries under prefix */
static int64_t zip_tree_size(struct zipio *z, const char *prefix)
{
	int64_t sum = 0;
	size_t pl = strlen(prefix);
	for (long i = 0; i < zipio_count(z); i++)
		if (!strncmp(zipio_name(z, i), prefix, pl))
			sum += (int64_t)zipio_size(z, i);
	return sum;
}

static void scan_zip(struct scan *s, const char *path)
{
	if (s->cb->visiting)
		s->cb->visiting(s->cb->ctx, path);
	struct zipio *z = zipio_open(path, 0);
	if (!z || zipio_screen(z, path) < 0) {
		failed(s);
		zipio_close(z);
		return;
	}
	for (long i = 0; i < zipio_count(z); i++) {
		const char *name = zipio_name(z, i);
		if (!strncmp(name, "__MACOSX/", 9))
			continue;
		char *label = NULL, *prefix = NULL;
		struct scan_hit h = { .version = -1 };
		if (ends_with(name, ".mlmodelc/metadata.json") || !strcmp(name, "metadata.json")) {
			prefix = xstrndup(name, strlen(name) - strlen("metadata.json"));
			label = xasprintf("%s/%.*s", path, (int)(strlen(prefix) ? strlen(prefix) - 1 : 0), prefix);
			uint8_t *text;
			size_t len;
			struct compiled *c;
			if (zipio_read(z, i, &text, &len, COMPILED_MAX_METADATA) < 0) {
				failed(s);
			} else if (compiled_parse(label, (const char *)text, len, &c) < 0) {
				free(text);
				failed(s);
			} else {
				free(text);
				const char **names[2];
				h.path = label;
				h.size = zip_tree_size(z, prefix);
				hit_from_compiled(&h, c, names);
				emit(s, &h);
				free(names[0]);
				free(names[1]);
				compiled_close(c);
			}
		} else if (ends_with(name, ".mlpackage/Manifest.json")) {
			prefix = xstrndup(name, strlen(name) - strlen("Manifest.json"));
			label = xasprintf("%s/%.*s", path, (int)strlen(prefix) - 1, prefix);
			h.path = label, h.format = "mlpackage", h.size = zip_tree_size(z, prefix);
			zip_package(s, z, i, prefix, &h);
		} else if (ends_with(name, ".mlmodel") && !strstr(name, ".mlpackage/")) {
			label = xasprintf("%s/%s", path, name);
			h.path = label, h.format = "mlmodel", h.size = (int64_t)zipio_size(z, i);
			zip_spec(s, z, i, &h);
		}
		free(label);
		free(prefix);
	}
	zipio_close(z);
}

static void walk(struct scan *s, const char *path, int top)
{
	struct stat st;
	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		if (top)
			failed((error_code(EXIT_NOTFOUND, "'%s': no such file or folder", path), s));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (ends_with(path, ".mlpackage") || ends_with(path, ".mlpackage/")) {
			scan_source(s, path, "mlpackage");
			return;
		}
		/* a compiled model, and on into a pipeline's members; its own
		 * subfolders holding coremldata.bin (analytics/, model/) have no
		 * metadata.json and are no models */
		char *meta = xasprintf("%s/metadata.json", path);
		if ((ends_with(path, ".mlmodelc") || ends_with(path, ".mlmodelc/") || access(meta, F_OK) == 0) &&
		    compiled_is(path))
			scan_compiled_dir(s, path);
		free(meta);
		if (s->cb->visiting)
			s->cb->visiting(s->cb->ctx, path);
		struct dirent **v;
		int n = scandir(path, &v, NULL, alphasort);
		if (n < 0)
			warning("'%s': cannot list the folder (%s): models in it are not found", path, strerror(errno));
		for (int i = 0; i < n; i++) {
			if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
				size_t pl = strlen(path);
				char *p = xasprintf("%.*s/%s", (int)(pl > 1 && path[pl - 1] == '/' ? pl - 1 : pl), path,
						    v[i]->d_name);
				walk(s, p, 0);
				free(p);
			}
			free(v[i]);
		}
		free(n >= 0 ? v : NULL);
		return;
	}
	if (!S_ISREG(st.st_mode))
		return;
	if (ends_with(path, ".mlmodel"))
		scan_source(s, path, "mlmodel");
	else if (ends_with(path, ".zip") || ends_with(path, ".ipa"))
		scan_zip(s, path);
	else if (top)
		failed((error_code(EXIT_INVALID, "'%s': not a folder, model, zip or .ipa", path), s));
}

size_t scan_path(const char *path, const struct scan_cb *cb, int *worst)
{
	struct scan s = { cb, 0, EXIT_OK };
	walk(&s, path, 1);
	*worst = s.worst;
	return s.n;
}
