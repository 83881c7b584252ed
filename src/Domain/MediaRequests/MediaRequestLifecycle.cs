using OpenDesign.Workflows.Contracts;
using static OpenDesign.Workflows.Contracts.MediaRequestStatuses;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>requested -> submitted -> running -> fulfilled | failed | cancelled; any live state may end; nothing moves back.</summary>
public static class MediaRequestLifecycle
{
    public static bool IsAllowed(string from, string to) => (from, to) switch
    {
        _ when MediaRequestStatuses.IsTerminal(from) => false,
        (Requested, Submitted or Running) => true,
        (Submitted, Running) => true,
        // Progress keeps a running request running.
        (Running, Running) => true,
        (_, Fulfilled or Failed or Cancelled) => true,
        _ => false,
    };
}
