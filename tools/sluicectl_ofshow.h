/* sluicectl_ofshow: the switch's state as ovs-ofctl -O OpenFlow13 prints
 * it: show (features, port descriptions, switch config), dump-ports (port
 * statistics) and dump-tables (table statistics, with "ditto" for runs of
 * equal tables), and the port-desc request that port names in flow text
 * are looked up with. */
#ifndef SLUICE_SLUICECTL_OFSHOW_H
#define SLUICE_SLUICECTL_OFSHOW_H

#include <stddef.h>
#include <stdint.h>

struct dstr;
struct of_client;
struct ofp_port;

/* Fetches the port descriptions: 0 with '*ports' (malloc'd) and '*n', 1
 * (message on stderr) if the switch refused, or a negative errno with the
 * reason in 'err'.  'out' (may be NULL) gets the replies as ovs-ofctl
 * prints them. */
int sluicectl_port_descs(struct of_client *, struct ofp_port **ports,
                         size_t *n, struct dstr *out, struct dstr *err);

/* The commands: "show", "dump-ports [PORT]", "dump-tables"; 'argv[0]' is
 * the command and argv[1] the bridge, already connected as 'c'.  Returns
 * an exit status (see sluicectl_flows.h). */
int sluicectl_ofshow_run(struct of_client *c, int argc, char *argv[]);

/* A port description as ovs-ofctl prints one in "show" and port-status:
 * " 1(p1): addr:..." and its config, state, features and speed lines. */
void sluicectl_put_port(struct dstr *, const struct ofp_port *);

/* "5.5s", "0.010s", "3s": seconds as ovs-ofctl prints a duration
 * (milliseconds when they are exact, else as many digits as needed). */
void sluicectl_format_duration(struct dstr *, uint32_t sec, uint32_t nsec);

#endif
