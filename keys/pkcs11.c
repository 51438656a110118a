/*
 * pkcs11.c - signing keys that live on a PKCS#11 token (an HSM, a smart
 * card, SoftHSM), named by RFC 7512 URIs:
 *
 *   pkcs11:token=release;object=signer?module-path=/usr/lib/...so&
 *          pin-source=file:/run/secrets/pin
 *
 * p11-kit parses the URI and matches tokens and objects against it; libp11
 * loads the module, logs in and hands back an EVP_PKEY whose private half
 * stays on the token, so every signing path (cosign, bundle, Notary, the
 * self-signed certificate) works unchanged. libp11 0.4.12 can only make RSA
 * keys, so key pair generation calls C_GenerateKeyPair on the module's own
 * function list, in a session of the token libp11 has logged in to.
 *
 * libp11 and p11-kit themselves are opened at the first URI (p11dl.c).
 * One module and one token per process: the first URI loads them, and they
 * are released by keys_pkcs11_release (main calls it; also at exit), after
 * every EVP_PKEY from them has been freed.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "internal.h"
#include "p11dl.h"

#ifndef SIGNET_P11_PROXY
#define SIGNET_P11_PROXY "p11-kit-proxy.so"
#endif

#define SHOWN_MAX 512	/* a URI as messages print it */

/* CKR_* reasons libp11 records on OpenSSL's error queue */
#define P11_REASON(e) ((CK_RV)ERR_GET_REASON(e))

static struct {
	PKCS11_CTX *ctx;
	PKCS11_SLOT *slots;
	unsigned int n_slots;
	PKCS11_SLOT *slot;	/* the token we use */
	char module[PATH_MAX];
	void *dl;		/* our reference to the module */
	CK_FUNCTION_LIST *f;	/* function_list() */
	bool loaded, logged_in, f_init;
} tok;

bool keys_is_pkcs11(const char *ref)
{
	return strncasecmp(ref, "pkcs11:", 7) == 0;	/* schemes ignore case */
}

/* The URI as it may be printed: its path part without any pin-value
 * (p11-kit takes one there too), and without the query, where pin-source
 * and module-path live. */
static void uri_display(char *out, size_t outsz, const char *uri)
{
	char tmp[512];
	const char *p = uri, *e, *end = uri + strcspn(uri, "?");
	size_t n = 0, len;

	while (p < end) {
		e = memchr(p, ';', (size_t)(end - p));
		len = (size_t)((e ? e : end) - p);
		if (!(len >= 10 && strncasecmp(p, "pin-value=", 10) == 0) &&
		    n + len + 1 < sizeof(tmp)) {
			if (n && tmp[n - 1] != ':')
				tmp[n++] = ';';
			memcpy(tmp + n, p, len);
			n += len;
		}
		p = e ? e + 1 : end;
	}
	tmp[n] = '\0';
	str_sanitize(out, outsz, tmp);
}

/* Refuse query attributes RFC 7512 and p11-kit do not define: a typo in
 * "module-path" must not quietly fall back to the default module. */
static int query_known(const char *uri, const char *shown)
{
	static const char *const known[] = { "pin-source", "pin-value",
		"module-name", "module-path", NULL };
	const char *p = strchr(uri, '?'), *e;
	size_t len, i;

	for (p = p ? p + 1 : NULL; p && *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "&");
		len = strcspn(p, "=&");
		for (i = 0; known[i]; i++)
			if (strlen(known[i]) == len &&
			    strncasecmp(p, known[i], len) == 0)
				break;
		if (!known[i])
			return err_set(ERR_USAGE, "PKCS#11 URI '%s': unknown "
				       "query attribute '%.*s'", shown,
				       (int)(len > 40 ? 40 : len), p);
	}
	return 0;
}

void keys_pkcs11_release(void)
{
	if (!tok.ctx)
		return;
	if (tok.slots)
		PKCS11_release_all_slots(tok.ctx, tok.slots, tok.n_slots);
	if (tok.f_init)
		tok.f->C_Finalize(NULL);
	if (tok.loaded)
		PKCS11_CTX_unload(tok.ctx);
	PKCS11_CTX_free(tok.ctx);
	if (tok.dl)
		dlclose(tok.dl);
	memset(&tok, 0, sizeof(tok));
}

/* The module a URI names: module-path, module-name (a module registered
 * with p11-kit), SIGNET_PKCS11_MODULE, or p11-kit's proxy, which offers
 * every registered module's tokens. */
static int module_of(char out[PATH_MAX], P11KitUri *u)
{
	const char *path = p11_kit_uri_get_module_path(u);
	const char *name = p11_kit_uri_get_module_name(u);
	CK_FUNCTION_LIST **mods;
	int rc = 0, i;
	char *n, *f;

	if (path || (!name && (path = getenv("SIGNET_PKCS11_MODULE")))) {
		if (path[0] != '/')
			return err_set(ERR_USAGE, "PKCS#11 module '%s' is not "
				       "an absolute path", path);
		if (snprintf(out, PATH_MAX, "%s", path) >= PATH_MAX)
			return err_set(ERR_USAGE, "PKCS#11 module path too "
				       "long");
		return 0;
	}
	if (!name) {
		snprintf(out, PATH_MAX, "%s", SIGNET_P11_PROXY);
		return 0;
	}
	mods = p11_kit_modules_load(NULL, P11_KIT_MODULE_UNMANAGED);
	rc = err_set(ERR_USAGE, "no PKCS#11 module named '%s' is registered "
		     "with p11-kit", name);
	for (i = 0; mods && mods[i]; i++) {
		n = p11_kit_module_get_name(mods[i]);
		f = p11_kit_module_get_filename(mods[i]);
		if (n && f && strcmp(n, name) == 0 &&
		    snprintf(out, PATH_MAX, "%s", f) < PATH_MAX) {
			err_clear();
			rc = 0;
		}
		free(n);
		free(f);
		if (rc == 0)
			break;
	}
	if (mods)
		p11_kit_modules_release(mods);
	return rc;
}

/* Fixed-width, space-padded PKCS#11 text field from libp11's string. */
static void pad(unsigned char *field, size_t width, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	memset(field, ' ', width);
	memcpy(field, s ? s : "", n < width ? n : width);
}

static bool token_matches(P11KitUri *u, PKCS11_SLOT *s)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;
	CK_SLOT_ID want = p11_kit_uri_get_slot_id(u);

	if (!s->token || !s->token->initialized)
		return false;
	if (want != (CK_SLOT_ID)-1 &&
	    want != PKCS11_get_slotid_from_slot(s))
		return false;
	memset(&si, 0, sizeof(si));
	pad(si.slotDescription, sizeof(si.slotDescription), s->description);
	pad(si.manufacturerID, sizeof(si.manufacturerID), s->manufacturer);
	if (!p11_kit_uri_match_slot_info(u, &si))
		return false;
	memset(&ti, 0, sizeof(ti));
	pad(ti.label, sizeof(ti.label), s->token->label);
	pad(ti.manufacturerID, sizeof(ti.manufacturerID),
	    s->token->manufacturer);
	pad(ti.model, sizeof(ti.model), s->token->model);
	pad(ti.serialNumber, sizeof(ti.serialNumber), s->token->serialnr);
	return p11_kit_uri_match_token_info(u, &ti) == 1;
}

static int login(P11KitUri *u)
{
	char pin[KEYS_PASS_MAX], label[128];
	unsigned long e;
	size_t len;
	int rc, in = 0;

	str_sanitize(label, sizeof(label), tok.slot->token->label);
	if (tok.logged_in || !tok.slot->token->loginRequired ||
	    (PKCS11_is_logged_in(tok.slot, 0, &in) == 0 && in)) {
		tok.logged_in = true;
		return 0;
	}
	if ((rc = keys_pin_get(pin, &len, p11_kit_uri_get_pin_source(u),
			       label)) < 0)
		return rc;
	ERR_clear_error();
	rc = PKCS11_login(tok.slot, 0, pin);
	secure_wipe(pin, sizeof(pin));
	if (rc == 0) {
		tok.logged_in = true;
		return 0;
	}
	e = ERR_peek_last_error();
	ERR_clear_error();
	switch (P11_REASON(e)) {
	case CKR_PIN_INCORRECT:
		return err_set(ERR_AUTH, "wrong PIN for token '%s'", label);
	case CKR_PIN_LOCKED:
		return err_set(ERR_AUTH, "the PIN of token '%s' is locked",
			       label);
	case CKR_PIN_EXPIRED:
		return err_set(ERR_AUTH, "the PIN of token '%s' has expired",
			       label);
	}
	return err_set(ERR_AUTH, "cannot log in to token '%s' (PKCS#11 error "
		       "0x%lx)", label, (unsigned long)P11_REASON(e));
}

/* The module's function list, for what libp11 does not do. It is the
 * one libp11 initialised, except where the module hands every caller an
 * instance of its own (p11-kit's proxy): that one we initialise, and
 * finalise on release. The token's login is the module's, so shared. */
static int function_list(CK_FUNCTION_LIST **out)
{
	CK_C_GetFunctionList get;
	CK_RV rv;

	if (!tok.f) {
		get = (CK_C_GetFunctionList)(uintptr_t)dlsym(tok.dl,
							"C_GetFunctionList");
		if (!get || get(&tok.f) != CKR_OK || !tok.f) {
			tok.f = NULL;
			return err_set(ERR_IO, "PKCS#11 module '%s' has no "
				       "function list", tok.module);
		}
		rv = tok.f->C_Initialize(NULL);
		if (rv == CKR_OK) {
			tok.f_init = true;
		} else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
			tok.f = NULL;
			return err_set(ERR_IO, "cannot initialise PKCS#11 "
				       "module '%s' (error 0x%lx)", tok.module,
				       (unsigned long)rv);
		}
	}
	*out = tok.f;
	return 0;
}

/* The URI's object class, or (CK_OBJECT_CLASS)-1 when it names none. */
static CK_OBJECT_CLASS uri_class(P11KitUri *u)
{
	CK_ATTRIBUTE *a = p11_kit_uri_get_attribute(u, CKA_CLASS);
	CK_OBJECT_CLASS c;

	if (!a || a->ulValueLen != sizeof(c))
		return (CK_OBJECT_CLASS)-1;
	memcpy(&c, a->pValue, sizeof(c));
	return c;
}

/* What signet refuses in a parsed URI: an unknown attribute, a PIN on the
 * command line, a class other than a private key (with @public_ok, or a
 * public key). */
static int uri_check(P11KitUri *u, const char *uri, const char *shown,
		     bool public_ok)
{
	CK_OBJECT_CLASS cls;
	int r, rc;

	r = p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, u);
	if (r != P11_KIT_URI_OK)
		return err_set(ERR_USAGE, "invalid PKCS#11 URI '%s': %s",
			       shown, p11_kit_uri_message(r));
	if ((rc = query_known(uri, shown)) < 0)
		return rc;
	if (p11_kit_uri_any_unrecognized(u))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s' has an attribute "
			       "signet does not know", shown);
	if (p11_kit_uri_get_pin_value(u))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s': pin-value would "
			       "put the PIN on the command line; use "
			       "pin-source=file:PATH or SIGNET_PKCS11_PIN",
			       shown);
	cls = uri_class(u);
	if (cls != (CK_OBJECT_CLASS)-1 && cls != CKO_PRIVATE_KEY &&
	    (!public_ok || cls != CKO_PUBLIC_KEY))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s' names no %skey "
			       "(type=private, or leave type out)", shown,
			       public_ok ? "" : "private ");
	return 0;
}

/* Load @module and list its slots, once per process; on failure nothing
 * stays loaded. */
static int module_load(const char *module)
{
	const char *why;
	int rc;

	if (tok.ctx && strcmp(tok.module, module) != 0)
		return err_set(ERR_USAGE, "only one PKCS#11 module per "
			       "command");
	if (tok.ctx)
		return 0;
	if (!(tok.ctx = PKCS11_CTX_new())) {
		rc = err_set(ERR_NOMEM, "out of memory");
		goto unload;
	}
	snprintf(tok.module, sizeof(tok.module), "%s", module);
	/* our own dlopen first: its failure is ours to report, in one line
	 * (libp11 would print dlerror to stderr) */
	if (!(tok.dl = dlopen(module, RTLD_NOW | RTLD_LOCAL))) {
		why = dlerror();
		rc = err_set(ERR_IO, "cannot load PKCS#11 module '%s': %s",
			     module, why && strstr(why, "No such file") ?
			     "no such file" : "not a loadable library");
		goto unload;
	}
	if (PKCS11_CTX_load(tok.ctx, module) < 0) {
		ERR_clear_error();
		rc = err_set(ERR_IO, "cannot load PKCS#11 module '%s'",
			     module);
		goto unload;
	}
	tok.loaded = true;
	/* after the load: the module's own exit handlers (SoftHSM's C++
	 * destructors) must run after ours */
	atexit(keys_pkcs11_release);
	if (PKCS11_enumerate_slots(tok.ctx, &tok.slots, &tok.n_slots) < 0) {
		ERR_clear_error();
		rc = err_set(ERR_IO, "PKCS#11 module '%s' lists no slots",
			     module);
		goto unload;
	}
	return 0;
unload:
	keys_pkcs11_release();
	return rc;
}

/* library-manufacturer, -description, -version: the module's own */
static int module_matches(P11KitUri *u, const char *module,
			  const char *shown)
{
	CK_FUNCTION_LIST *f;
	CK_INFO info;
	int rc;

	if ((rc = function_list(&f)) < 0)
		return rc;
	if (f->C_GetInfo(&info) != CKR_OK ||
	    p11_kit_uri_match_module_info(u, &info) != 1)
		return err_set(ERR_NOTFOUND, "PKCS#11 module '%s' is not the "
			       "library '%s' names", module, shown);
	return 0;
}

/* The one token of the module that the URI matches becomes tok.slot. */
static int slot_find(P11KitUri *u, const char *module, const char *shown)
{
	PKCS11_SLOT *s, *match = NULL;
	char names[256] = "";
	unsigned int i, n = 0;

	for (i = 0; i < tok.n_slots; i++) {
		s = &tok.slots[i];
		if (!token_matches(u, s))
			continue;
		n++;
		match = s;
		if (strlen(names) + strlen(s->token->label) + 4 < sizeof(names))
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s'%s'",
				 n > 1 ? ", " : "", s->token->label);
	}
	if (n == 0)
		return err_set(ERR_NOTFOUND, "no token matches '%s' in PKCS#11 "
			       "module '%s'", shown, module);
	if (n > 1)
		return err_set(ERR_USAGE, "%u tokens match '%s' (%s); name one "
			       "with token= or serial=", n, shown, names);
	if (tok.slot && tok.slot != match)
		return err_set(ERR_USAGE, "only one PKCS#11 token per command");
	tok.slot = match;
	return 0;
}

/* Parse @uri, load its module and find its one token. The URI may name
 * a private key or no type, and with @public_ok a public key. Into
 * @shown: the URI as messages may print it. */
static int token_open(P11KitUri **out, const char *uri,
		      char shown[SHOWN_MAX], bool public_ok)
{
	P11KitUri *u;
	char module[PATH_MAX];
	int rc;

	*out = NULL;
	uri_display(shown, SHOWN_MAX, uri);
	if ((rc = p11dl_open()) < 0)
		return rc;
	if (!(u = p11_kit_uri_new()))
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = uri_check(u, uri, shown, public_ok)) < 0 ||
	    (rc = module_of(module, u)) < 0 ||
	    (rc = module_load(module)) < 0 ||
	    (rc = module_matches(u, module, shown)) < 0 ||
	    (rc = slot_find(u, module, shown)) < 0) {
		ERR_clear_error();
		p11_kit_uri_free(u);
		return rc;
	}
	*out = u;
	return 0;
}

static bool names_object(P11KitUri *u)
{
	return p11_kit_uri_get_attribute(u, CKA_LABEL) ||
	       p11_kit_uri_get_attribute(u, CKA_ID);
}

static bool key_matches(P11KitUri *u, const PKCS11_KEY *k,
			CK_OBJECT_CLASS cls)
{
	CK_ATTRIBUTE at[3] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_LABEL, k->label, k->label ? strlen(k->label) : 0 },
		{ CKA_ID, k->id, k->id_len },
	};

	return p11_kit_uri_match_attributes(u, at, 3) == 1;
}

/* The one private key (@private) or public key of the token that the URI
 * names. */
static int find_key(PKCS11_KEY **out, P11KitUri *u, const char *shown,
		    bool private)
{
	PKCS11_KEY *keys, *match = NULL;
	CK_OBJECT_CLASS want = private ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY;
	unsigned int n, i, found = 0;
	int r;

	if (!names_object(u))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s' names no key: add "
			       "object=LABEL or id=ID", shown);
	r = private ? PKCS11_enumerate_keys(tok.slot->token, &keys, &n) :
		      PKCS11_enumerate_public_keys(tok.slot->token, &keys, &n);
	ERR_clear_error();
	if (r < 0)
		return err_set(ERR_IO, "cannot list the keys of token '%s'",
			       tok.slot->token->label);
	for (i = 0; i < n; i++)
		if (key_matches(u, &keys[i], want)) {
			match = &keys[i];
			found++;
		}
	if (found == 0)
		return err_set(ERR_NOTFOUND, "token '%s' has no %s key "
			       "matching '%s'", tok.slot->token->label,
			       private ? "private" : "public", shown);
	if (found > 1)
		return err_set(ERR_USAGE, "%u keys on token '%s' match '%s'; "
			       "add id= or a longer object=", found,
			       tok.slot->token->label, shown);
	*out = match;
	return 0;
}

int keys_pkcs11_load_private(EVP_PKEY **out, const char *uri)
{
	char shown[SHOWN_MAX];
	PKCS11_KEY *k;
	P11KitUri *u;
	int rc;

	*out = NULL;
	if ((rc = token_open(&u, uri, shown, false)) < 0)
		return rc;
	if ((rc = login(u)) < 0 || (rc = find_key(&k, u, shown, true)) < 0)
		goto out;
	if (!(*out = PKCS11_get_private_key(k))) {
		rc = err_set(ERR_CRYPTO, "cannot use private key '%s'", shown);
		goto out;
	}
	if ((rc = keys_check_acceptable(*out)) < 0) {
		err_wrap(rc, "'%s'", shown);
		EVP_PKEY_free(*out);
		*out = NULL;
	}
out:
	ERR_clear_error();
	p11_kit_uri_free(u);
	return rc;
}

int keys_pkcs11_load_public(EVP_PKEY **out, const char *uri)
{
	char shown[SHOWN_MAX];
	PKCS11_KEY *k;
	P11KitUri *u;
	int rc;

	*out = NULL;
	if ((rc = token_open(&u, uri, shown, true)) < 0)
		return rc;
	/* the public object when there is one; tokens that keep only the
	 * private object give its public half after login */
	rc = find_key(&k, u, shown, false);
	if (rc == ERR_NOTFOUND) {
		err_clear();
		if ((rc = login(u)) < 0 ||
		    (rc = find_key(&k, u, shown, true)) < 0)
			goto out;
	} else if (rc < 0) {
		goto out;
	}
	if (!(*out = PKCS11_get_public_key(k)))
		rc = err_set(ERR_CRYPTO, "cannot read public key '%s'", shown);
out:
	ERR_clear_error();
	p11_kit_uri_free(u);
	return rc;
}

/* ---- key pair generation ------------------------------------------------ */

/* DER OIDs of the named curves, as CKA_EC_PARAMS wants them. */
static const unsigned char OID_P256[] = {
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const unsigned char OID_P384[] = {
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };

/* C_GenerateKeyPair of @type labelled @label with @id, private half
 * sensitive and never extractable. */
static int generate_on_token(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE h,
			     enum key_type type, const char *label,
			     const unsigned char *id, size_t id_len,
			     CK_OBJECT_HANDLE *pub, CK_OBJECT_HANDLE *priv)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = type == KEY_RSA_4096 ? 4096 : 3072;
	unsigned char e[] = { 0x01, 0x00, 0x01 };
	bool ec = type == KEY_ECDSA_P256 || type == KEY_ECDSA_P384;
	CK_MECHANISM mech = {
		ec ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0
	};
	CK_ATTRIBUTE pt[6] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_VERIFY, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, (void *)id, id_len },
	};
	CK_ATTRIBUTE kt[] = {
		{ CKA_TOKEN, &yes, sizeof(yes) },
		{ CKA_PRIVATE, &yes, sizeof(yes) },
		{ CKA_SENSITIVE, &yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, &no, sizeof(no) },
		{ CKA_SIGN, &yes, sizeof(yes) },
		{ CKA_LABEL, (void *)label, strlen(label) },
		{ CKA_ID, (void *)id, id_len },
	};
	CK_ULONG npt = 4;
	CK_RV rv;

	if (type == KEY_ECDSA_P256) {
		pt[npt++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)OID_P256,
					    sizeof(OID_P256) };
	} else if (type == KEY_ECDSA_P384) {
		pt[npt++] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, (void *)OID_P384,
					    sizeof(OID_P384) };
	} else {
		pt[npt++] = (CK_ATTRIBUTE){ CKA_MODULUS_BITS, &bits,
					    sizeof(bits) };
		pt[npt++] = (CK_ATTRIBUTE){ CKA_PUBLIC_EXPONENT, e,
					    sizeof(e) };
	}
	rv = f->C_GenerateKeyPair(h, &mech, pt, npt, kt,
				  sizeof(kt) / sizeof(kt[0]), pub, priv);
	if (rv != CKR_OK)
		return err_set(ERR_CRYPTO, "token '%s' cannot generate the "
			       "key pair (PKCS#11 error 0x%lx)",
			       tok.slot->token->label, (unsigned long)rv);
	return 0;
}

/* Refuse a label or id the token already has, so that URIs stay
 * unambiguous. */
static int label_free(const char *label, const unsigned char *id,
		      size_t id_len)
{
	PKCS11_KEY *keys;
	unsigned int n, i, pass;
	int r;

	for (pass = 0; pass < 2; pass++) {
		r = pass ? PKCS11_enumerate_public_keys(tok.slot->token,
							&keys, &n) :
			   PKCS11_enumerate_keys(tok.slot->token, &keys, &n);
		ERR_clear_error();
		if (r < 0)
			return err_set(ERR_IO, "cannot list the keys of token "
				       "'%s'", tok.slot->token->label);
		for (i = 0; i < n; i++) {
			if (keys[i].label && strcmp(keys[i].label, label) == 0)
				return err_set(ERR_USAGE, "token '%s' already "
					       "has a key labelled '%s'",
					       tok.slot->token->label, label);
			if (id_len && keys[i].id_len == id_len &&
			    memcmp(keys[i].id, id, id_len) == 0)
				return err_set(ERR_USAGE, "token '%s' already "
					       "has a key with that id",
					       tok.slot->token->label);
		}
	}
	return 0;
}

/* NAME.pub and NAME.crt, which must not exist yet unless forced. */
static int out_paths(char pubpath[PATH_MAX], char crtpath[PATH_MAX],
		     const char *name, const struct keygen_opts *opts)
{
	int rc;

	if (snprintf(pubpath, PATH_MAX, "%s.pub", name) >= PATH_MAX ||
	    snprintf(crtpath, PATH_MAX, "%s.crt", name) >= PATH_MAX)
		return err_set(ERR_USAGE, "key name too long");
	if (!opts->force && ((rc = keys_file_absent(pubpath)) < 0 ||
			     (opts->x509_subject &&
			      (rc = keys_file_absent(crtpath)) < 0)))
		return rc;
	return 0;
}

/* The label and id of a key about to be made. */
struct new_key {
	char label[256];
	unsigned char id[128];
	size_t id_len;
};

/* The new key's label from the URI's object=, and its id from id= or,
 * without one, 16 random bytes. */
static int new_key_name(struct new_key *nk, P11KitUri *u, const char *shown)
{
	CK_ATTRIBUTE *la = p11_kit_uri_get_attribute(u, CKA_LABEL);
	CK_ATTRIBUTE *ia = p11_kit_uri_get_attribute(u, CKA_ID);

	if (!la || la->ulValueLen == 0 || la->ulValueLen >= sizeof(nk->label))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s': give the new "
			       "key's label as object=LABEL", shown);
	memcpy(nk->label, la->pValue, la->ulValueLen);
	nk->label[la->ulValueLen] = '\0';
	if (memchr(nk->label, '\0', la->ulValueLen))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s': object has a NUL",
			       shown);
	if (ia && (ia->ulValueLen == 0 || ia->ulValueLen > sizeof(nk->id)))
		return err_set(ERR_USAGE, "PKCS#11 URI '%s': id must be 1 to "
			       "%zu bytes", shown, sizeof(nk->id));
	if (ia) {
		nk->id_len = ia->ulValueLen;
		memcpy(nk->id, ia->pValue, nk->id_len);
	} else {
		nk->id_len = 16;
		if (RAND_bytes(nk->id, (int)nk->id_len) != 1)
			return err_set_ssl(ERR_CRYPTO, "no random bytes for "
					   "the key id");
	}
	return 0;
}

/* A read-write session on the token, logged in, once we know the new
 * key's label and id are its own. */
static int session_open(CK_FUNCTION_LIST **f, CK_SESSION_HANDLE *h,
			P11KitUri *u, const struct new_key *nk)
{
	int rc;

	if (tok.slot->token->readOnly)
		return err_set(ERR_USAGE, "token '%s' is read-only",
			       tok.slot->token->label);
	if ((rc = login(u)) < 0 ||
	    (rc = label_free(nk->label, nk->id, nk->id_len)) < 0 ||
	    (rc = function_list(f)) < 0)
		return rc;
	if ((*f)->C_OpenSession(PKCS11_get_slotid_from_slot(tok.slot),
				CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
				NULL, h) != CKR_OK)
		return err_set(ERR_IO, "cannot open a session on token '%s'",
			       tok.slot->token->label);
	return 0;
}

/* The new key read back through libp11, as signing will; the URI now
 * names it by id too. New keys, even on error. */
static int read_back(EVP_PKEY **priv, EVP_PKEY **pub, P11KitUri *u,
		     const char *shown, struct new_key *nk)
{
	CK_ATTRIBUTE id = { CKA_ID, nk->id, nk->id_len };
	PKCS11_KEY *k;
	int rc;

	if (p11_kit_uri_set_attribute(u, &id) != P11_KIT_URI_OK)
		return err_set(ERR_NOMEM, "out of memory");
	if ((rc = find_key(&k, u, shown, true)) < 0)
		return rc;
	if (!(*priv = PKCS11_get_private_key(k)) ||
	    !(*pub = PKCS11_get_public_key(k)))
		return err_set(ERR_CRYPTO, "cannot read back the new key on "
			       "token '%s'", tok.slot->token->label);
	return keys_check_acceptable(*pub);
}

/* @pubpath and, with opts->x509_subject, @crtpath signed by the token:
 * both or neither. */
static int files_write(const char *pubpath, const char *crtpath,
		       EVP_PKEY *priv, EVP_PKEY *pub,
		       const struct keygen_opts *opts)
{
	struct keys_out po = { 0 };
	X509 *cert = NULL;
	struct buf pem;
	int rc;

	buf_init(&pem, 0);
	if (opts->x509_subject &&
	    (rc = keys_x509_generate(&cert, priv, opts->x509_subject,
				     opts->x509_days ? opts->x509_days :
				     365)) < 0)
		goto out;
	if ((rc = keys_public_pem(&pem, pub)) < 0 ||
	    (rc = keys_out_write(&po, pubpath, pem.data, pem.len, 0644,
				 opts->force)) < 0)
		goto out;
	if (cert && (rc = keys_save_cert(crtpath, cert, opts->force)) < 0) {
		keys_out_abort(&po);
		goto out;
	}
	if ((rc = keys_out_commit(&po)) < 0 && cert)
		unlink(crtpath);
out:
	buf_release(&pem);
	X509_free(cert);
	return rc;
}

/* The URI to sign with: the one given, with the id made here. */
static void uri_used(char *used, size_t usedsz, P11KitUri *u,
		     const char *shown)
{
	char *fmt = NULL;

	if (p11_kit_uri_format(u, P11_KIT_URI_FOR_ANY, &fmt) ==
	    P11_KIT_URI_OK)
		str_sanitize(used, usedsz, fmt);
	else
		snprintf(used, usedsz, "%s", shown);
	free(fmt);
}

int keys_pkcs11_generate(const char *uri, const char *name,
			 const struct keygen_opts *opts, char *used,
			 size_t usedsz)
{
	char shown[SHOWN_MAX], pubpath[PATH_MAX], crtpath[PATH_MAX];
	CK_OBJECT_HANDLE pubh = 0, privh = 0;
	CK_SESSION_HANDLE h = 0;
	CK_FUNCTION_LIST *f = NULL;
	EVP_PKEY *pub = NULL, *priv = NULL;
	struct new_key nk;
	P11KitUri *u;
	bool made = false;
	int rc;

	if ((rc = out_paths(pubpath, crtpath, name, opts)) < 0 ||
	    (rc = token_open(&u, uri, shown, false)) < 0)
		return rc;
	if ((rc = new_key_name(&nk, u, shown)) < 0 ||
	    (rc = session_open(&f, &h, u, &nk)) < 0 ||
	    (rc = generate_on_token(f, h, opts->type, nk.label, nk.id,
				    nk.id_len, &pubh, &privh)) < 0)
		goto out;
	made = true;
	if ((rc = read_back(&priv, &pub, u, shown, &nk)) < 0 ||
	    (rc = files_write(pubpath, crtpath, priv, pub, opts)) < 0)
		goto out;
	uri_used(used, usedsz, u, shown);
out:
	if (rc < 0 && made) {
		/* nothing left behind: not half a key pair on the token */
		f->C_DestroyObject(h, privh);
		f->C_DestroyObject(h, pubh);
	}
	if (h)
		f->C_CloseSession(h);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(priv);
	ERR_clear_error();
	p11_kit_uri_free(u);
	return rc;
}
