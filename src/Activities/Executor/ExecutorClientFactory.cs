using System.Text.Json;
using System.Text.Json.Serialization;
using OpenDesign.Workflows.Contracts;
using Refit;

namespace OpenDesign.Workflows.Activities.Executor;

/// <summary>Refit clients bound to one executor URL, over pooled handlers from IHttpClientFactory.</summary>
public sealed class ExecutorClientFactory(IHttpClientFactory httpClients)
{
    public const string HttpClientName = "media-executor";

    private static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = OdJsonContext.Default,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    }))
    {
        // Each route is "" and RFC 3986 resolves an empty reference to the base address itself, so the request goes to
        // exactly the configured URL. Refit's legacy resolution would keep only the base's path: it drops the query
        // string (a signed statusUrl, a tenant parameter) and a trailing slash.
        UrlResolution = UrlResolutionMode.Rfc3986,
        // Bodies are small; sending them with a Content-Length rather than chunked suits every executor server.
        Buffered = true,
    };

    public IMediaExecutorApi For(string url)
    {
        var client = httpClients.CreateClient(HttpClientName);
        client.BaseAddress = new Uri(url);
        return RestService.For<IMediaExecutorApi>(client, Settings);
    }
}
