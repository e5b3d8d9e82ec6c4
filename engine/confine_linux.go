package engine

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Confinement is the file system a local engine process may reach, enforced
// by the kernel (Landlock) beneath DuckDB's own guards: the tenant's
// directory read-write, what the process needs to run read-only (its
// binary, libraries, its own /proc entry), nothing else. Path resolution
// happens in the kernel, so a symbolic link in the tenant's directory that
// points elsewhere leads nowhere.
type Confinement struct {
	ReadWrite []string
	ReadOnly  []string
}

// runtimeReadOnly is what a kitsune engine process reads to start and run:
// its shared libraries, time zones and name resolution.
var runtimeReadOnly = []string{"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/etc/ld.so.cache",
	"/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/usr/share/zoneinfo", "/etc/hosts", "/etc/resolv.conf",
	"/etc/nsswitch.conf", "/etc/host.conf", "/etc/gai.conf", "/dev/urandom", "/dev/random", "/dev/null",
	// CPU and memory facts DuckDB and the Go runtime read at start (the
	// process's own /proc entry is added by restrictThread: DuckDB aborts
	// without /proc/self/cgroup).
	"/proc/stat", "/proc/meminfo", "/proc/sys/vm/overcommit_memory", "/sys/devices/system/cpu", "/sys/fs/cgroup",
	"/sys/kernel/mm/transparent_hugepage"}

// ErrNoLandlock: the kernel cannot confine processes; only DuckDB's own
// guards apply.
var ErrNoLandlock = errors.New("the kernel has no Landlock (Linux 5.13+ with landlock enabled): local engines run with DuckDB's guards only")

// ConfineExec confines the calling thread to c and executes path with argv
// and env in its place: the new program starts with one thread, confined
// as a whole (a Go program cannot confine all its own threads once
// started). It returns only on failure; ErrNoLandlock when the kernel
// cannot confine.
func ConfineExec(c Confinement, path string, argv, env []string) error {
	runtime.LockOSThread() // the confinement is this thread's until exec
	if err := restrictThread(c, path); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	err := unix.Exec(path, argv, env)
	// The thread is confined and exec failed: it must not run other
	// goroutines; it ends with the caller, who stops.
	return fmt.Errorf("exec %s: %w", path, err)
}

func abiVersion() int {
	v, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if errno != 0 {
		return 0
	}
	return int(v)
}

// handledAccess is every file-system right the kernel's Landlock ABI knows.
func handledAccess(abi int) uint64 {
	a := uint64(unix.LANDLOCK_ACCESS_FS_REFER - 1) // ABI 1: bits 0..12
	if abi >= 2 {
		a |= unix.LANDLOCK_ACCESS_FS_REFER
	}
	if abi >= 3 {
		a |= unix.LANDLOCK_ACCESS_FS_TRUNCATE
	}
	if abi >= 5 {
		a |= unix.LANDLOCK_ACCESS_FS_IOCTL_DEV
	}
	return a
}

const readOnlyAccess = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR

// fileAccess are the rights that apply to a file (not a directory).
const fileAccess = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE |
	unix.LANDLOCK_ACCESS_FS_TRUNCATE | unix.LANDLOCK_ACCESS_FS_IOCTL_DEV

// restrictThread confines the calling OS thread (and what it forks).
func restrictThread(c Confinement, executable string) error {
	abi := abiVersion()
	if abi < 1 {
		return ErrNoLandlock
	}
	handled := handledAccess(abi)
	attr := struct{ handledAccessFS uint64 }{handled}
	fd, _, errno := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr), 0)
	if errno != 0 {
		return fmt.Errorf("landlock: create ruleset: %w", errno)
	}
	defer unix.Close(int(fd))
	add := func(path string, access uint64) error {
		st, err := os.Stat(path)
		if err != nil {
			return nil // nothing there to allow
		}
		if !st.IsDir() {
			access &= fileAccess
		}
		pfd, err := unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("landlock: open %s: %w", path, err)
		}
		defer unix.Close(pfd)
		rule := unix.LandlockPathBeneathAttr{Allowed_access: access & handled, Parent_fd: int32(pfd)}
		if _, _, errno := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, fd, unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(&rule)), 0, 0, 0); errno != 0 {
			return fmt.Errorf("landlock: allow %s: %w", path, errno)
		}
		return nil
	}
	for _, p := range c.ReadWrite {
		if err := add(p, handled); err != nil {
			return err
		}
	}
	// The process's own /proc entry (it keeps its pid across exec); its
	// environment holds no secret: those come through a pipe.
	own := "/proc/" + strconv.Itoa(os.Getpid())
	for _, p := range append(append([]string{executable, own}, runtimeReadOnly...), c.ReadOnly...) {
		if err := add(p, readOnlyAccess); err != nil {
			return err
		}
	}
	// Both calls act on this thread only (raw system calls).
	if _, _, errno := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0); errno != 0 {
		return fmt.Errorf("landlock: no_new_privs: %w", errno)
	}
	if _, _, errno := unix.RawSyscall(unix.SYS_LANDLOCK_RESTRICT_SELF, fd, 0, 0); errno != 0 {
		return fmt.Errorf("landlock: restrict: %w", errno)
	}
	return nil
}
