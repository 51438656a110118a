/*
 * policy.c - the trust policy (signet-policy(5)): which keys may sign which
 * repositories, how many of them must, which are revoked. Loading reads
 * the policy and every key file it names before anything is fetched, and
 * reports every problem with its JSON path; evaluating is a pure function
 * of (policy, repository, signatures found, now).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "verify.h"
#include "internal.h"
#include "../keys/keys.h"

#define JP_MAX 256		/* a JSON path in a message */

/* ---- diagnostics -------------------------------------------------------- */

struct pctx {
	struct policy *p;
	struct jp_reader r;		/* reports to the caller's diags */
	const char *path;		/* the policy file, for the message */
	char dir[PATH_MAX];		/* its folder: where key files are */
	bool root_failed;		/* a keyless "trusted-root" was not
					 * usable (said) */
	char *top_root;			/* the policy's "trusted-root",
					 * resolved, or NULL */
	bool locked;			/* the locked system policy */
};

/* Record an error (@code < 0) or a warning (@code 0) at JSON path @jp. */
__attribute__((format(printf, 4, 5)))
static void diag(struct pctx *c, int code, const char *jp, const char *fmt,
		 ...)
{
	va_list ap;

	va_start(ap, fmt);
	jp_vreport(&c->r, code, jp, fmt, ap);
	va_end(ap);
}

/* Append one diagnostic to @arg, a struct policy_diags. */
static void diags_add(void *arg, bool warning, const char *msg)
{
	struct policy_diags *d = arg;
	struct policy_diag *items;

	items = realloc(d->items, (d->n + 1) * sizeof(*items));
	if (!items)
		return;		/* the first error is kept regardless */
	d->items = items;
	items[d->n].warning = warning;
	snprintf(items[d->n].msg, sizeof(items[d->n].msg), "%s", msg);
	d->n++;
	if (!warning)
		d->n_errors++;
}

void policy_diags_release(struct policy_diags *d)
{
	if (!d)
		return;
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static const char *subject_field(const char *name)
{
	static const char *const ok[] = { "C", "ST", "L", "O", "OU", "CN" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(ok[i], name) == 0)
			return NULL;
	return "unknown subject field (known: C, ST, L, O, OU, CN)";
}

/* ---- time --------------------------------------------------------------- */

/* rfc3339_parse, with "t" and "z" (people write policies), and nothing
 * before 1970: a revocation in the past of every signature. */
int policy_parse_time(time_t *out, const char *s)
{
	time_t t;

	if (rfc3339_parse(&t, s, RFC3339_LOWER) < 0 || t < 0)
		return err_set(ERR_FORMAT, "'%.64s' is not an RFC 3339 time "
			       "like \"2026-01-31T00:00:00Z\"", s);
	*out = t;
	return 0;
}

static void format_time(char out[32], time_t t)
{
	if (rfc3339_format(out, t) < 0)
		snprintf(out, 32, "%lld", (long long)t);
}

bool policy_key_revoked(const struct policy_key *k, time_t now)
{
	return k->revoked && (!k->revoked_timed || now >= k->revoked_at);
}

/* ---- scopes (matching: scope.c) ---------------------------------------- */

/* < 0 when @a is more specific than @b, > 0 when less, 0 when equal. */
static int specificity_cmp(const struct policy_rule *a,
			   const struct policy_rule *b)
{
	if ((a->wildcards == 0) != (b->wildcards == 0))
		return a->wildcards == 0 ? -1 : 1;
	if (a->literals != b->literals)
		return a->literals > b->literals ? -1 : 1;
	if (a->globstars != b->globstars)
		return a->globstars < b->globstars ? -1 : 1;
	if (a->wildcards != b->wildcards)
		return a->wildcards < b->wildcards ? -1 : 1;
	return 0;
}

const struct policy_rule *policy_match(const struct policy *p,
				       const char *repo)
{
	const struct policy_rule *best = NULL;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (policy_scope_match(r->scope, repo) &&
		    (!best || specificity_cmp(r, best) < 0))
			best = r;
	}
	return best;
}

/* Vet a scope and fill the rule's specificity; false after an error. */
static bool check_scope(struct pctx *c, const char *jp, const char *s,
			struct policy_rule *r)
{
	const char *q;

	if (strlen(s) >= REF_HOST_MAX + REF_REPO_MAX) {
		diag(c, ERR_FORMAT, jp, "scope is too long");
		return false;
	}
	for (q = s; *q; q++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			   "0123456789._-/:[]*", *q))
			continue;
		diag(c, ERR_FORMAT, jp, "scope '%s': character '%c' cannot "
		     "appear in a repository name (only '*' and '**' are "
		     "wildcards; no tag or digest)", s, *q);
		return false;
	}
	if (strstr(s, "***")) {
		diag(c, ERR_FORMAT, jp, "scope '%s': '***' means nothing; "
		     "use '*' or '**'", s);
		return false;
	}
	if (s[0] == '/' || strstr(s, "//") || s[strlen(s) - 1] == '/') {
		diag(c, ERR_FORMAT, jp, "scope '%s' has an empty path "
		     "component; it would match no image", s);
		return false;
	}
	if (!strchr(s, '/') && !strstr(s, "**")) {
		diag(c, ERR_FORMAT, jp, "scope '%s' names no repository and "
		     "would match no image (images are REGISTRY/REPOSITORY); "
		     "for every repository there write '%s/**'", s, s);
		return false;
	}
	for (q = s; *q; q++) {
		if (q[0] == '*' && q[1] == '*') {
			r->wildcards++;
			r->globstars++;
			q++;
		} else if (*q == '*') {
			r->wildcards++;
		} else {
			r->literals++;
		}
	}
	return true;
}

/* The rule's scope with its host written as references write theirs
 * (scope.c), so "REG.example.com:443/app" is the scope of the image
 * reg.example.com/app. Saying so when that changes it. */
static void canonical_scope(struct pctx *c, const char *jp, const char *s,
			    struct policy_rule *r)
{
	if (!(r->scope = scope_canonical(s))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	if (strcmp(r->scope, s) != 0)
		diag(c, 0, jp, "scope '%s' is read as '%s': registry hosts "
		     "are matched in lower case, without ':443', Docker Hub "
		     "as docker.io", s, r->scope);
}

/* Is @b's trust weaker than @a's: would it accept an image @a refuses? */
static const char *weaker_trust(const struct policy_rule *a,
				const struct policy_rule *b)
{
	size_t i, j;

	if (a->action == POLICY_ACCEPT_ANYTHING || b->action == POLICY_REJECT)
		return NULL;
	if (b->action == POLICY_ACCEPT_ANYTHING)
		return "accepts anything";
	if (a->action == POLICY_REJECT)
		return "accepts signed images";
	for (i = 0; i < b->n_keys; i++) {
		for (j = 0; j < a->n_keys && a->keys[j] != b->keys[i]; j++)
			;
		if (j == a->n_keys)
			return "trusts other keys";
	}
	return b->threshold < a->threshold ? "needs fewer signatures" : NULL;
}

/* Names that differ only by DNS (localhost and 127.0.0.1, a CNAME)
 * cannot be proven one registry: such a name of a host-specific rule's
 * registry falls to a catch-all beside it. Warn, once per catch-all,
 * when that one trusts less. */
static void check_catchalls(struct pctx *c)
{
	const struct policy *p = c->p;
	char jb[JP_MAX], more[64];
	const char *how, *first_how = NULL;
	size_t i, j, first = 0, n;

	for (j = 0; j < p->n_rules; j++) {
		const struct policy_rule *b = &p->rules[j];

		for (i = n = 0; i < p->n_rules && b->scope; i++) {
			const struct policy_rule *a = &p->rules[i];

			if (i == j || !a->scope ||
			    !scope_host_literal(a->scope) ||
			    !scope_other_hosts(b->scope, a->scope) ||
			    !(how = weaker_trust(a, b)))
				continue;
			if (n++ == 0) {
				first = i;
				first_how = how;
			}
		}
		if (!n)
			continue;
		more[0] = '\0';
		if (n > 1)
			snprintf(more, sizeof(more), " (and %zu more)", n - 1);
		diag(c, 0, jp_idx(jb, ".rules", j), "scope '%s' %s, and "
		     "matches what .rules[%zu] ('%s')%s covers under any other "
		     "name of that registry (another DNS name, its address): "
		     "signet cannot tell such names are one registry; narrow "
		     "this scope or give it \"reject\": true", b->scope,
		     first_how, first, p->rules[first].scope, more);
	}
}

/* ---- files -------------------------------------------------------------- */

/* Resolve @rel against the policy's folder, then check what is there:
 * a regular file, not a link. NULL after an error. */
static char *key_file(struct pctx *c, const char *jp, const char *rel)
{
	struct stat st;
	char *file;
	int n;

	if (rel[0] == '/')
		n = asprintf(&file, "%s", rel);
	else
		n = asprintf(&file, "%s/%s", c->dir, rel);
	if (n < 0) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	if (lstat(file, &st) < 0) {
		diag(c, ERR_IO, jp, "cannot use '%s': %s", file,
		     strerror(errno));
	} else if (S_ISLNK(st.st_mode)) {
		diag(c, ERR_IO, jp, "'%s' is a symbolic link; name the file "
		     "itself, so that the policy shows what is trusted", file);
	} else if (!S_ISREG(st.st_mode)) {
		diag(c, ERR_IO, jp, "'%s' is not a regular file", file);
	} else if (access(file, R_OK) < 0) {
		diag(c, ERR_IO, jp, "cannot read '%s': %s", file,
		     strerror(errno));
	} else {
		if (st.st_mode & S_IWOTH)
			diag(c, 0, jp, "'%s' is writable by anyone, so anyone "
			     "can change whom this policy trusts", file);
		return file;
	}
	free(file);
	return NULL;
}

/* ---- keys --------------------------------------------------------------- */

static bool key_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("._@+-", *s)))
			return false;
	return true;
}

static void load_public(struct pctx *c, const char *jp,
			struct policy_key *k)
{
	struct policy *p = c->p;
	EVP_PKEY *key = NULL, **pk;
	size_t i;
	int rc;

	if ((rc = keys_load_public(&key, k->file)) < 0) {
		diag(c, rc, jp, "%s", err_msg());
		err_clear();
		return;
	}
	if ((rc = keys_fingerprint(k->fingerprint, key)) < 0) {
		diag(c, rc, jp, "%s", err_msg());
		EVP_PKEY_free(key);
		return;
	}
	/* one public key, one identity, whatever it is called
	 * (check_same_keys says so) */
	for (i = 0; i < p->n_keys; i++) {
		const struct policy_key *o = &p->keys[i];

		if (o != k && !o->certificate && o->key_index >= 0 &&
		    strcmp(o->fingerprint, k->fingerprint) == 0) {
			k->key_index = o->key_index;
			EVP_PKEY_free(key);
			return;
		}
	}
	pk = realloc(p->pkeys, (p->n_pkeys + 1) * sizeof(*pk));
	if (!pk) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		EVP_PKEY_free(key);
		return;
	}
	p->pkeys = pk;
	k->key_index = (int)p->n_pkeys;
	pk[p->n_pkeys++] = key;
}

static void load_certs(struct pctx *c, const char *jp, struct policy_key *k)
{
	struct policy *p = c->p;
	X509 **got = NULL, **all;
	char (*fps)[80];
	size_t n = 0, i, j;
	char tp[65], tq[65];
	int rc;

	if ((rc = keys_load_certs(&got, &n, k->file)) < 0) {
		diag(c, rc, jp, "%s", err_msg());
		err_clear();
		return;
	}
	if (p->n_certs + n > POLICY_CERTS_MAX) {
		diag(c, ERR_FORMAT, jp, "more than %d certificates in all",
		     POLICY_CERTS_MAX);
		goto out;
	}
	all = realloc(p->certs, (p->n_certs + n) * sizeof(*all));
	if (all)
		p->certs = all;
	fps = realloc(p->cert_keys, (p->n_certs + n) * sizeof(*fps));
	if (fps)
		p->cert_keys = fps;
	k->cert_index = calloc(n, sizeof(*k->cert_index));
	if (!all || !fps || !k->cert_index) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (keys_cert_thumbprint(tp, got[i]) < 0) {
			diag(c, ERR_CRYPTO, jp, "%s", err_msg());
			goto out;
		}
		for (j = 0; j < p->n_certs; j++)
			if (keys_cert_thumbprint(tq, p->certs[j]) == 0 &&
			    strcmp(tp, tq) == 0)
				break;
		if (j == p->n_certs) {
			/* its key's identity, as for public-key entries */
			if (keys_fingerprint(fps[j],
					     X509_get0_pubkey(got[i])) < 0) {
				diag(c, ERR_CRYPTO, jp, "certificate %zu: %s",
				     i + 1, err_msg());
				goto out;
			}
			p->certs[p->n_certs++] = got[i];
			got[i] = NULL;
		}
		k->cert_index[k->n_certs++] = j;
	}
out:
	keys_certs_free(got, n);
}

/* ---- keyless signers ---------------------------------------------------- */

/* Does regexp @re compile as fulcio_match compiles it? Its error into
 * @why when not. */
static bool regexp_ok(const char *re, char *why, size_t whysz)
{
	regex_t rx;
	char *anchored;
	int rc;

	/* alone first: "x)|(.*" compiles only once wrapped, and then
	 * matches anything */
	if ((rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) == 0) {
		regfree(&rx);
		if (asprintf(&anchored, "^(%s)$", re) < 0) {
			snprintf(why, whysz, "out of memory");
			return false;
		}
		rc = regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB);
		free(anchored);
	}
	if (rc != 0) {
		regerror(rc, &rx, why, whysz);
		return false;
	}
	regfree(&rx);
	return true;
}

/* Exactly one of @what ("identity") and @what-regexp from keyless
 * object @v at @jp, into @exact or @re (new strings). */
static void keyless_name(struct pctx *c, const json_t *v, const char *jp,
			 const char *what, char **exact, char **re)
{
	char field[32], sub[JP_MAX], why[128];
	const char *e, *r;

	snprintf(field, sizeof(field), "%s-regexp", what);
	e = jp_get_str(&c->r, v, what, jp, false);
	r = jp_get_str(&c->r, v, field, jp, false);
	if (json_object_get(v, what) && json_object_get(v, field)) {
		diag(c, ERR_FORMAT, jp, "give \"%s\" or \"%s\", not both",
		     what, field);
		return;
	}
	if (!json_object_get(v, what) && !json_object_get(v, field)) {
		diag(c, ERR_FORMAT, jp, "missing \"%s\" or \"%s\"", what,
		     field);
		return;
	}
	jp_key(sub, jp, e ? what : field);
	if ((e && strlen(e) >= FULCIO_NAME_MAX) ||
	    (r && strlen(r) >= FULCIO_NAME_MAX)) {
		diag(c, ERR_FORMAT, sub, "longer than %d bytes",
		     FULCIO_NAME_MAX - 1);
		return;
	}
	if (r && !regexp_ok(r, why, sizeof(why))) {
		diag(c, ERR_FORMAT, sub, "'%s' is not a POSIX extended "
		     "regular expression: %s", r, why);
		return;
	}
	if (e && strchr(e, '*'))
		diag(c, 0, sub, "'%s' is matched exactly, '*' included; for a "
		     "pattern write \"%s\" (a regexp over the whole %s)", e,
		     field, what);
	if ((e && !(*exact = strdup(e))) || (r && !(*re = strdup(r))))
		diag(c, ERR_NOMEM, NULL, "out of memory");
}

/* "keyless:" and the SHA-256 of what entry @k matches: one signer, one
 * fingerprint, whatever its names. */
static void keyless_fingerprint(struct policy_key *k)
{
	const char *part[4] = { k->identity, k->identity_re, k->issuer,
				k->issuer_re };
	char buf[4 * (FULCIO_NAME_MAX + 2)];
	struct digest d;
	size_t i, n = 0;

	/* the kind of each part and its bytes, NUL-separated: no string
	 * has a NUL (jp_get_str), so no two entries run together */
	for (i = 0; i < 4; i++) {
		buf[n++] = part[i] ? (char)('0' + i) : '-';
		if (part[i]) {
			memcpy(buf + n, part[i], strlen(part[i]) + 1);
			n += strlen(part[i]) + 1;
		}
	}
	digest_of(&d, buf, n);
	snprintf(k->fingerprint, sizeof(k->fingerprint), "keyless:%s",
		 digest_hex(&d));
}

/* "keyless": the identity and issuer a Fulcio certificate must have,
 * and optionally the trusted root that anchors it. */
static void parse_keyless(struct pctx *c, const json_t *v, const char *jp,
			  struct policy_key *k)
{
	static const char *const fields[] = { "identity", "identity-regexp",
					      "issuer", "issuer-regexp",
					      "trusted-root", NULL };
	const char *root;
	char sub[JP_MAX];

	k->keyless = true;
	if (!json_is_object(v)) {
		diag(c, ERR_FORMAT, jp, "expected an object with \"identity\" "
		     "or \"identity-regexp\", and \"issuer\" or "
		     "\"issuer-regexp\"");
		return;
	}
	jp_only_fields(&c->r, v, jp, fields, "identity, identity-regexp, "
		       "issuer, issuer-regexp, trusted-root");
	keyless_name(c, v, jp, "identity", &k->identity, &k->identity_re);
	keyless_name(c, v, jp, "issuer", &k->issuer, &k->issuer_re);
	if ((k->identity || k->identity_re) && (k->issuer || k->issuer_re))
		keyless_fingerprint(k);
	if (json_object_get(v, "trusted-root") &&
	    (!(root = jp_get_str(&c->r, v, "trusted-root", jp, false)) ||
	     !(k->trusted_root = key_file(c, jp_key(sub, jp, "trusted-root"),
					  root))))
		c->root_failed = true;
}

/* ".keys.NAME.keyless", and with @root ".trusted-root" after it. */
static const char *keyless_jp(char out[JP_MAX], const struct policy_key *k,
			      bool root)
{
	char a[JP_MAX], b[JP_MAX];

	jp_key(a, ".keys", k->name);
	if (!root)
		return jp_key(out, a, "keyless");
	jp_key(b, a, "keyless");
	return jp_key(out, b, "trusted-root");
}

/* Are @a and @b (resolved file names, NULL: none) the same file? */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b)
		return a == b;
	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	return strcmp(a, b) == 0;
}

/* The index in p->roots of the trusted root in @file (resolved; NULL:
 * $SIGNET_TRUSTED_ROOT, else the built-in one, never the environment's
 * under a lock), loaded when no entry loaded it before: each file once.
 * -1 after an error, said at @jp. */
static int root_slot(struct pctx *c, const char *file, const char *jp)
{
	struct policy *p = c->p;
	struct policy_root *roots, *r;
	const void *data;
	size_t i, len;
	int rc;

	for (i = 0; i < p->n_roots; i++)
		if (same_file(p->roots[i].file, file))
			return (int)i;
	roots = realloc(p->roots, (p->n_roots + 1) * sizeof(*roots));
	if (!roots) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return -1;
	}
	p->roots = roots;
	r = memset(&roots[p->n_roots], 0, sizeof(*r));
	if (!file && c->locked) {
		snprintf(r->name, sizeof(r->name), "%s",
			 KEYS_TRUSTROOT_BUILTIN);
		keys_trustroot_builtin_bytes(&data, &len);
		rc = keys_trustroot_parse(&r->root, data, len, r->name);
	} else {
		rc = keys_trustroot_select(&r->root, r->name, sizeof(r->name),
					   file);
	}
	if (rc == 0 && file && !(r->file = strdup(file)))
		rc = err_set(ERR_NOMEM, "out of memory");
	if (rc < 0) {
		diag(c, rc, jp, "%s", err_msg());
		err_clear();
		keys_trustroot_free(r->root);
		c->root_failed = true;
		return -1;
	}
	return (int)p->n_roots++;
}

/* A doubt about require-tlog when keyless entries name roots of their
 * own and the policy none; @tlog: the first rule with require-tlog
 * (p->n_rules: none), @own: entries naming their own root. */
static void root_warnings(struct pctx *c, size_t tlog, size_t own)
{
	struct policy *p = c->p;
	char jp[JP_MAX], jf[JP_MAX];

	if (!c->top_root && own && tlog < p->n_rules)
		diag(c, 0, jp_key(jp, jp_idx(jf, ".rules", tlog),
				  "require-tlog"), "the log entries of key "
		     "signatures are checked against %s, not the keyless "
		     "signers' own trusted roots; name the one meant as the "
		     "policy's \"trusted-root\"", c->p->trustroot_name[0] ?
		     c->p->trustroot_name : "the default trusted root");
}

/* The trusted roots of the keyless entries, of rules that require a log
 * entry and of key signatures' log entries, each distinct file loaded
 * once: each entry's own "trusted-root", else the policy's (at
 * ".trusted-root"), else $SIGNET_TRUSTED_ROOT, else the built-in one;
 * under a lock never the environment's. The default (the latter three)
 * is p->trustroot; when only key signatures' log entries may need it and
 * the policy names none, it is read when one does (p->tlog_root). */
static void keyless_root(struct pctx *c)
{
	struct policy *p = c->p;
	const char *top = c->top_root;
	size_t i, j = 0, tlog, own = 0, dflt = 0;
	char jp[JP_MAX], jf[JP_MAX];
	int slot;

	for (tlog = 0; tlog < p->n_rules && !p->rules[tlog].require_tlog;
	     tlog++)
		;
	for (i = 0; i < p->n_keys && !c->root_failed; i++) {
		struct policy_key *k = &p->keys[i];

		if (!k->keyless)
			continue;
		own += k->trusted_root != NULL;
		dflt += k->trusted_root == NULL;
		if (!k->trusted_root && top)
			snprintf(jp, sizeof(jp), ".trusted-root");
		else
			keyless_jp(jp, k, k->trusted_root != NULL);
		slot = root_slot(c, k->trusted_root ? k->trusted_root : top,
				 jp);
		k->root = slot;
		if (slot >= 0 && j < p->n_signers)
			p->signer_roots[j++] = p->roots[slot].root;
	}
	if (c->root_failed)
		return;
	if (top)
		snprintf(jp, sizeof(jp), ".trusted-root");
	else if (tlog < p->n_rules)
		jp_key(jp, jp_idx(jf, ".rules", tlog), "require-tlog");
	if (!dflt && tlog == p->n_rules && !top) {
		/* only key signatures' log entries may need the default: the
		 * environment's or the built-in root, read when one does */
		if (!(p->tlog_root = calloc(1, sizeof(*p->tlog_root)))) {
			diag(c, ERR_NOMEM, ".", "out of memory");
			return;
		}
		keys_trustroot_lazy_init(p->tlog_root, NULL, c->locked);
		return;
	}
	if ((slot = root_slot(c, top, jp)) < 0)
		return;
	p->trustroot = p->roots[slot].root;
	snprintf(p->trustroot_name, sizeof(p->trustroot_name), "%s",
		 p->roots[slot].name);
	root_warnings(c, tlog, own);
}

/* The keyless entries as verify_opts.signers; the policy's
 * "trusted-root" member is read here, and loaded by keyless_root once
 * the rules are read. */
static void keyless_signers(struct pctx *c, const json_t *doc)
{
	struct policy *p = c->p;
	const char *rel;
	size_t i, n = 0;

	if (json_object_get(doc, "trusted-root") &&
	    (!(rel = jp_get_str(&c->r, doc, "trusted-root", "", false)) ||
	     !(c->top_root = key_file(c, ".trusted-root", rel))))
		c->root_failed = true;
	for (i = 0; i < p->n_keys; i++)
		n += p->keys[i].keyless;
	if (n && (!(p->signers = calloc(n, sizeof(*p->signers))) ||
		  !(p->signer_roots = calloc(n, sizeof(*p->signer_roots))))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	for (i = 0; i < p->n_keys; i++) {
		const struct policy_key *k = &p->keys[i];

		if (!k->keyless)
			continue;
		p->signers[p->n_signers].identity = k->identity;
		p->signers[p->n_signers].identity_re = k->identity_re;
		p->signers[p->n_signers].issuer = k->issuer;
		p->signers[p->n_signers++].issuer_re = k->issuer_re;
	}
}

static void parse_key(struct pctx *c, const char *name, const json_t *v,
		      const char *jp)
{
	static const char *const fields[] = { "public-key", "certificate",
					      "keyless", "revoked",
					      "comment", NULL };
	struct policy_key *k = &c->p->keys[c->p->n_keys];
	const char *pub, *cert, *file;
	json_t *rev;
	char sub[JP_MAX];
	int kinds;

	memset(k, 0, sizeof(*k));
	k->key_index = k->root = -1;
	if (!(k->name = strdup(name))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	c->p->n_keys++;
	if (!key_name_ok(name))
		diag(c, ERR_FORMAT, jp, "key names are 1 to 64 letters, "
		     "digits and . _ @ + -");
	if (!json_is_object(v)) {
		diag(c, ERR_FORMAT, jp, "expected an object with "
		     "\"public-key\", \"certificate\" or \"keyless\"");
		return;
	}
	jp_only_fields(&c->r, v, jp, fields, "public-key, certificate, "
		       "keyless, revoked, comment");
	jp_get_str(&c->r, v, "comment", jp, false);
	pub = jp_get_str(&c->r, v, "public-key", jp, false);
	cert = jp_get_str(&c->r, v, "certificate", jp, false);
	kinds = !!json_object_get(v, "public-key") +
		!!json_object_get(v, "certificate") +
		!!json_object_get(v, "keyless");
	if (kinds > 1) {
		diag(c, ERR_FORMAT, jp, "give one of \"public-key\", "
		     "\"certificate\" and \"keyless\", not %s", kinds == 2 ?
		     "two" : "three");
		return;
	}
	if (kinds == 0) {
		diag(c, ERR_FORMAT, jp, "missing \"public-key\", "
		     "\"certificate\" or \"keyless\"");
		return;
	}
	rev = json_object_get(v, "revoked");
	jp_key(sub, jp, "revoked");
	if (json_is_boolean(rev)) {
		k->revoked = json_is_true(rev);
	} else if (json_is_string(rev)) {
		if (policy_parse_time(&k->revoked_at,
				      json_string_value(rev)) < 0) {
			diag(c, ERR_FORMAT, sub, "%s", err_msg());
			err_clear();
		} else {
			k->revoked = k->revoked_timed = true;
			format_time(k->revoked_since, k->revoked_at);
		}
	} else if (rev) {
		diag(c, ERR_FORMAT, sub, "expected true, false or an RFC 3339 "
		     "time like \"2026-01-31T00:00:00Z\"");
	}
	if (json_object_get(v, "keyless")) {
		parse_keyless(c, json_object_get(v, "keyless"),
			      jp_key(sub, jp, "keyless"), k);
		return;
	}
	k->certificate = cert != NULL;
	file = pub ? pub : cert;
	if (!file)
		return;		/* wrong type, already said */
	jp_key(sub, jp, pub ? "public-key" : "certificate");
	if (!(k->file = key_file(c, sub, file)))
		return;
	if (pub)
		load_public(c, sub, k);
	else
		load_certs(c, sub, k);
}

int policy_key_find(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_keys; i++)
		if (strcmp(p->keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- key identity ------------------------------------------------------- */

/* How many keys entry @k holds: its public key, or its certificates'. */
static size_t entry_n_keys(const struct policy_key *k)
{
	if (k->certificate)
		return k->n_certs;
	if (k->keyless)
		return k->fingerprint[0] ? 1 : 0;
	return k->key_index >= 0 ? 1 : 0;
}

/* The fingerprint of the @i-th key of entry @k. */
static const char *entry_key(const struct policy *p,
			     const struct policy_key *k, size_t i)
{
	return k->certificate ? p->cert_keys[k->cert_index[i]] :
	       k->fingerprint;
}

/* Does entry @k hold the key @fp, whatever the form? */
static bool holds_key(const struct policy *p, const struct policy_key *k,
		      const char *fp)
{
	size_t i;

	for (i = 0; fp && fp[0] && i < entry_n_keys(k); i++)
		if (strcmp(entry_key(p, k, i), fp) == 0)
			return true;
	return false;
}

enum revoked_when {
	REVOKED_AT,			/* revoked at a given time */
	REVOKED_EVER,			/* revoked, or to be */
	REVOKED_ALWAYS,			/* "revoked": true */
};

/* The first entry other than @skip (may be NULL) that holds key @fp and
 * is revoked as @when says (at @now), or NULL. */
static const struct policy_key *revoked_holder(const struct policy *p,
					       const char *fp,
					       const struct policy_key *skip,
					       enum revoked_when when,
					       time_t now)
{
	const struct policy_key *k;
	size_t i;

	for (i = 0; i < p->n_keys; i++) {
		k = &p->keys[i];
		if (k == skip || !k->revoked || !holds_key(p, k, fp))
			continue;
		if (when == REVOKED_EVER ||
		    (when == REVOKED_ALWAYS && !k->revoked_timed) ||
		    (when == REVOKED_AT && policy_key_revoked(k, now)))
			return k;
	}
	return NULL;
}

const struct policy_key *policy_key_revoked_as(const struct policy *p,
					       const struct policy_key *k)
{
	const struct policy_key *o = NULL;
	size_t i;

	for (i = 0; !o && i < entry_n_keys(k); i++)
		o = revoked_holder(p, entry_key(p, k, i), k, REVOKED_EVER, 0);
	return o;
}

/* The first key entries @a and @b both hold, or NULL. */
static const char *shared_key(const struct policy *p,
			      const struct policy_key *a,
			      const struct policy_key *b)
{
	size_t i;

	for (i = 0; i < entry_n_keys(a); i++)
		if (holds_key(p, b, entry_key(p, a, i)))
			return entry_key(p, a, i);
	return NULL;
}

/* Two names for one key are allowed (a key kept as a public key and in
 * a certificate, a rotation half done), but they are one key: say so,
 * once for each pair. */
static void check_same_keys(struct pctx *c)
{
	const struct policy *p = c->p;
	const char *fp;
	char jp[JP_MAX];
	size_t i, j;

	for (j = 0; j < p->n_keys; j++)
		for (i = 0; i < j; i++) {
			if (!(fp = shared_key(p, &p->keys[i], &p->keys[j])))
				continue;
			if (p->keys[j].keyless) {
				diag(c, 0, jp_key(jp, ".keys",
						  p->keys[j].name),
				     "'%s' names the same keyless signer as "
				     "'%s': the two names count as one signer, "
				     "and revoking either revokes both",
				     p->keys[j].name, p->keys[i].name);
				continue;
			}
			diag(c, 0, jp_key(jp, ".keys", p->keys[j].name),
			     "'%s' holds the same key as '%s' (%s): the two "
			     "names count as one key, and revoking either "
			     "revokes both", p->keys[j].name, p->keys[i].name,
			     fp);
		}
}

/* ---- rules -------------------------------------------------------------- */

static unsigned format_bit(const char *name)
{
	enum sig_format f;

	return format_by_name(&f, name) ? FORMAT_BIT(f) : 0;
}

static void rule_keys(struct pctx *c, const json_t *v, const char *jp,
		      struct policy_rule *r)
{
	char item[JP_MAX];
	size_t i, j;
	int k;

	if (!json_is_array(v) || json_array_size(v) == 0) {
		diag(c, ERR_FORMAT, jp, "expected a non-empty array of key "
		     "names");
		return;
	}
	if (json_array_size(v) > POLICY_RULE_KEYS_MAX) {
		diag(c, ERR_FORMAT, jp, "more than %d keys",
		     POLICY_RULE_KEYS_MAX);
		return;
	}
	if (!(r->keys = calloc(json_array_size(v), sizeof(*r->keys)))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	for (i = 0; i < json_array_size(v); i++) {
		json_t *m = json_array_get(v, i);
		const char *name = json_string_value(m);

		jp_idx(item, jp, i);
		if (!name) {
			diag(c, ERR_FORMAT, item, "expected a key name");
			continue;
		}
		if ((k = policy_key_find(c->p, name)) < 0) {
			diag(c, ERR_FORMAT, item, "no key '%s' in .keys", name);
			continue;
		}
		for (j = 0; j < r->n_keys; j++)
			if (r->keys[j] == (size_t)k)
				break;
		if (j < r->n_keys) {
			diag(c, ERR_FORMAT, item, "'%s' is listed twice", name);
			continue;
		}
		r->keys[r->n_keys++] = (size_t)k;
	}
}

static void rule_formats(struct pctx *c, const json_t *v, const char *jp,
			 struct policy_rule *r)
{
	char item[JP_MAX];
	unsigned bit;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0) {
		diag(c, ERR_FORMAT, jp, "expected a non-empty array of "
		     "\"cosign\", \"sigstore-bundle\", \"notation\"");
		return;
	}
	r->formats = 0;
	for (i = 0; i < json_array_size(v); i++) {
		const char *f = json_string_value(json_array_get(v, i));

		jp_idx(item, jp, i);
		if (!f || !(bit = format_bit(f))) {
			diag(c, ERR_FORMAT, item, "unknown format (known: "
			     "cosign, sigstore-bundle, notation)");
			continue;
		}
		if (r->formats & bit)
			diag(c, ERR_FORMAT, item, "'%s' is listed twice", f);
		r->formats |= bit;
	}
}

/* Say so when entry @k of a rule is revoked for good, under its own
 * name or, for one of its keys, another's. */
static void revoked_in_rule(struct pctx *c, const char *jp,
			    const struct policy_key *k)
{
	const struct policy_key *o = NULL;
	char sub[JP_MAX];
	size_t i;

	jp_key(sub, jp, "keys");
	if (k->keyless && k->revoked && !k->revoked_timed) {
		diag(c, 0, sub, "keyless signer '%s' is revoked; no signature "
		     "matching it counts", k->name);
		return;
	}
	if (k->revoked && !k->revoked_timed) {
		if (k->certificate)
			diag(c, 0, sub, "certificate '%s' is revoked; no "
			     "signature whose chain holds it counts",
			     k->name);
		else
			diag(c, 0, sub, "key '%s' is revoked; its signatures "
			     "never count", k->name);
		return;
	}
	for (i = 0; !o && i < entry_n_keys(k); i++)
		o = revoked_holder(c->p, entry_key(c->p, k, i), k,
				   REVOKED_ALWAYS, 0);
	if (o && k->keyless)
		diag(c, 0, sub, "keyless signer '%s' is revoked as '%s'; no "
		     "signature matching it counts", k->name, o->name);
	else if (o)
		diag(c, 0, sub, "%s '%s' holds a key revoked as '%s'; no "
		     "signature by that key counts", k->certificate ?
		     "certificate" : "key", k->name, o->name);
}

/* Doubts about a signed rule that parsed: revoked keys, thresholds that
 * cannot be met, keys that can never count for its formats. Keys are
 * counted by identity: the distinct keys the rule's entries hold. */
static void rule_checks(struct pctx *c, const char *jp,
			struct policy_rule *r)
{
	const struct policy *p = c->p;
	size_t i, j, m, n = 0, ids = 0, live = 0, certs = 0, pubs = 0;
	size_t keyless = 0;
	size_t unloaded = 0, *owner;
	const char **fps;
	char sub[JP_MAX];

	for (i = 0; i < r->n_keys; i++)
		n += entry_n_keys(&p->keys[r->keys[i]]);
	fps = calloc(n + 1, sizeof(*fps));
	owner = calloc(n + 1, sizeof(*owner));
	if (!fps || !owner) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < r->n_keys; i++) {
		const struct policy_key *k = &p->keys[r->keys[i]];
		bool said = false;

		if (k->certificate)
			certs++;
		else if (k->keyless)
			keyless++;
		else
			pubs++;
		revoked_in_rule(c, jp, k);
		if (!entry_n_keys(k))
			unloaded++;	/* its error is said: no more */
		for (m = 0; m < entry_n_keys(k); m++) {
			const char *fp = entry_key(p, k, m);

			for (j = 0; j < ids && strcmp(fps[j], fp) != 0; j++)
				;
			if (j < ids && !said && owner[j] != i)
				diag(c, 0, jp_key(sub, jp, "keys"), "'%s' and "
				     "'%s' are the same %s; they count once",
				     p->keys[r->keys[owner[j]]].name, k->name,
				     k->keyless ? "keyless signer" : "key");
			said |= j < ids && owner[j] != i;
			if (j < ids)
				continue;	/* one key, two names */
			owner[ids] = i;
			fps[ids++] = fp;
			if (!revoked_holder(p, fp, NULL, REVOKED_ALWAYS, 0))
				live++;
		}
	}
	ids += unloaded;
	live += unloaded;
	if (r->threshold > ids) {
		diag(c, ERR_FORMAT, jp_key(sub, jp, "threshold"), "%zu, but "
		     "the rule trusts only %zu distinct key%s", r->threshold,
		     ids, ids == 1 ? "" : "s");
	} else if (r->threshold > live) {
		diag(c, 0, jp_key(sub, jp, "threshold"), "%zu can never be "
		     "met: only %zu of the rule's keys are not revoked",
		     r->threshold, live);
	}
	if (certs && !(r->formats & FORMAT_BIT(FORMAT_NOTATION)))
		diag(c, 0, jp_key(sub, jp, "keys"), "certificates only count "
		     "for notation signatures, which this rule does not "
		     "accept");
	if (pubs && r->formats == FORMAT_BIT(FORMAT_NOTATION))
		diag(c, 0, jp_key(sub, jp, "keys"), "public keys do not count "
		     "for notation signatures; name certificates");
	if (keyless && r->formats == FORMAT_BIT(FORMAT_NOTATION))
		diag(c, 0, jp_key(sub, jp, "keys"), "keyless signers count "
		     "for cosign and sigstore-bundle signatures only, which "
		     "this rule does not accept");
	if (r->require_tlog && (r->formats & FORMAT_BIT(FORMAT_NOTATION)) &&
	    certs)
		diag(c, 0, jp_key(sub, jp, "require-tlog"), "notation "
		     "signatures have no transparency log entry: under this "
		     "rule they never count");
	if (r->subject.n && !certs)
		diag(c, ERR_FORMAT, jp_key(sub, jp, "subject"), "applies to "
		     "certificates, and the rule trusts none");
	if (r->subject.n && !(r->formats & FORMAT_BIT(FORMAT_NOTATION)))
		diag(c, ERR_FORMAT, jp_key(sub, jp, "subject"), "applies to "
		     "notation signatures, which the rule does not accept");
out:
	free(fps);
	free(owner);
}

/* "signed-identity" (identity.c reads it): for cosign signatures only. */
static void rule_identity(struct pctx *c, const json_t *v, const char *jp,
			  struct policy_rule *r)
{
	if (!(r->identity = calloc(1, sizeof(*r->identity)))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	if (signed_identity_read(r->identity, &c->r, v, jp, r->scope) < 0)
		return;
	if (!(r->formats & FORMAT_BIT(FORMAT_COSIGN)))
		diag(c, ERR_FORMAT, jp, "applies to cosign signatures, which "
		     "the rule does not accept (sigstore-bundle and notation "
		     "bind only the digest)");
}

/* Append the certificates of the file @rel (at @jp) to r->tsa_certs. */
static void tsa_file(struct pctx *c, const char *jp, const char *rel,
		     struct policy_rule *r)
{
	X509 **got = NULL, **all;
	size_t n = 0;
	char *file;
	int rc;

	if (!(file = key_file(c, jp, rel)))
		return;
	rc = keys_load_certs(&got, &n, file);
	free(file);
	if (rc < 0) {
		diag(c, rc, jp, "%s", err_msg());
		err_clear();
		return;
	}
	if (r->n_tsa_certs + n > POLICY_CERTS_MAX) {
		diag(c, ERR_FORMAT, jp, "more than %d certificates in the "
		     "rule's \"tsa-certificates\"", POLICY_CERTS_MAX);
	} else if (!(all = realloc(r->tsa_certs, (r->n_tsa_certs + n) *
				   sizeof(*all)))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
	} else {
		r->tsa_certs = all;
		memcpy(all + r->n_tsa_certs, got, n * sizeof(*got));
		r->n_tsa_certs += n;
		free(got);
		return;
	}
	keys_certs_free(got, n);
}

/* "tsa-certificates": files of the timestamp authorities trusted for
 * the timestamp countersignatures of notation signatures, read as
 * --tsa-cert reads them, relative to the policy's folder. */
static void rule_tsa(struct pctx *c, const json_t *v, const char *jp,
		     struct policy_rule *r)
{
	char sub[JP_MAX];
	const json_t *f;
	size_t i;
	bool anchors = false;

	if (!json_is_array(v) || !json_array_size(v)) {
		diag(c, ERR_FORMAT, jp, "expected an array of certificate "
		     "files");
		return;
	}
	json_array_foreach(v, i, f) {
		jp_idx(sub, jp, i);
		if (!json_is_string(f) || !json_string_length(f))
			diag(c, ERR_FORMAT, sub, "expected a file name");
		else
			tsa_file(c, sub, json_string_value(f), r);
	}
	for (i = 0; i < r->n_keys; i++)
		anchors |= c->p->keys[r->keys[i]].certificate;
	if (!(r->formats & FORMAT_BIT(FORMAT_NOTATION)) || !anchors)
		diag(c, 0, jp, "only notation signatures carry timestamp "
		     "countersignatures, and the rule %s", !anchors ?
		     "trusts no certificate entry" : "does not accept them");
}

static void parse_rule(struct pctx *c, const json_t *v, const char *jp)
{
	static const char *const fields[] = {
		"scope", "keys", "threshold", "annotations", "formats",
		"subject", "signed-identity", "require-tlog",
		"tsa-certificates", "reject", "insecure-accept-anything",
		"comment", NULL
	};
	static const char *const signed_only[] = {
		"keys", "threshold", "annotations", "formats", "subject",
		"signed-identity", "require-tlog", "tsa-certificates", NULL
	};
	struct policy_rule *r = &c->p->rules[c->p->n_rules];
	const char *scope, *const *f;
	bool reject, accept;
	json_t *t;
	char sub[JP_MAX];

	memset(r, 0, sizeof(*r));
	r->index = c->p->n_rules++;
	r->threshold = 1;
	r->formats = FORMAT_ALL;
	if (!json_is_object(v)) {
		diag(c, ERR_FORMAT, jp, "expected an object");
		return;
	}
	jp_only_fields(&c->r, v, jp, fields, "scope, keys, threshold, "
		       "annotations, formats, subject, signed-identity, "
		       "require-tlog, tsa-certificates, reject, "
		       "insecure-accept-anything, comment");
	jp_get_str(&c->r, v, "comment", jp, false);
	scope = jp_get_str(&c->r, v, "scope", jp, true);
	if (scope && check_scope(c, jp_key(sub, jp, "scope"), scope, r))
		canonical_scope(c, sub, scope, r);
	reject = jp_get_bool(&c->r, v, "reject", jp);
	accept = jp_get_bool(&c->r, v, "insecure-accept-anything", jp);
	if (reject && accept) {
		diag(c, ERR_FORMAT, jp, "\"reject\" and "
		     "\"insecure-accept-anything\" contradict each other");
		return;
	}
	if (reject || accept) {
		r->action = reject ? POLICY_REJECT : POLICY_ACCEPT_ANYTHING;
		for (f = signed_only; *f; f++)
			if (json_object_get(v, *f))
				diag(c, ERR_FORMAT, jp_key(sub, jp, *f),
				     "a rule with \"%s\" takes no \"%s\"",
				     reject ? "reject" :
				     "insecure-accept-anything", *f);
		return;
	}
	r->action = POLICY_SIGNED;
	if (!json_object_get(v, "keys"))
		diag(c, ERR_FORMAT, jp_key(sub, jp, "keys"), "missing: name "
		     "the keys that may sign, or give \"reject\": true");
	else
		rule_keys(c, json_object_get(v, "keys"),
			  jp_key(sub, jp, "keys"), r);
	if ((t = json_object_get(v, "threshold"))) {
		jp_key(sub, jp, "threshold");
		if (!json_is_integer(t) || json_integer_value(t) < 1 ||
		    json_integer_value(t) > POLICY_RULE_KEYS_MAX)
			diag(c, ERR_FORMAT, sub, "expected an integer from 1 "
			     "to %d", POLICY_RULE_KEYS_MAX);
		else
			r->threshold = (size_t)json_integer_value(t);
	}
	jp_get_kv(&c->r, v, "annotations", jp, &r->annotations, NULL);
	if (json_object_get(v, "formats"))
		rule_formats(c, json_object_get(v, "formats"),
			     jp_key(sub, jp, "formats"), r);
	jp_get_kv(&c->r, v, "subject", jp, &r->subject, subject_field);
	if ((t = json_object_get(v, "signed-identity")))
		rule_identity(c, t, jp_key(sub, jp, "signed-identity"), r);
	r->require_tlog = jp_get_bool(&c->r, v, "require-tlog", jp);
	if ((t = json_object_get(v, "tsa-certificates")))
		rule_tsa(c, t, jp_key(sub, jp, "tsa-certificates"), r);
	if (r->n_keys)
		rule_checks(c, jp, r);
}

/* Identical scopes are an error; overlapping scopes of equal
 * specificity a warning (the earlier wins, which is easy to miss). */
static void check_overlaps(struct pctx *c)
{
	const struct policy *p = c->p;
	char ja[JP_MAX], jb[JP_MAX];
	size_t i, j;

	for (i = 0; i < p->n_rules; i++)
		for (j = i + 1; j < p->n_rules; j++) {
			const struct policy_rule *a = &p->rules[i];
			const struct policy_rule *b = &p->rules[j];

			if (!a->scope || !b->scope)
				continue;
			jp_idx(ja, ".rules", i);
			jp_idx(jb, ".rules", j);
			if (strcmp(a->scope, b->scope) == 0)
				diag(c, ERR_FORMAT, jb, "same scope '%s' as "
				     "%s; one rule per scope", b->scope, ja);
			else if (specificity_cmp(a, b) == 0 &&
				 scope_overlap(a->scope, b->scope))
				diag(c, 0, jb, "scope '%s' overlaps '%s' of %s "
				     "with equal specificity; for images "
				     "both match, %s wins (the earlier)",
				     b->scope, a->scope, ja, ja);
		}
}

/* Is a certificate of entry @k one that rule @r trusts (1), or issued
 * by one (2)? 0: neither. The trusted entry's name into @anchor. */
static int under_anchor(const struct policy *p, const struct policy_key *k,
			const struct policy_rule *r, const char **anchor)
{
	size_t i, j, m;

	for (i = 0; i < r->n_keys; i++) {
		const struct policy_key *a = &p->keys[r->keys[i]];

		for (j = 0; a->certificate && j < a->n_certs; j++)
			for (m = 0; m < k->n_certs; m++) {
				X509 *ca = p->certs[a->cert_index[j]];
				X509 *x = p->certs[k->cert_index[m]];

				*anchor = a->name;
				if (x == ca)
					return 1;
				if (X509_check_issued(ca, x) == X509_V_OK &&
				    X509_verify(x, X509_get0_pubkey(ca)) == 1)
					return 2;
			}
	}
	err_clear();
	return 0;
}

/* A revoked certificate entry needs no rule: it refuses every chain
 * holding it. Say so where a rule trusts it under another name or
 * trusts its issuer, since the revocation then matters; elsewhere
 * "no rule uses this key" stands. */
static bool revoked_cert_used(struct pctx *c, size_t i)
{
	const struct policy_key *k = &c->p->keys[i];
	const char *anchor = NULL;
	char jp[JP_MAX];
	size_t j;
	int how = 0;

	if (!k->certificate || !k->revoked)
		return false;
	for (j = 0; j < c->p->n_rules && !how; j++)
		how = under_anchor(c->p, k, &c->p->rules[j], &anchor);
	if (!how)
		return false;
	diag(c, 0, jp_key(jp, ".keys", k->name), "certificate '%s' is "
	     "revoked%s%s: notation signatures whose chain holds it are "
	     "refused, though .rules[%zu] trusts %s '%s'", k->name,
	     k->revoked_timed ? " from " : "", k->revoked_since, j - 1,
	     how == 1 ? "the same certificate as" : "its issuer", anchor);
	return true;
}

/* A named key no rule uses is likely a typo elsewhere. */
static void check_unused(struct pctx *c)
{
	char jp[JP_MAX];
	size_t i, j, k;

	for (i = 0; i < c->p->n_keys; i++) {
		bool used = false;

		for (j = 0; j < c->p->n_rules && !used; j++) {
			const struct policy_rule *r = &c->p->rules[j];

			for (k = 0; k < r->n_keys; k++)
				used |= r->keys[k] == i;
		}
		if (used || revoked_cert_used(c, i))
			continue;
		if (c->p->keys[i].revoked && c->p->keys[i].keyless)
			diag(c, 0, jp_key(jp, ".keys", c->p->keys[i].name),
			     "'%s' is revoked and no rule names it: it refuses "
			     "every keyless signature matching it, whatever "
			     "the rule", c->p->keys[i].name);
		else if (c->p->keys[i].revoked)
			diag(c, 0, jp_key(jp, ".keys", c->p->keys[i].name),
			     "'%s' is revoked and no rule names it: its key "
			     "refuses every signature it made, and every "
			     "notation chain holding a certificate for it, "
			     "whatever the rule", c->p->keys[i].name);
		else
			diag(c, 0, jp_key(jp, ".keys", c->p->keys[i].name),
			     "no rule uses this key");
	}
}

static void parse_doc(struct pctx *c, const json_t *doc)
{
	static const char *const fields[] = { "version", "comment", "keys",
					      "rules", "locked",
					      "trusted-root", NULL };
	json_t *v, *keys, *rules, *m;
	char jp[JP_MAX];
	const char *name;
	size_t i, nk = 0;

	if (!json_is_object(doc)) {
		diag(c, ERR_FORMAT, ".", "expected an object with "
		     "\"version\", \"keys\" and \"rules\"");
		return;
	}
	jp_only_fields(&c->r, doc, "", fields, "version, comment, keys, "
		       "rules, locked, trusted-root");
	jp_get_str(&c->r, doc, "comment", "", false);
	c->locked = jp_get_bool(&c->r, doc, "locked", "");
	if (c->locked && strcmp(c->path, POLICY_SYSTEM) != 0)
		diag(c, 0, ".locked", "only %s can lock; here it does "
		     "nothing", POLICY_SYSTEM);
	c->locked = c->locked && strcmp(c->path, POLICY_SYSTEM) == 0;
	v = json_object_get(doc, "version");
	if (!v)
		diag(c, ERR_FORMAT, ".version", "missing; write "
		     "\"version\": 1");
	else if (!json_is_integer(v) || json_integer_value(v) != 1)
		diag(c, ERR_FORMAT, ".version", "expected 1, the only "
		     "version there is");
	keys = json_object_get(doc, "keys");
	if (keys && !json_is_object(keys)) {
		diag(c, ERR_FORMAT, ".keys", "expected an object of named "
		     "keys");
		keys = NULL;
	}
	if (keys && (nk = json_object_size(keys)) > POLICY_KEYS_MAX) {
		diag(c, ERR_FORMAT, ".keys", "more than %d keys",
		     POLICY_KEYS_MAX);
		keys = NULL;
	}
	if (keys && nk && !(c->p->keys = calloc(nk, sizeof(*c->p->keys)))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	if (keys)
		json_object_foreach(keys, name, m)
			parse_key(c, name, m, jp_key(jp, ".keys", name));
	keyless_signers(c, doc);
	check_same_keys(c);
	rules = json_object_get(doc, "rules");
	if (!rules) {
		diag(c, ERR_FORMAT, ".rules", "missing: without rules every "
		     "image is rejected");
		return;
	}
	if (!json_is_array(rules)) {
		diag(c, ERR_FORMAT, ".rules", "expected an array of rules");
		return;
	}
	if (json_array_size(rules) > POLICY_RULES_MAX) {
		diag(c, ERR_FORMAT, ".rules", "more than %d rules",
		     POLICY_RULES_MAX);
		return;
	}
	if (json_array_size(rules) == 0)
		diag(c, 0, ".rules", "empty: every image is rejected");
	else if (!(c->p->rules = calloc(json_array_size(rules),
					sizeof(*c->p->rules)))) {
		diag(c, ERR_NOMEM, NULL, "out of memory");
		return;
	}
	json_array_foreach(rules, i, m)
		parse_rule(c, m, jp_idx(jp, ".rules", i));
	keyless_root(c);
	check_overlaps(c);
	check_catchalls(c);
	check_unused(c);
}

/* ---- load and free ------------------------------------------------------ */

/* policy_parse, with key files relative to the folder of @real, the
 * file @path resolves to. */
static int parse_at(struct policy **out, const void *json, size_t len,
		    const char *path, const char *real,
		    struct policy_diags *diags)
{
	struct pctx c = { 0 };
	json_t *doc = NULL;
	char *slash;
	int rc;

	*out = NULL;
	if (diags) {
		c.r.report = diags_add;
		c.r.arg = diags;
	}
	c.path = path;
	if (!(c.p = calloc(1, sizeof(*c.p))) || !(c.p->path = strdup(path))) {
		free(c.p);
		return err_set(ERR_NOMEM, "out of memory");
	}
	snprintf(c.dir, sizeof(c.dir), "%s", real);
	if ((slash = strrchr(c.dir, '/')))
		slash[slash == c.dir] = '\0';	/* "/x" -> "/" */
	else
		snprintf(c.dir, sizeof(c.dir), ".");
	if (jp_parse(&doc, &c.r, json, len, path) == 0)
		parse_doc(&c, doc);
	json_decref(doc);
	free(c.top_root);
	if (c.r.n_errors) {
		rc = err_set(c.r.first_rc, "policy '%s': %s%s", path,
			     c.r.first, c.r.n_errors > 1 ? " (and more: see "
			     "'signet policy check')" : "");
		policy_free(c.p);
		return rc;
	}
	*out = c.p;
	return 0;
}

int policy_parse(struct policy **out, const void *json, size_t len,
		 const char *path, struct policy_diags *diags)
{
	return parse_at(out, json, len, path, path, diags);
}

int policy_load(struct policy **out, const char *path,
		struct policy_diags *diags)
{
	char real[PATH_MAX];
	struct buf b;
	struct stat st;
	int rc;

	*out = NULL;
	buf_init(&b, POLICY_FILE_MAX);
	/* links followed: a policy is often a config mount's link. Key
	 * paths are relative to where it really is, and that file is the
	 * one read, so a mount's "..data" switched over in between cannot
	 * pair one version's policy with another's keys */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);	/* says why */
	rc = file_read(&b, real, POLICY_FILE_MAX, FILE_FOLLOW, "policy");
	if (rc == ERR_NOTFOUND)
		rc = ERR_IO;	/* named by the user: a local file problem */
	if (rc < 0) {
		if (diags)
			diags_add(diags, false, err_msg());
		goto out;
	}
	rc = parse_at(out, b.data, b.len, path, real, diags);
	/* a warning only: stat after reading does no harm */
	if (diags && stat(path, &st) == 0 && (st.st_mode & S_IWOTH))
		diags_add(diags, true, "the policy file is writable by "
			  "anyone");
out:
	buf_release(&b);
	return rc;
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_keys; i++) {
		free(p->keys[i].name);
		free(p->keys[i].file);
		free(p->keys[i].cert_index);
		free(p->keys[i].identity);
		free(p->keys[i].identity_re);
		free(p->keys[i].issuer);
		free(p->keys[i].issuer_re);
		free(p->keys[i].trusted_root);
	}
	free(p->signers);
	free(p->signer_roots);
	for (i = 0; i < p->n_roots; i++) {
		keys_trustroot_free(p->roots[i].root);
		free(p->roots[i].file);
	}
	free(p->roots);
	keys_trustroot_lazy_release(p->tlog_root);
	free(p->tlog_root);
	for (i = 0; i < p->n_rules; i++) {
		free(p->rules[i].scope);
		free(p->rules[i].keys);
		kvlist_release(&p->rules[i].annotations);
		kvlist_release(&p->rules[i].subject);
		free(p->rules[i].identity);
		keys_certs_free(p->rules[i].tsa_certs,
				p->rules[i].n_tsa_certs);
	}
	for (i = 0; i < p->n_pkeys; i++)
		EVP_PKEY_free(p->pkeys[i]);
	keys_certs_free(p->certs, p->n_certs);
	free(p->cert_keys);
	free(p->pkeys);
	free(p->keys);
	free(p->rules);
	free(p->path);
	free(p);
}

/* ---- discovery ---------------------------------------------------------- */

/* 1 when something is at @path (even unreadable: loading says why). */
static int present(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR);
}

int policy_locate(char *out, size_t outsz, const char *given)
{
	const char *env = getenv("SIGNET_POLICY");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char user[PATH_MAX] = "";
	int n;

	if (!given && (n = policy_system_locked()) != 0) {
		/* $SIGNET_POLICY and the user's own are not asked */
		if (n < 0)
			return n;
		snprintf(out, outsz, "%s", POLICY_SYSTEM);
		return 0;
	}
	if (!given && env && *env)
		given = env;
	if (given) {
		n = snprintf(out, outsz, "%s", given);
		if (n < 0 || (size_t)n >= outsz)
			return err_set(ERR_USAGE, "policy file name too long");
		return 0;
	}
	/* XDG: a relative XDG_CONFIG_HOME is to be ignored */
	if (xdg && xdg[0] == '/')
		snprintf(user, sizeof(user), "%s/signet/policy.json", xdg);
	else if (home && home[0] == '/')
		snprintf(user, sizeof(user), "%s/.config/signet/policy.json",
			 home);
	if (user[0] && present(user)) {
		n = snprintf(out, outsz, "%s", user);
		return n < 0 || (size_t)n >= outsz ?
		       err_set(ERR_USAGE, "policy file name too long") : 0;
	}
	if (present(POLICY_SYSTEM)) {
		snprintf(out, outsz, "%s", POLICY_SYSTEM);
		return 0;
	}
	return err_set(ERR_NOTFOUND, "no trust policy: give --key FILE, or "
		       "--policy FILE, or set SIGNET_POLICY, or write %s%s"
		       "/etc/signet/policy.json (see signet-policy(5))",
		       user, user[0] ? " or " : "");
}

/* ---- evaluation --------------------------------------------------------- */

/* Cut strings (%.200s) may end inside a UTF-8 sequence: make them
 * printable text again, and JSON-safe. */
static void tidy(char *s, size_t n)
{
	char tmp[512];
	size_t len;

	str_sanitize(tmp, sizeof(tmp) < n ? sizeof(tmp) : n, s);
	len = strlen(tmp);	/* < n: sanitized into at most n bytes */
	memcpy(s, tmp, len + 1);
}

void policy_verdict_release(struct policy_verdict *v)
{
	if (!v)
		return;
	free(v->sigs);
	memset(v, 0, sizeof(*v));
}

static bool rule_trusts(const struct policy_rule *r, size_t key)
{
	size_t i;

	for (i = 0; i < r->n_keys; i++)
		if (r->keys[i] == key)
			return true;
	return false;
}

/* Every required subject field is one of the leaf certificate's.
 * @missing gets "KEY=VALUE" of the first that is not. */
static bool subject_matches(const struct kvlist *want,
			    const struct kvlist *have, const char **missing)
{
	static _Thread_local char buf[300];
	size_t i, j;

	for (i = 0; i < want->n; i++) {
		for (j = 0; j < have->n; j++)
			if (strcmp(want->items[i].key, have->items[j].key) == 0 &&
			    strcmp(want->items[i].value,
				   have->items[j].value) == 0)
				break;
		if (j == have->n) {
			snprintf(buf, sizeof(buf), "%s=%s",
				 want->items[i].key, want->items[i].value);
			*missing = buf;
			return false;
		}
	}
	return true;
}

/* Does certificate entry @k hold certificate @ci of p->certs? */
static bool entry_holds_cert(const struct policy_key *k, size_t ci)
{
	size_t i;

	for (i = 0; k->certificate && i < k->n_certs; i++)
		if (k->cert_index[i] == ci)
			return true;
	return false;
}

/* The keys that have counted, each with the entry it counted under. */
struct tally {
	const char **fps;
	size_t *entry;
	size_t n;
};

/* The entry key @fp counted under, or -1. */
static int tally_find(const struct tally *t, const char *fp)
{
	size_t i;

	for (i = 0; fp && i < t->n; i++)
		if (strcmp(t->fps[i], fp) == 0)
			return (int)t->entry[i];
	return -1;
}

/* What a signature is, in the policy's terms. */
struct sig_keys {
	const char *signer;		/* the signing key's fingerprint */
	int entry;			/* the entry it counts for, or -1 */
	const char *anchor;		/* that entry's key it counts as */
	bool trusted;			/* the rule trusts that entry */
	bool notation;			/* counts by its chain */
	bool keyless;			/* counts by its certificate's
					 * identity */
	time_t at;			/* keyless: the time revocation is
					 * judged at */
	const struct policy_key *revoked;	/* an entry revoking one of
					 * its keys, or NULL */
};

/* Is @cand (entry @i, counting as key @fp) a better entry for the
 * signature than the one @k holds: trusted by the rule first, then one
 * whose key has not counted yet? The earliest on a tie. */
static void consider(struct sig_keys *k, const struct policy_rule *r,
		     const struct tally *t, size_t i, const char *fp)
{
	bool trusted = rule_trusts(r, i);
	int score = 2 * trusted + (tally_find(t, fp) < 0);
	int best = k->entry < 0 ? -1 : 2 * k->trusted +
		   (tally_find(t, k->anchor) < 0);

	if (score > best) {
		k->entry = (int)i;
		k->anchor = fp;
		k->trusted = trusted;
	}
}

/* A revoked entry holding any key of the signature (its own, or for
 * notation that of any certificate of its chain) at @now, or NULL:
 * whatever the order of the entries, a revoked key refuses it. A
 * signing time the signature states after @now is used instead: it is
 * the signer's word, so it may refuse a signature but never save one. */
static const struct policy_key *sig_revoked(const struct policy *p,
					    const struct sig_report *s,
					    const struct sig_keys *k,
					    time_t now)
{
	const struct policy_key *rev;
	size_t i;

	if (s->signed_at > now)
		now = s->signed_at;

	if ((rev = revoked_holder(p, k->signer, NULL, REVOKED_AT, now)) ||
	    (rev = revoked_holder(p, k->anchor, NULL, REVOKED_AT, now)))
		return rev;
	for (i = 0; i < s->n_chain_keys && i < JWS_CERTS_MAX; i++)
		if ((rev = revoked_holder(p, s->chain_keys[i], NULL,
					  REVOKED_AT, now)))
			return rev;
	for (i = 0; i < s->n_in_chain && i < JWS_CERTS_MAX; i++)
		if (s->in_chain[i] >= 0 &&
		    (size_t)s->in_chain[i] < p->n_certs &&
		    (rev = revoked_holder(p, p->cert_keys[s->in_chain[i]],
					  NULL, REVOKED_AT, now)))
			return rev;
	return NULL;
}

/* Does keyless entry @k name the identity and issuer of keyless
 * signature @s, whatever its trusted root? */
static bool keyless_names(const struct policy_key *k,
			  const struct sig_report *s)
{
	bool ok = k->keyless && k->fingerprint[0] &&
		  fulcio_match(s->san, k->identity, k->identity_re,
			       "identity") == 0 &&
		  fulcio_match(s->issuer, k->issuer, k->issuer_re,
			       "OIDC issuer") == 0;

	err_clear();
	return ok;
}

/* Entry @k's trusted root, or NULL. */
static const struct policy_root *entry_root(const struct policy *p,
					    const struct policy_key *k)
{
	if (k->root < 0 || (size_t)k->root >= p->n_roots)
		return NULL;
	return &p->roots[k->root];
}

/* Does keyless entry @k name the signer of keyless signature @s: its
 * identity, and @s verified against the entry's own trusted root? */
static bool keyless_matches(const struct policy *p,
			    const struct policy_key *k,
			    const struct sig_report *s)
{
	const struct policy_root *r = entry_root(p, k);

	return r && s->root && r->root == s->root && keyless_names(k, s);
}

/* When keyless signature @s was made, as far as anyone vouches: the
 * earliest of its verified log entry's integrated time and its verified
 * timestamp (it existed then), else @now. */
static time_t keyless_time(const struct sig_report *s, time_t now)
{
	time_t at = s->logged_at > 0 ? s->logged_at : s->timestamp;

	if (s->timestamp > 0 && s->timestamp < at)
		at = s->timestamp;
	return at > 0 ? at : now;
}

/* A keyless entry matching @s that is revoked for it, or NULL: untimed,
 * or timed at or before the time @s was made (@at). Every entry its
 * identity matches, whatever the order: a revoked signer is refused
 * under every name. */
static const struct policy_key *keyless_revoked(const struct policy *p,
						const struct sig_report *s,
						time_t at)
{
	size_t i;

	for (i = 0; i < p->n_keys; i++)
		if (p->keys[i].keyless && policy_key_revoked(&p->keys[i], at) &&
		    keyless_names(&p->keys[i], s))
			return &p->keys[i];
	return NULL;
}

/* sig_keys for a keyless signature: the entries its certificate's
 * identity and issuer match, once it verified against the trusted root.
 * Its signer is that identity (@kid), so two signatures of one identity
 * count once whatever entries they match. */
static bool keyless_keys(struct sig_keys *k, const struct policy *p,
			 const struct policy_rule *r,
			 const struct sig_report *s, const char *kid,
			 const struct tally *t, time_t now)
{
	size_t i;

	k->keyless = true;
	if (!s->keyless_ok || !kid)
		return false;
	for (i = 0; i < p->n_keys; i++)
		if (keyless_matches(p, &p->keys[i], s))
			consider(k, r, t, i, p->keys[i].fingerprint);
	if (k->entry < 0)
		return false;
	k->signer = kid;
	k->at = keyless_time(s, now);
	k->revoked = keyless_revoked(p, s, k->at);
	return true;
}

/* The signature's keys and the entry it counts for. false when no
 * entry of the policy holds its key. @kid: a keyless signature's
 * identity, or NULL. */
static bool sig_keys(struct sig_keys *k, const struct policy *p,
		     const struct policy_rule *r, const struct sig_report *s,
		     const char *kid, const struct tally *t, time_t now)
{
	bool notation = strcmp(s->format, format_name(FORMAT_NOTATION)) == 0;
	size_t i, j;
	int ci;

	memset(k, 0, sizeof(*k));
	k->entry = -1;
	k->notation = notation;
	if (s->keyless)
		return keyless_keys(k, p, r, s, kid, t, now);
	for (i = 0; i < p->n_keys; i++) {
		const struct policy_key *e = &p->keys[i];

		if (!notation && !e->certificate && s->key_index >= 0 &&
		    e->key_index == s->key_index)
			consider(k, r, t, i, e->fingerprint);
		for (j = 0; notation && e->certificate &&
			    j < s->n_in_chain && j < JWS_CERTS_MAX; j++) {
			ci = s->in_chain[j];
			if (ci >= 0 && (size_t)ci < p->n_certs &&
			    entry_holds_cert(e, (size_t)ci))
				consider(k, r, t, i, p->cert_keys[ci]);
		}
	}
	if (k->entry < 0)
		return false;
	/* who signed: the key itself, or the leaf of the chain */
	k->signer = !notation ? k->anchor : s->n_chain_keys ?
		    s->chain_keys[0] : s->key[0] ? s->key : k->anchor;
	k->revoked = sig_revoked(p, s, k, now);
	return true;
}

/* Why a signature with keys @k, one of them revoked, does not count. */
static void revoked_why(struct policy_sig *ps, const struct policy *p,
			const struct sig_keys *k)
{
	const struct policy_key *rev = k->revoked;
	const struct policy_key *signer = &p->keys[k->entry];
	char since[48] = "";

	if (rev->revoked_timed)
		snprintf(since, sizeof(since), " since %s",
			 rev->revoked_since);
	if (k->keyless) {
		char at[32] = "";

		if (rev->revoked_timed)
			format_time(at, k->at);
		snprintf(ps->why, sizeof(ps->why), "keyless signer '%s' is "
			 "revoked%s%s%s%s%s%s", signer->name, rev != signer ?
			 " as '" : "", rev != signer ? rev->name : "",
			 rev != signer ? "'" : "", since, at[0] ?
			 ", and the signature was made at " : "", at);
		return;
	}
	if (rev == signer)
		snprintf(ps->why, sizeof(ps->why), "key '%s' is revoked%s",
			 rev->name, since);
	else if (k->notation)
		snprintf(ps->why, sizeof(ps->why), "key '%s' is revoked%s (in "
			 "its certificate chain)", rev->name, since);
	else
		snprintf(ps->why, sizeof(ps->why), "key '%s' is revoked as "
			 "'%s'%s", signer->name, rev->name, since);
}

/* Count @s: its signing key and the key it counts as are used up. */
static void tally_add(struct tally *t, const struct sig_keys *k)
{
	t->fps[t->n] = k->signer;
	t->entry[t->n++] = (size_t)k->entry;
	if (strcmp(k->anchor, k->signer) != 0) {
		t->fps[t->n] = k->anchor;
		t->entry[t->n++] = (size_t)k->entry;
	}
}

/* Why signature @s, which no entry of the policy holds, does not
 * count. */
static void unknown_why(struct policy_sig *ps, const struct policy *p,
			const struct sig_report *s)
{
	const struct policy_key *named = NULL;
	const struct policy_root *r;
	size_t i;

	for (i = 0; s->keyless && s->keyless_ok && !named && i < p->n_keys;
	     i++)
		if (keyless_names(&p->keys[i], s))
			named = &p->keys[i];
	if (named && (r = entry_root(p, named)))
		snprintf(ps->why, sizeof(ps->why), "keyless signer '%.100s' "
			 "did not verify against the trusted root of '%s' "
			 "(%.100s), the one it counts under", s->san,
			 named->name, r->name);
	else if (!s->keyless)
		snprintf(ps->why, sizeof(ps->why), "not signed by a key in "
			 "the policy%s%.200s", s->reason[0] ? ": " : "",
			 s->reason);
	else if (!s->keyless_ok)
		snprintf(ps->why, sizeof(ps->why), "keyless signature not "
			 "verified%s%.250s", s->reason[0] ? ": " : "",
			 s->reason);
	else
		snprintf(ps->why, sizeof(ps->why), "keyless signer '%.120s' "
			 "(issuer '%.120s') is not in the policy", s->san,
			 s->issuer);
}

/* Why a signature whose signer (@dup) has counted already does not. */
static void dup_why(struct policy_sig *ps, const struct policy *p,
		    const struct sig_keys *k, int dup)
{
	const struct policy_key *signer = &p->keys[k->entry];
	bool other = dup != k->entry;

	if (k->keyless)
		snprintf(ps->why, sizeof(ps->why), "keyless signer '%s' "
			 "already counted%s%s%s (one identity counts once, "
			 "whatever entries it matches)", signer->name,
			 other ? " as '" : "", other ? p->keys[dup].name : "",
			 other ? "'" : "");
	else
		snprintf(ps->why, sizeof(ps->why), "key '%s' already counted"
			 "%s%s%s (a duplicate key: a key counts once, under "
			 "any name)", signer->name, other ? " as '" : "",
			 other ? p->keys[dup].name : "", other ? "'" : "");
}

static void judge(const struct policy *p, const struct policy_rule *r,
		  const struct sig_report *s, const char *kid, time_t now,
		  struct tally *t, struct policy_verdict *out,
		  struct policy_sig *ps)
{
	const struct policy_key *signer;
	const char *missing = NULL;
	struct sig_keys k;
	int dup;

	if (!sig_keys(&k, p, r, s, kid, t, now)) {
		unknown_why(ps, p, s);
		return;
	}
	signer = &p->keys[k.entry];
	ps->key = k.entry;
	if ((dup = tally_find(t, k.signer)) < 0)
		dup = tally_find(t, k.anchor);
	if (!(r->formats & format_bit(s->format)))
		snprintf(ps->why, sizeof(ps->why), "format '%s' is not "
			 "accepted by the rule", s->format);
	else if (!k.trusted && !k.revoked)
		snprintf(ps->why, sizeof(ps->why), "signed by '%s', which the "
			 "rule does not trust", signer->name);
	else if (k.revoked)
		revoked_why(ps, p, &k);
	else if (!s->claims_ok)
		snprintf(ps->why, sizeof(ps->why), "%.280s", s->reason[0] ?
			 s->reason : "its claims do not hold for this image");
	else if (r->require_tlog && s->log_index < 0)
		snprintf(ps->why, sizeof(ps->why), "no verified transparency "
			 "log entry, which the rule requires (require-tlog)");
	else if (k.notation && !subject_matches(&r->subject, &s->subject,
						&missing))
		snprintf(ps->why, sizeof(ps->why), "the signing certificate's "
			 "subject lacks %.200s", missing);
	else if (!kvlist_matched_by(&r->annotations, s->annotations,
				    &missing))
		snprintf(ps->why, sizeof(ps->why), "annotation '%.200s' "
			 "missing or different", missing);
	else if (dup >= 0)
		dup_why(ps, p, &k, dup);
	else {
		tally_add(t, &k);
		ps->counted = true;
		out->counted++;
	}
}

/* For each keyless signature, its signer's identity: what counts once
 * (its certificate's identity and issuer); NULL for the others. */
static int keyless_ids(char ***out, const struct sig_report *sigs,
		       size_t n_sigs)
{
	size_t i;

	if (!(*out = calloc(n_sigs + 1, sizeof(**out))))
		return err_set(ERR_NOMEM, "out of memory");
	for (i = 0; i < n_sigs; i++)
		if (sigs[i].keyless && sigs[i].keyless_ok &&
		    asprintf(&(*out)[i], "keyless\n%s\n%s", sigs[i].san,
			     sigs[i].issuer) < 0) {
			(*out)[i] = NULL;
			return err_set(ERR_NOMEM, "out of memory");
		}
	return 0;
}

int policy_evaluate(struct policy_verdict *out, const struct policy *p,
		    const char *repo, const struct sig_report *sigs,
		    size_t n_sigs, time_t now)
{
	const struct policy_rule *r = policy_match(p, repo);
	struct tally t = { 0 };
	char **kid = NULL;
	const struct policy_sig *tell = NULL;
	char fmts[128] = "";
	size_t i;
	int rc = ERR_VERIFY;

	memset(out, 0, sizeof(*out));
	out->rule = r;
	if (n_sigs && !(out->sigs = calloc(n_sigs, sizeof(*out->sigs))))
		return err_set(ERR_NOMEM, "out of memory");
	out->n_sigs = n_sigs;
	for (i = 0; i < n_sigs; i++)
		out->sigs[i].key = -1;
	if (!r) {
		snprintf(out->reason, sizeof(out->reason), "no rule of policy "
			 "'%.200s' matches '%.200s'", p->path, repo);
		goto done;
	}
	if (r->action == POLICY_REJECT) {
		snprintf(out->reason, sizeof(out->reason), "policy rule "
			 "rules[%zu] (scope '%.200s') rejects '%.200s'",
			 r->index, r->scope, repo);
		goto done;
	}
	if (r->action == POLICY_ACCEPT_ANYTHING) {
		snprintf(out->reason, sizeof(out->reason), "policy rule "
			 "rules[%zu] (scope '%.200s') accepts anything: no "
			 "signature was checked", r->index, r->scope);
		out->trusted = true;
		goto done;
	}
	/* each signature counted uses up at most two keys */
	t.fps = calloc(2 * n_sigs + 1, sizeof(*t.fps));
	t.entry = calloc(2 * n_sigs + 1, sizeof(*t.entry));
	if (!t.fps || !t.entry) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = keyless_ids(&kid, sigs, n_sigs)) < 0)
		goto out;
	rc = ERR_VERIFY;
	for (i = 0; i < n_sigs; i++)
		judge(p, r, &sigs[i], kid[i], now, &t, out, &out->sigs[i]);
	out->trusted = out->counted >= r->threshold;
	if (!n_sigs && (r->formats & FORMAT_ALL) != FORMAT_ALL) {
		/* policy_verify fetches only these: say so */
		char names[64];

		format_list(names, sizeof(names), r->formats);
		snprintf(fmts, sizeof(fmts), "; no signatures found in the "
			 "formats the rule accepts (%s)", names);
	}
	/* the most telling refusal: from a key the policy names */
	for (i = 0; i < n_sigs; i++)
		if (!out->sigs[i].counted && (!tell || (tell->key < 0 &&
							out->sigs[i].key >= 0)))
			tell = &out->sigs[i];
	snprintf(out->reason, sizeof(out->reason), "policy rule rules[%zu] "
		 "(scope '%.120s') needs signatures by %zu distinct trusted "
		 "key%s, %zu counted%s%.250s", r->index, r->scope,
		 r->threshold, r->threshold == 1 ? "" : "s", out->counted,
		 !n_sigs ? (fmts[0] ? fmts : "; no signatures found") :
		 tell ? "; " : "", tell ? tell->why : "");
done:
	for (i = 0; i < n_sigs && (!r || r->action != POLICY_SIGNED); i++)
		snprintf(out->sigs[i].why, sizeof(out->sigs[i].why), "%s",
			 !r ? "no rule matches the image" :
			 r->action == POLICY_REJECT ? "the rule rejects the "
			 "image" : "not checked: the rule accepts anything");
	for (i = 0; i < n_sigs; i++)
		tidy(out->sigs[i].why, sizeof(out->sigs[i].why));
	tidy(out->reason, sizeof(out->reason));
	if (out->trusted)
		rc = 0;
	else if (r && r->action == POLICY_SIGNED)
		rc = err_set(ERR_VERIFY, "'%s': %s", repo, out->reason);
	else
		rc = err_set(ERR_VERIFY, "%s", out->reason);
out:
	for (i = 0; kid && i < n_sigs; i++)
		free(kid[i]);
	free(kid);
	free(t.fps);
	free(t.entry);
	return rc;
}

/* The "insecure-accept-anything" rule: only the digest is resolved. */
static int accept_anything(struct registry *reg, const struct image_ref *ref,
			   const struct manifest *given,
			   struct verify_result *res)
{
	struct manifest man = { 0 };
	bool borrowed;
	int rc;

	rc = verify_resolve(&man, &borrowed, reg, ref, given, res);
	if (!borrowed)
		manifest_release(&man);
	return rc;
}

int policy_verify(struct registry *reg, const char *image,
		  const struct policy *p, time_t now,
		  struct verify_result *res, struct policy_verdict *v)
{
	struct image_ref ref;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(v, 0, sizeof(*v));
	if ((rc = ref_parse(&ref, image)) < 0)
		return rc;
	return policy_verify_ref(reg, &ref, NULL, p, now, res, v);
}

int policy_verify_ref(struct registry *reg, const struct image_ref *ref,
		      const struct manifest *man, const struct policy *p,
		      time_t now, struct verify_result *res,
		      struct policy_verdict *v)
{
	char repo[REF_HOST_MAX + REF_REPO_MAX + 2];
	const struct policy_rule *r;
	struct verify_opts o = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	memset(v, 0, sizeof(*v));
	if ((rc = ref_format_repo(repo, sizeof(repo), ref)) < 0)
		return rc;
	r = policy_match(p, repo);
	/* decided by the name alone: not one request */
	if (!r || r->action == POLICY_REJECT)
		return policy_evaluate(v, p, repo, NULL, 0, now);
	if (r->action == POLICY_ACCEPT_ANYTHING) {
		if ((rc = accept_anything(reg, ref, man, res)) < 0)
			return rc;
		return policy_evaluate(v, p, repo, NULL, 0, now);
	}
	/* only the formats the rule accepts are fetched */
	o.formats = r->formats & FORMAT_ALL;
	o.keys = p->pkeys;
	o.n_keys = p->n_pkeys;
	o.certs = p->certs;
	o.n_certs = p->n_certs;
	o.now = now;
	o.annotations = NULL;
	o.exhaustive = true;
	o.identity = r->identity;
	o.trustroot = p->trustroot;
	o.tlog_root = p->tlog_root;
	o.signers = p->signers;
	o.signer_roots = p->signer_roots;
	o.n_signers = p->n_signers;
	o.tsa_certs = r->tsa_certs;
	o.n_tsa_certs = r->n_tsa_certs;
	o.require_tlog = r->require_tlog;
	rc = verify_image_ref(reg, ref, man, &o, res);
	if (rc < 0 && rc != ERR_VERIFY)
		return rc;
	err_clear();
	rc = policy_evaluate(v, p, repo, res->sigs, res->n_sigs, now);
	if (rc == ERR_VERIFY && res->pinned[0])
		rc = err_set(ERR_VERIFY, "'%s': %s", res->pinned, v->reason);
	return rc;
}
