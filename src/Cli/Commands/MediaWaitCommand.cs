using System.CommandLine;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary><c>od media wait &lt;taskId&gt;</c>: follows an enabled-mode media task, as Open Design's CLI does.</summary>
internal static class MediaWaitCommand
{
    public static Command Create()
    {
        var taskId = CommandHandlers.IdArgument("taskId", "The media task id (mtask_...) that 'media generate' printed");
        var since = new Option<int>("--since") { Description = "Progress lines already seen (the nextSince of the last answer)", HelpName = "n" };
        var timeout = new Option<double?>("--timeout") { Description = "Seconds to wait in all (default 25)", HelpName = "seconds" };

        var command = new Command("wait", "Wait for a media task: progress on stderr, the file (or the error) as the last stdout line; exit 2 when it is still running")
            .With(taskId, since, timeout);

        return command.WithHandler(async (context, cancellationToken) =>
        {
            if (context.Get(since) < 0) throw CliException.Usage("--since must be 0 or more");
            var seconds = context.Get(timeout);
            if (seconds is < 0 or > 86_400) throw CliException.Usage("--timeout must be between 0 and 86400 seconds");
            var budget = seconds is { } s ? TimeSpan.FromSeconds(s) : MediaTaskWaiting.DefaultBudget;
            return await MediaTaskWaiting.FollowAsync(context, context.Get(taskId), context.Get(since), budget, cancellationToken) switch
            {
                MediaTaskWaiting.Outcome.Done => ExitCodes.Ok,
                MediaTaskWaiting.Outcome.Failed => ExitCodes.MediaFailed,
                _ => ExitCodes.StillRunning,
            };
        });
    }
}
