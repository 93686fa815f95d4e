/* package: pack, unpack and convert (see package.h).
 *
 * Zip entries are reached only through zipio; this file decides which
 * entries are safe, where things go, and how a result is put in place. */
#include "base/compat.h"
#include "model/package.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/fs.h"
#include "model/manifest.h"
#include "model/model.h"
#include "base/xalloc.h"
#include "model/zipio.h"
#include "MIL.pb-c.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SPEC_AUTHOR "com.apple.CoreML"
#define SPEC_REL "Data/com.apple.CoreML/model.mlmodel"
#define DEFLATE_MAX ((uint64_t)64 << 20)  /* PKG_AUTO deflates specs up to this */

/* ---- small helpers --------------------------------------------------------- */

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcasecmp(s + a - b, suf);
}

static mode_t current_umask(void)
{
	mode_t um = umask(0);
	umask(um);
	return um;
}

/* path without trailing slashes split into its folder ("." when none) and
 * last name; both new strings */
static void split_path(const char *path, char **dir, char **base)
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
static int plain_name(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* a copy of s with control characters shown as '?', for messages */
static char *shown(const char *s)
{
	char *c = xstrdup(s);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

static int fsync_path(const char *path, int dir)
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
static int interrupted(const char *what)
{
	/* not an ignored one: under nohup a HUP must not stop anything */
	if (atomic_signal_pending())
		return error_code(EXIT_FAIL, "'%s': interrupted; nothing written", what), 1;
	return 0;
}

/* ---- progress, for the caller to show ---------------------------------------- */

struct progress {
	const struct mlpkg_progress *to; /* NULL: nobody is told */
	const char *verb;
	const char *path;
	uint64_t total, done;
};

static void progress_begin(struct progress *p, const struct mlpkg_progress *to, const char *verb, const char *path,
			   uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->to = to && to->fn ? to : NULL;
	p->verb = verb;
	p->path = path;
	p->total = total;
}

static void progress_add(struct progress *p, uint64_t n)
{
	p->done += n;
	if (p->to)
		p->to->fn(p->to->ctx, p->verb, p->path, p->done > p->total ? p->total : p->done, p->total);
}

/* zipio's callback: the fraction done, as the fewest bytes of the total
 * that make at least that fraction (so that 0.2 of it still reads as 20%,
 * which the bytes below it would not) */
static void progress_fraction(void *ctx, double f)
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

static void progress_end(struct progress *p)
{
	if (p->to)
		p->to->fn(p->to->ctx, NULL, p->path, p->done, p->total);
	p->to = NULL;
}

/* zipio_extract's callback: progress, and a way out on Ctrl-C */
static int on_bytes(void *ctx, uint64_t n)
{
	struct progress *p = ctx;
	progress_add(p, n);
	return interrupted(p->path) ? -1 : 0;
}

/* ---- writing files and folders ------------------------------------------------- */

/* Creates path (it must not exist) with the bytes, then mode, fsync. */
static int write_new_file(const char *path, const void *p, size_t len, mode_t mode, struct progress *pr)
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
			progress_add(pr, (uint64_t)w);
			if (interrupted(pr->path))
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
static int install_dir(const char *tmp, const char *dest, int replace)
{
	if (fs_install_dir(tmp, dest, replace) == 0)
		return 0;
	if (!replace)
		return error_code(EXIT_WRITE, "'%s': cannot create it: %s; nothing written", dest, strerror(errno));
	return error_code(EXIT_WRITE, "'%s': cannot replace it: %s; it was left as it was", dest, strerror(errno));
}

/* removes the folders make_path made: dir and its parents up to top */
static void unmake_path(const char *dir, const char *top)
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
		unmake_path(dir, *top);
		free(*top);
		*top = NULL;
	}
	return rc;
}

/* Where a new folder dir/name goes: dir is created when missing (*made_top:
 * the highest folder made, for unmake_path; caller frees), an existing
 * package at dir/name may be replaced (*replace set), anything else there is
 * refused.  Returns dir/name, or NULL (reported). */
static char *prepare_dest(const char *dir, const char *name, char **made_top, int *replace)
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
static char *make_temp_dir(const char *dir, const char *name)
{
	char *t = strcmp(dir, "/") ? xasprintf("%s/.%s.mlpkg-XXXXXX", dir, name) : xasprintf("/.%s.mlpkg-XXXXXX", name);
	if (!mkdtemp(t)) {
		error_code(EXIT_WRITE, "'%s': cannot create a temporary folder: %s; nothing written", dir, strerror(errno));
		free(t);
		return NULL;
	}
	return t;
}

/* ---- the spec: weights it refers to -------------------------------------------- */

/* 1 with *file (caller frees) when the spec refers to a weight file
 * (an ML program's blobFileValue), 0 when not, -1 when it does not decode */
static int find_blob_ref(struct mt_node *n, char **file)
{
	if (mt_parse(n) < 0)
		return -1;
	if (n->desc == &core_ml__specification__milspec__value__blob_file_value__descriptor) {
		*file = mt_get_str(n, 1);
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
		int r = find_blob_ref(c, file);
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
		uint64_t x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ ++ctr;
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

struct uent {
	long index;
	char *rel;          /* relative to the package folder, no final '/' */
	enum zipio_kind kind;
	mode_t mode;        /* final permission bits */
	long long mtime;
	char *target;       /* links */
};

/* Checks an entry's name (label names the archive or folder): 0, or -1
 * reported (EXIT_INVALID). */
static int check_entry_name(const char *label, const char *name)
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
	char *s = shown(name);
	error_code(EXIT_INVALID, "'%s': entry '%s' %s; nothing written", label, s, why);
	free(s);
	return -1;
}

static int cmp_uent(const void *a, const void *b)
{
	return strcmp(((const struct uent *)a)->rel, ((const struct uent *)b)->rel);
}

static const struct uent *find_uent(const struct uent *v, size_t n, const char *rel)
{
	struct uent key = { 0 };
	key.rel = (char *)rel;
	return n ? bsearch(&key, v, n, sizeof(*v), cmp_uent) : NULL;
}

/* A link (at rel, inside the package) stays inside when its target, walked
 * from the link's folder, never rises above the package folder and never
 * passes through another link of v (sorted; whose own target would change
 * the walk). */
static int link_stays_inside(const struct uent *v, size_t n, const char *rel, const char *target)
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
			const struct uent *e = find_uent(v, n, at.buf);
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

/* ---- pack ------------------------------------------------------------------------ */

struct pent {
	char *rel;          /* relative to the package folder */
	enum zipio_kind kind;
	mode_t mode;
	uint64_t size;
	long long mtime;
	char *target;       /* links */
};

struct plist {
	struct pent *v;
	size_t n, cap;
	uint64_t bytes;
};

static void plist_free(struct plist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].target);
	}
	free(l->v);
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dots(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

static int inside(const char *real, const char *root)
{
	size_t l = strlen(root);
	return !strncmp(real, root, l) && (real[l] == '/' || real[l] == 0);
}

/* lists the package folder below base/rel, sorted, folders before their
 * contents; refuses what a zip of a package cannot hold */
static int walk(const char *pkg, const char *root_real, const char *rel, struct plist *l)
{
	char *dir = *rel ? xasprintf("%s/%s", pkg, rel) : xstrdup(pkg);
	struct dirent **names;
	int n = scandir(dir, &names, not_dots, cmp_names);
	if (n < 0) {
		error_code(EXIT_FAIL, "'%s': cannot read the folder: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		char *r = *rel ? xasprintf("%s/%s", rel, names[i]->d_name) : xstrdup(names[i]->d_name);
		char *full = xasprintf("%s/%s", pkg, r);
		struct stat st;
		free(names[i]);
		if (rc < 0) {
			free(r);
			free(full);
			continue;
		}
		if (check_entry_name(pkg, r) < 0)
			rc = -1;
		else if (lstat(full, &st) < 0)
			rc = error_code(EXIT_FAIL, "'%s': %s", full, strerror(errno));
		if (rc < 0) {
			free(r);
			free(full);
			continue;
		}
		struct pent e = { r, ZIPIO_FILE, st.st_mode & 07777, 0, (long long)st.st_mtime, NULL };
		if (S_ISDIR(st.st_mode)) {
			e.kind = ZIPIO_DIR;
		} else if (S_ISREG(st.st_mode)) {
			e.size = (uint64_t)st.st_size;
			l->bytes += e.size;
		} else if (S_ISLNK(st.st_mode)) {
			char t[PATH_MAX];
			ssize_t tl = readlink(full, t, sizeof(t) - 1);
			char *real = realpath(full, NULL);
			int dangling = !real && errno == ENOENT;
			if (tl >= 0)
				t[tl] = 0;
			/* inside by its words, and (unless dangling) in fact */
			if (tl < 0 || !link_stays_inside(NULL, 0, r, t) || !(real ? inside(real, root_real) : dangling)) {
				rc = error_code(EXIT_INVALID, "'%s': '%s' is a link leading outside the package; nothing written",
						pkg, r);
			} else {
				e.kind = ZIPIO_LINK;
				e.target = xstrdup(t);
			}
			free(real);
		} else {
			rc = error_code(EXIT_INVALID, "'%s': '%s' is not a file, folder or link; nothing written", pkg, r);
		}
		free(full);
		if (rc < 0) {
			free(r);
			continue;
		}
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = e;
		if (e.kind == ZIPIO_DIR)
			rc = walk(pkg, root_real, r, l);
	}
	free(names);
	free(dir);
	return rc;
}

static int want_deflate(const char *rel, uint64_t size, enum pkg_compress how)
{
	if (how != PKG_AUTO)
		return how == PKG_DEFLATE;
	return has_suffix(rel, ".json") || (has_suffix(rel, ".mlmodel") && size <= DEFLATE_MAX);
}

/* the package's folder name in a zip: ends with .mlpackage */
static char *zip_root_name(const char *base)
{
	size_t l = strlen(base);
	if (l > 4 && has_suffix(base, ".zip"))
		l -= 4;
	char *r = xstrndup(base, l);
	if (!has_suffix(r, ".mlpackage") || strlen(r) == strlen(".mlpackage")) {
		char *t = xasprintf("%s.mlpackage", r);
		free(r);
		r = t;
	}
	return r;
}

static int pack_model(struct mlpkg_model *m, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog)
{
	char *pdir, *pbase, *odir, *obase;
	split_path(m->pkg_dir, &pdir, &pbase);
	split_path(out, &odir, &obase);
	char *root = zip_root_name(pbase);
	char *root_real = realpath(m->pkg_dir, NULL), *out_real = realpath(odir, NULL);
	struct plist l = { 0 };
	int rc = 0;
	if (!root_real)
		rc = error_code(EXIT_FAIL, "'%s': %s", m->path, strerror(errno));
	else if (out_real && inside(out_real, root_real))
		rc = error_code(EXIT_USAGE, "'%s': the zip cannot go inside the package it holds", out);
	struct stat rst;
	if (rc == 0 && stat(m->pkg_dir, &rst) < 0)
		rc = error_code(EXIT_FAIL, "'%s': %s", m->path, strerror(errno));
	if (rc == 0)
		rc = walk(m->pkg_dir, root_real, "", &l);
	struct atomic_file af;
	struct zipio *z = NULL;
	struct fs_held h = { 0 };
	int begun = 0;
	if (rc == 0) {
		fs_hold_signals(&h);
		rc = atomic_begin(&af, out, 0);
		begun = rc == 0;
	}
	if (rc == 0) {
		z = zipio_create(af.tmp, out);
		if (!z)
			rc = -1;
	}
	if (rc == 0) {
		char *name = xasprintf("%s/", root);
		rc = zipio_add_dir(z, name, rst.st_mode & 07777, (long long)rst.st_mtime);
		free(name);
	}
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		const struct pent *e = &l.v[i];
		char *name = xasprintf("%s/%s%s", root, e->rel, e->kind == ZIPIO_DIR ? "/" : "");
		char *full = xasprintf("%s/%s", m->pkg_dir, e->rel);
		if (e->kind == ZIPIO_DIR)
			rc = zipio_add_dir(z, name, e->mode, e->mtime);
		else if (e->kind == ZIPIO_LINK)
			rc = zipio_add_symlink(z, name, e->target);
		else
			rc = zipio_add_file(z, name, full, e->mode, want_deflate(e->rel, e->size, how));
		free(name);
		free(full);
	}
	struct progress pr;
	progress_begin(&pr, prog, "packing", m->path, l.bytes);
	if (rc == 0) {
		zipio_set_progress(z, progress_fraction, &pr);
		rc = zipio_commit(z);
	}
	progress_end(&pr);
	zipio_close(z);
	if (begun) {
		if (rc == 0 && !interrupted(out))
			rc = atomic_commit(&af);
		else
			atomic_abort(&af), rc = -1;
	}
	fs_release_signals(&h);
	plist_free(&l);
	free(root_real);
	free(out_real);
	free(root);
	free(pdir);
	free(pbase);
	free(odir);
	free(obase);
	return rc;
}

/* opens a package folder for pack; NULL (reported) for anything else */
static struct mlpkg_model *open_package_dir(const char *pkg)
{
	struct mlpkg_model *m;
	if (mlpkg_open(pkg, 0, &m) < 0)
		return NULL;
	if (m->fmt != FMT_PACKAGE) {
		error_code(EXIT_USAGE, "'%s': not a package folder (an %s); pack takes an .mlpackage folder", pkg,
			   m->fmt == FMT_ZIP ? "archive" : ".mlmodel");
		mlpkg_close(m);
		return NULL;
	}
	return m;
}

enum out_kind { OUT_MLMODEL, OUT_PACKAGE, OUT_ZIP };

/* An existing OUT is replaced only when it is of the kind written: a zip
 * (PK...) or an .mlmodel (a spec that decodes); anything else there is
 * refused, exit 5, nothing written.  Folders are prepare_dest's. */
static int dest_replaceable(const char *out, enum out_kind k)
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

int pkg_pack(const char *pkg, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog)
{
	struct mlpkg_model *m = open_package_dir(pkg);
	if (!m)
		return -1;
	int rc = dest_replaceable(out, OUT_ZIP) < 0 ? -1 : pack_model(m, out, how, prog);
	mlpkg_close(m);
	return rc;
}

/* ---- unpack ------------------------------------------------------------------------ */

/* creates base/rel and the folders above it (mode 0700: made readable and
 * writable for us until the final modes are set) */
static int make_dirs(const char *zip, const char *base, const char *rel, int last_too)
{
	char *path = xasprintf("%s/%s", base, rel);
	size_t bl = strlen(base) + 1;
	int rc = 0;
	for (char *p = path + bl; rc == 0; p++) {
		if (*p != '/' && *p != 0)
			continue;
		int end = *p == 0;
		if (end && !last_too)
			break;
		char c = *p;
		*p = 0;
		if (mkdir(path, 0700) < 0) {
			struct stat st;
			if (errno != EEXIST)
				rc = error_code(EXIT_WRITE, "'%s': cannot create: %s; nothing written", path, strerror(errno));
			else if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
				rc = error_code(EXIT_INVALID, "'%s': entry '%s' is both a file and a folder; nothing written",
						zip, path + bl);
		}
		*p = c;
		if (end)
			break;
	}
	free(path);
	return rc;
}

static void set_times(const char *path, long long mtime)
{
	if (mtime < 0)
		return;
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)mtime, 0 } };
	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int by_depth_desc(const void *a, const void *b)
{
	const struct uent *x = *(const struct uent *const *)a, *y = *(const struct uent *const *)b;
	size_t dx = 0, dy = 0;
	for (const char *p = x->rel; *p; p++)
		dx += *p == '/';
	for (const char *p = y->rel; *p; p++)
		dy += *p == '/';
	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* writes the entries into the empty folder tmp */
static int extract_into(struct zipio *z, const char *zip, const char *tmp, struct uent *v, size_t n, mode_t root_mode,
			struct progress *pr)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (v[i].kind == ZIPIO_DIR)
			rc = make_dirs(zip, tmp, v[i].rel, 1);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (v[i].kind != ZIPIO_FILE)
			continue;
		rc = make_dirs(zip, tmp, v[i].rel, 0);
		if (rc < 0 || (rc = interrupted(zip) ? -1 : 0) < 0)
			break;
		char *path = xasprintf("%s/%s", tmp, v[i].rel);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST || errno == EISDIR || errno == ELOOP)
				rc = error_code(EXIT_INVALID, "'%s': entry '%s' is both a file and a folder; nothing written",
						zip, v[i].rel);
			else
				rc = error_code(EXIT_WRITE, "'%s': cannot create: %s; nothing written", path, strerror(errno));
		} else {
			rc = zipio_extract(z, v[i].index, fd, path, on_bytes, pr);
			if (rc == 0 && fchmod(fd, v[i].mode) < 0)
				rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path, strerror(errno));
			if (rc == 0 && v[i].mtime >= 0) {
				struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)v[i].mtime, 0 } };
				futimens(fd, ts);
			}
			if (rc == 0 && fsync(fd) < 0)
				rc = error_code(EXIT_WRITE, "'%s': fsync failed: %s", path, strerror(errno));
			if (close(fd) < 0 && rc == 0)
				rc = error_code(EXIT_WRITE, "'%s': close failed: %s", path, strerror(errno));
		}
		free(path);
	}
	/* links last, so that nothing is ever written through one */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (v[i].kind != ZIPIO_LINK)
			continue;
		rc = make_dirs(zip, tmp, v[i].rel, 0);
		if (rc < 0)
			break;
		char *path = xasprintf("%s/%s", tmp, v[i].rel);
		if (symlink(v[i].target, path) < 0)
			rc = errno == EEXIST ? error_code(EXIT_INVALID, "'%s': entry '%s' is both a link and a folder; "
								"nothing written", zip, v[i].rel)
					     : error_code(EXIT_WRITE, "'%s': cannot create: %s; nothing written", path,
							  strerror(errno));
		else
			set_times(path, v[i].mtime);
		free(path);
	}
	/* folders no entry of their own describes (zips written without folder
	 * entries) get the usual mode, as mkdir would give them; then the
	 * listed folders their own modes and dates, deepest first; all flushed */
	if (rc == 0) {
		mode_t um = umask(0);
		umask(um);
		for (size_t i = 0; i < n && rc == 0; i++) {
			char *path = xasprintf("%s/%s", tmp, v[i].rel);
			for (char *sl = strrchr(path, '/'); sl && sl > path + strlen(tmp); sl = strrchr(path, '/')) {
				*sl = 0;
				if (chmod(path, 0777 & ~um) < 0)
					rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path, strerror(errno));
			}
			free(path);
		}
	}
	if (rc == 0) {
		const struct uent **d = xmalloc(sizeof(*d) * (n ? n : 1));
		size_t nd = 0;
		for (size_t i = 0; i < n; i++)
			if (v[i].kind == ZIPIO_DIR)
				d[nd++] = &v[i];
		qsort(d, nd, sizeof(*d), by_depth_desc);
		for (size_t i = 0; i < nd; i++) {
			char *path = xasprintf("%s/%s", tmp, d[i]->rel);
			fsync_path(path, 1);
			if (chmod(path, d[i]->mode) < 0 && rc == 0)
				rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", path, strerror(errno));
			set_times(path, d[i]->mtime);
			free(path);
		}
		free(d);
		fsync_path(tmp, 1);
		if (rc == 0 && chmod(tmp, root_mode) < 0)
			rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", tmp, strerror(errno));
	}
	return rc;
}

static void uents_free(struct uent *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].rel);
		free(v[i].target);
	}
	free(v);
}

static int unpack_model(struct mlpkg_model *m, const char *dir, const char *name, char **made,
			const struct mlpkg_progress *prog)
{
	struct zipio *z = m->zip;
	const char *zip = m->path;
	const char *prefix = m->zip_prefix;
	size_t plen = strlen(prefix);
	mode_t um = current_umask();
	mode_t root_mode = 0777 & ~um;
	long long root_mtime = -1;
	if (zipio_check_all(z) < 0)
		return -1;
	long n = zipio_count(z);
	struct uent *v = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*v));
	size_t nv = 0;
	int rc = 0;
	uint64_t total = 0;
	for (long i = 0; rc == 0 && i < n; i++) {
		struct zipio_entry e;
		if (zipio_entry(z, i, &e) < 0) {
			rc = -1;
			break;
		}
		/* every name is checked, Finder's resource forks (__MACOSX/,
		 * skipped) included: a '..' there is as hostile as anywhere */
		if (check_entry_name(zip, e.name) < 0) {
			rc = -1;
			break;
		}
		if (!strncmp(e.name, "__MACOSX/", 9))
			continue;
		char *sn = shown(e.name);
		size_t nl = strlen(e.name);
		if (plen && strncmp(e.name, prefix, plen) &&
		    !(e.kind == ZIPIO_DIR && nl == plen - 1 && !strncmp(e.name, prefix, nl)))
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is outside the package folder '%s'; nothing written", zip,
					sn, prefix);
		else if (!plen && has_suffix(e.name, ".mlpackage/Manifest.json"))
			rc = error_code(EXIT_INVALID, "'%s': the zip holds more than one package ('%s' and one at its root); "
					"nothing written", zip, sn);
		else if (e.kind == ZIPIO_OTHER)
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is a device, pipe or socket; nothing written", zip, sn);
		else if (e.encrypted)
			rc = error_code(EXIT_INVALID, "'%s': entry '%s' is encrypted; nothing written", zip, sn);
		free(sn);
		if (rc < 0)
			break;
		const char *rel = nl >= plen ? e.name + plen : "";
		size_t rl = strlen(rel);
		while (rl && rel[rl - 1] == '/')
			rl--;
		if (!rl) {
			if (e.kind != ZIPIO_DIR) {
				rc = error_code(EXIT_INVALID, "'%s': entry '%s' is not a folder; nothing written", zip, e.name);
				break;
			}
			if (e.has_mode)
				root_mode = e.mode & 0777;
			root_mtime = e.mtime;
			continue;
		}
		struct uent *u = &v[nv++];
		u->index = i;
		u->rel = xstrndup(rel, rl);
		u->kind = e.kind;
		u->mtime = e.mtime;
		u->mode = e.has_mode ? e.mode & 0777 : (e.kind == ZIPIO_DIR ? 0777 : 0666) & ~um;
		if (e.kind == ZIPIO_FILE)
			total += e.size;
	}
	/* duplicated names (a file and a folder of one name included) */
	if (rc == 0) {
		qsort(v, nv, sizeof(*v), cmp_uent);
		for (size_t i = 1; i < nv; i++)
			if (!strcmp(v[i - 1].rel, v[i].rel)) {
				char *sn = shown(v[i].rel);
				rc = error_code(EXIT_INVALID, "'%s': entry '%s%s' appears twice; nothing written", zip, prefix, sn);
				free(sn);
				break;
			}
	}
	/* nothing may lie beyond a link or a file of the archive */
	for (size_t i = 0; rc == 0 && i < nv; i++) {
		char *p = xstrdup(v[i].rel);
		for (char *s = strchr(p, '/'); rc == 0 && s; s = strchr(s + 1, '/')) {
			*s = 0;
			const struct uent *u = find_uent(v, nv, p);
			if (u && u->kind != ZIPIO_DIR) {
				char *sn = shown(v[i].rel), *sp = shown(p);
				rc = error_code(EXIT_INVALID, "'%s': entry '%s%s' lies beyond the %s '%s%s'; nothing written", zip,
						prefix, sn, u->kind == ZIPIO_LINK ? "link" : "file", prefix, sp);
				free(sn);
				free(sp);
			}
			*s = '/';
		}
		free(p);
	}
	/* links: read, and kept only when they stay inside */
	for (size_t i = 0; rc == 0 && i < nv; i++) {
		if (v[i].kind != ZIPIO_LINK)
			continue;
		uint8_t *t;
		size_t tl;
		if (zipio_read(z, v[i].index, &t, &tl, PATH_MAX) < 0) {
			rc = -1;
			break;
		}
		v[i].target = (char *)t;
		if (memchr(t, 0, tl) || !link_stays_inside(v, nv, v[i].rel, v[i].target)) {
			char *sn = shown(v[i].rel), *st = shown(v[i].target);
			rc = error_code(EXIT_INVALID, "'%s': entry '%s%s' is a link leading outside the package (to '%s'); "
					"nothing written", zip, prefix, sn, st);
			free(sn);
			free(st);
		}
	}
	if (rc < 0) {
		uents_free(v, nv);
		return -1;
	}
	/* the folder's name */
	char *pname = NULL;
	if (name) {
		pname = xstrdup(name);
	} else if (plen) {
		pname = xstrndup(prefix, plen - 1);
	} else {
		char *zd, *zb;
		split_path(zip, &zd, &zb);
		pname = zip_root_name(zb);
		free(zd);
		free(zb);
	}
	if (!plain_name(pname)) {
		char *sn = shown(pname);
		error_code(EXIT_USAGE, "'%s': '%s' cannot name a package folder", zip, sn);
		free(sn);
		free(pname);
		uents_free(v, nv);
		return -1;
	}
	int replace;
	char *made_top = NULL;
	char *dest = prepare_dest(dir, pname, &made_top, &replace);
	char *tmp = NULL;
	struct fs_held h = { 0 };
	if (!dest)
		rc = -1;
	if (rc == 0) {
		fs_hold_signals(&h);
		tmp = make_temp_dir(dir, pname);
		if (!tmp)
			rc = -1;
	}
	struct progress pr;
	progress_begin(&pr, prog, "unpacking", zip, total);
	if (rc == 0)
		rc = extract_into(z, zip, tmp, v, nv, root_mode, &pr);
	progress_end(&pr);
	if (rc == 0) {
		set_times(tmp, root_mtime);
		rc = install_dir(tmp, dest, replace);
	}
	if (rc < 0) {
		if (tmp)
			fs_remove_tree(tmp);
		unmake_path(dir, made_top);
	} else if (made) {
		*made = dest;
		dest = NULL;
	}
	fs_release_signals(&h);
	free(made_top);
	free(tmp);
	free(dest);
	free(pname);
	uents_free(v, nv);
	return rc;
}

/* opens a zipped package for unpack; NULL (reported) for anything else */
static struct mlpkg_model *open_zipped_package(const char *zip)
{
	struct mlpkg_model *m;
	if (mlpkg_open(zip, 0, &m) < 0)
		return NULL;
	if (m->fmt != FMT_ZIP || !m->man) {
		if (m->fmt == FMT_ZIP)
			error_code(EXIT_USAGE, "'%s': the zip holds a single .mlmodel, not a package; 'mlpkg convert' makes a "
				   "package of it", zip);
		else
			error_code(EXIT_USAGE, "'%s': not a zip archive (a %s); unpack takes a zipped package", zip,
				   m->fmt == FMT_PACKAGE ? "package folder" : "spec");
		mlpkg_close(m);
		return NULL;
	}
	return m;
}

int pkg_unpack(const char *zip, const char *dir, const char *name, char **made, const struct mlpkg_progress *prog)
{
	struct mlpkg_model *m = open_zipped_package(zip);
	if (!m)
		return -1;
	int rc = unpack_model(m, dir, name, made, prog);
	mlpkg_close(m);
	return rc;
}

/* ---- convert ------------------------------------------------------------------------- */


/* a new package folder at out holding the spec */
static int new_package_dir(struct mlpkg_model *m, const char *out, const struct mlpkg_progress *prog)
{
	char *dir, *name;
	split_path(out, &dir, &name);
	int replace, rc = 0;
	char *made_top = NULL;
	mode_t um = current_umask();
	char *dest = prepare_dest(dir, name, &made_top, &replace);
	char *tmp = NULL;
	struct fs_held h = { 0 };
	if (!dest)
		rc = -1;
	if (rc == 0) {
		fs_hold_signals(&h);
		tmp = make_temp_dir(dir, name);
		if (!tmp)
			rc = -1;
	}
	struct progress pr;
	progress_begin(&pr, prog, "converting", m->path, m->spec_len);
	if (rc == 0) {
		char *man = pkg_new_manifest(0);
		char *p = xasprintf("%s/Manifest.json", tmp);
		rc = write_new_file(p, man, strlen(man), 0666 & ~um, NULL);
		free(p);
		free(man);
	}
	if (rc == 0)
		rc = make_dirs(m->path, tmp, "Data/com.apple.CoreML", 1);
	if (rc == 0) {
		char *p = xasprintf("%s/%s", tmp, SPEC_REL);
		mode_t mode = m->fmt == FMT_MLMODEL ? (m->st.st_mode & 0777) : (0666 & ~um);
		rc = write_new_file(p, m->spec, m->spec_len, mode, &pr);
		free(p);
	}
	progress_end(&pr);
	if (rc == 0) {
		const char *dirs[] = { "Data/com.apple.CoreML", "Data" };
		for (size_t i = 0; rc == 0 && i < 2; i++) {
			char *p = xasprintf("%s/%s", tmp, dirs[i]);
			fsync_path(p, 1);
			if (chmod(p, 0777 & ~um) < 0)
				rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", p, strerror(errno));
			free(p);
		}
		fsync_path(tmp, 1);
		if (rc == 0 && chmod(tmp, 0777 & ~um) < 0)
			rc = error_code(EXIT_WRITE, "'%s': cannot set its mode: %s", tmp, strerror(errno));
	}
	if (rc == 0)
		rc = install_dir(tmp, dest, replace);
	if (rc < 0) {
		if (tmp)
			fs_remove_tree(tmp);
		unmake_path(dir, made_top);
	}
	fs_release_signals(&h);
	free(made_top);
	free(tmp);
	free(dest);
	free(dir);
	free(name);
	return rc;
}

/* a new zipped package at out holding the spec */
static int new_package_zip(struct mlpkg_model *m, const char *out, enum pkg_compress how,
			   const struct mlpkg_progress *prog)
{
	char *dir, *base;
	split_path(out, &dir, &base);
	char *root = zip_root_name(base);
	mode_t um = current_umask();
	char *man = pkg_new_manifest(0);
	struct atomic_file af;
	struct zipio *z = NULL;
	struct fs_held h;
	fs_hold_signals(&h);
	int rc = atomic_begin(&af, out, 0), begun = rc == 0;
	if (rc == 0 && !(z = zipio_create(af.tmp, out)))
		rc = -1;
	const char *dirs[] = { "", "Data/", "Data/com.apple.CoreML/" };
	for (size_t i = 0; rc == 0 && i < 3; i++) {
		char *name = xasprintf("%s/%s", root, dirs[i]);
		rc = zipio_add_dir(z, name, 0777 & ~um, -1);
		free(name);
	}
	if (rc == 0) {
		char *name = xasprintf("%s/Manifest.json", root);
		rc = zipio_add_buffer(z, name, man, strlen(man), 0666 & ~um, how != PKG_STORE);
		free(name);
	}
	if (rc == 0) {
		char *name = xasprintf("%s/%s", root, SPEC_REL);
		mode_t mode = m->fmt == FMT_MLMODEL ? (m->st.st_mode & 0777) : (0666 & ~um);
		rc = zipio_add_buffer(z, name, m->spec, m->spec_len, mode, want_deflate(SPEC_REL, m->spec_len, how));
		free(name);
	}
	struct progress pr;
	progress_begin(&pr, prog, "converting", m->path, m->spec_len);
	if (rc == 0) {
		zipio_set_progress(z, progress_fraction, &pr);
		rc = zipio_commit(z);
	}
	progress_end(&pr);
	zipio_close(z);
	if (begun) {
		if (rc == 0 && !interrupted(out))
			rc = atomic_commit(&af);
		else
			atomic_abort(&af), rc = -1;
	}
	fs_release_signals(&h);
	free(man);
	free(root);
	free(dir);
	free(base);
	return rc;
}

/* the spec alone, verbatim, as an .mlmodel at out */
static int write_mlmodel(struct mlpkg_model *m, const char *out, const struct mlpkg_progress *prog)
{
	struct atomic_file af;
	struct fs_held h;
	fs_hold_signals(&h);
	if (atomic_begin(&af, out, 0) < 0) {
		fs_release_signals(&h);
		return -1;
	}
	struct progress pr;
	progress_begin(&pr, prog, "converting", m->path, m->spec_len);
	int rc = 0;
	for (size_t off = 0; rc == 0 && off < m->spec_len;) {
		size_t chunk = m->spec_len - off > (8u << 20) ? (8u << 20) : m->spec_len - off;
		rc = atomic_write(&af, m->spec + off, chunk);
		off += chunk;
		progress_add(&pr, chunk);
		if (rc == 0 && interrupted(out))
			rc = -1;
	}
	progress_end(&pr);
	if (rc < 0)
		atomic_abort(&af);
	else
		rc = atomic_commit(&af);
	fs_release_signals(&h);
	return rc;
}

/* 1 when the package item (a path relative to Data/) is there with content */
static int item_present(struct mlpkg_model *m, const char *path)
{
	char *rel = xasprintf("Data/%s", path);
	int found = 0;
	if (m->fmt == FMT_PACKAGE) {
		char *full = xasprintf("%s/%s", m->pkg_dir, rel);
		struct stat st;
		if (lstat(full, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				found = 1;
			} else {
				DIR *d = opendir(full);
				struct dirent *e;
				while (d && !found && (e = readdir(d)))
					found = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
				if (d)
					closedir(d);
			}
		}
		free(full);
	} else if (m->fmt == FMT_ZIP) {
		char *entry = xasprintf("%s%s", m->zip_prefix, rel);
		size_t el = strlen(entry);
		long n = zipio_count(m->zip);
		for (long i = 0; i < n && !found; i++) {
			const char *nm = zipio_name(m->zip, i);
			if (nm && !strncmp(nm, entry, el) && (nm[el] == 0 || (nm[el] == '/' && nm[el + 1])))
				found = 1;
		}
		free(entry);
	}
	free(rel);
	return found;
}

static int out_kind(const char *out, enum out_kind *k)
{
	*k = OUT_MLMODEL;
	switch (mlpkg_kind_of_name(out)) {
	case FMT_MLMODEL: *k = OUT_MLMODEL; return 0;
	case FMT_PACKAGE: *k = OUT_PACKAGE; return 0;
	case FMT_ZIP: *k = OUT_ZIP; return 0;
	default:
		return error_code(EXIT_USAGE,
				  "'%s': cannot tell what to make from the name: use .mlmodel, .mlpackage or .zip", out);
	}
}

int pkg_convert(const char *in, const char *out, enum pkg_compress how, const struct mlpkg_progress *prog)
{
	enum out_kind k;
	if (out_kind(out, &k) < 0)
		return -1;
	if (strcmp(in, "-") && mlpkg_same_file(in, out))
		return error_code(EXIT_USAGE, "'%s': the result cannot replace the model it comes from", out);
	struct mlpkg_model *m;
	if (mlpkg_open(in, 0, &m) < 0)
		return -1;
	int pkg = m->man != NULL, rc = 0;
	char *blob = NULL;
	int r = find_blob_ref(m->root, &blob);
	if (r < 0)
		rc = -1; /* reported: the spec does not decode */
	else if ((k == OUT_MLMODEL && !pkg && m->fmt != FMT_ZIP) || (k == OUT_PACKAGE && m->fmt == FMT_PACKAGE) ||
		 (k == OUT_ZIP && m->fmt == FMT_ZIP && pkg))
		rc = error_code(EXIT_USAGE, "'%s' is already %s; nothing to convert", m->path,
				k == OUT_MLMODEL ? "an .mlmodel" : k == OUT_PACKAGE ? "a package folder" : "a zip");
	else if (dest_replaceable(out, k) < 0)
		rc = -1;
	else if (k == OUT_MLMODEL) {
		if (r == 1)
			rc = error_code(EXIT_USAGE, "'%s': the model keeps its weights in '%s', which an .mlmodel cannot carry; "
					"nothing written", m->path, blob);
		for (size_t i = 0; pkg && rc == 0 && i < m->man->n; i++)
			if (i != m->man->root && item_present(m, m->man->items[i].path))
				rc = error_code(EXIT_USAGE, "'%s': the package carries '%s' (%s), which an .mlmodel cannot "
						"carry; nothing written", m->path, m->man->items[i].path,
						m->man->items[i].description ? m->man->items[i].description
									     : m->man->items[i].name);
		if (rc == 0)
			rc = write_mlmodel(m, out, prog);
	} else if (pkg) {
		if (k == OUT_PACKAGE) {
			char *dir, *name;
			split_path(out, &dir, &name);
			rc = unpack_model(m, dir, name, NULL, prog);
			free(dir);
			free(name);
		} else {
			rc = pack_model(m, out, how, prog);
		}
	} else if (r == 1) {
		rc = error_code(EXIT_INVALID, "'%s': its ML program refers to the weight file '%s', which a bare .mlmodel "
				"cannot carry; convert the package it came from instead", m->path, blob);
	} else if (k == OUT_PACKAGE) {
		rc = new_package_dir(m, out, prog);
	} else {
		rc = new_package_zip(m, out, how, prog);
	}
	free(blob);
	mlpkg_close(m);
	return rc;
}
