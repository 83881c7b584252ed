namespace OpenDesign.Workflows.Contracts;

public sealed record CreateProjectRequest(string? Name = null);

public sealed record Project(string Id, string Name, string Dir, DateTimeOffset CreatedAt);
