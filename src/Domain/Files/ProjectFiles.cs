using Microsoft.Win32.SafeHandles;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>A project file opened for reading: the stream to serve or hash, and where it is in the project.</summary>
public sealed record OpenedProjectFile(FileStream Stream, string RelativePath) : IDisposable
{
    public string Name => Path.GetFileName(RelativePath);

    public void Dispose() => Stream.Dispose();
}

/// <summary>
/// Opens a caller's project-relative path once, and only as a regular file inside the project. The path is first
/// checked and canonicalised (<see cref="ProjectPaths"/>: inside links are followed to their target); the canonical
/// path is then opened beneath the project directory with no symbolic link allowed anywhere on the way, so a link
/// swapped in after the check makes the open fail instead of reaching outside. Everything after (serving, hashing,
/// copying) reads that handle, never the name again.
/// </summary>
public static class ProjectFiles
{
    /// <param name="missingKind">The kind of "no such file": not found where the path is the resource, invalid where it is a field of a body.</param>
    public static OpenedProjectFile Open(string projectDir, string relative, DomainErrorKind missingKind, string missingMessage)
    {
        var full = ProjectPaths.Resolve(projectDir, relative);
        var root = ProjectPaths.RealPath(projectDir);
        var rel = Path.GetRelativePath(root, full);
        var handle = UnixFiles.Supported ? OpenBeneath(root, rel, missingKind, missingMessage) : OpenPortable(full, missingKind, missingMessage);
        try
        {
            if (UnixFiles.Supported)
            {
                var identity = UnixFiles.Identify(handle);
                if (identity.IsDirectory) throw Missing(missingKind, missingMessage);
                if (!identity.IsRegular) throw NotRegular();
            }
            var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            return new OpenedProjectFile(stream, rel.Replace(Path.DirectorySeparatorChar, '/'));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenBeneath(string root, string rel, DomainErrorKind missingKind, string missingMessage)
    {
        var errno = UnixFiles.OpenBeneath(root, rel, out var handle);
        return errno switch
        {
            0 => handle,
            UnixFiles.ENOENT or UnixFiles.ENOTDIR => throw Missing(missingKind, missingMessage),
            // A link where the check saw none (or an escape): the tree changed under the request. Refuse, never retry by name.
            UnixFiles.ELOOP or UnixFiles.EXDEV => throw Refused("path changed to a symbolic link while it was opened"),
            UnixFiles.ENAMETOOLONG => throw Refused("path has a name longer than the file system allows"),
            UnixFiles.EACCES => throw Refused("the file cannot be read by the service"),
            // A socket (or a device with no driver) cannot be opened as a file at all.
            UnixFiles.ENXIO => throw NotRegular(),
            UnixFiles.ENOSYS => throw new PlatformNotSupportedException("openat2 is not available: the service needs Linux 5.6 or later"),
            _ => throw new IOException($"opening a project file failed with errno {errno}"),
        };
    }

    /// <summary>
    /// Elsewhere than Linux (not a platform the service is deployed on): the checked path is opened by name, so a link
    /// swapped in between the check and the open is not caught, and special files are recognised only by .NET.
    /// </summary>
    private static SafeFileHandle OpenPortable(string full, DomainErrorKind missingKind, string missingMessage)
    {
        if (!File.Exists(full)) throw Missing(missingKind, missingMessage);
        return File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    private static DomainException Missing(DomainErrorKind kind, string message) => new(kind, ErrorCodes.FileNotFound, message);

    private static DomainException NotRegular() =>
        new(DomainErrorKind.Invalid, ErrorCodes.NotARegularFile, "path names a special file (a FIFO, socket or device); only regular files are read");

    private static DomainException Refused(string message) => new(DomainErrorKind.Invalid, ErrorCodes.PathNotAllowed, message);
}
