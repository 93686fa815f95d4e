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

static void add_part(const char *top, const char *rel, struct compiled_part **v, size_t *n, size_t *cap)
{
	char *dir = *rel ? xasprintf("%s/%s", top, rel) : xstrdup(top);
	int mil = is_file(dir, "model.mil"), esp = is_file(dir, "model.espresso.net");
	if (mil || esp) {
		xgrow((void **)v, cap, *n + 1, sizeof(**v));
		struct compiled_part *p = &(*v)[(*n)++];
		memset(p, 0, sizeof(*p));
		p->rel = xstrdup(rel);
		p->mil = mil;
		p->espresso = esp;
		/* its own metadata.json names its kind; else the file it holds */
		struct compiled *c = NULL;
		struct error_capture cap2;
		error_capture_begin(&cap2, ERRCAP_DROP);
		const char *t =
			*rel && is_file(dir, "metadata.json") && compiled_open(dir, &c) == 0 ? compiled_type(c) : NULL;
		error_capture_end(&cap2);
		p->type = xstrdup(t ? t : mil ? "mlProgram" : "neuralNetwork");
		compiled_close(c);
		free(dir);
		return;
	}
	/* not a part: the folders below it may be (a pipeline's members) */
	struct dirent **d;
	int k = scandir(dir, &d, NULL, alphasort);
	for (int i = 0; i < k; i++) {
		const char *nm = d[i]->d_name;
		if (strcmp(nm, ".") && strcmp(nm, "..") && strlen(rel) < 1024) {
			char *sub = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
			char *p = xasprintf("%s/%s", top, sub);
			struct stat st;
			/* links are not followed; four levels at most */
			int depth = 1;
			for (const char *q = sub; *q; q++)
				depth += *q == '/';
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth <= 4)
				add_part(top, sub, v, n, cap);
			free(p);
			free(sub);
		}
		free(d[i]);
	}
	if (k >= 0)
		free(d);
	free(dir);
}

void compiled_parts(const struct compiled *c, struct compiled_part **v, size_t *n)
{
	size_t cap = 0;
	*v = NULL;
	*n = 0;
	add_part(c->path, "", v, n, &cap);
}

void compiled_parts_free(struct compiled_part *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		free(v[i].type);
	}
	free(v);
}
