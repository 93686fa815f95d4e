/* compiled: reading a compiled model folder (.mlmodelc) from its
 * metadata.json and the files beside it. */
#include "query/compiled.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/jsonout.h"
#include "query/show.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_METADATA_JSON COMPILED_MAX_METADATA

static int64_t file_size(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	struct stat st;
	int ok = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return ok ? (int64_t)st.st_size : -1;
}

int compiled_is(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n >= 9 && !strncmp(path + n - 9, ".mlmodelc", 9))
		return 1;
	return file_size(path, "coremldata.bin") >= 0 && file_size(path, "Manifest.json") < 0;
}

int compiled_parse(const char *label, const char *text, size_t len, struct compiled **out)
{
	*out = NULL;
	cJSON *doc = cJSON_ParseWithLength(text, len);
	const cJSON *obj = cJSON_IsArray(doc) && cJSON_GetArraySize(doc) == 1 ? cJSON_GetArrayItem(doc, 0) : NULL;
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(doc);
		return error_code(EXIT_INVALID, "'%s': metadata.json is not a JSON array of one object", label);
	}
	struct compiled *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(label);
	c->doc = doc;
	c->obj = obj;
	c->coremldata_size = c->mil_size = c->espresso_size = c->weights_size = -1;
	*out = c;
	return 0;
}

int compiled_open(const char *path, struct compiled **out)
{
	*out = NULL;
	char *file = xasprintf("%s/metadata.json", path);
	if (fs_leads_outside(path, file)) {
		free(file);
		return error_code(EXIT_INVALID, "'%s': metadata.json leads outside the compiled folder", path);
	}
	uint8_t *text = NULL;
	size_t len = 0;
	int r = fs_read_file(file, &text, &len, MAX_METADATA_JSON);
	free(file);
	if (r < 0)
		return error_code(EXIT_INVALID, "'%s': a compiled model (.mlmodelc) without a readable metadata.json",
				  path);
	r = compiled_parse(path, (const char *)text, len, out);
	free(text);
	if (r < 0)
		return -1;
	struct compiled *c = *out;
	c->coremldata_size = file_size(path, "coremldata.bin");
	c->mil_size = file_size(path, "model.mil");
	c->espresso_size = file_size(path, "model.espresso.net");
	c->weights_size = file_size(path, "weights/weight.bin");
	return 0;
}

void compiled_close(struct compiled *c)
{
	if (!c)
		return;
	cJSON_Delete(c->doc);
	free(c->path);
	free(c);
}

const char *compiled_str(const struct compiled *c, const char *sub, const char *key)
{
	const cJSON *o = sub ? cJSON_GetObjectItemCaseSensitive(c->obj, sub) : c->obj;
	const cJSON *v = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* the metadata.json key of a standard field meta_canonical names */
static const char *std_json_key(const char *canonical)
{
	return !strcmp(canonical, "description") ? "shortDescription" : canonical;
}

static const char *const std_fields[] = { "author", "description", "license", "version" };

int compiled_meta_list(const struct compiled *c, struct meta_entry **out, size_t *n)
{
	const cJSON *user = cJSON_GetObjectItemCaseSensitive(c->obj, "userDefinedMetadata");
	size_t cap = 4 + (size_t)(cJSON_IsObject(user) ? cJSON_GetArraySize(user) : 0), k = 0;
	struct meta_entry *e = xcalloc(cap ? cap : 1, sizeof *e);
	for (size_t i = 0; i < 4; i++) {
		const char *v = compiled_str(c, NULL, std_json_key(std_fields[i]));
		if (v && *v)
			e[k++] = (struct meta_entry){ xstrdup(std_fields[i]), xstrdup(v), strlen(v), 1 };
	}
	const cJSON *it;
	if (cJSON_IsObject(user))
		cJSON_ArrayForEach(it, user)
		{
			if (!cJSON_IsString(it) || k >= cap)
				continue;
			e[k++] = (struct meta_entry){ meta_user_key_shown(it->string), xstrdup(it->valuestring),
						      strlen(it->valuestring), 0 };
		}
	*out = e;
	*n = k;
	return 0;
}

int compiled_meta_get(const struct compiled *c, const char *key, char **val, size_t *len)
{
	int std;
	const char *k = meta_canonical(key, &std);
	const char *v = std ? compiled_str(c, NULL, std_json_key(k)) : compiled_str(c, "userDefinedMetadata", k);
	if (!v || (std && !*v))
		return 0;
	*val = xstrdup(v);
	*len = strlen(v);
	return 1;
}

size_t compiled_check(const struct compiled *c, struct compiled_problem *msg, size_t max)
{
	size_t n = 0;
#define PROBLEM(f, text)                                                                                               \
	do {                                                                                                           \
		if (n < max)                                                                                           \
			msg[n++] = (struct compiled_problem){ (f), (text) };                                           \
	} while (0)
	if (c->coremldata_size < 0)
		PROBLEM("coremldata.bin", "coremldata.bin is missing");
	const cJSON *ins = cJSON_GetObjectItemCaseSensitive(c->obj, "inputSchema");
	const cJSON *outs = cJSON_GetObjectItemCaseSensitive(c->obj, "outputSchema");
	if (!cJSON_IsArray(ins))
		PROBLEM("metadata.json", "metadata.json has no inputSchema array");
	if (!cJSON_IsArray(outs) || !cJSON_GetArraySize(outs))
		PROBLEM("metadata.json", "metadata.json has no outputs (outputSchema)");
	const cJSON *f;
	for (int side = 0; side < 2; side++) {
		const cJSON *arr = side ? outs : ins;
		if (cJSON_IsArray(arr))
			cJSON_ArrayForEach(f, arr)
			{
				const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
				if (!cJSON_IsString(nm) || !*nm->valuestring)
					PROBLEM("metadata.json", side ? "an output in metadata.json has no name"
								      : "an input in metadata.json has no name");
			}
	}
	/* the program or network: in the folder, or in its members' folders (a
	 * compiled pipeline) */
	struct compiled_part *parts;
	size_t np;
	compiled_parts(c, &parts, &np);
	int mil = 0, esp = 0;
	for (size_t i = 0; i < np; i++) {
		mil |= parts[i].mil;
		esp |= parts[i].espresso;
		char *dir = *parts[i].rel ? xasprintf("%s/%s", c->path, parts[i].rel) : xstrdup(c->path);
		if (parts[i].espresso && !parts[i].mil && file_size(dir, "model.espresso.weights") < 0)
			PROBLEM("model.espresso.weights",
				"model.espresso.net is there but model.espresso.weights is missing");
		free(dir);
	}
	compiled_parts_free(parts, np);
	if (cJSON_HasObjectItem(c->obj, "mlProgramOperationTypeHistogram") && !mil)
		PROBLEM("model.mil", "metadata.json has an ML program's operation histogram, but model.mil is missing");
	if (cJSON_HasObjectItem(c->obj, "neuralNetworkLayerTypeHistogram") && !esp)
		PROBLEM("model.espresso.net",
			"metadata.json has a neural network's layer histogram, but model.espresso.net is missing");
#undef PROBLEM
	return n;
}

const char *compiled_field_name(const cJSON *f)
{
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
	return cJSON_IsString(nm) ? nm->valuestring : NULL;
}

/* ---- showing it ------------------------------------------------------------ */

static const char *const schemas[] = { "inputSchema", "outputSchema" }, *const sides[] = { "inputs", "outputs" };
static const char *const histograms[] = { "mlProgramOperationTypeHistogram", "neuralNetworkLayerTypeHistogram" };

static void feature_text(FILE *fp, const cJSON *f, int ind)
{
	const cJSON *nm = cJSON_GetObjectItemCaseSensitive(f, "name");
	const cJSON *ty = cJSON_GetObjectItemCaseSensitive(f, "formattedType");
	const cJSON *opt = cJSON_GetObjectItemCaseSensitive(f, "isOptional");
	show_pad(fp, ind);
	show_escaped(fp, cJSON_IsString(nm) ? nm->valuestring : "?");
	fputs(": ", fp);
	show_escaped(fp, cJSON_IsString(ty) ? ty->valuestring : "(type not said)");
	/* Xcode writes isOptional as a string ("0"/"1") or a number */
	if (cJSON_IsTrue(opt) || (cJSON_IsString(opt) && !strcmp(opt->valuestring, "1")) ||
	    (cJSON_IsNumber(opt) && opt->valuedouble != 0))
		fputs(" (optional)", fp);
	fputc('\n', fp);
}

void compiled_io_text(FILE *fp, const struct compiled *c, int ind)
{
	for (int s = 0; s < 2; s++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->obj, schemas[s]), *f;
		show_pad(fp, ind);
		fprintf(fp, "%s:%s\n", sides[s], cJSON_IsArray(a) && cJSON_GetArraySize(a) ? "" : " none");
		if (cJSON_IsArray(a))
			cJSON_ArrayForEach(f, a) feature_text(fp, f, ind + 2);
	}
}

static void jw_kjson_str(struct jw *w, const char *k, const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(v))
		jw_kstr(w, k, v->valuestring);
}

/* metadata.json writes a shape as text ("[1, 10]"): a JSON array of
 * integers when it reads as one, else the text as it is (shapeText) */
static void json_shape(struct jw *w, const cJSON *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "shape"), *d;
	if (!cJSON_IsString(v))
		return;
	cJSON *a = cJSON_Parse(v->valuestring);
	int ok = cJSON_IsArray(a);
	cJSON_ArrayForEach(d, a) if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 9007199254740992.0 ||
				     d->valuedouble != (double)(int64_t)d->valuedouble) ok = 0;
	if (ok) {
		jw_key(w, "shape");
		jw_arr(w);
		cJSON_ArrayForEach(d, a) jw_int(w, (int64_t)d->valuedouble);
		jw_arr_end(w);
	} else
		jw_kstr(w, "shapeText", v->valuestring);
	cJSON_Delete(a);
}

void compiled_io_json(struct jw *w, const struct compiled *c)
{
	for (int s = 0; s < 2; s++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(c->obj, schemas[s]), *f;
		jw_key(w, sides[s]);
		jw_arr(w);
		if (cJSON_IsArray(a))
			cJSON_ArrayForEach(f, a)
			{
				jw_obj(w);
				jw_kjson_str(w, "name", f, "name");
				jw_kjson_str(w, "type", f, "formattedType");
				jw_kjson_str(w, "dataType", f, "dataType");
				json_shape(w, f);
				jw_kjson_str(w, "description", f, "shortDescription");
				jw_obj_end(w);
			}
		jw_arr_end(w);
	}
}

static const char *model_type(const struct compiled *c)
{
	const char *t = compiled_str(c, "modelType", "name");
	return t ? t : "(not said)";
}

int64_t compiled_version(const struct compiled *c)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->obj, "specificationVersion");
	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	return -1;
}

static void size_line(FILE *fp, const char *name, int64_t size, const char *note)
{
	if (size >= 0)
		fprintf(fp, "  %s: %lld bytes%s\n", name, (long long)size, note);
}

void compiled_info_text(FILE *fp, const struct compiled *c)
{
	fputs("model: ", fp);
	show_escaped(fp, c->path);
	fputs("\nformat: mlmodelc (compiled; read-only)\ntype: ", fp);
	show_escaped(fp, model_type(c));
	fputc('\n', fp);
	/* a pipeline's members: their folders and types */
	struct compiled_part *parts;
	size_t np;
	compiled_parts(c, &parts, &np);
	for (size_t i = 0; i < np && *parts[0].rel; i++) {
		fputs(i ? ", " : "members: ", fp);
		show_escaped(fp, parts[i].rel);
		fputc(' ', fp);
		show_escaped(fp, parts[i].type);
		if (i + 1 == np)
			fputc('\n', fp);
	}
	compiled_parts_free(parts, np);
	int64_t v = compiled_version(c);
	if (v >= 0)
		fprintf(fp, "specificationVersion: %lld\n", (long long)v);
	static const char *const prec[] = { "computePrecision", "storagePrecision" };
	for (int i = 0; i < 2; i++) {
		const char *p = compiled_str(c, NULL, prec[i]);
		if (p) {
			fprintf(fp, "%s: ", prec[i]);
			show_escaped(fp, p);
			fputc('\n', fp);
		}
	}
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(c->obj, "availability"), *it;
	if (cJSON_IsObject(av) && cJSON_GetArraySize(av)) {
		fputs("availability:", fp);
		const char *sep = " ";
		cJSON_ArrayForEach(it, av) if (cJSON_IsString(it))
		{
			fputs(sep, fp);
			show_escaped(fp, it->string);
			fputc(' ', fp);
			show_escaped(fp, it->valuestring);
			sep = ", ";
		}
		fputc('\n', fp);
	}
	struct meta_entry *e;
	size_t n;
	compiled_meta_list(c, &e, &n);
	for (size_t i = 0; i < n; i++) {
		show_escaped(fp, e[i].key);
		fputs(": ", fp);
		show_escaped(fp, e[i].value);
		fputc('\n', fp);
	}
	meta_entries_free(e, n);
	compiled_io_text(fp, c, 0);
	for (int h = 0; h < 2; h++) {
		const cJSON *hist = cJSON_GetObjectItemCaseSensitive(c->obj, histograms[h]);
		if (!cJSON_IsObject(hist))
			continue;
		fputs(h ? "layers (by type):\n" : "operations (by type):\n", fp);
		cJSON_ArrayForEach(it, hist) if (cJSON_IsNumber(it))
		{
			fputs("  ", fp);
			show_escaped(fp, it->string);
			fprintf(fp, ": %lld\n", (long long)it->valuedouble);
		}
	}
	fputs("files:\n", fp);
	size_line(fp, "coremldata.bin", c->coremldata_size, " (undocumented; not read)");
	size_line(fp, "model.mil", c->mil_size, "");
	size_line(fp, "weights/weight.bin", c->weights_size, "");
	size_line(fp, "model.espresso.net", c->espresso_size, "");
}

void compiled_info_json(struct jw *w, const struct compiled *c)
{
	jw_obj(w);
	jw_kstr(w, "model", c->path);
	jw_kstr(w, "format", "mlmodelc");
	if (compiled_str(c, "modelType", "name"))
		jw_kstr(w, "type", compiled_str(c, "modelType", "name"));
	struct compiled_part *parts;
	size_t np;
	compiled_parts(c, &parts, &np);
	if (np && *parts[0].rel) {
		jw_key(w, "members");
		jw_arr(w);
		for (size_t i = 0; i < np; i++) {
			jw_obj(w);
			jw_kstr(w, "path", parts[i].rel);
			jw_kstr(w, "type", parts[i].type);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	compiled_parts_free(parts, np);
	int64_t v = compiled_version(c);
	if (v >= 0)
		jw_kint(w, "specificationVersion", v);
	jw_kjson_str(w, "computePrecision", c->obj, "computePrecision");
	jw_kjson_str(w, "storagePrecision", c->obj, "storagePrecision");
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(c->obj, "availability"), *it;
	if (cJSON_IsObject(av)) {
		jw_key(w, "availability");
		jw_obj(w);
		cJSON_ArrayForEach(it, av) jw_kjson_str(w, it->string, av, it->string);
		jw_obj_end(w);
	}
	struct meta_entry *e;
	size_t n;
	compiled_meta_list(c, &e, &n);
	jw_key(w, "metadata");
	jw_obj(w);
	for (size_t i = 0; i < n; i++)
		jw_kstr(w, e[i].key, e[i].value);
	jw_obj_end(w);
	meta_entries_free(e, n);
	compiled_io_json(w, c);
	for (int h = 0; h < 2; h++) {
		const cJSON *hist = cJSON_GetObjectItemCaseSensitive(c->obj, histograms[h]);
		if (!cJSON_IsObject(hist))
			continue;
		jw_key(w, h ? "layerHistogram" : "operationHistogram");
		jw_obj(w);
		cJSON_ArrayForEach(it, hist) if (cJSON_IsNumber(it)) jw_kint(w, it->string, (int64_t)it->valuedouble);
		jw_obj_end(w);
	}
	jw_key(w, "files");
	jw_obj(w);
	const struct {
		const char *name;
		int64_t size;
	} fs[] = { { "coremldata.bin", c->coremldata_size },
		   { "model.mil", c->mil_size },
		   { "weights/weight.bin", c->weights_size },
		   { "model.espresso.net", c->espresso_size } };
	for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
		if (fs[i].size >= 0)
			jw_kint(w, fs[i].name, fs[i].size);
	jw_obj_end(w);
	jw_obj_end(w);
}
