/* rule_ctl: the debug rule table as the translation provider, and its
 * control-socket commands (debug/add-rule, debug/del-rule,
 * debug/del-rules, debug/show-rules).  Any change revalidates the
 * megaflows of every PMD against the new rules (upcall_revalidate()). */
#ifndef SLUICE_RULE_CTL_H
#define SLUICE_RULE_CTL_H

struct dp;

/* Registers the commands and makes the table the translation provider. */
void rule_ctl_init(struct dp *);
void rule_ctl_destroy(void);

/* Adds "in_port(IN) -> ACTIONS" at priority 0, replacing any such rule:
 * the shorthand behind dpctl/set-if-output and sluiced --output.  Returns
 * 0, or nonzero with a message in 'err'. */
struct dstr;
int rule_ctl_set_port_output(struct dp *, const char *in,
                             const char *actions, struct dstr *err);

#endif
