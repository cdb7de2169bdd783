/*
 * exec_cmd.h: `vmspace exec` (exec.c). Not for: the library's execve
 * (include/vmspace.h vms_execve).
 */
#ifndef VMS_CLI_EXEC_H
#define VMS_CLI_EXEC_H

/* `vmspace exec [options] PROGRAM [ARG...]`; argv starts after "exec". */
int cmd_exec(int argc, char **argv);

#endif
