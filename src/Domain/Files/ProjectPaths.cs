using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Turns a caller's project-relative path into a real file inside that project, or refuses: no absolute paths, no
/// '..', no empty segments, and no symbolic link anywhere on the way that leads outside the project.
/// </summary>
public static class ProjectPaths
{
    public static string Resolve(string projectDir, string relative)
    {
        if (string.IsNullOrWhiteSpace(relative) || relative.Length > 1024 || relative.Contains('\0', StringComparison.Ordinal))
        {
            throw Refused("path must be a non-empty project-relative path");
        }
        if (Path.IsPathRooted(relative) || relative.StartsWith('~'))
        {
            throw Refused("path must be relative to the project");
        }
        var segments = relative.Replace('\\', '/').Split('/');
        if (segments.Any(s => s is ".." ))
        {
            throw Refused("path must not contain '..'");
        }

        try
        {
            var root = RealPath(projectDir);
            var current = root;
            foreach (var segment in segments.Where(s => s is not ("" or ".")))
            {
                current = Path.Combine(current, segment);
                var info = new FileInfo(current);
                if (info.LinkTarget is not null)
                {
                    // Follow the link to its final target and insist it is still inside the project.
                    var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? throw Refused("path contains a dangling link");
                    current = RealPath(target);
                    if (!IsInside(root, current)) throw Refused("path leaves the project through a symbolic link");
                }
            }
            if (!IsInside(root, current)) throw Refused("path leaves the project");
            return current;
        }
        catch (IOException)
        {
            // Link resolution gave up: a loop ("too many levels of symbolic links"). The caller's path is at fault, and
            // the system's message (with the absolute path) stays out of the answer.
            throw Refused("path cannot be resolved: a symbolic link loops");
        }
    }

    public static bool IsInside(string root, string path)
    {
        var r = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        return path.StartsWith(r, StringComparison.Ordinal);
    }

    /// <summary>The directory's path with every symbolic link on the way resolved.</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var parts = full.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var current = Path.GetPathRoot(full)!;
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = RealPath(target.FullName);
            }
        }
        return current;
    }

    private static DomainException Refused(string message) => new(DomainErrorKind.Invalid, ErrorCodes.PathNotAllowed, message);
}
