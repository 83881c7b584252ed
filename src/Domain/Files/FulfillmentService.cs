using System.Security.Cryptography;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Projects;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Puts a request's bytes into its project. Uploads are staged under the data root (same file system as the projects,
/// so the final rename is atomic), hashed while they stream, placed without ever overwriting another file, and only
/// then recorded; if the record loses a race (a cancel won), the placed file is removed again.
/// </summary>
public sealed class FulfillmentService(OdOptions options, ProjectStore projects, MediaRequestStore store, MediaRequestService requests)
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
        Directory.CreateDirectory(options.StagingDir);
        var name = Guid.NewGuid().ToString("N") + ".part";
        var path = Path.Combine(options.StagingDir, name);
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
                        throw new DomainException(413, ErrorCodes.PayloadTooLarge, $"the file is larger than the limit of {options.MaxUploadBytes} bytes");
                    }
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct);
                }
                // Durable before it becomes visible under its final name.
                file.Flush(flushToDisk: true);
            }
            if (size == 0) throw DomainException.BadRequest("the uploaded file is empty");
            var mime = MediaTypes.Normalize(contentType)
                ?? (fileName is null ? null : MediaTypes.MimeOf(fileName))
                ?? MediaTypes.MimeOf(request.RequestedOutput)
                ?? "application/octet-stream";
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
    /// Moves staged bytes into the request's project and records them. Idempotent for the same bytes; the staged file
    /// is consumed either way, and a placement whose record lost a race is undone.
    /// </summary>
    public async Task<(MediaRequest Request, bool Changed)> CommitStagedAsync(string requestId, StagedFile staged)
    {
        var stagedPath = StagedPath(staged);
        var placed = false;
        string? target = null;
        try
        {
            var request = store.Get(requestId);
            if (request.Status == MediaRequestStatuses.Fulfilled)
            {
                return await requests.FulfillAsync(requestId, request.FulfilledFile! with { Sha256 = staged.Sha256 });
            }
            MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
            if (!File.Exists(stagedPath)) throw new DomainException(409, ErrorCodes.FileNotFound, "the staged file is gone");
            var projectDir = projects.DirOf(request.ProjectId);
            Directory.CreateDirectory(projectDir);
            (target, placed) = Place(stagedPath, staged.Sha256, projectDir, OutputNames.WithExtensionFor(request.RequestedOutput, staged.Mime));
            var name = Path.GetFileName(target);
            var result = await requests.FulfillAsync(requestId, new FulfilledFile(name, request.Surface, staged.Mime, staged.Size, name, staged.Sha256));
            placed = false;
            return result;
        }
        finally
        {
            File.Delete(stagedPath);
            if (placed && target is not null) File.Delete(target);
        }
    }

    /// <summary>Drops staged bytes that will not be committed.</summary>
    public void Discard(StagedFile staged) => File.Delete(StagedPath(staged));

    private string StagedPath(StagedFile staged)
    {
        // The name travels through workflow history; only a bare file name inside the staging area is accepted.
        if (staged.Name != Path.GetFileName(staged.Name) || !staged.Name.EndsWith(".part", StringComparison.Ordinal))
        {
            throw DomainException.BadRequest("invalid staged file name");
        }
        return Path.Combine(options.StagingDir, staged.Name);
    }

    public async Task<(MediaRequest Request, bool Changed)> FulfillWithProjectFileAsync(string requestId, string relativePath, CancellationToken ct)
    {
        var request = store.Get(requestId);
        MediaRequestGuards.RefuseIfEndedUnfulfilled(request);
        var projectDir = projects.DirOf(request.ProjectId);
        var full = ProjectPaths.Resolve(projectDir, relativePath);
        if (!File.Exists(full)) throw new DomainException(400, ErrorCodes.FileNotFound, "file names no file in the project");
        var mime = MediaTypes.MimeOf(full) ?? "application/octet-stream";
        EnsureKind(request, mime);
        string sha;
        long size;
        await using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            size = stream.Length;
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
        }
        var rel = Path.GetRelativePath(ProjectPaths.RealPath(projectDir), full).Replace(Path.DirectorySeparatorChar, '/');
        return await requests.FulfillAsync(requestId, new FulfilledFile(Path.GetFileName(full), request.Surface, mime, size, rel, sha));
    }

    private static void EnsureKind(MediaRequest request, string mime)
    {
        var kind = MediaTypes.KindOf(mime);
        if (kind != request.Surface)
        {
            throw new DomainException(400, ErrorCodes.MediaKindMismatch,
                $"a {request.Surface} request cannot be fulfilled with {mime}",
                new Dictionary<string, object?> { ["surface"] = request.Surface, ["mime"] = mime });
        }
    }

    /// <summary>Moves the staged file to a free name (name, name-2, …) or reuses an identical file already there.</summary>
    private static (string Target, bool Placed) Place(string stagedPath, string sha256, string projectDir, string name)
    {
        var stem = Path.GetFileNameWithoutExtension(name);
        var ext = Path.GetExtension(name);
        for (var i = 1; i < 1000; i++)
        {
            var target = Path.Combine(projectDir, i == 1 ? name : $"{stem}-{i}{ext}");
            if (File.Exists(target) || Directory.Exists(target))
            {
                if (File.Exists(target) && !IsLink(target) && Sha256Of(target) == sha256) return (target, false);
                continue;
            }
            try
            {
                File.Move(stagedPath, target, overwrite: false);
                return (target, true);
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another fulfilment claimed this name between the check and the move: try the next one.
            }
        }
        throw new DomainException(409, ErrorCodes.OutputNameExhausted, "no free file name is left for the requested output");
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
