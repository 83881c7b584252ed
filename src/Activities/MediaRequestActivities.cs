using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenDesign.Workflows.Activities.Executor;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Tokens;
using OpenDesign.Workflows.Workflows;
using Refit;
using Temporalio.Activities;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Activities;

/// <summary>
/// The external-media workflow's side effects. The submission's Idempotency-Key is the request id, so every retry is
/// the same logical submission to the executor; local changes go through the domain's idempotent transitions.
/// </summary>
public sealed class MediaRequestActivities(
    MediaRequestStore requests,
    RunStore runs,
    MediaRequestTransitions transitions,
    FulfillmentService fulfillment,
    ResultDownloader downloader,
    ExecutorClientFactory executors,
    ExecutorAuthHeaders authHeaders,
    CallbackKey callbackKey,
    CallbackUrls callbackUrls,
    ILogger<MediaRequestActivities> logger) : IMediaRequestActivities
{
    private const int MaxDetailLength = 2000;

    public async Task<SubmitOutcome> SubmitAsync(string requestId)
    {
        var request = requests.Get(requestId);
        if (request.Status is MediaRequestStatuses.Submitted or MediaRequestStatuses.Running)
        {
            return new SubmitOutcome(true, request.External?.StatusUrl);
        }
        if (request.Status != MediaRequestStatuses.Requested) return new SubmitOutcome(false);

        var executor = ExecutorOf(request);
        var auth = Auth(executor.Auth);
        var body = new ExecutorSubmitRequest(
            request.Id, request.RunId, request.ProjectId, request.Surface, request.Model, request.Prompt, request.RequestedOutput,
            new ExecutorConstraints(request.Aspect, request.Length, request.Duration, request.AudioKind, request.Voice, request.Language),
            request.InputRefs ?? [],
            new ExecutorCallback(callbackUrls.Fulfill(request.Id), callbackUrls.Fail(request.Id), callbackUrls.Progress(request.Id), callbackKey.TokenFor(request.Id)));

        var ct = ActivityExecutionContext.Current.CancellationToken;
        IApiResponse<ExecutorSubmitResponse> response;
        try
        {
            response = await executors.For(executor.Endpoint).SubmitAsync(body, request.Id, auth, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ApplicationFailureException($"the executor could not be reached: {e.Message}", "ExecutorUnreachable");
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                var answer = response.Content ?? new ExecutorSubmitResponse();
                var workflowId = ActivityExecutionContext.Current.Info.WorkflowId;
                var updated = await transitions.MarkSubmittedAsync(request.Id, r => (r.External ?? new ExternalRef()) with
                {
                    ExecutorId = executor.Id,
                    ExternalRequestId = answer.ExternalRequestId,
                    StatusUrl = ResolveStatusUrl(executor.Endpoint, answer.StatusUrl),
                    ExpectedMime = answer.ExpectedMime,
                    WorkflowId = workflowId,
                });
                return new SubmitOutcome(updated.Status is MediaRequestStatuses.Submitted or MediaRequestStatuses.Running, updated.External?.StatusUrl);
            }
            if (response.StatusCode is not { } code)
            {
                throw new ApplicationFailureException($"the executor could not be reached: {response.Error?.Message}", "ExecutorUnreachable");
            }
            var status = (int)code;
            if (IsTransient(code))
            {
                // Temporal retries with backoff; Retry-After, when the executor sends one, sets the next delay.
                throw new ApplicationFailureException($"the executor answered {status}", "ExecutorUnavailable", nextRetryDelay: RetryAfter(response));
            }
            var detail = Detail(response);
            logger.LogWarning("Executor refused media request {RequestId} with {Status}", request.Id, status);
            await transitions.EndOnceAsync(request.Id, MediaRequestStatuses.Failed,
                new MediaRequestError($"the executor refused the request ({status}): {detail}", ErrorCodes.ExecutorRejected));
            return new SubmitOutcome(false);
        }
    }

    public Task RecordProgressAsync(string requestId, int sequence, string? message, double? percent) =>
        transitions.RecordProgressAsync(requestId, $"{requestId}:progress:{sequence}", message, percent);

    public async Task<string> CommitAsync(string requestId, StagedFile file)
    {
        try
        {
            return (await fulfillment.CommitStagedAsync(requestId, file)).Request.Status;
        }
        catch (DomainException e) when (e.Kind is DomainErrorKind.Invalid or DomainErrorKind.Conflict)
        {
            // The request ended another way, or the staged bytes are gone: nothing left to commit.
            logger.LogWarning("Media request {RequestId} could not be committed: {Reason}", requestId, e.Message);
            var current = requests.Get(requestId);
            if (MediaRequestStatuses.IsTerminal(current.Status)) return current.Status;
            return (await transitions.EndOnceAsync(requestId, MediaRequestStatuses.Failed, new MediaRequestError(e.Message, e.Code))).Status;
        }
    }

    public async Task<string> FailAsync(string requestId, MediaRequestError error) =>
        (await transitions.EndOnceAsync(requestId, MediaRequestStatuses.Failed, error)).Status;

    public async Task CancelAtExecutorAsync(string requestId, string reason)
    {
        var request = requests.Get(requestId);
        var executor = ExecutorOf(request);
        if (executor.CancelEndpoint is null) return;
        var ct = ActivityExecutionContext.Current.CancellationToken;
        var body = new ExecutorCancelRequest(request.Id, request.External?.ExternalRequestId, reason);
        IApiResponse response;
        try
        {
            response = await executors.For(executor.CancelEndpoint).CancelAsync(body, request.Id, Auth(executor.Auth), ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new ApplicationFailureException($"the executor's cancel endpoint could not be reached: {e.Message}", "ExecutorUnreachable");
        }
        using (response)
        {
            // 404/409/410: the executor no longer has it running, which is what cancelling wants.
            if (response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.Gone) return;
            throw new ApplicationFailureException($"the executor's cancel endpoint answered {Describe(response)}", "ExecutorCancelRefused");
        }
    }

    public async Task<string> MarkCancelledAsync(string requestId, MediaRequestError? cancelError) =>
        (await transitions.EndOnceAsync(requestId, MediaRequestStatuses.Cancelled,
            new MediaRequestError("the request was cancelled", ErrorCodes.Cancelled),
            external => cancelError is null ? external : (external ?? new ExternalRef()) with { CancelError = cancelError })).Status;

    public async Task<PollOutcome> PollStatusAsync(string requestId, string statusUrl)
    {
        var request = requests.Get(requestId);
        var executor = ExecutorOf(request);
        var ct = ActivityExecutionContext.Current.CancellationToken;
        using var response = await executors.For(statusUrl).GetStatusAsync(Auth(executor.Auth), ct);
        if (!response.IsSuccessStatusCode || response.Content is not { } status)
        {
            throw new ApplicationFailureException($"the statusUrl answered {Describe(response)}", "StatusUnavailable");
        }
        if (status.Status == ExecutorStatuses.Fulfilled && status.Result is { Url: { } url })
        {
            try
            {
                var staged = await downloader.DownloadAsync(request, url, ct);
                return new PollOutcome(status.Status, status.Message, status.Percent, null, staged);
            }
            catch (DomainException e) when (e.Kind is DomainErrorKind.Invalid or DomainErrorKind.TooLarge)
            {
                // The executor's result itself is unusable (wrong type, too large, not a URL): downloading it again
                // at every poll would not change that, so the request fails with the reason.
                return new PollOutcome(ExecutorStatuses.Failed, Error: new MediaRequestError($"the executor's result was refused: {e.Message}", e.Code));
            }
            catch (DomainException e)
            {
                throw new ApplicationFailureException(e.Message, "ResultUnavailable");
            }
        }
        return new PollOutcome(status.Status, status.Message, status.Percent, status.Error);
    }

    private ExternalExecutorRef ExecutorOf(MediaRequest request) =>
        runs.Get(request.RunId).MediaExecution.ExternalExecutor
        ?? throw new ApplicationFailureException("the run has no external executor", ActivityPolicyErrorTypes.NonRetryable, nonRetryable: true);

    private Dictionary<string, string> Auth(ExecutorAuth? auth)
    {
        try
        {
            return authHeaders.For(auth);
        }
        catch (ExecutorMisconfiguredException e)
        {
            throw new ApplicationFailureException(e.Message, ActivityPolicyErrorTypes.NonRetryable, nonRetryable: true);
        }
    }

    private static bool IsTransient(HttpStatusCode code) =>
        code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)code >= 500;

    private static TimeSpan? RetryAfter(IApiResponse response)
    {
        var retryAfter = response.Headers?.RetryAfter;
        if (retryAfter?.Delta is { } delta) return Clamp(delta);
        if (retryAfter?.Date is { } date) return Clamp(date - DateTimeOffset.UtcNow);
        return null;

        static TimeSpan Clamp(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : t;
    }

    /// <summary>The executor's own explanation: a problem's detail/title, else its text, kept short.</summary>
    private static string Detail(IApiResponse response)
    {
        var text = (response.Error as ApiException)?.Content ?? "";
        try
        {
            using var doc = JsonDocument.Parse(text);
            foreach (var name in new[] { "detail", "message", "title", "error" })
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var el) && el.ValueKind == JsonValueKind.String)
                {
                    text = el.GetString()!;
                    break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: keep the text.
        }
        return text.Length > MaxDetailLength ? text[..MaxDetailLength] : text.Length == 0 ? response.ReasonPhrase ?? "no detail" : text;
    }

    private static string Describe(IApiResponse response) =>
        response.StatusCode is { } code ? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) : response.Error?.Message ?? "nothing";

    /// <summary>An executor may answer with a statusUrl relative to its endpoint; only http(s) results are kept.</summary>
    private static string? ResolveStatusUrl(string endpoint, string? url) =>
        !string.IsNullOrEmpty(url) && !url.Any(char.IsWhiteSpace) && Uri.TryCreate(new Uri(endpoint), url, out var uri) && uri.Scheme is "http" or "https"
            ? uri.AbsoluteUri
            : null;
}
