using System.Text.Json;
using System.Text.Json.Nodes;
using Refit;

namespace OpenDesign.Workflows.Activities.Providers.Replicate;

/// <summary>Replicate's predictions API, relative to the configured base URL (default <c>https://api.replicate.com/v1</c>).</summary>
internal interface IReplicateApi
{
    /// <summary>Runs an official model by name, so no version hash has to be pinned here.</summary>
    [Post("/models/{owner}/{name}/predictions")]
    Task<IApiResponse<ReplicatePrediction>> CreateAsync([Authorize] string apiToken, string owner, string name, [Body] ReplicatePredictionRequest request, CancellationToken ct);

    [Get("/predictions/{id}")]
    Task<IApiResponse<ReplicatePrediction>> GetAsync([Authorize] string apiToken, string id, CancellationToken ct);

    [Post("/predictions/{id}/cancel")]
    Task<IApiResponse> CancelAsync([Authorize] string apiToken, string id, CancellationToken ct);
}

internal sealed record ReplicatePredictionRequest(JsonObject Input);

/// <summary>
/// A prediction: status <c>starting</c>, <c>processing</c>, <c>succeeded</c>, <c>failed</c> or <c>canceled</c>.
/// <see cref="Output"/> is the model's: a URL, or a list of URLs; <see cref="Error"/> is usually a string.
/// </summary>
internal sealed record ReplicatePrediction(string Id, string? Status = null, JsonElement? Output = null, JsonElement? Error = null);
