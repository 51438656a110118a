/* json.c - jansson with duplicate keys rejected; callers cap sizes. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Every block jansson frees is wiped first: parsed documents hold
 * registry passwords and helpers' secrets in copies we never see. */
static void wiping_free(void *p)
{
	if (p) {
		secure_wipe(p, malloc_usable_size(p));
		free(p);
	}
}

void jx_init(void)
{
	json_set_alloc_funcs(malloc, wiping_free);
}

int jx_parse(json_t **out, const void *data, size_t len, const char *what)
{
	json_error_t e;
	json_t *v;

	*out = NULL;
	if (!data || !len)
		return err_set(ERR_FORMAT, "%s: empty document", what);
	if (memchr(data, '\0', len))
		return err_set(ERR_FORMAT, "%s: NUL byte in JSON", what);
	v = json_loadb(data, len, JSON_REJECT_DUPLICATES,
		       &e);
	if (!v) {
		/* jansson's text ends " near '<token>'": the token may be a
		 * secret (a password in a helper's answer), so it goes */
		char *near = strstr(e.text, " near ");

		if (near)
			*near = '\0';
		return err_set(ERR_FORMAT, "%s: invalid JSON at line %d, "
			       "column %d: %s", what, e.line, e.column,
			       e.text);
	}
	*out = v;
	return 0;
}

const char *jx_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

char *jx_dump(const json_t *v)
{
	/* ASCII only: what we print of registry data cannot smuggle C1
	 * controls or bidi overrides past str_sanitize */
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY |
			  JSON_ENSURE_ASCII);
}

bool jx_only_members(const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(obj))
		return false;
	json_object_foreach((json_t *)obj, key, v) {
		for (i = 0; allowed[i]; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (!allowed[i])
			return false;
	}
	return true;
}
