using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain.Agents;

/// <summary>Everything the prompt of a run depends on; the composer reads nothing else.</summary>
public sealed record PromptInput(
    MediaExecutionPolicy Policy,
    string? AgentId,
    string ProjectId,
    string ProjectName,
    string? Message);
