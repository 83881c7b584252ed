using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Every change to a media request: the row and its <c>media_request</c> event are written in one unit of work, so
/// the resource, the run stream and the global feed never disagree. Status only moves forward.
/// </summary>
public sealed class MediaRequestTransitions(SqliteWriter writer, EventStore events, TimeProvider clock)
{
    /// <summary>
    /// Stores a new request with its <c>created</c> event (and an external request's callback token hash) in one unit
    /// with the check that its run is still running. Run ends go through the same writer, so the request is either
    /// created before the run's end, which then ends it too, or refused (409 <c>RUN_TERMINAL</c>) with nothing stored.
    /// </summary>
    public async Task<MediaRequest> CreateAsync(MediaRequest request, string? callbackToken = null) =>
        (await CreateWithJsonAsync(request, callbackToken)).Request;

    /// <summary>As <see cref="CreateAsync"/>, also returning the request's JSON so an answer need not serialise it again.</summary>
    public async Task<(MediaRequest Request, byte[] Json)> CreateWithJsonAsync(MediaRequest request, string? callbackToken = null)
    {
        // Serialised here, on the caller's thread: the single writer thread is the service's bottleneck under load,
        // so it only runs the statements. UTF-8 throughout: stored, put in the event and answered as the serializer wrote it.
        var body = MediaRequestStore.SerializeUtf8(request);
        var data = EventDataUtf8(MediaRequestActions.Created, body);
        var runStatus = await writer.ExecuteAsync(ctx =>
        {
            var status = RunStore.StatusOf(ctx, request.RunId);
            // Answered rather than thrown: nothing has been written, and a throwing unit would make its whole batch replay.
            if (status != RunStatuses.Running) return status;
            MediaRequestStore.Insert(ctx, request, body);
            if (callbackToken is not null) Tokens.CallbackTokens.Register(ctx, request.Id, callbackToken);
            events.Append(ctx, request.RunId, EventNames.MediaRequest, data);
            return status;
        });
        if (runStatus is null) throw DomainException.NotFound(ErrorCodes.RunNotFound, "run not found");
        if (runStatus != RunStatuses.Running) throw RunService.AlreadyEnded(runStatus);
        return (request, body);
    }

    /// <summary>requested -> submitted with what the executor answered. Repeating it (a retried activity) changes nothing.</summary>
    public Task<MediaRequest> MarkSubmittedAsync(string id, Func<MediaRequest, ExternalRef> external) => writer.ExecuteAsync(ctx =>
    {
        var current = MediaRequestStore.Find(ctx, id) ?? throw NotFound();
        if (current.Status != MediaRequestStatuses.Requested) return current;
        var now = clock.GetUtcNow();
        return Apply(ctx, current, MediaRequestStatuses.Submitted, MediaRequestActions.Submitted, r => r with { External = external(r) }, now);
    });

    /// <summary>
    /// A progress report moves the request to running and appends a <c>progress</c> event, once per
    /// <paramref name="effectKey"/>: a retried activity finds its key already applied and appends nothing.
    /// </summary>
    public Task<MediaRequest> RecordProgressAsync(string id, string effectKey, string? message, double? percent) => writer.ExecuteAsync(ctx =>
    {
        var current = MediaRequestStore.Find(ctx, id) ?? throw NotFound();
        if (MediaRequestStatuses.IsTerminal(current.Status) || !ctx.TryClaimEffect(effectKey, clock.GetUtcNow())) return current;
        var now = clock.GetUtcNow();
        return Apply(ctx, current, MediaRequestStatuses.Running, MediaRequestActions.Progress,
            r => r with { External = (r.External ?? new ExternalRef()) with { LastProgress = message ?? r.External?.LastProgress, Percent = percent ?? r.External?.Percent } }, now);
    });

    /// <summary>Ends the request as failed or cancelled unless it has already ended: what a workflow's retried activity needs.</summary>
    public Task<MediaRequest> EndOnceAsync(string id, string status, MediaRequestError? error, Func<ExternalRef?, ExternalRef?>? external = null) =>
        writer.ExecuteAsync(ctx =>
        {
            var current = MediaRequestStore.Find(ctx, id) ?? throw NotFound();
            if (MediaRequestStatuses.IsTerminal(current.Status)) return current;
            var action = status == MediaRequestStatuses.Failed ? MediaRequestActions.Failed : MediaRequestActions.Cancelled;
            return Apply(ctx, current, status, action, r => r with { Error = error ?? r.Error, External = external is null ? r.External : external(r.External) }, clock.GetUtcNow());
        });

    public Task<MediaRequest> CancelAsync(string id, MediaRequestError? reason = null) =>
        TransitionAsync(id, MediaRequestStatuses.Cancelled, MediaRequestActions.Cancelled, (r, now) => r with { Error = reason ?? r.Error });

    public Task<MediaRequest> FailAsync(string id, MediaRequestError error) =>
        TransitionAsync(id, MediaRequestStatuses.Failed, MediaRequestActions.Failed, (r, now) => r with { Error = error });

    /// <summary>
    /// Fulfils with file metadata. Fulfilling again with the same bytes (same sha256) returns the request unchanged
    /// with <c>Changed = false</c>; different bytes, or any other terminal state, is a conflict.
    /// </summary>
    public Task<(MediaRequest Request, bool Changed)> FulfillAsync(string id, FulfilledFile file) => writer.ExecuteAsync(ctx =>
    {
        var current = MediaRequestStore.Find(ctx, id) ?? throw NotFound();
        if (current.Status == MediaRequestStatuses.Fulfilled && current.FulfilledFile?.Sha256 == file.Sha256)
        {
            return (current, false);
        }
        var now = clock.GetUtcNow();
        return (Apply(ctx, current, MediaRequestStatuses.Fulfilled, MediaRequestActions.Fulfilled,
            r => r with { FulfilledFile = file, FulfilledAt = now, Error = null }, now), true);
    });

    /// <summary>
    /// Cancels a run's unfinished requests inside the run-end unit of work. External ones are returned instead: their
    /// workflows cancel them, so the executor is told as well.
    /// </summary>
    internal (IReadOnlyList<MediaRequest> Cancelled, IReadOnlyList<MediaRequest> External) CancelAllOfRun(WriteContext ctx, string runId, MediaRequestError reason)
    {
        var now = clock.GetUtcNow();
        var open = MediaRequestStore.NonTerminalOfRun(ctx, runId);
        var cancelled = open.Where(r => r.PolicyMode != MediaExecutionModes.External)
            .Select(r => Apply(ctx, r, MediaRequestStatuses.Cancelled, MediaRequestActions.Cancelled, x => x with { Error = reason }, now))
            .ToList();
        return (cancelled, open.Where(r => r.PolicyMode == MediaExecutionModes.External).ToList());
    }

    public Task<MediaRequest> TransitionAsync(string id, string status, string action, Func<MediaRequest, DateTimeOffset, MediaRequest> change) =>
        writer.ExecuteAsync(ctx =>
        {
            var current = MediaRequestStore.Find(ctx, id) ?? throw NotFound();
            var now = clock.GetUtcNow();
            return Apply(ctx, current, status, action, r => change(r, now), now);
        });

    private MediaRequest Apply(WriteContext ctx, MediaRequest current, string status, string action, Func<MediaRequest, MediaRequest> change, DateTimeOffset now)
    {
        if (!MediaRequestLifecycle.IsAllowed(current.Status, status))
        {
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal,
                $"media request is {current.Status} and cannot become {status}",
                new Dictionary<string, object?> { ["status"] = current.Status });
        }
        var next = change(current) with { Status = status, UpdatedAt = now };
        var body = MediaRequestStore.SerializeUtf8(next);
        if (!MediaRequestStore.TryReplace(ctx, current.Status, next, body))
        {
            throw new DomainException(DomainErrorKind.Conflict, ErrorCodes.MediaRequestTerminal, "media request changed concurrently");
        }
        AppendEvent(ctx, action, next, body);
        return next;
    }

    private void AppendEvent(WriteContext ctx, string action, MediaRequest request, byte[] body) =>
        events.Append(ctx, request.RunId, EventNames.MediaRequest, EventDataUtf8(action, body));

    /// <summary>A <see cref="MediaRequestEvent"/> as UTF-8 JSON, built around the request's already serialised body.</summary>
    internal static byte[] EventDataUtf8(string action, byte[] requestBody)
    {
        var opening = $"{{\"type\":\"{MediaRequestEvent.EventName}\",\"action\":\"{action}\",\"request\":";
        var length = Encoding.UTF8.GetByteCount(opening);
        var data = new byte[length + requestBody.Length + 1];
        Encoding.UTF8.GetBytes(opening, data);
        requestBody.CopyTo(data, length);
        data[^1] = (byte)'}';
        return data;
    }

    private static DomainException NotFound() => DomainException.NotFound(ErrorCodes.MediaRequestNotFound, "media request not found");
}
