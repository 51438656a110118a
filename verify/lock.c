/*
 * lock.c - a system policy users cannot override: /etc/signet/policy.json
 * with "locked": true is the only trust policy signet follows. Read here,
 * apart from the rest of the policy, because it decides which policy is
 * read at all.
 */
#include "verify.h"

int policy_system_locked(void)
{
	json_error_t e;
	json_t *doc, *v;
	struct buf b;
	int rc;

	buf_init(&b, POLICY_FILE_MAX);
	rc = file_read(&b, POLICY_SYSTEM, POLICY_FILE_MAX, FILE_FOLLOW,
		       "policy");
	if (rc == ERR_NOTFOUND) {
		err_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	/* there, but unreadable as JSON: whether it locks cannot be
	 * known, so nothing else may stand in for it */
	doc = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &e);
	if (!doc) {
		rc = err_set(ERR_FORMAT, "policy '%s': line %d: %s (run "
			     "'signet policy check')", POLICY_SYSTEM, e.line,
			     e.text);
		goto out;
	}
	v = json_object_get(doc, "locked");
	if (v && !json_is_boolean(v))
		rc = err_set(ERR_FORMAT, "policy '%s': .locked: expected true "
			     "or false", POLICY_SYSTEM);
	else
		rc = json_is_true(v);
	json_decref(doc);
out:
	buf_release(&b);
	return rc;
}
