using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Files;

/// <summary>
/// Fetches a result from a URL into the staging area (a <c>{"url"}</c> fulfil, an executor's result). The domain owns the
/// question, the edge the HTTP: Activities implements it, so Domain makes no network calls of its own.
/// </summary>
public interface IResultDownloader
{
    /// <summary>Stages the bytes at <paramref name="url"/> for <paramref name="request"/>, with the upload's limits and checks.</summary>
    Task<StagedFile> DownloadAsync(MediaRequest request, string url, CancellationToken ct);
}
