using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OpenDesign.Workflows.Cli.Http;
using OpenDesign.Workflows.Cli.Sse;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>
/// <c>od runs events &lt;id&gt; [--follow] [--after N]</c>: the run's server-sent events, replayed and optionally followed.
/// </summary>
/// <remarks>
/// With <c>--follow</c> a dropped connection is resumed from the last id printed (<c>Last-Event-ID</c>), after a
/// short backoff, so nothing is lost or printed twice; the command exits 0 at the run's <c>end</c> event. Only a
/// stream that was once open is resumed: if the service cannot be reached at all, that is exit 3 at once. A
/// <c>resume</c> frame (the service cut off a reader that fell behind) is followed at once, with or without follow.
/// </remarks>
internal static class RunEventsCommand
{
    /// <summary>The service sends a keep-alive every 25 s; three missed ones mean the connection is dead.</summary>
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(75);

    /// <summary>A connection that stayed up this long was healthy, so the next drop starts the backoff afresh.</summary>
    private static readonly TimeSpan HealthyConnection = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private const int MaxReconnects = 10;

    public static Command Create()
    {
        var id = CommandHandlers.IdArgument("id", "Run id");
        var follow = new Option<bool>("--follow", "-f")
        {
            Description = "Keep streaming new events, reconnecting if the connection drops, until the run's end event",
        };
        var after = new Option<long?>("--after") { Description = "Start after this event id", HelpName = "N" };

        return new Command("events", "Print a run's events (media requests, end); with --follow, stream them live")
            .With(id, follow, after)
            .WithHandler((context, cancellationToken) =>
                StreamAsync(context, context.Get(id), context.Get(follow), context.Get(after), cancellationToken));
    }

    /// <summary>Prints the run's events; with <paramref name="follow"/>, until its <c>end</c> event. Used by <c>runs create --follow</c> too.</summary>
    internal static async Task<int> StreamAsync(CommandContext context, string runId, bool follow, long? after, CancellationToken cancellationToken)
    {
        var printer = new EventPrinter(context);
        var lastId = after?.ToString(CultureInfo.InvariantCulture);
        var reconnect = false;
        var failures = 0;

        while (true)
        {
            // The first request names its start with ?after=; a resumed one uses Last-Event-ID like a browser would.
            var path = ApiRoutes.Runs.EventsPath(runId) + QueryString.Of(("follow", follow ? null : "false"), ("after", reconnect ? null : lastId));
            var resumeFrom = reconnect ? lastId : null;
            var printedBefore = printer.Printed;
            var connectedAt = Stopwatch.GetTimestamp();
            string reason;

            // Not connected yet: failing to reach the service at all is exit 3 straight away (thrown from here).
            using var response = reconnect
                ? await TryOpenAsync(context, path, resumeFrom, cancellationToken)
                : await OpenAsync(context, path, resumeFrom, cancellationToken);
            if (response is null)
            {
                reason = "reconnect failed";
            }
            else
            {
                try
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                    using var reader = new SseReader(stream, IdleTimeout);
                    var resumeAt = (string?)null;
                    while (await reader.ReadAsync(cancellationToken) is { } e)
                    {
                        // The service ended the stream because od fell behind; the frame names the last event it sent.
                        if (e.Event == StreamResume.EventName)
                        {
                            resumeAt = e.Id ?? lastId;
                            break;
                        }

                        // A resumed stream may send the last frame again (a terminal run re-sends its end event).
                        if (!IsAfter(e, lastId))
                        {
                            if (e.Event == EventPrinter.EndEvent)
                            {
                                return ExitCodes.Ok;
                            }

                            continue;
                        }

                        printer.Print(e);
                        lastId = e.Id ?? lastId;
                        if (e.Event == EventPrinter.EndEvent)
                        {
                            return ExitCodes.Ok;
                        }
                    }

                    if (resumeAt is not null)
                    {
                        // Not a failure: the service is fine and said where to continue, so reconnect at once, in
                        // either mode (a replay without --follow can be cut off too).
                        lastId = resumeAt;
                        context.Note($"the service ended the stream because od fell behind; resuming after #{lastId}");
                        reconnect = true;
                        failures = 0;
                        continue;
                    }

                    if (!follow)
                    {
                        return ExitCodes.Ok;
                    }

                    reason = "the stream ended before the run's end event";
                }
                catch (Exception e) when (e is IOException or HttpRequestException or TimeoutException)
                {
                    if (!follow)
                    {
                        throw ServiceFailures.Unreachable(context.Service.BaseUrl, e);
                    }

                    reason = e.Message;
                }
            }

            var healthy = printer.Printed > printedBefore || Stopwatch.GetElapsedTime(connectedAt) >= HealthyConnection;
            failures = healthy ? 1 : failures + 1;
            if (failures > MaxReconnects)
            {
                throw new CliException(ExitCodes.Unreachable, $"gave up following run {runId} after {MaxReconnects} failed reconnects: {reason}");
            }

            var delay = Backoff(failures);
            context.Note($"event stream interrupted ({reason}); resuming after #{lastId ?? "0"} in {delay.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s");
            await Task.Delay(delay, cancellationToken);
            reconnect = true;
        }
    }

    private static Task<HttpResponseMessage> OpenAsync(CommandContext context, string path, string? resumeFrom, CancellationToken cancellationToken) =>
        context.Service.OpenStreamAsync(
            path,
            headers =>
            {
                if (resumeFrom is not null)
                {
                    headers.TryAddWithoutValidation("Last-Event-ID", resumeFrom);
                }
            },
            cancellationToken);

    /// <summary>A reconnect that cannot reach the service is retried; one the service refuses (a 4xx) is final.</summary>
    private static async Task<HttpResponseMessage?> TryOpenAsync(CommandContext context, string path, string? resumeFrom, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(context, path, resumeFrom, cancellationToken);
        }
        catch (CliException e) when (e.ExitCode == ExitCodes.Unreachable)
        {
            context.Note(e.Message);
            return null;
        }
    }

    private static bool IsAfter(SseEvent e, string? lastId) =>
        lastId is null || e.Sequence is not { } sequence || !long.TryParse(lastId, out var last) || sequence > last;

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(failures - 1, 8)));
}
