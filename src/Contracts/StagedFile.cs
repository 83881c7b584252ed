namespace OpenDesign.Workflows.Contracts;

/// <summary>
/// Bytes waiting in the staging area under the data root. Small enough to travel in a workflow signal: the bytes
/// themselves never enter Temporal payloads.
/// </summary>
public sealed record StagedFile(string Name, long Size, string Sha256, string Mime);
