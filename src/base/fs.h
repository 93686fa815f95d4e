/* fs: file-system mechanics shared by the layers above: removing a tree we
 * made, holding INT/TERM/HUP back while a temp file or folder is built,
 * putting a temp folder in place over a destination, reading a whole file.
 * Nothing here reports: failures come back as -1 with errno set, for the
 * caller to word. */
#ifndef MLPKG_FS_H
#define MLPKG_FS_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Removes path and all under it.  Symbolic links are removed, never
 * followed; a folder is made writable (0700) before it is emptied, so that
 * read-only folders in the tree go too.  Meant for trees mlpkg made (temp
 * and set-aside folders); errors are ignored (what could not go stays). */
void fs_remove_tree(const char *path);

/* INT, TERM and HUP held back (blocked) between fs_hold_signals and
 * fs_release_signals; the code in between polls atomic_signal_pending(),
 * cleans up and returns, and the signal is delivered on release (an
 * ignored one stays ignored). */
struct fs_held {
	sigset_t old;
	int on;
};
void fs_hold_signals(struct fs_held *h);
void fs_release_signals(struct fs_held *h);

/* Puts the folder tmp in place as dest (both in the same parent folder).
 * replace 0: dest must not exist.  replace 1: dest exists and is replaced:
 * exchanged with tmp in one step where the system can (renameat2
 * RENAME_EXCHANGE), else moved aside (to TMP-old), tmp renamed over it and
 * the old one put back if that fails.  The old dest is then removed and the
 * parent folder fsynced.  0, or -1 with errno set and dest as it was (tmp
 * is left for the caller to remove). */
int fs_install_dir(const char *tmp, const char *dest, int replace);

/* Reads fd to its end: *buf (NUL-terminated, caller frees) and *len.
 * -1 with errno set (EFBIG when it holds more than max bytes). */
int fs_read_fd(int fd, uint8_t **buf, size_t *len, size_t max);
/* The same for the file at path (opened read-only; ENOENT when missing). */
int fs_read_file(const char *path, uint8_t **buf, size_t *len, size_t max);
/* 1 when path, its links followed, leads outside the folder dir (its links
 * followed too); 0 when inside, or when either cannot be resolved (the
 * caller's open reports a missing file). */
int fs_leads_outside(const char *dir, const char *path);
#endif
