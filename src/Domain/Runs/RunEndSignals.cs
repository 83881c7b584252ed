namespace OpenDesign.Workflows.Domain.Runs;

/// <summary>
/// Tells whoever listens that a run has ended, once the end is durable. The agent supervisor listens, so a run ended
/// by any path (finish, cancel, its agent's exit) stops the run's process. Listeners run on the writer's thread after
/// the commit: they must only hand work off, and an exception in one never reaches the writer.
/// </summary>
public sealed class RunEndSignals
{
    public event Action<string>? Ended;

    internal void Raise(string runId)
    {
        try
        {
            Ended?.Invoke(runId);
        }
#pragma warning disable CA1031 // A listener's bug must not fail a batch that is already committed.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
