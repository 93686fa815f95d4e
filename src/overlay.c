/* overlay: keeping Metadata.json consistent with metadata edits. */
#include "overlay.h"
#include "atomic.h"
#include "error.h"
#include "xalloc.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* names a standard field may have in the overlay */
static const char *const std_names[5][4] = {
	{ NULL },
	{ "shortDescription", "description", "MLModelDescriptionKey", NULL },
	{ "versionString", "version", "MLModelVersionStringKey", NULL },
	{ "author", "MLModelAuthorKey", NULL },
	{ "license", "MLModelLicenseKey", NULL },
};
static const char *const user_containers[] = { "userDefined", "MLModelCreatorDefinedKey", "creatorDefined", NULL };

static int set_or_remove(cJSON *obj, const char *k, const char *val, size_t len)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, k);
	if (!item)
		return 0;
	if (!val) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, k);
		return 1;
	}
	char *v = xstrndup(val, len);
	cJSON *nv = cJSON_CreateString(v);
	free(v);
	cJSON_ReplaceItemInObjectCaseSensitive(obj, k, nv);
	return 1;
}

int overlay_sync(struct mlpkg_model *m, const char *key, int std, const char *val, size_t len)
{
	if (m->fmt != FMT_PACKAGE)
		return 0;
	char *path = xasprintf("%s/%s", m->pkg_dir, OVERLAY_PATH);
	/* never read or replace an overlay that is a link or leads outside the
	 * package (through a linked folder): that would read, or write, a file
	 * that is not the package's */
	char *rp_pkg = realpath(m->pkg_dir, NULL), *rp = realpath(path, NULL);
	struct stat lst;
	int link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
	int inside = rp_pkg && rp && !strncmp(rp, rp_pkg, strlen(rp_pkg)) && rp[strlen(rp_pkg)] == '/';
	int exists = rp != NULL;
	free(rp_pkg);
	free(rp);
	if (exists && (link || !inside)) {
		warning("'%s': the overlay %s %s: left as it was", m->path, OVERLAY_PATH,
			link ? "is a symbolic link" : "leads outside the package");
		free(path);
		return 0;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		free(path);
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t r;
	while ((r = fread(buf, 1, sizeof(buf), fp)) > 0 && sb.len < (1u << 24))
		sb_add(&sb, buf, r);
	fclose(fp);
	cJSON *j = cJSON_ParseWithLength(sb.buf ? sb.buf : "", sb.len);
	sb_release(&sb);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		warning("'%s': the overlay %s is not a JSON object; left as it was", m->path, OVERLAY_PATH);
		free(path);
		return 0;
	}
	int changed = 0;
	if (std) {
		for (int i = 0; std_names[std][i]; i++)
			changed |= set_or_remove(j, std_names[std][i], val, len);
	} else {
		for (int i = 0; user_containers[i]; i++) {
			cJSON *c = cJSON_GetObjectItemCaseSensitive(j, user_containers[i]);
			if (cJSON_IsObject(c))
				changed |= set_or_remove(c, key, val, len);
		}
	}
	int rc = 0;
	if (changed) {
		char *text = cJSON_Print(j);
		struct atomic_file af;
		rc = atomic_begin(&af, path, 0);
		if (rc == 0 && atomic_write(&af, text, strlen(text)) == 0)
			rc = atomic_commit(&af) < 0 ? -1 : 1;
		else if (rc == 0) {
			atomic_abort(&af);
			rc = -1;
		}
		cJSON_free(text);
	}
	cJSON_Delete(j);
	free(path);
	return rc;
}
