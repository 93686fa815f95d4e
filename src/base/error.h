/* error: messages on stderr and the exit codes every command shares. */
#ifndef MLPKG_ERROR_H
#define MLPKG_ERROR_H

/* Exit codes, documented in mlpkg(1) under EXIT STATUS. */
enum mlpkg_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* failure, or "differs" for commands that compare */
	EXIT_USAGE = 2,     /* bad command line or refused value */
	EXIT_NOTFOUND = 3,  /* key, path or feature not found */
	EXIT_INVALID = 4,   /* input is not a valid model or package */
	EXIT_WRITE = 5,     /* could not write; the original is untouched */
};

/* Prints "mlpkg: <message>" and returns -1; the exit class becomes EXIT_FAIL. */
int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, recording the exit class CODE for the command to return. */
int error_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit class of the last error (EXIT_FAIL when none was recorded). */
int last_error_code(void);
void set_error_code(int code);
/* When set, error() prints nothing (used for probing). */
extern int error_quiet;
#endif
