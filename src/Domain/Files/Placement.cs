using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// A staged file given a free name in a project (name, name-2, …) without ever replacing anything. On Linux the name is
/// a hard link to the staged file, made with link(2), which fails with EEXIST instead of replacing (a check then a
/// rename would replace a file created in between). The shared inode is what makes the placement recognisable: a
/// retried commit finds its own earlier link, and <see cref="Undo"/> removes the name only while it is still this
/// file, never a file another fulfilment put there.
/// </summary>
internal sealed class Placement
{
    private const int MaxAttempts = 1000;
    private readonly FileIdentity? _staged;

    private Placement(string target, FileIdentity? staged)
    {
        Target = target;
        _staged = staged;
    }

    public string Target { get; }

    public static Placement Place(string stagedPath, string projectDir, string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var ext = Path.GetExtension(name);
        var staged = UnixFiles.Supported ? UnixFiles.Identify(stagedPath) ?? throw Gone() : (FileIdentity?)null;
        for (var i = 1; i < MaxAttempts; i++)
        {
            var target = Path.Combine(projectDir, i == 1 ? name : $"{stem}-{i}{ext}");
            if (staged is { } id ? TryLink(stagedPath, target, id) : TryMove(stagedPath, target)) return new Placement(target, staged);
        }
        throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.OutputNameExhausted, "no free file name is left for the requested output");
    }

    /// <summary>Removes the placed name if it is still this placement's file.</summary>
    public void Undo()
    {
        if (_staged is not { } id)
        {
            File.Delete(Target);
            return;
        }
        if (UnixFiles.Identify(Target) is { } there && there.SameFileAs(id)) File.Delete(Target);
    }

    private static bool TryLink(string stagedPath, string target, FileIdentity staged)
    {
        var errno = UnixFiles.LinkNoReplace(stagedPath, target);
        if (errno == 0) return true;
        if (errno == UnixFiles.ENOENT && UnixFiles.Identify(stagedPath) is null) throw Gone();
        if (errno != UnixFiles.EEXIST) throw new IOException($"placing a file in the project failed with errno {errno}");
        // Taken: by this same staged file (a commit that crashed before recording), or by anything else.
        return UnixFiles.Identify(target) is { } there && there.SameFileAs(staged);
    }

    /// <summary>
    /// Off Linux (not a platform the service is deployed on): a move that refuses an existing target. Windows makes
    /// that atomic; elsewhere .NET checks first, so two placements could still race for one name.
    /// </summary>
    private static bool TryMove(string stagedPath, string target)
    {
        if (Path.Exists(target) || new FileInfo(target).LinkTarget is not null) return false;
        try
        {
            File.Move(stagedPath, target, overwrite: false);
            return true;
        }
        catch (IOException) when (Path.Exists(target))
        {
            return false;
        }
    }

    private static DomainException Gone() => new(DomainErrorKind.Conflict, ErrorCodes.FileNotFound, "the staged file is gone");
}
