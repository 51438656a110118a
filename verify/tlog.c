/*
 * tlog.c - the checks on a Rekor transparency log entry, offline against
 * a trusted root: its Signed Entry Timestamp (the log's promise to
 * include the entry), its RFC 6962 inclusion proof, and the checkpoint
 * the proof leads to (the log's signed tree head). Pure functions: the
 * entry comes parsed (formats/rekor.c), the keys loaded (keys/
 * trustroot.c); nothing is fetched.
 */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>

#include "../keys/keys.h"
#include "verify.h"

static int sha256_parts(unsigned char out[32], unsigned char prefix,
			const void *a, size_t alen, const void *b,
			size_t blen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, &prefix, 1) == 1 &&
	     EVP_DigestUpdate(ctx, a, alen) == 1 &&
	     (!blen || EVP_DigestUpdate(ctx, b, blen) == 1) &&
	     EVP_DigestFinal_ex(ctx, out, NULL) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : err_set_ssl(ERR_CRYPTO, "cannot hash");
}

int tlog_merkle_root(unsigned char out[32], const unsigned char leaf[32],
		     uint64_t index, uint64_t size,
		     const unsigned char (*hashes)[32], size_t n)
{
	uint64_t fn = index, sn;
	unsigned char r[32];
	size_t i;
	int rc;

	if (index >= size)
		return err_set(ERR_VERIFY, "leaf index %llu is not below the "
			       "tree size %llu", (unsigned long long)index,
			       (unsigned long long)size);
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return err_set(ERR_VERIFY, "more hashes than a tree of "
				       "%llu leaves needs",
				       (unsigned long long)size);
		if ((fn & 1) || fn == sn) {
			rc = sha256_parts(r, 0x01, hashes[i], 32, r, 32);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			rc = sha256_parts(r, 0x01, r, 32, hashes[i], 32);
		}
		if (rc < 0)
			return rc;
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return err_set(ERR_VERIFY, "fewer hashes than a tree of %llu "
			       "leaves needs", (unsigned long long)size);
	memcpy(out, r, 32);
	return 0;
}

int tlog_verify_set(const struct keys_trustroot *t,
		    const struct rekor_entry *e)
{
	const struct keys_log *log;
	struct buf payload;
	int rc;

	if (!e->set.len)
		return err_set(ERR_VERIFY, "SET: the log entry has none");
	if ((rc = keys_trustroot_log(&log, t, false, e->log_id.data,
				     e->log_id.len,
				     (time_t)e->integrated_time)) < 0)
		return err_wrap(rc, "SET");
	buf_init(&payload, 0);
	if ((rc = rekor_set_payload(&payload, e)) == 0 &&
	    (rc = keys_log_verify(log, payload.data, payload.len,
				  e->set.data, e->set.len)) < 0)
		rc = err_set(ERR_VERIFY, "SET: signature does not verify with "
			     "the key of log %s", log->base_url[0] ?
			     log->base_url : "(unnamed)");
	buf_release(&payload);
	return rc;
}

int tlog_verify_inclusion(const struct rekor_entry *e)
{
	unsigned char leaf[32], root[32];
	int rc;

	if (!e->has_proof)
		return err_set(ERR_VERIFY, "inclusion proof: the log entry "
			       "has none");
	if ((rc = sha256_parts(leaf, 0x00, e->body.data, e->body.len, NULL,
			       0)) < 0)
		return rc;
	if ((rc = tlog_merkle_root(root, leaf,
				   (uint64_t)e->proof.log_index,
				   (uint64_t)e->proof.tree_size,
				   e->proof.hashes, e->proof.n_hashes)) < 0)
		return err_wrap(rc, "inclusion proof");
	if (memcmp(root, e->proof.root, 32) != 0)
		return err_set(ERR_VERIFY, "inclusion proof: does not lead to "
			       "the root hash");
	return 0;
}

/* Could @s be a signature line of @log's key? Its hint is the first 4
 * bytes of the SHA-256 of the SPKI (Rekor v1), or of NAME "\n" type key
 * (C2SP signed-note: 0x01 and the raw key for Ed25519, 0x02 and the
 * SPKI for ECDSA). */
static bool hint_matches(const struct keys_log *log, const struct note_sig *s)
{
	unsigned char md[32], raw[64], *der = NULL;
	size_t rawlen = sizeof(raw);
	struct buf m;
	int len;
	bool ok = false;

	if (memcmp(s->hint, log->spki_sha256, 4) == 0)
		return true;
	buf_init(&m, 0);
	if (buf_appendf(&m, "%s\n", s->name) < 0)
		goto out;
	if (log->kind == TR_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(log->key, raw, &rawlen) != 1 ||
		    buf_append(&m, "\x01", 1) < 0 ||
		    buf_append(&m, raw, rawlen) < 0)
			goto out;
	} else {
		if ((len = i2d_PUBKEY(log->key, &der)) <= 0 ||
		    buf_append(&m, "\x02", 1) < 0 ||
		    buf_append(&m, der, (size_t)len) < 0)
			goto out;
	}
	ok = EVP_Digest(m.data, m.len, md, NULL, EVP_sha256(), NULL) == 1 &&
	     memcmp(md, s->hint, 4) == 0;
out:
	OPENSSL_free(der);
	buf_release(&m);
	return ok;
}

/* Some signature line of @c is @log's and verifies over the text. */
static int note_signed_by(const struct checkpoint *c,
			  const struct keys_log *log)
{
	bool hinted = false;
	size_t i;

	for (i = 0; i < c->n_sigs; i++) {
		if (!hint_matches(log, &c->sigs[i]))
			continue;
		hinted = true;
		if (keys_log_verify(log, c->text.data, c->text.len,
				    c->sigs[i].sig.data,
				    c->sigs[i].sig.len) == 0)
			return 0;
	}
	if (!hinted)
		return err_set(ERR_VERIFY, "checkpoint: no signature by the "
			       "log's key");
	return err_set(ERR_VERIFY, "checkpoint: signature does not verify "
		       "with the log's key");
}

int tlog_verify_checkpoint(const struct keys_trustroot *t,
			   const struct rekor_entry *e, time_t at)
{
	const struct keys_log *log;
	struct checkpoint c;
	char why[JP_MSG_MAX];
	int rc;

	if (!e->has_proof || !e->proof.checkpoint)
		return err_set(ERR_VERIFY, "checkpoint: the log entry has "
			       "none");
	if ((rc = keys_trustroot_log(&log, t, false, e->log_id.data,
				     e->log_id.len, at)) < 0)
		return err_wrap(rc, "checkpoint");
	if ((rc = checkpoint_parse(&c, e->proof.checkpoint,
				   strlen(e->proof.checkpoint))) < 0) {
		snprintf(why, sizeof(why), "%s", err_msg());
		rc = err_set(ERR_VERIFY, "%s", why);
	}
	else if ((rc = note_signed_by(&c, log)) < 0)
		;
	else if (c.tree_size != e->proof.tree_size)
		rc = err_set(ERR_VERIFY, "checkpoint: tree size %lld is not "
			     "the inclusion proof's %lld",
			     (long long)c.tree_size,
			     (long long)e->proof.tree_size);
	else if (memcmp(c.root, e->proof.root, 32) != 0)
		rc = err_set(ERR_VERIFY, "checkpoint: root hash is not the "
			     "inclusion proof's");
	checkpoint_release(&c);
	return rc;
}
