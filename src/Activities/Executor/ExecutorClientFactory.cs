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
    }));

    public IMediaExecutorApi For(string url)
    {
        var client = httpClients.CreateClient(HttpClientName);
        client.BaseAddress = new Uri(url);
        return RestService.For<IMediaExecutorApi>(client, Settings);
    }
}
