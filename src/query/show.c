/* show: output helpers for the inspection commands (see show.h). */
#include "query/show.h"
#include <stdlib.h>
#include <string.h>

void show_pad(FILE *fp, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', fp);
}

void show_escaped(FILE *fp, const char *s)
{
	fput_escaped(fp, s, strlen(s));
}

/* the printed width of s once escaped */
static size_t esc_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		w += (c == '\n' || c == '\t' || c == '\r') ? 2 : (c < 0x20 || c == 0x7f) ? 4 : 1;
	}
	return w;
}

void show_words(FILE *fp, const char *s, int col, int indent)
{
	size_t c = (size_t)col;
	int first = 1;
	while (*s) {
		size_t l = strcspn(s, " ");
		if (l) {
			char *word = strndup(s, l);
			size_t w = esc_width(word);
			if (!first && c + 1 + w > SHOW_WIDTH) {
				fputc('\n', fp);
				show_pad(fp, indent);
				c = (size_t)indent;
			} else if (!first) {
				fputc(' ', fp);
				c++;
			}
			show_escaped(fp, word);
			c += w;
			first = 0;
			free(word);
		}
		s += l;
		while (*s == ' ')
			s++;
	}
}

void show_features_text(FILE *fp, const char *title, const struct io_list *l, int ind)
{
	show_pad(fp, ind);
	fprintf(fp, "%s:%s\n", title, l->n ? "" : " none");
	size_t nw = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t w = esc_width(l->v[i].name);
		if (w > nw)
			nw = w;
	}
	if (nw > 28)
		nw = 28;
	for (size_t i = 0; i < l->n; i++) {
		const struct feature *f = &l->v[i];
		char *t = ft_format(&f->type);
		show_pad(fp, ind + 2);
		show_escaped(fp, f->name);
		size_t w = esc_width(f->name);
		size_t col = (size_t)ind + 2 + (w > nw ? w : nw) + 2;
		show_pad(fp, (int)(w > nw ? 2 : nw - w + 2));
		fputs(t, fp);
		col += strlen(t);
		if (f->type.optional) {
			fputs(" optional", fp);
			col += 9;
		}
		if (*f->desc) {
			size_t dw = esc_width(f->desc);
			if (col + 2 + dw <= SHOW_WIDTH) {
				fputs("  ", fp);
				show_escaped(fp, f->desc);
			} else {
				fputc('\n', fp);
				show_pad(fp, ind + 6);
				show_words(fp, f->desc, ind + 6, ind + 6);
			}
		}
		fputc('\n', fp);
		free(t);
	}
}

void show_features_json(struct jw *w, const struct io_list *l)
{
	jw_arr(w);
	for (size_t i = 0; i < l->n; i++) {
		jw_obj(w);
		jw_kstr(w, "name", l->v[i].name);
		jw_kstr(w, "description", l->v[i].desc);
		ft_json(w, &l->v[i].type);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void show_group_json(struct jw *w, const struct io_group *g)
{
	jw_key(w, "inputs");
	show_features_json(w, &g->in);
	jw_key(w, "outputs");
	show_features_json(w, &g->out);
	jw_key(w, "states");
	show_features_json(w, &g->state);
	if (!g->function) {
		jw_key(w, "trainingInputs");
		show_features_json(w, &g->training);
	}
	jw_kstr(w, "predictedFeatureName", g->predicted);
	jw_kstr(w, "predictedProbabilitiesName", g->probabilities);
}

void show_wrap(FILE *fp, const struct strlist *items, const char *sep, int col, int indent)
{
	size_t c = (size_t)col, sl = strlen(sep);
	for (size_t i = 0; i < items->n; i++) {
		size_t w = esc_width(items->v[i]);
		if (i) {
			if (c + sl + w > SHOW_WIDTH) {
				/* a separator's trailing spaces are left out at the line end */
				size_t k = sl;
				while (k && sep[k - 1] == ' ')
					k--;
				fwrite(sep, 1, k, fp);
				fputc('\n', fp);
				show_pad(fp, indent);
				c = (size_t)indent;
			} else {
				fputs(sep, fp);
				c += sl;
			}
		}
		show_escaped(fp, items->v[i]);
		c += w;
	}
}
