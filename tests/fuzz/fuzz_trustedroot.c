/*
 * fuzz_trustedroot.c - Sigstore trusted roots: trustedroot_parse on the
 * input, then keys_trustroot_new on what parses, then the lookups a
 * keyless verification makes.
 * Properties: a refused root's message starts "trusted root: " (it names
 * a JSON path or the JSON error); a parsed root has windows that do not
 * end before they start and chains of 1 to TR_CHAIN_MAX certificates;
 * every log is found by its own key id at the start of its window, and
 * never outside it.
 */
#include "fuzz.h"
#include "../../formats/formats.h"
#include "../../keys/keys.h"

static void check_keys(const struct keys_trustroot *t)
{
	const struct keys_ca *cas[TR_ITEMS_MAX];
	const struct keys_log *log;
	size_t i;

	for (i = 0; i < t->n_tlogs; i++) {
		const struct keys_log *l = &t->tlogs[i];

		FUZZ_CHECK(l->key != NULL);
		FUZZ_CHECK(keys_trustroot_log(&log, t, false, l->id,
					      l->id_len, l->valid.start) == 0);
		FUZZ_CHECK(log->id_len == l->id_len &&
			   tr_window_has(&log->valid, l->valid.start));
		if (l->valid.start > 0 &&
		    keys_trustroot_log(&log, t, false, l->id, l->id_len,
				       l->valid.start - 1) == 0)
			FUZZ_CHECK(log != l);
	}
	FUZZ_CHECK(keys_trustroot_cas_at(cas, TR_ITEMS_MAX, t, false, 0) <=
		   t->n_cas);
	for (i = 0; i < t->n_cas; i++)
		FUZZ_CHECK(t->cas[i].n_certs >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trustedroot tr;
	struct keys_trustroot *t;
	size_t i;

	if (trustedroot_parse(&tr, NULL, data, size) < 0) {
		FUZZ_CHECK(strncmp(err_msg(), "trusted root: ", 14) == 0);
		trustedroot_release(&tr);
		err_clear();
		return 0;
	}
	for (i = 0; i < tr.n_tlogs; i++)
		FUZZ_CHECK(!tr.tlogs[i].valid.has_end ||
			   tr.tlogs[i].valid.end >= tr.tlogs[i].valid.start);
	for (i = 0; i < tr.n_cas; i++)
		FUZZ_CHECK(tr.cas[i].n_certs >= 1 &&
			   tr.cas[i].n_certs <= TR_CHAIN_MAX);
	if (keys_trustroot_new(&t, &tr) == 0) {
		check_keys(t);
		keys_trustroot_free(t);
	} else {
		FUZZ_CHECK(t == NULL);
	}
	trustedroot_release(&tr);
	err_clear();
	return 0;
}
