using Microsoft.Extensions.Options;
using OpenDesign.Workflows.Api.Temporal;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.Events;

namespace OpenDesign.Workflows.Api.Sse;

/// <summary>
/// When the Temporal worker runs in another process (<c>Temporal:Worker=off</c>), that process writes events this one
/// never publishes. This tail reads new rows from the shared database and offers them to live subscribers; streams
/// skip what they already sent and fill any gap from the store, so order and completeness hold.
/// </summary>
internal sealed class EventTail(EventStore events, EventHub hub, OdOptions options, IOptions<TemporalOptions> temporal, ILogger<EventTail> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (temporal.Value.RunsWorker) return;
        var last = events.LastId();
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                EventPage page;
                do
                {
                    page = events.ReadAllAfter(last, maxBytes: options.SseReplayPageBytes);
                    if (page.Count == 0) break;
                    hub.Publish(page);
                    last = page[^1].Id;
                }
                while (page.More);
            }
            catch (Microsoft.Data.Sqlite.SqliteException e)
            {
                logger.LogWarning("Reading new events failed: {Reason}", e.Message);
            }
        }
    }
}
