namespace OpenDesign.Workflows.Domain.Tokens;

/// <summary>What a valid tool token allows: one run, one project, and listed endpoints and operations.</summary>
public sealed record ToolTokenGrant(
    string TokenHash,
    string RunId,
    string ProjectId,
    IReadOnlyList<string> AllowedEndpoints,
    IReadOnlyList<string> AllowedOperations,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt);
