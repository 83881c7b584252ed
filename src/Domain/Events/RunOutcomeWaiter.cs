namespace OpenDesign.Workflows.Domain.Events;

/// <summary>
/// The one way the service waits for work that a workflow finishes (a cancelled or fulfilled external request, a
/// cancelled media task): subscribe to the run on the event hub, act, then re-check on each of the run's events until
/// the condition holds or the timeout passes. Events from a separate worker reach the hub through the event tail.
/// </summary>
public sealed class RunOutcomeWaiter(EventHub hub)
{
    /// <summary>Whether <paramref name="settled"/> held before the timeout. <paramref name="act"/> runs after subscribing, so no change it causes is missed.</summary>
    public async Task<bool> WaitAsync(string runId, Func<bool> settled, TimeSpan timeout, Func<Task>? act, CancellationToken ct)
    {
        using var subscription = hub.SubscribeRun(runId);
        if (act is not null) await act();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (settled()) return true;
            try
            {
                await subscription.WaitToReadAsync(deadline.Token);
                while (subscription.TryRead(out _)) { }
                // Dropped events need no replay here: the condition is read from the store.
                subscription.TakeOverflowed();
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return settled();
            }
        }
    }
}
