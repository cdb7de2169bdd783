# Shared memory as programs use it: a memfd with seals, a POSIX shm object
# (/dev/shm, opened as glibc's shm_open does), an O_TMPFILE file, /dev/zero,
# memfd_secret and System V segments (through libc), mapped, split, forked,
# detached and removed. For tests/data/replay/shm (scripts/record.sh).
import ctypes, mmap, os

libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
libc.shmctl.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
IPC_PRIVATE, IPC_CREAT, IPC_EXCL, IPC_RMID, IPC_STAT = 0, 0o1000, 0o2000, 0, 2
SHM_RDONLY = 0o10000

fd = os.memfd_create("demo", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
os.ftruncate(fd, 3 * 4096 + 5)
m = mmap.mmap(fd, 3 * 4096)
m[0] = 1
ro = mmap.mmap(fd, 4096, prot=mmap.PROT_READ)
import fcntl
try:
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE)
except OSError:
    pass
m.close()
ro.close()
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK)
fcntl.fcntl(fd, fcntl.F_GET_SEALS)
try:
    mmap.mmap(fd, 4096)
except OSError:
    pass
ro = mmap.mmap(fd, 4096, prot=mmap.PROT_READ)
try:
    os.ftruncate(fd, 4096)
except OSError:
    pass

p = os.open("/dev/shm/vmspace-demo", os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
os.ftruncate(p, 20000)
pm = mmap.mmap(p, 20000)
pm[0] = 7
os.unlink("/dev/shm/vmspace-demo")

t = os.open("/tmp", os.O_TMPFILE | os.O_RDWR, 0o600)
os.ftruncate(t, 8192)
tm = mmap.mmap(t, 8192)

z = os.open("/dev/zero", os.O_RDWR)
zs = mmap.mmap(z, 3 * 4096, flags=mmap.MAP_SHARED, offset=4096)
zp = mmap.mmap(z, 2 * 4096, flags=mmap.MAP_PRIVATE)

try:
    s = libc.syscall(447, 0)   # memfd_secret
    if s >= 0:
        os.ftruncate(s, 4096)
        sm = mmap.mmap(s, 4096)
except OSError:
    pass

a = libc.shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0o600)
b = libc.shmget(0x5eed, 5000, IPC_CREAT | IPC_EXCL | 0o644)
pa = libc.shmat(a, None, 0)
pb = libc.shmat(b, None, SHM_RDONLY)
buf = ctypes.create_string_buffer(256)
libc.shmctl(a, IPC_STAT, buf)
libc.mprotect(pa + 4096, 4096, 1)
libc.shmctl(a, IPC_STAT, buf)
pid = os.fork()
if pid == 0:
    libc.shmctl(a, IPC_STAT, buf)
    os._exit(0)
os.waitpid(pid, 0)
libc.shmctl(b, IPC_RMID, None)
libc.shmctl(b, IPC_STAT, buf)
libc.munmap(pa, 4096)
libc.shmdt(ctypes.c_void_p(pa))
libc.shmdt(ctypes.c_void_p(pb))
libc.shmctl(b, IPC_STAT, buf)
libc.shmctl(a, IPC_RMID, None)
# one segment still attached at exit, removed already: "/SYSV00000000 (deleted)"
c = libc.shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0o600)
pc = libc.shmat(c, None, 0)
libc.shmctl(c, IPC_RMID, None)
libc.shmctl(c, IPC_STAT, buf)
# exit with every mapping in place, for the maps at exit
os._exit(0)
