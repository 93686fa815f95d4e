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

int compiled_program(const struct compiled *c, struct miltext *p)
{
	uint8_t *text;
	size_t len;
	if (read_member(c, "model.mil", COMPILED_MAX_MIL, &text, &len) < 0)
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

int compiled_network(const struct compiled *c, struct espresso_net *net)
{
	memset(net, 0, sizeof(*net));
	uint8_t *text;
	size_t len;
	if (read_member(c, "model.espresso.net", MAX_ESPRESSO_NET, &text, &len) < 0)
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
