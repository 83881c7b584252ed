using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Workflows;

/// <summary>The executor's callbacks, relayed by the API once the bytes are staged (never the bytes themselves).</summary>
public sealed record FulfilledSignal(StagedFile File);

public sealed record FailedSignal(MediaRequestError Error);

public sealed record ProgressSignal(string? Message, double? Percent);
