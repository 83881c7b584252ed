using OpenDesign.Workflows.Contracts;
using Refit;

namespace OpenDesign.Workflows.Activities.Executor;

/// <summary>
/// The generic HTTP executor contract. Each client is bound to one absolute URL (the run's endpoint, cancelEndpoint or
/// statusUrl), so every route here is the base address itself.
/// </summary>
public interface IMediaExecutorApi
{
    [Post("")]
    Task<IApiResponse<ExecutorSubmitResponse>> SubmitAsync(
        [Body] ExecutorSubmitRequest request,
        [Header("Idempotency-Key")] string idempotencyKey,
        [HeaderCollection] IDictionary<string, string> auth,
        CancellationToken cancellationToken);

    [Post("")]
    Task<IApiResponse> CancelAsync(
        [Body] ExecutorCancelRequest request,
        [Header("Idempotency-Key")] string idempotencyKey,
        [HeaderCollection] IDictionary<string, string> auth,
        CancellationToken cancellationToken);

    [Get("")]
    Task<IApiResponse<ExecutorStatusResponse>> GetStatusAsync(
        [HeaderCollection] IDictionary<string, string> auth,
        CancellationToken cancellationToken);
}
