/*
 * merge.c - adding an entry to a tag that others may be rewriting at the
 * same moment (cosign's .sig manifest, the referrers tag index), on
 * registries with no conditional PUT.
 *
 * The protocol: read the tag; if our entry is missing, add it to what we
 * read and PUT the result; then wait a settle window W and read again.
 * Another signer that read the tag before our PUT and writes after it
 * drops our entry, but it must do so within its own read-modify-write
 * time; W is several times the longest read-modify-write we observed
 * (under the same load), with random jitter so that racing signers spread
 * out. If the read after W lacks our entry we merge again; we stop once a
 * read at least W after our last PUT shows our entry, or after a bounded
 * number of rounds (then the error says the signature may be missing).
 * Every signer keeps what it read from others, so no signature is lost
 * while every signer's read-modify-write fits inside W.
 *
 * W is measured on our own read-modify-write, and another signer may be
 * slower (32 signers on 2 CPUs under a sanitizer were). So "settled" also
 * asks that the tag has not changed for W: while others keep writing we
 * keep reading. A signer that drops our entry must then have read before
 * our write and written after the tag was quiet for W, which needs a
 * read-modify-write longer than all the churn plus W.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>

#include "internal.h"

#define MERGE_ROUNDS 40
#define MERGE_PUT_FAILURES 8
#define SETTLE_MIN_MS 100
#define SETTLE_MAX_MS 3000

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static long jitter(long max)
{
	unsigned int r = 0;

	if (max <= 0)
		return 0;
	RAND_bytes((unsigned char *)&r, sizeof(r));
	return (long)(r % (unsigned long)max);
}

int registry_tag_merge(struct registry *reg, const struct image_ref *repo,
		       const char *tag, const char *media_type,
		       merge_fn merge, void *ctx, bool *added)
{
	long settle = SETTLE_MIN_MS, last_put = -1, changed = 0, t0;
	int round, rc, put_failures = 0;
	struct digest seen = { 0 };	/* the tag as last read or written */

	*added = false;
	for (round = 0; round < MERGE_ROUNDS; round++) {
		struct manifest cur = { 0 };
		char *body = NULL;
		bool present = false;

		t0 = now_ms();
		/* a GET is retried inside http_do; failing after that, the
		 * registry is gone and so are we */
		rc = registry_get_manifest(reg, repo, tag, &cur);
		if (rc == 0 && strcmp(cur.digest.str, seen.str) != 0) {
			seen = cur.digest;	/* someone else wrote */
			changed = now_ms();
		}
		if (rc == ERR_NOTFOUND) {
			err_clear();
			rc = merge(ctx, NULL, &body, &present);
		} else if (rc == 0) {
			rc = merge(ctx, &cur, &body, &present);
		}
		manifest_release(&cur);
		if (rc < 0)
			return rc;
		if (present) {
			free(body);
			/* settled: seen at least W after our last write, on
			 * a tag that has not changed for W */
			if (last_put < 0 || (now_ms() - last_put >= settle &&
					     now_ms() - changed >= settle))
				return 0;
		} else {
			rc = registry_put_manifest(reg, repo, tag, media_type,
						   body, strlen(body), NULL);
			if (rc == 0)	/* our own write is no news */
				digest_of(&seen, body, strlen(body));
			free(body);
			/* a registry racing with itself may refuse a write
			 * (docker-registry: "digest did not match"), and a
			 * PUT by tag is never repeated as it was (http.c,
			 * may_repeat): read and merge again rather than give
			 * up. A write whose answer was lost may have landed:
			 * a read showing it must still wait out W. */
			if (rc == ERR_NET && ++put_failures <
			    MERGE_PUT_FAILURES) {
				char why[768];
				long ms = settle + jitter(settle);

				last_put = now_ms();
				if (http_transient(reg) &&
				    http_backoff(reg, put_failures) > ms)
					ms = http_backoff(reg, put_failures);
				snprintf(why, sizeof(why), "%s", err_msg());
				debugf("'%s': %s; merging again", tag, why);
				if ((rc = http_pause(reg, ms, why)) < 0)
					return rc;
				err_clear();
				continue;
			}
			if (rc < 0)
				return rc;
			*added = true;
			last_put = now_ms();
			/* W: several of our read-modify-writes under the
			 * present load, within bounds */
			if (4 * (last_put - t0) > settle)
				settle = 4 * (last_put - t0);
			if (settle > SETTLE_MAX_MS)
				settle = SETTLE_MAX_MS;
			if (round)
				debugf("'%s' lost our entry; merged again "
				       "(round %d)", tag, round + 1);
		}
		{
			char why[300];

			snprintf(why, sizeof(why), "tag '%s': waiting for "
				 "concurrent signers to settle", tag);
			if ((rc = http_pause(reg, settle + jitter(settle / 2),
					     why)) < 0)
				return rc;
		}
	}
	return err_set(ERR_NET, "tag '%s' kept changing under concurrent "
		       "writers; the signature may be missing: run the same "
		       "command again", tag);
}
