/* ofp_err: OpenFlow error codes, their encodings per version, and
 * OFPT_ERROR messages.
 *
 * 'enum ofp_err' names every error Sluice sends or recognises, once, with
 * the (type, code) that OpenFlow 1.0 and 1.3 give it (from the
 * specifications; for errors the specification lacks, Open vSwitch's
 * Nicira/ONF extension codes, so that ovs-ofctl names them).  Decoders in
 * ofproto/ return 0 or one of these.  The table also gives each error its
 * name ("OFPBMC_BAD_PREREQ") for logs and tests.  An error with no
 * encoding in a version is sent as NXBRC_UNENCODABLE_ERROR, as OVS does. */
#ifndef SLUICE_OFP_ERR_H
#define SLUICE_OFP_ERR_H

#include <stddef.h>
#include <stdint.h>

struct ofp_buf;

#define OFP_NX_VENDOR  0x00002320u      /* Nicira. */
#define OFP_ONF_VENDOR 0x4f4e4600u      /* Open Networking Foundation. */

/* X(NAME, OF1.0 type, OF1.0 code, OF1.3 type, OF1.3 code, OF1.3
 * experimenter).  Type -1: no encoding in that version.  In OF1.3 an
 * experimenter error has type 0xffff and its exp_type as code.  In OF1.0,
 * Nicira errors have a standard type and a code from 256 up, and travel
 * in a Nicira vendor error (type 0xb0c2) as OVS sends them; so do the
 * group errors, which OF1.0 lacks, with their OF1.1 type and code
 * (OFP_ERR_NX10). */
#define OFP_ERR_NX10(CODE) (0x10000 | (CODE))

#define OFP_ERRORS(X) \
    X(OFPHFC_INCOMPATIBLE, 0, 0, 0, 0, 0) \
    X(OFPHFC_EPERM, 0, 1, 0, 1, 0) \
    X(OFPBRC_BAD_VERSION, 1, 0, 1, 0, 0) \
    X(OFPBRC_BAD_TYPE, 1, 1, 1, 1, 0) \
    X(OFPBRC_BAD_STAT, 1, 2, 1, 2, 0) \
    X(OFPBRC_BAD_VENDOR, 1, 3, 1, 3, 0) \
    X(OFPBRC_BAD_SUBTYPE, 1, 4, 1, 4, 0) \
    X(OFPBRC_EPERM, 1, 5, 1, 5, 0) \
    X(OFPBRC_BAD_LEN, 1, 6, 1, 6, 0) \
    X(OFPBRC_BUFFER_EMPTY, 1, 7, 1, 7, 0) \
    X(OFPBRC_BUFFER_UNKNOWN, 1, 8, 1, 8, 0) \
    X(OFPBRC_BAD_TABLE_ID, 1, 512, 1, 9, 0) \
    X(OFPBRC_IS_SECONDARY, 1, 5, 1, 10, 0) \
    X(OFPBRC_BAD_PORT, 1, 514, 1, 11, 0) \
    X(OFPBRC_BAD_PACKET, -1, 0, 1, 12, 0) \
    X(OFPBRC_MULTIPART_BUFFER_OVERFLOW, -1, 0, 1, 13, 0) \
    X(NXBRC_NXM_INVALID, 1, 256, 0xffff, 2, OFP_NX_VENDOR) \
    X(NXBRC_NXM_BAD_TYPE, 1, 257, 0xffff, 3, OFP_NX_VENDOR) \
    X(NXBRC_MUST_BE_ZERO, 1, 515, 0xffff, 4, OFP_NX_VENDOR) \
    X(NXBRC_UNENCODABLE_ERROR, 1, 521, 0xffff, 10, OFP_NX_VENDOR) \
    X(OFPBAC_BAD_TYPE, 2, 0, 2, 0, 0) \
    X(OFPBAC_BAD_LEN, 2, 1, 2, 1, 0) \
    X(OFPBAC_BAD_VENDOR, 2, 2, 2, 2, 0) \
    X(OFPBAC_BAD_VENDOR_TYPE, 2, 3, 2, 3, 0) \
    X(OFPBAC_BAD_OUT_PORT, 2, 4, 2, 4, 0) \
    X(OFPBAC_BAD_ARGUMENT, 2, 5, 2, 5, 0) \
    X(OFPBAC_EPERM, 2, 6, 2, 6, 0) \
    X(OFPBAC_TOO_MANY, 2, 7, 2, 7, 0) \
    X(OFPBAC_BAD_QUEUE, 2, 8, 2, 8, 0) \
    X(OFPBAC_BAD_OUT_GROUP, 2, OFP_ERR_NX10(9), 2, 9, 0) \
    X(OFPBAC_MATCH_INCONSISTENT, 1, 522, 2, 10, 0) \
    X(OFPBAC_UNSUPPORTED_ORDER, -1, 0, 2, 11, 0) \
    X(OFPBAC_BAD_TAG, -1, 0, 2, 12, 0) \
    X(OFPBAC_BAD_SET_TYPE, 1, 523, 2, 13, 0) \
    X(OFPBAC_BAD_SET_LEN, 1, 524, 2, 14, 0) \
    X(OFPBAC_BAD_SET_ARGUMENT, 1, 525, 2, 15, 0) \
    X(OFPBAC_BAD_SET_MASK, -1, 0, 0xffff, 4250, OFP_ONF_VENDOR) \
    X(NXBAC_MUST_BE_ZERO, 2, 256, 0xffff, 11, OFP_NX_VENDOR) \
    X(OFPBIC_UNKNOWN_INST, -1, 0, 3, 0, 0) \
    X(OFPBIC_UNSUP_INST, 2, 257, 3, 1, 0) \
    X(OFPBIC_BAD_TABLE_ID, -1, 0, 3, 2, 0) \
    X(OFPBIC_UNSUP_METADATA, -1, 0, 3, 3, 0) \
    X(OFPBIC_UNSUP_METADATA_MASK, -1, 0, 3, 4, 0) \
    X(OFPBIC_BAD_EXPERIMENTER, -1, 0, 3, 5, 0) \
    X(OFPBIC_BAD_EXP_TYPE, -1, 0, 3, 6, 0) \
    X(OFPBIC_BAD_LEN, -1, 0, 3, 7, 0) \
    X(OFPBIC_EPERM, -1, 0, 3, 8, 0) \
    X(OFPBIC_DUP_INST, -1, 0, 0xffff, 2600, OFP_ONF_VENDOR) \
    X(OFPBMC_BAD_TYPE, -1, 0, 4, 0, 0) \
    X(OFPBMC_BAD_LEN, -1, 0, 4, 1, 0) \
    X(OFPBMC_BAD_TAG, -1, 0, 4, 2, 0) \
    X(OFPBMC_BAD_DL_ADDR_MASK, -1, 0, 4, 3, 0) \
    X(OFPBMC_BAD_NW_ADDR_MASK, -1, 0, 4, 4, 0) \
    X(OFPBMC_BAD_WILDCARDS, 1, 262, 4, 5, 0) \
    X(OFPBMC_BAD_FIELD, 0, 263, 4, 6, 0) \
    X(OFPBMC_BAD_VALUE, 1, 258, 4, 7, 0) \
    X(OFPBMC_BAD_MASK, 1, 259, 4, 8, 0) \
    X(OFPBMC_BAD_PREREQ, 1, 260, 4, 9, 0) \
    X(OFPBMC_DUP_FIELD, 1, 261, 4, 10, 0) \
    X(OFPBMC_EPERM, -1, 0, 4, 11, 0) \
    X(OFPFMFC_UNKNOWN, -1, 0, 5, 0, 0) \
    X(OFPFMFC_TABLE_FULL, 3, 0, 5, 1, 0) \
    X(OFPFMFC_BAD_TABLE_ID, -1, 0, 5, 2, 0) \
    X(OFPFMFC_OVERLAP, 3, 1, 5, 3, 0) \
    X(OFPFMFC_EPERM, 3, 2, 5, 4, 0) \
    X(OFPFMFC_BAD_TIMEOUT, -1, 0, 5, 5, 0) \
    X(OFPFMFC_BAD_EMERG_TIMEOUT, 3, 3, -1, 0, 0) \
    X(OFPFMFC_BAD_COMMAND, 3, 4, 5, 6, 0) \
    X(OFPFMFC_BAD_FLAGS, 3, 258, 5, 7, 0) \
    X(OFPFMFC_UNSUPPORTED, 3, 5, -1, 0, 0) \
    X(NXFMFC_BAD_TABLE_ID, 5, 257, 0xffff, 13, OFP_NX_VENDOR) \
    X(OFPGMFC_INVALID_GROUP, 6, OFP_ERR_NX10(1), 6, 1, 0) \
    X(OFPGMFC_BAD_TYPE, 6, OFP_ERR_NX10(10), 6, 10, 0) \
    X(OFPGMFC_BAD_COMMAND, 6, OFP_ERR_NX10(11), 6, 11, 0) \
    X(OFPPMFC_BAD_PORT, 4, 0, 7, 0, 0) \
    X(OFPPMFC_BAD_HW_ADDR, 4, 1, 7, 1, 0) \
    X(OFPPMFC_BAD_CONFIG, -1, 0, 7, 2, 0) \
    X(OFPPMFC_BAD_ADVERTISE, -1, 0, 7, 3, 0) \
    X(OFPTMFC_BAD_TABLE, -1, 0, 8, 0, 0) \
    X(OFPTMFC_BAD_CONFIG, -1, 0, 8, 1, 0) \
    X(OFPQOFC_BAD_PORT, 5, 0, 9, 0, 0) \
    X(OFPQOFC_BAD_QUEUE, 5, 1, 9, 1, 0) \
    X(OFPSCFC_BAD_FLAGS, -1, 0, 10, 0, 0) \
    X(OFPSCFC_BAD_LEN, -1, 0, 10, 1, 0) \
    X(OFPRRFC_STALE, -1, 0, 11, 0, 0) \
    X(OFPRRFC_UNSUP, -1, 0, 11, 1, 0) \
    X(OFPRRFC_BAD_ROLE, 1, 513, 11, 2, 0) \
    X(OFPMMFC_UNKNOWN, -1, 0, 12, 0, 0) \
    X(OFPMMFC_INVALID_METER, -1, 0, 12, 2, 0) \
    X(OFPMMFC_BAD_COMMAND, -1, 0, 12, 4, 0) \
    X(OFPTFFC_BAD_TABLE, -1, 0, 13, 0, 0) \
    X(OFPTFFC_BAD_METADATA, -1, 0, 13, 1, 0) \
    X(OFPTFFC_EPERM, -1, 0, 13, 5, 0)

enum ofp_err {
    OFPERR_NONE = 0,
#define OFP_ERR_ENUM(NAME, T10, C10, T13, C13, E13) OFPERR_##NAME,
    OFP_ERRORS(OFP_ERR_ENUM)
#undef OFP_ERR_ENUM
    OFPERR_N
};

/* "OFPBMC_BAD_PREREQ"; "OK" for OFPERR_NONE; "UNKNOWN" out of range. */
const char *ofp_err_name(enum ofp_err);
/* OFPERR_NONE if 'name' is no error's name. */
enum ofp_err ofp_err_from_name(const char *name);

/* The wire form of 'err' in 'version' (OFP10_VERSION or OFP13_VERSION):
 * returns 0 and sets the type, code and experimenter id (0: standard), or
 * -ENOENT if 'err' has no encoding there.  (OpenFlow 1.0's Nicira errors
 * give OFP_NX_VENDOR as experimenter.) */
int ofp_err_encoding(enum ofp_err err, uint8_t version, uint16_t *type,
                     uint16_t *code, uint32_t *experimenter);

/* The error that ('type', 'code', 'experimenter') means in 'version';
 * OFPERR_NONE if none. */
enum ofp_err ofp_err_decode(uint8_t version, uint16_t type, uint16_t code,
                            uint32_t experimenter);

/* Appends an OFPT_ERROR message of 'version' with 'xid' that reports
 * 'err' and carries the first 64 bytes of 'request' ('len' bytes; may be
 * NULL).  An error with no encoding in 'version' is sent as
 * NXBRC_UNENCODABLE_ERROR. */
void ofp_err_encode(struct ofp_buf *, uint8_t version, uint32_t xid,
                    enum ofp_err err, const void *request, size_t len);

/* Appends the OFPT_ERROR HELLO_FAILED/INCOMPATIBLE that answers a HELLO
 * with no common version: version 'version', text 'reason' as its data. */
void ofp_err_encode_hello_failed(struct ofp_buf *, uint8_t version,
                                 uint32_t xid, const char *reason);

/* Parses the OFPT_ERROR message 'msg' ('len' bytes, header included):
 * returns 0 and sets '*err' (OFPERR_NONE when the code is unknown to
 * Sluice) and '*data'/'*data_len' (what follows the type and code, or
 * after the experimenter id), or OFPERR_OFPBRC_BAD_LEN when it is too
 * short for its kind. */
enum ofp_err ofp_err_parse(const uint8_t *msg, size_t len,
                           enum ofp_err *err, const uint8_t **data,
                           size_t *data_len);

#endif
