/* package: what pack, unpack and convert share (see pkg-internal.h):
 * names and paths, Ctrl-C, progress, writing new files and folders and
 * putting them in place, the weights a spec refers to, identifiers and the
 * manifest, the names and links a package may hold, and whether an OUT
 * there may be replaced.  pack.c, unpack.c and convert.c do the rest.
 *
 * Zip entries are reached only through zipio; these files decide which
 * entries are safe, where things go, and how a result is put in place. */
#include "base/compat.h"
#include "model/pkg-internal.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/fs.h"
#include "model/manifest.h"
#include "model/model.h"
#include "base/xalloc.h"
#include "spec/fields.h"
#include "MIL.pb-c.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers --------------------------------------------------------- */

int pkg_has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

mode_t pkg_current_umask(void)
{
	mode_t um = umask(0);
	umask(um);
	return um;
}

/* path without trailing slashes split into its folder ("." when none) and
 * last name; both new strings */
void pkg_split_path(const char *path, char **dir, char **base)
{
	char *p = xstrdup(path);
	size_t l = strlen(p);
	while (l > 1 && p[l - 1] == '/')
		p[--l] = 0;
	char *s = strrchr(p, '/');
	if (!s) {
		*dir = xstrdup(".");
		*base = p;
		return;
	}
	*base = xstrdup(s + 1);
	*dir = s == p ? xstrdup("/") : xstrndup(p, (size_t)(s - p));
	free(p);
}

/* a name good for a single folder entry: not empty, no '/', not . or .. */
int pkg_plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* a copy of s with control characters shown as '?', for messages */
char *pkg_shown(const char *s)
{
	char *c = xstrdup(s);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

int pkg_fsync_path(const char *path, int dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* ---- signals: held back while a temp folder is being built ------------------ */

/* INT, TERM and HUP are held back (fs_hold_signals) while we build a
 * folder; the loops poll for them, clean up, and let them through (the
 * process then ends as it would have).  A signal handler could not remove a
 * tree safely. */

/* 1 (reported, naming what) when INT, TERM or HUP is waiting */
int pkg_interrupted(const char *what)
{
	/* not an ignored one: under nohup a HUP must not stop anything */
	if (atomic_signal_pending())
		return error_code(EXIT_FAIL, "'%s': interrupted; nothing written", what), 1;
	return 0;
}

/* ---- progress, for the caller to show ---------------------------------------- */

void pkg_progress_begin(struct progress *p, const struct mlpkg_progress *to, const char *verb, const char *path,
			uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->to = to && to->fn ? to : NULL;
	p->verb = verb;
	p->path = path;
	p->total = total;
}

void pkg_progress_add(struct progress *p, uint64_t n)
{
	p->done += n;
	if (p->to)
		p->to->fn(p->to->ctx, p->verb, p->path, p->done > p->total ? p->total : p->done, p->total);
}

/* zipio's callback: the fraction done, as the fewest bytes of the total
 * that make at least that fraction (so that 0.2 of it still reads as 20%,
 * which the bytes below it would not) */
void pkg_progress_fraction(void *ctx, double f)
{
	struct progress *p = ctx;
	if (!p->to)
		return;
	uint64_t t = p->total, n;
	if (f <= 0 || !t) {
		n = 0;
	} else if (f >= 1) {
		n = t;
	} else {
		n = (uint64_t)ceil(f * (double)t);
		if (n > t)
			n = t;
		while (n > 0 && (double)(n - 1) / (double)t >= f)
			n--;
		while (n < t && (double)n / (double)t < f)
			n++;
	}
	p->to->fn(p->to->ctx, p->verb, p->path, n, t);
}

void pkg_progress_end(struct progress *p)
{
	if (p->to)
		p->to->fn(p->to->ctx, NULL, p->path, p->done, p->total);
	p->to = NULL;
}

/* zipio_extract's callback: progress, and a way out on Ctrl-C */
int pkg_on_bytes(void *ctx, uint64_t n)
{
	struct progress *p = ctx;
	pkg_progress_add(p, n);
	return pkg_interrupted(p->path) ? -1 : 0;
}

/* ---- writing files and folders ------------------------------------------------- */

/* Creates path (it must not exist) with the bytes, then mode, fsync. */
int pkg_write_new_file(const char *path, const void *p, size_t len, mode_t mode, struct progress *pr)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_code(EXIT_WRITE, "'%s': cannot create: %s", path, strerror(errno));
	const uint8_t *q = p;
	int rc = 0;
	while (len && rc == 0) {
		size_t chunk = len > (1u << 20) ? (1u << 20) : len;
		ssize_t w = write(fd, q, chunk);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = error_code(EXIT_WRITE, "'%s': write failed: %s", path, strerror(errno));
			break;
		}
		q += w;
		len -= (size_t)w;
		if (pr) {
			pkg_progress_add(pr, (uint64_t)w);
			if (pkg_interrupted(pr->path))
				rc = -1;
		}
	}
	if (rc == 0 && fchmod(fd, mode & 07777) < 0)
		rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path, strerror(errno));
	if (rc == 0 && fsync(fd) < 0)
		rc = error_code(EXIT_WRITE, "'%s': fsync failed: %s", path, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = error_code(EXIT_WRITE, "'%s': close failed: %s", path, strerror(errno));
	return rc;
}

/* Puts the folder tmp in place as dest (same parent folder): see
 * fs_install_dir. */
int pkg_install_dir(const char *tmp, const char *dest, int replace)
{
	if (fs_install_dir(tmp, dest, replace) == 0)
		return 0;
	if (!replace)
		return error_code(EXIT_WRITE, "'%s': cannot create it: %s; nothing written", dest, strerror(errno));
	return error_code(EXIT_WRITE, "'%s': cannot replace it: %s; it was left as it was", dest, strerror(errno));
}

/* removes the folders make_path made: dir and its parents up to top */
void pkg_unmake_path(const char *dir, const char *top)
{
	if (!top)
		return;
	char *p = xstrdup(dir);
	for (;;) {
		rmdir(p);
		char *s = strrchr(p, '/');
		if (!strcmp(p, top) || !s || s == p)
			break;
		*s = 0;
	}
	free(p);
}

/* creates the folder dir and its parents as needed (mkdir -p); *top gets
 * the highest folder made (NULL when none; caller frees) */
static int make_path(const char *dir, char **top)
{
	struct stat st;
	*top = NULL;
	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : error_code(EXIT_WRITE, "'%s': not a folder; nothing written", dir);
	char *p = xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != 0)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0777) == 0) {
			if (!*top)
				*top = xstrdup(p);
		} else if (errno != EEXIST || stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
			rc = error_code(EXIT_WRITE, "'%s': cannot create the folder: %s; nothing written", p,
					errno == EEXIST ? "not a folder" : strerror(errno));
			*s = c;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (rc < 0) {
		pkg_unmake_path(dir, *top);
		free(*top);
		*top = NULL;
	}
	return rc;
}

/* Where a new folder dir/name goes: dir is created when missing (*made_top:
 * the highest folder made, for pkg_unmake_path; caller frees), an existing
 * package at dir/name may be replaced (*replace set), anything else there is
 * refused.  Returns dir/name, or NULL (reported). */
char *pkg_prepare_dest(const char *dir, const char *name, char **made_top, int *replace)
{
	struct stat st;
	*replace = 0;
	if (make_path(dir, made_top) < 0)
		return NULL;
	char *dest = strcmp(dir, "/") ? xasprintf("%s/%s", dir, name) : xasprintf("/%s", name);
	if (lstat(dest, &st) == 0) {
		char *mf = xasprintf("%s/Manifest.json", dest);
		int pkg = S_ISDIR(st.st_mode) && access(mf, F_OK) == 0;
		free(mf);
		if (!pkg) {
			error_code(EXIT_WRITE, "'%s': exists and is not a package; nothing written", dest);
			free(dest);
			return NULL;
		}
		*replace = 1;
	}
	return dest;
}

/* a temp folder beside dest, or NULL (reported) */
char *pkg_make_temp_dir(const char *dir, const char *name)
{
	char *t = strcmp(dir, "/") ? xasprintf("%s/.%s.mlpkg-XXXXXX", dir, name) : xasprintf("/.%s.mlpkg-XXXXXX", name);
	if (!mkdtemp(t)) {
		error_code(EXIT_WRITE, "'%s': cannot create a temporary folder: %s; nothing written", dir,
			   strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

/* ---- the spec: weights it refers to -------------------------------------------- */

/* 1 with *file (caller frees) when the spec refers to a weight file
 * (an ML program's blobFileValue), 0 when not, -1 when it does not decode */
int pkg_find_blob_ref(struct mt_node *n, char **file)
{
	if (mt_parse(n) < 0)
		return -1;
	if (n->desc == &core_ml__specification__milspec__value__blob_file_value__descriptor) {
		*file = mt_get_str(n, F_MILSpec_Value_BlobFileValue_fileName);
		if (!*file)
			*file = xstrdup("");
		return 1;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct mt_field *f = &n->f[i];
		if (!f->fd || f->fd->type != PROTOBUF_C_TYPE_MESSAGE || (f->flags & MT_F_MISMATCH))
			continue;
		struct mt_node *c = mt_child(n, i);
		if (!c)
			return -1;
		int r = pkg_find_blob_ref(c, file);
		if (r)
			return r;
	}
	return 0;
}

/* ---- identifiers and the manifest ------------------------------------------------ */

void pkg_new_uuid(char buf[37])
{
	uint8_t b[16];
	size_t got = compat_random(b, sizeof(b));
	if (got < sizeof(b)) {
		/* no kernel randomness: a time- and process-based fallback */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		static uint64_t ctr;
		uint64_t x =
			(uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ ++ctr;
		for (size_t i = 0; i < sizeof(b); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			b[i] = (uint8_t)x;
		}
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	static const char hex[] = "0123456789ABCDEF";
	char *p = buf;
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	*p = 0;
}

char *pkg_new_manifest(int with_weights)
{
	char spec_id[37], weights_id[37];
	pkg_new_uuid(spec_id);
	pkg_new_uuid(weights_id);
	struct manifest_item items[2] = {
		{ spec_id, (char *)SPEC_AUTHOR, (char *)"model.mlmodel", (char *)"com.apple.CoreML/model.mlmodel",
		  (char *)"CoreML Model Specification" },
		{ weights_id, (char *)SPEC_AUTHOR, (char *)"weights", (char *)"com.apple.CoreML/weights",
		  (char *)"CoreML Model Weights" },
	};
	struct manifest man = { (char *)"1.0.0", items, with_weights ? 2 : 1, spec_id, 0 };
	char *t = manifest_format(&man);
	/* Apple's package library ends the file with a newline */
	char *r = xasprintf("%s\n", t);
	free(t);
	return r;
}

/* ---- names and links: what a package may hold ------------------------------- */

/* Checks an entry's name (label names the archive or folder): 0, or -1
 * reported (EXIT_INVALID). */
int pkg_check_entry_name(const char *label, const char *name)
{
	const char *why = NULL;
	if (!*name)
		why = "has an empty name";
	else if (name[0] == '/')
		why = "has an absolute name";
	else if (strchr(name, '\\'))
		why = "has a backslash in its name";
	for (const char *p = name; !why && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			why = "has a control character in its name";
	for (const char *p = name; !why && *p;) {
		const char *s = strchr(p, '/');
		size_t l = s ? (size_t)(s - p) : strlen(p);
		if (l == 2 && !strncmp(p, "..", 2))
			why = "leads outside the package";
		else if ((l == 0 && p != name + strlen(name)) || (l == 1 && *p == '.'))
			why = "has an empty or '.' part in its name";
		p += l;
		if (*p == '/')
			p++;
	}
	if (!why)
		return 0;
	char *s = pkg_shown(name);
	error_code(EXIT_INVALID, "'%s': entry '%s' %s; nothing written", label, s, why);
	free(s);
	return -1;
}

int pkg_cmp_uent(const void *a, const void *b)
{
	return strcmp(((const struct uent *)a)->rel, ((const struct uent *)b)->rel);
}

const struct uent *pkg_find_uent(const struct uent *v, size_t n, const char *rel)
{
	struct uent key = { 0 };
	key.rel = (char *)rel;
	return n ? bsearch(&key, v, n, sizeof(*v), pkg_cmp_uent) : NULL;
}

/* A link (at rel, inside the package) stays inside when its target, walked
 * from the link's folder, never rises above the package folder and never
 * passes through another link of v (sorted; whose own target would change
 * the walk). */
int pkg_link_stays_inside(const struct uent *v, size_t n, const char *rel, const char *target)
{
	if (!*target || target[0] == '/')
		return 0;
	struct strbuf at = STRBUF_INIT;
	const char *slash = strrchr(rel, '/');
	if (slash)
		sb_add(&at, rel, (size_t)(slash - rel));
	int ok = 1;
	for (const char *p = target; ok && *p;) {
		const char *s = strchr(p, '/');
		size_t l = s ? (size_t)(s - p) : strlen(p);
		if (l == 2 && !strncmp(p, "..", 2)) {
			if (!at.len) {
				ok = 0;
			} else {
				char *ls = strrchr(at.buf, '/');
				at.len = ls ? (size_t)(ls - at.buf) : 0;
				at.buf[at.len] = 0;
			}
		} else if (l && !(l == 1 && *p == '.')) {
			if (at.len)
				sb_addc(&at, '/');
			sb_add(&at, p, l);
			/* every part walked through must not be a link itself */
			const struct uent *e = pkg_find_uent(v, n, at.buf);
			if (e && e->kind == ZIPIO_LINK && s && s[1])
				ok = 0;
		}
		p += l;
		if (*p == '/')
			p++;
	}
	sb_release(&at);
	return ok;
}

/* ---- what is at OUT ---------------------------------------------------------------- */

/* An existing OUT is replaced only when it is of the kind written: a zip
 * (PK...) or an .mlmodel (a spec that decodes); anything else there is
 * refused, exit 5, nothing written.  Folders are pkg_prepare_dest's. */
int pkg_dest_replaceable(const char *out, enum out_kind k)
{
	struct stat st;
	if (k == OUT_PACKAGE || stat(out, &st) < 0)
		return 0;
	int ok = 0;
	if (S_ISREG(st.st_mode) && k == OUT_ZIP) {
		char h[4] = { 0 };
		int fd = open(out, O_RDONLY | O_CLOEXEC);
		ok = fd >= 0 && (st.st_size == 0 || (read(fd, h, 4) == 4 && h[0] == 'P' && h[1] == 'K'));
		if (fd >= 0)
			close(fd);
	} else if (S_ISREG(st.st_mode) && k == OUT_MLMODEL) {
		struct mlpkg_model *o;
		struct error_capture probe;
		error_capture_begin(&probe, ERRCAP_DROP);
		ok = st.st_size == 0 || mlpkg_open(out, 0, &o) == 0;
		error_capture_end(&probe);
		if (ok && st.st_size)
			mlpkg_close(o);
	}
	if (!ok)
		return error_code(EXIT_WRITE, "'%s': exists and is not %s; nothing written", out,
				  k == OUT_ZIP ? "a zip" : "a Core ML model");
	return 0;
}

int pkg_commit_zip(struct zipio *z, int rc, struct atomic_file *af, const char *out, const struct mlpkg_progress *prog,
		   const char *verb, const char *path, uint64_t total)
{
	struct progress pr;
	pkg_progress_begin(&pr, prog, verb, path, total);
	if (rc == 0) {
		zipio_set_progress(z, pkg_progress_fraction, &pr);
		rc = zipio_commit(z);
	}
	pkg_progress_end(&pr);
	zipio_close(z);
	if (af) {
		if (rc == 0 && !pkg_interrupted(out))
			rc = atomic_commit(af);
		else
			atomic_abort(af), rc = -1;
	}
	return rc;
}
