/*
 * scope.c - the policy's scope globs: '*' matches a run of characters
 * other than '/', '**' any run at all, everything else itself. Matching
 * a name is a walk over the pattern's positions; whether two scopes can
 * match one name is a walk over pairs of positions, the two patterns
 * read as automata in step.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum tok_kind { T_LIT, T_STAR, T_GLOBSTAR };

struct tok {
	enum tok_kind kind;
	char c;
};

/* Split a scope into literal characters, '*' and '**'. New array. */
static struct tok *scope_tokens(const char *s, size_t *n)
{
	struct tok *t = malloc((strlen(s) + 1) * sizeof(*t));
	size_t k = 0;

	if (!t)
		return NULL;
	while (*s) {
		if (s[0] == '*' && s[1] == '*') {
			t[k++].kind = T_GLOBSTAR;
			s += 2;
		} else if (*s == '*') {
			t[k++].kind = T_STAR;
			s++;
		} else {
			t[k].kind = T_LIT;
			t[k++].c = *s++;
		}
	}
	*n = k;
	return t;
}

bool policy_scope_match(const char *scope, const char *repo)
{
	size_t nt, m = strlen(repo), i, j;
	struct tok *t = scope_tokens(scope, &nt);
	bool *prev = calloc(m + 1, sizeof(bool));
	bool *cur = calloc(m + 1, sizeof(bool));
	bool ok = false, *tmp;

	if (!t || !prev || !cur)
		goto out;
	/* prev[j]: the tokens so far match the first j characters */
	prev[0] = true;
	for (i = 0; i < nt; i++) {
		for (j = 0; j <= m; j++) {
			switch (t[i].kind) {
			case T_LIT:
				cur[j] = j > 0 && prev[j - 1] &&
					 repo[j - 1] == t[i].c;
				break;
			case T_STAR:
				cur[j] = prev[j] || (j > 0 && cur[j - 1] &&
						     repo[j - 1] != '/');
				break;
			case T_GLOBSTAR:
				cur[j] = prev[j] || (j > 0 && cur[j - 1]);
				break;
			}
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	ok = prev[m];
out:
	free(t);
	free(prev);
	free(cur);
	return ok;
}

/* Two patterns read in step: a state is a pair of positions, one in
 * each, numbered ia * w + ib. */
struct walk {
	const struct tok *ta, *tb;
	size_t na, nb, w;
	unsigned char *seen;
	size_t *stack, top;
	char chars[260];		/* the characters worth trying */
	size_t nc;
};

static void push(struct walk *k, size_t state)
{
	if (!k->seen[state]) {
		k->seen[state] = 1;
		k->stack[k->top++] = state;
	}
}

/* Every literal of both patterns, '/', and one character that is none
 * of them (it stands for all the others). */
static void alphabet(struct walk *k)
{
	bool lit[256] = { false };
	size_t i;

	for (i = 0; i < k->na; i++)
		if (k->ta[i].kind == T_LIT)
			lit[(unsigned char)k->ta[i].c] = true;
	for (i = 0; i < k->nb; i++)
		if (k->tb[i].kind == T_LIT)
			lit[(unsigned char)k->tb[i].c] = true;
	lit['/'] = true;
	k->nc = 0;
	for (i = 1; i < 256; i++)
		if (lit[i])
			k->chars[k->nc++] = (char)i;
	k->chars[k->nc++] = '\x01';
}

/* Where token @t at position @i goes on @ch: its next position, the
 * same (a wildcard eating it), or nowhere (SIZE_MAX). */
static size_t step(const struct tok *t, size_t i, char ch)
{
	if (t->kind == T_LIT)
		return t->c == ch ? i + 1 : SIZE_MAX;
	return t->kind == T_GLOBSTAR || ch != '/' ? i : SIZE_MAX;
}

/* Push every state one character, or one empty wildcard, from
 * (@ia, @ib). */
static void successors(struct walk *k, size_t ia, size_t ib)
{
	size_t c, ga, gb;

	/* a wildcard may match nothing */
	if (ia < k->na && k->ta[ia].kind != T_LIT)
		push(k, (ia + 1) * k->w + ib);
	if (ib < k->nb && k->tb[ib].kind != T_LIT)
		push(k, ia * k->w + ib + 1);
	if (ia == k->na || ib == k->nb)
		return;
	for (c = 0; c < k->nc; c++) {
		ga = step(&k->ta[ia], ia, k->chars[c]);
		gb = step(&k->tb[ib], ib, k->chars[c]);
		if (ga != SIZE_MAX && gb != SIZE_MAX)
			push(k, ga * k->w + gb);
	}
}

bool scope_overlap(const char *a, const char *b)
{
	struct walk k = { 0 };
	struct tok *ta = scope_tokens(a, &k.na), *tb = scope_tokens(b, &k.nb);
	bool ok = false;

	k.ta = ta;
	k.tb = tb;
	k.w = k.nb + 1;
	if (!ta || !tb || !(k.seen = calloc((k.na + 1) * k.w, 1)) ||
	    !(k.stack = malloc((k.na + 1) * k.w * sizeof(*k.stack))))
		goto out;
	alphabet(&k);
	push(&k, 0);
	while (k.top) {
		size_t s = k.stack[--k.top];

		if (s / k.w == k.na && s % k.w == k.nb) {
			ok = true;
			break;
		}
		successors(&k, s / k.w, s % k.w);
	}
out:
	free(ta);
	free(tb);
	free(k.seen);
	free(k.stack);
	return ok;
}

/* ---- the host part of a scope -------------------------------------------- */

char *scope_canonical(const char *scope)
{
	const char *slash = strchr(scope, '/');
	size_t hn = slash ? (size_t)(slash - scope) : strlen(scope);
	char host[REF_HOST_MAX], *out;
	size_t h, rest = strlen(scope + hn);

	if (hn >= sizeof(host))
		return strdup(scope);	/* check_scope caps the whole */
	memcpy(host, scope, hn);
	host[hn] = '\0';
	if (ref_canonical_host(host, sizeof(host), host) < 0)
		return strdup(scope);
	h = strlen(host);
	if (!(out = malloc(h + rest + 1)))
		return NULL;
	memcpy(out, host, h);
	memcpy(out + h, scope + hn, rest + 1);
	return out;
}

bool scope_host_literal(const char *scope)
{
	const char *slash = strchr(scope, '/');

	return slash && !memchr(scope, '*', (size_t)(slash - scope));
}

bool scope_other_hosts(const char *catchall, const char *specific)
{
	const char *slash = strchr(specific, '/');
	char *any;
	bool ok;

	if (scope_host_literal(catchall) || !slash)
		return false;
	/* the specific scope's repositories under any host at all */
	if (!(any = malloc(strlen(slash) + 2)))
		return false;
	any[0] = '*';
	memcpy(any + 1, slash, strlen(slash) + 1);
	ok = scope_overlap(catchall, any);
	free(any);
	return ok;
}
