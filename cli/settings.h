/*
 * settings.h: the modelled machine's settings for a replay (host probe, then
 * options) and the `vmspace settings` command. See settings.c.
 */
#ifndef VMS_CLI_SETTINGS_H
#define VMS_CLI_SETTINGS_H

#include <stdio.h>

#include "replay.h"
#include "vmspace.h"

/* Where the per-process settings came from (enum vms_setting_source). */
struct settings_origin {
	int rlim[RL_COUNT];
	int caps;
};

/* Fills sys and cfg as a replay with o starts: defaults, then (with
 * o->host_defaults) this host's settings and this process's rlimits and
 * capabilities, then o's options. from (may be NULL) tells where the rlimits
 * and capabilities came from. Returns 0, or -1 after a message on err for a
 * setting the model refuses. */
int settings_build(const struct replay_opts *o, vms_sys *sys, struct vms_mm_config *cfg,
		   struct settings_origin *from, FILE *err);

/* One settings option of a command (cmd names it in messages): --settings
 * FILE, or one replay_setting(). Returns 0, 1 when opt is not a settings
 * option, or 2 after a message on stderr. */
int settings_option(struct replay_opts *o, const char *cmd, const char *opt, const char *val);

/* `vmspace settings [--as-options] [--verbose] [--no-host] [settings options]`. */
int cmd_settings(int argc, char **argv);

#endif
