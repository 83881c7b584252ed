using System.Text.Json;

namespace OpenDesign.Workflows.Contracts;

/// <summary>An RFC 9457 problem as the service writes it; <see cref="Code"/> is the stable member to branch on.</summary>
public sealed record Problem(
    string? Type,
    string? Title,
    int? Status,
    string? Detail,
    string? Code,
    JsonElement? Details = null);
