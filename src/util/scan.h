/* scan: the one parser of unsigned numbers and Ethernet addresses in text,
 * used by flow matches, actions, control commands, options and
 * configuration values alike.
 *
 * Numbers: the whole string is digits, nothing else - no sign, no space,
 * no suffix, not empty - and a value above the caller's maximum is an
 * error, never wrapped.  The base says which digits:
 *   SCAN_C   as Open vSwitch's datapath flow syntax reads numbers (C
 *            literals): "0x1f" hexadecimal, "017" octal (a leading zero),
 *            "17" decimal.  Flow matches and actions, so tcp(dst=010) and
 *            set(tcp(dst=010)) both mean port 8, as in ovs-dpctl
 *            (checked with Debian's Open vSwitch 3.1: ovs-appctl
 *            dpctl/add-flow reads 010 as 8, and also takes -1 as 65535
 *            and 70000 as 4464 - wrapping that Sluice refuses).
 *   10       decimal; leading zeros are just zeros ("010" is 10).  Counts
 *            and sizes in commands and configuration (as ovs-appctl's
 *            and ovs-vsctl's numbers).
 *   16       hexadecimal with or without "0x" (CPU masks).
 * Ethernet addresses: six groups of one or two hexadecimal digits
 * separated by ':' ("2:0:0:0:0:a" is 02:00:00:00:00:0a); nothing else. */
#ifndef SLUICE_SCAN_H
#define SLUICE_SCAN_H

#include <stdint.h>

#define SCAN_C 0

/* Parses 's' in 'base' (SCAN_C, 10 or 16) into '*v'.  Returns 0, -EINVAL
 * if 's' is not a number in that base, or -ERANGE if it is above 'max'.
 * '*v' is untouched on error. */
int scan_uint(const char *s, int base, uint64_t max, uint64_t *v);

/* The same for 32-bit values. */
int scan_u32(const char *s, int base, uint32_t max, uint32_t *v);

/* Parses the Ethernet address 's' into 'mac'.  Returns 0 or -EINVAL
 * ('mac' untouched). */
int scan_mac(const char *s, uint8_t mac[6]);

#endif
