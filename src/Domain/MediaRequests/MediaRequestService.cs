using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// Every change to a media request: the row and its <c>media_request</c> event are written in one unit of work, so
/// the resource, the run stream and the global feed never disagree. Status only moves forward.
/// </summary>
public sealed class MediaRequestService(SqliteWriter writer, EventStore events, TimeProvider clock)
{
    public Task<MediaRequest> CreateAsync(MediaRequest request) => writer.ExecuteAsync(ctx =>
    {
        MediaRequestStore.Insert(ctx, request);
        AppendEvent(ctx, MediaRequestActions.Created, request);
        return request;
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

    /// <summary>Cancels every unfinished request of a run inside the run-end unit of work.</summary>
    internal IReadOnlyList<MediaRequest> CancelAllOfRun(WriteContext ctx, string runId, MediaRequestError reason)
    {
        var now = clock.GetUtcNow();
        return MediaRequestStore.NonTerminalOfRun(ctx, runId)
            .Select(r => Apply(ctx, r, MediaRequestStatuses.Cancelled, MediaRequestActions.Cancelled, x => x with { Error = reason }, now))
            .ToList();
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
        if (!MediaRequestTransitions.IsAllowed(current.Status, status))
        {
            throw new DomainException(409, ErrorCodes.MediaRequestTerminal,
                $"media request is {current.Status} and cannot become {status}",
                new Dictionary<string, object?> { ["status"] = current.Status });
        }
        var next = change(current) with { Status = status, UpdatedAt = now };
        if (!MediaRequestStore.TryReplace(ctx, current.Status, next))
        {
            throw new DomainException(409, ErrorCodes.MediaRequestTerminal, "media request changed concurrently");
        }
        AppendEvent(ctx, action, next);
        return next;
    }

    private void AppendEvent(WriteContext ctx, string action, MediaRequest request)
    {
        var payload = new MediaRequestEvent(MediaRequestEvent.EventName, action, request);
        events.Append(ctx, request.RunId, EventNames.MediaRequest, JsonSerializer.Serialize(payload, OdJsonContext.Default.MediaRequestEvent));
    }

    private static DomainException NotFound() => DomainException.NotFound(ErrorCodes.MediaRequestNotFound, "media request not found");
}
