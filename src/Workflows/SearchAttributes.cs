using Temporalio.Common;

namespace OpenDesign.Workflows.Workflows;

/// <summary>The custom search attributes operators filter by in the Temporal UI.</summary>
public static class OdSearchAttributes
{
    public static readonly SearchAttributeKey<string> RunId = SearchAttributeKey.CreateKeyword("OdRunId");
    public static readonly SearchAttributeKey<string> ProjectId = SearchAttributeKey.CreateKeyword("OdProjectId");
    public static readonly SearchAttributeKey<string> Surface = SearchAttributeKey.CreateKeyword("OdSurface");
    public static readonly SearchAttributeKey<string> Status = SearchAttributeKey.CreateKeyword("OdMediaRequestStatus");

    public static IReadOnlyList<SearchAttributeKey> All { get; } = [RunId, ProjectId, Surface, Status];
}
