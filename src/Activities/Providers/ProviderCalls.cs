using Refit;

namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// One provider call as every adapter makes it: the credential checked first, a broken connection or timeout made
/// <see cref="ProviderFailureKind.Transient"/>, a non-success answer classified by <see cref="ProviderFailures"/>.
/// </summary>
internal sealed class ProviderCalls(string providerId, MediaCredentials credentials, TimeProvider clock)
{
    /// <summary>The provider's credential with its key, or NotConfigured naming the provider and where keys go.</summary>
    public (ProviderCredential Credential, string Key) Credential()
    {
        var credential = credentials.For(providerId);
        if (!credential.Configured) throw new ProviderException(ProviderFailureKind.NotConfigured, providerId, credentials.NotConfiguredMessage(credential));
        return (credential, credential.ApiKey!);
    }

    /// <summary>A JSON call whose success must carry a body.</summary>
    public async Task<T> JsonAsync<T>(string key, Func<Task<IApiResponse<T>>> call, CancellationToken ct)
    {
        using var response = await SendAsync(call, ct);
        if (response.IsSuccessStatusCode && response.Content is { } content) return content;
        throw ProviderFailures.From(providerId, response, key, clock);
    }

    /// <summary>A call whose success needs no body (a cancel); <paramref name="alsoFine"/> statuses count as done.</summary>
    public async Task NoContentAsync(string key, Func<Task<IApiResponse>> call, CancellationToken ct, params System.Net.HttpStatusCode[] alsoFine)
    {
        using var response = await SendAsync(call, ct);
        if (response.IsSuccessStatusCode || response.StatusCode is { } code && alsoFine.Contains(code)) return;
        throw ProviderFailures.From(providerId, response, key, clock);
    }

    /// <summary>A call whose success body is the media itself, streamed into <paramref name="output"/>; returns its media type.</summary>
    public async Task<string?> BinaryAsync(string key, Func<Task<HttpResponseMessage>> call, Stream output, CancellationToken ct)
    {
        using var response = await SendAsync(call, ct);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw ProviderFailures.FromStatus(providerId, response.StatusCode, response.Headers, body, key, clock);
        }
        return await ProviderDownloads.CopyAsync(providerId, response, output, ct);
    }

    private async Task<TResponse> SendAsync<TResponse>(Func<Task<TResponse>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (ProviderFailures.IsUnreachable(e, ct))
        {
            throw ProviderFailures.Unreachable(providerId, e);
        }
    }
}
