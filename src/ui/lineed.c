/* lineed: the one-line editor (see lineed.h). */
#include "ui/lineed.h"
#include "base/xalloc.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static void reserve(struct lineed *e, size_t n)
{
	if (n + 1 > e->cap)
		xgrow((void **)&e->s, &e->cap, n + 1, sizeof(*e->s));
}

void le_set(struct lineed *e, const char *text)
{
	e->len = e->cur = e->first = 0;
	reserve(e, 0);
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	const char *p = text ? text : "";
	size_t left = strlen(p);
	while (left) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, p, left, &st);
		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			/* not UTF-8 here: the byte kept as a character of its own
			 * (U+DC00 + byte, which no text holds), given back by le_text */
			wc = (wchar_t)(0xdc00 | (unsigned char)*p);
			r = 1;
			memset(&st, 0, sizeof(st));
		}
		reserve(e, e->len + 1);
		e->s[e->len++] = wc;
		p += r;
		left -= r;
	}
	e->s[e->len] = 0;
	e->cur = e->len;
}

void le_init(struct lineed *e, const char *text)
{
	memset(e, 0, sizeof(*e));
	le_set(e, text);
}

void le_free(struct lineed *e)
{
	free(e->s);
	memset(e, 0, sizeof(*e));
}

/* removes s[a..b) */
static void cut(struct lineed *e, size_t a, size_t b)
{
	memmove(e->s + a, e->s + b, (e->len - b + 1) * sizeof(*e->s));
	e->len -= b - a;
	if (e->cur > b)
		e->cur -= b - a;
	else if (e->cur > a)
		e->cur = a;
}

static int is_word(wchar_t c)
{
	return iswalnum((wint_t)c) || c == '_';
}

static size_t word_left(const struct lineed *e)
{
	size_t i = e->cur;
	while (i && !is_word(e->s[i - 1]))
		i--;
	while (i && is_word(e->s[i - 1]))
		i--;
	return i;
}

static size_t word_right(const struct lineed *e)
{
	size_t i = e->cur;
	while (i < e->len && !is_word(e->s[i]))
		i++;
	while (i < e->len && is_word(e->s[i]))
		i++;
	return i;
}

int le_key(struct lineed *e, int op)
{
	switch (op) {
	case LE_LEFT:
		if (e->cur)
			e->cur--;
		return 1;
	case LE_RIGHT:
		if (e->cur < e->len)
			e->cur++;
		return 1;
	case LE_HOME: e->cur = 0; return 1;
	case LE_END: e->cur = e->len; return 1;
	case LE_BACKSPACE:
		if (e->cur)
			cut(e, e->cur - 1, e->cur);
		return 1;
	case LE_DELETE:
		if (e->cur < e->len)
			cut(e, e->cur, e->cur + 1);
		return 1;
	case LE_WORD_LEFT: e->cur = word_left(e); return 1;
	case LE_WORD_RIGHT: e->cur = word_right(e); return 1;
	case LE_KILL_WORD: {
		/* as readline's C-w: back to the previous white space */
		size_t i = e->cur;
		while (i && iswspace((wint_t)e->s[i - 1]))
			i--;
		while (i && !iswspace((wint_t)e->s[i - 1]))
			i--;
		cut(e, i, e->cur);
		return 1;
	}
	case LE_KILL_END: cut(e, e->cur, e->len); return 1;
	case LE_KILL_START: cut(e, 0, e->cur); return 1;
	}
	if (op < 0x20 && op != '\t')
		return 0;
	if (op < 0 || op > 0x10ffff || (op >= 0xd800 && op < 0xe000))
		return 0;
	reserve(e, e->len + 1);
	memmove(e->s + e->cur + 1, e->s + e->cur, (e->len - e->cur + 1) * sizeof(*e->s));
	e->s[e->cur++] = (wchar_t)op;
	e->len++;
	return 1;
}

char *le_text(const struct lineed *e)
{
	char *out = xmalloc(e->len * MB_LEN_MAX + 1);
	size_t k = 0;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < e->len; i++) {
		if (e->s[i] >= 0xdc00 && e->s[i] <= 0xdcff) {
			/* a byte that was not UTF-8 when read: given back as it was */
			out[k++] = (char)(e->s[i] & 0xff);
			continue;
		}
		size_t r = wcrtomb(out + k, e->s[i], &st);
		if (r == (size_t)-1) {
			out[k++] = '?';
			memset(&st, 0, sizeof(st));
		} else {
			k += r;
		}
	}
	out[k] = 0;
	return out;
}

static int cols(wchar_t c)
{
	int w = wcwidth(c);
	return w < 0 ? 1 : w;
}

int le_scroll(struct lineed *e, int width)
{
	if (width < 2)
		width = 2;
	if (e->first > e->cur)
		e->first = e->cur;
	/* keep the cursor inside, with room for it at the end */
	for (;;) {
		int w = 0;
		for (size_t i = e->first; i < e->cur; i++)
			w += cols(e->s[i]);
		if (w < width || e->first >= e->cur)
			return w < width ? w : width - 1;
		e->first++;
	}
}

char *le_visible(const struct lineed *e, int width)
{
	struct lineed part = { 0 };
	size_t end = e->first;
	int w = 0;
	while (end < e->len && w + cols(e->s[end]) <= width)
		w += cols(e->s[end++]);
	part.s = e->s + e->first;
	part.len = end - e->first;
	return le_text(&part);
}
