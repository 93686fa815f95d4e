/* model: open, lock and map models in all their forms (saving: save.c). */
#include "base/compat.h"
#include "model/model.h"
#include "base/atomic.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "model/zipio.h"
#include "model/internal.h"
#include "Model.pb-c.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_MANIFEST (1u << 20)
#define MAX_ZIP_SPEC ((uint64_t)4 << 30)

const char *mlpkg_format_name(enum mlpkg_format f)
{
	switch (f) {
	case FMT_MLMODEL: return "mlmodel";
	case FMT_PACKAGE: return "package";
	case FMT_ZIP: return "zip";
	case FMT_STDIN: return "stdin";
	}
	return "?";
}

int model_open_ro(const char *path, int extra)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOATIME | extra);
	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | extra);
	return fd;
}

static int open_error(const char *path, int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return error_code(EXIT_NOTFOUND, "'%s': no such file or folder", path);
	return error_code(EXIT_FAIL, "'%s': cannot open: %s", path, strerror(e));
}

/* Takes an exclusive lock on fd, waiting up to $MLPKG_LOCK_TIMEOUT seconds. */
static int lock_fd(int fd, const char *path)
{
	const char *t = getenv("MLPKG_LOCK_TIMEOUT");
	double limit = 30.0;
	if (t && *t) {
		char *e;
		double v = strtod(t, &e);
		if (*e || !(v >= 0 && v <= 1e9)) /* NaN fails too: never wait forever by accident */
			warning("MLPKG_LOCK_TIMEOUT='%s' is not a number of seconds; waiting at most %g s", t, limit);
		else
			limit = v;
	}
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return error_code(EXIT_FAIL, "'%s': cannot lock: %s", path, strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		double el = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (el >= limit)
			return error_code(EXIT_WRITE,
					  "'%s': still locked by another process after %g s (MLPKG_LOCK_TIMEOUT); "
					  "the model is unchanged",
					  path, limit);
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Opens path and, for writing, locks it: retried while the path is replaced
 * under us by another writer's rename. */
static int open_locked(const char *path, int lock, int extra, struct stat *st)
{
	for (int tries = 0; tries < 1000; tries++) {
		int fd = model_open_ro(path, extra);
		if (fd < 0)
			return -1;
		if (fstat(fd, st) < 0) {
			close(fd);
			return -1;
		}
		if (!lock)
			return fd;
		if (lock_fd(fd, path) < 0) {
			close(fd);
			errno = 0;
			return -2;
		}
		struct stat now;
		if (stat(path, &now) == 0 && now.st_ino == st->st_ino && now.st_dev == st->st_dev) {
			fstat(fd, st);
			return fd;
		}
		close(fd); /* replaced meanwhile: lock the new one */
	}
	errno = EAGAIN;
	return -1;
}

static int read_small_file(const char *path, char **text, size_t *len, size_t max)
{
	int fd = model_open_ro(path, 0);
	if (fd < 0)
		return -1;
	uint8_t *b;
	int r = fs_read_fd(fd, &b, len, max);
	int e = errno;
	close(fd);
	errno = e;
	if (r == 0)
		*text = (char *)b;
	return r;
}

int lfs_pointer(const uint8_t *p, size_t n, uint64_t *size)
{
	static const char head[] = "version https://git-lfs.github.com/spec/";
	*size = 0;
	if (n > 1024 || n < sizeof(head) - 1 || memcmp(p, head, sizeof(head) - 1))
		return 0;
	for (size_t i = 0; i + 6 < n; i++)
		if (!memcmp(p + i, "\nsize ", 6)) {
			for (size_t k = i + 6; k < n && p[k] >= '0' && p[k] <= '9' && *size < UINT64_MAX / 10; k++)
				*size = *size * 10 + (uint64_t)(p[k] - '0');
			break;
		}
	return 1;
}

int lfs_error(const char *label, uint64_t size)
{
	char sz[48] = "", h[32];
	if (size) {
		human_size(h, sizeof(h), size);
		snprintf(sz, sizeof(sz), " of %s", h);
	}
	return error_code(EXIT_INVALID,
			  "'%s': a Git LFS pointer, not the file itself (the real file%s was not "
			  "fetched: git lfs pull)",
			  label, sz);
}

/* Builds the tree and checks that the bytes look like a Core ML spec. */
static int make_root(struct mlpkg_model *m)
{
	if (m->spec_len == 0)
		return error_code(EXIT_INVALID, "'%s': empty file, not a Core ML model", m->path);
	uint64_t lfs_size;
	if (lfs_pointer(m->spec, m->spec_len, &lfs_size))
		return lfs_error(m->fmt == FMT_PACKAGE && m->spec_path ? m->spec_path : m->path, lfs_size);
	m->root = mt_root_new(&core_ml__specification__model__descriptor, m->spec, m->spec_len, m->path);
	if (m->map)
		mt_root_set_file(m->root, m->fd, m->map, m->map_len);
	struct error_capture probe;
	error_capture_begin(&probe, ERRCAP_DROP);
	int r = mt_parse(m->root);
	error_capture_end(&probe);
	if (r < 0) {
		if (m->fmt == FMT_MLMODEL || m->fmt == FMT_STDIN)
			return error_code(EXIT_INVALID, "'%s': not a Core ML model (not a protobuf message)", m->path);
		/* report why */
		struct mt_node *t =
			mt_root_new(&core_ml__specification__model__descriptor, m->spec, m->spec_len, m->path);
		mt_parse(t);
		mt_free(t);
		return -1;
	}
	size_t known = 0;
	for (size_t i = 0; i < m->root->n; i++)
		known += m->root->f[i].fd != NULL;
	if (!known)
		return error_code(EXIT_INVALID, "'%s': not a Core ML model (no known field at the top level)", m->path);
	/* Deeper nodes are checked when a command reaches them (the cost of a
	 * command is what it looks at); a save checks the whole spec first. */
	return 0;
}

static int map_spec(struct mlpkg_model *m, const char *path)
{
	if (!S_ISREG(m->st.st_mode))
		return error_code(EXIT_INVALID, "'%s': not a regular file", path);
	m->spec_len = (size_t)m->st.st_size;
	if (m->spec_len == 0) {
		m->spec = (const uint8_t *)"";
		return 0;
	}
	m->map = mmap(NULL, m->spec_len, PROT_READ, MAP_PRIVATE, m->fd, 0);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return error_code(EXIT_FAIL, "'%s': cannot map: %s", path, strerror(errno));
	}
	m->map_len = m->spec_len;
	m->spec = m->map;
	return 0;
}

/* Xcode compiles models into NAME.mlmodelc folders (coremldata.bin beside
 * the network or program); they are not the source format and say so. */
static int is_compiled_model(const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n >= 9 && !strncmp(dir + n - 9, ".mlmodelc", 9))
		return 1;
	char *p = xasprintf("%s/coremldata.bin", dir);
	struct stat st;
	int yes = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return yes;
}

static int open_package(struct mlpkg_model *m, int lock)
{
	char *mpath = xasprintf("%s/Manifest.json", m->pkg_dir);
	/* a Manifest.json that links outside the package is not read */
	if (fs_leads_outside(m->pkg_dir, mpath)) {
		free(mpath);
		return error_code(EXIT_INVALID, "'%s': Manifest.json leads outside the package", m->path);
	}
	if (read_small_file(mpath, &m->manifest_text, &m->manifest_len, MAX_MANIFEST) < 0) {
		int e = errno;
		struct stat lst;
		if (e == ENOENT && lstat(mpath, &lst) == 0 && S_ISLNK(lst.st_mode)) {
			/* there is one, but it leads nowhere */
			char to[PATH_MAX];
			ssize_t tl = readlink(mpath, to, sizeof to - 1);
			to[tl > 0 ? tl : 0] = 0;
			free(mpath);
			return error_code(EXIT_INVALID,
					  "'%s': Manifest.json is a symbolic link to nothing ('%s' does not exist)",
					  m->path, to);
		}
		free(mpath);
		if (e == ENOENT && is_compiled_model(m->pkg_dir))
			return error_code(EXIT_INVALID,
					  "'%s': a compiled model (.mlmodelc), which mlpkg reads only with "
					  "info, io, meta list/get, check, layers, weights and browse; use the "
					  ".mlmodel or .mlpackage it was compiled from",
					  m->path);
		if (e == ENOENT)
			return error_code(EXIT_INVALID, "'%s': a folder without Manifest.json, not an .mlpackage",
					  m->path);
		return error_code(EXIT_INVALID, "'%s': cannot read Manifest.json: %s", m->path, strerror(e));
	}
	free(mpath);
	char *label = xasprintf("%s/Manifest.json", m->path);
	m->man = manifest_parse(m->manifest_text, m->manifest_len, label);
	free(label);
	if (!m->man)
		return -1;
	const struct manifest_item *root = &m->man->items[m->man->root];
	m->spec_path = xasprintf("%s/Data/%s", m->pkg_dir, root->path);
	/* the spec must stay inside the package, links included */
	struct stat sst;
	if (stat(m->spec_path, &sst) < 0)
		return error_code(EXIT_INVALID, "'%s': the root spec '%s' named in Manifest.json is missing", m->path,
				  root->path);
	if (fs_leads_outside(m->pkg_dir, m->spec_path))
		return error_code(EXIT_INVALID, "'%s': the root spec '%s' leads outside the package", m->path,
				  root->path);
	m->fd = open_locked(m->spec_path, lock, 0, &m->st);
	if (m->fd < 0)
		return m->fd == -2 ? -1 : open_error(m->spec_path, errno);
	m->locked = lock;
	return map_spec(m, m->spec_path);
}

/* finds the package (or a lone .mlmodel) inside a zip */
static int open_zip(struct mlpkg_model *m, int writable)
{
	/* an edit goes through a link to the archive it leads to: libzip
	 * replaces the file it opened */
	if (writable) {
		char *target = atomic_target(m->path);
		m->zip = zipio_open(target, 1);
		free(target);
	} else {
		m->zip = zipio_open_fd(m->path, m->fd);
	}
	if (!m->zip)
		return -1;
	long n = zipio_count(m->zip), man = -1, lone = -1, nmodels = 0;
	/* two entries of one name: we would read the first, unzip keeps the
	 * last; a zip that means two things is refused (libzip finds the first) */
	for (long i = 0; i < n; i++) {
		const char *name = zipio_name(m->zip, i);
		if (name && zipio_find(m->zip, name) != i)
			return error_code(EXIT_INVALID, "'%s': the zip holds two entries named '%s'", m->path, name);
	}
	for (long i = 0; i < n; i++) {
		const char *name = zipio_name(m->zip, i);
		if (!name)
			continue;
		if (!strcmp(name, "Manifest.json")) {
			man = i;
			free(m->zip_prefix);
			m->zip_prefix = xstrdup("");
			break;
		}
		const char *s = strchr(name, '/');
		if (s && !strcmp(s, "/Manifest.json") && s - name > 10 && !strncmp(s - 10, ".mlpackage", 10)) {
			if (man >= 0 && strcmp(m->zip_prefix, "") != 0)
				return error_code(EXIT_INVALID, "'%s': the zip holds more than one package", m->path);
			man = i;
			m->zip_prefix = xstrndup(name, (size_t)(s - name) + 1);
		}
		size_t l = strlen(name);
		if (l > 8 && !strcmp(name + l - 8, ".mlmodel") && !strstr(name, ".mlpackage/")) {
			lone = i;
			nmodels++;
		}
	}
	if (man < 0) {
		if (nmodels == 1) {
			m->spec_entry = lone;
			return zipio_read(m->zip, lone, &m->buf, &m->spec_len, MAX_ZIP_SPEC) < 0
				       ? -1
				       : (m->spec = m->buf, 0);
		}
		return error_code(EXIT_INVALID, "'%s': a zip without a package (no Manifest.json) or a single .mlmodel",
				  m->path);
	}
	uint8_t *mt;
	if (zipio_read(m->zip, man, &mt, &m->manifest_len, MAX_MANIFEST) < 0)
		return -1;
	m->manifest_text = (char *)mt;
	char *label = xasprintf("%s:%sManifest.json", m->path, m->zip_prefix);
	m->man = manifest_parse(m->manifest_text, m->manifest_len, label);
	free(label);
	if (!m->man)
		return -1;
	const struct manifest_item *root = &m->man->items[m->man->root];
	char *entry = xasprintf("%sData/%s", m->zip_prefix, root->path);
	m->spec_entry = zipio_find(m->zip, entry);
	if (m->spec_entry < 0) {
		error_code(EXIT_INVALID, "'%s': the root spec '%s' named in Manifest.json is missing", m->path, entry);
		free(entry);
		return -1;
	}
	free(entry);
	if (zipio_read(m->zip, m->spec_entry, &m->buf, &m->spec_len, MAX_ZIP_SPEC) < 0)
		return -1;
	m->spec = m->buf;
	return 0;
}

int mlpkg_open(const char *path, int flags, struct mlpkg_model **out)
{
	struct mlpkg_model *m = xcalloc(1, sizeof(*m));
	int lock = flags & MLPKG_OPEN_WRITE;
	int r = -1;
	m->path = xstrdup(path);
	m->fd = -1;
	m->writable = lock;
	*out = NULL;
	if (!strcmp(path, "-")) {
		m->fmt = FMT_STDIN;
		if (fs_read_fd(0, &m->buf, &m->spec_len, (size_t)1 << 40) < 0) {
			error_code(EXIT_FAIL, "'-': cannot read standard input: %s", strerror(errno));
			goto done;
		}
		m->spec = m->buf;
		r = make_root(m);
		goto done;
	}
	struct stat st;
	if (stat(path, &st) < 0) {
		open_error(path, errno);
		goto done;
	}
	if (S_ISDIR(st.st_mode)) {
		m->fmt = FMT_PACKAGE;
		m->pkg_dir = xstrdup(path);
		size_t l = strlen(m->pkg_dir);
		while (l > 1 && m->pkg_dir[l - 1] == '/')
			m->pkg_dir[--l] = 0;
		if (open_package(m, lock) < 0)
			goto done;
		r = make_root(m);
		goto done;
	}
	m->fd = open_locked(path, lock, 0, &m->st);
	if (m->fd < 0) {
		if (m->fd == -1)
			open_error(path, errno);
		goto done;
	}
	m->locked = lock;
	uint8_t head[4] = { 0 };
	ssize_t h = pread(m->fd, head, 4, 0);
	if (h == 4 && zipio_sniff(head, 4)) {
		m->fmt = FMT_ZIP;
		if (open_zip(m, lock) < 0)
			goto done;
		r = make_root(m);
		goto done;
	}
	m->fmt = FMT_MLMODEL;
	m->spec_path = xstrdup(path);
	if (map_spec(m, path) < 0)
		goto done;
	r = make_root(m);
done:
	if (r < 0) {
		mlpkg_close(m);
		return -1;
	}
	*out = m;
	return 0;
}

void mlpkg_close(struct mlpkg_model *m)
{
	if (!m)
		return;
	mt_free(m->root);
	if (m->map)
		munmap(m->map, m->map_len);
	free(m->buf);
	if (m->fd >= 0)
		close(m->fd);
	zipio_close(m->zip);
	manifest_free(m->man);
	free(m->manifest_text);
	free(m->path);
	free(m->spec_path);
	free(m->pkg_dir);
	free(m->zip_prefix);
	free(m);
}

int mlpkg_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

int mlpkg_kind_of_name(const char *name)
{
	char *p = xstrdup(name);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = 0;
	int k = has_suffix(p, ".mlmodel")     ? FMT_MLMODEL
		: has_suffix(p, ".mlpackage") ? FMT_PACKAGE
		: has_suffix(p, ".zip")       ? FMT_ZIP
					      : -1;
	free(p);
	return k;
}

/* ---- finding the default model -------------------------------------------- */

#define DEFAULT_MODELS_SHOWN 15

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *mlpkg_default_model(void)
{
	const char *env = getenv("MLPKG_MODEL");
	if (env && *env)
		return xstrdup(env);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd))) {
		error_code(EXIT_USAGE, "no model named and the current folder is unreadable");
		return NULL;
	}
	/* inside a package? */
	char walk[PATH_MAX];
	strcpy(walk, cwd);
	for (;;) {
		if (has_suffix(walk, ".mlpackage")) {
			char *mf = xasprintf("%s/Manifest.json", walk);
			int ok = access(mf, F_OK) == 0;
			free(mf);
			if (ok)
				return xstrdup(walk);
		}
		char *slash = strrchr(walk, '/');
		if (!slash || slash == walk)
			break;
		*slash = 0;
	}
	DIR *d = opendir(".");
	struct dirent *e;
	char **found = NULL;
	size_t n = 0, cap = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (has_suffix(e->d_name, ".mlmodel") || has_suffix(e->d_name, ".mlpackage") ||
		    has_suffix(e->d_name, ".mlpackage.zip")) {
			xgrow((void **)&found, &cap, n + 1, sizeof(*found));
			found[n++] = xstrdup(e->d_name);
		}
	}
	if (d)
		closedir(d);
	if (n == 1) {
		char *one = found[0];
		free(found);
		return one;
	}
	if (n == 0) {
		free(found);
		error_code(EXIT_USAGE, "no model named, $MLPKG_MODEL unset, and no model in the current folder");
		return NULL;
	}
	/* the names one a line, sorted, at most DEFAULT_MODELS_SHOWN of them:
	 * the message fits a screen however many there are */
	qsort(found, n, sizeof(*found), cmp_names);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i < DEFAULT_MODELS_SHOWN)
			sb_addf(&sb, "\n  %s", found[i]);
		free(found[i]);
	}
	free(found);
	if (n > DEFAULT_MODELS_SHOWN)
		sb_addf(&sb, "\n  ... and %zu more", n - DEFAULT_MODELS_SHOWN);
	error_code(EXIT_USAGE, "no model named and %zu models in the current folder; name one:%s", n, sb.buf);
	sb_release(&sb);
	return NULL;
}

/* ---- package items ---------------------------------------------------------- */

char *mlpkg_model_dir(struct mlpkg_model *m)
{
	if (!m->man)
		return NULL;
	const char *rp = m->man->items[m->man->root].path;
	const char *slash = strrchr(rp, '/');
	return slash ? xasprintf("Data/%.*s", (int)(slash - rp), rp) : xstrdup("Data");
}

static char *item_rel(struct mlpkg_model *m, const char *name)
{
	const char *mp = "@model_path/";
	char *dir = mlpkg_model_dir(m);
	char *rel;
	if (!strncmp(name, mp, strlen(mp)))
		rel = xasprintf("%s/%s", dir ? dir : "Data/com.apple.CoreML", name + strlen(mp));
	else
		rel = xstrdup(name);
	free(dir);
	return rel;
}

int mlpkg_read_item(struct mlpkg_model *m, const char *name, struct buf *out)
{
	static const struct buf none = BUF_INIT;
	*out = none;
	if (m->fmt != FMT_PACKAGE && m->fmt != FMT_ZIP)
		return error_code(EXIT_NOTFOUND, "'%s': '%s' is not available outside a package", m->path, name);
	char *rel = item_rel(m, name);
	if (!path_is_contained(rel)) {
		error_code(EXIT_INVALID, "'%s': '%s' leads outside the package", m->path, name);
		free(rel);
		return -1;
	}
	int rc = 0;
	if (m->fmt == FMT_ZIP) {
		char *entry = xasprintf("%s%s", m->zip_prefix, rel);
		long i = zipio_find(m->zip, entry);
		if (i < 0)
			rc = error_code(EXIT_NOTFOUND, "'%s': no '%s' in the archive", m->path, entry);
		else {
			uint8_t *b;
			size_t len;
			rc = zipio_read(m->zip, i, &b, &len, (uint64_t)1 << 40);
			if (rc == 0)
				buf_own_heap(out, b, len);
		}
		free(entry);
		free(rel);
		return rc;
	}
	char *full = xasprintf("%s/%s", m->pkg_dir, rel);
	struct stat lst;
	if (stat(full, &lst) < 0)
		rc = error_code(EXIT_NOTFOUND, "'%s': no '%s' in the package", m->path, rel);
	else if (fs_leads_outside(m->pkg_dir, full))
		rc = error_code(EXIT_INVALID, "'%s': '%s' leads outside the package", m->path, rel);
	if (rc == 0) {
		int fd = model_open_ro(full, 0);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			rc = error_code(EXIT_INVALID, "'%s': cannot read '%s'", m->path, rel);
		} else if (st.st_size == 0) {
			buf_own_heap(out, xcalloc(1, 1), 0);
		} else if (buf_map(out, fd, (size_t)st.st_size) < 0) {
			rc = error_code(EXIT_FAIL, "'%s': cannot map '%s': %s", m->path, rel, strerror(errno));
		}
		if (fd >= 0)
			close(fd);
	}
	free(full);
	free(rel);
	return rc;
}

int64_t mlpkg_file_size(struct mlpkg_model *m, const char *rel)
{
	if (m->fmt == FMT_PACKAGE) {
		char *full = xasprintf("%s/%s", m->pkg_dir, rel);
		struct stat st;
		int ok = stat(full, &st) == 0 && S_ISREG(st.st_mode);
		free(full);
		return ok ? (int64_t)st.st_size : -1;
	}
	if (m->fmt == FMT_ZIP) {
		char *entry = xasprintf("%s%s", m->zip_prefix, rel);
		long i = zipio_find(m->zip, entry);
		free(entry);
		return i < 0 ? -1 : (int64_t)zipio_size(m->zip, i);
	}
	return -1;
}

int mlpkg_has_file(struct mlpkg_model *m, const char *rel)
{
	return mlpkg_file_size(m, rel) >= 0;
}

int mlpkg_has_item(struct mlpkg_model *m, const char *rel)
{
	if (m->fmt == FMT_PACKAGE) {
		char *full = xasprintf("%s/%s", m->pkg_dir, rel);
		struct stat st;
		int ok = stat(full, &st) == 0;
		free(full);
		return ok;
	}
	if (m->fmt != FMT_ZIP)
		return 0;
	if (mlpkg_has_file(m, rel))
		return 1;
	char *dir = xasprintf("%s%s/", m->zip_prefix, rel);
	size_t dl = strlen(dir);
	int found = 0;
	for (long i = 0, n = zipio_count(m->zip); i < n && !found; i++) {
		const char *name = zipio_name(m->zip, i);
		found = name && !strncmp(name, dir, dl);
	}
	free(dir);
	return found;
}
