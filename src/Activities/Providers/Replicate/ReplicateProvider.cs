using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace OpenDesign.Workflows.Activities.Providers.Replicate;

/// <summary>
/// Replicate: every job is a prediction created on an official model, polled until <c>succeeded</c>, <c>failed</c>
/// or <c>canceled</c>, and its output URL downloaded. The token goes to the API only, never to the output URL.
/// </summary>
public sealed class ReplicateProvider(MediaCredentials credentials, ProviderClients clients, ProviderDownloads downloads, TimeProvider clock, ILogger<ReplicateProvider> logger)
    : IMediaProvider
{
    public const string ProviderId = "replicate";

    private readonly ProviderCalls _calls = new(ProviderId, credentials, clock);

    public string Id => ProviderId;

    public async Task<ProviderStep> StartAsync(ProviderJob job, Stream output, CancellationToken cancellationToken)
    {
        if (!ReplicateModels.ByCatalogId.TryGetValue(job.Model, out var model))
        {
            throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"replicate has no model {job.Model}");
        }
        var (credential, key) = _calls.Credential();
        var api = clients.For<IReplicateApi>(credential);
        logger.LogInformation("Starting replicate prediction on {Owner}/{Name} for task {TaskId}", model.Owner, model.Name, job.TaskId);
        var prediction = await _calls.JsonAsync(key,
            () => api.CreateAsync(key, model.Owner, model.Name, new ReplicatePredictionRequest(model.Input(job)), cancellationToken), cancellationToken);
        return await StepAsync(prediction, key, output, cancellationToken);
    }

    public async Task<ProviderStep> PollAsync(ProviderJob job, string jobId, Stream output, CancellationToken cancellationToken)
    {
        var (credential, key) = _calls.Credential();
        var api = clients.For<IReplicateApi>(credential);
        var prediction = await _calls.JsonAsync(key, () => api.GetAsync(key, jobId, cancellationToken), cancellationToken);
        return await StepAsync(prediction, key, output, cancellationToken);
    }

    public async Task CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        var (credential, key) = _calls.Credential();
        var api = clients.For<IReplicateApi>(credential);
        // 404: nothing left to stop.
        await _calls.NoContentAsync(key, () => api.CancelAsync(key, jobId, cancellationToken), cancellationToken, System.Net.HttpStatusCode.NotFound);
    }

    private async Task<ProviderStep> StepAsync(ReplicatePrediction prediction, string key, Stream output, CancellationToken ct)
    {
        switch (prediction.Status)
        {
            case "succeeded":
                var url = OutputUrl(prediction.Output)
                    ?? throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"replicate prediction {prediction.Id} succeeded without an output URL");
                return new ProviderStep.Finished(await downloads.DownloadAsync(ProviderId, url, output, ct));
            case "failed":
                var reason = ProviderFailures.Scrub(ErrorText(prediction.Error) ?? "no reason given", key);
                throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"replicate prediction {prediction.Id} failed: {reason}");
            case "canceled":
                throw new ProviderException(ProviderFailureKind.Rejected, ProviderId, $"replicate prediction {prediction.Id} was canceled");
            default:
                return new ProviderStep.Pending(prediction.Id, prediction.Status);
        }
    }

    /// <summary>The output URL: the output itself, or the first of a list (image models answer one file per output).</summary>
    private static string? OutputUrl(JsonElement? output) => output switch
    {
        { ValueKind: JsonValueKind.String } single => single.GetString(),
        { ValueKind: JsonValueKind.Array } list when list.GetArrayLength() > 0 && list[0].ValueKind == JsonValueKind.String => list[0].GetString(),
        _ => null,
    };

    private static string? ErrorText(JsonElement? error) => error switch
    {
        { ValueKind: JsonValueKind.String } text => text.GetString(),
        { ValueKind: JsonValueKind.Object or JsonValueKind.Array } other => ProviderFailures.ErrorText(other.GetRawText()),
        _ => null,
    };
}
