/*
 * checkpoint.c - the checkpoint a transparency log signs (C2SP
 * tlog-checkpoint: origin, tree size, root hash, extension lines) in its
 * signed note (C2SP signed-note: the text, a blank line, then lines
 * "— NAME BASE64(key hint || signature)"), as Rekor puts it in an
 * inclusion proof. Pure: verify/tlog.c checks the signatures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"

/* U+2014, which starts a signature line */
#define EM_DASH "\xe2\x80\x94"

/* The text: printable bytes, UTF-8 and tabs allowed, no other control
 * characters but the newlines. */
static bool text_clean(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') ||
		    p[i] == 0x7f)
			return false;
	return true;
}

/* Line @i (0-based) of @text into @out (without its newline); false when
 * there is none or it is empty or longer than @outsz - 1. */
static bool text_line(char *out, size_t outsz, const struct buf *text,
		      size_t i)
{
	const char *p = (const char *)text->data, *end = p + text->len;
	const char *nl;

	for (; i > 0; i--) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			return false;
		p = nl + 1;
	}
	if (!(nl = memchr(p, '\n', (size_t)(end - p))) || nl == p ||
	    (size_t)(nl - p) >= outsz)
		return false;
	memcpy(out, p, (size_t)(nl - p));
	out[nl - p] = '\0';
	return true;
}

static int parse_body(struct checkpoint *out)
{
	char line[256], *end;
	struct buf root;
	long long n;
	int rc = 0;

	if (!text_line(out->origin, sizeof(out->origin), &out->text, 0))
		return err_set(ERR_FORMAT, "checkpoint: no origin line");
	errno = 0;
	if (!text_line(line, sizeof(line), &out->text, 1) ||
	    line[0] < '0' || line[0] > '9' || (line[0] == '0' && line[1]) ||
	    strlen(line) > 19 || (n = strtoll(line, &end, 10)) < 0 || *end ||
	    errno == ERANGE)
		return err_set(ERR_FORMAT, "checkpoint: line 2 is not a tree "
			       "size");
	out->tree_size = n;
	buf_init(&root, 64);
	if (!text_line(line, sizeof(line), &out->text, 2) ||
	    b64_decode(&root, line, strlen(line)) < 0 || root.len != 32)
		rc = err_set(ERR_FORMAT, "checkpoint: line 3 is not a "
			     "base64 SHA-256 root hash");
	else
		memcpy(out->root, root.data, 32);
	buf_release(&root);
	return rc;
}

/* One signature line, without its newline: EM_DASH " NAME BASE64". */
static int parse_sig(struct note_sig *out, const char *p, size_t n,
		     size_t k)
{
	const char *name = p + strlen(EM_DASH " "), *sp, *end = p + n;
	struct buf raw;
	int rc = 0;

	if (n < strlen(EM_DASH " ") ||
	    memcmp(p, EM_DASH " ", strlen(EM_DASH " ")) != 0 ||
	    !(sp = memchr(name, ' ', (size_t)(end - name))) || sp == name ||
	    (size_t)(sp - name) >= sizeof(out->name) ||
	    memchr(name, '+', (size_t)(sp - name)))
		return err_set(ERR_FORMAT, "checkpoint: signature line %zu is "
			       "not '— NAME SIGNATURE'", k + 1);
	memcpy(out->name, name, (size_t)(sp - name));
	out->name[sp - name] = '\0';
	buf_init(&raw, NOTE_MAX);
	if (b64_decode(&raw, sp + 1, (size_t)(end - sp - 1)) < 0 ||
	    raw.len < 5) {
		rc = err_set(ERR_FORMAT, "checkpoint: signature line %zu: "
			     "not a base64 key hint and signature", k + 1);
	} else {
		memcpy(out->hint, raw.data, 4);
		rc = buf_append(&out->sig, raw.data + 4, raw.len - 4);
	}
	buf_release(&raw);
	return rc;
}

static int parse_sigs(struct checkpoint *out, const char *p, size_t n)
{
	const char *end = p + n, *nl;
	int rc;

	if (!n || p[n - 1] != '\n')
		return err_set(ERR_FORMAT, "checkpoint: no signature line, or "
			       "the last does not end in a newline");
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (out->n_sigs == NOTE_SIGS_MAX)
			return err_set(ERR_FORMAT, "checkpoint: more than %d "
				       "signatures", NOTE_SIGS_MAX);
		buf_init(&out->sigs[out->n_sigs].sig, 0);
		rc = parse_sig(&out->sigs[out->n_sigs], p, (size_t)(nl - p),
			       out->n_sigs);
		out->n_sigs++;
		if (rc < 0)
			return rc;
	}
	return 0;
}

int checkpoint_parse(struct checkpoint *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	const unsigned char *blank;
	size_t text_len;
	int rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->text, NOTE_MAX);
	if (len > NOTE_MAX)
		return err_set(ERR_FORMAT, "checkpoint: over %d bytes",
			       NOTE_MAX);
	if (!len || !(blank = memmem(p, len, "\n\n", 2)))
		return err_set(ERR_FORMAT, "checkpoint: no blank line between "
			       "the text and the signatures");
	text_len = (size_t)(blank - p) + 1;
	if (!text_clean(p, len))
		return err_set(ERR_FORMAT, "checkpoint: control characters "
			       "in the note");
	if ((rc = buf_append(&out->text, p, text_len)) < 0 ||
	    (rc = parse_body(out)) < 0)
		return rc;
	return parse_sigs(out, (const char *)p + text_len + 1,
			  len - text_len - 1);
}

void checkpoint_release(struct checkpoint *c)
{
	size_t i;

	if (!c)
		return;
	buf_release(&c->text);
	for (i = 0; i < c->n_sigs; i++)
		buf_release(&c->sigs[i].sig);
	memset(c, 0, sizeof(*c));
}
