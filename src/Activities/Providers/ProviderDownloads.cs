namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// Copies a provider's result into the caller's stream: a URL the provider answered with (an OpenAI image URL, a
/// Replicate output), or a body already in hand. URLs get no credentials: they are the provider's signed or public
/// delivery links, and the key must not travel to another host.
/// </summary>
public sealed class ProviderDownloads(IHttpClientFactory httpClients, TimeProvider clock)
{
    public const string HttpClientName = "media-provider-downloads";

    public async Task<string?> DownloadAsync(string providerId, string url, Stream output, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ProviderException(ProviderFailureKind.Rejected, providerId, $"{providerId} answered with a result that is not an http(s) URL");
        }
        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (ProviderFailures.IsUnreachable(e, ct))
        {
            throw ProviderFailures.Unreachable(providerId, e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var failure = ProviderFailures.FromStatus(providerId, response.StatusCode, response.Headers, null, null, clock);
                throw new ProviderException(failure.Kind, providerId, $"{providerId}'s result URL answered {(int)response.StatusCode}", failure.ProviderStatus, failure.RetryAfter);
            }
            return await CopyAsync(providerId, response, output, ct);
        }
    }

    /// <summary>Streams a successful binary answer into <paramref name="output"/>; its media type, when it said one.</summary>
    public static async Task<string?> CopyAsync(string providerId, HttpResponseMessage response, Stream output, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await body.CopyToAsync(output, ct);
        }
        catch (Exception e) when (ProviderFailures.IsUnreachable(e, ct) || e is IOException && !ct.IsCancellationRequested)
        {
            throw ProviderFailures.Unreachable(providerId, e);
        }
        return response.Content.Headers.ContentType?.MediaType;
    }
}
