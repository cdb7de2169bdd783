/*
 * shm.h: System V shared memory inside the model (ipc/shm.c): what the files,
 * settings and exit paths need of the segments. The system calls themselves
 * are in vmspace.h.
 */
#ifndef VMS_SHM_H
#define VMS_SHM_H

#include "internal.h"

/* ipc/shm.c shm_close(): one attach reference went (a VMA, or shmat's own);
 * the segment is destroyed when it was the last and IPC_RMID or
 * kernel.shm_rmid_forced asks for it. */
void shm_nattch_put(struct shm_seg *seg);
/* ipc/shm.c __shm_open(): does the segment of attach file f still exist? (f
 * may outlive it: f->shm is then not to be read.) */
bool shm_attach_alive(const vms_sys *sys, const struct vms_file *f);
/* ipc/shm.c exit_shm(): the creator mm exits (after its VMAs went). */
void shm_exit(struct vms_mm *mm);
/* ipc/shm.c shm_destroy_orphaned(): unattached segments whose creator exited
 * go (kernel.shm_rmid_forced being turned on). */
void shm_destroy_orphaned(vms_sys *sys);
/* The limit of ids (ipc/util.h ipc_mni: IPCMNI, or IPCMNI_EXTEND). */
uint64_t shm_ipc_mni(const vms_sys *sys);
/* Frees every segment still there (vms_sys_free; the VMAs are gone). */
void shm_sys_release(vms_sys *sys);

#endif
