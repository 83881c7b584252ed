using System.Globalization;
using OpenDesign.Workflows.Api.Sse;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Api.Endpoints;

internal static class EventsEndpoints
{
    public static void MapEvents(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("").WithTags("Events");
        events.MapGet(ApiRoutes.Runs.Events, StreamRunEvents)
            .Describe(nameof(StreamRunEvents), "A run's events as server-sent events, replayed from a cursor (Last-Event-ID or ?after=), until its end")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").Refuses(400, 404);
        events.MapGet(ApiRoutes.Events, StreamEvents)
            .Describe(nameof(StreamEvents), "Every run's media_request events as server-sent events, from now or from a cursor")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").Refuses(400);
    }

    internal static async Task StreamRunEvents(string id, HttpContext context, RunStore runs, EventStore events, EventHub hub, OdOptions options)
    {
        var run = runs.Get(id);
        var after = Cursor(context) ?? 0;
        var follow = Follow(context);
        using var subscription = hub.SubscribeRun(run.Id);
        var stream = new SseStream(context, options.SseKeepAlive)
        {
            ReadAfter = cursor => events.ReadRun(run.Id, cursor, maxBytes: options.SseReplayPageBytes),
            CursorOf = e => e.Seq,
            FrameOf = SseFrames.OfRun,
            IsFinal = e => e.Name == EventNames.End,
            Contiguous = true,
        };
        // Only a run whose `end` is written is over for its stream; one still ending is followed until it is.
        await stream.RunAsync(subscription, after, follow, () =>
            RunStatuses.IsTerminal(runs.Get(run.Id).Status) && events.LastOfRun(run.Id) is { Name: EventNames.End } last ? last : null);
    }

    internal static async Task StreamEvents(HttpContext context, EventStore events, EventHub hub, OdOptions options)
    {
        var cursor = Cursor(context);
        var follow = Follow(context);
        using var subscription = hub.SubscribeGlobal();
        // Without a cursor the feed starts now: replaying every run's history to each new watcher is rarely wanted
        // and costs the most. Read after subscribing, so an event committed in between is in the buffer.
        var after = cursor ?? events.LastId();
        var stream = new SseStream(context, options.SseKeepAlive)
        {
            ReadAfter = c => events.ReadFeed(c, maxBytes: options.SseReplayPageBytes),
            CursorOf = e => e.Id,
            FrameOf = SseFrames.OfFeed,
        };
        await stream.RunAsync(subscription, after, follow);
    }

    /// <summary>Last-Event-ID (what a reconnecting EventSource sends) wins over ?after=; null when neither is given.</summary>
    private static long? Cursor(HttpContext context)
    {
        var raw = context.Request.Headers["Last-Event-ID"].ToString();
        var source = "Last-Event-ID";
        if (raw.Length == 0)
        {
            raw = context.Request.Query["after"].ToString();
            source = "after";
        }
        if (raw.Length == 0) return null;
        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw DomainException.Invalid($"{source} must be a non-negative integer event id");
        }
        return value;
    }

    private static bool Follow(HttpContext context)
    {
        var raw = context.Request.Query["follow"].ToString();
        return raw.Length == 0 || raw is not ("false" or "0" or "no");
    }
}
