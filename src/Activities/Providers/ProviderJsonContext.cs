using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OpenDesign.Workflows.Activities.Providers.OpenAi;
using OpenDesign.Workflows.Activities.Providers.Replicate;
using Refit;

namespace OpenDesign.Workflows.Activities.Providers;

/// <summary>
/// Source-generated JSON for the providers' own wire types. They are the providers' shapes (snake_case), not the
/// service's, so they stay out of <c>OdJsonContext</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAiImageRequest))]
[JsonSerializable(typeof(OpenAiImageResponse))]
[JsonSerializable(typeof(OpenAiSpeechRequest))]
[JsonSerializable(typeof(OpenAiVideo))]
[JsonSerializable(typeof(ReplicatePredictionRequest))]
[JsonSerializable(typeof(ReplicatePrediction))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class ProviderJsonContext : JsonSerializerContext
{
    public static RefitSettings RefitSettings { get; } = new(new SystemTextJsonContentSerializer(new JsonSerializerOptions
    {
        TypeInfoResolver = Default,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    }))
    {
        // Bodies are small; a Content-Length suits every gateway better than chunked transfer.
        Buffered = true,
    };
}
