using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// The few Linux calls .NET does not offer: opening beneath a directory without following any link (openat2), a
/// file's identity and type from a handle or a name without following it (statx), and linking a name that must not
/// exist yet (linkat, which fails with EEXIST instead of replacing, atomically). Hand-written rather than taken from
/// Mono.Unix (needs its own native library, has neither openat2 nor statx) or Tmds.LibC (unmaintained, no openat2).
/// statx is used instead of fstat because its struct has one layout on every architecture; the open flags used are
/// the asm-generic values shared by x86-64 and arm64.
/// </summary>
internal static partial class UnixFiles
{
    public const int ENOENT = 2;
    public const int ENXIO = 6;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int EXDEV = 18;
    public const int ENOTDIR = 20;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;

    private const long SysOpenat2 = 437; // one number on every architecture (new syscalls share the generic table)
    private const int AtFdCwd = -100;
    private const int AtSymlinkNofollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const ulong ORdonly = 0;
    private const ulong ONoctty = 0x100;
    private const ulong ONonblock = 0x800;
    private const ulong OCloexec = 0x80000;
    private const ulong OPath = 0x200000;
    private const ulong ResolveNoMagiclinks = 0x02;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;
    private const uint StatxBasicStats = 0x7ff;
    private const int SIfmt = 0xF000;

    public const int SIfreg = 0x8000;
    public const int SIfdir = 0x4000;

    /// <summary>Whether the calls here can be used: Linux only (the service's platform); elsewhere callers fall back.</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>
    /// Opens <paramref name="relative"/> read-only beneath <paramref name="root"/>, refusing any symbolic link on the
    /// way (ELOOP) and any escape (EXDEV). Non-blocking, so a FIFO or device answers at once instead of waiting for a
    /// writer. Returns the errno on failure.
    /// </summary>
    public static int OpenBeneath(string root, string relative, out SafeFileHandle handle)
    {
        handle = new SafeFileHandle();
        var rootHow = new OpenHow { Flags = OPath | OCloexec };
        var rootFd = Openat2(AtFdCwd, root, ref rootHow);
        if (rootFd < 0) return Marshal.GetLastPInvokeError();
        try
        {
            var how = new OpenHow { Flags = ORdonly | ONonblock | ONoctty | OCloexec, Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagiclinks };
            var fd = Openat2((int)rootFd, relative, ref how);
            if (fd < 0) return Marshal.GetLastPInvokeError();
            handle = new SafeFileHandle((nint)fd, ownsHandle: true);
            return 0;
        }
        finally
        {
            _ = Close((int)rootFd);
        }
    }

    /// <summary>Identity and type of an open file.</summary>
    public static FileIdentity Identify(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxBasicStats, out var buf) == 0
                ? From(buf)
                : throw new IOException($"statx failed with errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>Identity and type of the name itself (a link is not followed); null when nothing has that name.</summary>
    public static FileIdentity? Identify(string path)
    {
        if (Statx(AtFdCwd, path, AtSymlinkNofollow, StatxBasicStats, out var buf) == 0) return From(buf);
        var errno = Marshal.GetLastPInvokeError();
        return errno is ENOENT or ENOTDIR ? null : throw new IOException($"statx of {path} failed with errno {errno}");
    }

    /// <summary>Gives <paramref name="existing"/> a second name; never replaces anything. Returns 0 or the errno (EEXIST when taken).</summary>
    public static int LinkNoReplace(string existing, string newName) =>
        Linkat(AtFdCwd, existing, AtFdCwd, newName, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static FileIdentity From(in StatxBuffer b) =>
        new(((ulong)b.DevMajor << 32) | b.DevMinor, b.Ino, b.Mode & SIfmt, b.Nlink, (long)b.Size);

    private static long Openat2(int dirFd, string path, ref OpenHow how) =>
        Syscall(SysOpenat2, dirFd, path, ref how, (nuint)Marshal.SizeOf<OpenHow>());

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, long dirFd, string path, ref OpenHow how, nuint size);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Linkat(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>struct statx (linux/stat.h): 256 bytes, the same on every architecture.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(16)] public uint Nlink;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}

/// <summary>What a file is (device and inode: the same for every hard link to it), its type bits, links and size.</summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode, int Type, uint Links, long Size)
{
    public bool IsRegular => Type == UnixFiles.SIfreg;

    public bool IsDirectory => Type == UnixFiles.SIfdir;

    public bool SameFileAs(FileIdentity other) => Device == other.Device && Inode == other.Inode;
}
