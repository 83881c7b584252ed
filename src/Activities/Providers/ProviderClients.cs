using Refit;

namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// Refit clients over pooled handlers from IHttpClientFactory, bound to a provider's base URL as resolved for this
/// call (an operator may point it at a gateway while the service runs).
/// </summary>
public sealed class ProviderClients(IHttpClientFactory httpClients)
{
    /// <summary>The named HttpClient of a provider's API calls.</summary>
    public static string HttpClientName(string providerId) => "media-provider-" + providerId;

    internal T For<T>(ProviderCredential credential)
    {
        var client = httpClients.CreateClient(HttpClientName(credential.ProviderId));
        // Refit appends each route to the base address's path, so "https://api.openai.com/v1" + "/images/generations".
        client.BaseAddress = new Uri(credential.BaseUrl);
        return RestService.For<T>(client, ProviderJsonContext.RefitSettings);
    }
}
