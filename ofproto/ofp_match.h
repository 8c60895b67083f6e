/* ofp_match: whole matches on the wire - OpenFlow 1.0 'ofp_match'
 * (wildcard bits, CIDR masks for nw_src/nw_dst), OpenFlow 1.3 'ofp_match'
 * of type OXM, and Nicira NXM (a bare TLV list) - to and from 'struct
 * ofp_match' (ofproto/ofp_field.h).
 *
 * Decoding is strict for OXM and NXM: every TLV's length, mask, value
 * and padding is checked, a field given twice (or two forms of one field,
 * such as vlan_tci with vlan_vid) is OFPBMC_DUP_FIELD, and every field's
 * prerequisites must be matched (OFPBMC_BAD_PREREQ).  OpenFlow 1.0
 * matches are normalised as the 1.0 specification says: a field whose
 * prerequisites the match does not meet is ignored.  Every decoder
 * produces the canonical form, so two matches are equal exactly when
 * memcmp() says so, and encoding then decoding gives the same match. */
#ifndef SLUICE_OFP_MATCH_H
#define SLUICE_OFP_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ofproto/ofp_field.h"

struct ofp_buf;

#define OFP10_MATCH_LEN 40

/* A match that matches everything. */
void ofp_match_init(struct ofp_match *);
bool ofp_match_equal(const struct ofp_match *, const struct ofp_match *);
/* Whether it matches everything. */
bool ofp_match_is_catchall(const struct ofp_match *);
/* The exact match of a packet's key: every field of 'flow' (the
 * prerequisites decide which a printer shows) but the datapath in_port and
 * recirculation id, tunnel fields and the pipeline fields of 'meta' only
 * where nonzero, the OpenFlow in_port always. */
void ofp_match_from_key(struct ofp_match *, const struct flow *,
                        const struct ofp_match_meta *meta);

/* OFPBMC_BAD_PREREQ if some field is matched whose prerequisites are not;
 * else 0.  The encoders below require a match that passes. */
enum ofp_err ofp_match_check(const struct ofp_match *);

/* Reads the NXM/OXM TLVs 'p' ('len' bytes exactly) into 'm'. */
enum ofp_err ofp_tlvs_decode(const uint8_t *p, size_t len,
                             struct ofp_match *m);
/* The same for an NXM match that may also carry the rule cookie filter
 * NXM_NX_COOKIE(_W) (class 1, field 30, 8 or 16 bytes: not mpls_ttl, which
 * shares the number at 1 byte): '*cookie' and '*cookie_mask' get it (0
 * and 0 without one). */
enum ofp_err ofp_tlvs_decode_nx(const uint8_t *p, size_t len,
                                struct ofp_match *m, uint64_t *cookie,
                                uint64_t *cookie_mask);
/* Appends 'm' as TLVs in 'fmt''s preferred classes (fields with no form
 * in that format use the other one, as Open vSwitch does).  Returns the
 * number of bytes appended. */
size_t ofp_tlvs_encode(struct ofp_buf *, enum ofp_tlv_format,
                       const struct ofp_match *m);
/* NXM with the cookie filter last (none if 'cookie_mask' is 0), as OVS
 * writes it. */
size_t ofp_tlvs_encode_nx(struct ofp_buf *, const struct ofp_match *m,
                          uint64_t cookie, uint64_t cookie_mask);

/* OpenFlow 1.3 'struct ofp_match' (type OFPMT_OXM) at 'p', 'len' bytes
 * available: sets '*consumed' to its padded length.  Errors besides the
 * TLVs': OFPBMC_BAD_TYPE (not OXM), OFPBMC_BAD_LEN (length, or nonzero
 * padding). */
enum ofp_err ofp13_match_decode(const uint8_t *p, size_t len,
                                struct ofp_match *m, size_t *consumed);
void ofp13_match_encode(struct ofp_buf *, const struct ofp_match *m);

/* OpenFlow 1.0 'struct ofp_match' (OFP10_MATCH_LEN bytes).  Errors:
 * OFPBMC_BAD_VALUE for a VLAN ID or PCP out of range. */
enum ofp_err ofp10_match_decode(const uint8_t *p, struct ofp_match *m);
/* Returns 0, or -ENOTSUP when OpenFlow 1.0 cannot express 'm' (fields or
 * masks it lacks). */
int ofp10_match_encode(const struct ofp_match *m, uint8_t *p);

#endif
