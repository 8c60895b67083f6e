/* ofp_parse_private: what the parts of the ovs-ofctl flow parser share -
 * the "key=value" tokenizer, numbers, field names (ovs-fields(7) names,
 * their old aliases, NXM_* and OXM_* names), field values with masks, and
 * subfields "FIELD[a..b]".  Included only by ofproto/ofp_parse*.c. */
#ifndef SLUICE_OFP_PARSE_PRIVATE_H
#define SLUICE_OFP_PARSE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ofproto/ofp_field.h"

struct dstr;

/* Takes the next "key", "key=value", "key:value" or "key(value)" from
 * '*pos' (a writable string: the key and value are NUL-terminated in
 * place); commas and white space separate words, parentheses nest inside
 * a value.  '*delim' (if not NULL) gets what followed the key: '=', ':',
 * '(' or '\0' (none).  Returns false at the end. */
bool ofpp_next_kv(char **pos, char **key, char **value, char *delim);

/* A C-literal unsigned number no greater than 'max'. */
int ofpp_uint(const char *s, uint64_t max, uint64_t *v);

/* The field called 'name' (ovs-fields(7) name, alias, NXM_* or OXM_*
 * name), or NULL. */
const struct mf_field *ofpp_field(const char *name);
/* Its width in bits. */
unsigned int ofpp_field_bits(const struct mf_field *);

/* Reads "VALUE[/MASK]" for 'mf' into the wire forms 'value' and 'mask'
 * (mf->n_bytes each; the mask all ones without one); a mask is refused
 * unless 'allow_mask'.  The value is ANDed with the mask, as OVS does.
 * Returns 0 or -EINVAL with the reason in 'err'. */
int ofpp_field_value(const struct mf_field *, const char *s, bool allow_mask,
                     uint8_t *value, uint8_t *mask, struct dstr *err);

/* "FIELD[]", "FIELD[n]", "FIELD[a..b]", or "FIELD" (the whole field). */
struct ofpp_subfield {
    const struct mf_field *mf;
    unsigned int ofs, n_bits;
};
int ofpp_subfield(const char *s, struct ofpp_subfield *, struct dstr *err);

#endif
