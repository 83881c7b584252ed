namespace OpenDesign.Workflows.Cli.Sse;

/// <summary>One dispatched server-sent event: its <c>id:</c> (the service's per-run sequence), <c>event:</c> name and joined <c>data:</c> lines.</summary>
internal sealed record SseEvent(string? Id, string Event, string Data)
{
    public const string DefaultEventName = "message";

    /// <summary>The id as a sequence number, when it is one; used to skip frames a resumed stream sends again.</summary>
    public long? Sequence => long.TryParse(Id, out var n) ? n : null;
}
