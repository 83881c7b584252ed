using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Files;

namespace OpenDesign.Workflows.Activities;

/// <summary>
/// Fetches an executor's result URL into the staging area, with the same size limit and media-type check as an upload.
/// Only http(s) URLs are fetched; nothing is followed into the local file system. It lives at the edge, not in the
/// domain, because it is HTTP: the domain asks for it through <see cref="IResultDownloader"/>.
/// </summary>
public sealed class ResultDownloader(IHttpClientFactory httpClients, FulfillmentService fulfillment) : IResultDownloader
{
    public const string HttpClientName = "media-results";

    public async Task<StagedFile> DownloadAsync(MediaRequest request, string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new DomainException(DomainErrorKind.Invalid, ErrorCodes.DownloadFailed, "url must be an absolute http or https URL");
        }
        var client = httpClients.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new DomainException(DomainErrorKind.UpstreamFailed, ErrorCodes.DownloadFailed, $"the result could not be downloaded: {e.Message}");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new DomainException(DomainErrorKind.UpstreamFailed, ErrorCodes.DownloadFailed, $"the result URL answered {(int)response.StatusCode}");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            return await fulfillment.StageAsync(request, body, response.Content.Headers.ContentType?.ToString(), Path.GetFileName(uri.AbsolutePath), ct);
        }
    }
}
