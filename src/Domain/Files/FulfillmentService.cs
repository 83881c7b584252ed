using System.Security.Cryptography;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Projects;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Puts a request's bytes into its project. Uploads are staged under the data root (same file system as the projects,
/// so a staged file can be hard-linked into place), hashed while they stream, placed without ever replacing another
/// file (<see cref="Placement"/>), and only then recorded; if the record loses a race, the placed file is removed again.
/// Project files are read only through <see cref="ProjectFiles"/>.
/// </summary>
public sealed class FulfillmentService(OdOptions options, ProjectStore projects, MediaRequestStore store, MediaRequestTransitions transitions)
{
    public async Task<(MediaRequest Request, bool Changed)> FulfillWithUploadAsync(
        string requestId, Stream body, string? contentType, string? fileName, CancellationToken ct)
    {
        var request = store.Get(requestId);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        var staged = await StageAsync(request, body, contentType, fileName, ct);
        return await CommitStagedAsync(requestId, staged);
    }

    /// <summary>
    /// Streams bytes into the staging area, hashing as they arrive, and settles their media type (the sender's
    /// content type, else the file name's, else the requested output's). Nothing reaches the project yet.
    /// </summary>
    public async Task<StagedFile> StageAsync(MediaRequest request, Stream body, string? contentType, string? fileName, CancellationToken ct)
    {
        var (name, path) = NewStagedPath();
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > options.MaxUploadBytes)
                    {
                        throw new DomainException(DomainErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"the file is larger than the limit of {options.MaxUploadBytes} bytes");
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                // Durable before it becomes visible under its final name.
                file.Flush(flushToDisk: true);
            }
            if (size == 0) throw DomainException.Invalid("the uploaded file is empty");
            var mime = MimeOf(contentType, fileName, request.RequestedOutput);
            EnsureKind(request, mime);
            return new StagedFile(name, size, Convert.ToHexStringLower(hash.GetHashAndReset()), mime);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Places staged bytes in the request's project and records them. Idempotent, including when retried after a
    /// crash at any step: the staged file stays until the record is durable, and a placement that is a hard link to
    /// it is recognised as this commit's own. Whatever this commit placed is removed again unless the record names it.
    /// </summary>
    public async Task<(MediaRequest Request, bool Changed)> CommitStagedAsync(string requestId, StagedFile staged)
    {
        var stagedPath = StagedPath(staged);
        try
        {
            var request = store.Get(requestId);
            if (request.Status == MediaRequestStatuses.Fulfilled)
            {
                return await transitions.FulfillAsync(requestId, request.FulfilledFile! with { Sha256 = staged.Sha256 });
            }
            MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
            return await PlaceAndRecordAsync(staged, request.ProjectId, request.RequestedOutput, async name =>
            {
                var result = await transitions.FulfillAsync(requestId, new FulfilledFile(name, request.Surface, staged.Mime, staged.Size, name, staged.Sha256));
                return (result, result.Request.FulfilledFile?.Path);
            });
        }
        finally
        {
            File.Delete(stagedPath);
        }
    }

    /// <summary>
    /// The no-overwrite placement every commit shares (fulfilled requests, finished media tasks): the staged bytes get
    /// a free name in the project (<paramref name="requestedName"/>, its extension following the bytes), then
    /// <paramref name="record"/> stores that name. Unless the record names this placement (another commit of the same
    /// bytes may have won), the placed file is removed again; so is it when recording throws. The caller deletes the
    /// staged file once the record is durable.
    /// </summary>
    public async Task<T> PlaceAndRecordAsync<T>(StagedFile staged, string projectId, string requestedName, Func<string, Task<(T Result, string? RecordedName)>> record)
    {
        var stagedPath = StagedPath(staged);
        if (!File.Exists(stagedPath)) throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.FileNotFound, "the staged file is gone");
        var projectDir = projects.DirOf(projectId);
        Directory.CreateDirectory(projectDir);
        var placement = Placement.Place(stagedPath, projectDir, OutputNames.WithExtensionFor(requestedName, staged.Mime));
        try
        {
            var name = Path.GetFileName(placement.Target);
            var (result, recorded) = await record(name);
            // Same bytes committed by someone else first: the record names their file, and this copy is not needed.
            if (recorded == name) placement = null;
            return result;
        }
        finally
        {
            placement?.Undo();
        }
    }

    /// <summary>A fresh staging file's name and path: bytes are written there before anything reaches a project.</summary>
    public (string Name, string Path) NewStagedPath()
    {
        Directory.CreateDirectory(options.StagingDir);
        var name = Guid.NewGuid().ToString("N") + ".part";
        return (name, Path.Combine(options.StagingDir, name));
    }

    /// <summary>
    /// Seals bytes a writer (a media provider) put at a path from <see cref="NewStagedPath"/>: flushed to disk, size
    /// limited, hashed, typed (the writer's content type, else the requested name's) and checked against the surface.
    /// The file is deleted when it is refused.
    /// </summary>
    public async Task<StagedFile> SealWrittenAsync(string name, string? contentType, string requestedName, string surface, CancellationToken ct)
    {
        var path = StagedPath(new StagedFile(name, 0, "", ""));
        try
        {
            long size;
            string sha;
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                size = file.Length;
                if (size > options.MaxUploadBytes)
                {
                    throw new DomainException(DomainErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"the file is larger than the limit of {options.MaxUploadBytes} bytes");
                }
                if (size == 0) throw DomainException.Invalid("the provider returned an empty file");
                file.Flush(flushToDisk: true);
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
            }
            var mime = MimeOf(contentType, null, requestedName);
            EnsureKind(surface, mime);
            return new StagedFile(name, size, sha, mime);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static string MimeOf(string? contentType, string? fileName, string requestedName) =>
        MediaTypes.Normalize(contentType)
        ?? (fileName is null ? null : MediaTypes.MimeOf(fileName))
        ?? MediaTypes.MimeOf(requestedName)
        ?? "application/octet-stream";

    /// <summary>Drops staged bytes that will not be committed.</summary>
    public void Discard(StagedFile staged) => File.Delete(StagedPath(staged));

    public string StagedPath(StagedFile staged)
    {
        // The name travels through workflow history; only a bare file name inside the staging area is accepted.
        if (staged.Name != Path.GetFileName(staged.Name) || !staged.Name.EndsWith(".part", StringComparison.Ordinal))
        {
            throw DomainException.Invalid("invalid staged file name");
        }
        return Path.Combine(options.StagingDir, staged.Name);
    }

    public async Task<(MediaRequest Request, bool Changed)> FulfillWithProjectFileAsync(string requestId, string relativePath, CancellationToken ct)
    {
        var request = store.Get(requestId);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        using var file = OpenProjectFile(request, relativePath);
        var mime = MediaTypes.MimeOf(file.Name) ?? "application/octet-stream";
        EnsureKind(request, mime);
        var size = file.Stream.Length;
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file.Stream, ct));
        return await transitions.FulfillAsync(requestId, new FulfilledFile(file.Name, request.Surface, mime, size, file.RelativePath, sha));
    }

    /// <summary>Copies a project file into the staging area (for an external request, whose workflow commits it).</summary>
    public async Task<StagedFile> StageProjectFileAsync(MediaRequest request, string relativePath, CancellationToken ct)
    {
        using var file = OpenProjectFile(request, relativePath);
        return await StageAsync(request, file.Stream, null, file.Name, ct);
    }

    private OpenedProjectFile OpenProjectFile(MediaRequest request, string relativePath) =>
        ProjectFiles.Open(projects.DirOf(request.ProjectId), relativePath, DomainErrorKind.Invalid, "file names no file in the project");

    private static void EnsureKind(MediaRequest request, string mime) => EnsureKind(request.Surface, mime);

    private static void EnsureKind(string surface, string mime)
    {
        var kind = MediaTypes.KindOf(mime);
        if (kind != surface)
        {
            throw new DomainException(DomainErrorKind.Invalid, ErrorCodes.MediaKindMismatch,
                $"a {surface} request cannot be fulfilled with {mime}",
                new Dictionary<string, object?> { ["surface"] = surface, ["mime"] = mime });
        }
    }
}
