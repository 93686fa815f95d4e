/* compiled-net: the program or network of a compiled model folder:
 * model.mil (MIL text) and model.espresso.net (JSON), read as written. */
#include "query/compiled.h"
#include "query/miltext.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <ctype.h>
#include <sys/stat.h>

#define MAX_ESPRESSO_NET (256u << 20)

/* the file rel of the folder, read whole: 0, or -1 reported */
static int read_member(const struct compiled *c, const char *rel, size_t max, uint8_t **text, size_t *len)
{
	char *file = xasprintf("%s/%s", c->path, rel);
	if (fs_leads_outside(c->path, file)) {
		free(file);
		return error_code(EXIT_INVALID, "'%s': %s leads outside the compiled folder", c->path, rel);
	}
	int r = fs_read_file(file, text, len, max);
	int err = errno;
	free(file);
	if (r == 0)
		return 0;
	if (err == ENOENT)
		return error_code(EXIT_NOTFOUND, "'%s': no %s in the compiled folder", c->path, rel);
	if (err == EFBIG)
		return error_code(EXIT_INVALID, "'%s': %s is larger than %zu MiB: not read", c->path, rel, max >> 20);
	return error_code(EXIT_INVALID, "'%s': cannot read %s: %s", c->path, rel, strerror(err));
}

/* rel in part: "model.mil", "model0/model.mil"; caller frees */
static char *part_file(const char *part, const char *rel)
{
	return part && *part ? xasprintf("%s/%s", part, rel) : xstrdup(rel);
}

int compiled_program(const struct compiled *c, const char *part, struct miltext *p)
{
	uint8_t *text;
	size_t len;
	char *rel = part_file(part, "model.mil");
	int rr = read_member(c, rel, COMPILED_MAX_MIL, &text, &len);
	free(rel);
	if (rr < 0)
		return -1;
	int r = miltext_read((const char *)text, len, p);
	free(text);
	return r;
}

const char *compiled_type(const struct compiled *c)
{
	const char *t = compiled_str(c, "modelType", "name");
	if (t && !strncmp(t, "MLModelType_", 12))
		t += 12;
	return t;
}

/* "a,b" -> a, b */
static void split_names(const cJSON *v, struct strlist *l)
{
	if (!cJSON_IsString(v))
		return;
	const char *s = v->valuestring;
	while (*s) {
		size_t n = strcspn(s, ",");
		if (n)
			sl_push(l, xstrndup(s, n));
		s += n;
		if (*s == ',')
			s++;
	}
}

int espresso_param(const cJSON *item)
{
	static const char *const skip[] = { "name", "type", "bottom", "top", "debug_info" };
	if (!item->string || !(cJSON_IsNumber(item) || cJSON_IsString(item)))
		return 0;
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (!strcmp(item->string, skip[i]))
			return 0;
	return 1;
}

int compiled_network(const struct compiled *c, const char *part, struct espresso_net *net)
{
	memset(net, 0, sizeof(*net));
	uint8_t *text;
	size_t len;
	char *rel = part_file(part, "model.espresso.net");
	int rr = read_member(c, rel, MAX_ESPRESSO_NET, &text, &len);
	free(rel);
	if (rr < 0)
		return -1;
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	if (i == len || text[i] != '{') {
		free(text);
		return error_code(EXIT_INVALID,
				  "'%s': model.espresso.net is not JSON (compressed or binary: its layout is not "
				  "published, so it is not read)",
				  c->path);
	}
	net->doc = cJSON_ParseWithLength((const char *)text, len);
	free(text);
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(net->doc, "layers");
	if (!cJSON_IsArray(layers)) {
		cJSON_Delete(net->doc);
		net->doc = NULL;
		return error_code(EXIT_INVALID, "'%s': model.espresso.net is not a JSON object with a layers array",
				  c->path);
	}
	size_t n = (size_t)cJSON_GetArraySize(layers), k = 0;
	net->v = xcalloc(n ? n : 1, sizeof(*net->v));
	const cJSON *l;
	cJSON_ArrayForEach(l, layers)
	{
		if (!cJSON_IsObject(l))
			continue;
		struct espresso_layer *e = &net->v[k++];
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(l, "name");
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(l, "type");
		e->name = xstrdup(cJSON_IsString(name) ? name->valuestring : "");
		e->type = xstrdup(cJSON_IsString(type) ? type->valuestring : "?");
		split_names(cJSON_GetObjectItemCaseSensitive(l, "bottom"), &e->in);
		split_names(cJSON_GetObjectItemCaseSensitive(l, "top"), &e->out);
		e->json = l;
	}
	net->n = k;
	return 0;
}

void espresso_net_release(struct espresso_net *net)
{
	for (size_t i = 0; i < net->n; i++) {
		free(net->v[i].name);
		free(net->v[i].type);
		sl_free(&net->v[i].in);
		sl_free(&net->v[i].out);
	}
	free(net->v);
	cJSON_Delete(net->doc);
	memset(net, 0, sizeof(*net));
}

/* ---- a compiled pipeline's members ------------------------------------------- */

static int is_file(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	struct stat st;
	int ok = lstat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok;
}

/* a member folder's order: model2 before model10 (runs of digits compare
 * as numbers; strverscmp is glibc's only) */
static int natural(const struct dirent **da, const struct dirent **db)
{
	const char *a = (*da)->d_name, *b = (*db)->d_name;
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

/* the model type the pipeline's metadata.json gives its member i
 * (modelType.structure[i].name), or NULL */
static const char *structure_type(const cJSON *mt, size_t i)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(mt, "structure");
	const cJSON *e = cJSON_IsArray(st) ? cJSON_GetArrayItem(st, (int)i) : NULL;
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(e, "name");
	if (!cJSON_IsString(nm))
		return NULL;
	const char *t = nm->valuestring;
	return strncmp(t, "MLModelType_", 12) ? t : t + 12;
}

static struct compiled_part *new_part(struct compiled_part **v, size_t *n, size_t *cap, const char *rel)
{
	xgrow((void **)v, cap, *n + 1, sizeof(**v));
	struct compiled_part *p = &(*v)[(*n)++];
	memset(p, 0, sizeof(*p));
	p->rel = xstrdup(rel);
	return p;
}

/* The folder rel (of top): a part when it holds a program or network;
 * else a pipeline whose members are the folders in it holding
 * coremldata.bin (model0, model1...; analytics/ is the folder's own), in
 * order, the types its metadata.json's modelType.structure gives them; a
 * member with neither is a part that holds nothing to read.  mt: the
 * modelType that names the members' types (NULL when not said). */
static void add_part(const char *top, const char *rel, const char *type, const cJSON *mt, int depth,
		     struct compiled_part **v, size_t *n, size_t *cap)
{
	char *dir = *rel ? xasprintf("%s/%s", top, rel) : xstrdup(top);
	int mil = is_file(dir, "model.mil"), esp = is_file(dir, "model.espresso.net");
	/* a member's own metadata.json, when it has one, says what it is */
	struct compiled *own = NULL;
	struct error_capture cap2;
	error_capture_begin(&cap2, ERRCAP_DROP);
	if (*rel && is_file(dir, "metadata.json") && compiled_open(dir, &own) < 0)
		own = NULL;
	error_capture_end(&cap2);
	if (own) {
		type = compiled_type(own) ? compiled_type(own) : type;
		mt = cJSON_GetObjectItemCaseSensitive(own->obj, "modelType");
	}
	if (mil || esp) {
		struct compiled_part *p = new_part(v, n, cap, rel);
		p->mil = mil;
		p->espresso = esp;
		p->type = xstrdup(type ? type : mil ? "mlProgram" : "neuralNetwork");
		compiled_close(own);
		free(dir);
		return;
	}
	struct dirent **d;
	int k = depth < 8 ? scandir(dir, &d, NULL, natural) : -1;
	size_t members = 0;
	for (int i = 0; i < k; i++) {
		const char *nm = d[i]->d_name;
		char *sub = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
		char *p = xasprintf("%s/%s", top, sub);
		struct stat st;
		/* links are not followed */
		if (strcmp(nm, ".") && strcmp(nm, "..") && strcmp(nm, "analytics") && lstat(p, &st) == 0 &&
		    S_ISDIR(st.st_mode) && is_file(p, "coremldata.bin")) {
			add_part(top, sub, structure_type(mt, members), NULL, depth + 1, v, n, cap);
			members++;
		}
		free(p);
		free(sub);
		free(d[i]);
	}
	if (k >= 0)
		free(d);
	if (!members && *rel) {
		/* a member holding neither (a feature print, non-maximum suppression...) */
		struct compiled_part *p = new_part(v, n, cap, rel);
		p->type = xstrdup(type ? type : "unknown");
	}
	compiled_close(own);
	free(dir);
}

void compiled_parts(const struct compiled *c, struct compiled_part **v, size_t *n)
{
	size_t cap = 0;
	*v = NULL;
	*n = 0;
	add_part(c->path, "", compiled_type(c), cJSON_GetObjectItemCaseSensitive(c->obj, "modelType"), 0, v, n, &cap);
}

void compiled_parts_free(struct compiled_part *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		free(v[i].type);
	}
	free(v);
}
