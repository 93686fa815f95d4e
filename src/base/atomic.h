/* atomic: replace a file by writing a temp file beside it, fsync, rename,
 * fsync the folder.  The new file keeps the old one's mode (and owner when
 * we may set it).  On any failure the temp file is removed and the original
 * is left as it was; errors have exit class EXIT_WRITE. */
#ifndef MLPKG_ATOMIC_H
#define MLPKG_ATOMIC_H
#include <stddef.h>
#include <sys/types.h>

struct atomic_file {
	char *path; /* final name */
	char *tmp;  /* temp name in the same folder */
	int fd;
	int failed;
};

/* The file a write to path replaces: path itself, or, when path is a
 * symbolic link, the file it leads to (the link stays a link). */
char *atomic_target(const char *path);
/* Starts writing the file that will replace path (its atomic_target), in a
 * temp file beside it.  mode is used when path does not exist yet (0666 &
 * ~umask when 0). */
int atomic_begin(struct atomic_file *af, const char *path, mode_t mode);
int atomic_write(struct atomic_file *af, const void *p, size_t n);
/* appends n bytes of file fd from offset off (in the kernel when it can) */
int atomic_copy_from(struct atomic_file *af, int fd, off_t off, size_t n);
/* an mt_sink write function over an atomic_file */
int atomic_sink_write(void *ctx, const void *p, size_t n);
int atomic_commit(struct atomic_file *af);
void atomic_abort(struct atomic_file *af);
/* fsync a folder (after a rename in it) */
int fsync_dir_of(const char *path);
/* 1 when INT, TERM or HUP is pending (held back by the caller) and not
 * ignored: the process is to stop what it writes, clean up and let it end
 * the process.  (Linux keeps a blocked signal pending even when it is
 * ignored: under nohup a HUP must not stop anything.) */
int atomic_signal_pending(void);
/* removes the temp files of the atomic writes in progress (signal handlers) */
void atomic_cleanup_all(void);
/* Removes the temp files that atomic writes to path left behind when they
 * were killed (SIGKILL, a power cut): ours, regular, untouched for more than
 * max_age seconds.  Call it only while holding the lock of path, so that
 * none of them belongs to an in-place edit in progress (the age spares a
 * write to path with -o, which takes no lock).  Returns how many. */
int atomic_clean_stale(const char *path, int max_age);
/* The same for the temp files libzip's save of the zip at path leaves when
 * killed: PATH.XXXXXX, empty or starting like a zip archive. */
int atomic_clean_stale_zip(const char *path, int max_age);
#endif
