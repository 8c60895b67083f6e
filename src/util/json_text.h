/* json_text: JSON text read and written as Open vSwitch does (its
 * lib/json.c, observed on ovsdb-server 3.1), to and from Jansson values,
 * for the JSON-RPC framing (jsonrpc.h).  Where Open vSwitch departs from
 * Jansson:
 *   - bytes in strings are taken as they are: invalid UTF-8 is kept (and
 *     written back unchanged); what uses a string as UTF-8 checks it
 *     (json_text_utf8_error());
 *   - \u escapes: a high surrogate must be followed by a low one; a lone
 *     low surrogate becomes its 3-byte encoding; \u0000 is refused;
 *   - numbers: an integer that does not fit in 64 bits is a real, and a
 *     real with an integral value that fits (2.0, 1E2, -0.0) an integer;
 *     beyond the range of a double is an error;
 *   - written: strings escape only '"', '\\' and bytes below 0x20
 *     (\b \f \n \r \t, else \u00xx), reals as "%.15g".
 * Strings with invalid UTF-8 are made with Jansson's *_nocheck functions:
 * Jansson's own encoder refuses them, so write with json_text_write(). */
#ifndef SLUICE_JSON_TEXT_H
#define SLUICE_JSON_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct dstr;

/* Parses the one JSON value that fills 'text' (whitespace around it
 * allowed), nested at most 'max_depth' arrays and objects.  Returns it,
 * or NULL with a message in 'err'. */
json_t *json_text_parse(const char *text, size_t n, unsigned int max_depth,
                        char *err, size_t err_size);

/* Appends 'json' as compact text. */
void json_text_write(struct dstr *, const json_t *json);
/* Appends 's' (n bytes) as a JSON string. */
void json_text_write_string(struct dstr *, const char *s, size_t n);

/* NULL if 's' (n bytes) is valid UTF-8, else Open vSwitch's description
 * of the first bad sequence ("invalid UTF-8 sequence 0xe2 0x82 0x62": the
 * bytes from the sequence's first to the first wrong one, the end of the
 * string counting as 0x00), in 'buf'. */
const char *json_text_utf8_error(const char *s, size_t n, char *buf,
                                 size_t size);

#endif
